"""Importing archive CSV files: documented columns, row-level errors, idempotent re-import."""
from __future__ import annotations

import csv

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

from core.platform.audit import AuditEvent
from core.ops.demo import valid_resident_id
from core.platform.errors import InvalidInput
from plugins.archive_query.domain.categories import CATEGORIES
from plugins.archive_query.commands import archive
from plugins.archive_query.domain.importer import import_csv
from plugins.archive_query.models import ArchiveRecord, ImportRun, RecordPerson
from plugins.archive_query.domain.store import records_for_person

HUSBAND = valid_resident_id("32010219800101003")
WIFE = valid_resident_id("32010419820202004")
OTHER_WIFE = valid_resident_id("32010519830303006")
BAD_CHECKSUM = HUSBAND[:-1] + ("0" if HUSBAND[-1] != "0" else "1")
MARRIAGE = CATEGORIES["marriage"]


def write_csv(path, rows, header=None, encoding="utf-8"):
    header = header or MARRIAGE.columns
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(c, "") for c in header] if isinstance(row, dict) else row)
    return path


def marriage(n, male=HUSBAND, female=WIFE, **kw):
    row = {"fonds_no": "J012", "file_no": f"2008-{n:04d}", "item_no": "01", "record_date": "2008-10-01",
           "issuing_body": "玄武区民政局婚姻登记处", "male_id_number": male, "male_name": "赵建国",
           "female_id_number": female, "female_name": "钱秀英", "registration_type": "结婚登记",
           "certificate_no": f"宁玄结字第{n}号", "remarks": ""}
    row.update(kw)
    return row


def counts(quanke):
    with quanke.db.session() as session:
        return (session.scalar(select(func.count(ArchiveRecord.id))),
                session.scalar(select(func.count(RecordPerson.id))))


def test_good_file_imports_every_record_and_finds_it_by_either_spouse(quanke, tmp_path):
    path = write_csv(tmp_path / "m.csv", [marriage(1), marriage(2, female=OTHER_WIFE,
                                                                  registration_type="离婚登记")])
    report = import_csv(quanke, MARRIAGE, path, actor="test")
    assert (report.rows, report.inserted, report.error_count) == (2, 2, 0)
    assert counts(quanke) == (2, 4)
    with quanke.db.session() as session:
        by_husband = records_for_person(session, HUSBAND)
        by_wife = records_for_person(session, WIFE)
        assert [r.reference for r in by_husband] == ["J012/2008-0001/01", "J012/2008-0002/01"]
        assert [r.reference for r in by_wife] == ["J012/2008-0001/01"]
        record = by_wife[0]
        assert record.fields == {"registration_type": "结婚登记", "certificate_no": "宁玄结字第1号"}
        assert [(p.role, p.id_number, p.birth_year) for p in record.persons] == [
            ("male", HUSBAND, 1980), ("female", WIFE, 1982)]
        run = session.scalar(select(ImportRun))
        assert (run.status, run.inserted, run.category) == ("done", 2, "marriage")
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "archive_import"))
        assert event.data["inserted"] == 2 and event.data["sha256"] == run.sha256


def test_bad_rows_are_reported_by_line_in_chinese_and_good_rows_still_import(quanke, tmp_path):
    rows = [
        marriage(1),                                              # line 2: good
        marriage(2, record_date="2008-13-45"),                    # 3: bad date
        marriage(3, male_id_number=BAD_CHECKSUM),                 # 4: invalid ID
        marriage(1, certificate_no="又一次"),                     # 5: duplicate reference
        ["J012", "2008-0009", "01", "2008-10-01"],                # 6: wrong number of columns
        marriage(4, registration_type="订婚"),                    # 7: not a choice
        marriage(5, male_name=""),                                # 8: missing name
        marriage(6, female_id_number=HUSBAND),                    # 9: both spouses the same person
        marriage(7, record_date="1979-01-01"),                    # 10: before the husband was born
        marriage(8),                                              # 11: good
    ]
    path = write_csv(tmp_path / "m.csv", rows)
    report = import_csv(quanke, MARRIAGE, path, actor="test")
    assert (report.inserted, report.error_count) == (2, 8)
    reasons = dict(report.errors)
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "形成日期“2008-13-45”不是有效日期" in reasons[3]
    assert "男方身份证号" in reasons[4] and "校验位不正确" in reasons[4]
    assert "与第2行重复" in reasons[5]
    assert "本行有4列" in reasons[6] and "列数不符" in reasons[6]
    assert "登记类型“订婚”不在可选范围内" in reasons[7]
    assert "缺少男方姓名" in reasons[8]
    assert "身份证号相同" in reasons[9]
    assert "早于男方的出生日期" in reasons[10]
    assert counts(quanke) == (2, 4)


def test_reimport_is_idempotent_and_a_changed_row_is_updated(quanke, tmp_path):
    path = write_csv(tmp_path / "m.csv", [marriage(1), marriage(2)])
    first = import_csv(quanke, MARRIAGE, path, actor="test")
    second = import_csv(quanke, MARRIAGE, path, actor="test")
    assert (first.inserted, second.inserted, second.unchanged, second.updated) == (2, 0, 2, 0)
    assert counts(quanke) == (2, 4)
    changed = write_csv(tmp_path / "m2.csv", [marriage(1), marriage(2, female=OTHER_WIFE)])
    third = import_csv(quanke, MARRIAGE, changed, actor="test")
    assert (third.inserted, third.updated, third.unchanged) == (0, 1, 1)
    assert counts(quanke) == (2, 4)
    with quanke.db.session() as session:
        assert [r.reference for r in records_for_person(session, OTHER_WIFE)] == ["J012/2008-0002/01"]
        assert [r.reference for r in records_for_person(session, WIFE)] == ["J012/2008-0001/01"]


def test_duplicates_across_batches_are_found_with_the_first_line(quanke, tmp_path):
    rows = [marriage(n) for n in range(1, 8)] + [marriage(3)]
    path = write_csv(tmp_path / "m.csv", rows)
    report = import_csv(quanke, MARRIAGE, path, actor="test", batch_size=3)
    assert report.inserted == 7
    assert report.errors == [(9, "档号 J012/2008-0003/01 与第4行重复")]


def test_wrong_header_imports_nothing_and_names_the_columns(quanke, tmp_path):
    header = [c for c in MARRIAGE.columns if c != "female_name"] + ["wife"]
    path = write_csv(tmp_path / "m.csv", [[""] * len(header)], header=header)
    with pytest.raises(InvalidInput) as err:
        import_csv(quanke, MARRIAGE, path, actor="test")
    assert err.value.code == "invalid_csv_header"
    assert "缺少列：female_name" in err.value.message and "未知列：wife" in err.value.message
    assert counts(quanke) == (0, 0)
    with quanke.db.session() as session:
        assert session.scalar(select(func.count(ImportRun.id))) == 0


def test_reference_of_another_category_is_refused(quanke, tmp_path):
    import_csv(quanke, MARRIAGE, write_csv(tmp_path / "m.csv", [marriage(1)]), actor="test")
    veteran = CATEGORIES["veteran"]
    row = {"fonds_no": "J012", "file_no": "2008-0001", "item_no": "01", "record_date": "2005-01-01",
           "issuing_body": "人武部", "person_id_number": HUSBAND, "person_name": "赵建国",
           "enlist_date": "2000-12-01", "discharge_date": "2005-01-01", "discharge_type": "退伍",
           "military_unit": "32101部队"}
    report = import_csv(quanke, veteran, write_csv(tmp_path / "v.csv", [row], veteran.columns),
                        actor="test")
    assert report.inserted == 0
    assert report.errors == [(2, "档号 J012/2008-0001/01 已属于婚姻档案，不能作为另一类档案导入")]


def test_gb18030_file_from_a_chinese_spreadsheet(quanke, tmp_path):
    path = write_csv(tmp_path / "m.csv", [marriage(1)], encoding="gb18030")
    report = import_csv(quanke, MARRIAGE, path, actor="test")
    assert report.inserted == 1
    with quanke.db.session() as session:
        assert session.scalar(select(ArchiveRecord.issuing_body)) == "玄武区民政局婚姻登记处"


def test_cli_imports_with_progress_and_writes_every_error_to_a_file(quanke, tmp_path):
    path = write_csv(tmp_path / "m.csv", [marriage(1), marriage(2, record_date="昨天")])
    errors = tmp_path / "errors.csv"
    result = CliRunner().invoke(archive, ["import", "婚姻档案", str(path), "--errors", str(errors)],
                                obj=quanke)
    assert result.exit_code == 1, result.output
    assert "婚姻档案导入完成：共 2 行：新增 1" in result.output
    assert "第 3 行：形成日期“昨天”不是有效日期" in result.output
    with open(errors, encoding="utf-8-sig") as fh:
        assert list(csv.reader(fh))[1][0] == "3"
    again = CliRunner().invoke(archive, ["import", "marriage", str(path)], obj=quanke)
    assert "新增 0，更新 0，未变 1" in again.output


def test_cli_refuses_an_unknown_category(quanke, tmp_path):
    path = write_csv(tmp_path / "m.csv", [marriage(1)])
    result = CliRunner().invoke(archive, ["import", "户籍档案", str(path)], obj=quanke)
    assert result.exit_code != 0
    assert "档案类别“户籍档案”不存在" in result.output and "marriage（婚姻档案）" in result.output
    assert counts(quanke) == (0, 0)


def test_cli_lists_the_documented_columns():
    result = CliRunner().invoke(archive, ["columns", "veteran"])
    assert result.exit_code == 0
    for column in CATEGORIES["veteran"].columns:
        assert column in result.output
    assert "入伍时间，格式 YYYY-MM-DD" in result.output


@pytest.mark.postgres
def test_postgres_copy_loader_behaves_like_the_portable_one(aq_pg, tmp_path):
    quanke = aq_pg
    rows = [marriage(n) for n in range(1, 6)] + [marriage(2), marriage(9, record_date="2008-02-30")]
    path = write_csv(tmp_path / "m.csv", rows)
    report = import_csv(quanke, MARRIAGE, path, actor="test", batch_size=2)
    assert (report.inserted, report.error_count) == (5, 2)
    assert dict(report.errors)[7] == "档号 J012/2008-0002/01 与第3行重复"
    assert "不是有效日期" in dict(report.errors)[8]
    again = import_csv(quanke, MARRIAGE, path, actor="test", batch_size=2)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 5)
    changed = write_csv(tmp_path / "m2.csv", [marriage(1, female=OTHER_WIFE)])
    third = import_csv(quanke, MARRIAGE, changed, actor="test")
    assert (third.inserted, third.updated) == (0, 1)
    assert counts(quanke) == (5, 10)
    with quanke.db.session() as session:
        assert len(records_for_person(session, OTHER_WIFE)) == 1
        assert session.scalar(select(func.count(RecordPerson.id))
                              .where(RecordPerson.id_number_index == WIFE)) == 4  # marriages 2–5; none stale on 1
        # COPY wrote ciphertext, not the ID or the record's contents, and the blind index.
        raw = session.execute(text("SELECT p.id_number, p.id_number_index, r.fields FROM aq_record_persons p "
                                   "JOIN aq_archive_records r ON r.id = p.record_id")).all()
        assert len(raw) == 10 and not any(WIFE in str(row) or OTHER_WIFE in str(row) for row in raw)
        assert all(len(index) == 32 for _, index, _ in raw)


@pytest.mark.postgres
def test_postgres_copy_loader_refuses_another_categorys_reference_and_leaves_fresh_statistics(
        aq_pg, tmp_path):
    quanke = aq_pg
    import_csv(quanke, MARRIAGE, write_csv(tmp_path / "m.csv", [marriage(1)]), actor="test")
    veteran = CATEGORIES["veteran"]

    def row(file_no):
        return {"fonds_no": "J012", "file_no": file_no, "item_no": "01",
                "record_date": "2005-01-01", "issuing_body": "人武部", "person_id_number": HUSBAND,
                "person_name": "赵建国", "enlist_date": "2000-12-01", "discharge_date": "2005-01-01",
                "discharge_type": "退伍", "military_unit": "32101部队"}
    rows = [row("2008-0001"), row("V-1"), row("V-2"), row("V-1")]
    report = import_csv(quanke, veteran, write_csv(tmp_path / "v.csv", rows, veteran.columns),
                        actor="test", batch_size=2)
    assert (report.inserted, report.error_count) == (2, 2)
    assert report.errors == [(2, "档号 J012/2008-0001/01 已属于婚姻档案，不能作为另一类档案导入"),
                             (5, "档号 J012/V-1/01 与第3行重复")]
    assert counts(quanke) == (3, 4)
    with quanke.db.session() as session:  # analysed by the import, not left to autovacuum
        analysed = session.execute(text(
            "SELECT relname, last_analyze IS NOT NULL FROM pg_stat_user_tables "
            "WHERE relname IN ('aq_archive_records', 'aq_record_persons') ORDER BY relname")).all()
    assert analysed == [("aq_archive_records", True), ("aq_record_persons", True)]
