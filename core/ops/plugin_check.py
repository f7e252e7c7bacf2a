"""``quanke plugins --check`` over a runtime: the contract checks plus the state of each
plugin's Alembic branch in the configured database.
"""
from __future__ import annotations

import importlib
import warnings
from pathlib import Path
from typing import Iterable

from core.contract.certificate_fields import certificate_field_problems
from core.contract.departments import missing_departments
from core.contract.health import (
    CORE,
    HealthReport,
    PluginHealth,
    call_each,
    hook_problems,
)

UNKNOWN_REVISION = "数据库中有未知的迁移版本"


def _branch_revisions(script, head) -> set[str]:
    """Every revision of the branch ending at ``head`` (down_revision links only)."""
    seen: set[str] = set()
    todo = [head.revision]
    while todo:
        rev = todo.pop()
        if rev in seen:
            continue
        seen.add(rev)
        down = script.get_revision(rev).down_revision
        if down:
            todo.extend(down if isinstance(down, (tuple, list)) else [down])
    return seen


def _applied(script, current: set[str]) -> set[str]:
    """Every revision at or below the database's current heads (dependencies included)."""
    out: set[str] = set()
    for rev in current:
        try:
            out.update(r.revision for r in script.iterate_revisions(rev, "base"))
        except Exception:  # noqa: BLE001 - an unknown revision is reported separately
            continue
    return out


def migration_problems(quanke) -> dict[str, list[str]]:
    """Per branch (``core`` or plugin name): is its head applied to the configured database?"""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from core.ops import migrate
    out: dict[str, list[str]] = {}
    locations = {CORE: str(migrate.HERE / "versions")}
    try:
        plugin_locations = quanke.plugins.migration_locations()
    except Exception as exc:  # noqa: BLE001
        return {CORE: [f"无法读取插件的迁移目录：{exc!r}"]}
    for plugin, location in plugin_locations.items():
        if Path(location).is_dir():
            locations[plugin] = location
        else:
            out.setdefault(plugin, []).append(
                f"迁移目录 {location} 不存在（register_migrations 返回的路径有误，或打包时遗漏）")
    cfg = Config()
    cfg.set_main_option("script_location", str(migrate.HERE))
    cfg.set_main_option("version_locations", " ".join(locations.values()))
    cfg.set_main_option("path_separator", "space")
    try:
        script = ScriptDirectory.from_config(cfg)
        known = {rev.revision for rev in script.walk_revisions()}
    except Exception as exc:  # noqa: BLE001
        out.setdefault(CORE, []).append(f"迁移脚本无法加载：{exc!r}")
        return out
    try:
        current = migrate.current_heads(quanke)
    except Exception as exc:  # noqa: BLE001
        out.setdefault(CORE, []).append(f"无法连接数据库 {quanke.db.url}：{exc.__class__.__name__}")
        return out
    for rev in sorted(current - known):
        out.setdefault(CORE, []).append(f"{UNKNOWN_REVISION} {rev}（对应的插件已卸载或停用？）")
    applied = _applied(script, current & known)
    for label in locations:
        try:
            head = script.get_revision(f"{label}@head")
        except Exception:  # noqa: BLE001
            head = None
        if head is None:
            out.setdefault(label, []).append(
                f"找不到迁移分支 {label}（第一个版本须写 branch_labels = ({label!r},)）")
            continue
        if head.revision in applied:
            continue
        done = sorted(_branch_revisions(script, head) & applied)
        if done:
            out.setdefault(label, []).append(
                f"迁移未完成：数据库在 {', '.join(done)}，应为 {head.revision}（运行 quanke db upgrade）")
        else:
            out.setdefault(label, []).append(
                f"迁移未应用：数据库中没有 {label} 分支，应为 {head.revision}（运行 quanke db upgrade）")
    return out


def check(quanke) -> HealthReport:
    """Run every check for every plugin the runtime knows (enabled or disabled)."""
    report = HealthReport()
    report.plugins[CORE] = PluginHealth(CORE, importlib.import_module("core").__version__, "core")
    host = quanke.plugins
    switched_off = sorted(getattr(host, "disabled", ()) or ())
    for info in host.plugins():
        entry = PluginHealth(info.name, info.version, info.origin, info.enabled,
                             switched_off=info.name in switched_off)
        if not info.enabled and not entry.switched_off:
            entry.problems.append(info.error or "已停用")
        report.plugins[info.name] = entry

    def add(plugin: str, problems: Iterable[str]) -> None:
        entry = report.plugins.setdefault(plugin, PluginHealth(plugin))
        entry.problems.extend(p for p in problems if p not in entry.problems)

    for plugin, problems in hook_problems(host).items():
        add(plugin, problems)
    for info in host.plugins():
        if not info.enabled:
            continue
        for code in info.services:
            service = host.services.get(code)
            if service is not None:
                add(info.name, certificate_field_problems(service))
    for plugin, problems in migration_problems(quanke).items():
        if plugin == CORE and switched_off:
            # revisions of a plugin turned off on purpose are expected, not a problem
            unknown = [p for p in problems if p.startswith(UNKNOWN_REVISION)]
            report.plugins[CORE].notes.extend(
                f"{p}（已在配置中停用的插件：{', '.join(switched_off)}）" for p in unknown)
            problems = [p for p in problems if p not in unknown]
        add(plugin, problems)
    for plugin, problems in missing_departments(quanke).items():  # none before core_0001
        add(plugin, problems)
    from core.platform.config import base_url_warnings
    report.plugins[CORE].notes.extend(base_url_warnings(quanke.config))
    try:
        from core.ops.readiness import calendar_warnings_now
        report.plugins[CORE].notes.extend(calendar_warnings_now(quanke))
    except Exception:  # noqa: BLE001 - no database: reported by the migration check
        pass
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecations are reported by hook_problems
        answers = call_each(host, "check_config", quanke=quanke)
    for plugin, answer, exc in answers:
        if exc is not None:
            add(plugin, [f"check_config 出错：{exc!r}"])
        elif answer:
            add(plugin, [str(a) for a in (answer if isinstance(answer, (list, tuple)) else [answer])])
    return report


def health_runtime(config: dict | None = None):
    """A runtime for diagnosis: never strict, so one broken plugin does not hide the others."""
    from core.runtime import Quanke
    return Quanke({**(config or {}), "PLUGINS_STRICT": False})
