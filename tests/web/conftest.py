"""Fixtures for the web tests: the app with the in-memory SMS sender, signed-in browsers."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from core.people.sms_login import MemorySmsSender

sys.path.insert(0, str(Path(__file__).parent))  # for `import webtools` (no packages in tests/)
from webtools import Browser, sign_in  # noqa: E402


@pytest.fixture
def web(app, world):
    """app + world, with the in-memory SMS sender."""
    world.quanke.config["SMS_SENDER"] = "memory"
    MemorySmsSender.sent.clear()
    return app


@pytest.fixture
def as_user(web, world):
    """``as_user("counter")`` → a Browser signed in as that world user (or citizen)."""
    def make(key: str | None) -> Browser:
        client = web.test_client()
        if key is not None:
            if key in world.users:
                sign_in(client, f"u:{world.users[key].id}")
            else:
                sign_in(client, f"c:{world.citizens[key].id}")
        return Browser(client)
    return make


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashing():
    """Argon2 at production cost takes ~0.5 s a hash here; the world has 12 staff per test."""
    from argon2 import PasswordHasher

    from core.people import users
    original = users._hasher
    users._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    users._hasher = original


@pytest.fixture
def api_tokens(web, world):
    """role name → API token for every world staff member."""
    from core.people.tokens import create_token
    from core.platform.models import User
    out = {}
    with world.quanke.db.session() as session:
        for key, user in world.users.items():
            out[key] = create_token(session, session.get(User, user.id), name="test")
    return out


@pytest.fixture
def api(web, api_tokens):
    """``api("counter", "post", "/api/v1/...", json={...})`` → response."""
    client = web.test_client()

    def call(who, method, path, **kw):
        headers = dict(kw.pop("headers", {}) or {})
        if who is not None:
            headers["Authorization"] = f"Bearer {api_tokens[who]}"
        return getattr(client, method.lower())(path, headers=headers, **kw)
    return call
