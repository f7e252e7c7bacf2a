"""Configuration: defaults for the embedded set-up, overridden by environment variables.

Every setting can be given as ``QUANKE_<NAME>`` in the environment; ``DATABASE_URL`` and
``REDIS_URL`` are also read without the prefix, as hosting platforms set them that way.
"""
from __future__ import annotations

import os
import re
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
    "BASE_URL": None,                   # None → derived from the serving host/port (serving_url)
    "CORRECTION_WORKING_DAYS": 5,       # time to answer a one-time correction notice
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
_INT_KEYS = {"CORRECTION_WORKING_DAYS", "PROXY_HOPS",
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
    if not config.get("BASE_URL"):
        # QR codes and links on documents must reach this server: without a configured
        # address, use the one it serves on (`quanke plugins --check` warns in production).
        config["BASE_URL"], config["BASE_URL_DERIVED"] = serving_url(environ), True
    else:
        config["BASE_URL_DERIVED"] = bool(config.get("BASE_URL_DERIVED"))
    config["UPLOAD_DIR"] = str(Path(config["UPLOAD_DIR"] or instance / "uploads"))
    config["SEAL_DIR"] = str(Path(config["SEAL_DIR"] or instance / "seals"))
    return config


DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 5000
_WILDCARD_HOSTS = {"", "0.0.0.0", "::", "[::]"}


def address_url(host: str, port: int | str) -> str:
    """``http://host:port`` for a listening address; a wildcard address (all interfaces) has
    no name of its own, so links use the loopback address (set BASE_URL for other devices)."""
    host = (host or "").strip()
    if host in _WILDCARD_HOSTS:
        host = DEFAULT_HOST
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"            # an IPv6 literal
    return f"http://{host}:{port}"


def serving_url(environ: dict | None = None) -> str:
    """The address this installation serves on, for BASE_URL when none is configured:
    ``HOST``/``PORT`` (what ``scripts/run.sh`` and ``quanke serve`` use), else ``QUANKE_BIND``
    (gunicorn, ``host:port``), else ``http://127.0.0.1:5000``."""
    environ = os.environ if environ is None else environ
    host, port = environ.get("HOST"), environ.get("PORT")
    if not (host or port) and environ.get("QUANKE_BIND"):
        bind = environ["QUANKE_BIND"].split(",")[0].strip()
        if not bind.startswith("unix:"):
            host, _, port = bind.rpartition(":") if ":" in bind else (bind, "", "")
    port = port if re.fullmatch(r"[0-9]{1,5}", str(port or "")) else DEFAULT_PORT
    return address_url(host or DEFAULT_HOST, port)


def base_url_warnings(config: dict) -> list[str]:
    """Why the documents' QR codes and links may not open, in production (``plugins --check``)."""
    if str(config.get("ENV", "development")).lower() != "production":
        return []
    url = str(config.get("BASE_URL") or "")
    if config.get("BASE_URL_DERIVED"):
        return [f"生产环境没有配置 BASE_URL：证照和文书上的二维码、核验链接使用的是按服务地址推导出的 {url}，"
                "市民和其他设备无法打开；请把 QUANKE_BASE_URL 设为对外访问本系统的地址"
                "（如 https://quanke.example.gov.cn）"]
    from urllib.parse import urlsplit
    host = (urlsplit(url).hostname or "").lower()
    if host in {"localhost", "127.0.0.1", "::1"} or host.startswith("127."):
        return [f"BASE_URL {url} 指向本机：证照和文书上的二维码、核验链接在其他设备上无法打开；"
                "请把 QUANKE_BASE_URL 设为对外访问本系统的地址"]
    return []
