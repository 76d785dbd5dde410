"""Money: the double-entry ledger and the responsible-gambling rules around it.

``ledger`` and ``limits`` are the pure core (no I/O, no clock); ``service`` is the shell that
keeps the ledger in the database; ``audit`` checks its invariants on a live database.
"""
