"""The business licence plugin's own rules and operations: the register, names, codes, joint
filing, inspections and 批管同步 (plain Python and SQLAlchemy; no Flask).
"""
