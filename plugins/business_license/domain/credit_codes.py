"""Where unified social credit codes come from: the ``credit_code_provider`` hook.

Codes are assigned by the national code system (GB 32100-2015), so the real provider is an
adapter plugin for that system. This plugin's own generator (:mod:`.codes`: a region's
sequence, the GB 11714 and GB 32100 check characters) is the **demo/offline** provider: it
answers the hook ``trylast`` — any adapter wins — and says of itself ``demo = True``, which the
register pages, the licence and ``quanke plugins --check`` (in production) make visible.

A code may still collide with one in the register (an imported register, a sequence reset by
a restore, an adapter's mistake): the register's unique constraint on ``credit_code`` refuses
the second one and :func:`record_with_code` asks the provider for another, inside a savepoint
so the rest of the transaction stands.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.api import InvalidInput, InvalidState, validate_credit_code
from plugins.business_license.domain import codes, law
from plugins.business_license.models import RegisteredBusiness

log = logging.getLogger(__name__)

AUTHORITY = "9"      # 登记管理部门代码: 市场监督管理（工商）
ENTITY_TYPE = "2"    # 机构类别代码: 个体工商户
MAX_ATTEMPTS = 5


class LocalDemoCodes:
    """The plugin's generator: well-formed codes from a local sequence, not assigned ones."""

    name = "本地演示赋码（离线）"
    demo = True

    def assign(self, *, session: Session, authority: str, entity_type: str, division: str,
               subject: dict) -> str:
        if (authority, entity_type) != (AUTHORITY, ENTITY_TYPE):
            raise InvalidInput("本地演示赋码只能为个体工商户（92）生成代码", code="credit_code_kind")
        return codes.assign_credit_code(session, division)


LOCAL_DEMO = LocalDemoCodes()


def provider(quanke) -> Any:
    """The provider an adapter plugin gives, else this plugin's demo generator."""
    return quanke.hook.credit_code_provider(quanke=quanke) or LOCAL_DEMO


def is_demo(found: Any) -> bool:
    return bool(getattr(found, "demo", False))


def provider_name(found: Any) -> str:
    return str(getattr(found, "name", "") or type(found).__name__)


def demo_warning(found: Any) -> str:
    """What staff are told while codes come from the demo generator (empty otherwise)."""
    if not is_demo(found):
        return ""
    return (f"统一社会信用代码目前由“{provider_name(found)}”生成，不是全国统一社会信用代码赋码系统赋予的"
            f"（{law.CREDIT_CODE_STANDARD}）；仅供演示或离线使用，正式运行须安装赋码系统的适配插件")


def record_with_code(session: Session, quanke, make: Callable[[str], RegisteredBusiness], *,
                     division: str, subject: dict) -> RegisteredBusiness:
    """Ask the provider for a code, insert ``make(code)``; on a code already in the register,
    roll back to the savepoint and ask for another (at most :data:`MAX_ATTEMPTS` times)."""
    found = provider(quanke)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        raw = found.assign(session=session, authority=AUTHORITY, entity_type=ENTITY_TYPE,
                           division=division, subject=subject)
        code = validate_credit_code(raw)  # a provider's malformed code is never stored
        business = make(code)
        business.credit_code_source = provider_name(found)[:32]
        business.credit_code_demo = is_demo(found)
        try:
            with session.begin_nested():
                session.add(business)
                session.flush()
            return business
        except IntegrityError:
            taken = session.scalar(select(RegisteredBusiness.id).where(RegisteredBusiness.credit_code == code))
            if taken is None:
                raise  # another constraint (the name, the application): not the code's to retry
            log.warning("credit code %s from %s is already registered (attempt %s); asking again",
                        code, provider_name(found), attempt)
    raise InvalidState(f"赋码服务“{provider_name(found)}”连续{MAX_ATTEMPTS}次给出名录中已有的统一社会信用代码，"
                       "请检查赋码服务", code="credit_code_collision")
