"""Demonstration data (``quanke demo-data``): the 13 communities' volunteers, teams,
recipients, family relations, supermarket goods and about three months of movements —
all written through the plugin's own operations, so the ledger's rules hold for them.

``demo`` scale: 60 volunteers, 24 recipients, 4 teams, ~120 services. ``district``: the
reference street — 4,500 volunteers, 44 teams, 600 recipients, ~2,400 services.
Idempotent: nothing is added when the demo's first team exists.
"""
from __future__ import annotations

import datetime as dt
import logging
import random

from sqlalchemy import select
from tqdm import tqdm

from core.api import (
    LOCAL_TZ,
    QuankeError,
    Role,
    User,
    accept,
    file_application,
    now,
    register_applicant,
    valid_resident_id,
)

from plugins.timebank.domain import deposits, reports, requests, stars, supermarket, volunteers, withdrawals
from plugins.timebank.domain.catalog import DEFAULT_KINDS
from plugins.timebank.models import Team
from plugins.timebank.domain.settings import settings

log = logging.getLogger(__name__)
MARKER_TEAM = "姚坊门助老服务队"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "秀英桂英玉兰建国建华志强国华春梅明亮海燕丽娟文斌晓东红霞伟民淑珍德明凤英玉珍永红桂兰建平金凤秀兰宝华立新"
TEAM_NAMES = ["助老服务队", "家电维修队", "心理关爱队", "红色代办队", "巾帼家政队", "青年志愿队", "银龄互助队", "邻里陪伴队",
              "法律咨询队", "健康护理队", "文体活动队"]
GOODS = [("大米5斤", "袋", 60), ("食用油", "桶", 90), ("洗衣液", "瓶", 40), ("鸡蛋", "盒", 25), ("毛巾", "条", 15),
         ("抽纸", "提", 20)]
AVAILABILITY = ["工作日晚上、周末全天", "周末全天", "工作日上午", "每天下午", "周一、周三、周五上午", "周六上午、周日下午"]
SKILLS = ["退休教师，会辅导功课、读报", "会做饭、打扫卫生", "懂水电维修", "退休护士，会量血压、助浴",
          "会用智能手机，可教老人", "热心肠，能陪老人聊天、代购"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN[::2]) + rng.choice(GIVEN[1::2])


def _staff(session, role: Role):
    for user in session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)).unique():
        if (role is Role.APPROVER and user.has_role(Role.APPROVER, "timebank")) or \
                (role is Role.COUNTER and user.has_role(Role.COUNTER)):
            return user
    return None


def load(quanke, *, scale: str = "demo", progress: bool = False) -> int:
    with quanke.db.session() as s:
        if s.scalar(select(Team.id).where(Team.name == MARKER_TEAM)) is not None:
            return 0
        admin, worker = _staff(s, Role.APPROVER), _staff(s, Role.COUNTER)
    if admin is None or worker is None:
        log.warning("timebank demo: no timebank approver or counter worker; skipped")
        return 0
    big = scale == "district"
    rng = random.Random(20141205)
    rules = settings(quanke)
    communities = [c for c, _ in rules.communities]
    home = "C031"  # 姚坊门社区 gets the most people
    created = 0
    t0 = now()

    def community() -> str:
        return home if rng.random() < 0.3 else rng.choice(communities)

    # people ------------------------------------------------------------------------------------
    serial = iter(range(1, 100000))
    recipients: list[int] = []
    for _ in tqdm(range(600 if big else 24), desc="时间银行服务对象", disable=not progress):
        n = next(serial)
        born = f"19{rng.randint(30, 48)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        holder = volunteers.register_recipient(
            quanke, worker, id_number=valid_resident_id(f"320113{born}{n % 1000:03d}"), name=_name(rng),
            phone=f"1581{n:07d}", community=community(), address=f"尧化街道第{rng.randint(1, 40)}栋{rng.randint(1, 6)}0{rng.randint(1, 4)}室",
            lives_alone=rng.random() < 0.6)
        recipients.append(holder.id)
        created += 1
    by_key: dict[tuple[str, str], list[tuple[int, int]]] = {}
    all_vols: list[tuple[int, int, str]] = []
    count = 4500 if big else 60
    batch = 200
    for start in tqdm(range(0, count, batch), desc="时间银行志愿者", disable=not progress):
        with quanke.db.session() as s:
            for _ in range(start, min(count, start + batch)):
                n = next(serial)
                born = f"19{rng.randint(50, 99)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
                applicant, _ = register_applicant(s, kind="person", id_number=valid_resident_id(f"320113{born}{n % 1000:03d}"),
                                                   name=_name(rng), phone=f"1591{n:07d}", actor="demo")
                kinds = rng.sample(DEFAULT_KINDS, 3)
                c = community()
                v = volunteers.create_profile(s, applicant, c, rules=rules, actor="demo",
                                              categories=sorted({k[1] for k in kinds}), kinds=[k[0] for k in kinds],
                                              skills=rng.choice(SKILLS), availability_text=rng.choice(AVAILABILITY),
                                              application_id=None, certified_on=(t0 - dt.timedelta(days=rng.randint(100, 900))).date())
                all_vols.append((v.id, v.holder_id, c))
                for cat in v.categories:
                    by_key.setdefault((c, cat), []).append((v.id, v.holder_id))
                created += 1
    # teams -------------------------------------------------------------------------------------
    for i in range(44 if big else 4):
        c = home if i == 0 else communities[i % len(communities)]
        local = [v for v in all_vols if v[2] == c] or all_vols
        members = rng.sample(local, min(6, len(local)))
        name = MARKER_TEAM if i == 0 else f"{rules.community_name(c)}{TEAM_NAMES[i % len(TEAM_NAMES)]}{'' if i < len(TEAM_NAMES) else i}"
        volunteers.create_team(quanke, admin, name=name, community=c, leader_id=members[0][0],
                               member_ids=[m[0] for m in members[1:]], categories=["companionship", "errands"])
        created += 1
    # relations: some volunteers are recipients' children ---------------------------------------------
    for r in recipients[::3]:
        child = rng.choice(all_vols)
        try:
            volunteers.add_relation(quanke, worker, holder_id=r, relative_id=child[1], relation="child", evidence="户口簿")
        except QuankeError:
            continue
    # goods ------------------------------------------------------------------------------------------
    goods_by_c = {}
    for c in communities:
        goods_by_c[c] = [supermarket.add_goods(quanke, admin, community=c, name=g, unit=u, price_minutes=p,
                                               stock=rng.randint(10, 40)).id for g, u, p in rng.sample(GOODS, 4)]
    # veterans: hours served long ago (stars), part donated to the pools --------------------------------
    veterans = rng.sample(all_vols, 40 if big else 8)
    for i, (vid, holder_id, c) in enumerate(veterans):
        hours = [120, 320, 650, 1050, 110, 150, 400, 90][i % 8]
        when = t0 - dt.timedelta(days=400 + i)
        deposits.deposit_activity(quanke, admin, holder_id=holder_id, minutes=hours * 60, community=c,
                                  category="other", memo="往年集体志愿服务时长（补录）", at=when)
        withdrawals.donate(quanke, admin, holder_id=holder_id, bucket="service", minutes=600,
                           at=when + dt.timedelta(days=30))
    last_year = (t0 - dt.timedelta(days=365)).year
    stars.award(quanke, day=dt.date(last_year, 12, 5))
    # loans for elderly people living alone -------------------------------------------------------
    borrowers = set()
    for r in recipients:
        try:
            withdrawals.grant_loan(quanke, admin, holder_id=r, minutes=rng.choice([900, 1200]), reason="居家养老服务",
                                   at=t0 - dt.timedelta(days=95))
            borrowers.add(r)
        except QuankeError:
            continue  # not eligible (under 80 or not living alone): the donation pool or public funds pay
    # three months of services ---------------------------------------------------------------------
    services = 2400 if big else 120
    kinds = [k for k in DEFAULT_KINDS]
    for i in tqdm(range(services), desc="时间银行服务记录", disable=not progress):
        filed = t0 - dt.timedelta(days=92) + dt.timedelta(minutes=int(i * 90 * 24 * 60 / services))
        filed = filed.replace(second=0, microsecond=0)
        r = rng.choice(recipients)
        code, cat, _ = rng.choice(kinds)
        start = (filed + dt.timedelta(days=rng.randint(1, 3))).astimezone(LOCAL_TZ).replace(
            hour=rng.choice([9, 10, 14, 15, 19]), minute=0)
        end = start + dt.timedelta(hours=2)
        planned = rng.choice([60, 90, 120])
        recent = end > t0
        try:
            with quanke.db.session() as s:
                from plugins.timebank.models import Holder
                rc = s.get(Holder, r).community
            payer = "recipient" if r in borrowers else ("donation" if rng.random() < 0.3 else "public")
            req = requests.create(quanke, admin, recipient_id=r, kind=code, window_start=start, window_end=end,
                                  planned_minutes=planned, place="服务对象家中", description="", payer=payer, at=filed)
            created += 1
            if recent and rng.random() < 0.5:
                continue  # still waiting for a volunteer
            pool = by_key.get((rc, cat)) if rng.random() < 0.8 else None
            pool = pool or by_key.get((rng.choice(communities), cat)) or [(v[0], v[1]) for v in all_vols]
            vid, vholder = rng.choice(pool)
            if vholder == r:
                continue
            requests.accept(quanke, admin, req.id, vid, at=filed + dt.timedelta(hours=rng.randint(1, 20)))
            if recent:
                continue
            if rng.random() < 0.06:
                requests.close_unserved(quanke, worker, req.id, reason="服务对象临时外出", not_served=True)
                continue
            confirmed_at = end + dt.timedelta(minutes=30)
            requests.confirm(quanke, worker, req.id, rng.randint(planned // 2, planned), at=confirmed_at)
            if rng.random() < 0.8 and confirmed_at + dt.timedelta(days=2) < t0:
                requests.follow_up(quanke, worker, req.id, rating=rng.choice([5, 5, 5, 4, 4, 3, 2]),
                                   comment=rng.choice(["服务细致", "很准时", "老人很满意", "", "希望下次早点到"]),
                                   at=confirmed_at + dt.timedelta(days=2))
            if rng.random() < 0.15:
                goods = rng.choice(goods_by_c[rng.choice(communities)])
                try:
                    supermarket.exchange(quanke, admin, holder_id=vholder, goods_id=goods, quantity=1,
                                         at=confirmed_at + dt.timedelta(days=1))
                except QuankeError:
                    pass  # not enough in the 20% bucket yet
            if rng.random() < 0.1:
                try:
                    withdrawals.settle_cash(quanke, admin, holder_id=vholder, minutes=10,
                                            at=confirmed_at + dt.timedelta(days=1))
                except QuankeError:
                    pass
        except QuankeError as exc:
            log.info("demo service %s skipped: %s", i, exc.message)
    # pending certifications in the approver queue ----------------------------------------------------
    created += _pending_certifications(quanke, worker, rng, serial)
    # monthly reports for the street ------------------------------------------------------------------
    month = t0.astimezone(LOCAL_TZ).date().replace(day=1)
    for _ in range(3):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        reports.generate(quanke, month=f"{month.year:04d}-{month.month:02d}", actor="demo", replace=True)
    return created


def _pending_certifications(quanke, worker, rng, serial) -> int:
    service = quanke.service(volunteers.SERVICE_CODE)
    made = 0
    for i in range(3):
        n = next(serial)
        with quanke.db.session() as s:
            applicant, _ = register_applicant(s, kind="person", id_number=valid_resident_id(f"32011319{90 + i}0101{n % 1000:03d}"),
                                               name=_name(rng), phone=f"1571{n:07d}", actor="demo")
            applicant_id = applicant.id
        try:
            app = file_application(
                quanke, worker, service_code=service.code, applicant_id=applicant_id,
                form_data={"community": "C031", "categories": ["companionship"], "kinds": ["chat"],
                           "skills": "愿意陪伴独居老人", "availability": "周末全天"},
                paper=[m.code for m in service.materials if m.required], consent=True, consent_text="申请人当面同意")
            accept(quanke, worker, app.id)
            made += 1
        except QuankeError as exc:  # e.g. the worker's centre is not authorised for the service
            log.info("demo certification skipped: %s", exc.message)
    return made
