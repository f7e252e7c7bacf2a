"""Benchmark: encryption at rest (issue 18) on PostgreSQL with 100,000 applicants.

Targets (issue 18): lookup by ID through the blind index p95 ≤ 1.5× the plaintext lookup
measured in the same run; accept CPU overhead ≤ 10 %; rotating keys for 100,000 applicants
≤ 2 minutes.

    .venv/bin/python bench/crypto_bench.py [--applicants 100000] [--lookups 2000] [--accepts 300]

* **Lookup**: the counter's "find this person" — ``core.people.applicants.find`` (blind index,
  then both encrypted columns decrypted on load) against the same ORM query on a plaintext
  copy of the table (same rows, same unique index on ``(id_number, kind)``), alternating one
  of each so a change in the machine's load weighs on both alike.
* **Accept**: ``core.workflow`` accepts as ``bench/accept_bench.py`` runs them; the CPU time
  spent inside the key ring (encrypt, decrypt, blind index) is measured around each call and
  set against the accepts' own CPU time — the same accepts, not a second run.
* **Rotation**: ``quanke keys rotate --new-key`` as a function: every value of every encrypted
  column re-encrypted under a new key version — the core's and the built-in plugins' (their
  demo data: register, archive, legal aid, time bank) and the sealed fields inside
  applications' form data; the figures per plugin column are printed.

Creates and drops its own database and key file; prints figures and ratios.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path

from sqlalchemy import String, UniqueConstraint, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.accept_bench import bulk_applications, percentile  # noqa: E402
from bench.machine import StealMeter, describe  # noqa: E402
from core import acceptance  # noqa: E402
from core.credit import DISHONEST_APPLICANT  # noqa: E402
from core.ops import migrate  # noqa: E402
from core.ops.demo import load_demo  # noqa: E402
from core.ops.district.bulk import _batched, _copy_rows  # noqa: E402
from core.ops.district.residents import _person  # noqa: E402
from core.ops.key_rotation import add_key_version, rotate, stale_count  # noqa: E402
from core.ops.sealed_rotation import stale_sealed  # noqa: E402
from core.people import applicants  # noqa: E402
from core.platform.clock import now  # noqa: E402
from core.platform.crypto.cipher import KeyRing  # noqa: E402
from core.platform.models import Applicant, User  # noqa: E402
from core.runtime import Quanke  # noqa: E402
from core.testing import REDIS_TEST_URL, SAMPLE_PLUGIN, postgres_database  # noqa: E402

SERVICE = "sample.permit"
#: Tables of the built-in plugins (their demo data is loaded by load_demo).
PLUGIN_PREFIXES = ("bl_", "aq_", "la_", "tb_")


class _Plain(DeclarativeBase):
    pass


class PlainApplicant(_Plain):
    """The applicants table as it was before issue 18: the baseline."""

    __tablename__ = "bench_plain_applicants"
    __table_args__ = (UniqueConstraint("id_number", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    id_number: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(128))
    phone: Mapped[str] = mapped_column(String(20))


def load_people(quanke, count: int) -> list[str]:
    """``count`` residents, encrypted into applicants and in plaintext into the baseline table."""
    _Plain.metadata.create_all(quanke.db.engine)
    at, numbers = now(), []
    encrypted = ["kind", "id_number", "id_number_index", "name", "phone", "birth_date", "gender",
                 "region_code", "created_at"]
    plain = ["kind", "id_number", "name", "phone"]
    people = (_person(i) for i in range(count))
    for batch in tqdm(_batched(people, 5000), total=-(-count // 5000), desc="申请人", unit="批"):
        with quanke.db.session() as s:
            _copy_rows(s, Applicant.__table__, encrypted,
                       [("person", n, n, name, phone, birth, g, r, at) for n, name, phone, birth, g, r in batch])
            _copy_rows(s, PlainApplicant.__table__, plain,
                       [("person", n, name, phone) for n, name, phone, *_ in batch])
        numbers += [p[0] for p in batch]
    with quanke.db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    return numbers


def lookups(quanke, numbers: list[str], n: int) -> tuple[list[float], list[float]]:
    rng = random.Random(11)
    blind, plain = [], []
    for i in tqdm(range(n + 50), desc="按证件号查找", unit="次"):
        number = rng.choice(numbers)
        t0 = time.perf_counter()
        with quanke.db.session() as s:
            found = applicants.find(s, "person", number)
            assert found.id_number == number and found.phone
        t1 = time.perf_counter()
        with quanke.db.session() as s:
            row = s.scalar(select(PlainApplicant).where(PlainApplicant.id_number == number,
                                                        PlainApplicant.kind == "person"))
            assert row.id_number == number and row.phone
        t2 = time.perf_counter()
        if i >= 50:  # the first 50 of each warm the pool and the caches
            blind.append(t1 - t0)
            plain.append(t2 - t1)
    return blind, plain


class CryptoMeter:
    """CPU time spent inside the key ring while it is installed."""

    NAMES = ("encrypt", "decrypt", "encrypt_bytes", "decrypt_bytes", "blind_index")

    def __enter__(self):
        self.cpu, self.calls, self._saved = 0.0, 0, {}
        for name in self.NAMES:
            original = getattr(KeyRing, name)
            self._saved[name] = original

            def timed(ring, *args, _original=original, **kwargs):
                c0 = time.process_time()
                try:
                    return _original(ring, *args, **kwargs)
                finally:
                    self.cpu += time.process_time() - c0
                    self.calls += 1
            setattr(KeyRing, name, timed)
        return self

    def __exit__(self, *exc):
        for name, original in self._saved.items():
            setattr(KeyRing, name, original)
        return False


def accepts(quanke, count: int) -> tuple[float, float, int]:
    targets = bulk_applications(quanke, count + 20, False, "T")
    with quanke.db.session() as s:
        counter = s.scalar(select(User).where(User.username == "counter1"))
    for app_id in targets[:20]:                       # warm-up, not measured
        acceptance.accept(quanke, counter, app_id, warn_reason="bench")
    total_cpu = 0.0
    with CryptoMeter() as meter:
        for app_id in tqdm(targets[20:], desc="受理", unit="件"):
            c0 = time.process_time()
            acceptance.accept(quanke, counter, app_id, warn_reason="bench")
            total_cpu += time.process_time() - c0
    return total_cpu, meter.cpu, meter.calls


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applicants", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--accepts", type=int, default=300)
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="quanke-crypto-bench-"))
    with postgres_database("quanke_bench_crypto") as url:
        quanke = Quanke({"DATABASE_URL": url, "INSTANCE_PATH": str(instance), "REDIS_URL": REDIS_TEST_URL,
                         "DATA_KEYS": None, "QUEUE_PREFIX": f"quanke-bench-{uuid.uuid4().hex[:6]}"},
                        extra_plugins=[SAMPLE_PLUGIN])
        sample = quanke.plugins.services[SERVICE]
        quanke.plugins.services[SERVICE] = replace(sample, checks=sample.checks + (DISHONEST_APPLICANT,))
        migrate.upgrade(quanke)
        load_demo(quanke)
        numbers = load_people(quanke, args.applicants)
        with quanke.db.session() as s:
            total = s.scalar(select(func.count()).select_from(Applicant))
        print(f"applicants in PostgreSQL: {total:,} (cipher {quanke.keys.ring().active.algorithm})")
        print(describe())
        with StealMeter() as meter:
            blind, plain = lookups(quanke, numbers, args.lookups)
        print(f"while looking up: {meter.shares}")
        accept_cpu, crypto_cpu, crypto_calls = accepts(quanke, args.accepts)
        add_key_version(quanke)
        columns = {**stale_count(quanke, 2), **stale_sealed(quanke, 2)}
        values = sum(columns.values())
        plugin_values = sum(n for where, n in columns.items() if where.startswith(PLUGIN_PREFIXES))
        sealed_docs = sum(stale_sealed(quanke, 2).values())
        t0 = time.perf_counter()
        report = rotate(quanke, batch=1000)
        rotation = time.perf_counter() - t0
        assert report.ok and not any(stale_count(quanke, 2).values()) and not any(stale_sealed(quanke, 2).values())
        with quanke.db.session() as s:   # plugin data still reads after the rotation
            from plugins.archive_query.models import RecordPerson
            from plugins.archive_query.domain.store import records_for_person
            person = s.scalars(select(RecordPerson).limit(1)).one()
            assert records_for_person(s, person.id_number)
        quanke.jobs.redis.delete(*quanke.jobs.redis.keys(f"*{quanke.config['QUEUE_PREFIX']}*") or ["x"])
        quanke.close()

    def ms(v):
        return f"{v * 1000:.2f} ms"

    for label, times in (("lookup by ID, blind index", blind), ("lookup by ID, plaintext  ", plain)):
        print(f"{label}  n={len(times)}  p50 {ms(statistics.median(times))}  p95 {ms(percentile(times, 95))}")
    ratio = percentile(blind, 95) / percentile(plain, 95)
    print(f"ratio blind/plaintext: p95 {ratio:.2f}x, p50 {statistics.median(blind) / statistics.median(plain):.2f}x"
          "  (target p95 ≤ 1.5x)")
    n = args.accepts
    print(f"accept: CPU {ms(accept_cpu / n)}/op, of which key ring {ms(crypto_cpu / n)}/op "
          f"({crypto_calls / n:.1f} calls/op): overhead {crypto_cpu / (accept_cpu - crypto_cpu):.1%}"
          "  (target ≤ 10 %)")
    print(f"rotation: {values:,} values ({report.rotated:,} rewritten) in {rotation:.1f} s, "
          f"{values / rotation:,.0f} values/s  (target ≤ 120 s for {args.applicants:,} applicants)")
    print(f"  of which plugin columns {plugin_values:,} values and {sealed_docs:,} form-data / courier "
          "documents with sealed fields")
    for where, count in sorted(columns.items()):
        if count and where.startswith(PLUGIN_PREFIXES + ("applications.",)):
            print(f"    {where}: {count:,}")


if __name__ == "__main__":
    main()
