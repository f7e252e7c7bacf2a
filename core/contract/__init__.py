"""The plugin contract: the hooks a plugin implements (:mod:`~core.contract.hookspecs`), the
declarations it returns (:mod:`~core.contract.services`), the host that loads plugins and
validates what they declare (:mod:`~core.contract.host`), health checks and the scaffold of
a new plugin (``quanke plugin new``).

Plugins themselves import only :mod:`core.api`.
"""
