"""Who may do what in legal aid (the core checks its own transitions; these are ours).

* the legal-aid centre (法律援助中心, department ``justice``): approvers decide, give urgent aid,
  assign and reassign lawyers, terminate aid and carry out a correction ordered on objection;
  its lead also keeps the lawyer roster;
* the justice bureau (司法行政部门, department ``justice_bureau``) decides objections (Art. 49);
* counter workers and the applicant may lodge an objection;
* auditors and system administrators may read the case list and statistics.
"""
from __future__ import annotations

from core.api import Citizen, Forbidden, Role, User

CENTRE = "justice"
BUREAU = "justice_bureau"
DEPARTMENTS = [(CENTRE, "区司法局法律援助中心"), (BUREAU, "区司法局")]


def staff(who) -> User | None:
    return who if isinstance(who, User) and who.active else None


def is_centre(who) -> bool:
    user = staff(who)
    return bool(user and (user.has_role(Role.APPROVER, CENTRE) or user.has_role(Role.DEPT_LEAD, CENTRE)))


def is_bureau(who) -> bool:
    user = staff(who)
    return bool(user and (user.has_role(Role.APPROVER, BUREAU) or user.has_role(Role.DEPT_LEAD, BUREAU)))


def may_read(who) -> bool:
    user = staff(who)
    return bool(user and (is_centre(user) or is_bureau(user) or user.has_role(Role.AUDITOR)
                          or user.has_role(Role.SYS_ADMIN)))


def may_keep_roster(who) -> bool:
    user = staff(who)
    return bool(user and (user.has_role(Role.DEPT_LEAD, CENTRE) or user.has_role(Role.SYS_ADMIN)))


def require_centre(who, what: str) -> User:
    if not is_centre(who):
        raise Forbidden(f"只有法律援助中心的审查人员可以{what}", code="forbidden_role")
    return who


def require_bureau(who, what: str) -> User:
    if not is_bureau(who):
        raise Forbidden(f"只有司法行政部门（区司法局）的工作人员可以{what}（《中华人民共和国法律援助法》第四十九条）",
                        code="forbidden_role")
    return who


def require_roster_keeper(who) -> User:
    if not may_keep_roster(who):
        raise Forbidden("只有法律援助中心负责人或系统管理员可以维护律师名册", code="forbidden_role")
    return who


def may_lodge_objection(who, app) -> bool:
    if isinstance(who, Citizen):
        return app.citizen_id == who.id
    user = staff(who)
    return bool(user and (user.has_role(Role.COUNTER) or is_centre(user) or is_bureau(user)))
