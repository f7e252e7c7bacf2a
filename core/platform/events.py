"""The event passed to the ``application_event`` hook after each committed transition."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ApplicationEvent:
    action: str              # "accept", "approve", ...
    application_id: int
    application_number: str
    service_code: str
    department_code: str
    from_state: str | None
    to_state: str
    actor: str               # "user:12", "citizen:3", "system"
    at: dt.datetime
    data: dict = field(default_factory=dict)
