"""``quanke timebank …``: check the ledger, rate stars, build a monthly report."""
from __future__ import annotations

import click

from core.api import QuankeError, command_runtime


@click.group("timebank")
def timebank():
    """时间银行：账本核对、星级评定、月度报表。"""


@timebank.command("verify")
@click.pass_context
def verify(ctx):
    """核对账本：每个账户余额=流水合计，全部流水合计为零，无透支。"""
    from plugins.timebank.domain.ledger import verify as check
    quanke = command_runtime(ctx)
    with quanke.db.session() as session:
        problems = check(session)
    if problems:
        for p in problems:
            click.echo(f"✗ {p}")
        raise SystemExit(1)
    click.echo("账本核对通过：余额与流水一致，借贷平衡，无透支。")


@timebank.command("stars")
@click.option("--day", help="评定日期 YYYY-MM-DD（默认今天）")
@click.pass_context
def stars(ctx, day):
    """按累计服务时长评定星级志愿者（平时由 12 月 5 日的定时任务执行）。"""
    from plugins.timebank.domain.stars import award
    try:
        made = award(command_runtime(ctx), day=day)
    except (QuankeError, ValueError) as exc:
        raise click.ClickException(str(getattr(exc, "message", exc))) from None
    click.echo(f"新评定星级志愿者 {made} 名。")


@timebank.command("report")
@click.option("--month", help="月份 YYYY-MM（默认上月）")
@click.option("--replace", is_flag=True, help="重新生成已有的月报")
@click.pass_context
def report(ctx, month, replace):
    """生成各社区月度报表（CSV 与图表）。"""
    from plugins.timebank.domain.reports import generate
    try:
        row = generate(command_runtime(ctx), month=month, actor="cli", replace=replace)
    except QuankeError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"{row.month} 月报已生成。")
