"""Legal aid's own rules and operations under the Legal Aid Law: eligibility, decisions, lawyers,
termination, objections, follow-up (plain Python and SQLAlchemy; no Flask).
"""
