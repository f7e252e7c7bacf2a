"""Helpers for the web tests (imported by conftest and tests): signed-in clients per role, CSRF tokens, SMS codes."""
from __future__ import annotations

import re

from core.testing import PASSWORD

CSRF_RE = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_token(client, url: str = "/queue/T01") -> str:
    """A CSRF token for this client's session (any page with the base layout has one)."""
    page = client.get(url)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url}: {page.status_code}"
    return match.group(1)


class Browser:
    """A Flask test client that adds the CSRF token to every form post."""

    def __init__(self, client):
        self.client = client
        self._token = None

    def token(self) -> str:
        if self._token is None:
            self._token = csrf_token(self.client)
        return self._token

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def post(self, url, data=None, *, csrf: bool = True, **kw):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.token())
        return self.client.post(url, data=data, **kw)

    def text(self, url, **kw) -> str:
        response = self.get(url, **kw)
        return response.get_data(as_text=True)


def sign_in(client, key: str) -> None:
    """Sign in through the Flask-Login session (``u:<id>`` staff, ``c:<id>`` citizens), with
    the account's current session version (web.identity refuses an old one)."""
    kind, _, raw = key.partition(":")
    if raw.isdigit():
        from core.platform.models import Citizen, User
        with client.application.extensions["quanke"].db.session() as db:
            account = db.get(User if kind == "u" else Citizen, int(raw))
            if account is not None:
                key = f"{kind}:{raw}:{account.session_version or 0}"
    with client.session_transaction() as session:
        session["_user_id"] = key
        session["_fresh"] = True




def login_form(browser: Browser, username: str, password: str = PASSWORD):
    response = browser.post("/login", {"username": username, "password": password})
    browser._token = None  # signing in starts a new session, with a new CSRF token
    return response
