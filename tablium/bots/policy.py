"""What a bot does on its turn: random, but the way a loose-passive regular plays, never illegal.

Pure: the caller passes the random generator, so a seeded run makes the same choices.
"""

from __future__ import annotations

from typing import Protocol

from tablium.protocol import BetTo, Call, Check, Fold, PlayerAction, RaiseTo, YourTurn


class Rng(Protocol):
    """What a bot needs of a random generator (``random.Random`` is one)."""

    def random(self) -> float: ...


def choose_action(turn: YourTurn, stack: int, rng: Rng) -> PlayerAction:
    """A legal action for ``turn``; ``stack`` is the bot's chips behind (to size its folds).

    Free to check: check mostly, sometimes bet. Facing a bet: call small ones, fold more often
    as the price grows against the stack, raise now and then. Raises are the minimum, or all-in
    rarely, so hands still reach showdown and side pots.
    """
    roll = rng.random()
    aggressive = _aggressive(turn, rng)
    if turn.can_check:
        if aggressive is not None and roll < 0.25:
            return aggressive
        return Check()
    price = turn.to_call / max(stack + turn.to_call, 1)
    fold_chance = min(0.85, 0.1 + price * 1.5)
    if roll < fold_chance:
        return Fold()
    if aggressive is not None and roll > 0.9:
        return aggressive
    return Call()


def _aggressive(turn: YourTurn, rng: Rng) -> PlayerAction | None:
    if turn.raise_kind is None or turn.min_raise_to is None or turn.max_raise_to is None:
        return None
    to = turn.max_raise_to if rng.random() < 0.05 else turn.min_raise_to
    return BetTo(to=to) if turn.raise_kind == "bet" else RaiseTo(to=to)
