"""The cash-table actor: one asyncio task that owns a table and everything on it.

Design
------
- **One writer.** A :class:`TableActor` is the only code that changes its table: seats, stacks,
  the hand in play, clocks, the event counter. Commands reach it through a bounded mailbox
  (``asyncio.Queue(maxsize=config.mailbox_size)``). **When the mailbox is full, ``submit``
  raises ``ProtocolError(table_busy)`` at once and queues nothing**: the gateway answers the
  client, who sends the same command (same ``cid``) again a little later. The actor never waits
  for a viewer either: ``Viewer.send`` only queues bytes, and a viewer that cannot keep up drops
  itself.
- **Ports only.** The actor knows no transport and no database: frames go to ``Viewer``s, money
  and records go through ``TableBank`` (``bank.py``), names through ``DisplayNames``, time through
  an injected ``Timer`` (monotonic, for the clocks) and ``Clock`` (epoch, for the wire and the
  history), and entropy through a seed source. Tests drive it with ``ManualTimer`` and fakes.
- **Pure transitions.** Seating, button and blinds are ``rules.plan_hand``/``after_hand``; the
  hand is the engine's ``start_hand``/``apply``; the clock is ``timing``. The actor keeps each
  hand's accepted actions (``journal``, table timeouts included), so the hand is replayable from
  its seed (which gives the deck) and that list. Persisting the journal is the next step of crash
  recovery; the actor only has to hand it over.
- **Events.** Every public frame is numbered with the table's ``seq`` and encoded once; the same
  bytes go to every viewer. ``hole_cards`` go only to the owner's player subscriptions,
  ``your_turn`` only to the player to act; both carry the ``seq`` of their public twin. The
  answer to a command (``ack`` or ``error`` with its ``cid``) goes to the viewer that sent it,
  after the events the command caused.
- **Resync.** ``attach`` sends a snapshot at once (then ``your_turn`` if the viewer is to act). A
  client that sees a gap in ``seq`` sends ``snapshot``: the gateway calls :meth:`resync` (or
  ``attach`` again), which sends a fresh snapshot to that viewer only.
- **Idempotent commands.** The last ``remembered_cids`` command ids of each player (for at most
  ``cid_memory_ms``) are kept: a resend of an applied command gets ``ack`` with ``duplicate``
  and is not applied again. Money moves carry an idempotency key made from the table, the player,
  the cid and the actor's own incarnation; a command whose money move failed in an unknown way
  keeps its key, so resending it can never move money twice, and a cid reused long after is a new
  command with a new key.
- **Seats.** ``sit`` needs a free seat and a buy-in within the table's range. At a full table the
  player goes on the wait list (answered ``seat_taken`` with their place); a seat freed while
  someone waits is kept for the first waiting player for ``waitlist_hold_ms`` (others get
  ``seat_taken``), then for the next. No one is seated automatically. ``top_up`` applies at once
  between hands or for a player not in the hand; for a player in the hand it is answered when
  the hand ends, when it is applied. ``stand`` between hands cashes out at once; in a hand the
  player is folded at their turn (at once if it is their turn) and cashed out when it ends.
- **Clocks.** The action clock and time bank come from ``timing``; a timeout checks when free,
  else folds. ``sit_out_after_timeouts`` timeouts in a row sit the player out after the hand.
  A disconnected player's clock runs as usual, and they are sat out after the hand if still
  away. A player dealt out ``max_sit_out_hands`` hands in a row (or sitting out longer than
  ``max_sit_out_ms``) is stood up and cashed out.
- **Settlement.** When a hand ends the actor hands its record to ``TableBank.settle`` and deals
  no new hand until that succeeded (retrying with back-off). Between hands, the table escrow
  holds exactly the seated stacks.
- **Stopping.** ``stop`` refuses new commands; the actor voids a hand still in play (no chips
  moved in the ledger during it, so every player keeps their stack from before it), cashes every
  player out and ends.

Tournament tables will be a mode of this actor: chips assigned by the tournament through another
``TableBank``, a dead button and blinds given by the level clock (both are plan inputs), players
moved between hands and hand-for-hand pauses (commands between hands).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

import msgspec
from prometheus_client import CollectorRegistry

from tablium.clock import Clock, utc_now
from tablium.entropy import new_server_seed
from tablium.errors import DomainError
from tablium.poker import events as ev
from tablium.poker import fairness
from tablium.poker.actions import Action, Fold
from tablium.poker.config import HandConfig
from tablium.poker.errors import PokerError
from tablium.poker.hand import Transition, apply, legal_actions, start_hand
from tablium.protocol import (
    Ack,
    Act,
    Chat,
    ChatMessage,
    ClockStarted,
    ErrorCode,
    HandSettled,
    PlayerSat,
    PlayerSatIn,
    PlayerSatOut,
    PlayersDealtIn,
    PlayerStood,
    ProtocolError,
    RunItTwice,
    SeatResult,
    SeatView,
    ServerMessage,
    Sit,
    SitIn,
    SitOut,
    StackChanged,
    Stand,
    TableCommand,
    TableEvent,
    TableView,
    TopUp,
    TurnView,
    encode_server,
    error_for,
    offer_turn,
    renumber_seats,
    snapshot_for,
    to_engine_action,
)
from tablium.table.audience import Audience
from tablium.table.bank import DisplayNames, TableBank, money_key
from tablium.table.cids import CidStatus, CommandIds, SeenCid
from tablium.table.config import TableConfig
from tablium.table.hand_in_play import HandInPlay
from tablium.table.metrics import TableMetrics
from tablium.table.ports import Viewer
from tablium.table.rules import SeatState, SeatStatus, TableState, after_hand, plan_hand
from tablium.table.timing import Turn, refill, start_turn, timeout_action
from tablium.timers import LoopTimer, Timer

logger = logging.getLogger("tablium.table")

SeedSource = Callable[[], bytes]
"""A fresh 32-byte server seed per call (``tablium.entropy.new_server_seed``; fixed in tests)."""

SETTLE_RETRY_MS: Final = (500, 1_000, 2_000, 5_000, 10_000, 30_000)


# ---------------------------------------------------------------------------------------------
# What the actor keeps beside the rules' TableState


@dataclass
class _TopUp:
    cid: str
    reply: Viewer
    amount: int
    key: str


@dataclass
class _Player:
    """A seated player, beyond ``rules.SeatState``."""

    player_id: str
    display_name: str
    seating_key: str
    """The buy-in's key: the cash-out of this seating is keyed on it, so it happens once."""
    bank_ms: int
    timeouts: int = 0
    away: bool = False
    leaving: bool = False
    post_now: bool = False
    run_it_twice: bool = False
    played: bool = False
    sat_out_since: int | None = None
    top_up: _TopUp | None = None


class _Command(NamedTuple):
    player_id: str
    command: TableCommand
    reply: Viewer
    received: float


class _Presence(NamedTuple):
    player_id: str
    connected: bool


class _Wake(NamedTuple):
    pass


_Message = _Command | _Presence | _Wake


class TableActor:
    """One cash table. Implements ``TableHandle``; run it with :meth:`run` (the registry does)."""

    def __init__(
        self,
        config: TableConfig,
        *,
        bank: TableBank,
        names: DisplayNames | None = None,
        timer: Timer | None = None,
        clock: Clock = utc_now,
        seed_source: SeedSource = new_server_seed,
        metrics: TableMetrics | None = None,
    ) -> None:
        self.config = config
        self._bank = bank
        self._names = names
        self._timer: Timer = timer if timer is not None else LoopTimer()
        self._clock = clock
        self._seed_source = seed_source
        self.metrics = metrics if metrics is not None else TableMetrics(CollectorRegistry())
        self._mailbox: asyncio.Queue[_Message] = asyncio.Queue(maxsize=config.mailbox_size)
        self._presence: dict[str, bool] = {}
        """Presence changes that found the mailbox full, applied before the next message."""
        self._audience = Audience(config.id)
        self._state = TableState(
            seats=(None,) * config.seat_count,
            blinds=config.blinds,
            variant=config.variant,
            ante=config.ante,
            rake=config.rake,
        )
        self._players: dict[str, _Player] = {}
        self._hand: HandInPlay | None = None
        self._number = 0
        self._next_hand_at: int | None = None
        self._waitlist: list[str] = []
        self._hold_until: int | None = None
        self._cids = CommandIds(limit=config.remembered_cids, memory_ms=config.cid_memory_ms)
        self._incarnation = seed_source().hex()[:16]
        self._keys = itertools.count(1)
        self._settle_at = 0
        self._idle = False
        self._closing = False
        self.closed = asyncio.Event()
        """Set when the actor has stopped and every player was cashed out."""

    # --- TableHandle ----------------------------------------------------------------------------

    @property
    def table_id(self) -> str:
        return self.config.id

    def submit(self, player_id: str, command: TableCommand, reply: Viewer) -> None:
        """Queue a command; ``table_busy`` at once when the mailbox is full (nothing queued)."""
        if self._closing:
            raise ProtocolError(ErrorCode.UNKNOWN_TABLE, "the table is closed", cid=command.cid)
        try:
            self._mailbox.put_nowait(_Command(player_id, command, reply, time.perf_counter()))
        except asyncio.QueueFull:
            raise ProtocolError(
                ErrorCode.TABLE_BUSY, "the table is busy: send the command again", cid=command.cid
            ) from None
        self.metrics.mailbox.labels(self.table_id).set(self._mailbox.qsize())

    def attach(self, viewer: Viewer, *, as_player: bool) -> None:
        """Send frames to ``viewer`` from now on, starting with its snapshot."""
        self._audience.add(viewer, as_player=as_player)
        self.resync(viewer)

    def resync(self, viewer: Viewer) -> None:
        """Send ``viewer`` a fresh snapshot (a client that saw a gap in ``seq`` asks for one),
        then ``your_turn`` if it is its player's turn."""
        player = self._audience.player_of(viewer)
        seat = self._seat_of(player) if player is not None else None
        self._send(viewer, encode_server(snapshot_for(self.view(), seat)))
        hand = self._hand
        turn = None if hand is None else hand.turn
        if hand is not None and turn is not None and hand.plan.players[turn.seat] == player:
            self._send(viewer, encode_server(self._your_turn(hand, turn)))

    def detach(self, viewer: Viewer) -> None:
        self._audience.remove(viewer)

    def connected(self, player_id: str) -> None:
        self._signal(_Presence(player_id, True))

    def disconnected(self, player_id: str) -> None:
        self._signal(_Presence(player_id, False))

    def _signal(self, message: _Presence) -> None:
        # Presence is a flag, not a command: it is never refused. When the mailbox is full the
        # latest value waits beside it and the actor, busy anyway, applies it first.
        try:
            self._mailbox.put_nowait(message)
        except asyncio.QueueFull:
            self._presence[message.player_id] = message.connected

    # --- Reading the table ----------------------------------------------------------------------

    @property
    def seq(self) -> int:
        return self._audience.seq

    @property
    def hand_number(self) -> int | None:
        """The hand in play (or waiting to be settled); None between hands."""
        return None if self._hand is None else self._hand.number

    @property
    def idle(self) -> bool:
        """Waiting for a command or a deadline, with nothing under way (no money move half
        done): the moment the table's books can be compared with its escrow."""
        return self._idle and self._mailbox.empty()

    @property
    def mailbox_depth(self) -> int:
        """Commands waiting for the table."""
        return self._mailbox.qsize()

    @property
    def to_act(self) -> str | None:
        """The player whose turn it is, if anyone's."""
        hand = self._hand
        if hand is None or hand.turn is None:
            return None
        return hand.plan.players[hand.turn.seat]

    @property
    def table_state(self) -> TableState:
        return self._state

    @property
    def journal(self) -> tuple[HandConfig, tuple[Action, ...]] | None:
        """The hand in play as its config (deck included) and accepted actions."""
        hand = self._hand
        return None if hand is None else (hand.config, tuple(hand.journal))

    @property
    def waitlist(self) -> tuple[str, ...]:
        return tuple(self._waitlist)

    def chips_on_table(self) -> int:
        """All chips the table holds: seats between hands; the hand's stacks and pot during one.
        Between hands this is what the table's escrow account holds."""
        hand = self._hand
        if hand is None:
            return sum(s.stack for s in self._state.seats if s is not None)
        dealt = set(hand.plan.seats)
        others = sum(
            s.stack for t, s in enumerate(self._state.seats) if s is not None and t not in dealt
        )
        return others + sum(hand.plan.stacks)

    def view(self) -> TableView:
        """The whole table as the actor knows it (hole cards included): never sent as it is."""
        hand = self._hand
        seats = []
        for t, seat in enumerate(self._state.seats):
            if seat is None:
                continue
            view = SeatView(
                seat=t,
                player_id=seat.player_id,
                display_name=self._players[seat.player_id].display_name,
                stack=seat.stack,
                status=seat.status,
            )
            seats.append(view if hand is None else hand.seat_view(view))
        table = TableView(
            table=self.table_id,
            seq=self._audience.seq,
            config=self.config.summary(),
            seats=tuple(seats),
        )
        if hand is None:
            return msgspec.structs.replace(table, button=self._state.button)
        turn = hand.turn
        return msgspec.structs.replace(
            table,
            hand=hand.number,
            button=hand.plan.button,
            board=hand.state.board,
            second_board=hand.state.second_board,
            pots=hand.pots(),
            turn=None
            if turn is None
            else TurnView(
                seat=hand.plan.seats[turn.seat],
                deadline=self._wall(turn.action_deadline),
                time_bank=turn.bank_ms,
            ),
        )

    # --- The task -------------------------------------------------------------------------------

    def stop(self) -> None:
        """Refuse new commands and end the task (see the module docstring); idempotent."""
        self._closing = True
        with contextlib.suppress(asyncio.QueueFull):  # a full mailbox wakes the actor anyway
            self._mailbox.put_nowait(_Wake())

    async def run(self) -> None:
        """The actor's task: until :meth:`stop`, handle messages and deadlines in order."""
        self.metrics.tables.inc()
        try:
            self._number = await self._bank.last_hand_number(self.table_id)
            while not self._closing:
                await self._step()
            await self._shutdown()
        finally:
            self.metrics.tables.dec()
            with contextlib.suppress(KeyError):
                self.metrics.mailbox.remove(self.table_id)
            self.closed.set()

    async def _step(self) -> None:
        for player_id, connected in list(self._presence.items()):
            del self._presence[player_id]
            self._on_presence(player_id, connected)
        if not self._mailbox.empty():
            await asyncio.sleep(0)  # a busy table still lets the others (and the viewers) run
            await self._handle(self._mailbox.get_nowait())
            return
        deadline = self._next_deadline()
        if deadline is not None and deadline <= self._timer.now_ms():
            await asyncio.sleep(0)
            await self._guarded(self._on_time())
            return
        self._idle = True
        getter = asyncio.ensure_future(self._mailbox.get())
        waiting: set[asyncio.Future[Any]] = {getter}
        if deadline is not None:
            waiting.add(asyncio.ensure_future(self._timer.sleep_until(deadline)))
        try:
            done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._idle = False
            for future in waiting:
                if not future.done():
                    future.cancel()
        if getter in done:
            await self._handle(getter.result())

    async def _handle(self, message: _Message) -> None:
        self.metrics.mailbox.labels(self.table_id).set(self._mailbox.qsize())
        match message:
            case _Command():
                await self._guarded(self._on_command(message), message)
                name = type(message.command).__name__.lower()
                self.metrics.command_seconds.labels(name).observe(
                    time.perf_counter() - message.received
                )
            case _Presence(player_id=player_id, connected=connected):
                self._on_presence(player_id, connected)
            case _Wake():
                pass

    async def _guarded(
        self, work: Coroutine[Any, Any, None], command: _Command | None = None
    ) -> None:
        """Run one step; a bug in it is logged (and answered ``internal``), never fatal to the
        table or, through the task group, to the other tables."""
        try:
            await work
        except Exception as exc:
            logger.exception("table step failed", extra=self._log())
            if command is not None:
                frame = error_for(exc, cid=command.command.cid, table=self.table_id)
                self._send(command.reply, encode_server(frame))
            if self._hand is not None and self._hand.record is None and self._hand.turn is None:
                # A hand that cannot go on is void: stacks stay as they were before it.
                logger.error("hand voided", extra=self._log())
                self._hand = None
                self._next_hand_at = None

    def _next_deadline(self) -> int | None:
        now = self._timer.now_ms()
        candidates: list[int] = []
        hand = self._hand
        if hand is not None:
            if hand.turn is not None:
                candidates.append(hand.turn.next_deadline(now))
            if hand.record is not None:
                candidates.append(self._settle_at)
        elif self._next_hand_at is not None:
            candidates.append(self._next_hand_at)
        if self._hold_until is not None:
            candidates.append(self._hold_until)
        limit = self.config.max_sit_out_ms
        if limit is not None:
            since = [p.sat_out_since for p in self._players.values()]
            candidates += [s + limit for s in since if s is not None]
        return min(candidates) if candidates else None

    async def _on_time(self) -> None:
        now = self._timer.now_ms()
        hand = self._hand
        if hand is not None and hand.turn is not None and hand.turn.expired(now):
            await self._time_out(hand, hand.turn)
            return
        if hand is not None and hand.record is not None and self._settle_at <= now:
            await self._settle(hand)
            return
        if self._hold_until is not None and self._hold_until <= now:
            self._end_hold()
            return
        limit = self.config.max_sit_out_ms
        if limit is not None:
            in_hand = set() if hand is None else set(hand.plan.players)
            for p in list(self._players.values()):
                since = p.sat_out_since
                if since is not None and since + limit <= now and p.player_id not in in_hand:
                    p.sat_out_since = None  # asked once; a failed cash-out is retried per hand
                    await self._stand_up(p.player_id, reason="sat out too long")
                    return
        if hand is None and self._next_hand_at is not None and self._next_hand_at <= now:
            await self._start_hand()

    # --- Commands -------------------------------------------------------------------------------

    async def _on_command(self, message: _Command) -> None:
        player_id, command, reply = message.player_id, message.command, message.reply
        cid = command.cid
        seen = self._cid(player_id, cid)
        if seen is not None and seen.status is CidStatus.APPLIED:
            self._send(reply, encode_server(Ack(cid=cid, duplicate=True)))
            return
        if seen is not None and seen.status is CidStatus.PENDING:
            player = self._players.get(player_id)
            if player is not None and player.top_up is not None and player.top_up.cid == cid:
                player.top_up.reply = reply  # the answer goes to the connection that asked last
            return
        retry_key = seen.key if seen is not None else None
        try:
            answered = await self._apply_command(player_id, command, reply, retry_key)
        except (ProtocolError, PokerError, DomainError) as exc:
            # Refused: nothing changed, nothing moved. Forget an uncertain key only now that the
            # bank has said no (the money did not move under it).
            self._forget_cid(player_id, cid)
            self._send(reply, encode_server(error_for(exc, cid=cid, table=self.table_id)))
            return
        if answered:
            self._remember(player_id, cid, CidStatus.APPLIED)
            self._send(reply, encode_server(Ack(cid=cid)))

    async def _apply_command(
        self, player_id: str, command: TableCommand, reply: Viewer, retry_key: str | None
    ) -> bool:
        """Apply one command; True when it is answered now with ``ack``, False when its answer
        comes later (a top-up waiting for the hand to end). Refusals raise."""
        match command:
            case Sit():
                await self._sit(player_id, command, retry_key)
            case TopUp():
                return await self._top_up(player_id, command, reply, retry_key)
            case Stand():
                await self._stand(player_id)
            case SitOut():
                self._sit_out(self._seated(player_id))
            case SitIn():
                self._sit_in(self._seated(player_id), post_now=command.post_now)
            case Act():
                await self._act(player_id, command)
            case RunItTwice(agree=agree):
                if not self.config.run_it_twice_allowed:
                    raise ProtocolError(
                        ErrorCode.ILLEGAL_ACTION, "this table does not run it twice"
                    )
                self._seated(player_id).run_it_twice = agree
            case Chat(text=text):
                player = self._seated(player_id)
                self._emit(
                    ChatMessage(
                        seat=self._seat_index(player_id),
                        player_id=player_id,
                        display_name=player.display_name,
                        text=text,
                    )
                )
        return True

    def _seated(self, player_id: str) -> _Player:
        player = self._players.get(player_id)
        if player is None or player.leaving:
            raise ProtocolError(ErrorCode.NOT_SEATED, "you have no seat at this table")
        return player

    def _money_key(self, kind: str, player_id: str, cid: str, retry_key: str | None) -> str:
        """The idempotency key of a command's money move, remembered as uncertain until the
        bank answers: a resend after an unknown failure reuses it and cannot pay twice."""
        key = retry_key or money_key(
            kind, self.table_id, self._incarnation, player_id, cid, str(next(self._keys))
        )
        self._remember(player_id, cid, CidStatus.UNCERTAIN, key)
        return key

    async def _sit(self, player_id: str, command: Sit, retry_key: str | None) -> None:
        config, seats = self.config, self._state.seats
        if command.seat >= config.seat_count:
            raise ProtocolError(ErrorCode.INVALID, f"this table has seats 0 to {len(seats) - 1}")
        if player_id in self._players:
            raise ProtocolError(ErrorCode.ALREADY_SEATED, "you already have a seat at this table")
        if not config.buy_in_min <= command.buy_in <= config.buy_in_max:
            raise ProtocolError(
                ErrorCode.BUY_IN_OUT_OF_RANGE,
                f"the buy-in is {config.buy_in_min} to {config.buy_in_max}",
            )
        if all(s is not None for s in seats):
            if player_id not in self._waitlist:
                if len(self._waitlist) >= config.waitlist_size:
                    raise ProtocolError(ErrorCode.SEAT_TAKEN, "the table and wait list are full")
                self._waitlist.append(player_id)
            place = self._waitlist.index(player_id) + 1
            raise ProtocolError(
                ErrorCode.SEAT_TAKEN, f"the table is full: you are number {place} on the wait list"
            )
        if seats[command.seat] is not None:
            raise ProtocolError(ErrorCode.SEAT_TAKEN, f"seat {command.seat} is taken")
        if self._hold_until is not None and self._waitlist and self._waitlist[0] != player_id:
            raise ProtocolError(ErrorCode.SEAT_TAKEN, "the free seat is kept for the wait list")
        name = await self._names(player_id) if self._names is not None else player_id
        key = self._money_key("buy_in", player_id, command.cid, retry_key)
        await self._bank.buy_in(
            table_id=self.table_id,
            currency=config.currency,
            player_id=player_id,
            amount=command.buy_in,
            key=key,
        )
        self._set_seat(command.seat, SeatState(player_id=player_id, stack=command.buy_in))
        self._players[player_id] = _Player(
            player_id=player_id,
            display_name=name,
            seating_key=key,
            bank_ms=config.timing.bank_initial_ms,
            post_now=command.post_now,
        )
        if player_id in self._waitlist:
            first = self._waitlist[0] == player_id
            self._waitlist.remove(player_id)
            if first and self._hold_until is not None:
                self._hold_until = None
                self._hold_seat()
        logger.info("player sat", extra=self._log(seat=command.seat, player=player_id))
        seat, stack = command.seat, command.buy_in
        self._emit(PlayerSat(seat=seat, player_id=player_id, display_name=name, stack=stack))
        self._wake_dealer()

    async def _top_up(
        self, player_id: str, command: TopUp, reply: Viewer, retry_key: str | None
    ) -> bool:
        player = self._seated(player_id)
        if player.top_up is not None:
            raise ProtocolError(ErrorCode.ILLEGAL_ACTION, "a top-up is already waiting")
        stack = self._state.seats[self._seat_index(player_id)]
        assert stack is not None
        if stack.stack + command.amount > self.config.buy_in_max:
            raise ProtocolError(
                ErrorCode.BUY_IN_OUT_OF_RANGE,
                f"a stack may hold at most {self.config.buy_in_max} after a top-up",
            )
        key = self._money_key("top_up", player_id, command.cid, retry_key)
        if self._in_hand(player_id):
            player.top_up = _TopUp(cid=command.cid, reply=reply, amount=command.amount, key=key)
            self._remember(player_id, command.cid, CidStatus.PENDING, key)
            return False
        await self._add_chips(player, command.amount, key)
        return True

    async def _add_chips(self, player: _Player, amount: int, key: str) -> None:
        await self._bank.buy_in(
            table_id=self.table_id,
            currency=self.config.currency,
            player_id=player.player_id,
            amount=amount,
            key=key,
        )
        t = self._seat_index(player.player_id)
        seat = self._state.seats[t]
        assert seat is not None
        self._set_seat(t, msgspec.structs.replace(seat, stack=seat.stack + amount))
        self._emit(StackChanged(seat=t, stack=seat.stack + amount, added=amount))
        self._wake_dealer()

    async def _stand(self, player_id: str) -> None:
        player = self._seated(player_id)
        hand = self._hand
        if hand is None or player_id not in hand.plan.players:
            await self._stand_up(player_id, reason="asked")
            return
        # In the hand: folded at their turn (now, if it is theirs), cashed out when it ends.
        player.leaving = True
        hs = hand.plan.players.index(player_id)
        if hand.record is None and hand.turn is not None and hand.turn.seat == hs:
            await self._take(hand, Fold(seat=hs), source="leaving")

    async def _stand_up(self, player_id: str, *, reason: str) -> None:
        """Cash a player out and free their seat (between hands, or a player not in the hand)."""
        player = self._players[player_id]
        t = self._seat_index(player_id)
        seat = self._state.seats[t]
        assert seat is not None
        if seat.stack > 0:
            await self._bank.cash_out(
                table_id=self.table_id,
                currency=self.config.currency,
                player_id=player_id,
                amount=seat.stack,
                key=money_key("cash_out", self.table_id, player_id, player.seating_key),
            )
        self._set_seat(t, None)
        del self._players[player_id]
        if player.top_up is not None:
            refused = ProtocolError(ErrorCode.NOT_SEATED, "you left the table before the top-up")
            self._answer_later(player_id, player.top_up, refused)
        logger.info("player stood", extra=self._log(seat=t, player=player_id, reason=reason))
        self._emit(PlayerStood(seat=t, player_id=player_id, stack=seat.stack))
        self._hold_seat()

    def _sit_out(self, player: _Player) -> None:
        t = self._seat_index(player.player_id)
        seat = self._state.seats[t]
        assert seat is not None
        if seat.status is SeatStatus.SITTING_OUT:
            return
        self._set_seat(t, msgspec.structs.replace(seat, status=SeatStatus.SITTING_OUT))
        player.sat_out_since = self._timer.now_ms()
        player.post_now = False
        self._emit(PlayerSatOut(seat=t))

    def _sit_in(self, player: _Player, *, post_now: bool) -> None:
        t = self._seat_index(player.player_id)
        seat = self._state.seats[t]
        assert seat is not None
        player.post_now = post_now
        if seat.status is not SeatStatus.SITTING_OUT:
            self._wake_dealer()
            return
        if not player.played:
            status = SeatStatus.NEW
        elif seat.missed_big or seat.missed_small:
            status = SeatStatus.WAITING_FOR_BB
        else:
            status = SeatStatus.ACTIVE
        self._set_seat(t, msgspec.structs.replace(seat, status=status, hands_sat_out=0))
        player.timeouts = 0
        player.sat_out_since = None
        self._emit(PlayerSatIn(seat=t, status=status))
        self._wake_dealer()

    async def _act(self, player_id: str, command: Act) -> None:
        self._seated(player_id)
        hand = self._hand
        if hand is None or hand.number != command.hand or hand.record is not None:
            raise ProtocolError(ErrorCode.STALE_HAND, f"hand {command.hand} is not in play")
        if player_id not in hand.plan.players:
            raise ProtocolError(ErrorCode.NOT_YOUR_TURN, "you are not in this hand")
        hs = hand.plan.players.index(player_id)
        await self._take(hand, to_engine_action(command.action, hs), source="player")

    def _on_presence(self, player_id: str, connected: bool) -> None:
        player = self._players.get(player_id)
        if player is not None:
            player.away = not connected

    # --- The hand -------------------------------------------------------------------------------

    def _wake_dealer(self) -> None:
        """Something may have made a hand possible: deal after the usual pause."""
        if self._hand is None and self._next_hand_at is None:
            self._next_hand_at = self._timer.now_ms() + self.config.hand_pause_ms

    async def _start_hand(self) -> None:
        self._next_hand_at = None
        posting = frozenset(
            t
            for t, seat in enumerate(self._state.seats)
            if seat is not None and self._players[seat.player_id].post_now
        )
        plan = plan_hand(self._state, post_to_play=posting)
        if plan is None:
            return  # fewer than two players: the next sit, sit-in or top-up wakes the dealer
        seed = self._seed_source()
        commitment = fairness.commitment(seed)
        agreed = [
            t
            for t, player_id in zip(plan.seats, plan.players, strict=True)
            if self.config.run_it_twice_allowed and self._players[player_id].run_it_twice
        ]
        config = plan.hand_config(
            fairness.shuffle_deck(seed), commitment=commitment, run_it_twice=agreed
        )
        transition = start_hand(config)
        self._number += 1
        hand = HandInPlay(
            number=self._number,
            plan=plan,
            config=config,
            state=transition.state,
            seed=seed,
            started_at=self._clock(),
        )
        self._hand = hand
        timing = self.config.timing
        for player_id in plan.players:
            player = self._players[player_id]
            player.bank_ms = refill(timing, player.bank_ms)
        logger.info("hand started", extra=self._log(players=len(plan.seats)))
        self._emit(PlayersDealtIn(hand=hand.number, seats=plan.seats), hand.number)
        await self._advance(hand, transition)

    async def _take(self, hand: HandInPlay, action: Action, *, source: str) -> None:
        """Apply one action to the hand in play (the engine validates it, or raises and nothing
        changes) and journal it."""
        now = self._timer.now_ms()
        transition = apply(hand.state, action)
        turn = hand.turn
        if turn is not None:
            player = self._players[hand.plan.players[turn.seat]]
            if source == "player":
                player.bank_ms = turn.bank_left(now)
                player.timeouts = 0
        hand.turn = None
        hand.journal.append(action)
        self.metrics.actions.labels(source).inc()
        await self._advance(hand, transition)

    async def _advance(self, hand: HandInPlay, transition: Transition) -> None:
        """Publish a transition's events, then start the next turn or finish the hand."""
        hand.state = transition.state
        for event in transition.events:
            hand.events.append(event)
            if isinstance(event, ev.HandMucked):
                hand.mucked.add(event.seat)
            self._emit(renumber_seats(event, hand.plan.seats), hand.number)
        state = hand.state
        if state.is_complete:
            await self._finish(hand)
            return
        assert state.to_act is not None
        player = self._players[hand.plan.players[state.to_act]]
        if player.leaving:
            await self._take(hand, Fold(seat=state.to_act), source="leaving")
            return
        turn = start_turn(self.config.timing, state.to_act, player.bank_ms, self._timer.now_ms())
        hand.turn = turn
        self._emit(
            ClockStarted(
                seat=hand.plan.seats[turn.seat],
                deadline=self._wall(turn.action_deadline),
                time_bank=turn.bank_ms,
            ),
            hand.number,
        )
        self._audience.send_to_player(player.player_id, self._your_turn(hand, turn))

    def _your_turn(self, hand: HandInPlay, turn: Turn) -> ServerMessage:
        legal = legal_actions(hand.state)
        assert legal is not None
        return offer_turn(
            legal,
            table=self.table_id,
            hand=hand.number,
            seq=self._audience.seq,
            deadline=self._wall(turn.action_deadline),
            time_bank=turn.bank_ms,
        )

    async def _time_out(self, hand: HandInPlay, turn: Turn) -> None:
        legal = legal_actions(hand.state)
        assert legal is not None
        player = self._players[hand.plan.players[turn.seat]]
        player.bank_ms = 0
        player.timeouts += 1
        logger.info("turn timed out", extra=self._log(seat=hand.plan.seats[turn.seat]))
        await self._take(hand, timeout_action(legal), source="timeout")

    async def _finish(self, hand: HandInPlay) -> None:
        hand.record = hand.to_record(
            table_id=self.table_id,
            currency=self.config.currency,
            seat_count=self.config.seat_count,
            ended_at=self._clock(),
        )
        self._settle_at = self._timer.now_ms()
        await self._settle(hand)

    async def _settle(self, hand: HandInPlay) -> None:
        record = hand.record
        assert record is not None
        try:
            await self._bank.settle(record)
        except Exception:
            delay = SETTLE_RETRY_MS[min(hand.settle_attempts, len(SETTLE_RETRY_MS) - 1)]
            hand.settle_attempts += 1
            self._settle_at = self._timer.now_ms() + delay
            logger.exception("hand settlement failed; retrying", extra=self._log(retry_ms=delay))
            return
        await self._after_settle(hand)

    async def _after_settle(self, hand: HandInPlay) -> None:
        plan, final = hand.plan, hand.state
        self._state = after_hand(self._state, plan, final.stacks)
        self._hand = None
        self.metrics.hands.inc()
        results = []
        for player_id, t, stack, start in zip(
            plan.players, plan.seats, final.stacks, plan.stacks, strict=True
        ):
            player = self._players[player_id]
            player.played = True
            player.post_now = False
            results.append(SeatResult(seat=t, stack=stack, net=stack - start))
        self._emit(HandSettled(hand=hand.number, results=tuple(results)), hand.number)
        logger.info("hand settled", extra=self._log(hand=hand.number, rake=final.rake))
        await self._between_hands()
        self._next_hand_at = self._timer.now_ms() + self.config.hand_pause_ms

    async def _between_hands(self) -> None:
        """What waited for the hand to end: top-ups, leavers, players to sit out or stand up."""
        limit = self.config.timing.sit_out_after_timeouts
        for player in list(self._players.values()):
            player_id = player.player_id
            if player.top_up is not None:
                top_up, player.top_up = player.top_up, None
                await self._apply_top_up(player, top_up)
            seat = self._state.seats[self._seat_index(player_id)]
            assert seat is not None
            try:
                if player.leaving:
                    await self._stand_up(player_id, reason="asked")
                elif seat.hands_sat_out >= self.config.max_sit_out_hands:
                    await self._stand_up(player_id, reason="sat out too long")
                elif seat.status is not SeatStatus.SITTING_OUT and (
                    player.timeouts >= limit or player.away
                ):
                    self._sit_out(player)
            except Exception:  # the cash-out is tried again after the next hand
                logger.exception("stand-up failed", extra=self._log(player=player_id))

    async def _apply_top_up(self, player: _Player, top_up: _TopUp) -> None:
        seat = self._state.seats[self._seat_index(player.player_id)]
        assert seat is not None
        try:
            if seat.stack + top_up.amount > self.config.buy_in_max:
                raise ProtocolError(
                    ErrorCode.BUY_IN_OUT_OF_RANGE,
                    f"a stack may hold at most {self.config.buy_in_max} after a top-up",
                )
            await self._add_chips(player, top_up.amount, top_up.key)
        except (ProtocolError, DomainError) as exc:
            self._answer_later(player.player_id, top_up, exc)
            return
        except Exception as exc:  # unknown outcome: the key stays, a resend cannot pay twice
            logger.exception("top-up failed", extra=self._log(player=player.player_id))
            self._remember(player.player_id, top_up.cid, CidStatus.UNCERTAIN, top_up.key)
            frame = error_for(exc, cid=top_up.cid, table=self.table_id)
            self._send(top_up.reply, encode_server(frame))
            return
        self._remember(player.player_id, top_up.cid, CidStatus.APPLIED)
        self._send(top_up.reply, encode_server(Ack(cid=top_up.cid)))

    def _answer_later(self, player_id: str, top_up: _TopUp, exc: Exception) -> None:
        self._forget_cid(player_id, top_up.cid)
        frame = error_for(exc, cid=top_up.cid, table=self.table_id)
        self._send(top_up.reply, encode_server(frame))

    async def _shutdown(self) -> None:
        hand = self._hand
        if hand is not None and hand.record is not None:
            await self._guarded(self._settle(hand))
        if self._hand is not None:
            logger.warning("hand voided at shutdown", extra=self._log())
            self._hand = None  # no chips moved during it: every stack is as before it
        for player in list(self._players.values()):
            if player.top_up is not None:
                closed = ProtocolError(ErrorCode.UNKNOWN_TABLE, "the table closed")
                self._answer_later(player.player_id, player.top_up, closed)
                player.top_up = None
            try:
                await self._stand_up(player.player_id, reason="table closed")
            except Exception:
                logger.exception("cash-out at shutdown failed", extra=self._log())
        while not self._mailbox.empty():
            message = self._mailbox.get_nowait()
            if isinstance(message, _Command):
                closed = ProtocolError(ErrorCode.UNKNOWN_TABLE, "the table closed")
                frame = error_for(closed, cid=message.command.cid, table=self.table_id)
                self._send(message.reply, encode_server(frame))

    # --- Seats and the wait list ----------------------------------------------------------------

    def _set_seat(self, t: int, seat: SeatState | None) -> None:
        seats = list(self._state.seats)
        seats[t] = seat
        self._state = msgspec.structs.replace(self._state, seats=tuple(seats))

    def _seat_index(self, player_id: str) -> int:
        seat = self._seat_of(player_id)
        assert seat is not None
        return seat

    def _seat_of(self, player_id: str) -> int | None:
        for t, seat in enumerate(self._state.seats):
            if seat is not None and seat.player_id == player_id:
                return t
        return None

    def _in_hand(self, player_id: str) -> bool:
        hand = self._hand
        return hand is not None and player_id in hand.plan.players

    def _hold_seat(self) -> None:
        """Keep a free seat for the first player on the wait list for a while."""
        free = any(s is None for s in self._state.seats)
        if free and self._waitlist and self._hold_until is None:
            self._hold_until = self._timer.now_ms() + self.config.waitlist_hold_ms

    def _end_hold(self) -> None:
        self._hold_until = None
        if self._waitlist:
            self._waitlist.pop(0)
        self._hold_seat()

    # --- Command ids ----------------------------------------------------------------------------

    def _cid(self, player_id: str, cid: str) -> SeenCid | None:
        return self._cids.get(player_id, cid, self._timer.now_ms())

    def _remember(
        self, player_id: str, cid: str, status: CidStatus, key: str | None = None
    ) -> None:
        self._cids.remember(player_id, cid, status, self._timer.now_ms(), key)

    def _forget_cid(self, player_id: str, cid: str) -> None:
        self._cids.forget(player_id, cid)

    # --- Frames ---------------------------------------------------------------------------------

    def _emit(self, event: TableEvent, hand: int | None = None) -> None:
        owner = None
        if isinstance(event, ev.HoleCardsDealt):
            seat = self._state.seats[event.seat]
            owner = None if seat is None else seat.player_id
        self._audience.publish(event, hand=hand, owner=owner)

    def _send(self, viewer: Viewer, data: bytes) -> None:
        self._audience.send(viewer, data)

    def _wall(self, monotonic_ms: int) -> int:
        """A deadline on the table's monotonic timer as epoch milliseconds for the wire."""
        epoch_now = int(self._clock().timestamp() * 1000)
        return epoch_now + (monotonic_ms - self._timer.now_ms())

    def _log(self, **extra: object) -> dict[str, object]:
        return {"table": self.table_id, "hand": self.hand_number, **extra}
