"""Checks of the four services (资格/信用核查). Pure reads; results are stored as evidence.

The core runs them at acceptance and again at decision. Dishonest operators are found by
the core's ready-made :data:`core.credit.DISHONEST_APPLICANT` (serious blocks, general warns
and the worker records why accepting); family members are checked here the same way.

By subject: :mod:`.people` (operator, family), :mod:`.naming` (name conflicts),
:mod:`.premises` (premises proof or commitment, 告知承诺 closed after a broken one) and
:mod:`.register` (amounts, scopes, the registered business and its permits).
"""
from __future__ import annotations

from core.api import Check
from plugins.business_license.checks.naming import _change_name_conflict, _name_conflict
from plugins.business_license.checks.people import (
    _family_credit,
    _family_proof,
    _operator_capacity,
    _operator_is_applicant,
)
from plugins.business_license.checks.premises import (  # noqa: F401 - COMMITMENT_LOOKBACK is public
    COMMITMENT_LOOKBACK,
    _change_premises,
    _permit_commitment,
    _registration_premises,
)
from plugins.business_license.checks.register import (
    _business_owned,
    _change_scopes,
    _deregistration_permits,
    _permit_business,
    _permit_scopes,
    _plausible,
)

OPERATOR_IS_APPLICANT = Check("business_license.operator", "经营者身份核查", _operator_is_applicant)
OPERATOR_CAPACITY = Check("business_license.capacity", "经营者民事行为能力", _operator_capacity,
                          "年满18周岁；16、17周岁以自己的劳动收入为主要生活来源、提交了劳动收入证明的（民法典第十八条）")
FAMILY_CREDIT = Check("business_license.family_credit", "家庭成员失信核查", _family_credit,
                      "参加经营的家庭成员在失信名单上：严重失信阻止受理，一般失信提示")
FAMILY_PROOF = Check("business_license.family_proof", "家庭成员关系证明", _family_proof)
NAME_CONFLICT = Check("business_license.name_conflict", "名称冲突核查", _name_conflict,
                      "与本区已登记名称相同或字号、行业相同的近似名称，及他人在先申请的名称")
CHANGE_NAME_CONFLICT = Check("business_license.name_conflict", "名称冲突核查", _change_name_conflict)
PREMISES = Check("business_license.premises", "经营场所与住所承诺核查", _registration_premises,
                 "近三年有违反承诺记录的，不得以承诺书代替场所证明")
CHANGE_PREMISES = Check("business_license.premises", "经营场所与住所承诺核查", _change_premises)
PLAUSIBILITY = Check("business_license.plausibility", "资金与人数合理性", _plausible)
PERMIT_SCOPES = Check("business_license.permit_scopes", "许可项目提示", _permit_scopes)
CHANGE_SCOPES = Check("business_license.permit_scopes", "许可项目提示", _change_scopes)
BUSINESS_OWNED = Check("business_license.business", "登记主体核查", _business_owned)
DEREGISTRATION_PERMITS = Check("business_license.permits", "名下许可证核查", _deregistration_permits)
PERMIT_COMMITMENT = Check("business_license.commitment", "告知承诺适用核查", _permit_commitment,
                          "近三年有违反告知承诺记录的，不得适用告知承诺制")
PERMIT_BUSINESS = Check("business_license.permit_business", "许可主体核查", _permit_business)
