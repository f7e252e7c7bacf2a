"""Hypothesis-driven form fuzzing: every HTML form endpoint of the authorisation matrix, posted
by a role allowed to use it and by one that is not, with hostile values in every field (SQL
and script injection, control characters, very long text, numbers where text belongs and the
reverse). The answer is never a 5xx, and a value the page shows back is escaped.

The JSON API gets the same treatment from schemathesis (test_api_schemathesis.py).
"""
from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from core.platform.models import Citizen
from webtools import Browser, sign_in

from test_authorization_matrix import HTML, PLACEHOLDERS, PNG, ROLES, STAFF, Objects, fill, next_workday

HOSTILE = ["' OR '1'='1", "1; DROP TABLE applications;--", "<script>alert(1)</script>",
           "\"><img src=x onerror=alert(1)>", "{{7*7}}", "${7*7}", "../../etc/passwd", "\x00",
           "\u202e反转", "-1", "0", "99999999999999999999", "1e308", "NaN", "", " ", "是" * 5000]
hostile_value = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=300))
FORMS = [e for e in HTML if e.method == "POST" and e.path != "/logout"]


def _post(web, world, objects, entry, role, overrides: dict):
    names = {n for n in PLACEHOLDERS if "{" + n + "}" in entry.path + str(entry.data)}
    values = {n: objects.get(n, entry.state if n == "app" else None) for n in names}
    values.update(approver2=world.approver2.id, workday=next_workday())
    with world.quanke.db.session() as s:
        values["id_number"] = s.get(Citizen, world.citizen.id).applicant.id_number
    data = fill(entry.data, values)
    form = {k: (io.BytesIO(PNG), "p.png") if v == "PNG" else v for k, v in data.items()}
    form.update(overrides)
    client = web.test_client()
    client.environ_base["REMOTE_ADDR"] = f"10.9.{ROLES.index(role)}.1"
    if role in STAFF:
        sign_in(client, f"u:{world.users[role].id}")
    elif role is not None:
        sign_in(client, f"c:{world.citizens[role].id}")
    response = Browser(client).post(entry.path.format(**values), form,
                                    content_type="multipart/form-data")
    objects.cache.clear()   # a call that worked used its objects up
    return response


@pytest.mark.parametrize("entry", FORMS, ids=lambda e: e.path)
def test_hostile_form_values_never_cause_a_server_error(entry, web, world):
    objects = Objects(world)
    allowed = sorted(r for r in entry.allowed if r is not None) or [None]
    denied = sorted(r for r in ROLES if r not in entry.allowed and r is not None)[:1]
    fields = sorted(k for k, v in entry.data.items() if v != "PNG") + ["unexpected_field"]

    @settings(max_examples=4, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(overrides=st.dictionaries(st.sampled_from(fields), hostile_value, min_size=1),
           role=st.sampled_from(allowed[:1] + denied))
    def post_hostile(overrides, role):
        response = _post(web, world, objects, entry, role, overrides)
        assert response.status_code < 500, (role, overrides, response.status_code)
        page = response.get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page
        assert "<img src=x onerror=alert(1)>" not in page

    post_hostile()
