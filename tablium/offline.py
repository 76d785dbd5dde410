"""Offline play: random hands through the pure core, no server (``tablium play``, benchmarks).

A session seats N players with 100 big blinds each, moves the button every hand and tops a busted
player back up to 100 big blinds, so any number of hands can be played. Every hand is shuffled by
the provably fair shuffle; with ``seed`` the server seeds are derived from it (reproducible runs),
otherwise they come from the OS CSPRNG.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec

from tablium.entropy import new_server_seed
from tablium.poker import fairness
from tablium.poker.actions import Action, Bet, Call, Check, Fold, Raise
from tablium.poker.cards import format_cards
from tablium.poker.events import Event
from tablium.poker.hand import (
    Blinds,
    HandConfig,
    HandState,
    LegalActions,
    apply,
    legal_actions,
    start_hand,
)
from tablium.poker.history import FairnessRecord, HandHistory, HandMeta, build_history
from tablium.poker.pokerstars import export_pokerstars
from tablium.poker.rake import NO_RAKE, RakeRule

BIG_BLIND = 2
START_STACK = 100 * BIG_BLIND


def random_action(legal: LegalActions, rng: random.Random) -> Action:
    """A legal action, random but not absurd: mostly calls and checks, some folds and raises."""
    seat = legal.seat
    roll = rng.random()
    if legal.min_raise_to is not None and legal.max_raise_to is not None and roll < 0.2:
        low, high = legal.min_raise_to, legal.max_raise_to
        to = low if rng.random() < 0.5 else rng.randint(low, high)
        return Bet(seat=seat, to=to) if legal.raise_kind == "bet" else Raise(seat=seat, to=to)
    if legal.to_call == 0:
        return Check(seat=seat)
    if roll < 0.45:
        return Fold(seat=seat)
    return Call(seat=seat)


def play_hand(config: HandConfig, rng: random.Random) -> tuple[HandState, list[Event]]:
    """Play one hand to the end with random legal actions."""
    transition = start_hand(config)
    state, events = transition.state, list(transition.events)
    while (legal := legal_actions(state)) is not None:
        transition = apply(state, random_action(legal, rng))
        state = transition.state
        events.extend(transition.events)
    return state, events


def derive_seed(master: bytes, hand_number: int) -> bytes:
    """A per-hand server seed from a master seed, for reproducible offline runs."""
    return hmac.new(master, b"hand:%d" % hand_number, hashlib.sha256).digest()


def session(
    players: int,
    hands: int,
    *,
    variant: str = "NLHE",
    seed: bytes | None = None,
    rake: RakeRule | None = None,
) -> Iterator[HandHistory]:
    """Play ``hands`` hands at one table and yield each hand's history."""
    rng = random.Random(seed or new_server_seed())
    stacks = [START_STACK] * players
    names = tuple(f"player{i + 1}" for i in range(players))
    start_time = datetime(2026, 1, 1, tzinfo=UTC) if seed else datetime.now(UTC)
    for number in range(1, hands + 1):
        server_seed = derive_seed(seed, number) if seed else new_server_seed()
        client_seeds = [f"{names[0]}-{number}"]
        deck = fairness.shuffle_deck(server_seed, client_seeds)
        commitment = fairness.commitment(server_seed)
        config = HandConfig(
            variant=variant,
            stacks=tuple(s if s > 0 else START_STACK for s in stacks),
            button=(number - 1) % players,
            blinds=Blinds(sb=BIG_BLIND // 2, bb=BIG_BLIND),
            deck=deck,
            rake=rake or NO_RAKE,
            commitment=commitment,
        )
        final, events = play_hand(config, rng)
        stacks = list(final.stacks)
        meta = HandMeta(
            hand_id=f"{number}",
            table="offline",
            started_at=(start_time + timedelta(minutes=number)).isoformat(),
            max_seats=max(players, 6 if players <= 6 else 9),
            seats=tuple(range(1, players + 1)),
            players=names,
            fairness=FairnessRecord(
                algorithm=fairness.ALGORITHM,
                commitment=commitment,
                server_seed=server_seed.hex(),
                client_seeds=client_seeds,
                deck=format_cards(deck),
            ),
        )
        yield build_history(config, final, events, meta)


def write_session(
    out: Path, players: int, hands: int, *, variant: str = "NLHE", seed: bytes | None = None
) -> int:
    """Write each hand as ``hand-NNNNNN.json`` (``tablium verify``) and ``.txt`` (PokerStars)."""
    out.mkdir(parents=True, exist_ok=True)
    encoder = msgspec.json.Encoder()
    count = 0
    for history in session(players, hands, variant=variant, seed=seed):
        stem = out / f"hand-{int(history.hand_id):06d}"
        stem.with_suffix(".json").write_bytes(msgspec.json.format(encoder.encode(history)) + b"\n")
        stem.with_suffix(".txt").write_text(export_pokerstars(history), encoding="utf-8")
        count += 1
    return count
