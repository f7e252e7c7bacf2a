"""People: staff accounts and their administration, passwords and lock-out, API tokens,
applicants (persons and enterprises), citizens' portal accounts and their SMS login codes.
"""
