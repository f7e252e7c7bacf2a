"""English names of the error codes about people (core.people): applicants, citizens' real-name
linking and login codes, staff users, roles and passwords."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

NAMES = {
    "already_linked": _l("已完成实名登记"),
    "applicant_not_present": _l("只能为窗口前的申请人修改草稿：请先核验申请人的身份证件，或请申请人在网上授权本中心协助"),
    "consent_hours_invalid": _l("授权时长须为 1 至 72 小时"),
    "centre_not_found": _l("服务中心不存在"),
    "identity_mismatch": _l("证件号码与申请人不一致，请核对申请人出示的证件"),
    "reveal_rate_limited": _l("一小时内查看完整个人信息次数已达上限，请稍后再试；如确因工作需要，请联系中心管理员"),
    "applicant_taken": _l("该身份证号码已绑定其他手机号，请到窗口办理变更"),
    "department_required": _l("角色…须指定部门，如…:market_regulation"),
    "invalid_name": _l("姓名不能为空且不超过64个字符"),
    "invalid_sms_code": _l("请输入6位数字验证码"),
    "invalid_username": _l("用户名不能为空且不超过64个字符"),
    "name_mismatch": _l("姓名与登记信息不一致，请核对"),
    "name_required": _l("请填写申请人姓名或名称"),
    "name_too_long": _l("姓名或名称过长"),
    "phone_mismatch": _l("该身份证号码登记的手机号与本账户不一致，请到窗口核验身份"),
    "roles_required": _l("请至少选择一个角色"),
    "self_lockout": _l("不能停用自己或去掉自己的系统管理员角色"),
    "sms_code_expired": _l("验证码已失效，请重新获取"),
    "sms_code_locked": _l("验证码错误次数过多，请重新获取"),
    "sms_code_wrong": _l("验证码不正确"),
    "sms_too_soon": _l("验证码已发送，请稍后再试"),
    "token_not_found": _l("令牌不存在"),
    "unexpected_department": _l("角色…不属于某个部门"),
    "unknown_department": _l("部门…不存在"),
    "unknown_role": _l("未知角色：…"),
    "username_taken": _l("用户名…已存在"),
    "weak_password": _l("密码不符合要求：至少10位，包含至少两类字符（字母、数字、符号），不能是用户名、手机号或常见密码"),
    "wrong_password": _l("原密码不正确"),
}
