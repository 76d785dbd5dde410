"""How many 7-card hands :func:`tablium.poker.evaluator.evaluate7` values per second."""

from __future__ import annotations

import random
import time

from tablium.poker.cards import STANDARD_DECK, Card
from tablium.poker.evaluator import evaluate7

_HANDS = 20_000  # more than the 7-card table has entries, so look-ups are not all cache hits


def measure_evaluations_per_second(seconds: float = 1.0, seed: int = 1) -> float:
    """Time ``evaluate7`` over random 7-card hands for about ``seconds``; evaluations per second.

    The hands are dealt before the clock starts, so only evaluation (and the loop) is timed.
    """
    rng = random.Random(seed)
    hands: list[tuple[Card, ...]] = [tuple(rng.sample(STANDARD_DECK, 7)) for _ in range(_HANDS)]
    evaluate = evaluate7
    count = 0
    started = time.perf_counter()
    elapsed = 0.0
    while count == 0 or elapsed < seconds:
        for a, b, c, d, e, f, g in hands:
            evaluate(a, b, c, d, e, f, g)
        count += len(hands)
        elapsed = time.perf_counter() - started
    return count / elapsed
