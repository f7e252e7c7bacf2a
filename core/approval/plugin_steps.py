"""Plugins' work inside a decision's own transaction (``before_decision_commit``): allocate a
licence or card number, write a register row — saved with the decision or not at all, so no
catch-up job has to allocate after the commit.

Called by approve, reject, issue and decisions by rule, after the state changed and the
decision and document rows were added, before the transition's audit event and the commit.
"""
from __future__ import annotations

import json
import logging

from core.platform.errors import QuankeError

log = logging.getLogger(__name__)


class PluginStepFailed(QuankeError):
    """A plugin's ``before_decision_commit`` failed with an unexpected error: nothing saved."""

    code = "plugin_failed"
    http_status = 500


def before_commit(quanke, session, app, action: str) -> dict:
    """Run every plugin's ``before_decision_commit``; their answers for the audit event.

    A :class:`QuankeError` a plugin raises (e.g. ``InvalidState("号段已用完")``) refuses the
    action with that error; any other exception refuses it as ``plugin_failed`` naming the
    plugin. Either way the whole transaction — decision, documents, plugin rows — rolls back.
    """
    caller = quanke.hook.before_decision_commit
    answers: dict = {}
    args = {"application": app, "action": action, "session": session, "quanke": quanke}
    for impl in caller.get_hookimpls():
        try:
            answer = impl.function(**{k: v for k, v in args.items() if k in impl.argnames})
        except QuankeError:
            raise
        except Exception as exc:
            log.exception("before_decision_commit of plugin %s failed on %s", impl.plugin_name,
                          app.number)
            raise PluginStepFailed(
                f"插件 {impl.plugin_name} 处理“{_ACTIONS.get(action, action)}”时出错，本次操作未保存，请稍后重试或联系系统管理员",
                details={"plugin": impl.plugin_name, "error": type(exc).__name__}) from exc
        if answer is not None:
            answers[impl.plugin_name] = _jsonable(answer)
        session.flush()   # the plugin's rows now, so a constraint fails here and names no one else
    return {"plugins": answers} if answers else {}


_ACTIONS = {"approve": "批准", "reject": "不予批准", "issue": "出证"}


def _jsonable(answer):
    """What goes into the audit event must be JSON; anything else is kept as its text."""
    try:
        json.dumps(answer)
        return answer
    except (TypeError, ValueError):
        return str(answer)
