"""Configuration: defaults for the embedded set-up, overridden by environment variables.

Every setting can be given as ``QUANKE_<NAME>`` in the environment; ``DATABASE_URL`` and
``REDIS_URL`` are also read without the prefix, as hosting platforms set them that way.
"""
from __future__ import annotations

import os
from pathlib import Path

DEV_SECRET = "dev-not-secret"

DEFAULTS: dict = {
    "ENV": "development",               # or "production"
    "INSTANCE_PATH": "instance",
    "DATABASE_URL": None,               # None → sqlite:///<instance>/quanke.db
    "REDIS_URL": None,                  # None → jobs run inline
    "QUEUE_PREFIX": "quanke",           # rq queue names: <prefix>-default
    "WORKER_CLASS": "simple",           # rq worker: simple (jobs in the worker) or fork (core.jobs)
    "SECRET_KEY": DEV_SECRET,
    "DISABLED_PLUGINS": (),
    "PLUGINS_STRICT": True,
    "UPLOAD_DIR": None,                 # None → <instance>/uploads
    "SEAL_DIR": None,                   # None → <instance>/seals
    "HOLIDAY_FILE": None,
    "BASE_URL": "http://127.0.0.1:5000",
    "CORRECTION_WORKING_DAYS": 5,       # time to answer a one-time correction notice
    "MAX_EXTENSION_WORKING_DAYS": 10,  # unused since 0.2: each service's statute sets it (LegalClock)
    "NOTIFICATION_SENDER": "console",   # production refuses console (core.ops.readiness.check_production)
    "METRICS_TOKEN": None,              # /metrics and a detailed /readyz need it; production requires it
    "JOB_RETRY_INTERVALS": None,
    "LOG_FORMAT": None,                 # "json" / "text"; None → json in production (core.platform.logs)
    "LOG_LEVEL": "INFO",
    "PROXY_HOPS": 0,                    # reverse proxies in front (X-Forwarded-For hops to trust)
    "LOGIN_MAX_FAILURES": 5,            # staff lock-out (core.people.lockout)
    "LOGIN_FAILURE_WINDOW_MINUTES": 15,
    "LOGIN_LOCK_MINUTES": 15,
    "RATE_LIMIT_LOGIN": None,           # None → web.limits.KINDS defaults
    "RATE_LIMIT_SMS": None,
    "RATE_LIMIT_FACE": None,
    "RATE_LIMIT_KIOSK": None,
    "RATE_LIMIT_VERIFY": None,
    "KEY_FILE": None,                   # None → <instance>/keys/data-keys.json (core.platform.crypto.keys)
    "DATA_KEYS": None,                  # the key file's JSON itself (QUANKE_DATA_KEYS); wins over KEY_FILE
    "CIPHER": "SM4-GCM",
    "AUDIT_HASH": "SM3",                # the audit chain's links: SM3 (national) or SHA-256                # for new keys: SM4-GCM (national) or AES-256-GCM
    "RENDER_DOCUMENTS_INLINE": True,    # without Redis: render PDFs right after the change        # seconds between retries of must-not-lose jobs
}

_LIST_KEYS = {"DISABLED_PLUGINS"}
_BOOL_KEYS = {"PLUGINS_STRICT"}
_INT_KEYS = {"CORRECTION_WORKING_DAYS", "MAX_EXTENSION_WORKING_DAYS", "PROXY_HOPS",
             "LOGIN_MAX_FAILURES", "LOGIN_FAILURE_WINDOW_MINUTES", "LOGIN_LOCK_MINUTES"}


def _coerce(key: str, raw: str):
    if key in _LIST_KEYS:
        return tuple(p.strip() for p in raw.split(",") if p.strip())
    if key in _BOOL_KEYS:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if key in _INT_KEYS:
        return int(raw)
    return raw


def load_config(overrides: dict | None = None, environ: dict | None = None) -> dict:
    """Defaults ← environment ← explicit overrides; derived paths filled in."""
    environ = os.environ if environ is None else environ
    config = dict(DEFAULTS)
    for key in DEFAULTS:
        for env_key in (f"QUANKE_{key}", key if key in {"DATABASE_URL", "REDIS_URL"} else None):
            if env_key and environ.get(env_key):
                config[key] = _coerce(key, environ[env_key])
                break
    config.update(overrides or {})
    instance = Path(config["INSTANCE_PATH"]).resolve()
    config["INSTANCE_PATH"] = str(instance)
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = f"sqlite:///{instance / 'quanke.db'}"
    config["UPLOAD_DIR"] = str(Path(config["UPLOAD_DIR"] or instance / "uploads"))
    config["SEAL_DIR"] = str(Path(config["SEAL_DIR"] or instance / "seals"))
    return config
