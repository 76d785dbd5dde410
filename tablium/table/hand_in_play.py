"""The hand a table is playing: its plan, engine state, journal and clock, and what it shows.

A :class:`HandInPlay` is owned by one table actor and changed only by it. It knows how the hand
looks from the table (seats, bets, pots; hole cards only for :func:`protocol.snapshot_for` to cut
per viewer) and how it is recorded when it ends (the history with its fairness data, and each
player's result and rake share).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import msgspec

from tablium.poker import events as ev
from tablium.poker import fairness
from tablium.poker.actions import Action
from tablium.poker.cards import format_cards
from tablium.poker.config import HandConfig
from tablium.poker.hand import HandState
from tablium.poker.history import FairnessRecord, HandMeta, build_history
from tablium.poker.pots import build_side_pots
from tablium.protocol import PotView, SeatView
from tablium.table.archive import HandRecord, PlayerResult, hand_key
from tablium.table.rules import HandPlan
from tablium.table.timing import Turn


@dataclass
class HandInPlay:
    number: int
    plan: HandPlan
    config: HandConfig
    state: HandState
    seed: bytes
    started_at: datetime
    events: list[ev.Event] = field(default_factory=list)
    """The engine's events, hand seats as the engine numbers them (for the history)."""
    journal: list[Action] = field(default_factory=list)
    """Accepted actions in order (by players and by the table): with the seed, the hand."""
    turn: Turn | None = None
    mucked: set[int] = field(default_factory=set)
    record: HandRecord | None = None
    """Set when the hand is over and waiting to be settled."""
    settle_attempts: int = 0

    def player(self, hand_seat: int) -> str:
        return self.plan.players[hand_seat]

    def seat_view(self, base: SeatView) -> SeatView:
        """A seat as the hand shows it, when its player is dealt in."""
        if base.seat not in self.plan.seats:
            return base
        s, hs = self.state, self.plan.seats.index(base.seat)
        shown = bool(s.shown) and s.shown[hs]
        hidden = not shown and (s.folded[hs] or hs in self.mucked)
        return msgspec.structs.replace(
            base,
            stack=s.stacks[hs],
            bet=s.bets[hs],
            dealt_in=True,
            folded=s.folded[hs],
            hole=() if hidden else s.hole[hs],
            shown=shown,
        )

    def pots(self) -> tuple[PotView, ...]:
        s, seats = self.state, self.plan.seats
        if s.is_complete:
            return ()
        return tuple(
            PotView(amount=p.amount, eligible=tuple(seats[i] for i in p.eligible))
            for p in build_side_pots(s.contributed, s.folded, s.dead)
        )

    def to_record(
        self, *, table_id: str, currency: str, seat_count: int, ended_at: datetime
    ) -> HandRecord:
        """The finished hand for the bank: history (seed revealed), results, rake shares."""
        plan = self.plan
        meta = HandMeta(
            hand_id=hand_key(table_id, self.number),
            table=table_id,
            started_at=self.started_at.isoformat(),
            max_seats=seat_count,
            seats=tuple(t + 1 for t in plan.seats),  # the history numbers seats from 1
            players=plan.players,
            currency=currency,
            fairness=FairnessRecord(
                algorithm=fairness.ALGORITHM,
                commitment=self.config.commitment or "",
                server_seed=self.seed.hex(),
                client_seeds=[],
                deck=format_cards(self.config.deck),
            ),
        )
        history = build_history(self.config, self.state, self.events, meta)
        return HandRecord(
            table_id=table_id,
            number=self.number,
            currency=currency,
            started_at=self.started_at,
            ended_at=ended_at,
            rake=history.rake,
            commitment=self.config.commitment,
            history=history,
            results=tuple(
                PlayerResult(player_id=p, seat=t, net=net, rake_share=share)
                for p, t, net, share in zip(
                    plan.players, plan.seats, history.net, history.rake_contributions, strict=True
                )
            ),
        )
