"""Click commands for seals and signed PDFs. The ``quanke`` group adds them:

    quanke seal init --dir instance/seals --department amr=市场监督管理局 --department hrss=人社局
    quanke verify-pdf 营业执照.pdf --ca instance/seals/ca.pem
    quanke documents regenerate --from 2026-11-01 --to 2026-11-30 --kind certificate
"""
from __future__ import annotations

import contextlib
import datetime as dt
import logging
from pathlib import Path

import click
from tqdm import tqdm

from core.ops.context import command_runtime
from core.papers.seal import CA_CERT_FILE, CA_KEY_FILE, DEFAULT_PASSPHRASE, init_dev_ca
from core.papers.seal import verify_pdf as _verify
from core.platform.clock import local
from core.platform.errors import QuankeError

__all__ = ["seal", "seal_init", "verify_pdf", "documents", "documents_regenerate"]


@click.group("seal", help="电子印章 / electronic seals.")
def seal() -> None:
    pass


def _department(value: str) -> tuple[str, str]:
    code, sep, name = value.partition("=")
    if not sep or not code.strip() or not name.strip():
        raise click.BadParameter(f"应为 编码=名称（code=name），收到 {value!r}")
    return code.strip(), name.strip()


@seal.command("init", help="创建开发用根证书及各部门印章证书 / create the development CA and department seals.")
@click.option("--dir", "directory", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="证书目录 / seal directory")
@click.option("--department", "departments", multiple=True, required=True, metavar="CODE=名称",
              help="部门编码=名称，可重复 / department code=name, repeatable")
@click.option("--passphrase", envvar="QUANKE_SEAL_PASSPHRASE", default=DEFAULT_PASSPHRASE.decode(),
              show_default=True, help="PKCS#12 口令 / passphrase")
def seal_init(directory: Path, departments: tuple[str, ...], passphrase: str) -> None:
    wanted = dict(_department(d) for d in departments)
    ca_existed = (directory / CA_CERT_FILE).exists()
    existed = {code for code in wanted if (directory / f"{code}.p12").exists()}
    try:
        paths = init_dev_ca(directory, wanted, passphrase.encode())
    except QuankeError as exc:
        raise click.ClickException(exc.message) from None
    ca = directory / CA_CERT_FILE
    click.echo(f"{'已存在' if ca_existed else '已创建'} 根证书 / CA {'kept' if ca_existed else 'created'}: {ca}"
               + ("" if ca_existed else f"（私钥 key: {directory / CA_KEY_FILE}）"))
    for code, path in paths.items():
        if code in existed:
            click.echo(f"已存在 / kept:    {code}（{wanted[code]}）: {path}")
        else:
            click.echo(f"已创建 / created: {code}（{wanted[code]}）: {path}")
    click.echo("注意：以上为开发用证书，不得用于正式出具文书。/ Development certificates only.")


@contextlib.contextmanager
def _quiet_pyhanko():
    """pyHanko logs validation failures with full tracebacks; a CLI user gets our summary instead."""
    loggers = [logging.getLogger(name) for name in ("pyhanko", "pyhanko_certvalidator")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


def _yes(value: bool) -> str:
    return "是 / yes" if value else "否 / no"


@click.command("verify-pdf", help="核验 PDF 的电子印章 / verify a sealed PDF. 退出码 0 = 已盖章且未被修改"
                    "（给出 --ca 时还须证书可信）/ exit 0 = signed and intact (and trusted when --ca is given).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--ca", "cas", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="受信任的根证书（PEM/DER），可重复 / trusted root certificate, repeatable")
def verify_pdf(file: Path, cas: tuple[Path, ...]) -> None:
    with _quiet_pyhanko():
        report = _verify(file.read_bytes(), list(cas) or None)
    click.echo(f"文件 / file:            {file}")
    click.echo(f"已盖章 / signed:        {_yes(report.signed)}")
    if report.signed:
        when = (local(report.signing_time).strftime("%Y-%m-%d %H:%M:%S（北京时间 / UTC+8）")
                if report.signing_time else "未知 / unknown")
        click.echo(f"签章人 / signer:        {report.signer_common_name or '未知 / unknown'}")
        click.echo(f"签章时间 / signed at:   {when}")
        click.echo(f"完整性 / integrity:     {'完好 / intact' if report.intact else '已被修改 / MODIFIED'}")
        click.echo(f"签名有效 / valid:       {_yes(report.valid)}")
        trust = _yes(report.trusted) if cas else "未核验（未提供 --ca）/ not checked (no --ca)"
        click.echo(f"证书可信 / trusted:     {trust}")
    for error in report.errors:
        click.echo(f"问题 / problem: {error}")
    passed = report.ok and (report.trusted or not cas)
    click.echo("结论 / result: " + ("通过 / OK" if passed else "未通过 / FAILED"))
    click.get_current_context().exit(0 if passed else 1)


# --------------------------------------------------------------------------- documents


@click.group("documents", help="已出具的文书 / issued documents.")
def documents() -> None:
    pass


def _kinds() -> list[str]:
    from core.papers.issuance import KINDS
    return list(KINDS)


@documents.command("regenerate", help="按出具日期重新生成文书（如模板修改后），旧版本标记为“已被替换”"
                   " / rebuild documents issued in a date range; old versions become superseded.")
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="起始出具日期（北京时间，含）/ first issue date, inclusive")
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="截止出具日期（北京时间，含）/ last issue date, inclusive")
@click.option("--kind", type=click.Choice(_kinds()), default=None,
              help="只处理一种文书 / only this kind")
@click.option("--dry-run", is_flag=True, help="只统计不生成 / count only")
def documents_regenerate(start: dt.datetime, end: dt.datetime, kind: str | None, dry_run: bool) -> None:
    from core.papers.issuance import documents_in_range, regenerate_range
    first, last = start.date(), end.date()
    if last < first:
        raise click.BadParameter("截止日期早于起始日期 / --to is before --from", param_hint="--to")
    quanke = command_runtime(click.get_current_context())
    with quanke.db.session() as session:
        total = len(documents_in_range(session, first, last, kind))
    what = f"（{kind}）" if kind else ""
    click.echo(f"{first:%Y-%m-%d} 至 {last:%Y-%m-%d} 出具的有效文书{what}：{total} 份")
    if dry_run or not total:
        return
    done, failures = 0, []
    with tqdm(total=total, unit="份", desc="重新生成文书") as bar:
        for old_id, result in regenerate_range(quanke, first, last, kind=kind, actor="cli",
                                               progress=bar.update):
            if isinstance(result, Exception):
                failures.append((old_id, result))
            else:
                done += 1
    click.echo(f"已重新生成 {done} 份，失败 {len(failures)} 份；旧版本的验证码现显示“已被替换”。")
    for old_id, exc in failures:
        message = exc.message if isinstance(exc, QuankeError) else f"{type(exc).__name__}: {exc}"
        click.echo(f"  文书 {old_id}：{message}", err=True)
    click.get_current_context().exit(1 if failures else 0)
