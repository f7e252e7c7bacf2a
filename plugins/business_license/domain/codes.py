"""Numbers the plugin assigns: unified social credit codes and food permit numbers.

Unified social credit code (统一社会信用代码, GB 32100-2015), 18 characters:

    9 2 320102 MA1B2C3D4 K
    │ │ │      │         └ check character (stdnum.cn.uscc.calc_check_digit)
    │ │ │      └ organisation code: 8 characters + its own GB 11714 check character
    │ │ └ administrative division code of the registering region
    │ └ entity type 2 = 个体工商户
    └ registering authority 9 = 市场监督管理（工商）

The 8-character body is "MA" (codes assigned by the unified code system start so) and a
6-character serial in base 31 over the code alphabet. Serials come from :class:`Sequence`,
bumped with one atomic upsert, so two approvals at once never get the same code.

Food permit number (食品经营许可证编号): "JY" + 主体业态 digit (1 = 食品销售, 2 = 餐饮服务)
+ 6-digit division code + 6-digit serial + 1 check digit (ISO 7064 MOD 11-10 over the digits).
"""
from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from stdnum.cn import uscc
from stdnum.iso7064 import mod_11_10

from plugins.business_license.models import Sequence

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def next_value(session: Session, name: str, *, start: int = 0) -> int:
    """Bump the named counter and return its new value, atomically on both databases."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (insert(Sequence).values(name=name, last=start + 1)
            .on_conflict_do_update(index_elements=["name"], set_={"last": Sequence.last + 1})
            .returning(Sequence.last))
    return session.execute(stmt).scalar_one()


def _base31(value: int, width: int) -> str:
    if not 0 <= value < 31 ** width:
        raise ValueError("serial out of range")
    out = []
    for _ in range(width):
        value, digit = divmod(value, 31)
        out.append(USCC_ALPHABET[digit])
    return "".join(reversed(out))


def organisation_check(body8: str) -> str:
    """GB 11714 check character of an 8-character organisation code body."""
    total = sum(int(c, 36) * w for c, w in zip(body8, _GB11714_WEIGHTS))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def credit_code_for(division: str, serial: int) -> str:
    """The credit code of an individual business from its region and serial number."""
    if len(division) != 6 or not division.isdigit():
        raise ValueError(f"administrative division code {division!r} must be 6 digits")
    body = "MA" + _base31(serial, 6)
    first17 = "92" + division + body + organisation_check(body)
    return first17 + uscc.calc_check_digit(first17)


def assign_credit_code(session: Session, division: str) -> str:
    serial = next_value(session, f"uscc:{division}")
    return credit_code_for(division, serial)


FOOD_CATEGORY_DIGIT = {"food_sales": "1", "catering": "2"}


def permit_no_for(category: str, division: str, serial: int) -> str:
    digits = FOOD_CATEGORY_DIGIT[category] + division + f"{serial:06d}"
    return "JY" + digits + mod_11_10.calc_check_digit(digits)


def assign_permit_no(session: Session, category: str, division: str) -> str:
    return permit_no_for(category, division, next_value(session, f"jy:{division}"))
