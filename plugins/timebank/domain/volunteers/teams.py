"""Volunteer teams (志愿团队): founding a team with its own accounts, and its members."""
from __future__ import annotations

from sqlalchemy import select

from core.api import Conflict, InvalidInput, NotFound, local_date, now, record_audit
from plugins.timebank.domain import access, ledger
from plugins.timebank.domain.catalog import CATEGORY_NAMES
from plugins.timebank.domain.settings import settings
from plugins.timebank.domain.volunteers.profiles import _volunteer
from plugins.timebank.models import Holder, Team, TeamMember, Volunteer


def create_team(quanke, actor, *, name: str, community: str, leader_id: int, member_ids=(),
                categories=()) -> Team:
    """A volunteer team (志愿团队) with its own accounts; the leader is a member."""
    rules = settings(quanke)
    name = (name or "").strip()
    if not 2 <= len(name) <= 64:
        raise InvalidInput("团队名称应为2至64个字", code="invalid_team_name", field="name")
    with quanke.db.session() as session:
        access.require_admin(session, actor, rules, community, "成立志愿团队")
        if not rules.is_community(community):
            raise InvalidInput("社区不存在", code="unknown_community", field="community")
        if session.scalar(select(Team.id).where(Team.name == name)) is not None:
            raise Conflict(f"已有名为“{name}”的团队", code="team_name_taken", field="name")
        members = sorted({leader_id, *member_ids})
        found = session.scalars(select(Volunteer).where(Volunteer.id.in_(members),
                                                        Volunteer.status == "active")).all()
        if len(found) != len(members):
            raise InvalidInput("团队成员须为在册志愿者", code="member_not_volunteer", field="member_ids")
        bad = [c for c in categories if c not in CATEGORY_NAMES]
        if bad:
            raise InvalidInput("服务类别不正确", code="unknown_category", field="categories")
        holder = Holder(kind="team", name=name, community=community, subject=f"团队:{name}")
        session.add(holder)
        session.flush()
        ledger.open_holder_accounts(session, holder.id, community)
        ledger.community_accounts(session, community)
        team = Team(holder_id=holder.id, name=name, community=community, leader_id=leader_id,
                    categories=sorted(set(categories)))
        session.add(team)
        session.flush()
        today = local_date(now())
        session.add_all([TeamMember(team_id=team.id, volunteer_id=v, joined_on=today) for v in members])
        record_audit(session, actor=access.actor_key(actor), action="timebank.team_created",
                     object_type="tb_team", object_id=team.id, subject=holder.subject,
                     data={"community": community, "leader": leader_id, "members": members})
        return team


def set_team_member(quanke, actor, team_id: int, volunteer_id: int, *, member: bool) -> None:
    rules = settings(quanke)
    with quanke.db.session() as session:
        team = session.get(Team, team_id)
        if team is None:
            raise NotFound("团队不存在", code="team_not_found")
        access.require_admin(session, actor, rules, team.community, "调整团队成员")
        row = session.get(TeamMember, (team_id, volunteer_id))
        if member and row is None:
            _volunteer(session, volunteer_id)
            session.add(TeamMember(team_id=team_id, volunteer_id=volunteer_id, joined_on=local_date(now())))
        elif not member and row is not None:
            if team.leader_id == volunteer_id:
                raise InvalidInput("不能移除团队负责人，请先更换负责人", code="leader_cannot_leave")
            session.delete(row)
        else:
            return
        record_audit(session, actor=access.actor_key(actor), action="timebank.team_member",
                     object_type="tb_team", object_id=team.id,
                     data={"volunteer": volunteer_id, "member": member})

