"""The runtime: one object holding configuration, database, plugins and job runner.

The web app keeps it at ``app.extensions["quanke"]``; the CLI and workers build their own.
Nothing here is a process global, so tests can build one per database.
"""
from __future__ import annotations

import importlib.metadata as md
import logging
from pathlib import Path

from core.platform import audit
from core.platform.config import load_config
from core.platform.crypto import KeyProvider, attach
from core.platform.db import Database
from core.contract.host import PluginHost
from core.jobs.runner import JobRunner

log = logging.getLogger(__name__)


class Quanke:
    """Configuration + database + plugin host + jobs, for one deployment."""

    def __init__(self, config: dict | None = None, *, plugins: PluginHost | None = None,
                 extra_plugins=()):
        self.config = load_config(config)
        Path(self.config["INSTANCE_PATH"]).mkdir(parents=True, exist_ok=True)
        self.db = Database(self.config["DATABASE_URL"])
        #: The data keys (core.platform.crypto): read from the key file when first needed.
        self.keys = KeyProvider(self.config)
        attach(self.db.engine, self.keys)
        audit.use_hash(self.db.engine, self.config["AUDIT_HASH"])
        self.plugins = plugins or PluginHost(
            disabled=self.config["DISABLED_PLUGINS"],
            strict=self.config["PLUGINS_STRICT"],
            extra_plugins=extra_plugins,
        )
        self.jobs = JobRunner(self)
        self._calendar = None
        #: Why the HOLIDAY_FILE setting could not be loaded at start (None: loaded or unset).
        self.holiday_file_error: str | None = None

    def calendar(self, session):
        """The working-day calendar, cached briefly (holiday files change rarely)."""
        import time

        from core.deadlines import WorkCalendar
        if self._calendar is None or time.monotonic() - self._calendar[0] > 300:
            self._calendar = (time.monotonic(), WorkCalendar.from_session(session))
        return self._calendar[1]

    def forget_calendar(self) -> None:
        self._calendar = None

    @property
    def hook(self):
        return self.plugins.hook

    def service(self, code: str):
        return self.plugins.service(code)

    def web_app(self, **options):
        """The web application on this runtime (``quanke serve``, the testing kit's ``app``).

        Found through the ``quanke.web`` entry point, so the core never imports the web: a
        deployment could ship another front end under the same name.
        """
        found = md.entry_points(group="quanke.web", name="app")
        if not found:  # a broken installation, not a user's mistake: no page could show it
            raise RuntimeError("没有安装网站前端（入口点 quanke.web:app）：请重新运行 scripts/install.sh")
        return next(iter(found)).load()(quanke=self, **options)

    def close(self) -> None:
        self.db.dispose()
        self.jobs.close()
