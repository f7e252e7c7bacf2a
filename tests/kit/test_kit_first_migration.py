"""Regenerating the scaffold's first migration after changing its model, as docs/plugins.md
tells (issue 20 §9): on a scratch database, ``new_revision`` writes the branch's first revision
(branch label, ``depends_on = "core_0001"``) with the plugin's tables as the models now have
them — a ``UTCDateTime`` column imported from ``core.api`` — and the contract then passes.

Run in a fresh interpreter: the plugin's models would otherwise stay on the shared metadata of
every later test in this process.
"""
import os
import subprocess
import sys
from pathlib import Path

from core.contract import scaffold

ROOT = Path(__file__).resolve().parents[2]

NEW_COLUMN = '''    issued_on: Mapped[dt.date] = mapped_column(Date)
    checked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)   # added after scaffolding
'''

REGENERATE = r'''
import sys
from core.ops import migrate
from core.runtime import Quanke
from core.testing import check_plugin

db, instance = sys.argv[1], sys.argv[2]
quanke = Quanke({"DATABASE_URL": f"sqlite:///{db}", "INSTANCE_PATH": instance})
migrate.upgrade(quanke)                      # every branch but kitregen's (its folder is empty)
script = migrate.new_revision(quanke, "kitregen", "kitregen tables", rev_id="kitregen_0001")
print("REVISION", script.path)
check_plugin("kitregen", quanke)             # upgrade, downgrade, upgrade, compare with the models
print("CONTRACT OK")
'''


def test_first_migration_regenerated_after_a_model_change(tmp_path):
    made = scaffold.create("kitregen", tmp_path / "src", department="kitregen_office",
                           department_name="测试办事处", service_name="测试证明")
    package = made.root / "quanke_kitregen"
    models = package / "models.py"
    text = models.read_text(encoding="utf-8")
    text = text.replace("from core.api import Base", "from core.api import Base, UTCDateTime")
    text = text.replace("    issued_on: Mapped[dt.date] = mapped_column(Date)\n", NEW_COLUMN)
    models.write_text(text, encoding="utf-8")
    versions = package / "migrations" / "versions"
    [first] = versions.glob("kitregen_0001_*.py")
    first.unlink()                           # step 1 of the guide: drop the scaffold's revision
    info = made.root / "quanke_kitregen-0.1.0.dist-info"   # what `pip install -e` leaves
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: quanke-kitregen\nVersion: 0.1.0\n",
                                   encoding="utf-8")
    (info / "entry_points.txt").write_text("[quanke.plugins]\nkitregen = quanke_kitregen.plugin\n",
                                           encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(made.root), str(ROOT)])}
    run = subprocess.run([sys.executable, "-c", REGENERATE, str(tmp_path / "scratch.db"), str(tmp_path)],
                         env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    assert "CONTRACT OK" in run.stdout
    [revision] = versions.glob("kitregen_0001_*.py")
    source = revision.read_text(encoding="utf-8")
    assert "branch_labels = ('kitregen',)" in source and "depends_on = 'core_0001'" in source
    assert "down_revision = None" in source and "op.create_table('kitregen_records'" in source
    assert "sa.Column('checked_at', UTCDateTime(), nullable=True)" in source
    assert "from core.api import UTCDateTime" in source and "core.platform" not in source
