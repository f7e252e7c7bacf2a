"""Goods and cash: the charity supermarket (goods, restocking), cash settlement and 通存通兑
(settlements between communities)."""
from __future__ import annotations

from flask import request, url_for
from sqlalchemy import func, select

from plugins.timebank.domain import interbank, reports, supermarket, withdrawals
from plugins.timebank.models import CashPayout, Exchange, Goods, Holder
from plugins.timebank.views.admin.scope import _in_scope, _scope
from plugins.timebank.views.blueprint import (
    attempt,
    bp,
    form_int,
    me,
    quanke,
    render,
    staff_required,
)

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

