"""Plugin health: what is wrong with each plugin's set-up (``quanke plugins --check``).

Start-up (:class:`core.contract.host.PluginHost`) already refuses invalid declarations. This module
looks further, at what only shows once a plugin meets a real deployment:

* the plugin could not be loaded at all (import error, wrong hook signature, invalid or
  duplicate declaration) — reported with the start-up error;
* its Alembic branch is not applied, or only partly, in the configured database
  (current vs expected head, branch by branch);
* a hook name that no hookspec knows (a typo such as ``register_service``) or a hook
  marked deprecated (compatibility policy in ``docs/plugins.md``);
* a certificate that uses form fields the service's form does not have
  (:func:`certificate_field_problems`, cheap enough to run at start-up too);
* whatever the plugin's own :func:`core.contract.hookspecs.check_config` answers — typically a
  setting it needs (:func:`require_settings`) or templates it ships
  (:func:`require_templates`).

Helpers here are for plugin authors too: :func:`setting` reads a plugin setting the same
way the core reads its own (config dict, then ``QUANKE_<NAME>`` in the environment).
"""
from __future__ import annotations
from dataclasses import dataclass, field
from typing import Any, Iterable
from core.contract.certificate_fields import certificate_field_problems


#: The plugin name problems of the database or the core's own branch are filed under.
CORE = "core"


def declaration_problems(services: Iterable, departments: set[str] | None = None,
                         *, render: bool = True) -> list[str]:
    """:func:`core.contract.services.validate_service` plus the certificate/form cross-check."""
    from core.contract.services import validate_service
    problems: list[str] = []
    for service in services:
        problems += validate_service(service, departments)
        problems += certificate_field_problems(service, render=render)
    return problems


def hook_problems(host) -> dict[str, list[str]]:
    """Per plugin: hooks no hookspec knows (typos) and deprecated hooks it implements."""
    out: dict[str, list[str]] = {}
    for name, caller in vars(host.pm.hook).items():
        if name.startswith("_") or not hasattr(caller, "get_hookimpls"):
            continue
        spec = getattr(caller, "spec", None)
        for impl in caller.get_hookimpls():
            if spec is None:
                if not impl.optionalhook:
                    out.setdefault(impl.plugin_name, []).append(
                        f"实现了不存在的钩子 {name}（拼写错误？见 docs/plugins.md 钩子参考）")
                continue
            if spec.warn_on_impl is not None:
                out.setdefault(impl.plugin_name, []).append(
                    f"使用了已弃用的钩子 {name}：{spec.warn_on_impl}")
            for arg, warning in (spec.warn_on_impl_args or {}).items():
                if arg in impl.argnames:
                    out.setdefault(impl.plugin_name, []).append(
                        f"钩子 {name} 的参数 {arg} 已弃用：{warning}")
    return out


def call_each(host, hook_name: str, **kwargs) -> list[tuple[str, Any, BaseException | None]]:
    """Call one hook plugin by plugin: ``(plugin name, answer, exception or None)``."""
    out = []
    caller = getattr(host.pm.hook, hook_name)
    for impl in reversed(caller.get_hookimpls()):
        args = {name: kwargs[name] for name in impl.argnames if name in kwargs}
        try:
            out.append((impl.plugin_name, impl.function(**args), None))
        except Exception as exc:  # noqa: BLE001 - reported, never raised
            out.append((impl.plugin_name, None, exc))
    return out


@dataclass
class PluginHealth:
    name: str
    version: str = ""
    origin: str = ""
    enabled: bool = True
    problems: list[str] = field(default_factory=list)
    #: turned off on purpose (``QUANKE_DISABLED_PLUGINS``): reported, not a problem
    switched_off: bool = False
    #: worth knowing, not a problem (does not fail the check)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (self.enabled or self.switched_off) and not self.problems


@dataclass
class HealthReport:
    plugins: dict[str, PluginHealth] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.plugins.values())

    def problems(self) -> dict[str, list[str]]:
        """Plugin name → its problems, for the plugins that have any."""
        return {name: list(p.problems) for name, p in self.plugins.items() if not p.ok}

    def lines(self) -> list[str]:
        """Human-readable report: one line per plugin, one indented line per problem."""
        out = []
        for entry in self.plugins.values():
            head = f"{entry.name}  {entry.version}  [{entry.origin}]".rstrip()
            if entry.switched_off and entry.ok:
                out.append(f"- {head}  已在配置中停用")
            elif entry.ok:
                out.append(f"✓ {head}  正常")
            else:
                out.append(f"✗ {head}  {'已停用' if not entry.enabled else '有问题'}")
                out.extend(f"    - {problem}" for problem in entry.problems)
            out.extend(f"    · {note}" for note in entry.notes)
        bad = sum(1 for p in self.plugins.values() if not p.ok)
        out.append("全部插件检查通过" if not bad else f"{bad} 个插件有问题")
        return out
