"""The six service categories and about thirty kinds of service (服务内容).

The defaults below are the 姚坊门 list; a street adapts it without a code change: rows in
``tb_service_kinds`` rename or switch off a default kind, or add a new one
(:func:`set_kind`). :func:`kinds` merges both.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import InvalidInput, record_audit

from plugins.timebank.models import ServiceKind

CATEGORIES: tuple[tuple[str, str], ...] = (
    ("housekeeping", "家政服务类"), ("nursing", "护理类"), ("companionship", "关爱交流类"),
    ("errands", "外出代办类"), ("repairs", "维修类"), ("other", "其他类"),
)
CATEGORY_NAMES = dict(CATEGORIES)

DEFAULT_KINDS: tuple[tuple[str, str, str], ...] = (
    # code, category, name
    ("cleaning", "housekeeping", "打扫卫生"), ("cooking", "housekeeping", "做饭送餐"),
    ("laundry", "housekeeping", "洗衣整理"), ("haircut", "housekeeping", "上门理发"),
    ("window_cleaning", "housekeeping", "擦窗保洁"),
    ("bathing", "nursing", "助浴"), ("hospital_escort", "nursing", "陪同就医"),
    ("blood_pressure", "nursing", "测量血压"), ("rehab", "nursing", "康复协助"),
    ("medication", "nursing", "用药提醒"), ("respite", "nursing", "临时照护"),
    ("chat", "companionship", "聊天陪伴"), ("reading", "companionship", "读书读报"),
    ("counselling", "companionship", "心理疏导"), ("phone_call", "companionship", "电话问候"),
    ("tutoring", "companionship", "儿童辅导"),
    ("shopping", "errands", "代购物品"), ("bill_payment", "errands", "代缴费用"),
    ("pharmacy", "errands", "代取药品"), ("paperwork", "errands", "咨询代办"),
    ("outing", "errands", "陪同出行"),
    ("appliance", "repairs", "家电维修"), ("plumbing", "repairs", "水电维修"),
    ("furniture", "repairs", "家具维修"), ("digital_help", "repairs", "手机电脑使用指导"),
    ("small_fix", "repairs", "更换灯泡等小修"),
    ("legal_advice", "other", "法律咨询"), ("photo", "other", "摄影留念"),
    ("culture", "other", "文体活动"), ("misc", "other", "其他服务"),
)


@dataclass(frozen=True)
class Kind:
    code: str
    category: str
    name: str
    active: bool = True

    @property
    def category_name(self) -> str:
        return CATEGORY_NAMES.get(self.category, self.category)


def kinds(session: Session, *, include_inactive: bool = False) -> list[Kind]:
    merged = {code: Kind(code, cat, name) for code, cat, name in DEFAULT_KINDS}
    for row in session.scalars(select(ServiceKind)):
        merged[row.code] = Kind(row.code, row.category, row.name, row.active)
    out = [k for k in merged.values() if include_inactive or k.active]
    order = [c for c, _ in CATEGORIES]
    return sorted(out, key=lambda k: (order.index(k.category) if k.category in order else 99, k.code))


def kind(session: Session, code: str) -> Kind:
    for k in kinds(session):
        if k.code == code:
            return k
    raise InvalidInput(f"服务内容 {code!r} 不存在或已停用", code="unknown_service_kind", field="kind")


def set_kind(session: Session, *, actor: str, code: str, category: str, name: str,
             active: bool = True) -> Kind:
    """Add, rename or switch off a kind (audited)."""
    code = (code or "").strip()
    name = (name or "").strip()
    if not code.isascii() or not code.replace("_", "").isalnum() or not code[:1].isalpha() or len(code) > 32:
        raise InvalidInput("服务内容编码须为英文字母开头的字母、数字或下划线（最长32位）",
                           code="invalid_kind_code", field="code")
    if category not in CATEGORY_NAMES:
        raise InvalidInput("请选择六大类之一", code="unknown_category", field="category")
    if not 2 <= len(name) <= 40:
        raise InvalidInput("服务内容名称应为2至40个字", code="invalid_kind_name", field="name")
    row = session.get(ServiceKind, code)
    if row is None:
        row = ServiceKind(code=code)
        session.add(row)
    row.category, row.name, row.active = category, name, bool(active)
    session.flush()
    record_audit(session, actor=actor, action="timebank.kind_set", object_type="tb_service_kind",
                 object_id=code, data={"category": category, "name": name, "active": bool(active)})
    return Kind(code, category, name, bool(active))
