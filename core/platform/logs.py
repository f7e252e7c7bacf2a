"""Application logs: JSON lines in production, plain text in development, always with a
request ID and never with personal data.

* ``LOG_FORMAT`` (``QUANKE_LOG_FORMAT``): ``json`` or ``text``; default ``json`` when
  ``ENV=production``, else ``text``. ``LOG_LEVEL`` (default ``INFO``).
* The request ID (请求编号) lives in a context variable: the web app sets it per request
  (:func:`web.security` takes a sane incoming ``X-Request-ID`` or makes one), the job runner
  stores it in the rq job's meta and the worker sets it again while the job runs, so one
  request's lines and its jobs' lines share one ID.
* :class:`PersonalDataFilter` masks resident ID numbers (身份证号) and mobile phone numbers in
  every record that reaches our handler, including third-party loggers. Names cannot be
  recognised in free text, so code logs ids (application numbers, database ids), never names.
"""
from __future__ import annotations

import contextvars
import logging
import re
import secrets
import sys

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("quanke_request_id", default="-")

_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# 18-digit resident ID (last may be X), 15-digit old IDs, mainland mobile numbers (1[3-9]x).
# Lookarounds instead of \b: Chinese characters count as word characters for \b.
_RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])(\d{6})(?:\d{8}(\d{3}[0-9Xx])|\d{5}(\d{4}))(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![\dA-Za-z])(1[3-9]\d)[- ]?\d{4}[- ]?(\d{4})(?!\d)")
_HANDLER_MARK = "_quanke_handler"


def new_request_id() -> str:
    return secrets.token_hex(8)


def accept_request_id(incoming: str | None) -> str:
    """The proxy's ``X-Request-ID`` when it is a short token, else a fresh one (a header is
    attacker-controlled: no newlines, no JSON breaking, no megabyte IDs in our logs)."""
    if incoming and _SANE_ID.match(incoming):
        return incoming
    return new_request_id()


def current_request_id() -> str | None:
    rid = request_id_var.get()
    return None if rid == "-" else rid


def mask_personal_data(text: str) -> str:
    """``320102199003071234`` → ``320102********1234``-like; ``13800000001`` → ``138****0001``."""
    text = _RESIDENT_ID.sub(lambda m: m.group(1) + "*" * (len(m.group(0)) - 10)
                            + (m.group(2) or m.group(3)), text)
    return _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class PersonalDataFilter(logging.Filter):
    """Formats the message once, masks it, and drops the arguments (they held the data)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not lose the line
            message = str(record.msg)
        record.msg = mask_personal_data(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        return True


def _formatter(fmt: str) -> logging.Formatter:
    if fmt == "json":
        from pythonjsonlogger.json import JsonFormatter
        return JsonFormatter("%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
                             rename_fields={"asctime": "time", "levelname": "level",
                                            "name": "logger"},
                             json_ensure_ascii=False)
    return logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")


def log_format(config: dict) -> str:
    fmt = (config.get("LOG_FORMAT") or "").lower()
    if fmt in ("json", "text"):
        return fmt
    return "json" if config.get("ENV") == "production" else "text"


def configure_logging(config: dict, stream=None) -> logging.Handler:
    """Install (or replace) Quanke's handler on the root logger; safe to call repeatedly."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    setattr(handler, _HANDLER_MARK, True)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(PersonalDataFilter())
    handler.setFormatter(_formatter(log_format(config)))
    root.addHandler(handler)
    level = str(config.get("LOG_LEVEL") or "INFO").upper()
    root.setLevel(getattr(logging, level, logging.INFO))
    return handler
