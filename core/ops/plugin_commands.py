"""``quanke plugins [--check]`` and ``quanke plugin new``: listing, checking and scaffolding
plugins (added to the command line in :mod:`core.ops.cli`).
"""
from __future__ import annotations

import sys

import click

from core.ops.context import command_runtime
from core.platform.errors import QuankeError

# -- plugins ----------------------------------------------------------------------------------

@click.command("plugins")
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


@click.group("plugin")
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
