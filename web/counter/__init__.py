"""全科窗口工作台 — the all-round counter worker's pages, and the queue kiosk.

Find or register the applicant, pick the service (pinyin search), fill the plugin's own
form and material checklist, see the checks, then accept / return / refuse; hand over
results at any centre; call queue numbers; the citizen rates on the second screen.

Where it lives: :mod:`.blueprint` (the blueprint and shared helpers), :mod:`.applicants` (home,
ID check, applicant, a new application), :mod:`.applications` (the application page, its
actions, handover, rating), :mod:`.first_contact` (首问负责: handing a case over, enquiries),
:mod:`.queue_and_kiosk` (queue numbers, the public kiosk) and :mod:`.ratings` (rating a served
number, the worker's own ratings and appeals).
"""
from __future__ import annotations

# The route modules register their views on ``bp`` when imported.
from . import applicants, applications, first_contact, queue_and_kiosk, ratings  # noqa: F401
from .blueprint import COUNTER_ROLES, allowed_services, bp, parse_materials
