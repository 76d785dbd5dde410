"""Multi-table tournaments and sit-and-gos (structure, clock, registration, balancing, payouts)."""
