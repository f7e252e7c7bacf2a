"""Matching: which volunteers to propose for a request, best first, with the reasons.

Order (each criterion only breaks ties of the ones before it):

1. same community as the service first (通存通兑 allows others, but neighbours go first);
2. skill: the kind of service is among the volunteer's skills (2), only the category (1);
   volunteers with neither are not proposed;
3. availability: the volunteer's weekly slots cover the time window;
4. past ratings: follow-up ratings, smoothed towards 4 (two virtual ratings) so one
   5-star visit does not outrank twenty 4.8s;
5. fewer services already given (spreads the work).

Volunteers already booked in an overlapping window, who have left, or who are the
recipient are never proposed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.api import Applicant, mask_name

from plugins.timebank.domain import availability
from plugins.timebank.domain.catalog import CATEGORY_NAMES
from plugins.timebank.models import Offer, ServiceRequest, Volunteer

PRIOR_RATING, PRIOR_WEIGHT = 4.0, 2


@dataclass
class Candidate:
    volunteer_id: int
    number: str
    name: str
    community: str
    same_community: bool
    skill: int
    available: bool | None
    rating: float
    ratings: int
    served: int
    offered: str = ""
    reasons: list[str] = field(default_factory=list)

    @property
    def key(self):
        return (not self.same_community, -self.skill, self.available is not True, -self.rating, self.served,
                self.volunteer_id)


def rank(session: Session, request: ServiceRequest, *, limit: int = 20) -> list[Candidate]:
    stats = {v: (float(avg or 0), int(n or 0), int(done or 0)) for v, avg, n, done in session.execute(
        select(ServiceRequest.volunteer_id, func.avg(ServiceRequest.rating), func.count(ServiceRequest.rating),
               func.count(ServiceRequest.confirmed_minutes))
        .where(ServiceRequest.volunteer_id.is_not(None)).group_by(ServiceRequest.volunteer_id))}
    busy = set(session.scalars(select(ServiceRequest.volunteer_id).where(
        ServiceRequest.status == "assigned", ServiceRequest.id != request.id,
        ServiceRequest.window_start < request.window_end, ServiceRequest.window_end > request.window_start)))
    offers = dict(session.execute(select(Offer.volunteer_id, Offer.status).where(Offer.request_id == request.id)).all())
    needed = availability.needed(request.window_start, request.window_end)
    rows = session.execute(select(Volunteer, Applicant.name).join(Applicant, Applicant.id == Volunteer.applicant_id)
                           .where(Volunteer.status == "active")).all()
    out: list[Candidate] = []
    for volunteer, name in rows:
        if volunteer.holder_id == request.recipient_id or volunteer.id in busy:
            continue
        skill = 2 if request.kind in (volunteer.kinds or []) else (1 if request.category in (volunteer.categories or []) else 0)
        if not skill:
            continue
        slots = set(volunteer.availability or [])
        available = None if not slots else all(s in slots for s in needed)
        avg, count, done = stats.get(volunteer.id, (0.0, 0, 0))
        smoothed = (avg * count + PRIOR_RATING * PRIOR_WEIGHT) / (count + PRIOR_WEIGHT)
        same = volunteer.community == request.community
        reasons = ["同社区" if same else "外社区（通存通兑）",
                   "擅长该服务内容" if skill == 2 else f"可提供{CATEGORY_NAMES.get(request.category, '')}",
                   {True: "该时段有空", False: "该时段未登记有空", None: "未登记可服务时间"}[available],
                   f"回访评分 {avg:.1f}（{count}次）" if count else "暂无回访评分"]
        out.append(Candidate(volunteer.id, volunteer.number or "", mask_name(name), volunteer.community, same,
                             skill, available, round(smoothed, 3), count, done, offers.get(volunteer.id, ""),
                             reasons))
    out.sort(key=lambda c: c.key)
    return out[:limit]
