"""Errors the core raises for bad input, wrong state or wrong role.

Every error carries a stable machine code (for the API and tests) and a Chinese message
for the person at the screen. Web layers map them to 4xx responses; none of them is a 500.
"""
from __future__ import annotations


class QuankeError(Exception):
    """Base class: ``code`` is stable, ``message`` is shown to the user (Chinese)."""

    code = "error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None,
                 details: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field
        self.details = details or {}

    def to_dict(self) -> dict:
        out = {"error": self.code, "message": self.message}
        if self.field:
            out["field"] = self.field
        if self.details:
            out["details"] = self.details
        return out


class InvalidInput(QuankeError):
    code = "invalid_input"
    http_status = 400


class NotFound(QuankeError):
    code = "not_found"
    http_status = 404


class Forbidden(QuankeError):
    """Wrong role, or a rule such as segregation of duties forbids the action."""

    code = "forbidden"
    http_status = 403


class InvalidState(QuankeError):
    """The action is not allowed from the application's current state."""

    code = "invalid_state"
    http_status = 409


class Conflict(QuankeError):
    """Someone else got there first (e.g. claimed the application)."""

    code = "conflict"
    http_status = 409


class PluginError(QuankeError):
    """A plugin's declaration is invalid; start-up stops and names the plugin."""

    code = "plugin_error"
    http_status = 500

    def __init__(self, plugin: str, message: str):
        super().__init__(f"插件 {plugin}: {message}", code="plugin_error")
        self.plugin = plugin
