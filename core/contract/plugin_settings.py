"""Helpers for plugin authors: a plugin's settings and the files it ships.

:func:`setting` reads a plugin setting the same way the core reads its own (config dict,
then ``QUANKE_<NAME>`` in the environment).
"""
from __future__ import annotations
import importlib
import os
from pathlib import Path
from types import ModuleType
from typing import Any


_MISSING = object()


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
