"""Reference faces: counter enrolment, CSV + photo folder import, retention, audited access,
and the identity_provider hook in front of the local registry."""
import csv
import datetime as dt

import pytest
from sqlalchemy import select

from core.platform import audit
from core import hookimpl
from core.ops.demo import valid_resident_id
from core.platform.errors import Forbidden, InvalidInput, NotFound
from core.identity.enrolment import (LocalRegistry, enrol, identity_provider, import_references,
                                     purge_expired_photos, reference_encodings, references_for,
                                     retire_reference, view_reference_photo)
from core.identity.models import FaceReference
from core.platform.models import Applicant


def _events(quanke, action):
    with quanke.db.session() as s:
        return s.scalars(select(audit.AuditEvent).where(audit.AuditEvent.action == action)
                         .order_by(audit.AuditEvent.seq)).all()


def test_counter_enrols_an_id_photo(world, enrolled, astronaut_ref):
    quanke = world.quanke
    assert enrolled["source"] == "id_photo" and enrolled["photo_kept"]
    with quanke.db.session() as s:
        ref = s.get(FaceReference, enrolled["id"])
        assert len(ref.encoding) == 128 * 8 and ref.model.startswith("dlib")
        assert ref.enrolled_by_id == world.counter.id and ref.centre_id == world.counter.centre_id
        keep = ref.photo_keep_until - ref.enrolled_at
        assert keep == dt.timedelta(days=90)
        number = s.get(Applicant, world.citizen.applicant_id).id_number
    event = _events(quanke, "identity_enrolled")[-1]
    assert event.subject == number and event.actor == f"user:{world.counter.id}"
    assert "encoding" not in event.data                          # no biometrics in the audit log
    refs, meta = reference_encodings(quanke, number)
    from core.identity.faces import distance
    assert len(refs) == 1 and distance(refs[0], astronaut_ref) < 0.2
    assert meta["source"] == "local" and meta["reference_ids"] == [enrolled["id"]]


def test_enrolment_registers_a_new_person_by_id_number(world, astronaut_png):
    number = valid_resident_id("11010519800101123")
    info = enrol(world.quanke, world.counter, photo=astronaut_png, source="live_photo",
                 id_number=number, name="王五")
    assert info["source"] == "live_photo"
    assert references_for(world.quanke, world.counter, id_number=number)[0]["id"] == info["id"]


@pytest.mark.parametrize("who", ["approver", "auditor", "citizen"])
def test_only_counter_staff_enrol(world, astronaut_png, who):
    actor = getattr(world, who)
    with pytest.raises(Forbidden):
        enrol(world.quanke, actor, photo=astronaut_png, applicant_id=world.citizen.applicant_id)


@pytest.mark.parametrize("case, code", [("blank", "photo_no_face"), ("two_faces", "photo_multiple_faces"),
                                        ("dark", "photo_too_dark"), ("text", "photo_invalid_image")])
def test_an_unusable_photo_is_refused_with_a_reason(world, kit, case, code):
    photo = {"blank": lambda: kit.jpeg(kit.blank()), "two_faces": lambda: kit.jpeg(kit.two_faces()),
             "dark": lambda: kit.jpeg(kit.dark()), "text": lambda: b"not a photo"}[case]()
    with pytest.raises(InvalidInput) as exc:
        enrol(world.quanke, world.counter, photo=photo, applicant_id=world.citizen.applicant_id)
    assert exc.value.code == code and exc.value.message.startswith("登记照片不可用")


def test_photo_access_is_controlled_and_audited(world, enrolled, astronaut_png):
    quanke = world.quanke
    with pytest.raises(InvalidInput):
        view_reference_photo(quanke, world.counter, enrolled["id"], reason=" ")
    with pytest.raises(Forbidden):
        view_reference_photo(quanke, world.approver, enrolled["id"], reason="想看看")
    before = len(_events(quanke, "view_personal_data"))
    data, content_type = view_reference_photo(quanke, world.counter, enrolled["id"], reason="视频核验比对")
    assert data == astronaut_png and content_type == "image/png"
    views = _events(quanke, "view_personal_data")
    assert len(views) == before + 1
    assert views[-1].data == {"fields": ["reference_photo"], "reason": "视频核验比对"}
    assert views[-1].actor == f"user:{world.counter.id}" and views[-1].object_type == "face_reference"
    with quanke.db.session() as s:
        assert audit.verify(s).ok


def test_photos_are_deleted_after_retention_encoding_kept(world, enrolled):
    quanke = world.quanke
    assert purge_expired_photos(quanke) == 0
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=91)
    assert purge_expired_photos(quanke, at=later) == 1
    assert purge_expired_photos(quanke, at=later) == 0                      # idempotent
    with pytest.raises(NotFound) as exc:
        view_reference_photo(quanke, world.counter, enrolled["id"], reason="核对")
    assert exc.value.code == "photo_deleted"
    with quanke.db.session() as s:
        ref = s.get(FaceReference, enrolled["id"])
        assert ref.photo is None and ref.photo_deleted_at is not None and len(ref.encoding) == 1024
    assert _events(quanke, "identity_photo_purged")[-1].object_id == str(enrolled["id"])


def test_retention_zero_never_stores_the_photo(world, astronaut_png):
    world.quanke.config["FACE_PHOTO_RETENTION_DAYS"] = 0
    info = enrol(world.quanke, world.counter, photo=astronaut_png, applicant_id=world.citizen.applicant_id)
    assert not info["photo_kept"]
    with world.quanke.db.session() as s:
        assert s.get(FaceReference, info["id"]).photo is None
    with pytest.raises(NotFound):
        view_reference_photo(world.quanke, world.counter, info["id"], reason="核对")


def test_a_retired_reference_is_no_longer_used(world, enrolled):
    quanke = world.quanke
    retire_reference(quanke, world.counter, enrolled["id"], reason="照片不是本人")
    with quanke.db.session() as s:
        number = s.get(Applicant, world.citizen.applicant_id).id_number
    assert reference_encodings(quanke, number) == ([], {})


def _write_import(tmp_path, kit, rows):
    photos = tmp_path / "photos"
    photos.mkdir(exist_ok=True)
    (photos / "astronaut.jpg").write_bytes(kit.jpeg(kit.astronaut_frame()))
    (photos / "nobody.jpg").write_bytes(kit.jpeg(kit.blank()))
    path = tmp_path / "people.csv"
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(["身份证号", "姓名", "照片", "手机号"])
        writer.writerows(rows)
    return path, photos


def test_csv_and_photo_folder_import_with_progress(world, kit, tmp_path, capsys):
    quanke = world.quanke
    good = valid_resident_id("32010219700303003")
    rows = [[good, "赵六", "astronaut.jpg", "13900000009"],
            [valid_resident_id("32010219700404004"), "钱七", "nobody.jpg", ""],
            ["123", "坏号码", "astronaut.jpg", ""],
            [valid_resident_id("32010219700505005"), "孙八", "missing.jpg", ""],
            [valid_resident_id("32010219700606006"), "周九", "../escape.jpg", ""]]
    path, photos = _write_import(tmp_path, kit, rows)
    with pytest.raises(Forbidden):
        import_references(quanke, world.counter, path, photos)
    report = import_references(quanke, world.sys_admin, path, photos)
    err = capsys.readouterr().err
    assert "导入人像" in err and "5/5" in err                        # tqdm progress bar
    assert report.rows == 5 and report.imported == 1 and len(report.failed) == 4
    messages = {line: message for line, _, message in report.failed}
    assert "没有检测到人脸" in messages[3]
    assert "身份" in messages[4] or "号码" in messages[4]
    assert "找不到照片文件" in messages[5]
    assert "不在照片目录内" in messages[6]
    assert "导入 1 人" in str(report)
    refs = references_for(quanke, world.counter, id_number=good)
    assert len(refs) == 1 and refs[0]["source"] == "import"
    again = import_references(quanke, world.sys_admin, path, photos, progress=False)
    assert again.imported == 0 and again.unchanged == 1               # idempotent
    first, second = _events(quanke, "identity_import")[-2:]
    assert first.data["imported"] == 1 and first.data["failed"] == 4
    assert second.data["unchanged"] == 1


def test_import_requires_the_columns(world, tmp_path, kit):
    path = tmp_path / "bad.csv"
    path.write_text("id,who\n1,2\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as exc:
        import_references(world.quanke, world.sys_admin, path, tmp_path)
    assert exc.value.code == "csv_columns_missing"


def test_the_cli_group_imports(world, kit, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from core.ops.identity_commands import identity
    good = valid_resident_id("32010219700707007")
    path, photos = _write_import(tmp_path, kit, [[good, "吴十", "astronaut.jpg", ""]])
    monkeypatch.setenv("DATABASE_URL", world.quanke.config["DATABASE_URL"])
    monkeypatch.setenv("QUANKE_INSTANCE_PATH", world.quanke.config["INSTANCE_PATH"])
    result = CliRunner().invoke(identity, ["import", str(path), str(photos), "--by", "ops"])
    assert result.exit_code == 0, result.output
    assert "导入 1 人" in result.output
    assert _events(world.quanke, "identity_import")[-1].actor == "cli:ops"
    assert CliRunner().invoke(identity, ["purge-photos"]).exit_code == 0
    assert "人脸识别组件可用" in CliRunner().invoke(identity, ["check-engine"]).output


class _Registry:
    name = "population-registry"

    def __init__(self, answer):
        self.answer = answer

    def reference(self, id_number):
        return self.answer


def test_a_plugin_provider_replaces_the_local_registry(tmp_path, sqlite_template, astronaut_png, astronaut_ref):
    import shutil
    shutil.copy(sqlite_template, tmp_path / "q.db")

    class Adapter:
        __name__ = "registry_adapter"

        @hookimpl
        def identity_provider(self):
            return _Registry({"name": "张三", "photo": astronaut_png})

    from core.testing import SAMPLE_PLUGIN
    from core.runtime import Quanke
    quanke = Quanke({"DATABASE_URL": f"sqlite:///{tmp_path}/q.db", "INSTANCE_PATH": str(tmp_path)},
                    extra_plugins=[SAMPLE_PLUGIN, Adapter()])
    try:
        assert isinstance(identity_provider(quanke), _Registry)
        refs, meta = reference_encodings(quanke, "110105194912310021")
        from core.identity.faces import distance
        assert meta["source"] == "population-registry" and distance(refs[0], astronaut_ref) < 0.2
    finally:
        quanke.close()


def test_without_a_plugin_the_local_registry_answers(quanke):
    provider = identity_provider(quanke)
    assert isinstance(provider, LocalRegistry)
    assert provider.reference("110105194912310021") is None
