"""The district's residents: applicants with valid, unique (fictitious) resident IDs, and the
portal accounts of some of them.
"""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select
from sqlalchemy.orm import Session
from tqdm import tqdm

from core.ops.district.bulk import BATCH, Size, _batched, _copy_rows
from core.platform.clock import now
from core.platform.crypto import ring_of
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


def district_people(session: Session) -> list[tuple[int, str]]:
    """``(applicant id, phone)`` of the district's residents, in id order: their phones are
    ``139…`` (the demo's own people use ``138…``). Phones are encrypted, so this decrypts them
    (about 5 s for 250,000 people) instead of asking SQL for ``LIKE '139%'``."""
    rows = session.execute(select(Applicant.id, Applicant.phone).where(Applicant.kind == "person")
                           .order_by(Applicant.id)).all()
    return [(applicant_id, phone) for applicant_id, phone in rows if phone.startswith("139")]


def _applicants(session: Session, size: Size, progress: bool) -> None:
    have = len(district_people(session))
    if have >= size.applicants:
        return
    # The blind index goes in as the plain ID: _copy_rows binds every column through its type.
    columns = ["kind", "id_number", "id_number_index", "name", "phone", "birth_date", "gender",
               "region_code", "created_at"]
    at = now()
    ring = ring_of(session)
    seen: set[str] = set(session.scalars(select(Applicant.id_number_index)))

    def rows():
        for i in range(size.applicants):
            id_number, name, phone, birth, gender, region = _person(i)
            digest = ring.blind_index("id_number", id_number)
            if digest in seen:
                continue
            seen.add(digest)
            yield ("person", id_number, id_number, name, phone, birth, gender, region, at)
    with tqdm(total=size.applicants - have, desc="申请人", unit="人", disable=not progress) as bar:
        for batch in _batched(rows(), BATCH):
            _copy_rows(session, Applicant.__table__, columns, batch)
            bar.update(len(batch))


def _citizens(session: Session, size: Size) -> None:
    people = district_people(session)[:size.citizens]
    linked = set(session.scalars(select(Citizen.applicant_id).where(Citizen.applicant_id.isnot(None))))
    wanted = [(applicant_id, phone) for applicant_id, phone in people if applicant_id not in linked]
    if not wanted:
        return
    names = dict(session.execute(select(Applicant.id, Applicant.name)
                                 .where(Applicant.id.in_([a for a, _ in wanted]))).all())
    batch = [(phone, phone, names[applicant_id], applicant_id, now()) for applicant_id, phone in wanted]
    for chunk in _batched(batch, BATCH):
        _copy_rows(session, Citizen.__table__, ["phone", "phone_index", "name", "applicant_id", "created_at"],
                   chunk)
