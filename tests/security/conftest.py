"""Fixtures for the security tests: the web tests' helpers (``webtools``) and quick argon2."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from core.people.sms_login import MemorySmsSender

sys.path.insert(0, str(Path(__file__).parents[1] / "web"))  # webtools (no packages in tests/)


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashing():
    """Argon2 at production cost takes ~0.5 s a hash here."""
    from argon2 import PasswordHasher

    from core.people import users
    original = users._hasher
    users._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    users._hasher = original


@pytest.fixture
def web(app, world):
    world.quanke.config["SMS_SENDER"] = "memory"
    MemorySmsSender.sent.clear()
    return app
