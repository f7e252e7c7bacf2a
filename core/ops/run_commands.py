"""``quanke db …``, ``serve``, ``worker`` and ``demo-data``: setting up and running an
installation (added to the command line in :mod:`core.ops.cli`).
"""
from __future__ import annotations

import click

from core.ops.context import command_runtime
from core.platform.errors import QuankeError

# -- database ---------------------------------------------------------------------------------

@click.group()
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

@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="HOST")
@click.option("--port", default=5000, show_default=True, type=int, envvar="PORT")
@click.option("--init/--no-init", default=False, help="先迁移数据库并载入演示数据")
@click.option("--production", is_flag=True, help="生产模式：开发密钥或缺少印章证书时拒绝启动")
@click.pass_context
def serve(ctx, host, port, init, production):
    """Run the web application (启动网站)."""
    from core.ops import migrate
    from core.platform.config import address_url
    quanke = command_runtime(ctx)
    if quanke.config.get("BASE_URL_DERIVED"):
        # no BASE_URL configured: documents' QR codes and links point at where we serve
        quanke.config["BASE_URL"] = address_url(host, port)
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
    click.echo(f" 证照二维码与链接: {quanke.config['BASE_URL']}"
               + ("（未配置 BASE_URL，按服务地址推导）" if quanke.config.get("BASE_URL_DERIVED") else ""))
    click.echo(f" 任务: {'内联执行 (无 Redis)' if quanke.jobs.inline else quanke.config['REDIS_URL']}")
    from core.ops.demo import DEMO_LOGINS, DEMO_PASSWORD
    click.echo(f" 演示账号 (用户名 / 密码 {DEMO_PASSWORD}):")
    for username, label in DEMO_LOGINS:
        click.echo(f"   {username:<12} {label}")
    click.echo(f" 市民门户: {url}portal/  (手机号 13800000001，验证码见控制台)")
    click.echo("=" * 60, nl=True)
    app.run(host=host, port=port, debug=False, use_reloader=False)


@click.command()
@click.option("--burst", is_flag=True, help="处理完队列即退出")
@click.option("--cron/--no-cron", default=True, help="同时运行定时任务调度")
@click.pass_context
def worker(ctx, burst, cron):
    """Run an rq worker with the scheduler (后台任务进程)."""
    from core.contract.departments import sync_at_start
    from core.ops.worker import run_worker
    from core.platform.logs import configure_logging
    quanke = command_runtime(ctx)
    configure_logging(quanke.config)
    sync_at_start(quanke)
    from core.ops.holidays import load_configured_holidays
    load_configured_holidays(quanke)
    run_worker(quanke, burst=burst, with_cron=cron)


@click.command("demo-data")
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
