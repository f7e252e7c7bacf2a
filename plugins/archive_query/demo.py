"""A realistic synthetic archive for demonstrations and benchmarks.

Rows are generated as the CSV files would hold them (strings) and go through the same
validation and loaders as ``quanke archive import``. Generation is deterministic: the same
scale always gives the same rows, so a second ``quanke demo-data`` adds nothing.

People recur: every record draws its persons from one pool (index ``k`` → always the same
resident ID, name, sex and birth date), so one person may have a marriage record, a
family-planning record and an employment record, as real archives do. IDs use real Nanjing
district codes and valid check digits; dates follow life (married at 20–35, enlisted at
18–22, appointed at 25–55), never after today.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from typing import Iterator

from sqlalchemy import select

from core.api import DEMO_CITIZENS as CITIZENS
from core.api import today, valid_resident_id

from plugins.archive_query.domain.categories import CATEGORIES
from plugins.archive_query.models import ImportRun

SCALES = {"demo": 600, "district": 60_000}  # records per category
REGIONS = [("320102", "玄武区"), ("320104", "秦淮区"), ("320105", "建邺区"), ("320106", "鼓楼区"),
           ("320111", "浦口区"), ("320113", "栖霞区"), ("320114", "雨花台区"), ("320115", "江宁区")]
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
            "于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛")
GIVEN = ("建国华明丽芳军伟秀英敏静强磊洋艳勇杰娟涛超霞平刚桂兰玉梅志红文斌燕凤辉海波"
         "宁云飞鹏鑫晓春雪婷琳晨宇浩然子轩欣怡佳慧德胜金荣永庆国庆卫东学军新民淑珍")
FONDS = {"family_planning": "J031", "marriage": "J012", "employment": "J045",
         "appointment": "J001", "veteran": "J067"}
EPOCH = dt.date(1930, 1, 1)
SPAN_DAYS = 25_567  # 1930-01-01 … 1999-12-31; 71 is coprime with it (a bijection below)


def _h(*parts) -> int:
    return int.from_bytes(hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest(), "big")


INV71 = pow(71, -1, SPAN_DAYS)


class Person:
    """Person ``k``: region ``k % 8``; birth day and sequence from ``k // 8`` (a bijection, so
    no two people ever share a resident ID); sex and name from a hash of ``k``."""

    __slots__ = ("k", "id_number", "name", "male", "birth", "day")

    def __init__(self, k: int):
        self.k = k
        region = REGIONS[k % len(REGIONS)][0]
        m = k // len(REGIONS)
        h = _h("person", k)
        self.male = bool(h & 1)
        self.day = m * 71 % SPAN_DAYS
        self.birth = EPOCH + dt.timedelta(days=self.day)
        seq = (m // SPAN_DAYS % 500) * 2 + (1 if self.male else 0)
        self.id_number = valid_resident_id(f"{region}{self.birth:%Y%m%d}{seq:03d}")
        surname = SURNAMES[(h >> 8) % len(SURNAMES)]
        given = GIVEN[(h >> 16) % len(GIVEN)]
        if (h >> 24) % 3:
            given += GIVEN[(h >> 32) % len(GIVEN)]
        self.name = surname + given


def _partner(person: Person, h: int, male: bool) -> Person:
    """Someone of the given sex born within about four years of ``person``."""
    day = (person.day + h % 2921 - 1460) % SPAN_DAYS
    m = day * INV71 % SPAN_DAYS + SPAN_DAYS * (1 + (h >> 12) % 50)
    k = m * len(REGIONS) + (h >> 20) % len(REGIONS)
    while True:
        partner = Person(k)
        if partner.male == male and partner.id_number != person.id_number:
            return partner
        k += len(REGIONS) * SPAN_DAYS  # same birthday, next sequence number


def _date(person: Person, h: int, lo: int, hi: int) -> dt.date | None:
    """A day when the person was between ``lo`` and ``hi`` years old, not after today."""
    start = person.birth + dt.timedelta(days=365 * lo)
    day = start + dt.timedelta(days=h % (365 * (hi - lo) + 1))
    return day if day <= today() else None


def _row(code: str, i: int, pool: int) -> dict[str, str] | None:
    h = _h(code, i)
    person = Person(h % pool)
    common = {"fonds_no": FONDS[code], "file_no": f"{i // 20 + 1:06d}", "item_no": f"{i % 20 + 1:02d}"}
    region = REGIONS[h % len(REGIONS)][1]
    if code == "marriage":
        male = person if person.male else _partner(person, h >> 3, True)
        female = _partner(male, h >> 9, False)
        day = _date(male, h >> 7, 22, 35)
        if day is None or day < female.birth + dt.timedelta(days=365 * 20 + 5):
            return None
        kind = ("结婚登记", "结婚登记", "结婚登记", "离婚登记", "补发结婚证")[(h >> 11) % 5]
        return {**common, "record_date": day.isoformat(), "issuing_body": f"{region}民政局婚姻登记处",
                "male_id_number": male.id_number, "male_name": male.name,
                "female_id_number": female.id_number, "female_name": female.name,
                "registration_type": kind, "certificate_no": f"宁{region[0]}{'结' if '结' in kind else '离'}字第{h % 90000 + 10000}号",
                "remarks": ""}
    if code == "family_planning":
        day = _date(person, h >> 7, 22, 40)
        if day is None:
            return None
        spouse = _partner(person, h >> 9, not person.male) if (h >> 3) % 4 else None
        kind = ("独生子女父母光荣证", "生育服务证", "节育手术证明", "计划生育奖励审批表")[(h >> 11) % 4]
        return {**common, "record_date": day.isoformat(), "issuing_body": f"{region}计划生育委员会",
                "holder_id_number": person.id_number, "holder_name": person.name,
                "spouse_id_number": spouse.id_number if spouse and spouse.birth <= day else "",
                "spouse_name": spouse.name if spouse and spouse.birth <= day else "",
                "document_type": kind, "certificate_no": f"{day.year}-{h % 100000:05d}",
                "children": str(1 if kind == "独生子女父母光荣证" else (h >> 13) % 3), "remarks": ""}
    if code == "employment":
        day = _date(person, h >> 7, 16, 30)
        if day is None:
            return None
        employers = ("南京无线电厂", "南京熊猫电子集团", "玄武区第二百货商店", "南京长江机器制造厂",
                     "南京市自来水公司", "南京钟表厂", "南京化纤厂", "南京市公交公司")
        forms = ("全民所有制固定工", "全民合同制工", "集体所有制职工", "农民合同制工", "临时工")
        return {**common, "record_date": day.isoformat(), "issuing_body": f"{region}劳动局",
                "person_id_number": person.id_number, "person_name": person.name,
                "employer": employers[(h >> 11) % len(employers)],
                "employment_form": forms[(h >> 14) % len(forms)],
                "position": ("车工", "钳工", "电工", "营业员", "驾驶员", "会计", "检验员")[(h >> 17) % 7],
                "approval_no": f"劳招字{day.year}第{h % 9000 + 1000}号", "remarks": ""}
    if code == "appointment":
        day = _date(person, h >> 7, 25, 55)
        if day is None:
            return None
        action = ("任命", "任命", "免职", "聘任", "解聘")[(h >> 11) % 5]
        return {**common, "record_date": day.isoformat(), "issuing_body": "中共南京市玄武区委组织部",
                "person_id_number": person.id_number, "person_name": person.name, "action": action,
                "position": ("科长", "副科长", "主任", "副主任", "站长", "校长")[(h >> 14) % 6],
                "unit": f"{region}{('民政局', '教育局', '卫生局', '城建局', '财政局')[(h >> 17) % 5]}",
                "document_no": f"玄组干〔{day.year}〕{h % 90 + 10}号", "remarks": ""}
    # veteran
    enlist = _date(person, h >> 7, 18, 22)
    if enlist is None:
        return None
    discharge = enlist + dt.timedelta(days=365 * (2 + (h >> 11) % 4) + (h >> 5) % 60)
    if discharge > today():
        return None
    return {**common, "record_date": discharge.isoformat(), "issuing_body": f"{region}人民武装部",
            "person_id_number": person.id_number, "person_name": person.name,
            "enlist_date": enlist.isoformat(), "discharge_date": discharge.isoformat(),
            "discharge_type": ("退伍", "复员", "转业")[(h >> 14) % 3],
            "military_unit": f"{(h >> 17) % 90000 + 10000}部队",
            "resettlement": ("安置到企业工作", "自主就业", "安置到机关事业单位", "")[(h >> 19) % 4],
            "remarks": ""}


def generate(code: str, count: int, *, pool: int | None = None) -> Iterator[tuple[int, dict]]:
    """``count`` rows of one category as ``(row number, values)``; rows whose dates would
    fall in the future are skipped, so slightly fewer may come out."""
    pool = pool or max(count * 4, 1000)
    for i in range(count):
        row = _row(code, i, pool)
        if row is not None:
            yield i + 2, row  # line 1 would be the header


def citizen_rows() -> dict[str, list[dict]]:
    """Records about the demo citizens (张三 and 李四 are married), so the portal has something."""
    (_, zhang, zhang_id), (_, li, li_id), (_, wang, wang_id) = CITIZENS
    ref = {"file_no": "900001"}
    return {
        "marriage": [{**ref, "fonds_no": "J012", "item_no": "01", "record_date": "2014-05-20",
                      "issuing_body": "玄武区民政局婚姻登记处", "male_id_number": zhang_id,
                      "male_name": zhang, "female_id_number": li_id, "female_name": li,
                      "registration_type": "结婚登记", "certificate_no": "宁玄结字第20140520号",
                      "remarks": "演示数据"}],
        "employment": [{**ref, "fonds_no": "J045", "item_no": "01", "record_date": "2012-07-01",
                        "issuing_body": "玄武区劳动局", "person_id_number": zhang_id,
                        "person_name": zhang, "employer": "南京熊猫电子集团",
                        "employment_form": "全民合同制工", "position": "检验员",
                        "approval_no": "劳招字2012第1024号", "remarks": "演示数据"}],
        "veteran": [{**ref, "fonds_no": "J067", "item_no": "01", "record_date": "2018-09-01",
                     "issuing_body": "玄武区人民武装部", "person_id_number": wang_id,
                     "person_name": wang, "enlist_date": "2014-09-10", "discharge_date": "2018-09-01",
                     "discharge_type": "退伍", "military_unit": "32101部队",
                     "resettlement": "自主就业", "remarks": "演示数据"}],
    }


def load(quanke, scale: str) -> int:
    """Import the demo archive for ``scale``; returns records inserted (0 on a second run)."""
    from tqdm import tqdm

    from plugins.archive_query.domain.importer import import_rows
    per_category = SCALES.get(scale, SCALES["demo"])
    source = f"演示档案（{scale}）"
    with quanke.db.session() as session:
        done = set(session.scalars(select(ImportRun.category).where(
            ImportRun.source == source, ImportRun.status == "done")))
    created = 0
    extra = citizen_rows()
    todo = [c for c in CATEGORIES.values() if c.code not in done]
    with tqdm(total=per_category * len(todo), unit="条", desc="演示档案", disable=None) as bar:
        for cat in todo:
            bar.set_description(f"演示档案·{cat.label}")
            rows = list(enumerate(extra.get(cat.code, []), start=per_category + 2))
            report = import_rows(quanke, cat, itertools.chain(generate(cat.code, per_category), rows),
                                 source=source, actor="demo", progress=bar.update)
            created += report.inserted
    return created
