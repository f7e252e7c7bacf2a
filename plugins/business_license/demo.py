"""Demo register: thousands of plausible individual businesses (``quanke demo-data``).

Names are generated as real ones are made — 字号 (two characters from those shop names use,
or a surname + 记) + 行业 + 组织形式 fitting the trade — with addresses on the district's
streets, operators with valid resident IDs, credit codes from the same sequence real
approvals use. Deterministic (fixed seed): a second run finds every name and adds nothing.
The demo citizens each operate one business, so change, deregistration and the food permit
can be tried with them.
"""
from __future__ import annotations

import datetime as dt
import random
from typing import Iterator

from sqlalchemy import func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from tqdm import tqdm

from core.api import DEMO_CITIZENS as CITIZENS
from core.api import record_audit, valid_resident_id
from plugins.business_license.domain import catalog, codes, names
from plugins.business_license.models import (
    ACTIVE,
    DEREGISTERED,
    RegisteredBusiness,
    Sequence,
)

SIZES = {"demo": 3_000, "district": 75_000}
SEED = 20261123

TRADE_CHARS = ("福禄寿喜盛兴隆顺昌达鑫源恒泰和祥瑞丰华美佳乐悦来聚宝金玉春秋明德信诚康安宏旺鸿新"
               "益广嘉同仁义智恩惠泽润锦绣腾飞天地云海江河山水松竹梅兰菊荷桃李杏橙品味香甜鲜")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦傅方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉鹏飞宇浩然婷雪琳晨阳博凯欣怡佳琪子轩梓涵思远志强海燕春梅秋菊"

#: industry word → (name forms that suit it, scopes it carries)
INDUSTRIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "便利": (("店",), ("general_retail", "food_sales", "tobacco")),
    "百货": (("店", "商行", "经营部"), ("general_retail",)),
    "水果": (("店", "行", "铺"), ("fruit",)),
    "面食": (("馆", "店"), ("catering",)),
    "小吃": (("店", "铺"), ("catering",)),
    "餐饮": (("店", "馆"), ("catering",)),
    "快餐": (("店",), ("catering",)),
    "早点": (("铺", "店"), ("catering",)),
    "烧烤": (("店",), ("catering",)),
    "茶饮": (("店", "坊"), ("catering",)),
    "糕点": (("坊", "店"), ("catering", "food_sales")),
    "理发": (("店", "馆", "工作室"), ("hairdressing",)),
    "美容": (("店", "工作室", "中心"), ("beauty",)),
    "服装": (("店", "商行"), ("general_retail", "tailoring")),
    "五金": (("店", "商行", "经营部"), ("general_retail",)),
    "家电维修": (("部", "中心", "店"), ("appliance_repair",)),
    "自行车修理": (("铺", "部"), ("bicycle_repair",)),
    "文具": (("店",), ("stationery",)),
    "洗衣": (("店", "坊"), ("laundry",)),
    "摄影": (("工作室", "馆"), ("photography",)),
    "家政服务": (("部", "中心"), ("housekeeping",)),
    "烟酒": (("店", "商行"), ("tobacco", "food_sales")),
    "副食品": (("店", "商行", "门市部"), ("food_sales",)),
}

#: street → roads on it (addresses in the demo district)
ROADS: dict[str, tuple[str, ...]] = {
    "xinjiekou": ("中山路", "洪武北路", "长江路", "丹凤街", "估衣廊", "碑亭巷"),
    "meiyuan": ("长江东街", "汉府街", "梅园新村", "大行宫", "竺桥", "太平北路"),
    "xuanwumen": ("北京东路", "进香河路", "珠江路", "鸡鸣寺路", "成贤街"),
    "suojincun": ("龙蟠路", "锁金村路", "板仓街", "蒋王庙街", "樱铁村"),
    "hongshan": ("和燕路", "红山路", "黑龙江路", "小市街", "迈皋桥路"),
    "xiaolingwei": ("孝陵卫街", "中山门大街", "钟灵街", "卫岗", "马群街"),
    "xuanwuhu": ("玄武巷", "台城路", "樱洲路", "环湖路", "北京东路"),
}
REGIONS = ("320102", "320104", "320105", "320106", "320111", "320113", "320114", "320115",
           "320116", "320117", "320118", "321281", "340104", "342501")


def _person(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    birth = dt.date(1955, 1, 1) + dt.timedelta(days=rng.randrange(48 * 365))
    prefix = f"{rng.choice(REGIONS)}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return name, valid_resident_id(prefix)


def generate(count: int, seed: int = SEED) -> Iterator[dict]:
    """``count`` distinct businesses as register rows (without credit codes)."""
    rng = random.Random(seed)
    # Residences from a stream of their own, so the names and codes stay what they were.
    homes = random.Random(seed + 1)
    seen: set[str] = set()
    industries = list(INDUSTRIES)
    streets = list(ROADS)
    today = dt.date(2026, 11, 1)
    citizens = list(CITIZENS)
    while len(seen) < count:
        if rng.random() < 0.2:
            trade = rng.choice(SURNAMES) + rng.choice("记氏")
        else:
            trade = rng.choice(TRADE_CHARS) + rng.choice(TRADE_CHARS)
        if trade[0] == trade[1] or names.forbidden_message(trade):
            continue
        industry = rng.choice(industries)
        forms, scopes = INDUSTRIES[industry]
        form = rng.choice(forms)
        key = names.compose(trade, industry, form)
        if key in seen or names.forbidden_message(key):
            continue
        seen.add(key)
        if citizens:  # the demo citizens operate the first businesses
            _phone, operator, id_number = citizens.pop(0)
        else:
            operator, id_number = _person(rng)
        street = rng.choice(streets)
        address = f"{rng.choice(ROADS[street])}{rng.randrange(1, 400)}号"
        if rng.random() < 0.5:
            address += rng.choice(("一层", "一层商铺", f"{rng.randrange(1, 30)}幢{rng.randrange(101, 120)}室"))
        family = rng.random() < 0.15
        registered = today - dt.timedelta(days=rng.randrange(10 * 365))
        deregistered = rng.random() < 0.04 and len(seen) > len(CITIZENS)
        yield {
            "name": names.full_name(catalog.DEFAULT_DISTRICT_NAME, key), "name_key": key,
            "trade_name": trade, "industry": industry, "name_form": form,
            "operator_id_number": id_number, "operator_id_number_index": id_number, "operator_name": operator,
            "organisation_form": "family" if family else "individual",
            "family_members": [{"name": _person(rng)[0], "id_number": _person(rng)[1], "relation": "配偶"}]
            if family else [],
            "operator_residence": f"江苏省南京市玄武区{homes.choice(ROADS[homes.choice(streets)])}"
                                  f"{homes.randrange(1, 300)}号{homes.randrange(1, 20)}幢{homes.randrange(101, 1802)}室",
            "street": street, "address": address, "scopes": list(scopes),
            "capital": rng.choice((10_000, 20_000, 30_000, 50_000, 80_000, 100_000, 200_000, 500_000)),
            "employees": rng.choice((0, 0, 1, 1, 2, 2, 3, 4, 5, 8)),
            "phone": f"1{rng.choice('3578')}{rng.randrange(10 ** 9):09d}",
            "status": DEREGISTERED if deregistered else ACTIVE,
            "registered_on": registered,
            "deregistered_on": registered + dt.timedelta(days=rng.randrange(1, 700)) if deregistered else None,
            "source": "demo",
            # codes from the local sequence: demo ones, and said so wherever they are shown
            "credit_code_source": "本地演示赋码（离线）", "credit_code_demo": True,
        }


def _reserve(session, name: str, count: int) -> int:
    """Reserve ``count`` serials at once; returns the first."""
    dialect = session.get_bind().dialect.name
    ins = postgresql.insert if dialect == "postgresql" else sqlite.insert
    last = session.execute(ins(Sequence).values(name=name, last=count)
                           .on_conflict_do_update(index_elements=["name"],
                                                  set_={"last": Sequence.last + count})
                           .returning(Sequence.last)).scalar_one()
    return last - count + 1


def load(quanke, *, scale: str = "demo", count: int | None = None, progress: bool = True,
         batch: int = 2_000) -> int:
    """Add the demo businesses that are not there yet; returns how many were added."""
    count = count or SIZES.get(scale, SIZES["demo"])
    division = catalog.division_code(quanke)
    district = catalog.district_name(quanke)
    with quanke.db.session() as session:
        have = session.scalar(select(func.count()).where(RegisteredBusiness.source == "demo"))
    if have >= count:
        return 0
    with quanke.db.session() as session:
        existing = set(session.scalars(select(RegisteredBusiness.name_key)))
    rows = [r for r in generate(count) if r["name_key"] not in existing]
    added = 0
    with tqdm(total=len(rows), desc="个体工商户名录", unit="户", disable=not progress) as bar:
        for start in range(0, len(rows), batch):
            chunk = rows[start:start + batch]
            with quanke.db.session() as session:
                first = _reserve(session, f"uscc:{division}", len(chunk))
                for offset, row in enumerate(chunk):
                    row["credit_code"] = codes.credit_code_for(division, first + offset)
                    row["name"] = names.full_name(district, row["name_key"])
                session.execute(insert(RegisteredBusiness), chunk)
                added += len(chunk)
                record_audit(session, actor="demo", action="bl_demo_register_loaded",
                             object_type="bl_business", object_id=f"batch-{start // batch}",
                             data={"added": len(chunk), "scale": scale})
            bar.update(len(chunk))
    return added
