"""``quanke archive …``: import an archive CSV, show a category's columns."""
from __future__ import annotations

import csv
import sys
from pathlib import Path

import click

from core.api import QuankeError, command_runtime

from plugins.archive_query.domain.categories import CATEGORIES, COMMON_LABELS
from plugins.archive_query.domain.categories import category as category_for


@click.group("archive")
def archive():
    """档案库（档案查询 e站通）：导入档案、查看导入格式。"""


@archive.command("columns")
@click.argument("category", required=False)
def columns(category):
    """列出某类档案 CSV 的列（不写类别则列出全部五类）。"""
    try:
        cats = [category_for(category)] if category else list(CATEGORIES.values())
    except QuankeError as exc:
        raise click.ClickException(exc.message) from None
    for cat in cats:
        click.echo(f"{cat.code}（{cat.label}）：")
        for name in cat.columns:
            spec = cat.field(name)
            role = next((r for r in cat.roles if name.startswith(r.role + "_")), None)
            if name in COMMON_LABELS:
                label = COMMON_LABELS[name] + {"item_no": "（可空）",
                                               "record_date": "，格式 YYYY-MM-DD"}.get(name, "")
            elif role is not None:
                what = "身份证号" if name.endswith("_id_number") else "姓名"
                label = f"{role.label}{what}" + ("" if role.required else "（可空）")
            else:
                label = spec.label + ("" if spec.required else "（可空）")
                if spec.choices:
                    label += f"，可选：{'、'.join(spec.choices)}"
                if spec.kind == "date":
                    label += "，格式 YYYY-MM-DD"
                if spec.kind == "int":
                    label += "，0至50的整数"
                if not spec.public:
                    label += "，不向查询人展示"
            click.echo(f"  {name:<22} {label}")


@archive.command("import")
@click.argument("category")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--errors", "errors_path", type=click.Path(dir_okay=False, writable=True),
              help="把所有错误行（行号、原因）写入此 CSV 文件")
@click.option("--batch-size", default=5000, show_default=True, type=click.IntRange(100, 100_000),
              help="每批写入的行数")
@click.pass_context
def import_command(ctx, category, path, errors_path, batch_size):
    """导入一类档案的 CSV 文件（CATEGORY 为 family_planning/marriage/employment/appointment/veteran
    或中文名）。坏行按行号报告，好行照常导入；重复导入同一文件不会重复建档。有错误行时退出码为 1。"""
    from tqdm import tqdm

    from plugins.archive_query.domain.importer import import_csv
    from plugins.archive_query.domain.parsing import scan
    try:
        cat = category_for(category)
    except QuankeError as exc:
        raise click.ClickException(exc.message) from None
    quanke = command_runtime(ctx)
    total, sha256 = scan(Path(path))
    sink = open(errors_path, "w", encoding="utf-8-sig", newline="") if errors_path else None
    writer = csv.writer(sink) if sink else None
    if writer:
        writer.writerow(["行号", "错误原因"])
    shown = [0]

    def on_error(line, reason):
        if writer:
            writer.writerow([line, reason])

    try:
        with tqdm(total=total, unit="行", desc=f"导入{cat.label}", disable=None) as bar:
            report = import_csv(quanke, cat, path, actor="cli", batch_size=batch_size,
                                progress=bar.update, on_error=on_error, sha256=sha256)
    except QuankeError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        if sink:
            sink.close()
    click.echo(f"{cat.label}导入完成：{report.summary()}")
    for line, reason in report.errors[:50]:
        click.echo(f"  第 {line} 行：{reason}", err=True)
        shown[0] += 1
    if report.error_count > shown[0]:
        more = f"，全部错误已写入 {errors_path}" if errors_path else "，用 --errors 文件名 导出全部错误"
        click.echo(f"  ……另有 {report.error_count - shown[0]} 行错误{more}", err=True)
    sys.exit(1 if report.error_count else 0)
