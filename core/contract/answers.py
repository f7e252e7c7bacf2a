"""The shape of each registration hook's answer (注册钩子的返回值), checked at start-up.

A wrong shape — a bare ``ServiceDef`` instead of a list, one ``(编码, 名称)`` pair instead of a
list of pairs, a path that is not a string — used to crash every command with a ``TypeError``
naming no plugin. :func:`answer_problems` returns Chinese sentences instead; the plugin host
files them under the plugin (disabled when not strict, start-up refused when strict).

``register_services`` and ``register_departments`` must answer a list (or tuple).
``register_blueprints``, ``register_commands`` and ``register_jobs`` may also answer one
object, as the core has always accepted (it wraps it in a list); each item is checked.
"""
from __future__ import annotations

import os
from typing import Any, Callable

import click

from core.contract.services import ServiceDef

#: Registration hooks checked at start-up, in the order the host calls them.
REGISTRATION_HOOKS = ("register_departments", "register_services", "register_migrations",
                      "register_blueprints", "register_commands", "register_jobs")


def _kind(value: Any) -> str:
    return type(value).__name__


def _items(hook: str, answer: Any, *, single_ok: bool, example: str) -> tuple[list, list[str]]:
    if isinstance(answer, (list, tuple)):
        return list(answer), []
    if single_ok:
        return [answer], []
    return [], [f"{hook} 应返回列表，而不是单个 {_kind(answer)}（写成 {example}）"]


def _department_problems(answer: Any) -> list[str]:
    pair = isinstance(answer, tuple) and len(answer) == 2 and all(isinstance(x, str) for x in answer)
    if pair:  # ("residents_committee", "社区居民委员会") on its own
        return [f"register_departments 应返回 [(编码, 名称)] 列表，而不是单个 {answer!r}"
                f"（写成 return [{answer!r}]）"]
    items, problems = _items("register_departments", answer, single_ok=False,
                             example="return [(编码, 名称)]")
    for n, item in enumerate(items, 1):
        if not (isinstance(item, (tuple, list)) and len(item) == 2
                and all(isinstance(x, str) and x.strip() for x in item)):
            problems.append(f"register_departments 返回的第 {n} 项 {item!r} 不是 (编码, 中文名称)")
    return problems


def _service_problems(answer: Any) -> list[str]:
    items, problems = _items("register_services", answer, single_ok=False,
                             example="return [SERVICE]")
    for n, item in enumerate(items, 1):
        if not isinstance(item, ServiceDef):
            problems.append(f"register_services 返回的第 {n} 项不是 ServiceDef（是 {_kind(item)}）")
    return problems


def _migration_problems(answer: Any) -> list[str]:
    if isinstance(answer, (str, os.PathLike)):
        return []
    return [f"register_migrations 应返回 versions 目录的路径（str），而不是 {_kind(answer)}"]


def _each(hook: str, answer: Any, ok: Callable[[Any], bool], what: str, example: str) -> list[str]:
    items, problems = _items(hook, answer, single_ok=True, example=example)
    for n, item in enumerate(items, 1):
        if not ok(item):
            problems.append(f"{hook} 返回的第 {n} 项不是{what}（是 {_kind(item)}）")
    return problems


def _is_blueprint(item: Any) -> bool:  # duck-typed: the core does not import Flask
    return isinstance(getattr(item, "name", None), str) and callable(getattr(item, "register", None))


def _job_problems(answer: Any) -> list[str]:
    problems = _each("register_jobs", answer, lambda j: isinstance(j, dict), "字典", "return [{...}]")
    if problems:
        return problems
    for n, job in enumerate(answer if isinstance(answer, (list, tuple)) else [answer], 1):
        label = job.get("name") or f"第 {n} 项"
        if not isinstance(job.get("name"), str) or not job["name"]:
            problems.append(f"register_jobs 的第 {n} 项缺少 name")
        if not isinstance(job.get("func"), str) or "." not in job["func"]:
            problems.append(f"register_jobs 的任务 {label} 的 func 应是函数的点分路径（str）")
        if ("cron" in job) == ("interval" in job):
            problems.append(f"register_jobs 的任务 {label} 须有 cron 或 interval 之一")
        elif "interval" in job and not (isinstance(job["interval"], (int, float)) and job["interval"] > 0):
            problems.append(f"register_jobs 的任务 {label} 的 interval 应是正的秒数")
        if "kwargs" in job and not isinstance(job["kwargs"], dict):
            problems.append(f"register_jobs 的任务 {label} 的 kwargs 应是字典")
    return problems


def answer_problems(hook: str, answer: Any) -> list[str]:
    """Problems with one plugin's answer to registration hook ``hook`` (``None`` is fine)."""
    if answer is None:
        return []
    if hook == "register_departments":
        return _department_problems(answer)
    if hook == "register_services":
        return _service_problems(answer)
    if hook == "register_migrations":
        return _migration_problems(answer)
    if hook == "register_blueprints":
        return _each(hook, answer, _is_blueprint, " Flask 蓝图", "return [bp]")
    if hook == "register_commands":
        return _each(hook, answer, lambda c: isinstance(c, click.Command), " click 命令",
                     "return [group]")
    if hook == "register_jobs":
        return _job_problems(answer)
    return []
