"""The time bank's one blueprint (``/timebank``) and the helpers every page uses: who is
signed in, role guards, running an operation with a flashed result, reading form fields,
rendering with the time bank's labels, and the statement download.

Views only parse input and call the operations (which check roles themselves); an error
is flashed in Chinese and nothing changes. Forms carry the CSRF token (Flask-WTF's
CSRFProtect is active app-wide).
"""
from __future__ import annotations

import datetime as dt
import functools
import io

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
)
from flask_login import current_user, login_required

from core.api import (
    LOCAL_TZ,
    Citizen,
    InvalidInput,
    QuankeError,
    local,
    mask_id,
    mask_name,
    parse_int,
)
from plugins.timebank.domain import access, ledger, statements
from plugins.timebank.domain import requests as reqs
from plugins.timebank.domain.catalog import CATEGORY_NAMES
from plugins.timebank.domain.catalog import kinds as all_kinds
from plugins.timebank.domain.settings import RELATION_LABELS, settings

bp = Blueprint("timebank", __name__, url_prefix="/timebank", template_folder="../templates")  # the plugin root's templates/


# --------------------------------------------------------------------------- helpers


def quanke():
    return current_app.extensions["quanke"]


def me():
    return getattr(current_user, "model", None)


def staff_required(view):
    @functools.wraps(view)
    @login_required
    def inner(*args, **kwargs):
        if not access.is_social_worker(me()):
            abort(403)
        return view(*args, **kwargs)
    return inner


def citizen_required(view):
    @functools.wraps(view)
    @login_required
    def inner(*args, **kwargs):
        if not isinstance(me(), Citizen):
            abort(403)
        return view(*args, **kwargs)
    return inner


def back(default: str):
    target = request.form.get("next") or ""
    if target.startswith("/timebank/") and "//" not in target:
        return redirect(target)
    return redirect(default)


def attempt(fn, success: str, default: str):
    """Run an operation; flash its message or the Chinese error; redirect back."""
    try:
        result = fn()
    except QuankeError as exc:
        flash(exc.message, "error")
        return back(default)
    if success:
        flash(success.format(result=result), "success")
    return back(default)


def form_int(name: str, what: str, *, required: bool = True) -> int | None:
    raw = (request.form.get(name) or "").strip()
    if not raw and not required:
        return None
    return parse_int(raw, field=name, code="not_integer", what=what)


def form_date(name: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat((request.form.get(name) or "").strip())
    except ValueError:
        raise InvalidInput(f"请填写正确的{what}（年-月-日）", code="invalid_date", field=name) from None


def form_window() -> tuple[dt.datetime, dt.datetime]:
    day = form_date("day", "服务日期")
    try:
        start = dt.time.fromisoformat((request.form.get("start") or "").strip())
        end = dt.time.fromisoformat((request.form.get("end") or "").strip())
    except ValueError:
        raise InvalidInput("请填写服务的开始和结束时间（时:分）", code="invalid_window", field="start") from None
    return (dt.datetime.combine(day, start, tzinfo=LOCAL_TZ), dt.datetime.combine(day, end, tzinfo=LOCAL_TZ))


def render(template: str, **context):
    rules = settings(quanke())
    return render_template(f"timebank/{template}", rules=rules, fmt=ledger.fmt_minutes, local=local,
                           labels=ledger.ACCOUNT_LABELS, journal_labels=ledger.JOURNAL_LABELS,
                           status_labels=reqs.STATUS_LABELS, payers=reqs.PAYERS, categories=CATEGORY_NAMES,
                           relation_labels=RELATION_LABELS, mask_name=mask_name, mask_id=mask_id,
                           community_name=rules.community_name, **context)


def recent_movements(session, holder_id: int, days: int = 90):
    end = dt.datetime.now(LOCAL_TZ) + dt.timedelta(minutes=1)
    _, moves, _ = statements.movements(session, holder_id, end - dt.timedelta(days=days), end)
    return list(reversed(moves[-50:]))


def kinds_by_category(session):
    out: dict[str, list] = {}
    for k in all_kinds(session):
        out.setdefault(k.category, []).append(k)
    return out


def _statement(holder_id: int, default: str):
    try:
        row, pdf = statements.issue(quanke(), me(), holder_id=holder_id, start=form_date("start", "开始日期"),
                                    end=form_date("end", "结束日期"))
    except QuankeError as exc:
        flash(exc.message, "error")
        return back(default)
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True,
                     download_name=f"{row.number}.pdf")
