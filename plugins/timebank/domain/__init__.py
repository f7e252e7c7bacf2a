"""The time bank's own rules and operations: the ledger, volunteers, requests and matching,
withdrawals, the charity supermarket, stars, reports (plain Python and SQLAlchemy; no Flask).
"""
