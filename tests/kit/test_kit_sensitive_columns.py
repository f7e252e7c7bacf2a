"""A plugin's sensitive columns (issue 18): the contract refuses a column named like an
identifier (``*id_number``) stored in plaintext; declared through ``core.api``
(``EncryptedString`` + ``blind_index``) it passes, the value is stored as ciphertext, reads
back plain, and a look-up by the number goes through the blind index.

Run in a fresh interpreter: the plugin's models would otherwise stay on the shared metadata of
every later test in this process.
"""
import os
import subprocess
import sys
from pathlib import Path

from core.contract import scaffold

ROOT = Path(__file__).resolve().parents[2]
NUMBER = "11010519491231002X"

PLAIN = '''    holder_id_number: Mapped[str] = mapped_column(String(18), default="")
'''
ENCRYPTED = '''    holder_id_number: Mapped[str] = mapped_column(EncryptedString("kitenc_records.holder_id_number"),
                                                  default="")
    holder_id_number_index: Mapped[str | None] = blind_index("holder_id_number", "id_number")
'''
MIGRATION_COLUMNS = '''    sa.Column('holder_id_number', sa.Text(), nullable=False),
    sa.Column('holder_id_number_index', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kitenc_records')),'''
MIGRATION_INDEX = '''        batch_op.create_index(batch_op.f('ix_kitenc_records_holder_id_number_index'),
                              ['holder_id_number_index'], unique=False)
        batch_op.create_index(batch_op.f('ix_kitenc_records_applicant_id'), ['applicant_id'], unique=False)'''

SCRIPT = r'''
import datetime as dt, sys
from sqlalchemy import select, text
from core.ops import migrate
from core.runtime import Quanke
from core.testing import check_plugin
from core.testing.databases import write_run_keys
from pathlib import Path

db, instance, expect, number = sys.argv[1:5]
quanke = Quanke({"DATABASE_URL": f"sqlite:///{db}", "INSTANCE_PATH": instance, "DATA_KEYS": None,
                 "KEY_FILE": str(write_run_keys(Path(instance)))})
try:
    check_plugin("kitenc", quanke)
    print("CONTRACT OK")
except AssertionError as exc:
    print("CONTRACT FAILED", exc)
    sys.exit(0)
migrate.upgrade(quanke)
from quanke_kitenc.models import KitencRecord
with quanke.db.session() as s:
    s.add(KitencRecord(application_no="A1", applicant_id=1, purpose="测试", issued_on=dt.date(2026, 12, 1),
                       holder_id_number=number))
with quanke.db.session() as s:
    raw = s.execute(text("SELECT holder_id_number, holder_id_number_index FROM kitenc_records")).one()
    print("RAW", raw[0][:4], number in str(tuple(raw)))
    found = s.scalars(select(KitencRecord).where(KitencRecord.holder_id_number_index == number.lower())).one()
    print("FOUND", found.holder_id_number == number)
'''


def _run(made, tmp_path, name):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(made.root), str(ROOT)])}
    env.pop("QUANKE_DATA_KEYS", None)
    run = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / f"{name}.db"), str(tmp_path), name,
                          NUMBER], env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    return run.stdout


def test_a_plugin_column_holding_id_numbers_must_be_declared_sensitive_and_is_then_encrypted(tmp_path):
    made = scaffold.create("kitenc", tmp_path / "src", department="kitenc_office",
                           department_name="测试办事处", service_name="测试证明")
    package = made.root / "quanke_kitenc"
    info = made.root / "quanke_kitenc-0.1.0.dist-info"   # what `pip install -e` leaves
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: quanke-kitenc\nVersion: 0.1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[quanke.plugins]\nkitenc = quanke_kitenc.plugin\n", encoding="utf-8")
    models = package / "models.py"
    original = models.read_text(encoding="utf-8")
    anchor = "    issued_on: Mapped[dt.date] = mapped_column(Date)\n"
    [migration] = (package / "migrations" / "versions").glob("kitenc_0001_*.py")
    source = migration.read_text(encoding="utf-8")
    migration.write_text(source.replace("    sa.PrimaryKeyConstraint('id', name=op.f('pk_kitenc_records')),",
                                        MIGRATION_COLUMNS)
                         .replace("        batch_op.create_index(batch_op.f('ix_kitenc_records_applicant_id'), "
                                  "['applicant_id'], unique=False)", MIGRATION_INDEX, 1), encoding="utf-8")

    models.write_text(original.replace(anchor, anchor + PLAIN), encoding="utf-8")
    out = _run(made, tmp_path, "plain")
    assert "CONTRACT FAILED" in out and "kitenc_records.holder_id_number holds identifiers" in out

    models.write_text(original.replace(anchor, anchor + ENCRYPTED).replace(
        "from core.api import Base", "from core.api import Base, EncryptedString, blind_index"), encoding="utf-8")
    out = _run(made, tmp_path, "encrypted")
    assert "CONTRACT OK" in out, out
    assert "RAW qk1: False" in out and "FOUND True" in out
