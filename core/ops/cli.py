"""The ``quanke`` command line: serve, worker, db, demo data, users, credit, plugins, audit.

Each command builds its own runtime from the environment (``QUANKE_*``, ``DATABASE_URL``,
``REDIS_URL``); long operations show a progress bar.
"""
from __future__ import annotations

import sys

import click
from tqdm import tqdm

from core.ops.context import command_runtime
from core.ops.document_commands import documents, seal, verify_pdf
from core.platform.errors import QuankeError


def command_host():
    """The plugins whose commands join the CLI (lenient: a broken plugin loses its commands)."""
    from core.contract.host import PluginHost
    return PluginHost(strict=False)


class QuankeGroup(click.Group):
    """Adds the commands plugins register (``register_commands``) when the CLI starts."""

    def _plugin_commands(self, ctx) -> dict:
        try:
            host = command_host()
        except Exception:  # noqa: BLE001 - the core commands must work with a broken plugin
            return {}
        return {c.name: c for c in host.collect("register_commands")}

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(self._plugin_commands(ctx)))

    def get_command(self, ctx, name):
        return super().get_command(ctx, name) or self._plugin_commands(ctx).get(name)


@click.group(cls=QuankeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def main(ctx):
    """Quanke（全科）全科窗口综合受理后台。"""


# -- database ---------------------------------------------------------------------------------

@main.group()
def db():
    """数据库迁移 (Alembic)."""


@db.command("upgrade")
@click.argument("revision", default="heads")
@click.pass_context
def db_upgrade(ctx, revision):
    """Apply migrations of the core and every plugin (应用数据库迁移)."""
    from core.ops import migrate
    quanke = command_runtime(ctx)
    migrate.upgrade(quanke, revision)
    click.echo(f"数据库已迁移到最新版本：{', '.join(sorted(migrate.current_heads(quanke)))}")


@db.command("current")
@click.pass_context
def db_current(ctx):
    """Show applied and expected migration heads."""
    from core.ops import migrate
    quanke = command_runtime(ctx)
    click.echo(f"current:  {sorted(migrate.current_heads(quanke))}")
    click.echo(f"expected: {sorted(migrate.expected_heads(quanke))}")


# -- running ----------------------------------------------------------------------------------

@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--init/--no-init", default=False, help="先迁移数据库并载入演示数据")
@click.option("--production", is_flag=True, help="生产模式：开发密钥或缺少印章证书时拒绝启动")
@click.pass_context
def serve(ctx, host, port, init, production):
    """Run the web application (启动网站)."""
    from core.ops import migrate
    quanke = command_runtime(ctx)
    if production:
        from core.ops.readiness import refuse_unless_production_ready
        refuse_unless_production_ready(quanke)
    if init:
        migrate.upgrade(quanke)
        from core.ops.demo import load_demo
        try:
            load_demo(quanke)
        except QuankeError as exc:   # e.g. production: demo accounts have a published password
            raise click.ClickException(exc.message) from None
    app = quanke.web_app()
    url = f"http://{host}:{port}/"
    click.echo("=" * 60)
    click.echo(f" Quanke 全科 已启动: {url}")
    click.echo(f" 数据库: {quanke.db.url}")
    click.echo(f" 任务: {'内联执行 (无 Redis)' if quanke.jobs.inline else quanke.config['REDIS_URL']}")
    from core.ops.demo import DEMO_LOGINS
    click.echo(" 演示账号 (用户名 / 密码 demo12345):")
    for username, label in DEMO_LOGINS:
        click.echo(f"   {username:<12} {label}")
    click.echo(f" 市民门户: {url}portal/  (手机号 13800000001，验证码见控制台)")
    click.echo("=" * 60, nl=True)
    app.run(host=host, port=port, debug=False, use_reloader=False)


@main.command()
@click.option("--burst", is_flag=True, help="处理完队列即退出")
@click.option("--cron/--no-cron", default=True, help="同时运行定时任务调度")
@click.pass_context
def worker(ctx, burst, cron):
    """Run an rq worker with the scheduler (后台任务进程)."""
    from core.ops.worker import run_worker
    from core.platform.logs import configure_logging
    from core.contract.departments import sync_at_start
    quanke = command_runtime(ctx)
    configure_logging(quanke.config)
    sync_at_start(quanke)
    run_worker(quanke, burst=burst, with_cron=cron)


@main.command("demo-data")
@click.option("--scale", type=click.Choice(["demo", "district", "district-small"]), default="demo",
              show_default=True,
              help="district: 137 centres, 1,000,000 applications (core.ops.district); district-small: "
                   "the same shape with 20,000 applications, for quick load-test runs")
@click.pass_context
def demo_data(ctx, scale):
    """Load demonstration data; running it twice adds nothing (载入演示数据)."""
    import resource
    import time

    from core.ops.demo import load_demo
    started = time.monotonic()
    try:
        created = load_demo(command_runtime(ctx), scale=scale, progress=True)
    except QuankeError as exc:
        raise click.ClickException(exc.message) from None
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    click.echo(f"演示数据已就绪（新增 {created} 条记录，用时 {time.monotonic() - started:.0f} 秒，"
               f"内存峰值 {peak_mb:.0f} MB）")


# -- users ------------------------------------------------------------------------------------

@main.group()
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

@main.group()
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

@main.group()
def calendar():
    """Working-day calendar (工作日历)."""


@calendar.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def calendar_load(ctx, path):
    """Load a holiday file (CSV date,type,name) for years chinesecalendar lacks."""
    from core.deadlines import load_holiday_file
    quanke = command_runtime(ctx)
    try:
        with quanke.db.session() as session:
            count = load_holiday_file(session, path)
    except QuankeError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"已载入 {count} 天的节假日安排")


# -- plugins ----------------------------------------------------------------------------------

@main.command("plugins")
@click.option("--check", is_flag=True,
              help="检查每个插件：加载错误、迁移是否已应用、证照字段、所需配置与模板（有问题时退出码 1）")
@click.pass_context
def plugins_cmd(ctx, check):
    """List plugins with version, origin and services (插件列表)."""
    if check:
        from core.ops.plugin_check import check as health_check
        from core.ops.plugin_check import health_runtime
        try:
            report = health_check(health_runtime())
        except QuankeError as exc:
            raise click.ClickException(exc.message) from None
        for line in report.lines():
            click.echo(line)
        sys.exit(0 if report.ok else 1)
    quanke = command_runtime(ctx)
    for info in quanke.plugins.plugins():
        state = "启用" if info.enabled else f"停用：{info.error}"
        click.echo(f"{info.name}  {info.version}  [{info.origin}]  {state}")
        for code in info.services:
            service = quanke.plugins.services[code]
            click.echo(f"    - {code}  {service.name}  （{quanke.plugins.departments[service.department]}）")


@main.group("plugin")
def plugin_group():
    """Plugin development (插件开发)."""


@plugin_group.command("new")
@click.argument("name")
@click.option("--dir", "directory", default=".", show_default=True,
              type=click.Path(file_okay=False), help="在此目录下创建 quanke-NAME/")
@click.option("--department", default=None, help="审批部门编码（默认同插件名）")
@click.option("--department-name", default=None, help="审批部门中文名称")
@click.option("--service-name", default=None, help="示例事项的中文名称（默认“示例证明”）")
def plugin_new(name, directory, department, department_name, service_name):
    """Create a ready-to-install plugin package (生成插件骨架)."""
    from core.contract.scaffold import create
    try:
        made = create(name, directory, department=department, department_name=department_name,
                      service_name=service_name)
    except QuankeError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"已创建插件 {made.plugin}：{made.root}")
    click.echo(f"  事项 {made.service_code}，审批部门 {made.department}，{len(made.files)} 个文件")
    click.echo("下一步：")
    click.echo(f"  pip install -e {made.root}")
    click.echo("  quanke db upgrade && quanke plugins --check")
    click.echo(f"  cd {made.root} && pytest")


# -- audit ------------------------------------------------------------------------------------

@main.group()
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


from core.ops.identity_commands import identity  # noqa: E402

main.add_command(identity)
main.add_command(seal)
from core.ops.backup import backup_command, restore_command; main.add_command(backup_command)  # noqa: E402,E702
main.add_command(restore_command)
main.add_command(verify_pdf)
main.add_command(documents)

from core.ops.token_commands import token_command  # noqa: E402 - `quanke user token USERNAME`

user.add_command(token_command)


if __name__ == "__main__":  # `python -m core.ops.cli`
    main()
