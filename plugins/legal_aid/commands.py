"""``quanke legal-aid …``: load the hardship standards, run the follow-up sweep."""
from __future__ import annotations

import click

from core.api import QuankeError, command_runtime


@click.group("legal-aid", help="法律援助（《中华人民共和国法律援助法》）。")
def legal_aid() -> None:
    pass


@legal_aid.command("load-standards")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def load_standards(path):
    """Load the local economic-hardship standards (第三十四条) from a CSV file.

    Columns: area_code,effective_from,monthly_per_head,assets_per_head,source. All lines or
    none: every bad line is reported with its number and nothing is loaded.
    """
    from plugins.legal_aid.domain.standards import load_file
    quanke = command_runtime(click.get_current_context())
    try:
        report = load_file(quanke, path, actor="cli")
    except QuankeError as exc:
        lines = (exc.details or {}).get("lines") or []
        if lines:
            click.echo(f"经济困难标准文件有 {len(lines)} 行错误，未导入任何数据：", err=True)
            for item in lines:
                click.echo(f"  第 {item['line']} 行：{item['message']}", err=True)
            raise SystemExit(1)
        raise click.ClickException(exc.message) from None
    click.echo(f"经济困难标准已导入：{report}（《中华人民共和国法律援助法》第三十四条）")


@legal_aid.command("sweep")
def sweep_command():
    """Issue letters and assign lawyers for decisions taken elsewhere (normally scheduled)."""
    from plugins.legal_aid.domain.followup import sweep
    changed = sweep(command_runtime(click.get_current_context()))
    click.echo(f"已跟进 {changed} 件法律援助申请")
