"""``quanke keys generate|check`` (and ``rotate``, :mod:`core.ops.key_rotation`): the data keys.

``check`` exits 1 with the reason when the keys are missing, readable by others, malformed or
not the database's, or when a stored value does not decrypt (``--full``: every value, each
failure named by table, column and row). Nothing is changed by a check.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click
from tqdm import tqdm

from core.ops.context import command_runtime
from core.platform.crypto import ALGORITHMS
from core.platform.crypto.keys import default_key_file, new_key_document, write_key_file


@click.group()
def keys():
    """Data encryption keys (数据加密密钥)."""


@keys.command("generate")
@click.option("--algorithm", type=click.Choice(sorted(ALGORITHMS)), default=None,
              help="加密算法（默认取配置 CIPHER：SM4-GCM）")
@click.option("--file", "path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="写到哪个文件（默认配置 KEY_FILE，或 instance/keys/data-keys.json）")
@click.pass_context
def keys_generate(ctx, algorithm, path):
    """Write a new key file for a new deployment (refuses to replace an existing one)."""
    quanke = command_runtime(ctx)
    path = path or default_key_file(quanke.config)
    if path.exists():
        raise click.ClickException(f"密钥文件 {path} 已存在，不会覆盖（覆盖后已有数据将无法解密）。"
                                   "更换密钥请用 `quanke keys rotate --new-key`")
    document = new_key_document(algorithm or quanke.config.get("CIPHER") or "SM4-GCM")
    write_key_file(path, document, exclusive=True)
    click.echo(f"已生成密钥文件 {path}（{document['data_keys']['1']['algorithm']}，权限 0600）。")
    click.echo("请把它另行备份到安全的地方：丢失密钥即丢失数据；不要和数据库备份放在一起。")


@keys.command("check")
@click.option("--full", is_flag=True, help="解密每一个加密值（逐行报告无法解密的数据）")
@click.pass_context
def keys_check(ctx, full):
    """Check that the configured keys are this database's keys and decrypt its data."""
    from core.ops.keys import check
    quanke = command_runtime(ctx)
    if full:
        with tqdm(desc="解密校验", unit="值", disable=not sys.stderr.isatty()) as bar:
            report = check(quanke, full=True, progress=bar.update)
    else:
        report = check(quanke)
    click.echo(f"密钥来源：{report.source}")
    if report.active is not None:
        versions = "、".join(f"{v}（{a}）" for v, a in report.versions.items())
        click.echo(f"密钥版本：{versions}；当前加密用版本 {report.active}")
    for where, counts in sorted(report.counts.items()):
        if counts:
            shown = "，".join(f"版本 {v}: {n}" for v, n in sorted(counts.items()))
            click.echo(f"  {where}：{shown}" + ("" if full else "（抽样）"))
    for problem in report.problems:
        click.echo(f"✗ {problem}", err=True)
    for bad in report.unreadable[:50]:
        click.echo(f"✗ {bad.message}", err=True)
    if len(report.unreadable) > 50:
        click.echo(f"✗ ……另有 {len(report.unreadable) - 50} 个值无法解密", err=True)
    if not report.ok:
        raise SystemExit(1)
    stale = {w: c for w, c in report.counts.items() if any(v != report.active for v in c)}
    if full and stale:
        click.echo(f"提示：{len(stale)} 列仍有旧密钥版本加密的数据，运行 `quanke keys rotate` 完成轮换")
    click.echo(f"✓ 密钥正确：已解密校验 {report.checked} 个值")



@keys.command("add")
@click.option("--algorithm", type=click.Choice(sorted(ALGORITHMS)), default=None,
              help="新版本的算法（默认与当前版本相同）")
@click.pass_context
def keys_add(ctx, algorithm):
    """Add a new key version to the key file and make it active (copy the file to every
    server before `keys rotate`)."""
    from core.ops.key_rotation import add_key_version
    from core.platform.crypto import KeyConfigError
    quanke = command_runtime(ctx)
    try:
        version = add_key_version(quanke, algorithm)
    except KeyConfigError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"已加入密钥版本 {version} 并设为当前版本（{quanke.keys.key_file}）。"
               "多台服务器时先把密钥文件分发到每一台，再运行 `quanke keys rotate`。")


@keys.command("rotate")
@click.option("--new-key", is_flag=True, help="先加入一个新密钥版本（单台服务器；多台请先 `keys add` 并分发）")
@click.option("--batch", type=click.IntRange(1, 100_000), default=1000, show_default=True,
              help="每个事务改写多少行")
@click.pass_context
def keys_rotate(ctx, new_key, batch):
    """Re-encrypt every value under the active key version, in batches; resumable, serving."""
    from core.ops.key_rotation import add_key_version, rotate, stale_count
    from core.platform.crypto import KeyConfigError
    quanke = command_runtime(ctx)
    try:
        if new_key:
            version = add_key_version(quanke)
            click.echo(f"已加入密钥版本 {version} 并设为当前版本")
        active = quanke.keys.ring(refresh=True, generate=False).active_version
        total = sum(stale_count(quanke, active).values())
        with tqdm(total=total, desc=f"轮换到密钥版本 {active}", unit="值",
                  disable=not sys.stderr.isatty()) as bar:
            report = rotate(quanke, batch=batch, progress=bar.update)
    except KeyConfigError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"已改写 {report.rotated} 个值，当前密钥版本 {report.active}"
               + (f"；{report.skipped_changed} 个值在轮换期间已被修改（已是新密钥）" if report.skipped_changed else ""))
    for version in report.retired:
        click.echo(f"密钥版本 {version} 已不再使用：确认不再需要用它恢复旧备份后，可从密钥文件中删除")
    for bad in report.unreadable[:50]:
        click.echo(f"✗ {bad.message}", err=True)
    if not report.ok:
        click.echo(f"✗ {len(report.unreadable)} 个值无法解密，保持原样未改写；修复后重新运行 `quanke keys rotate`",
                   err=True)
        raise SystemExit(1)
