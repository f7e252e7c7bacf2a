"""The plugin host: loads built-in and installed plugins, validates their declarations.

Built-in services are ordinary plugins listed in :data:`DEFAULT_PLUGINS` (as datasette does);
outside packages register through the ``quanke.plugins`` entry-point group. The manager
lives on a :class:`PluginHost`, which lives on the runtime (``app.extensions["quanke"]``),
never in a process global, so tests can build as many as they like.
"""
from __future__ import annotations

import importlib
import importlib.metadata as md
import logging
from dataclasses import dataclass, field, replace
from types import ModuleType
from typing import Iterable

import pluggy

from core.contract import hookspecs, labels
from core.contract.answers import REGISTRATION_HOOKS, answer_problems
from core.platform.errors import NotFound, PluginError
from core.contract.certificate_fields import certificate_field_problems
from core.contract.services import ServiceDef, validate_service

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "quanke.plugins"

#: The built-in service plugins, imported by name so the core never imports them directly.
#: A missing folder (e.g. ``plugins/legal_aid`` deleted) just means one service fewer.
DEFAULT_PLUGINS = (
    "plugins.business_license.plugin",
    "plugins.archive_query.plugin",
    "plugins.legal_aid.plugin",
    "plugins.timebank.plugin",
)

#: Departments the core itself knows; plugins may add more via ``register_departments``.
CORE_DEPARTMENTS: tuple[tuple[str, str], ...] = ()


@dataclass
class PluginInfo:
    """What ``quanke plugins`` shows for one plugin."""

    name: str
    module: str
    origin: str            # "built-in" or the distribution name
    version: str
    services: list[str] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)   # codes it declares (register_departments)
    enabled: bool = True
    error: str = ""


def plugin_name_for(module_name: str) -> str:
    """``plugins.legal_aid.plugin`` → ``legal_aid``; ``quanke_residence.plugin`` → ``quanke_residence``."""
    parts = module_name.split(".")
    if parts[-1] == "plugin" and len(parts) > 1:
        parts = parts[:-1]
    if parts[0] == "plugins" and len(parts) > 1:
        parts = parts[1:]
    return parts[0] if len(parts) == 1 else ".".join(parts)


def _module_version(module: ModuleType, default: str) -> str:
    version = getattr(module, "__version__", None)
    if version:
        return str(version)
    package = module.__name__.rsplit(".", 1)[0]
    pkg = importlib.import_module(package) if package != module.__name__ else module
    return str(getattr(pkg, "__version__", default))


class PluginHost:
    """Loads plugins into a pluggy manager and holds their validated declarations."""

    def __init__(self, *, disabled: Iterable[str] = (), strict: bool = True,
                 default_plugins: Iterable[str] = DEFAULT_PLUGINS,
                 extra_plugins: Iterable[object] = (), load_entry_points: bool = True):
        self.pm = pluggy.PluginManager("quanke")
        self.pm.add_hookspecs(hookspecs)
        self.disabled = set(disabled)
        self.strict = strict
        self.infos: dict[str, PluginInfo] = {}
        self.services: dict[str, ServiceDef] = {}
        self.departments: dict[str, str] = dict(CORE_DEPARTMENTS)
        self.labels: dict[str, dict[str, str]] = labels.merge(())
        core_version = importlib.import_module("core").__version__
        for dotted in default_plugins:
            self._load_module(dotted, origin="built-in", version=core_version)
        if load_entry_points:
            for ep in md.entry_points(group=ENTRY_POINT_GROUP):
                dist = ep.dist.name if ep.dist else "?"
                version = ep.dist.version if ep.dist else "?"
                self._load_entry_point(ep, dist, version)
        for plugin in extra_plugins:
            name = getattr(plugin, "__name__", type(plugin).__name__)
            self._register(plugin, plugin_name_for(name), name, "test", "0")
        self._collect()

    # -- loading -------------------------------------------------------------------------------

    def _fail(self, name: str, module: str, origin: str, version: str, message: str) -> None:
        if self.strict:
            raise PluginError(name, message)
        log.error("plugin %s disabled: %s", name, message)
        self.infos[name] = PluginInfo(name, module, origin, version, enabled=False, error=message)

    def _load_module(self, dotted: str, origin: str, version: str) -> None:
        name = plugin_name_for(dotted)
        if name in self.disabled:
            self.infos[name] = PluginInfo(name, dotted, origin, version, enabled=False,
                                          error="已在配置中停用")
            return
        try:
            module = importlib.import_module(dotted)
        except ModuleNotFoundError as exc:
            if exc.name and (dotted == exc.name or dotted.startswith(exc.name + ".")):
                log.info("built-in plugin %s is not installed; skipping", dotted)
                return
            self._fail(name, dotted, origin, version, f"导入失败：{exc!r}")
            return
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not crash start-up
            self._fail(name, dotted, origin, version, f"导入失败：{exc!r}")
            return
        self._register(module, name, dotted, origin, _module_version(module, version))

    def _load_entry_point(self, ep, dist: str, version: str) -> None:
        name = ep.name
        if name in self.disabled:
            self.infos[name] = PluginInfo(name, ep.value, dist, version, enabled=False,
                                          error="已在配置中停用")
            return
        if name in self.infos:
            return  # a built-in already registered under this name
        try:
            module = ep.load()
        except Exception as exc:  # noqa: BLE001
            self._fail(name, ep.value, dist, version, f"导入失败：{exc!r}")
            return
        self._register(module, name, ep.value, dist, version)

    def _register(self, module, name: str, dotted: str, origin: str, version: str) -> None:
        try:
            self.pm.register(module, name=name)
        except (pluggy.PluginValidationError, ValueError) as exc:
            self._fail(name, dotted, origin, version, f"钩子签名错误：{exc}")
            return
        self.infos[name] = PluginInfo(name, dotted, origin, version)

    # -- declarations --------------------------------------------------------------------------

    def _call_each(self, hook_name: str):
        """Yield (plugin name, answer) for a registration hook, one plugin at a time."""
        hook = getattr(self.pm.hook, hook_name)
        for impl in reversed(hook.get_hookimpls()):
            if impl.plugin_name not in self.infos or not self.infos[impl.plugin_name].enabled:
                continue
            try:
                answer = impl.function()
            except Exception as exc:  # noqa: BLE001
                info = self.infos[impl.plugin_name]
                self._disable(info, f"{hook_name} 出错：{exc!r}")
                continue
            yield impl.plugin_name, answer

    def _disable(self, info: PluginInfo, message: str) -> None:
        if self.strict:
            raise PluginError(info.name, message)
        log.error("plugin %s disabled: %s", info.name, message)
        info.enabled = False
        info.error = message
        plugin = self.pm.get_plugin(info.name)
        if plugin is not None:
            self.pm.unregister(plugin)
        for code in info.services:
            self.services.pop(code, None)
        info.services = []

    def _shaped(self, hook_name: str):
        """:meth:`_call_each`, disabling a plugin whose answer has the wrong shape."""
        for plugin, answer in self._call_each(hook_name):
            problems = answer_problems(hook_name, answer)
            if problems:
                self._disable(self.infos[plugin], "；".join(problems))
                continue
            yield plugin, answer

    def _collect(self) -> None:
        for plugin, answer in self._shaped("register_departments"):
            for code, name in answer or ():
                known = self.departments.get(code)
                if known and known != name:
                    self._disable(self.infos[plugin],
                                  f"部门 {code} 的名称 {name!r} 与已声明的 {known!r} 不一致")
                    break
                self.departments[code] = name
                self.infos[plugin].departments.append(code)
        owners: dict[str, str] = {}
        for plugin, answer in self._shaped("register_services"):
            info = self.infos[plugin]
            problems: list[str] = []
            declared: list[ServiceDef] = []
            for service in answer or ():
                problems += validate_service(service, set(self.departments))
                if isinstance(service, ServiceDef):
                    problems += certificate_field_problems(service, render=False)
                    if service.code in owners or service.code in (s.code for s in declared):
                        owner = owners.get(service.code, plugin)
                        problems.append(f"事项编码 {service.code} 重复（已由插件 {owner} 声明）")
                    declared.append(replace(service, plugin=plugin))
            if problems:
                self._disable(info, "；".join(problems))
                continue
            for service in declared:
                owners[service.code] = plugin
                self.services[service.code] = service
                info.services.append(service.code)
        for hook_name in REGISTRATION_HOOKS:   # the rest are called later: check them now
            if hook_name not in ("register_departments", "register_services"):
                list(self._shaped(hook_name))  # validating the answers is the point
        answers = []
        for plugin, answer in self._call_each("display_names"):
            problems = labels.display_name_problems(answer)
            if problems:
                self._disable(self.infos[plugin], "；".join(problems))
            else:
                answers.append(answer)
        self.labels = labels.merge(reversed(answers))   # the plugin loaded first keeps a code

    # -- queries -------------------------------------------------------------------------------

    @property
    def hook(self):
        return self.pm.hook

    def service(self, code: str) -> ServiceDef:
        try:
            return self.services[code]
        except KeyError:
            raise NotFound(f"未知的办事事项：{code}", code="unknown_service") from None

    def plugins(self) -> list[PluginInfo]:
        return sorted(self.infos.values(), key=lambda i: (i.origin != "built-in", i.name))

    def collect(self, hook_name: str, **kwargs) -> list:
        """Call a list-returning hook and flatten the answers."""
        out: list = []
        for answer in getattr(self.pm.hook, hook_name)(**kwargs):
            if answer:
                out.extend(answer if isinstance(answer, (list, tuple)) else [answer])
        return out

    def migration_locations(self) -> dict[str, str]:
        """Plugin name → its Alembic versions folder."""
        out: dict[str, str] = {}
        for plugin, answer in self._call_each("register_migrations"):
            if answer:
                out[plugin] = str(answer)
        return out
