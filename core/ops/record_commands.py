"""``quanke user create``, ``credit import``, ``calendar load`` and ``audit verify``: the
records staff keep (added to the command line in :mod:`core.ops.cli`).
"""
from __future__ import annotations

import sys

import click
from tqdm import tqdm

from core.ops.context import command_runtime
from core.platform.errors import QuankeError

# -- users ------------------------------------------------------------------------------------

@click.group()
def user():
    """Staff accounts (工作人员账号)."""


@user.command("create")
@click.argument("username")
@click.option("--name", required=True, help="姓名")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", "roles", multiple=True, required=True,
              help="角色，可多次：counter agent centre_admin sys_admin auditor approver:<dept> dept_lead:<dept> inspector:<dept>")
@click.option("--centre", "centre_code", default=None, help="所属中心编码")
@click.pass_context
def user_create(ctx, username, name, password, roles, centre_code):
    """Create a staff user with roles."""
    from core.people.users import create_user
    quanke = command_runtime(ctx)
    try:
        with quanke.db.session() as session:
            created = create_user(session, username=username, name=name, password=password,
                                  roles=roles, centre_code=centre_code, actor="cli")
            click.echo(f"已创建用户 {created.username}（{created.name}），角色：{', '.join(roles)}")
    except QuankeError as exc:
        raise click.ClickException(exc.message) from None


# -- credit -----------------------------------------------------------------------------------

@click.group()
def credit():
    """Credit records (信用记录)."""


@credit.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def credit_import(ctx, path):
    """Import dishonesty records from CSV; bad rows are reported with line numbers."""
    from core.credit import import_csv
    quanke = command_runtime(ctx)
    with open(path, "rb") as fh:
        total = max(sum(1 for _ in fh) - 1, 0)
    try:
        with quanke.db.session() as session, tqdm(total=total, unit="行", desc="导入信用记录") as bar:
            report = import_csv(session, path, actor="cli", progress=bar.update)
    except QuankeError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"新增 {report.imported} 条，更新 {report.updated} 条，未变 {report.unchanged} 条，"
               f"错误 {len(report.errors)} 行")
    for line, reason in report.errors:
        click.echo(f"  第 {line} 行：{reason}", err=True)
    sys.exit(1 if report.errors and not report.ok else 0)


# -- calendar ---------------------------------------------------------------------------------

@click.group()
def calendar():
    """Working-day calendar (工作日历)."""


@calendar.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def calendar_load(ctx, path):
    """Load a holiday file (CSV date,type,name) for years chinesecalendar lacks."""
    from tqdm import tqdm

    from core.ops.holidays import apply_holiday_file
    quanke = command_runtime(ctx)

    def progress(items):
        return tqdm(items, desc="重新计算办结期限", unit="件", disable=not items)
    try:
        result = apply_holiday_file(quanke, path, progress=progress)
    except QuankeError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"已载入 {result.days} 天的节假日安排")
    if result.official_years:
        years = "、".join(f"{y}年" for y in result.official_years)
        click.echo(f"{years}的安排已完整载入，不再是暂定；{len(result.moved)} 件在办申请的办结期限已调整并通知申请人：")
        for row in result.moved:
            click.echo(f"  {row['number']}  {row['before']} → {row['after']}")


@calendar.command("provisional")
@click.pass_context
def calendar_provisional(ctx):
    """List running applications whose due date rests on a provisional year (暂定)."""
    from core.approval.provisional import provisional_applications
    quanke = command_runtime(ctx)
    rows = provisional_applications(quanke)
    for row in rows:
        click.echo(f"{row.number}  {row.due_date}  暂定年份：{'、'.join(map(str, row.years))}")
    click.echo(f"共 {len(rows)} 件在办申请的办结期限为暂定")


# -- audit ------------------------------------------------------------------------------------

@click.group()
def audit():
    """Audit log (审计日志)."""


@audit.command("verify")
@click.option("--seal", "seal_first", is_flag=True,
              help="先封链：把尚未封链的事件接入链条后再校验")
@click.pass_context
def audit_verify(ctx, seal_first):
    """Verify the hash chain; exit 1 and name the first bad event if it was tampered with.

    Events not yet sealed (chained by the sealer) are counted, not checked; ``--seal`` seals
    them first.
    """
    from core.platform import audit as audit_log
    quanke = command_runtime(ctx)
    if seal_first:
        sealed = audit_log.seal(quanke.db.engine)
        click.echo(f"已封链 {sealed} 条事件")
    with quanke.db.session() as session:
        total = audit_log.count(session)
        with tqdm(total=total, unit="条", desc="校验审计链", disable=total < 1000) as bar:
            result = audit_log.verify(session, progress=bar.update)
    click.echo(str(result))
    sys.exit(0 if result.ok else 1)
