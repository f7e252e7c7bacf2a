"""The archive query plugin's own rules and operations: the archive store, lookups and their log,
imports, results and the bureau's switch (plain Python and SQLAlchemy; no Flask).
"""
