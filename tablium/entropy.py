"""Fresh entropy for the provably fair shuffle (shell side: the pure core draws no randomness).

The fairness guarantee only holds if a server seed cannot be predicted before it is revealed: a
guessable seed would let anyone who saw the commitment work out the deck, and a seed the operator
could choose freely would let it grind for a favourable deck. So seeds come from the operating
system's cryptographically secure generator (``secrets``, i.e. ``os.urandom`` / ``getrandom``),
never from ``random``, whose Mersenne Twister output is predictable from a few hundred draws.
"""

from __future__ import annotations

import secrets

from tablium.poker.fairness import SEED_BYTES


def new_server_seed() -> bytes:
    """A fresh 32-byte server seed from the OS CSPRNG; draw one per hand and never reuse it."""
    return secrets.token_bytes(SEED_BYTES)
