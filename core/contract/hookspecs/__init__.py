"""Every hook a Quanke plugin can implement, in one place.

Conventions (learned from pytest and datasette):

* The core calls hooks with **keyword arguments only**; a hook grows by adding arguments, and
  pluggy lets an implementation accept just the ones it needs.
* Registration hooks *return declarations*; the core validates them at start-up and stops
  with an error naming the plugin when one is invalid.
* Built-in services go through these same hooks (``core.contract.host.DEFAULT_PLUGINS``).
* ``firstresult`` hooks stop at the first non-``None`` answer; all others return a list of
  every plugin's non-``None`` answers.

Each hook is documented in ``docs/plugins.md`` as well; a test keeps the two in step.
"""

from core.contract.hookspecs.marker import hookspec
from core.contract.hookspecs.declarations import register_services, register_departments, register_blueprints, register_commands, register_jobs, register_migrations
from core.contract.hookspecs.behaviour import extra_checks, validate_application, prefill_form, application_event, before_decision_commit, certificate_data, identity_provider, credit_code_provider, display_names, demo_data, menu_links, dashboard_panels
from core.contract.hookspecs.health import check_config

__all__ = ["hookspec", "register_services", "register_departments", "register_blueprints", "register_commands", "register_jobs", "register_migrations", "extra_checks", "validate_application", "prefill_form", "application_event", "before_decision_commit", "certificate_data", "identity_provider", "credit_code_provider", "display_names", "demo_data", "menu_links", "dashboard_panels", "check_config"]
