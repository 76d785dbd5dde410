"""The pure poker core: cards, evaluation, betting, pots, rake, history, fairness.

Nothing in this package does I/O, reads a clock or draws randomness of its own; the shell passes
time and the deck in. An import-linter contract (pyproject.toml) keeps it that way.
"""
