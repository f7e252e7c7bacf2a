"""Administration of staff accounts and centre authorisations (系统管理), with audit.

Only a system administrator (系统管理员) changes accounts, roles and the services a centre
may accept; every change is an audit event naming who did it.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from core.platform import audit, identifiers
from core.platform.errors import Forbidden, InvalidInput, NotFound
from core.platform.models import Centre, CentreService, Role, RoleGrant, User
from core.people.passwords import check_password
from core.people.users import end_sessions, hash_password, parse_role, resolve_grants


def require_sys_admin(actor) -> User:
    if not isinstance(actor, User) or not actor.active or not actor.has_role(Role.SYS_ADMIN):
        raise Forbidden("只有系统管理员可以管理账号和授权", code="forbidden_role")
    return actor


def update_user(session: Session, actor, user_id: int, *, name: str, centre_code: str | None,
                roles: list[str], active: bool, phone: str = "") -> User:
    admin = require_sys_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("用户不存在", code="user_not_found")
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise InvalidInput("姓名不能为空且不超过64个字符", code="invalid_name", field="name")
    parsed = [parse_role(r) for r in roles if r.strip()]
    if not parsed:
        raise InvalidInput("请至少选择一个角色", code="roles_required", field="roles")
    centre = resolve_grants(session, parsed, centre_code)
    if user.id == admin.id and (not active or Role.SYS_ADMIN not in {r for r, _ in parsed}):
        raise Forbidden("不能停用自己或去掉自己的系统管理员角色", code="self_lockout")
    before = {"name": user.name, "centre_id": user.centre_id, "active": user.active,
              "roles": sorted(f"{g.role}:{g.department_code}" if g.department_code else g.role
                              for g in user.grants)}
    user.name, user.active, user.centre_id = name, bool(active), centre.id if centre else None
    if phone is not None:
        user.phone = identifiers.normalise_phone(phone) if phone.strip() else ""
    wanted = {(r.value, d) for r, d in parsed}
    user.grants = [g for g in user.grants if (g.role, g.department_code) in wanted]
    have = {(g.role, g.department_code) for g in user.grants}
    for role, department in sorted(wanted - have, key=str):
        user.grants.append(RoleGrant(role=role, department_code=department))
    session.flush()
    after = {"name": user.name, "centre_id": user.centre_id, "active": user.active,
             "roles": sorted(f"{r}:{d}" if d else r for r, d in wanted)}
    if after["roles"] != before["roles"] or (before["active"] and not user.active):
        end_sessions(user)              # role change or deactivation: sign in again
    audit.record(session, actor=f"user:{admin.id}", action="user_updated", object_type="user",
                 object_id=user.id, data={"before": before, "after": after})
    return user


def set_password(session: Session, actor, user_id: int, password: str) -> User:
    admin = require_sys_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("用户不存在", code="user_not_found")
    check_password(password, username=user.username, phone=user.phone or "")
    user.password_hash = hash_password(password)
    end_sessions(user)
    audit.record(session, actor=f"user:{admin.id}", action="password_reset", object_type="user",
                 object_id=user.id)
    return user


def set_centre_services(session: Session, actor, centre_id: int, codes: list[str],
                        known: set[str]) -> Centre:
    """Replace the services a centre may accept (授权受理事项)."""
    admin = require_sys_admin(actor)
    centre = session.get(Centre, centre_id)
    if centre is None:
        raise NotFound("中心不存在", code="unknown_centre")
    wanted = set(codes)
    unknown = wanted - known
    if unknown:
        raise InvalidInput(f"未知的事项：{'、'.join(sorted(unknown))}", code="unknown_service")
    before = sorted(s.service_code for s in centre.services)
    centre.services = [s for s in centre.services if s.service_code in wanted]
    have = {s.service_code for s in centre.services}
    for code in sorted(wanted - have):
        centre.services.append(CentreService(service_code=code))
    session.flush()
    audit.record(session, actor=f"user:{admin.id}", action="centre_services_updated",
                 object_type="centre", object_id=centre.id,
                 data={"before": before, "after": sorted(wanted)})
    return centre


def change_own_password(session: Session, user: User, old: str, new: str) -> User:
    """A staff member changes their own password (the old one is required)."""
    from core.people.users import verify_password
    fresh = session.get(User, user.id)
    if fresh is None or not fresh.active:
        raise Forbidden("账号不可用", code="forbidden_role")
    if not verify_password(fresh.password_hash, old or ""):
        raise InvalidInput("原密码不正确", code="wrong_password", field="old_password")
    check_password(new, username=fresh.username, phone=fresh.phone or "", field="new_password")
    fresh.password_hash = hash_password(new)
    end_sessions(fresh)      # every other session of this user ends; the web signs this one in again
    audit.record(session, actor=f"user:{fresh.id}", action="password_changed", object_type="user",
                 object_id=fresh.id)
    return fresh
