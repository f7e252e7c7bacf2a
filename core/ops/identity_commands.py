"""``quanke identity …`` commands (register with ``main.add_command(identity)`` in core/ops/cli.py).

    quanke identity import people.csv photos/      # CSV id_number,name,photo[,phone]
    quanke identity purge-photos                   # delete raw photos past retention
    quanke identity recover                        # requeue/fail checks left by dead workers
    quanke identity check-engine                   # is the face engine installed and loaded?
"""
from __future__ import annotations

import click

from core.ops.context import command_runtime
from core.platform.errors import QuankeError


@click.group("identity")
def identity():
    """身份核验：人像登记导入、照片清理、核验任务恢复。"""


@identity.command("import")
@click.argument("csv_path", type=click.Path(exists=True, dir_okay=False))
@click.argument("photo_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--by", "operator", default="cli", show_default=True, help="记入审计的操作人标识")
def import_command(csv_path, photo_dir, operator):
    """Import reference faces from a CSV and a folder of photos (批量导入人像)."""
    from core.identity.enrolment import import_references
    quanke = command_runtime(click.get_current_context())
    try:
        report = import_references(quanke, f"cli:{operator}", csv_path, photo_dir, progress=True)
    except QuankeError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        quanke.close()
    click.echo(str(report))
    if report.failed and not report.imported:
        raise SystemExit(1)


@identity.command("purge-photos")
def purge_command():
    """Delete raw reference photos past FACE_PHOTO_RETENTION_DAYS (清理过期登记照片)."""
    from core.identity.enrolment import purge_expired_photos
    quanke = command_runtime(click.get_current_context())
    try:
        click.echo(f"已删除过期登记照片 {purge_expired_photos(quanke)} 张")
    finally:
        quanke.close()


@identity.command("recover")
def recover_command():
    """Requeue or fail face checks left running by a dead worker (恢复中断的核验)."""
    from core.identity.verification import recover_stale_checks
    quanke = command_runtime(click.get_current_context())
    try:
        click.echo(f"已处理中断的人脸核验 {recover_stale_checks(quanke)} 项")
    finally:
        quanke.close()


@identity.command("check-engine")
def check_engine_command():
    """Load the face models and report (检查人脸识别组件)."""
    import time

    from core.identity import FaceEngineMissing, faces_module
    started = time.perf_counter()
    try:
        faces_module().engine()
    except FaceEngineMissing as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"人脸识别组件可用（加载 {time.perf_counter() - started:.2f} 秒）")
