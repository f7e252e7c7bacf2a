"""Credit records: CSV import with line-numbered errors, idempotent; the dishonest check."""
import datetime as dt

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from core import credit
from core import acceptance
from core.ops.cli import main
from core.credit import CreditRecord
from core.ops.demo import valid_resident_id
from core.platform.errors import Forbidden, InvalidInput
from core.platform.models import Applicant, CheckEvidence
from core.contract.services import ServiceDef
from core.testing import file_at_counter, seed_world

HEADER = "ref,subject_kind,subject_id,name,level,reason,source_department,valid_from,valid_until\n"


def _csv(tmp_path, rows, name="credit.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def _cli(quanke, *args):
    env = {"DATABASE_URL": quanke.db.url, "QUANKE_INSTANCE_PATH": quanke.config["INSTANCE_PATH"]}
    return CliRunner().invoke(main, list(args), env=env)


def test_import_reports_bad_rows_with_line_numbers_and_is_idempotent(quanke, tmp_path):
    good_person = valid_resident_id("32010219800101001")
    path = _csv(tmp_path, [
        f"R1,person,{good_person},失信甲,serious,拒不履行判决,区人民法院,2025-01-01,2030-12-31",
        "R2,enterprise,91110000600037341L,某公司,general,欠缴税款,区税务局,2025-06-01,",
        "R3,person,320102198001010012,错号,general,x,y,2025-01-01,",          # bad checksum
        "R4,person,{p},名,fatal,x,y,2025-01-01,".format(p=good_person),       # bad level
        "R5,enterprise,91110000600037341L,某公司,general,x,y,2025-13-01,",     # bad date
        "R1,person,{p},重复,general,x,y,2025-01-01,".format(p=good_person),    # duplicate ref
    ])
    result = _cli(quanke, "credit", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "新增 2 条" in result.output and "错误 4 行" in result.output
    assert "第 4 行：身份证号码校验位不正确" in result.output
    assert "第 5 行：失信等级 “fatal” 未知" in result.output
    assert "第 6 行：生效日期 “2025-13-01” 不是有效日期" in result.output
    assert "第 7 行：编号 R1 与第 2 行重复" in result.output
    again = _cli(quanke, "credit", "import", str(path))
    assert "新增 0 条" in again.output and "未变 2 条" in again.output
    with quanke.db.session() as s:
        assert s.scalar(select(func.count(CreditRecord.id))) == 2


def test_import_with_wrong_columns_is_refused(quanke, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("id,name\n1,x\n", encoding="utf-8")
    result = _cli(quanke, "credit", "import", str(path))
    assert result.exit_code != 0 and "CSV 缺少列" in result.output


def _dishonest(quanke, id_number, level, until=None):
    with quanke.db.session() as s:
        s.add(CreditRecord(ref=f"T-{id_number}-{level}", subject_kind="person", subject_id=id_number,
                           name="x", level=level, reason="拒不履行生效判决", source_department="区法院",
                           valid_from=dt.date(2024, 1, 1), valid_until=until))


@pytest.fixture
def credit_world(quanke):
    svc = quanke.service("sample.permit")
    checked = ServiceDef(**{**svc.__dict__, "code": "sample.credit", "checks": (credit.DISHONEST_APPLICANT,)})
    quanke.plugins.services[checked.code] = checked
    return seed_world(quanke)


def _applicant_number(world):
    with world.quanke.db.session() as s:
        return s.get(Applicant, world.citizen.applicant_id).id_number


def test_serious_dishonesty_blocks_and_general_warns_with_evidence(credit_world):
    world, quanke = credit_world, credit_world.quanke
    number = _applicant_number(world)
    _dishonest(quanke, number, "general")
    app = file_at_counter(world, "sample.credit")
    with pytest.raises(InvalidInput) as err:
        acceptance.accept(quanke, world.counter, app.id)
    assert err.value.code == "warn_reason_required"
    acceptance.accept(quanke, world.counter, app.id, warn_reason="一般失信，已告知")
    with quanke.db.session() as s:
        ev = s.scalars(select(CheckEvidence).where(CheckEvidence.application_id == app.id)).one()
        newest = s.scalar(select(CreditRecord.id).order_by(CreditRecord.id.desc()).limit(1))
    assert ev.hit and ev.outcome == "warn" and ev.matched["reason"] == "拒不履行生效判决"
    assert ev.list_version == f"import-0/record-{newest}"  # names the list as it was queried

    _dishonest(quanke, number, "serious")
    second = file_at_counter(world, "sample.credit")
    with pytest.raises(Forbidden) as err:
        acceptance.accept(quanke, world.counter, second.id)
    assert err.value.code == "checks_blocked" and "严重失信" in err.value.message


def test_expired_record_no_longer_counts(credit_world):
    world, quanke = credit_world, credit_world.quanke
    _dishonest(quanke, _applicant_number(world), "serious", until=dt.date(2024, 12, 31))
    app = file_at_counter(world, "sample.credit")
    assert acceptance.accept(quanke, world.counter, app.id).state == "accepted"


def test_broken_commitment_creates_a_credit_record(quanke):
    world = seed_world(quanke)
    with quanke.db.session() as s:
        c = credit.sign_commitment(s, applicant_id=world.citizen.applicant_id,
                                   service_code="sample.permit", text="我承诺场所真实", actor="citizen:1")
    with quanke.db.session() as s:
        c = s.get(credit.Commitment, c.id)
        credit.verify_commitment(s, c, kept=False, actor="user:1", department="区市场监管局",
                                 note="现场无经营场所", subject_id="320102199001010011", subject_name="某人")
    with quanke.db.session() as s:
        record = s.scalars(select(CreditRecord)).one()
        assert record.level == "general" and "现场无经营场所" in record.reason
        assert len(credit.broken_commitments_since(
            s, world.citizen.applicant_id, dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc))) == 1
    with quanke.db.session() as s, pytest.raises(Exception) as err:
        credit.verify_commitment(s, s.get(credit.Commitment, c.id), kept=True, actor="u", department="d")
    assert getattr(err.value, "code", "") == "commitment_already_verified"
