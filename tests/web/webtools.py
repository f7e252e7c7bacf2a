"""Helpers for the web tests (imported by conftest and tests): the testing kit's signed-in
clients, CSRF tokens and logins (:mod:`core.testing.browser`), with the defaults these tests
were written with."""
from __future__ import annotations

from core.testing import PASSWORD
from core.testing.browser import CSRF_RE, Browser, login, sign_in  # noqa: F401 - re-exported
from core.testing.browser import csrf_token as _kit_csrf_token


def csrf_token(client, url: str = "/queue/T01") -> str:
    """A CSRF token for this client's session (any page with the base layout has one)."""
    return _kit_csrf_token(client, url)


def login_form(browser: Browser, username: str, password: str = PASSWORD):
    return login(browser, username, password)
