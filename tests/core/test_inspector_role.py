"""The inspector role (执法检查人员): scoped to a department; may revoke only on a finding."""
import pytest
from sqlalchemy import select

from core.papers import issuance
from core.platform.errors import Forbidden, InvalidInput
from core.platform.models import Document, Role
from core.testing import PASSWORD, drive_to
from core.people.users import create_user, parse_role


def test_inspector_is_a_department_role():
    assert parse_role("inspector:sample_dept") == (Role.INSPECTOR, "sample_dept")
    with pytest.raises(InvalidInput) as err:
        parse_role("inspector")
    assert err.value.code == "department_required"
    assert Role.INSPECTOR.label == "执法检查人员"


def test_an_inspector_revokes_only_on_a_finding_in_their_department(world):
    quanke = world.quanke
    app = drive_to(world, "issued")
    with quanke.db.session() as s:
        other = create_user(s, username="t_insp_other", name="别的部门", password=PASSWORD,
                            roles=["inspector:other_dept"], centre_code="T01")
        doc_id = s.scalar(select(Document.id).where(Document.application_id == app.id,
                                                    Document.kind == "certificate"))
    with pytest.raises(Forbidden):   # not a decision an inspector takes on their own
        issuance.revoke(quanke, world.inspector, doc_id, "现场核查不符")
    with pytest.raises(Forbidden):   # another department's inspector
        issuance.revoke(quanke, other, doc_id, "现场核查不符", finding=True)
    revoked = issuance.revoke(quanke, world.inspector, doc_id, "现场核查不符", finding=True)
    assert revoked.status == "revoked"
