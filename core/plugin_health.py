"""Plugin health: what is wrong with each plugin's set-up (``quanke plugins --check``).

Start-up (:class:`core.plugins.PluginHost`) already refuses invalid declarations. This module
looks further, at what only shows once a plugin meets a real deployment:

* the plugin could not be loaded at all (import error, wrong hook signature, invalid or
  duplicate declaration) — reported with the start-up error;
* its Alembic branch is not applied, or only partly, in the configured database
  (current vs expected head, branch by branch);
* a hook name that no hookspec knows (a typo such as ``register_service``) or a hook
  marked deprecated (compatibility policy in ``docs/plugins.md``);
* a certificate that uses form fields the service's form does not have
  (:func:`certificate_field_problems`, cheap enough to run at start-up too);
* whatever the plugin's own :func:`core.hookspecs.check_config` answers — typically a
  setting it needs (:func:`require_settings`) or templates it ships
  (:func:`require_templates`).

Helpers here are for plugin authors too: :func:`setting` reads a plugin setting the same
way the core reads its own (config dict, then ``QUANKE_<NAME>`` in the environment).
"""
from __future__ import annotations

import datetime as dt
import importlib
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Iterable

#: The plugin name problems of the database or the core's own branch are filed under.
CORE = "core"

_MISSING = object()
UNKNOWN_REVISION = "数据库中有未知的迁移版本"
#: A valid resident ID number for sample data (the standard's own example).
SAMPLE_ID_NUMBER = "11010519491231002X"


# -- helpers for plugin authors ----------------------------------------------------------------

def setting(quanke, name: str, default: Any = None) -> Any:
    """A plugin setting: ``quanke.config[name]``, else ``QUANKE_<name>`` from the environment.

    Plugins use upper-case names starting with their own prefix (``RESIDENCE_...``). The
    value from the environment is a string; convert and validate it in ``check_config``.
    """
    config = getattr(quanke, "config", None) or {}
    value = config.get(name, _MISSING)
    if value is not _MISSING and value is not None and value != "":
        return value
    env = os.environ.get(f"QUANKE_{name}")
    if env is not None and env.strip():
        return env
    return default


def require_settings(quanke, *names: str) -> list[str]:
    """Problems for each setting in ``names`` that is neither configured nor in the environment.

    Use it from ``check_config``: ``return require_settings(quanke, "RESIDENCE_API_URL")``.
    """
    return [f"缺少配置 {name}（在配置中设置 {name}，或设置环境变量 QUANKE_{name}）"
            for name in names if setting(quanke, name) is None]


def package_dir(package: str | ModuleType) -> Path:
    """The folder of a package (or of the package holding a module such as ``x.plugin``)."""
    module = importlib.import_module(package) if isinstance(package, str) else package
    path = Path(module.__file__ or "")
    return path.parent


def require_templates(package: str | ModuleType, *names: str, folder: str = "templates") -> list[str]:
    """Problems when the plugin's ``templates`` folder, or a template in it, is missing.

    ``package`` is the plugin's package name (``__package__``) or module; ``names`` are paths
    relative to the folder (``"residence/guide.html"``). A wheel built without the templates
    in ``package_data`` is the usual cause.
    """
    root = package_dir(package) / folder
    if not root.is_dir():
        return [f"模板目录 {root} 不存在（打包时是否遗漏了 package_data？）"]
    return [f"缺少模板 {name}（应在 {root / name}）" for name in names if not (root / name).is_file()]


# -- declaration checks ----------------------------------------------------------------------

class _RecordingData(dict):
    """Form data that remembers the keys a renderer reads (``hard`` for ``data["x"]``).

    A key in ``fill`` that the data lacks reads as that value; any other missing key reads
    as ``""`` (``data["x"]``) or the default (``data.get("x")``).
    """

    def __init__(self, data: dict, fill: dict | None = None):
        super().__init__(data)
        self.fill = fill or {}
        self.used: set[str] = set()
        self.hard: set[str] = set()

    def __getitem__(self, key):
        self.used.add(key)
        if not super().__contains__(key):
            self.hard.add(key)
            return self.fill.get(key, "")
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.used.add(key)
        if not super().__contains__(key):
            return self.fill.get(key, default)
        return super().get(key, default)

    def __contains__(self, key):
        self.used.add(key)
        return super().__contains__(key)


class _Supplied(str):
    """A value some other source (``ctx.extra``, filled by ``certificate_data``) supplies.

    Truthy, and itself a mapping of supplied values, so ``extra.get("x") or form.get("x")``
    and ``(extra.get("business") or {}).get("name")`` never fall back to the form: a
    certificate that prefers another source for a value does not need the form to have it.
    """

    def __new__(cls):
        return super().__new__(cls, "〔由其他来源提供〕")

    def get(self, key, default=None):
        return _Supplied()

    def __getitem__(self, key):
        return _Supplied() if isinstance(key, str) else str.__getitem__(self, key)

    def __contains__(self, key):
        return True


class _SuppliedExtra(dict):
    def get(self, key, default=None):
        return _Supplied()

    def __getitem__(self, key):
        return _Supplied()

    def __contains__(self, key):
        return True


def form_fields(form_class) -> set[str]:
    """Names of the fields of a WTForms form class."""
    try:
        return {name for name, _ in form_class()._fields.items()}
    except Exception:  # noqa: BLE001 - an unusable form is reported by validate_service
        return set()


def _context(service, data: dict, extra: dict | None = None):
    from .services import CertificateContext
    return CertificateContext(
        application_no="QK20261123HEALTH", service_code=service.code, service_name=service.name,
        applicant_name="张三", applicant_id_masked="1101**********002X", form_data=data,
        department_code=service.department, department_name="测试部门", centre_name="测试中心",
        decided_at=dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone.utc),
        verification_code="HEALTH", verification_url="http://127.0.0.1/verify/HEALTH",
        extra={} if extra is None else extra)


def _rows(render, service, data: dict, extra: dict):
    try:
        return repr(render(_context(service, data, extra)))
    except Exception as exc:  # noqa: BLE001 - supplied values are fake; compare outcomes only
        return f"failed: {exc.__class__.__name__}"


def certificate_field_problems(service, *, render: bool = True) -> list[str]:
    """Form fields the certificate uses that the service's form does not have.

    The certificate's rows are computed from the service's ``example`` with every
    ``ctx.extra`` value present (as ``certificate_data`` would supply them). A form key the
    form has no field for is a problem when the certificate reads it with ``data["x"]`` (a
    crash at issuance) or when its value changes what the certificate shows (a blank line);
    a key read only as a fallback for a value found elsewhere is fine. A
    :class:`core.documents.CertificateTemplate` is asked for its rows only, fast enough for
    start-up; another renderer is run in full (and any read counts) only when ``render`` is
    true. With ``render`` true the certificate is also rendered as issued with no extra
    values, and a failure is reported.
    """
    certificate = getattr(service, "certificate", None)
    if certificate is None or not callable(certificate):
        return []
    fields = form_fields(service.form)
    if not fields:
        return []
    example = service.example_for("张三", SAMPLE_ID_NUMBER) if service.example else {}
    rows = getattr(certificate, "fields", None)
    if not callable(rows) and not render:
        return []
    probe = _RecordingData(example)
    baseline = _rows(rows if callable(rows) else certificate, service, probe, _SuppliedExtra())
    missing = sorted(str(k) for k in probe.used - fields)
    used = []
    for key in missing:
        if key in probe.hard or not callable(rows):
            used.append(key)
            continue
        marked = _RecordingData(example, {key: f"⟦{key}⟧"})
        if _rows(rows, service, marked, _SuppliedExtra()) != baseline:
            used.append(key)
    if used:
        return [f"事项 {service.code} 的证照使用了表单中没有的字段：{'、'.join(used)}"]
    if render:
        try:
            (rows if callable(rows) else certificate)(_context(service, dict(example)))
        except Exception as exc:  # noqa: BLE001
            return [f"事项 {service.code} 的证照无法生成：{exc!r}"]
    return []


def declaration_problems(services: Iterable, departments: set[str] | None = None,
                         *, render: bool = True) -> list[str]:
    """:func:`core.services.validate_service` plus the certificate/form cross-check."""
    from .services import validate_service
    problems: list[str] = []
    for service in services:
        problems += validate_service(service, departments)
        problems += certificate_field_problems(service, render=render)
    return problems


# -- hooks -----------------------------------------------------------------------------------

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


# -- migrations ------------------------------------------------------------------------------

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

    from . import migrate
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


# -- the report --------------------------------------------------------------------------------

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
    from .runtime import Quanke
    return Quanke({**(config or {}), "PLUGINS_STRICT": False})
