"""Display names (labels) of the codes users would otherwise see: the ``display_names`` hook.

Plugins record audit operations (``timebank.request_filed``), events (``face_check``), document
kinds (``bl_business_registered``), check results (``no_reference``) … under codes. Nobody at a
counter or on the portal should read a code: every plugin labels its own codes through
:func:`core.contract.hookspecs.display_names`, the core labels its own (``web.labels``), and the
pages show labels only (the ``label`` filter).

This module checks the shape of an answer and merges the answers of all plugins.
"""
from __future__ import annotations

from typing import Any

#: The kinds of code a label is given for.
LABEL_KINDS = (
    "audit_operation",   # AuditEvent.action — the audit log, a case's timeline, a request's history
    "event",             # what happened to an application as the timeline shows it (usually = audit_operation)
    "document_kind",     # Document.kind
    "check_result",      # a check's or identity check's result code (no_reference …)
    "object_type",       # AuditEvent.object_type (tb_request, face_check …)
    "data_key",          # keys of an audit event's details (reason, minutes …)
    "status",            # a plugin's own statuses (offered, accepted …)
    "field",             # form field codes, when a message names a field
)


def display_name_problems(answer: Any) -> list[str]:
    """What is wrong with one plugin's ``display_names()`` answer (``None`` is fine)."""
    if answer is None:
        return []
    if not isinstance(answer, dict):
        return [f"display_names 应返回 {{种类: {{编码: 名称}}}} 字典，而不是 {type(answer).__name__}"]
    problems = []
    for kind, names in answer.items():
        if kind not in LABEL_KINDS:
            problems.append(f"display_names 的种类 {kind!r} 未知（可用：{'、'.join(LABEL_KINDS)}）")
            continue
        if not isinstance(names, dict):
            problems.append(f"display_names 的 {kind} 应是 {{编码: 名称}} 字典")
            continue
        for code, name in names.items():
            if not (isinstance(code, str) and code and isinstance(name, str) and name.strip()):
                problems.append(f"display_names 的 {kind} 中 {code!r}: {name!r} 不是 编码: 非空名称")
    return problems


def merge(answers) -> dict[str, dict[str, str]]:
    """``[{kind: {code: name}}, …]`` → one ``{kind: {code: name}}`` (a later answer does not
    overwrite an earlier one: the first plugin to label a code keeps it)."""
    out: dict[str, dict[str, str]] = {kind: {} for kind in LABEL_KINDS}
    for answer in answers:
        for kind, names in (answer or {}).items():
            for code, name in names.items():
                out[kind].setdefault(code, name)
    return out
