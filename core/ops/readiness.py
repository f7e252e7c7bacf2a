"""Operations: readiness of a deployment and the production start-up check.

``readiness(quanke)`` answers "can this process serve requests now?" (``/readyz``): the
database answers, Redis answers when ``REDIS_URL`` is configured, the database schema is
at the migration heads the code expects, and the data keys are the database's. ``check_production(quanke)`` refuses to start a
production deployment with the development secret key or without the departments' seal
certificates (``quanke serve --production``, gunicorn's ``on_starting``).
"""
from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field

from core.platform.config import DEV_SECRET
from core.platform.errors import QuankeError

log = logging.getLogger(__name__)

#: Seconds a readiness probe waits for Redis before calling it unreachable.
REDIS_TIMEOUT = 2.0
MIN_SECRET_LENGTH = 32


class ProductionConfigError(QuankeError):
    """The deployment is not fit for production; the message says what to fix."""

    code = "production_config"
    http_status = 500


@dataclass
class Readiness:
    checks: dict[str, dict] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(c["ok"] for c in self.checks.values())

    def to_dict(self) -> dict:
        return {"status": "ready" if self.ok else "unavailable", "checks": self.checks}


def _timed(fn) -> dict:
    started = time.perf_counter()
    try:
        detail = fn()
        result = {"ok": True}
        if detail is not None:
            result["detail"] = detail
    except Exception as exc:  # noqa: BLE001 - a probe reports, it never raises
        result = {"ok": False, "error": type(exc).__name__, "message": _short(exc)}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _short(exc: Exception) -> str:
    # Driver messages can carry host names and user names, never personal data; keep one line.
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def check_database(quanke) -> None:
    from sqlalchemy import text
    with quanke.db.engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def check_redis(quanke) -> None:
    from redis import Redis
    client = Redis.from_url(quanke.config["REDIS_URL"], socket_timeout=REDIS_TIMEOUT,
                            socket_connect_timeout=REDIS_TIMEOUT)
    try:
        client.ping()
    finally:
        client.close()


def check_migrations(quanke) -> str:
    from core.ops import migrate
    current, missing = migrate.current_heads(quanke), sorted(migrate.missing_heads(quanke))
    if missing:
        raise QuankeError(f"数据库迁移不是最新：缺少 {', '.join(missing) or '-'}；"
                          f"请运行 `quanke db upgrade`", code="migrations_pending")
    return f"{len(current)} heads"


def check_keys(quanke) -> str:
    """The data keys can be read, are the ones the database recorded, and decrypt a sample of
    every encrypted column: a process with a missing or wrong key must not serve (it would
    fail on every page that shows a person, or find nobody by ID)."""
    from core.ops.keys import readiness_check
    return readiness_check(quanke)


def calendar_warnings_now(quanke) -> list[str]:
    """The calendar's warnings today (provisional years ahead, a HOLIDAY_FILE that failed)."""
    from core.deadlines.calendar_status import calendar_warnings
    from core.platform.clock import today
    with quanke.db.session() as session:
        warnings = calendar_warnings(quanke.calendar(session), today())
    if getattr(quanke, "holiday_file_error", None):
        warnings.insert(0, f"配置的节假日文件 HOLIDAY_FILE 未能载入：{quanke.holiday_file_error}")
    return warnings


def check_calendar(quanke) -> dict | None:
    # A warning, not a failure: taking every web process out of service would not help.
    warnings = calendar_warnings_now(quanke)
    return {"warnings": warnings} if warnings else None


def readiness(quanke) -> Readiness:
    """Database, Redis (when configured) and migrations; each check timed, none raising."""
    result = Readiness()
    result.checks["database"] = _timed(lambda: check_database(quanke))
    if quanke.config.get("REDIS_URL"):
        result.checks["redis"] = _timed(lambda: check_redis(quanke))
    if result.checks["database"]["ok"]:
        result.checks["migrations"] = _timed(lambda: check_migrations(quanke))
        result.checks["keys"] = _timed(lambda: check_keys(quanke))
        result.checks["calendar"] = _timed(lambda: check_calendar(quanke))
    else:
        result.checks["migrations"] = {"ok": False, "error": "skipped",
                                       "message": "database unreachable"}
    return result


def is_production(quanke) -> bool:
    return str(quanke.config.get("ENV", "development")).lower() == "production"


def check_production(quanke) -> dict:
    """Refuse a production start with development secrets or without seal certificates.

    Raises :class:`ProductionConfigError` (secret key), :class:`core.papers.seal.SealMissing` /
    :class:`core.papers.seal.SealError` (seals) or :class:`core.platform.crypto.KeyConfigError`
    (data keys missing, readable by others, malformed), each with a Chinese message saying what to fix.
    Returns ``{department: seal path}`` when everything is in place.
    """
    secret = str(quanke.config.get("SECRET_KEY") or "")
    if not secret or secret == DEV_SECRET:
        raise ProductionConfigError(
            "生产环境不能使用开发用的 SECRET_KEY。请设置环境变量 QUANKE_SECRET_KEY 为随机生成的"
            f"至少 {MIN_SECRET_LENGTH} 个字符的密钥（例如 `python -c \"import secrets; "
            "print(secrets.token_urlsafe(48))\"`）后再启动。",
            code="dev_secret_key")
    if len(secret) < MIN_SECRET_LENGTH:
        raise ProductionConfigError(
            f"SECRET_KEY 太短（{len(secret)} 个字符）：生产环境至少需要 {MIN_SECRET_LENGTH} 个字符的随机密钥。",
            code="weak_secret_key")
    if not is_production(quanke):
        raise ProductionConfigError(
            "生产检查要求 QUANKE_ENV=production（否则缺少的印章会被开发 CA 自动生成）。",
            code="not_production")
    from core.papers.issuance import check_seals
    seals = check_seals(quanke)
    # The data keys must be there before anything is served: production never makes its own.
    quanke.keys.ring(refresh=True, generate=False)
    if not metrics_token(quanke) or metrics_token(quanke) == "change-me":
        raise ProductionConfigError(
            "生产环境必须设置 QUANKE_METRICS_TOKEN（/metrics 的访问令牌，随机生成），否则任何人都能读取运营指标。",
            code="metrics_token_missing")
    for key, dev in (("SMS_SENDER", DEV_SENDERS), ("NOTIFICATION_SENDER", DEV_SENDERS)):
        if str(quanke.config.get(key) or "console").strip() in dev:
            raise ProductionConfigError(
                f"生产环境不能使用开发用的 {key}={quanke.config.get(key) or 'console'}（会把手机号和验证码写进日志、"
                f"不会真正发出短信）。请设置 QUANKE_{key} 为短信网关的发送器。",
                code="dev_sender_in_production")
    return seals


#: Senders for development only: they print (console) or keep messages in memory (tests).
DEV_SENDERS = frozenset({"console", "memory", ""})


def metrics_token(quanke=None) -> str:
    """The ``/metrics`` (and detailed ``/readyz``) token: ``QUANKE_METRICS_TOKEN``."""
    configured = quanke.config.get("METRICS_TOKEN") if quanke is not None else None
    return str(configured or os.environ.get("QUANKE_METRICS_TOKEN") or "")


def refuse_unless_production_ready(quanke) -> None:
    """``quanke serve --production``: switch the runtime to production and run
    :func:`check_production`; a problem stops the command with its Chinese message."""
    import click
    quanke.config["ENV"] = "production"
    try:
        check_production(quanke)
    except QuankeError as exc:
        raise click.ClickException(f"拒绝以生产模式启动：{exc.message}") from None
