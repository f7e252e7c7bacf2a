"""``quanke uploads encrypt``: material files written before encryption (plaintext, named by
their bare sha256) are encrypted in place (:func:`core.acceptance.uploads.encrypt_legacy`).

Per distinct file: the encrypted copy is written under its keyed name, every ``materials``
row naming the old hash is repointed in one transaction, and only then is the plaintext
removed — so a kill at any point leaves each material readable (the reader serves a legacy
file as it is), and running the command again resumes. A file missing or not matching its
name is reported and left alone.
"""
from __future__ import annotations

import click
from sqlalchemy import func, select, update

from core.acceptance import uploads
from core.ops.context import command_runtime
from core.platform.models import Material


def encrypt_uploads(quanke, *, progress=None) -> dict:
    """Migrate every legacy file; returns ``{"encrypted": n, "skipped": [hash…]}``."""
    ring = quanke.keys.ring()
    upload_dir = quanke.config["UPLOAD_DIR"]
    with quanke.db.session() as session:
        legacy = session.scalars(select(Material.sha256).where(
            func.length(Material.sha256) == uploads.LEGACY_NAME_LENGTH).distinct()).all()
    done, skipped = 0, []
    for old in legacy:
        key = uploads.encrypt_legacy(upload_dir, old, ring)
        if key is None:
            skipped.append(old)
        else:
            with quanke.db.session() as session:
                session.execute(update(Material).where(Material.sha256 == old).values(sha256=key))
                session.commit()
            uploads.storage_path(upload_dir, old).unlink(missing_ok=True)
            done += 1
        if progress is not None:
            progress(1)
    return {"encrypted": done, "skipped": skipped}


@click.group("uploads")
def uploads_group():
    """Uploaded material files (申请材料电子件)."""


@uploads_group.command("encrypt")
@click.pass_context
def uploads_encrypt(ctx):
    """Encrypt material files stored before encryption at rest (resumable)."""
    from tqdm import tqdm
    quanke = command_runtime(ctx)
    with tqdm(desc="材料文件加密", unit="个") as bar:
        result = encrypt_uploads(quanke, progress=bar.update)
    click.echo(f"已加密 {result['encrypted']} 个文件。")
    for old in result["skipped"]:
        click.echo(f"未处理（文件缺失或与哈希不符）：{old}", err=True)
    if result["skipped"]:
        raise SystemExit(1)
