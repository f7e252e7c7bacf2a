"""Staff pages under ``/business_license``: the register, joint filing and acceptance
(证照联办), inspection tasks and the supervision feed. Forms post with the CSRF token."""
from __future__ import annotations

import functools
import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select

from core.api import Applicant, QuankeError, record_view
from plugins.business_license.domain import (
    catalog,
    filing,
    inspections,
    lookups,
    supervision,
)
from plugins.business_license.forms import JointForm
from plugins.business_license.models import BusinessChange, FoodPermit, InspectionTask
from plugins.business_license.views.common import (
    is_counter,
    is_supervisor,
    page_args,
    runtime,
    session_user,
)

bp = Blueprint("business_license", __name__, url_prefix="/business_license",
               template_folder="../templates")  # the plugin root's templates/


def staff_page(check=None):
    def wrap(view):
        @functools.wraps(view)
        def inner(*args, **kwargs):
            user = session_user()
            if user is None:
                login = current_app.login_manager
                return login.unauthorized()
            if check is not None and not check(user):
                abort(403)
            return view(user, *args, **kwargs)
        return inner
    return wrap


def _error(exc: QuankeError) -> None:
    flash(exc.message, "error")


# -- the register --------------------------------------------------------------------------

@bp.get("/registry")
@staff_page()
def registry(user):
    args = request.args
    page, per_page = page_args()
    street = args.get("street", "") if args.get("street", "") in catalog.STREETS else ""
    status = args.get("status", "") if args.get("status", "") in ("active", "deregistered") else ""
    query = {k: args.get(k, "").strip()[:100] for k in ("name", "code", "operator_id")}
    with runtime().db.session() as session:
        rows, total = lookups.search_businesses(session, **query, street=street, status=status,
                                                page=page, per_page=per_page)
        if query["operator_id"]:
            record_view(session, actor=f"user:{user.id}", object_type="bl_register",
                              object_id="search", subject=query["operator_id"].upper()[:64],
                              fields=["operator_id_number"], reason="名录按经营者身份证号码查询")
        items = [b.public() for b in rows]
    from plugins.business_license.domain import credit_codes
    return render_template("business_license/registry.html", items=items, total=total, page=page,
                           code_warning=credit_codes.demo_warning(credit_codes.provider(runtime())),
                           per_page=per_page, query=query, street=street, status=status,
                           streets=catalog.STREETS)


@bp.get("/registry/<credit_code>")
@staff_page()
def business(user, credit_code):
    with runtime().db.session() as session:
        found = lookups.business_by_code(session, credit_code)
        if found is None:
            abort(404)
        changes = session.scalars(select(BusinessChange).where(BusinessChange.business_id == found.id)
                                  .order_by(BusinessChange.id)).all()
        permits = session.scalars(select(FoodPermit).where(FoodPermit.business_id == found.id)).all()
        tasks = [inspections.task_dict(session, t) for t in session.scalars(
            select(InspectionTask).where(InspectionTask.business_id == found.id)
            .order_by(InspectionTask.id))]
        changes = [(c, _change_rows(c)) for c in changes]
        return render_template("business_license/business.html", b=found.public(), changes=changes,
                               residence=found.operator_residence,
                               permits=permits, tasks=tasks, food_categories=catalog.FOOD_CATEGORIES)


#: The register items a change record keeps (domain.registry.snapshot), as the register names them.
CHANGE_ITEMS = {"name": "名称", "operator_residence": "经营者住所", "street": "所在街道",
                "address": "经营场所", "scopes": "经营范围", "phone": "联系电话", "status": "状态"}


def _change_rows(change) -> list[tuple[str, str, str]]:
    """(item, before, after) for each item the change altered, in words, not codes."""
    def shown(key, value):
        if key == "street":
            return catalog.street_name(value or "")
        if key == "scopes":
            return "、".join(catalog.scope_label(v, mark=False) for v in value or [])
        if key == "status":
            return {"active": "存续"}.get(value, "已注销")
        return value or "（无）"
    before, after = change.before or {}, change.after or {}
    return [(CHANGE_ITEMS.get(k, k), shown(k, before.get(k)), shown(k, v))
            for k, v in after.items() if before.get(k) != v]


# -- 证照联办 ------------------------------------------------------------------------------

def _paper_codes(quanke) -> list[tuple[str, str, bool]]:
    seen, out = set(), []
    for code in (lookups.REGISTRATION, lookups.FOOD_PERMIT):
        for spec in quanke.service(code).materials:
            if spec.code not in seen:
                seen.add(spec.code)
                out.append((spec.code, spec.name, spec.required and not spec.alternative_to))
    return out


@bp.route("/joint", methods=["GET", "POST"])
@staff_page(is_counter)
def joint(user):
    quanke = runtime()
    form = JointForm(formdata=request.form if request.method == "POST" else None)
    materials = _paper_codes(quanke)
    id_number = request.form.get("applicant_id_number", "").strip().upper()
    key = request.form.get("idempotency_key") or secrets.token_hex(12)
    problems: dict[str, str] = {}
    if request.method == "POST":
        with quanke.db.session() as session:
            applicant = session.scalar(select(Applicant).where(Applicant.kind == "person",
                                                               Applicant.id_number_index == id_number))
            applicant_id = applicant.id if applicant else None
        if applicant_id is None:
            problems["applicant_id_number"] = "申请人尚未登记，请先在窗口工作台登记申请人"
        if request.form.get("consent") != "y":
            problems["consent"] = "请确认申请人同意由您代为填报"
        form.validate()
        if not problems:
            paper = [code for code, _name, _req in materials if request.form.get(f"paper_{code}") == "y"]
            try:
                result = filing.file_joint(quanke, user, applicant_id=applicant_id, form_data=request.form,
                                           paper=paper, consent=True, idempotency_key=key[:60],
                                           consent_text="申请人当面同意由工作人员代为填报（证照联办）")
                flash(f"已登记证照联办申请 {result.bundle.reference}，请核对后一并受理", "success")
                return redirect(url_for("business_license.bundle", reference=result.bundle.reference))
            except QuankeError as exc:
                _error(exc)
                for name, messages in (exc.details or {}).get("fields", {}).items():
                    if name in form._fields:
                        form._fields[name].errors = list(messages)
                    else:
                        problems[name] = "；".join(messages)
                if exc.field and exc.field not in form._fields and exc.field not in problems:
                    problems[exc.field] = exc.message
    return render_template("business_license/joint.html", form=form, materials=materials,
                           id_number=id_number, key=key, problems=problems,
                           checked={c for c, _n, _r in materials if request.form.get(f"paper_{c}") == "y"})


@bp.route("/bundles/<reference>", methods=["GET", "POST"])
@staff_page(lambda u: is_counter(u) or is_supervisor(u))
def bundle(user, reference):
    quanke = runtime()
    if request.method == "POST":
        if not is_counter(user):
            abort(403)
        try:
            filing.accept_bundle(quanke, user, reference, warn_reason=request.form.get("warn_reason", ""))
            flash("已一并受理：营业执照与食品经营许可分别进入各审批部门队列", "success")
            return redirect(url_for("business_license.bundle", reference=reference))
        except QuankeError as exc:
            _error(exc)
    try:
        joint_ = filing.bundle(quanke, reference)
    except QuankeError:
        abort(404)
    previews = {}
    for app in joint_.applications:
        if app.state == "submitted":
            from core.api import preview_checks
            previews[app.id] = preview_checks(quanke, app.id)
    from plugins.business_license.domain import food_filing
    return render_template("business_license/bundle.html", joint=joint_, previews=previews,
                           filing=food_filing.as_dict(joint_.filing),
                           services={c: quanke.service(c).name for c in lookups.SERVICES},
                           departments=quanke.plugins.departments, may_accept=is_counter(user))


# -- inspections and supervision -----------------------------------------------------------

@bp.route("/inspections", methods=["GET", "POST"])
@staff_page(is_supervisor)
def inspection_tasks(user):
    quanke = runtime()
    if request.method == "POST":
        task_id = request.form.get("task_id", "")
        if not (task_id.isascii() and task_id.isdigit() and len(task_id) <= 9):
            abort(400)
        try:
            inspections.record_result(quanke, user, int(task_id), outcome=request.form.get("outcome", ""),
                                      note=request.form.get("note", ""),
                                      deadline=request.form.get("deadline") or None)
            flash("核查结果已登记", "success")
            return redirect(url_for("business_license.inspection_tasks", **request.args))
        except QuankeError as exc:
            _error(exc)
    status = request.args.get("status", "open")
    street = request.args.get("street", "")
    with quanke.db.session() as session:
        rows = [inspections.task_dict(session, t) for t in inspections.tasks(
            session, status=None if status == "all" else status,
            street=street if street in catalog.STREETS else None)]
    may_record = {d for d in inspections.DEPARTMENT_NAMES if inspections.may_record(user, d)}
    from plugins.business_license.domain import law
    from plugins.business_license.models import TASK_STATUSES
    return render_template("business_license/inspections.html", tasks=rows, status=status,
                           street=street, streets=catalog.STREETS, may_record=may_record,
                           statuses=TASK_STATUSES, basis={"rectify": law.RECTIFY, "period": law.RECTIFY_PERIOD,
                                                          "revoke": law.NOT_RECTIFIED})


@bp.get("/supervision")
@staff_page(is_supervisor)
def supervision_page(user):
    with runtime().db.session() as session:
        rows, total = supervision.feed(session, limit=200)
    return render_template("business_license/supervision.html", rows=rows, total=total)



@bp.get("/letters/<int:document_id>")
@staff_page(lambda u: is_counter(u) or is_supervisor(u))
def letter(user, document_id):
    """One of this plugin's own documents (a filing receipt, a commitment letter): the
    inspectors who issue the letters cannot open the application itself on the core's pages."""
    import io

    from flask import send_file

    from core.api import Document
    from plugins.business_license.documents.letters import KINDS, letter_pdf
    with runtime().db.session() as session:
        doc = session.get(Document, document_id)
        if doc is None or doc.kind not in KINDS:
            abort(404)
        number = doc.number
    response = send_file(io.BytesIO(letter_pdf(runtime(), document_id)), mimetype="application/pdf",
                         download_name=f"{number}.pdf")
    response.headers["Cache-Control"] = "private, no-store"
    return response
