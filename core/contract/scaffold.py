"""``quanke plugin new NAME``: a ready-to-install plugin package in a new folder.

The package is complete on its own: ``setup.cfg``/``pyproject.toml`` with the
``quanke.plugins`` entry point, ``plugin.py`` declaring one example service (form with
Chinese labels, materials, one check, a certificate through
:class:`core.papers.documents.CertificateTemplate`), its own table and Alembic branch (first revision
``<name>_0001`` depending on ``core_0001``), a job, templates, a README and tests built on
:mod:`core.testing`. Right after ``pip install -e <folder>`` it passes its own tests and its
service shows in the catalog, the counter, the approver queue and the portal — no edit to
``core/`` or ``web/``.

The files come from ``core/scaffold_template/`` (``*.tmpl``, :class:`string.Template`
placeholders such as ``$plugin``; ``__package__``/``__plugin__`` in a path are replaced too).
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import keyword
import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

from core.platform.errors import InvalidInput

TEMPLATE_DIR = Path(__file__).parent / "scaffold_template"
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,29}$")
DEPARTMENT_RE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
#: Names the scaffold refuses: core packages, built-in plugins, the test kit's sample plugin.
RESERVED = frozenset({"core", "web", "plugins", "tests", "sample", "test", "quanke",
                      "business_license", "archive_query", "legal_aid", "timebank"})


@dataclass(frozen=True)
class Scaffold:
    """What :func:`create` wrote."""

    root: Path           # the new project folder, ``quanke-<name>``
    package: str         # importable package name, ``quanke_<name>``
    distribution: str    # pip name, ``quanke-<name>``
    plugin: str          # entry-point name = plugin name
    service_code: str
    department: str
    files: tuple[Path, ...]


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_") if part)


def validate_name(name: str) -> str:
    name = (name or "").strip()
    if not NAME_RE.match(name) or keyword.iskeyword(name) or "__" in name or name.endswith("_"):
        raise InvalidInput(f"插件名 {name!r} 不合法：请用 2–30 个小写英文字母、数字或下划线，以字母开头"
                           "（如 residence、parking_permit）", code="invalid_plugin_name", field="name")
    if name in RESERVED:
        raise InvalidInput(f"插件名 {name!r} 已被占用，请换一个", code="plugin_name_taken", field="name")
    return name


def placeholders(name: str, *, department: str | None = None, department_name: str | None = None,
                 service_name: str | None = None) -> dict[str, str]:
    """The values substituted into the template files."""
    import core
    name = validate_name(name)
    department = (department or name).strip()
    if not DEPARTMENT_RE.match(department):
        raise InvalidInput(f"部门编码 {department!r} 不合法：请用小写英文字母、数字或下划线",
                           code="invalid_department", field="department")
    major, minor = core.__version__.split(".")[:2]
    return {
        "plugin": name,
        "package": f"quanke_{name}",
        "dist": f"quanke-{name.replace('_', '-')}",
        "service_code": f"{name}.certificate",
        "service_name": (service_name or "").strip() or "示例证明",
        "department": department,
        "department_name": (department_name or "").strip() or f"{name} 审批部门",
        "table": f"{name}_records",
        "form_class": f"{_camel(name)}Form",
        "record_class": f"{_camel(name)}Record",
        "core_min": f"{major}.{minor}",
        "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
    }


def template_files() -> list[Path]:
    return sorted(p for p in TEMPLATE_DIR.rglob("*.tmpl") if p.is_file())


def create(name: str, directory: str | Path = ".", *, department: str | None = None,
           department_name: str | None = None, service_name: str | None = None,
           force: bool = False) -> Scaffold:
    """Write the project ``quanke-<name>/`` (package ``quanke_<name>``) under ``directory``.

    The folder is named like the distribution, with a hyphen, so it can never shadow the
    package it contains when Python runs in ``directory``.

    Refuses a folder that exists and is not empty (unless ``force``), and a name whose
    package is already importable (it would shadow or be shadowed by an installed one).
    """
    values = placeholders(name, department=department, department_name=department_name,
                          service_name=service_name)
    root = Path(directory).expanduser().resolve() / values["dist"]
    if root.exists() and any(root.iterdir()) and not force:
        raise InvalidInput(f"目录 {root} 已存在且不为空", code="target_exists", field="dir")
    if importlib.util.find_spec(values["package"]) is not None and not force:
        raise InvalidInput(f"已安装了名为 {values['package']} 的包，请换一个插件名",
                           code="package_exists", field="name")
    written: list[Path] = []
    for source in template_files():
        relative = source.relative_to(TEMPLATE_DIR).with_suffix("")  # drop .tmpl
        parts = [p.replace("__package__", values["package"]).replace("__plugin__", values["plugin"])
                 for p in relative.parts]
        target = root.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = Template(source.read_text(encoding="utf-8")).substitute(values)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return Scaffold(root=root, package=values["package"], distribution=values["dist"],
                    plugin=values["plugin"], service_code=values["service_code"],
                    department=values["department"], files=tuple(written))
