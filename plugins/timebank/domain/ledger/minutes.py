"""Minutes, the one unit of the ledger: formatting (``1小时30分``), validating whole positive
minutes, parsing what was typed on a form, and the 721 split of a deposit."""
from __future__ import annotations

from core.api import InvalidInput
from plugins.timebank.domain.settings import Settings


def fmt_minutes(minutes: int) -> str:
    """``90`` → ``1小时30分``; ``45`` → ``45分钟``; negative values keep their sign."""
    sign = "-" if minutes < 0 else ""
    h, m = divmod(abs(int(minutes)), 60)
    if not h:
        return f"{sign}{m}分钟"
    return f"{sign}{h}小时{m}分" if m else f"{sign}{h}小时"


def require_minutes(value, *, field: str = "minutes", what: str = "时长", allow_zero: bool = False) -> int:
    """A positive whole number of minutes, or a clear error (never rounded silently)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{what}必须是整数分钟（不接受小数或秒）", code="minutes_not_integer", field=field)
    if value < 0 or (value == 0 and not allow_zero):
        raise InvalidInput(f"{what}必须大于零", code="minutes_not_positive", field=field)
    return value


def parse_minutes(raw, *, field: str = "minutes", what: str = "时长") -> int:
    """Minutes typed on a form: ``90``, ``1:30`` or ``1:30:00``. Seconds other than :00,
    fractions and negative values are refused with a message saying why."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if isinstance(raw, float):
            if not raw.is_integer():
                raise InvalidInput(f"{what}必须是整分钟，不能有小数", code="minutes_not_integer", field=field)
            raw = int(raw)
        return require_minutes(raw, field=field, what=what)
    value = str(raw or "").strip()
    if not value.isascii():
        raise InvalidInput(f"{what}只能用数字0-9填写", code="minutes_invalid", field=field)
    if not value:
        raise InvalidInput(f"请填写{what}（分钟）", code="minutes_required", field=field)
    if value.startswith("-"):
        raise InvalidInput(f"{what}不能为负数", code="minutes_not_positive", field=field)
    if ":" in value or "：" in value:
        parts = value.replace("：", ":").split(":")
        if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
            raise InvalidInput(f"{what}格式应为“分钟”或“时:分”", code="minutes_invalid", field=field)
        if len(parts) == 3 and int(parts[2]) != 0:
            raise InvalidInput(f"{what}必须是整分钟，不能含秒", code="minutes_not_integer", field=field)
        if int(parts[1]) >= 60:
            raise InvalidInput(f"{what}的分钟部分应小于60", code="minutes_invalid", field=field)
        return require_minutes(int(parts[0]) * 60 + int(parts[1]), field=field, what=what)
    if not value.isdigit():
        if value.replace(".", "", 1).isdigit():
            raise InvalidInput(f"{what}必须是整分钟，不能有小数", code="minutes_not_integer", field=field)
        raise InvalidInput(f"{what}必须是整数分钟", code="minutes_invalid", field=field)
    return require_minutes(int(value), field=field, what=what)


# --------------------------------------------------------------------------- 721 split


def split_721(minutes: int, rules: Settings) -> dict[str, int]:
    """Service / goods / cash parts of a deposit. Goods and cash are rounded down, the
    service bucket takes the remainder, so the parts always add up to the deposit."""
    _, goods_pct, cash_pct = rules.split
    goods = minutes * goods_pct // 100
    cash = minutes * cash_pct // 100
    return {"service": minutes - goods - cash, "goods": goods, "cash": cash}

