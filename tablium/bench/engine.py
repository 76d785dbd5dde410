"""``tablium bench engine``: how fast the pure core plays hands and evaluates them.

Three figures, measured in one run so their ratios mean something (runs on this machine differ by
10-25 %; compare ratios, not absolute times across runs):

1. random play: full hands of 2-9 players through the core with random legal actions;
2. replay: the same hands replayed from their recorded actions (the ``tablium replay`` path), and,
   when PokerKit is installed, the same hands replayed through PokerKit and the ratio;
3. 7-card evaluations per second.
"""

from __future__ import annotations

import random
import time
from typing import Any

import msgspec

from tablium.offline import play_hand
from tablium.poker.cards import format_cards
from tablium.poker.hand import Ante, AnteKind, Blinds, HandConfig
from tablium.poker.history import player_actions
from tablium.replay import ReplayHand, replay

_VARIANTS = ("NLHE", "NLHE", "PLO", "FLHE")


def random_config(rng: random.Random) -> HandConfig:
    players = rng.randint(2, 9)
    bb = rng.choice((2, 10, 20, 100))
    variant = rng.choice(_VARIANTS)
    ante = Ante()
    if rng.random() < 0.25:
        ante = Ante(kind=rng.choice((AnteKind.UNIFORM, AnteKind.BIG_BLIND)), amount=bb // 2)
    deck = list(range(52))
    rng.shuffle(deck)
    return HandConfig(
        variant=variant,
        stacks=tuple(rng.randint(bb, 200 * bb) for _ in range(players)),
        button=rng.randrange(players),
        blinds=Blinds(sb=bb // 2, bb=bb),
        ante=ante,
        deck=tuple(deck),
    )


def play_random_hand(config: HandConfig, rng: random.Random) -> dict[str, Any]:
    """Play one hand with random legal actions; return it in the replay format."""
    _, events = play_hand(config, rng)
    return {
        "variant": config.variant,
        "starting_stacks": list(config.stacks),
        "button": config.button,
        "blinds": {"sb": config.blinds.sb, "bb": config.blinds.bb, "straddle": 0},
        "ante": {"kind": config.ante.kind.value, "amount": config.ante.amount},
        "deck": format_cards(config.deck),
        "actions": [msgspec.to_builtins(action) for action in player_actions(events)],
    }


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def main(seconds: float = 3.0, hands: int = 2000, seed: int = 1) -> int:
    rng = random.Random(seed)
    configs = [random_config(rng) for _ in range(hands)]

    started = time.perf_counter()
    recorded = [play_random_hand(config, rng) for config in configs]
    play_rate = _rate(len(recorded), time.perf_counter() - started)
    actions = sum(len(h["actions"]) for h in recorded)

    typed = [msgspec.convert(h, ReplayHand) for h in recorded]
    started = time.perf_counter()
    ours = [replay(h) for h in typed]
    replay_rate = _rate(len(typed), time.perf_counter() - started)
    errors = sum(1 for out in ours if "error" in out)

    figures: dict[str, Any] = {
        "hands": len(recorded),
        "actions": actions,
        "random_play_hands_per_s": round(play_rate),
        "replay_hands_per_s": round(replay_rate),
        "replay_errors": errors,
    }

    try:
        from tablium.bench.pokerkit_replay import UnsupportedHand, replay_with_pokerkit
    except ImportError:
        figures["pokerkit"] = "not installed (pip install pokerkit to compare)"
    else:
        # Timed: PokerKit as shipped, under its own rules, answering the same bounds questions
        # our replay answers. Untimed: the normalised oracle, as a sanity check on the results.
        subset = recorded[: max(1, min(len(recorded), 500))]
        started = time.perf_counter()
        for hand in subset:
            replay_with_pokerkit(hand, normalise=False, cache_evaluations=False)
        pk_rate = _rate(len(subset), time.perf_counter() - started)
        agree = 0
        for mine, hand in zip(ours, subset, strict=False):
            try:
                theirs = replay_with_pokerkit(hand)
            except UnsupportedHand:  # a convention PokerKit cannot follow (see that module)
                continue
            agree += mine.get("final_stacks") == theirs.get("final_stacks")
        figures["pokerkit_replay_hands_per_s"] = round(pk_rate)
        figures["speedup_vs_pokerkit"] = round(replay_rate / pk_rate, 1)
        figures["pokerkit_final_stacks_agree"] = f"{agree}/{len(subset)}"

    from tablium.bench.evaluation import measure_evaluations_per_second

    figures["evaluations_7card_per_s"] = round(measure_evaluations_per_second(seconds))
    print(msgspec.json.format(msgspec.json.encode(figures)).decode())
    return 0
