"""Operations: the ``quanke`` command line, the worker process, migrations, backup and restore,
readiness and production checks, plugin check-ups, statistics, demo and district data.

The top of the core: it may use every other wing; no other wing imports it.
"""
