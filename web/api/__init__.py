"""REST API ``/api/v1``: every action the pages offer, for staff systems and integrations.

Token authentication (``Authorization: Bearer qk_…``; tokens from an admin page or
``quanke user token USERNAME``), so no CSRF. Errors are JSON ``{"error", "message"}`` with
the right 4xx; lists are paginated ``{"items", "page", "per_page", "total"}``. The OpenAPI
document is at ``/api/openapi.json`` (see :mod:`web.openapi`).

Where it lives: :mod:`.plumbing` (the blueprint, authentication, arguments, paging),
:mod:`.shapes` (the JSON answers), and one route module per resource: :mod:`.services`,
:mod:`.applicants`, :mod:`.applications`, :mod:`.actions`, :mod:`.queues_and_tickets` and
:mod:`.stats_and_audit`.
"""
from __future__ import annotations

# The route modules register their views on ``bp`` when imported.
from . import actions, applicants, applications, queues_and_tickets, services, stats_and_audit  # noqa: F401
from .plumbing import (COUNT_CAP, MAX_PER_PAGE, b, body, bp, capped_count, i, iso, me, need, page_params, paged,
                       s, strs, uploads_from)
from .shapes import (after, applicant_json, application_json, check_visible, service_summary,
                     visible_app)
