"""English is complete: every translatable string of the web app and every error code the
core, the plugins and the web layer raise has an English translation.

Error codes are collected from the source (``code="…"`` given to a QuankeError or one of its
subclasses), so a new code without English fails here, naming the file that raises it.
"""
from __future__ import annotations

import ast
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "web" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}
ERROR_BASES = {"QuankeError", "InvalidInput", "NotFound", "Forbidden", "InvalidState", "Conflict",
               "PluginError"}


def _catalog():
    with PO.open("rb") as fh:
        return read_po(fh)


def _sources():
    kit = ROOT / "core" / "testing"
    for folder in ("core", "plugins", "web"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts or path.name == "testing.py" or kit in path.parents:
                continue  # migrations raise nothing; the test kit's codes are sample data
            yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def _name(node) -> str:
    return node.id if isinstance(node, ast.Name) else getattr(node, "attr", "")


def error_codes() -> dict[str, str]:
    """code → a file raising it: class defaults and ``code=`` of every error raised."""
    trees = list(_sources())
    family = set(ERROR_BASES)
    grew = True
    while grew:  # subclasses anywhere (IdentityError, SealError, …) are errors too
        grew = False
        for _path, tree in trees:
            for node in ast.walk(tree):
                if (isinstance(node, ast.ClassDef) and node.name not in family
                        and {_name(b) for b in node.bases} & family):
                    family.add(node.name)
                    grew = True
    codes: dict[str, str] = {}
    for path, tree in trees:
        where = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name in family:
                for stmt in node.body:
                    if (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant)
                            and any(getattr(t, "id", "") == "code" for t in stmt.targets)):
                        codes.setdefault(stmt.value.value, where)
            if isinstance(node, ast.Call) and _name(node.func) in family:
                for kw in node.keywords:
                    if kw.arg == "code" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                        codes.setdefault(kw.value.value, where)
    return codes


def test_the_collector_finds_known_codes():
    codes = error_codes()
    for code in ("invalid_state", "already_claimed", "not_a_draft", "glyph_missing",
                 "lawyer_conflict", "insufficient_balance", "forbidden_department"):
        assert code in codes, code
    assert len(codes) > 250


def test_every_error_code_has_english():
    from web.error_names import ERROR_NAMES
    catalog = _catalog()
    missing = [f"{code} ({where})" for code, where in sorted(error_codes().items())
               if code not in ERROR_NAMES]
    assert not missing, "error codes without an entry in web/error_names/ (the module of the code's owner): " + ", ".join(missing)
    untranslated = [f"{code}: {ERROR_NAMES[code]._args[0]}" for code in sorted(ERROR_NAMES)
                    if not (catalog.get(ERROR_NAMES[code]._args[0]) and catalog.get(ERROR_NAMES[code]._args[0]).string)]
    assert not untranslated, "no English in messages.po for: " + "; ".join(untranslated)


def test_every_translatable_string_of_the_web_app_has_english():
    catalog = _catalog()
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    missing = []
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT / "web"), method_map, keywords=KEYWORDS):
        msgid = message if isinstance(message, str) else message[0]
        entry = catalog.get(msgid)
        if entry is None or not (entry.string if isinstance(entry.string, str) else all(entry.string)):
            missing.append(f"web/{filename}:{lineno} {msgid}")
    assert not missing, "strings without English:\n" + "\n".join(missing)


def test_english_error_shown_on_a_page(as_user, world):
    """A refused action in English shows the English text, not the Chinese message."""
    from core.testing import drive_to
    app = drive_to(world, "draft")
    b = as_user("citizen")
    b.get("/lang/en")
    b.post(f"/portal/applications/{app.id}/submit")
    r = b.post(f"/portal/applications/{app.id}/edit", {"f-purpose": "提交后再改"},
               content_type="multipart/form-data")
    page = b.text(r.headers["Location"])
    assert "Only a draft can be edited" in page and "只有草稿可以修改" not in page


def test_error_text_in_english_for_a_plugin_code(web):
    from flask import session

    from core.platform.errors import Conflict
    from web.helpers import error_text
    exc = Conflict("不能指派甲律师：曾代理对方当事人", code="lawyer_conflict")
    with web.test_request_context("/"):
        assert error_text(exc) == exc.message          # Chinese by default: the specific message
    with web.test_request_context("/"):
        session["lang"] = "en"                         # before the locale is first looked up
        assert error_text(exc) == "This lawyer cannot be assigned because of a conflict of interest"
