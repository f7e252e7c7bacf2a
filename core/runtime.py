"""The runtime: one object holding configuration, database, plugins and job runner.

The web app keeps it at ``app.extensions["quanke"]``; the CLI and workers build their own.
Nothing here is a process global, so tests can build one per database.
"""
from __future__ import annotations

import logging
from pathlib import Path

from .config import load_config
from .db import Database
from .plugins import PluginHost

log = logging.getLogger(__name__)


class Quanke:
    """Configuration + database + plugin host + jobs, for one deployment."""

    def __init__(self, config: dict | None = None, *, plugins: PluginHost | None = None,
                 extra_plugins=()):
        self.config = load_config(config)
        Path(self.config["INSTANCE_PATH"]).mkdir(parents=True, exist_ok=True)
        self.db = Database(self.config["DATABASE_URL"])
        self.plugins = plugins or PluginHost(
            disabled=self.config["DISABLED_PLUGINS"],
            strict=self.config["PLUGINS_STRICT"],
            extra_plugins=extra_plugins,
        )
        from .jobs import JobRunner  # local: jobs imports the runtime for workers
        self.jobs = JobRunner(self)
        self._calendar = None

    def calendar(self, session):
        """The working-day calendar, cached briefly (holiday files change rarely)."""
        import time

        from .deadlines import WorkCalendar
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

    def close(self) -> None:
        self.db.dispose()
        self.jobs.close()
