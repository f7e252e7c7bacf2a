"""Staff accounts: creation with roles, password hashing (argon2), password policy
(:mod:`core.people.passwords`)."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.platform import audit
from core.platform.errors import Conflict, InvalidInput, NotFound
from core.platform.models import DEPARTMENT_ROLES, Centre, Department, Role, RoleGrant, User
from core.people.passwords import MIN_LENGTH, check_password

_hasher = PasswordHasher()
MIN_PASSWORD = MIN_LENGTH  # kept for callers that name it


def end_sessions(account) -> None:
    """End every signed-in session of a staff member or a citizen (``session_version`` + 1):
    the web stores the version in the session and refuses a session whose version is old."""
    account.session_version = (account.session_version or 0) + 1


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def parse_role(spec: str) -> tuple[Role, str | None]:
    """``approver:market_regulation`` → (Role.APPROVER, "market_regulation")."""
    name, _, department = spec.partition(":")
    try:
        role = Role(name.strip())
    except ValueError:
        raise InvalidInput(f"未知角色：{name}", code="unknown_role", field="roles") from None
    department = department.strip() or None
    if role in DEPARTMENT_ROLES and not department:
        raise InvalidInput(f"角色 {role.value} 须指定部门，如 {role.value}:market_regulation",
                           code="department_required", field="roles")
    if role not in DEPARTMENT_ROLES and department:
        raise InvalidInput(f"角色 {role.value} 不属于某个部门", code="unexpected_department",
                           field="roles")
    return role, department


def resolve_grants(session: Session, parsed: list[tuple[Role, str | None]],
                   centre_code: str | None) -> Centre | None:
    """Check that the roles' departments exist; return the centre named by ``centre_code``."""
    for _role, department in parsed:
        if department and not session.scalar(select(Department).where(Department.code == department)):
            raise NotFound(f"部门 {department} 不存在", code="unknown_department")
    if not centre_code:
        return None
    centre = session.scalar(select(Centre).where(Centre.code == centre_code))
    if centre is None:
        raise NotFound(f"中心 {centre_code} 不存在", code="unknown_centre")
    return centre


def create_user(session: Session, *, username: str, name: str, password: str,
                roles: list[str] | tuple[str, ...], centre_code: str | None = None,
                actor: str = "system", phone: str = "", check_policy: bool = True) -> User:
    """A staff account. ``check_policy=False`` only for the published demo accounts
    (:mod:`core.ops.demo`, which refuses to run in production)."""
    username = (username or "").strip()
    if not username or len(username) > 64:
        raise InvalidInput("用户名不能为空且不超过64个字符", code="invalid_username", field="username")
    if session.scalar(select(User).where(User.username == username)):
        raise Conflict(f"用户名 {username} 已存在", code="username_taken")
    if check_policy:
        check_password(password, username=username, phone=phone)
    parsed = [parse_role(r) for r in roles]
    centre = resolve_grants(session, parsed, centre_code)
    user = User(username=username, name=name.strip(), password_hash=hash_password(password),
                centre_id=centre.id if centre else None, phone=phone)
    user.grants = [RoleGrant(role=r.value, department_code=d) for r, d in parsed]
    session.add(user)
    session.flush()
    audit.record(session, actor=actor, action="user_created", object_type="user",
                 object_id=user.id, data={"username": username, "roles": list(roles),
                                          "centre": centre_code})
    return user
