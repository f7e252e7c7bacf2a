"""People and accounts: the search, registering a recipient, one holder's page with every
account action (withdraw, deposit, loan, grant, donate, relation, profile, training, leave,
statement), and the volunteer teams."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from sqlalchemy import func, or_, select

from core.api import Applicant, InvalidInput, NotFound, QuankeError, record_view, today
from plugins.timebank.domain import (
    access,
    availability,
    ledger,
    volunteers,
    withdrawals,
)
from plugins.timebank.domain.catalog import CATEGORIES
from plugins.timebank.domain.deposits import deposit_activity, served_minutes
from plugins.timebank.domain.settings import settings
from plugins.timebank.models import (
    Goods,
    Holder,
    Relation,
    Team,
    TeamMember,
    Training,
    Volunteer,
)
from plugins.timebank.views.admin.scope import _in_scope, _scope
from plugins.timebank.views.blueprint import (
    _statement,
    attempt,
    bp,
    form_date,
    form_int,
    kinds_by_category,
    me,
    quanke,
    recent_movements,
    render,
    staff_required,
)


def _holder_by_number(number: str) -> int:
    number = (number or "").strip().upper()
    with quanke().db.session() as s:
        holder_id = s.scalar(select(Holder.id).join(Applicant, Applicant.id == Holder.applicant_id)
                             .where(Applicant.id_number_index == number))
    if holder_id is None:
        raise NotFound("没有找到该身份证号的时间银行账户，请先登记服务对象", code="holder_not_found")
    return holder_id



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
            stmt = stmt.where(or_(Holder.name.like(like), Applicant.id_number_index == term.upper(),
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

