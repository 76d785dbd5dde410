"""The structured hand history: everything needed to audit, replay, verify or export a hand.

A history is built from the hand's config, its events and a little metadata the shell knows (hand
id, table, time, player names, the revealed server seed). It holds the full record, every hole card
included: it is the server's record and the input of ``tablium verify``. What a given player may
see of it is a visibility question for the table layer, not for this module.

Schema evolution: ``format`` names the version; new fields get defaults so older files still load,
and a default always means what the format meant before the field existed. Added within
``tablium.hand/1``: ``positions``, ``posts`` and ``run_it_twice`` (copied from the config: a hand
without a small blind, posts besides the blinds, seats that agreed to run it twice) and
``second_board``. A verifier that predates them ignores them: it refuses such a hand whenever they
changed its result, and otherwise leaves them unchecked, so verify with a current one.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
from msgspec import Struct

from tablium.poker.actions import Action, Bet, Call, Check, Fold, Raise
from tablium.poker.cards import format_cards
from tablium.poker.events import (
    Event,
    HandEnded,
    PlayerBet,
    PlayerCalled,
    PlayerChecked,
    PlayerFolded,
    PlayerRaised,
    RakeTaken,
)
from tablium.poker.hand import Ante, BlindPositions, Blinds, HandConfig, HandState, Post
from tablium.poker.pots import Pot, build_side_pots
from tablium.poker.rake import RakeRule

FORMAT = "tablium.hand/1"


class SeatRecord(Struct, frozen=True, kw_only=True):
    seat: int
    """The table seat number (1-based, as players see it)."""
    player: str
    stack: int
    """Chips at the start of the hand."""


class FairnessRecord(Struct, frozen=True, kw_only=True):
    algorithm: str
    commitment: str
    """SHA-256 of the server seed, published before the deal."""
    server_seed: str
    """The seed, hex, revealed after the hand."""
    client_seeds: list[str]
    deck: str
    """The shuffled deck as 52 two-character cards, first dealt first."""


class HandMeta(Struct, frozen=True, kw_only=True):
    """What the shell knows about a hand that the pure engine does not."""

    hand_id: str
    table: str
    started_at: str
    """ISO 8601, UTC."""
    max_seats: int
    seats: tuple[int, ...]
    """Table seat number of each player in the hand, in hand order."""
    players: tuple[str, ...]
    currency: str = "chips"
    fairness: FairnessRecord | None = None


class HandHistory(Struct, frozen=True, kw_only=True):
    format: str = FORMAT
    hand_id: str
    table: str
    started_at: str
    variant: str
    currency: str = "chips"
    max_seats: int
    button: int
    """Index into ``players`` (the seats in the hand, clockwise)."""
    players: list[SeatRecord]
    blinds: Blinds
    ante: Ante
    rake_rule: RakeRule
    hole_cards: list[str]
    """Each player's hole cards, in ``players`` order."""
    board: str
    """The board; when it was run twice, the first run's."""
    events: list[Event]
    pots: list[Pot]
    """Pots as built at the end, before rake."""
    rake: int
    rake_contributions: list[int]
    final_stacks: list[int]
    net: list[int]
    fairness: FairnessRecord | None = None
    positions: BlindPositions | None = None
    """Explicit blind seats (indices into ``players``); None when the button gave them."""
    posts: tuple[Post, ...] = ()
    """Posts besides the blinds (seats are indices into ``players``)."""
    run_it_twice: tuple[int, ...] = ()
    """Seats that agreed to run it twice (indices into ``players``)."""
    second_board: str = ""
    """The second run's board when the board was run twice (shared cards included), else empty."""


def build_history(
    config: HandConfig, final: HandState, events: Sequence[Event], meta: HandMeta
) -> HandHistory:
    """Assemble the history of a finished hand from its config, final state and events."""
    if not final.is_complete:
        raise ValueError("a history is built from a finished hand")
    if len(meta.players) != len(config.stacks) or len(meta.seats) != len(config.stacks):
        raise ValueError("one player name and one seat number per player in the hand")
    ended = next(e for e in reversed(events) if isinstance(e, HandEnded))
    rake = next((e for e in events if isinstance(e, RakeTaken)), None)
    return HandHistory(
        hand_id=meta.hand_id,
        table=meta.table,
        started_at=meta.started_at,
        variant=config.variant,
        currency=meta.currency,
        max_seats=meta.max_seats,
        button=config.button,
        players=[
            SeatRecord(seat=seat, player=name, stack=stack)
            for seat, name, stack in zip(meta.seats, meta.players, config.stacks, strict=True)
        ],
        blinds=config.blinds,
        ante=config.ante,
        rake_rule=config.rake,
        hole_cards=[format_cards(cards) for cards in final.hole],
        board=format_cards(final.board),
        events=list(events),
        pots=build_side_pots(final.contributed, final.folded, final.dead),
        rake=ended.rake,
        rake_contributions=list(rake.contributions) if rake else [0] * len(config.stacks),
        final_stacks=list(ended.stacks),
        net=list(ended.net),
        fairness=meta.fairness,
        positions=config.positions,
        posts=config.posts,
        run_it_twice=config.run_it_twice,
        second_board=format_cards(final.second_board),
    )


def player_actions(events: Sequence[Event]) -> list[Action]:
    """The player actions of a hand, in order, recovered from its events (for replay)."""
    actions: list[Action] = []
    for e in events:
        match e:
            case PlayerFolded(seat=seat):
                actions.append(Fold(seat=seat))
            case PlayerChecked(seat=seat):
                actions.append(Check(seat=seat))
            case PlayerCalled(seat=seat):
                actions.append(Call(seat=seat))
            case PlayerBet(seat=seat, to=to):
                actions.append(Bet(seat=seat, to=to))
            case PlayerRaised(seat=seat, to=to):
                actions.append(Raise(seat=seat, to=to))
    return actions


_encoder = msgspec.json.Encoder()


def encode_history(history: HandHistory) -> bytes:
    return _encoder.encode(history)


def decode_history(data: bytes | str) -> HandHistory:
    return msgspec.json.decode(data, type=HandHistory)
