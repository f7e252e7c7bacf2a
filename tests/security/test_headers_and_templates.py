"""Security headers on every page and no inline script in any template (the CSP forbids it)."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_pages_deny_framing_and_set_the_policies(client):
    r = client.get("/login")
    h = r.headers
    assert h["X-Frame-Options"] == "DENY"
    csp = h["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert h["Referrer-Policy"] == "same-origin"
    assert "camera=(self)" in h["Permissions-Policy"] and "microphone=()" in h["Permissions-Policy"]
    assert h["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in h          # plain http: no HSTS


def test_hsts_only_over_tls(client):
    r = client.get("/login", base_url="https://quanke.example")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")


def test_hsts_behind_a_trusted_proxy(quanke):
    from web import create_app
    quanke.config["PROXY_HOPS"] = 1
    client = create_app(quanke=quanke).test_client()
    r = client.get("/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.9.8.7"})
    assert "Strict-Transport-Security" in r.headers
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_request_id_is_returned_and_a_bad_one_replaced(client):
    r = client.get("/healthz", headers={"X-Request-ID": "abc-123.def"})
    assert r.headers["X-Request-ID"] == "abc-123.def"
    for bad in ("x" * 300, 'a"b', "a b", ""):
        rid = client.get("/healthz", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert rid != bad and re.fullmatch(r"[0-9a-f]{16}", rid)
    assert client.get("/healthz").headers["X-Request-ID"] != client.get("/healthz").headers["X-Request-ID"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"""<[^>]+\son[a-z]+\s*=\s*["']""", re.I)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def _templates():
    for base in ("web", "plugins", "examples", "core"):
        yield from (ROOT / base).rglob("*.html")


def test_no_template_has_inline_script_handlers_or_javascript_urls():
    found = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, JS_URL):
            for match in pattern.finditer(text):
                found.append(f"{path.relative_to(ROOT)}: {match.group(0)[:80]}")
    assert len(list(_templates())) > 50
    assert found == []


def test_the_scan_would_catch_them():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/app.js"></script>')
    assert EVENT_HANDLER.search('<button onclick="go()">')
    assert JS_URL.search('<a href="javascript:void(0)">')


def test_material_previews_may_be_framed_by_our_own_pages_only():
    from web.security import FRAMEABLE
    assert FRAMEABLE == {"files.material_file", "files.document_pdf"}
