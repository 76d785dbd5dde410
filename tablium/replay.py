"""``tablium replay``: drive the engine from JSON Lines, for checking it against other engines.

Each input line is one hand (variant, stacks, button, blinds, ante, deck, actions); each output line
gives the final stacks and, for every action, the bounds the engine offered just before it. The
format is documented in docs/rules.md ("Replay format").
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import IO, Any, Literal

import msgspec

from tablium.poker.actions import Action, Bet, Call, Check, Fold, Raise
from tablium.poker.cards import parse_deck
from tablium.poker.errors import PokerError
from tablium.poker.hand import (
    Ante,
    AnteKind,
    Blinds,
    HandConfig,
    apply,
    legal_actions,
    start_hand,
)


class ReplayBlinds(msgspec.Struct, forbid_unknown_fields=True):
    sb: int
    bb: int
    straddle: int = 0


class ReplayAnte(msgspec.Struct, forbid_unknown_fields=True):
    kind: Literal["none", "uniform", "bb"] = "none"
    amount: int = 0


class ReplayAction(msgspec.Struct, forbid_unknown_fields=True):
    seat: int
    type: Literal["fold", "check", "call", "bet", "raise"]
    to: int | None = None


class ReplayHand(msgspec.Struct, forbid_unknown_fields=True):
    variant: str
    starting_stacks: list[int]
    button: int
    blinds: ReplayBlinds
    deck: str
    ante: ReplayAnte = msgspec.field(default_factory=ReplayAnte)
    actions: list[ReplayAction] = msgspec.field(default_factory=list)


_ANTE_KINDS = {"none": AnteKind.NONE, "uniform": AnteKind.UNIFORM, "bb": AnteKind.BIG_BLIND}
_decoder = msgspec.json.Decoder(ReplayHand)
_encoder = msgspec.json.Encoder()


def to_action(item: ReplayAction) -> Action:
    match item.type:
        case "fold":
            return Fold(seat=item.seat)
        case "check":
            return Check(seat=item.seat)
        case "call":
            return Call(seat=item.seat)
        case "bet" | "raise":
            if item.to is None:
                raise msgspec.ValidationError(f"a {item.type} needs `to`")
            cls = Bet if item.type == "bet" else Raise
            return cls(seat=item.seat, to=item.to)
    raise msgspec.ValidationError(f"unknown action type {item.type!r}")  # pragma: no cover


def to_config(hand: ReplayHand) -> HandConfig:
    return HandConfig(
        variant=hand.variant,
        stacks=tuple(hand.starting_stacks),
        button=hand.button,
        blinds=Blinds(sb=hand.blinds.sb, bb=hand.blinds.bb, straddle=hand.blinds.straddle),
        ante=Ante(kind=_ANTE_KINDS[hand.ante.kind], amount=hand.ante.amount),
        deck=parse_deck(hand.deck),
    )


def replay(hand: ReplayHand) -> dict[str, Any]:
    """Play one hand; the output line as a dict (an ``error`` key when anything was illegal)."""
    try:
        state = start_hand(to_config(hand)).state
        legal: list[list[int | None]] = []
        for number, item in enumerate(hand.actions):
            bounds = legal_actions(state)
            if bounds is None:
                return {"error": f"action {number}: the hand is already over"}
            legal.append([bounds.to_call, bounds.min_raise_to, bounds.max_raise_to])
            try:
                state = apply(state, to_action(item)).state
            except PokerError as exc:
                return {"error": f"action {number}: {exc}"}
        if not state.is_complete:
            return {"error": f"the actions end before the hand does (seat {state.to_act} to act)"}
        return {"final_stacks": list(state.stacks), "legal": legal}
    except (PokerError, msgspec.ValidationError) as exc:
        return {"error": str(exc)}


def replay_hand(data: dict[str, Any]) -> dict[str, Any]:
    """Replay one hand given as already-parsed JSON."""
    try:
        hand = msgspec.convert(data, ReplayHand)
    except msgspec.ValidationError as exc:
        return {"error": f"malformed hand: {exc}"}
    return replay(hand)


def replay_lines(lines: Iterable[bytes | str]) -> Iterator[bytes]:
    """One encoded output line per non-blank input line."""
    for line in lines:
        if not line.strip():
            continue
        try:
            result = replay(_decoder.decode(line))
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            result = {"error": f"malformed hand: {exc}"}
        yield _encoder.encode(result)


def run(source: IO[bytes], sink: IO[bytes]) -> int:
    for out in replay_lines(source):
        sink.write(out + b"\n")
        sink.flush()
    return 0


def main(path: str | None) -> int:
    if path is None or path == "-":
        return run(sys.stdin.buffer, sys.stdout.buffer)
    with open(path, "rb") as source:
        return run(source, sys.stdout.buffer)
