"""Community administrator and social-worker pages (``/timebank/admin``): requests and
matching, confirmation and follow-up, people and accounts, supermarket, cash settlement,
teams, 通存通兑, monthly reports, the kinds of service and the star rating."""
from __future__ import annotations

import datetime as dt

from flask import Response, abort, flash, redirect, request, url_for
from sqlalchemy import func, or_, select

from core.api import (
    LOCAL_TZ,
    Applicant,
    AuditEvent,
    Forbidden,
    InvalidInput,
    NotFound,
    QuankeError,
    record_view,
    today,
)

from plugins.timebank.domain import access, availability, interbank, ledger, matching, reports, stars, supermarket, volunteers, withdrawals
from plugins.timebank.domain import requests as reqs
from plugins.timebank.domain.catalog import CATEGORIES, set_kind
from plugins.timebank.domain.catalog import kinds as all_kinds
from plugins.timebank.domain.deposits import deposit_activity, served_minutes
from plugins.timebank.models import (
    CashPayout,
    Exchange,
    Goods,
    Holder,
    MonthlyReport,
    Offer,
    Relation,
    ServiceRequest,
    StarAward,
    Team,
    TeamMember,
    Training,
    Volunteer,
)
from plugins.timebank.domain.settings import settings
from plugins.timebank.views import (
    _statement,
    attempt,
    bp,
    form_date,
    form_int,
    form_window,
    kinds_by_category,
    me,
    quanke,
    recent_movements,
    render,
    staff_required,
)


def _scope(session):
    """Communities the signed-in staff member manages (None = all); social workers see all."""
    rules = settings(quanke())
    if access.is_admin(me()):
        return access.admin_communities(session, me(), rules)
    return None


def _in_scope(stmt, column, scope):
    return stmt if scope is None else stmt.where(column.in_(sorted(scope)))


@bp.get("/admin")
@staff_required
def admin_home():
    q = quanke()
    now = dt.datetime.now(LOCAL_TZ)
    with q.db.session() as s:
        scope = _scope(s)
        base = _in_scope(select(ServiceRequest.status, func.count(ServiceRequest.id)), ServiceRequest.community, scope)
        counts = dict(s.execute(base.group_by(ServiceRequest.status)).all())
        to_confirm = s.scalar(_in_scope(select(func.count(ServiceRequest.id)).where(
            ServiceRequest.status == "assigned", ServiceRequest.window_start <= now), ServiceRequest.community, scope))
        rules = settings(q)
        pools = []
        for code, name in rules.communities:
            if scope is None or code in scope:
                ids = ledger.community_accounts(s, code)
                from plugins.timebank.models import Account
                pools.append((code, name, s.get(Account, ids["donation"]).balance, s.get(Account, ids["escrow"]).balance))
        volunteers_n = s.scalar(_in_scope(select(func.count(Volunteer.id)).where(Volunteer.status == "active"),
                                          Volunteer.community, scope))
    return render("admin_home.html", counts=counts, to_confirm=to_confirm, pools=pools, scope=scope,
                  volunteers_n=volunteers_n, is_admin=access.is_admin(me()))


# --------------------------------------------------------------------------- requests


@bp.get("/admin/requests")
@staff_required
def admin_requests():
    status = request.args.get("status") or ""
    community = request.args.get("community") or ""
    with quanke().db.session() as s:
        scope = _scope(s)
        stmt = _in_scope(select(ServiceRequest, Holder).join(Holder, Holder.id == ServiceRequest.recipient_id),
                         ServiceRequest.community, scope)
        if status:
            stmt = stmt.where(ServiceRequest.status == status)
        if community:
            stmt = stmt.where(ServiceRequest.community == community)
        rows = s.execute(stmt.order_by(ServiceRequest.window_start.desc()).limit(200)).all()
    return render("admin_requests.html", rows=rows, status=status, community=community)


@bp.route("/admin/requests/new", methods=["GET", "POST"])
@staff_required
def admin_request_new():
    if request.method == "POST":
        def run():
            holder_id = _holder_by_number(request.form.get("id_number", ""))
            start, end = form_window()
            return reqs.create(quanke(), me(), recipient_id=holder_id, kind=request.form.get("kind", ""),
                               window_start=start, window_end=end,
                               planned_minutes=ledger.parse_minutes(request.form.get("planned"), what="预计服务时长"),
                               place=request.form.get("place", ""), description=request.form.get("description", ""),
                               payer=request.form.get("payer", "recipient"),
                               community=request.form.get("community") or None).id
        try:
            new_id = run()
        except QuankeError as exc:
            flash(exc.message, "error")  # the form is shown again with what was typed
        else:
            flash("服务需求单已登记，已冻结预约时长。", "success")
            return redirect(url_for(".admin_request", request_id=new_id))
    with quanke().db.session() as s:
        return render("admin_request_new.html", kinds=kinds_by_category(s), form=request.form,
                      today=today().isoformat())


def _holder_by_number(number: str) -> int:
    number = (number or "").strip().upper()
    with quanke().db.session() as s:
        holder_id = s.scalar(select(Holder.id).join(Applicant, Applicant.id == Holder.applicant_id)
                             .where(Applicant.id_number == number))
    if holder_id is None:
        raise NotFound("没有找到该身份证号的时间银行账户，请先登记服务对象", code="holder_not_found")
    return holder_id


@bp.get("/admin/requests/<int:request_id>")
@staff_required
def admin_request(request_id: int):
    with quanke().db.session() as s:
        row = s.get(ServiceRequest, request_id)
        if row is None:
            abort(404)
        scope = _scope(s)
        if scope is not None and row.community not in scope:
            abort(404)
        recipient = s.get(Holder, row.recipient_id)
        provider = s.get(Holder, row.provider_id) if row.provider_id else None
        candidates = matching.rank(s, row) if row.status == "open" else []
        offers = s.execute(select(Offer, Volunteer).join(Volunteer, Volunteer.id == Offer.volunteer_id)
                           .where(Offer.request_id == row.id).order_by(Offer.rank)).all()
        teams = s.scalars(select(Team).where(Team.status == "active").order_by(Team.name)).all()
        history = s.scalars(select(AuditEvent).where(AuditEvent.object_type == "tb_request",
                                                           AuditEvent.object_id == str(row.id))
                            .order_by(AuditEvent.id)).all()
        kind = next((k for k in all_kinds(s, include_inactive=True) if k.code == row.kind), None)
    return render("admin_request.html", row=row, recipient=recipient, provider=provider, candidates=candidates,
                  offers=offers, teams=teams, history=history, kind=kind, now=dt.datetime.now(LOCAL_TZ),
                  is_admin=access.is_admin(me()))


@bp.post("/admin/requests/<int:request_id>/propose")
@staff_required
def admin_propose(request_id: int):
    def run():
        ids = [int(v) for v in request.form.getlist("volunteer_ids") if v.isascii() and v.isdigit() and len(v) <= 9]
        with quanke().db.session() as s:
            ranking = matching.rank(s, s.get(ServiceRequest, request_id))
        return len(reqs.propose(quanke(), me(), request_id, ids, ranking=ranking))
    return attempt(run, "已向 {result} 名志愿者派单。", url_for(".admin_request", request_id=request_id))


@bp.post("/admin/requests/<int:request_id>/team")
@staff_required
def admin_assign_team(request_id: int):
    return attempt(lambda: reqs.assign_team(quanke(), me(), request_id, form_int("team_id", "团队")).number,
                   "已派给团队：{result}。", url_for(".admin_request", request_id=request_id))


@bp.post("/admin/requests/<int:request_id>/follow-up")
@staff_required
def admin_follow_up(request_id: int):
    return attempt(lambda: reqs.follow_up(quanke(), me(), request_id, rating=form_int("rating", "评分"),
                                          comment=request.form.get("comment", "")).rating,
                   "回访评价已登记（{result}分）。", url_for(".admin_request", request_id=request_id))


@bp.post("/admin/requests/<int:request_id>/correct")
@staff_required
def admin_correct(request_id: int):
    return attempt(lambda: reqs.correct_confirmation(quanke(), me(), request_id,
                                                     reason=request.form.get("reason", "")).number,
                   "已冲正 {result} 的确认时长，可重新确认。", url_for(".admin_request", request_id=request_id))


# --------------------------------------------------------------------------- people and accounts


@bp.get("/admin/people")
@staff_required
def admin_people():
    term = (request.args.get("q") or "").strip()
    rows = []
    with quanke().db.session() as s:
        stmt = (select(Holder, Volunteer).outerjoin(Volunteer, Volunteer.holder_id == Holder.id)
                .outerjoin(Applicant, Applicant.id == Holder.applicant_id))
        if term:
            like = f"%{term}%"
            stmt = stmt.where(or_(Holder.name.like(like), Applicant.id_number == term.upper(),
                                  Volunteer.number == term.upper()))
        scope = _scope(s)
        rows = s.execute(_in_scope(stmt, Holder.community, scope).order_by(Holder.id.desc()).limit(100)).all()
    return render("admin_people.html", rows=rows, term=term)


@bp.route("/admin/recipients/new", methods=["GET", "POST"])
@staff_required
def admin_recipient_new():
    if request.method == "POST":
        try:
            holder = volunteers.register_recipient(
                quanke(), me(), id_number=request.form.get("id_number", ""), name=request.form.get("name", ""),
                phone=request.form.get("phone", ""), community=request.form.get("community", ""),
                address=request.form.get("address", ""), lives_alone=request.form.get("lives_alone") == "1")
        except QuankeError as exc:
            flash(exc.message, "error")
        else:
            flash("服务对象档案已建立，时间账户已开立。", "success")
            return redirect(url_for(".admin_holder", holder_id=holder.id))
    return render("admin_recipient_new.html", form=request.form)


@bp.get("/admin/holders/<int:holder_id>")
@staff_required
def admin_holder(holder_id: int):
    q = quanke()
    with q.db.session() as s:
        holder = s.get(Holder, holder_id)
        if holder is None:
            abort(404)
        applicant = s.get(Applicant, holder.applicant_id) if holder.applicant_id else None
        volunteer = s.scalar(select(Volunteer).where(Volunteer.holder_id == holder.id))
        team = s.scalar(select(Team).where(Team.holder_id == holder.id))
        members = s.execute(select(Volunteer, Holder).join(TeamMember, TeamMember.volunteer_id == Volunteer.id)
                            .join(Holder, Holder.id == Volunteer.holder_id)
                            .where(TeamMember.team_id == team.id)).all() if team else []
        trainings = s.scalars(select(Training).where(Training.volunteer_id == volunteer.id)
                              .order_by(Training.trained_on.desc())).all() if volunteer else []
        relatives = s.execute(select(Relation, Holder).join(Holder, Holder.id == Relation.relative_id)
                              .where(Relation.holder_id == holder.id)).all()
        goods = s.scalars(select(Goods).where(Goods.active.is_(True), Goods.stock > 0).order_by(Goods.community,
                                                                                                Goods.name)).all()
        ok, why = withdrawals.loan_eligibility(s, holder, settings(q))
        if applicant is not None:  # unmasked ID on an account page: leave a trace (处处留痕)
            record_view(s, actor=access.actor_key(me()), object_type="tb_holder", object_id=holder.id,
                              subject=holder.subject, fields=["id_number", "phone"], reason="时间银行账户页")
        return render("admin_holder.html", holder=holder, applicant=applicant, volunteer=volunteer, team=team,
                      members=members, trainings=trainings, relatives=relatives, goods=goods,
                      balances=ledger.balances(s, holder.id), moves=recent_movements(s, holder.id),
                      served=served_minutes(s, holder.id), loan_ok=ok, loan_why=why,
                      kinds=kinds_by_category(s), slots=availability.ALL_SLOTS, slot_label=availability.slot_label,
                      category_list=CATEGORIES, is_admin=access.is_admin(me()), today=today())


def _holder_action(holder_id: int, fn, message: str):
    return attempt(fn, message, url_for(".admin_holder", holder_id=holder_id))


@bp.post("/admin/holders/<int:holder_id>/withdraw")
@staff_required
def admin_withdraw(holder_id: int):
    purpose = request.form.get("purpose", "")
    labels = {"cash": "现金结算已办理", "exchange": "超市兑换已办理", "transfer": "转赠已办理"}
    return _holder_action(holder_id, lambda: withdrawals.withdraw(
        quanke(), me(), holder_id=holder_id, bucket=request.form.get("bucket", ""), purpose=purpose,
        minutes=request.form.get("minutes") or None, goods_id=form_int("goods_id", "商品", required=False),
        quantity=form_int("quantity", "数量", required=False),
        relative_id=form_int("relative_id", "受赠亲属", required=False)), labels.get(purpose, "已办理") + "。")


@bp.post("/admin/holders/<int:holder_id>/deposit")
@staff_required
def admin_deposit(holder_id: int):
    return _holder_action(holder_id, lambda: deposit_activity(
        quanke(), me(), holder_id=holder_id, minutes=ledger.parse_minutes(request.form.get("minutes")),
        community=request.form.get("community", ""), category=request.form.get("category", ""),
        memo=request.form.get("memo", "")), "活动时长已存入。")


@bp.post("/admin/holders/<int:holder_id>/loan")
@staff_required
def admin_loan(holder_id: int):
    return _holder_action(holder_id, lambda: withdrawals.grant_loan(
        quanke(), me(), holder_id=holder_id, minutes=request.form.get("minutes"),
        reason=request.form.get("reason", "")), "借贷已批准，时长已到账。")


@bp.post("/admin/holders/<int:holder_id>/loan-exception")
@staff_required
def admin_loan_exception(holder_id: int):
    return _holder_action(holder_id, lambda: volunteers.set_loan_exception(
        quanke(), me(), holder_id, request.form.get("reason", "")), "借贷资格认定已保存。")


@bp.post("/admin/holders/<int:holder_id>/repay")
@staff_required
def admin_repay(holder_id: int):
    return _holder_action(holder_id, lambda: withdrawals.repay_loan(
        quanke(), me(), holder_id=holder_id, minutes=request.form.get("minutes")), "已归还借贷。")


@bp.post("/admin/holders/<int:holder_id>/grant")
@staff_required
def admin_grant(holder_id: int):
    return _holder_action(holder_id, lambda: withdrawals.grant_from_pool(
        quanke(), me(), community=request.form.get("community", ""), holder_id=holder_id,
        minutes=request.form.get("minutes"), reason=request.form.get("reason", "")), "已从捐赠池资助。")


@bp.post("/admin/holders/<int:holder_id>/donate")
@staff_required
def admin_donate(holder_id: int):
    return _holder_action(holder_id, lambda: withdrawals.donate(
        quanke(), me(), holder_id=holder_id, bucket=request.form.get("bucket", ""),
        minutes=request.form.get("minutes")), "已捐赠至社区捐赠池。")


@bp.post("/admin/holders/<int:holder_id>/relation")
@staff_required
def admin_relation(holder_id: int):
    return _holder_action(holder_id, lambda: volunteers.add_relation(
        quanke(), me(), holder_id=holder_id, relative_id=_holder_by_number(request.form.get("id_number", "")),
        relation=request.form.get("relation", ""), evidence=request.form.get("evidence", "")), "亲属关系已登记。")


@bp.post("/admin/holders/<int:holder_id>/profile")
@staff_required
def admin_profile(holder_id: int):
    def run():
        with quanke().db.session() as s:
            volunteer = s.scalar(select(Volunteer).where(Volunteer.holder_id == holder_id))
        if volunteer is None:
            raise InvalidInput("该账户不是志愿者", code="volunteer_not_found")
        return volunteers.update_profile(quanke(), me(), volunteer.id, categories=request.form.getlist("categories"),
                                         kinds=request.form.getlist("kinds"), skills=request.form.get("skills"),
                                         slots=request.form.getlist("slots"),
                                         community=request.form.get("community") or None)
    return _holder_action(holder_id, run, "志愿者档案已更新。")


@bp.post("/admin/holders/<int:holder_id>/training")
@staff_required
def admin_training(holder_id: int):
    def run():
        with quanke().db.session() as s:
            volunteer = s.scalar(select(Volunteer).where(Volunteer.holder_id == holder_id))
        if volunteer is None:
            raise InvalidInput("该账户不是志愿者", code="volunteer_not_found")
        return volunteers.add_training(quanke(), me(), volunteer.id, title=request.form.get("title", ""),
                                       provider=request.form.get("provider", ""),
                                       trained_on=form_date("trained_on", "培训日期"),
                                       minutes=ledger.parse_minutes(request.form.get("minutes"), what="培训时长"))
    return _holder_action(holder_id, run, "培训记录已登记。")


@bp.post("/admin/holders/<int:holder_id>/leave")
@staff_required
def admin_leave(holder_id: int):
    return _holder_action(holder_id, lambda: volunteers.leave(
        quanke(), me(), holder_id, disposition=request.form.get("disposition", ""),
        reason=request.form.get("reason", ""), relative_id=form_int("relative_id", "亲属", required=False)),
        "已办理退出，账户已关闭。")


@bp.post("/admin/holders/<int:holder_id>/statement")
@staff_required
def admin_statement(holder_id: int):
    return _statement(holder_id, url_for(".admin_holder", holder_id=holder_id))


# --------------------------------------------------------------------------- teams


@bp.route("/admin/teams", methods=["GET", "POST"])
@staff_required
def admin_teams():
    if request.method == "POST":
        def run():
            members = [int(v) for v in (request.form.get("member_ids") or "").replace("，", ",").split(",")
                       if v.strip().isascii() and v.strip().isdigit() and len(v.strip()) <= 9]
            return volunteers.create_team(quanke(), me(), name=request.form.get("name", ""),
                                          community=request.form.get("community", ""),
                                          leader_id=form_int("leader_id", "负责人志愿者编号（ID）"),
                                          member_ids=members, categories=request.form.getlist("categories")).name
        return attempt(run, "志愿团队“{result}”已成立，团队账户已开立。", url_for(".admin_teams"))
    with quanke().db.session() as s:
        rows = s.execute(select(Team, func.count(TeamMember.volunteer_id))
                         .outerjoin(TeamMember, TeamMember.team_id == Team.id).group_by(Team.id)
                         .order_by(Team.community, Team.name)).all()
        balances = {t.holder_id: ledger.balances(s, t.holder_id) for t, _ in rows}
    return render("admin_teams.html", rows=rows, balances=balances, category_list=CATEGORIES)


# --------------------------------------------------------------------------- supermarket and cash


@bp.route("/admin/supermarket", methods=["GET", "POST"])
@staff_required
def admin_supermarket():
    if request.method == "POST":
        if request.form.get("goods_id"):
            return attempt(lambda: supermarket.restock(quanke(), me(), form_int("goods_id", "商品"),
                                                       quantity=form_int("quantity", "补货数量")).stock,
                           "补货完成，现有库存 {result}。", url_for(".admin_supermarket"))
        return attempt(lambda: supermarket.add_goods(
            quanke(), me(), community=request.form.get("community", ""), name=request.form.get("name", ""),
            unit=request.form.get("unit", "件"), price_minutes=form_int("price_minutes", "价格（分钟）"),
            stock=form_int("stock", "库存")).name, "商品“{result}”已上架。", url_for(".admin_supermarket"))
    with quanke().db.session() as s:
        scope = _scope(s)
        goods = s.scalars(_in_scope(select(Goods), Goods.community, scope).order_by(Goods.community, Goods.name)).all()
        exchanged = dict(s.execute(select(Exchange.goods_id, func.sum(Exchange.quantity))
                                   .group_by(Exchange.goods_id)).all())
    return render("admin_supermarket.html", goods=goods, exchanged=exchanged)


@bp.get("/admin/cash")
@staff_required
def admin_cash():
    with quanke().db.session() as s:
        scope = _scope(s)
        rows = s.execute(_in_scope(select(CashPayout, Holder).join(Holder, Holder.id == CashPayout.holder_id),
                                   CashPayout.community, scope).order_by(CashPayout.at.desc()).limit(200)).all()
        totals = s.execute(_in_scope(select(CashPayout.community, func.sum(CashPayout.minutes),
                                            func.sum(CashPayout.amount_fen)), CashPayout.community, scope)
                           .group_by(CashPayout.community)).all()
    return render("admin_cash.html", rows=rows, totals=totals, yuan=withdrawals.yuan)


# --------------------------------------------------------------------------- interbank, reports, stars, kinds


@bp.route("/admin/interbank", methods=["GET", "POST"])
@staff_required
def admin_interbank():
    if request.method == "POST":
        return attempt(lambda: interbank.settle(quanke(), me(), debtor=request.form.get("debtor", ""),
                                                creditor=request.form.get("creditor", ""),
                                                minutes=request.form.get("minutes")),
                       "通兑清算已记账。", url_for(".admin_interbank"))
    month = request.args.get("month") or ""
    with quanke().db.session() as s:
        start = end = None
        if month:
            start, end = reports.month_bounds(month)
        report = interbank.report(s, start, end)
        outstanding = interbank.report(s)["net"]
    return render("admin_interbank.html", report=report, outstanding=outstanding, month=month)


@bp.route("/admin/reports", methods=["GET", "POST"])
@staff_required
def admin_reports():
    if request.method == "POST":
        return attempt(lambda: reports.generate(quanke(), month=request.form.get("month") or None,
                                                actor=access.actor_key(me()), replace=True).month,
                       "{result} 月报已生成。", url_for(".admin_reports"))
    with quanke().db.session() as s:
        rows = s.scalars(select(MonthlyReport).order_by(MonthlyReport.month.desc()).limit(36)).all()
        latest = rows[0] if rows else None
    return render("admin_reports.html", rows=rows, latest=latest,
                  default_month=reports.previous_month(today()))


@bp.get("/admin/reports/<month>.<fmt_>")
@staff_required
def admin_report_file(month: str, fmt_: str):
    with quanke().db.session() as s:
        row = s.scalar(select(MonthlyReport).where(MonthlyReport.month == month))
    if row is None or fmt_ not in ("csv", "svg"):
        abort(404)
    if fmt_ == "csv":
        return Response(row.csv, mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f"attachment; filename=timebank-{month}.csv"})
    return Response(row.svg, mimetype="image/svg+xml")


@bp.route("/admin/stars", methods=["GET", "POST"])
@staff_required
def admin_stars():
    if request.method == "POST":
        if not access.is_admin(me()):
            abort(403)
        return attempt(lambda: stars.award(quanke(), day=form_date("day", "评定日期")), "新评定星级志愿者 {result} 名。",
                       url_for(".admin_stars"))
    with quanke().db.session() as s:
        rows = s.execute(select(StarAward, Volunteer, Holder).join(Volunteer, Volunteer.id == StarAward.volunteer_id)
                         .join(Holder, Holder.id == Volunteer.holder_id)
                         .order_by(StarAward.year.desc(), StarAward.stars.desc()).limit(300)).all()
    return render("admin_stars.html", rows=rows, stars_text=stars.stars_text, today=today().isoformat())


@bp.get("/admin/stars/<int:award_id>.pdf")
@staff_required
def admin_star_pdf(award_id: int):
    import io

    from flask import send_file

    from core.api import mask_id

    from plugins.timebank.documents import star_certificate
    rules = settings(quanke())
    with quanke().db.session() as s:
        award = s.get(StarAward, award_id)
        if award is None:
            abort(404)
        volunteer = s.get(Volunteer, award.volunteer_id)
        holder = s.get(Holder, volunteer.holder_id)
    pdf = star_certificate(quanke(), name=holder.name, id_masked=mask_id(holder.subject), volunteer_no=volunteer.number,
                           community=rules.community_name(volunteer.community), minutes=award.cumulative_minutes,
                           stars=award.stars, awarded_on=award.awarded_on, code=award.verification_code)
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", download_name=f"星级证书-{volunteer.number}.pdf")


@bp.route("/admin/kinds", methods=["GET", "POST"])
@staff_required
def admin_kinds():
    if request.method == "POST":
        def run():
            if not access.is_admin(me()):
                raise Forbidden("只有时间银行管理员可以调整服务内容", code="forbidden_role")
            with quanke().db.session() as s:
                return set_kind(s, actor=access.actor_key(me()), code=request.form.get("code", ""),
                                category=request.form.get("category", ""), name=request.form.get("name", ""),
                                active=request.form.get("active") == "1").name
        return attempt(run, "服务内容“{result}”已保存。", url_for(".admin_kinds"))
    with quanke().db.session() as s:
        kinds = all_kinds(s, include_inactive=True)
    return render("admin_kinds.html", kinds=kinds, category_list=CATEGORIES)


@bp.get("/admin/ledger")
@staff_required
def admin_ledger():
    with quanke().db.session() as s:
        problems = ledger.verify(s)
    return render("admin_ledger.html", problems=problems)
