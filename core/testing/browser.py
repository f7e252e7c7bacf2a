"""Web test helpers: a test client that posts forms with their CSRF token, signing in (directly
or through the real login pages) and the SMS code a citizen was sent.

Every page posts a CSRF token and the portal logs citizens in with an SMS code, so a plugin's
page test needs all three before it can test anything of its own::

    def test_my_records_page(signed_in):
        page = signed_in("approver").text("/parking_permit/records")

    def test_portal_login(app, world):
        world.quanke.config["SMS_SENDER"] = "memory"      # codes kept in memory, not sent
        browser = Browser(app.test_client())
        citizen_login(browser, "13900000001")            # asks for a code, reads it, signs in
"""
from __future__ import annotations

import re

from core.people.sms_login import MemorySmsSender
from core.platform.identifiers import normalise_phone
from core.platform.models import Citizen, User

CSRF_RE = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_token(client, url: str = "/login") -> str:
    """A CSRF token for this client's session: any page with the base layout carries one
    (``/login`` sends a signed-in user on to their home page, which has one too)."""
    page = client.get(url, follow_redirects=True)
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

    def forget_token(self) -> None:
        """Signing in starts a new session with a new token: fetch it again on the next post."""
        self._token = None

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def post(self, url, data=None, *, csrf: bool = True, **kw):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.token())
        return self.client.post(url, data=data, **kw)

    def text(self, url, **kw) -> str:
        return self.get(url, **kw).get_data(as_text=True)


def sign_in(client, who) -> None:
    """Sign ``who`` in without the login page: a :class:`User` or :class:`Citizen` (or the
    session key ``"u:<id>"`` / ``"c:<id>"``), with the account's current session version (the
    web refuses an old one)."""
    if isinstance(who, (User, Citizen)):
        who = f"{'u' if isinstance(who, User) else 'c'}:{who.id}"
    kind, _, raw = str(who).partition(":")
    key = str(who)
    if raw.isdigit():
        with client.application.extensions["quanke"].db.session() as db:
            account = db.get(User if kind == "u" else Citizen, int(raw))
            if account is not None:
                key = f"{kind}:{raw}:{account.session_version or 0}"
    with client.session_transaction() as session:
        session["_user_id"] = key
        session["_fresh"] = True


def login(browser: Browser, username: str, password: str | None = None):
    """Sign a staff member in through the login form; returns the response (a redirect)."""
    from core.testing.seeding import PASSWORD
    response = browser.post("/login", {"username": username, "password": password or PASSWORD})
    browser.forget_token()
    return response


def sms_code(phone: str) -> str | None:
    """The last code sent to ``phone`` by the in-memory sender (``SMS_SENDER = "memory"``)."""
    return MemorySmsSender.last_code(phone)


def citizen_login(browser: Browser, phone: str):
    """Sign a citizen in through the portal's SMS login: ask for a code, read it with
    :func:`sms_code`, send it back. Needs ``quanke.config["SMS_SENDER"] = "memory"``."""
    phone = normalise_phone(phone)
    sent = browser.post("/portal/login", {"step": "send", "p-phone": phone})
    assert sent.status_code == 200, sent.status_code
    code = sms_code(phone)
    assert code, f"no SMS code sent to {phone}: set quanke.config['SMS_SENDER'] = 'memory'"
    response = browser.post("/portal/login", {"step": "verify", "c-phone": phone, "c-code": code})
    browser.forget_token()
    return response
