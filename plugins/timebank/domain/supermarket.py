"""The charity supermarket (慈善超市): goods priced in minutes, exchanged from the 20% bucket.

Stock is a row per item; an exchange locks the item row, then the accounts, so two
people taking the last item at once cannot both get it. Any community's supermarket
serves any holder (通存通兑); the minutes land in that supermarket's account.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import InvalidInput, InvalidState, NotFound, record_audit

from plugins.timebank.domain import access, ledger
from plugins.timebank.models import Exchange, Goods, Holder
from plugins.timebank.domain.settings import settings


def _lock_goods(session: Session, goods_id: int) -> Goods:
    stmt = select(Goods).where(Goods.id == goods_id)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    goods = session.scalar(stmt)
    if goods is None:
        raise NotFound("商品不存在", code="goods_not_found")
    return goods


def add_goods(quanke, actor, *, community: str, name: str, unit: str, price_minutes: int, stock: int) -> Goods:
    rules = settings(quanke)
    name, unit = (name or "").strip(), (unit or "件").strip()
    if not 1 <= len(name) <= 64:
        raise InvalidInput("请填写商品名称", code="name_required", field="name")
    ledger.require_minutes(price_minutes, field="price_minutes", what="商品价格")
    if isinstance(stock, bool) or not isinstance(stock, int) or stock < 0:
        raise InvalidInput("库存必须是非负整数", code="invalid_stock", field="stock")
    with quanke.db.session() as session:
        access.require_admin(session, actor, rules, community, "上架商品")
        if not rules.is_community(community):
            raise InvalidInput("社区不存在", code="unknown_community", field="community")
        goods = Goods(community=community, name=name, unit=unit[:8] or "件", price_minutes=price_minutes,
                      stock=stock, active=True)
        session.add(goods)
        session.flush()
        record_audit(session, actor=access.actor_key(actor), action="timebank.goods_added",
                     object_type="tb_goods", object_id=goods.id,
                     data={"community": community, "name": name, "price": price_minutes, "stock": stock})
        return goods


def restock(quanke, actor, goods_id: int, *, quantity: int, price_minutes: int | None = None) -> Goods:
    rules = settings(quanke)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise InvalidInput("补货数量必须是正整数", code="invalid_quantity", field="quantity")
    with quanke.db.session() as session:
        goods = _lock_goods(session, goods_id)
        access.require_admin(session, actor, rules, goods.community, "补货")
        goods.stock += quantity
        if price_minutes is not None:
            goods.price_minutes = ledger.require_minutes(price_minutes, field="price_minutes", what="商品价格")
        record_audit(session, actor=access.actor_key(actor), action="timebank.goods_restocked",
                     object_type="tb_goods", object_id=goods.id,
                     data={"added": quantity, "stock": goods.stock, "price": goods.price_minutes})
        return goods


def exchange(quanke, actor, *, holder_id: int, goods_id: int, quantity: int, at=None) -> int:
    """Hand out goods against the holder's goods bucket; returns the journal id."""
    rules = settings(quanke)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise InvalidInput("兑换数量必须是正整数", code="invalid_quantity", field="quantity")
    with quanke.db.session() as session:
        goods = _lock_goods(session, goods_id)
        access.require_admin(session, actor, rules, goods.community, "办理超市兑换")
        if not goods.active:
            raise InvalidState(f"{goods.name}已下架", code="goods_inactive")
        if goods.stock < quantity:
            raise InvalidInput(f"{goods.name}库存不足：现有 {goods.stock}{goods.unit}，需要 {quantity}{goods.unit}",
                               code="out_of_stock", details={"stock": goods.stock, "wanted": quantity})
        holder = session.get(Holder, holder_id)
        if holder is None:
            raise NotFound("账户不存在", code="holder_not_found")
        cost = goods.price_minutes * quantity
        own = ledger.holder_accounts(session, holder.id)
        shop = ledger.community_accounts(session, goods.community)["supermarket"]
        posted = ledger.post(session, kind="exchange", lines=[(own["goods"], -cost), (shop, cost)],
                             community=goods.community, actor=access.actor_key(actor), rules=rules,
                             holder_id=holder.id, minutes=cost, subject=holder.subject,
                             memo=f"兑换{goods.name}×{quantity}",
                             ref={"goods": goods.id, "quantity": quantity, "unit_price": goods.price_minutes}, at=at)
        goods.stock -= quantity
        session.add(Exchange(journal_id=posted.journal_id, goods_id=goods.id, quantity=quantity,
                             unit_price=goods.price_minutes))
        return posted.journal_id
