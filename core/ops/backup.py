"""``quanke backup FILE`` / ``quanke restore FILE``: the whole database in one file.

PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists
--single-transaction`` (all or nothing), the password passed in ``PGPASSWORD``, never on the
command line. SQLite: the ``sqlite3`` online backup API, consistent while the site runs.
Files under ``instance/`` (uploads, seals) are not in the database: back them up with the
file system (see ``docs/operations.md``). After a restore, ``quanke audit verify`` checks that
the audit chain came back whole.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click

from core.ops.context import command_runtime
from core.platform.errors import QuankeError

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(QuankeError):
    code = "backup_failed"
    http_status = 500


def _libpq(url: str) -> tuple[str, dict]:
    """SQLAlchemy URL → (libpq URL without password, environment with PGPASSWORD)."""
    from sqlalchemy.engine import make_url
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"找不到 {name}：请安装 PostgreSQL 客户端（与服务器同一主版本）。",
                          code="tool_missing")
    return path


def _run(cmd: list[str], env: dict) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} 失败（退出码 {done.returncode}）：{done.stderr.strip()[-1500:]}")


def _sqlite_path(quanke) -> Path:
    database = quanke.db.engine.url.database
    if not database or database == ":memory:":
        raise BackupError("内存中的 SQLite 数据库无法备份。")
    return Path(database)


def backup(quanke, target: str | Path) -> Path:
    """Write the database to ``target``; returns the path (written atomically)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    try:
        if quanke.db.is_postgres:
            url, env = _libpq(quanke.db.url)
            _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                  f"--file={partial}", f"--dbname={url}"], env)
        else:
            source = sqlite3.connect(_sqlite_path(quanke))
            dest = sqlite3.connect(partial)
            try:
                with dest:
                    source.backup(dest)
            finally:
                dest.close()
                source.close()
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def kind_of(path: str | Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head.startswith(PG_MAGIC):
        return "postgresql"
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    raise BackupError(f"{path} 不是 Quanke 备份文件（既不是 pg_dump 自定义格式，也不是 SQLite 数据库）。",
                      code="not_a_backup")


def restore(quanke, source: str | Path) -> None:
    """Replace the database's content with the backup ``source`` (all or nothing)."""
    source = Path(source)
    kind = kind_of(source)
    target = "postgresql" if quanke.db.is_postgres else "sqlite"
    if kind != target:
        raise BackupError(f"备份文件是 {kind} 格式，当前数据库是 {target}：不能直接恢复。",
                          code="backup_kind_mismatch")
    quanke.db.dispose()  # our own pooled connections must not hold locks during the restore
    if kind == "postgresql":
        url, env = _libpq(quanke.db.url)
        _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--single-transaction", "--exit-on-error", f"--dbname={url}", str(source)], env)
    else:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dest = sqlite3.connect(_sqlite_path(quanke))
        try:
            with dest:
                src.backup(dest)
        finally:
            dest.close()
            src.close()
    quanke.forget_calendar()


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
@click.pass_context
def backup_command(ctx, file):
    """Back up the database to FILE (备份数据库：PostgreSQL 用 pg_dump，SQLite 用在线备份)."""
    quanke = command_runtime(ctx)
    try:
        path = backup(quanke, file)
    except QuankeError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"已备份到 {path}（{path.stat().st_size:,} 字节）。上传文件和印章目录请另行备份：{quanke.config['INSTANCE_PATH']}")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="不再询问，直接覆盖当前数据库")
@click.pass_context
def restore_command(ctx, file, yes):
    """Restore the database from FILE, replacing its content (从备份恢复，覆盖当前数据).

    Stop the web and worker processes first; run ``quanke audit verify`` afterwards."""
    quanke = command_runtime(ctx)
    if not yes:
        click.confirm(f"将用 {file} 覆盖数据库 {quanke.db.engine.url.render_as_string()}，确定吗？",
                      abort=True)
    try:
        restore(quanke, file)
    except QuankeError as exc:
        raise click.ClickException(exc.message) from None
    click.echo("恢复完成。请运行 `quanke audit verify` 校验审计链，再启动网站和后台任务。")
