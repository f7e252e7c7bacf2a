"""Words a user should never see (issue 21): no page shows a code — ``face_check``,
``timebank.request_filed``, ``['no_reference']``, ``user:5`` — where a person reads words.

1. Every audit operation the source records, every document kind and every status a built-in
   plugin shows has a label (core: web.labels; plugins: the ``display_names`` hook).
2. The pages of the authorisation matrix, walked as every role that may open them after
   applications went through every state, show no ``snake_case`` word and no ``user:<id>`` in
   their visible text (scripts, styles and attributes are not read by anyone).
"""
from __future__ import annotations

import html as markup
import re
from pathlib import Path

import pytest

from core.contract.host import PluginHost
from core.testing import drive_to
from test_authorization_matrix import HTML, Objects, next_workday
from webtools import Browser, sign_in

ROOT = Path(__file__).resolve().parents[2]
SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
ACTOR = re.compile(r"\b(?:user|citizen):\d+\b")
#: what must show as it is (none, ideally)
ALLOWED: set[str] = set()
STATES = ("draft", "submitted", "correction_requested", "not_accepted", "accepted", "accepted+paused",
          "in_review", "approved", "rejected", "issued", "delivered", "withdrawn")


def visible_text(page: str) -> str:
    page = re.sub(r"(?is)<(script|style|template)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<!--.*?-->", " ", page)
    page = re.sub(r"(?s)<[^>]+>", " ", page)          # tags, with their attributes
    return " ".join(markup.unescape(page).split())


def codes_in(text: str, data: frozenset = frozenset()) -> set[str]:
    """Codes in ``text``; ``data`` are words people typed (the staff's user names: t_counter)."""
    return ({w for w in SNAKE.findall(text) if w not in ALLOWED | data} | set(ACTOR.findall(text)))


def test_the_checker_sees_codes_and_not_words():
    """The check itself: it catches what issue 21 found and lets sentences through."""
    shown = visible_text('<p title="face_check">人脸核验 · <b>request_filed</b> · user:5</p>'
                         '<script>var face_review = 1</script><p>["no_reference"]</p>')
    assert codes_in(shown) == {"request_filed", "user:5", "no_reference"}
    assert not codes_in(visible_text("<p>审批人员 approver（张三）于 2026-12-03 批准</p>"))


# -- 1. every code has a label --------------------------------------------------------------------

def _recorded_operations() -> set[str]:
    ops = set()
    for path in list((ROOT / "core").rglob("*.py")) + list((ROOT / "web").rglob("*.py")) \
            + list((ROOT / "plugins").rglob("*.py")):
        if "migrations" in path.parts or "testing" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if "record(" not in text and "record_audit(" not in text:
            continue
        for call in re.finditer(r"(?:audit\.record|record_audit)\((?:[^()]|\([^()]*\))*\)", text, re.DOTALL):
            ops |= set(re.findall(r'action="([a-z_.]+)"', call.group(0)))
            ops |= set(re.findall(r'else "([a-z_.]+)"', call.group(0)))
    ops |= {"applicant_identified", "many_personal_data_views"}   # recorded through constants
    return ops


@pytest.fixture(scope="module")
def labels(tmp_path_factory):
    from web import create_app   # noqa: F401 - web.labels needs the web package
    from web import labels as web_labels
    host = PluginHost(strict=True, load_entry_points=False)
    def find(code, kind):
        return web_labels.CORE.get(kind, {}).get(code) or host.labels.get(kind, {}).get(code)
    return host, find


def test_every_recorded_audit_operation_has_a_label(labels):
    _host, find = labels
    ops = _recorded_operations()
    assert len(ops) > 80 and "timebank.request_filed" in ops and "face_check" in ops
    from plugins.timebank.domain.ledger.kinds import JOURNAL_LABELS
    ops |= {f"timebank.{kind}" for kind in JOURNAL_LABELS}        # ledger.post(kind=…)
    missing = sorted(op for op in ops if not find(op, "audit_operation"))
    assert not missing, f"audit operations without a label: {missing}"


def test_every_document_kind_and_object_type_has_a_label(labels):
    host, find = labels
    from core.platform.models import State
    kinds = {"receipt", "correction_notice", "refusal_notice", "decision_approve", "decision_reject",
             "certificate"} | set(host.labels["document_kind"])
    assert {"bl_food_filing", "la_grant"} <= kinds
    assert not [k for k in kinds if not find(k, "document_kind")]
    objects = set()
    for path in list((ROOT / "core").rglob("*.py")) + list((ROOT / "plugins").rglob("*.py")):
        objects |= set(re.findall(r'object_type="([a-z_]+)"', path.read_text(encoding="utf-8")))
    assert not sorted(o for o in objects if not find(o, "object_type"))
    assert not [s.value for s in State if not find(s.value, "status")]


# -- 2. the pages ---------------------------------------------------------------------------------

def _client(web, world, role):
    client = web.test_client()
    client.environ_base["REMOTE_ADDR"] = f"10.9.{abs(hash(role)) % 250}.1"
    if role in world.users:
        sign_in(client, f"u:{world.users[role].id}")
    elif role in world.citizens:
        sign_in(client, f"c:{world.citizens[role].id}")
    return Browser(client)


#: services whose example cannot be filed in the test world, and why (their plugins' tests cover them)
NOT_FILED = {"business_license.change": "needs a registered business", "business_license.deregistration":
             "needs a registered business", "business_license.food_permit": "needs a registered business"}


def test_no_page_of_the_matrix_shows_a_code(web, world):
    objects = Objects(world)
    apps = {state: drive_to(world, state).id for state in STATES}      # sample.permit, every state
    for code in sorted(set(world.quanke.plugins.services) - set(NOT_FILED) - {"sample.permit"}):
        apps[f"{code} draft"] = drive_to(world, "draft", code).id
        apps[f"{code} submitted"] = drive_to(world, "submitted", code).id
    # the remote identity check the citizen could not finish (no portrait): face_check, no_reference
    from core.identity import verification
    from core.platform.models import Citizen
    from core.testing import TINY_PNG
    with world.quanke.db.session() as s:
        citizen = s.get(Citizen, world.citizen.id)
        s.expunge(citizen)
    status = verification.start_face_check(world.quanke, citizen, apps["archive_query.query draft"], [TINY_PNG] * 3, ip="10.0.0.9")
    assert status["status"] == "error", status           # no portrait registered: no_reference
    pages: list[tuple[str, str]] = []
    for entry in HTML:
        if entry.method != "GET" or entry.at_window or not entry.allowed:
            continue
        for role in sorted(entry.allowed, key=str):
            names = [n for n in ("app", "applicant", "ticket", "done_ticket", "appointment", "follow_up",
                                 "rating", "appeal", "user", "centre", "token", "material", "document")
                     if "{" + n + "}" in entry.path]
            if set(names) & {"material", "document"}:
                continue       # files, not pages
            values = {n: objects.get(n, entry.state if n == "app" else None) for n in names}
            pages.append((role, entry.path.format(**values, workday=next_workday())))
    for app_id in apps.values():
        pages += [("acceptor", f"/counter/applications/{app_id}"), ("auditor", f"/approvals/applications/{app_id}"),
                  ("citizen", f"/portal/applications/{app_id}")]
        pages.append(("auditor", f"/admin/audit?application={app_id}"))
    audit_text = visible_text(_client(web, world, "auditor").get(f"/admin/audit?application={apps['archive_query.query draft']}").get_data(as_text=True))
    assert "远程人脸核验" in audit_text and "还没有您的登记照片" in audit_text     # labelled, not face_check / no_reference
    usernames = frozenset(u.username for u in world.users.values())
    found: dict[str, set[str]] = {}
    for role, path in pages:
        if role is None and path in ("/lang/en", "/favicon.ico", "/healthz"):
            continue
        response = _client(web, world, role).get(path, follow_redirects=True)
        if response.status_code >= 500:
            found.setdefault(f"{role} {path}", set()).add(f"HTTP {response.status_code}")
            continue
        if "html" not in (response.content_type or ""):
            continue
        codes = codes_in(visible_text(response.get_data(as_text=True)), usernames)
        if codes:
            found[f"{role} {path}"] = codes
    assert not found, "codes on pages:\n" + "\n".join(f"{k}: {sorted(v)}" for k, v in sorted(found.items()))
