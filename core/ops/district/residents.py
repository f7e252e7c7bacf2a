"""The district's residents: applicants with valid, unique (fictitious) resident IDs, and the
portal accounts of some of them.
"""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tqdm import tqdm

from core.ops.district.bulk import BATCH, Size, _batched, _copy_rows
from core.platform.clock import now
from core.platform.models import Applicant, Citizen

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏建文辉力斌宇浩凯晨欣怡雪梅"
REGIONS = ["320102", "320104", "320105", "320106", "320111", "320113", "320114", "320115"]


def _person(i: int) -> tuple[str, str, str, dt.date, str, str]:
    """The i-th resident of the demo district (valid, unique resident ID; fictitious)."""
    from stdnum.cn import ric
    rng = random.Random(i)
    region = REGIONS[i % len(REGIONS)]
    serial = f"{i % 1000:03d}"
    # People sharing region and serial (i apart by 1000) get birth days 73 days apart at
    # least: ID numbers never repeat within 250,000 people (≈50 years of birth days).
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=(i // 1000) * 73 + rng.randrange(73))
    prefix = f"{region}{birth:%Y%m%d}{serial}"
    id_number = prefix + ric.calc_check_digit(prefix + "0")
    name = SURNAMES[rng.randrange(len(SURNAMES))] + "".join(
        GIVEN[rng.randrange(len(GIVEN))] for _ in range(rng.choice((1, 2))))
    gender = "男" if int(serial[-1]) % 2 else "女"
    return id_number, name, f"139{i:08d}", birth, gender, region


def _applicants(session: Session, size: Size, progress: bool) -> None:
    have = session.scalar(select(func.count()).select_from(Applicant).where(Applicant.phone.like("139%")))
    if have >= size.applicants:
        return
    columns = ["kind", "id_number", "name", "phone", "birth_date", "gender", "region_code", "created_at"]
    at = now()
    seen: set[str] = set(session.scalars(select(Applicant.id_number)))

    def rows():
        for i in range(size.applicants):
            id_number, name, phone, birth, gender, region = _person(i)
            if id_number in seen:
                continue
            seen.add(id_number)
            yield ("person", id_number, name, phone, birth, gender, region, at)
    with tqdm(total=size.applicants - have, desc="申请人", unit="人", disable=not progress) as bar:
        for batch in _batched(rows(), BATCH):
            _copy_rows(session, Applicant.__table__, columns, batch)
            bar.update(len(batch))


def _citizens(session: Session, size: Size) -> None:
    have = session.scalar(select(func.count()).select_from(Citizen).where(Citizen.phone.like("139%")))
    if have >= size.citizens:
        return
    existing = set(session.scalars(select(Citizen.phone).where(Citizen.phone.like("139%"))))
    rows = session.execute(select(Applicant.id, Applicant.phone, Applicant.name)
                           .where(Applicant.phone.like("139%")).order_by(Applicant.id)
                           .limit(size.citizens)).all()
    batch = [(phone, name, applicant_id, now()) for applicant_id, phone, name in rows
             if phone not in existing]
    for chunk in _batched(batch, BATCH):
        _copy_rows(session, Citizen.__table__, ["phone", "name", "applicant_id", "created_at"], chunk)
