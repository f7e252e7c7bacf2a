"""``quanke business-license …``: run the supervision push and the catch-up by hand."""
from __future__ import annotations

import click

from core.api import command_runtime


@click.group("business-license")
def business_license():
    """个体工商户登记：批管同步、名录维护."""


@business_license.command("push-supervision")
@click.option("--day", default=None, help="推送截至该日（YYYY-MM-DD，默认今天）的核准结果")
@click.pass_context
def push_supervision(ctx, day):
    """Push approvals to the supervision feed and create inspection tasks (批管同步)."""
    from plugins.business_license.domain.supervision import daily_push
    try:
        result = daily_push(command_runtime(ctx), day=day)
    except ValueError:
        raise click.BadParameter("日期格式应为 YYYY-MM-DD", param_hint="--day") from None
    click.echo(f"批管同步完成：推送 {result['pushed']} 条核准结果，生成 {result['tasks']} 项核查任务"
               + (f"，{result['waiting']} 条待名录写入后推送" if result["waiting"] else ""))


@business_license.command("process-decisions")
@click.pass_context
def process(ctx):
    """Write decided applications the register has not seen yet (补录核准结果)."""
    from plugins.business_license.domain.events import process_decisions
    done = process_decisions(command_runtime(ctx))
    click.echo(f"已处理 {done} 件")
