"""Who is signed in: staff (``u:<id>:<version>``) and citizens (``c:<id>:<version>``) share
one Flask-Login session, wrapped so views always know which kind they have.

The session is a signed cookie held by the browser, so it cannot be deleted on the server;
instead it carries the account's ``session_version`` and is refused once the version in the
database has moved on (logout, password change, role change, deactivation:
:func:`core.people.users.end_sessions`). A copied cookie stops working then.

Views pass ``current_user.model`` (a :class:`core.platform.models.User` or
:class:`core.platform.models.Citizen`) to :mod:`core.workflow`, which re-checks roles itself; the
decorators here only decide which pages a kind of user may open.
"""
from __future__ import annotations

import functools

from flask import abort, current_app, g, request
from flask_login import LoginManager, current_user
from sqlalchemy.orm import joinedload, selectinload

from core.platform import inputs
from core.platform.errors import InvalidInput
from core.platform.models import Citizen, Role, User

login_manager = LoginManager()
login_manager.session_protection = "basic"


class Identity:
    kind = ""
    is_authenticated = True
    is_anonymous = False

    def __init__(self, model):
        self.model = model

    @property
    def id(self) -> int:
        return self.model.id

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"

    @property
    def is_citizen(self) -> bool:
        return self.kind == "citizen"

    def __eq__(self, other):
        return isinstance(other, Identity) and self.get_id() == other.get_id()

    def __hash__(self):
        return hash(self.get_id())


class StaffIdentity(Identity):
    kind = "staff"

    def get_id(self) -> str:
        return f"u:{self.model.id}:{self.model.session_version or 0}"

    @property
    def is_active(self) -> bool:
        return bool(self.model.active)

    @property
    def display_name(self) -> str:
        return self.model.name or self.model.username

    def has(self, role: Role, department: str | None = None) -> bool:
        return self.model.has_role(role, department)

    def has_any(self, *roles: Role) -> bool:
        return any(self.model.has_role(r) for r in roles)


class CitizenIdentity(Identity):
    kind = "citizen"
    is_active = True

    def get_id(self) -> str:
        return f"c:{self.model.id}:{self.model.session_version or 0}"

    @property
    def display_name(self) -> str:
        from core.platform.identifiers import mask_phone
        return self.model.name or mask_phone(self.model.phone)

    def has(self, role, department=None) -> bool:
        return False

    def has_any(self, *roles) -> bool:
        return False


def quanke():
    return current_app.extensions["quanke"]


def load_identity(key: str):
    kind, _, rest = (key or "").partition(":")
    raw, _, version = rest.partition(":")
    if inputs.try_id(raw) is None:
        return None
    try:  # sessions from before versions carry none: version 0, ended by the first bump
        version_no = inputs.parse_int(version, field="version", lo=0, default=0)
    except InvalidInput:
        return None
    with quanke().db.session() as session:
        if kind == "u":
            user = session.get(User, int(raw), options=[selectinload(User.grants),
                                                       joinedload(User.centre)])
            if user is None or not user.active or (user.session_version or 0) != version_no:
                return None
            return StaffIdentity(user)
        if kind == "c":
            citizen = session.get(Citizen, int(raw), options=[joinedload(Citizen.applicant)])
            if citizen is None or (citizen.session_version or 0) != version_no:
                return None
            return CitizenIdentity(citizen)
    return None


login_manager.user_loader(load_identity)


@login_manager.unauthorized_handler
def _unauthorized():
    from flask import flash, redirect, url_for
    from flask_babel import gettext as _
    if request.path.startswith("/api/"):
        abort(401)
    flash(_("请先登录"), "warning")
    if request.path.startswith("/portal"):
        return redirect(url_for("auth.citizen_login", next=request.full_path))
    return redirect(url_for("auth.login", next=request.full_path))


def staff_required(*roles: Role):
    """The page needs a signed-in staff member holding at least one of ``roles``."""
    def wrap(view):
        @functools.wraps(view)
        def inner(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.is_staff or (roles and not current_user.has_any(*roles)):
                abort(403)
            return view(*args, **kwargs)
        inner.required_roles = roles
        return inner
    return wrap


def citizen_required(view):
    @functools.wraps(view)
    def inner(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_citizen:
            abort(403)
        return view(*args, **kwargs)
    return inner


def actor():
    """The signed-in user's model (for core calls); API requests set ``g.api_user``."""
    api_user = g.get("api_user")
    if api_user is not None:
        return api_user
    return current_user.model if current_user.is_authenticated else None
