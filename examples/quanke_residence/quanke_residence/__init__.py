"""居住证明 (residence certificate) — an example external Quanke plugin.

Built with ``quanke plugin new residence --department residents_committee
--department-name 社区居民委员会 --service-name 居住证明`` and then adapted step by step, as
``docs/plugins.md`` (教程) tells. It is a separate distribution (``quanke-residence``): Quanke
finds it through the ``quanke.plugins`` entry point, with no edit to ``core/`` or ``web/``.
"""
__version__ = "0.1.0"
