"""The platform every wing stands on: configuration, database, the core's tables, time,
errors, the audit chain (处处留痕), identifiers, logs, and who acts (actors).

Nothing here knows about applications' rules: the state machine, acceptance and approval
build on it.
"""
