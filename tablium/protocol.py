"""The WebSocket protocol of cash tables (``/ws``): every frame in both directions, as values.

A frame is one JSON object whose ``type`` names it. Client frames decode into the
:data:`ClientMessage` union with one reusable decoder (:func:`decode_client`), which refuses
anything it does not understand with a :class:`ProtocolError` carrying a stable code, so the
gateway can answer with an ``error`` frame and keep the connection. Server frames are the
:data:`ServerMessage` union, encoded once per frame (:func:`encode_server`) and copied to every
socket that should get it. docs/protocol.md is the reference, with an example of every frame.

Who may see what is decided here too, in pure functions the table actor calls: :func:`audience`
and :func:`frame_event` keep hole cards that were not shown off the public stream, and
:func:`snapshot_for` builds each viewer's snapshot from the actor's full view of the table.
The player's identity never appears in a client frame: it comes from the authenticated session.

Schema evolution:

- ``welcome`` carries :data:`PROTOCOL_VERSION`; it changes only when a change would break a
  client that follows these rules.
- A field added to any message later gets a default, so older frames still decode.
- Client frames with unknown fields are refused (``invalid``): a typo is an error, not a no-op.
- Server frames may gain fields, and events may gain kinds: clients ignore fields and event
  types they do not know.
- Engine events (``tablium.poker.events``) travel as they are, with seat numbers turned into
  table seats (:func:`renumber_seats`); their own evolution rules apply.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Annotated, Final, Literal, TypeAlias

import msgspec
from msgspec import Meta, Struct, field

from tablium.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyRequests,
    Unauthenticated,
)
from tablium.money.ledger import MAX_AMOUNT
from tablium.poker import actions
from tablium.poker import events as ev
from tablium.poker.cards import Card
from tablium.poker.config import MAX_CHIPS, MAX_PLAYERS
from tablium.poker.errors import PokerError
from tablium.poker.hand import LegalActions
from tablium.table.rules import SeatStatus

PROTOCOL_VERSION: Final = 1
MAX_FRAME_BYTES: Final = 8 * 1024
"""Largest client frame decoded; the largest real one (a chat line) is well under 1 KiB."""
MAX_CHAT_CHARS: Final = 200
CHAT_RATE_LIMIT: Final = 5
"""Chat lines a player may send to one table per :data:`CHAT_RATE_WINDOW_MS` (the gateway
enforces it with ``rate_limited``)."""
CHAT_RATE_WINDOW_MS: Final = 10_000
AUTH_TIMEOUT_MS: Final = 10_000
"""A connection without a ``token`` query parameter must send ``auth`` within this time."""
CLOSE_UNAUTHENTICATED: Final = 4401
"""WebSocket close code: authentication failed or timed out, or the session was revoked."""
CLOSE_TOO_SLOW: Final = 4408
"""WebSocket close code: the socket did not keep up with its frames (reconnect and resync)."""


class ErrorCode(enum.StrEnum):
    """The ``code`` of an ``error`` frame. Stable: clients may branch on it."""

    MALFORMED = "malformed"
    """Not a JSON object: bad JSON, not UTF-8, nested too deeply."""
    INVALID = "invalid"
    """A JSON object that is no valid message: unknown type or field, wrong type, out of range,
    missing field."""
    TOO_LARGE = "too_large"
    """A frame over :data:`MAX_FRAME_BYTES`."""
    UNAUTHENTICATED = "unauthenticated"
    """No valid access token yet, or it was refused."""
    FORBIDDEN = "forbidden"
    """Authenticated, but not allowed to do this."""
    UNKNOWN_TABLE = "unknown_table"
    NOT_SUBSCRIBED = "not_subscribed"
    """A table command on a table this connection is not subscribed to as a player."""
    NOT_SEATED = "not_seated"
    SEAT_TAKEN = "seat_taken"
    ALREADY_SEATED = "already_seated"
    BUY_IN_OUT_OF_RANGE = "buy_in_out_of_range"
    """A buy-in, or a stack after a top-up, outside the table's minimum and maximum."""
    INSUFFICIENT_FUNDS = "insufficient_funds"
    NOT_YOUR_TURN = "not_your_turn"
    ILLEGAL_ACTION = "illegal_action"
    """The rules do not allow this action now (checking facing a bet, betting where a raise is
    due)."""
    BET_OUT_OF_RANGE = "bet_out_of_range"
    """A bet or raise outside ``min_raise_to`` … ``max_raise_to``."""
    STALE_HAND = "stale_hand"
    """The ``hand`` of an ``act`` is not the hand in play (it ended, or another one started)."""
    TABLE_BUSY = "table_busy"
    """The table's mailbox is full: send the command again a little later."""
    RATE_LIMITED = "rate_limited"
    SELF_EXCLUDED = "self_excluded"
    LIMIT_EXCEEDED = "limit_exceeded"
    """The buy-in would break one of the player's loss limits."""
    INTERNAL = "internal"
    """The server failed; nothing was applied."""


class ProtocolError(DomainError):
    """A refused client frame: ``code`` says why; ``cid`` is the frame's own when it could still
    be read, so the client can match the error to its command. The decoder raises it for frames it
    cannot read; the gateway and the table actor may raise it with the other codes."""

    def __init__(self, code: ErrorCode, message: str, *, cid: str | None = None) -> None:
        super().__init__(message, code=code)
        self.message = message
        self.cid = cid


# ---------------------------------------------------------------------------------------------
# Values a client may send, with their bounds

_NAME = r"\A[A-Za-z0-9_.:\-]{1,64}\Z"
TableId = Annotated[str, Meta(pattern=_NAME, min_length=1, max_length=64)]
ClientId = Annotated[str, Meta(pattern=_NAME, min_length=1, max_length=64)]
"""``cid``: 1 to 64 characters of ``A-Z a-z 0-9 _ . : -``, chosen by the client."""
Seat = Annotated[int, Meta(ge=0, lt=MAX_PLAYERS)]
HandId = Annotated[int, Meta(ge=1, le=2**63 - 1)]
Chips = Annotated[int, Meta(ge=1, le=MAX_CHIPS)]
Money = Annotated[int, Meta(ge=1, le=MAX_AMOUNT)]
Millis = Annotated[int, Meta(ge=0, le=2**53)]
Token = Annotated[str, Meta(pattern=r"\A[\x21-\x7e]{1,4096}\Z", min_length=1, max_length=4096)]
# No control characters (C0, DEL, C1), line separators or bidirectional overrides; not blank.
ChatText = Annotated[
    str,
    Meta(
        pattern=r"\A(?=.*\S)[^\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]*\Z",
        min_length=1,
        max_length=MAX_CHAT_CHARS,
    ),
]


# ---------------------------------------------------------------------------------------------
# Client → server


class Fold(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, tag="fold"):
    pass


class Check(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, tag="check"):
    pass


class Call(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, tag="call"):
    pass


class BetTo(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, tag="bet"):
    """Open the betting; ``to`` is the street total, as in the engine."""

    to: Chips


class RaiseTo(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, tag="raise"):
    """Raise the bet to the street total ``to``."""

    to: Chips


PlayerAction: TypeAlias = Fold | Check | Call | BetTo | RaiseTo
"""The engine's actions (``tablium.poker.actions``) without a seat: the session decides it."""


class _ClientMessage(Struct, frozen=True, forbid_unknown_fields=True, tag_field="type"):
    """Every client frame: a ``type`` tag, and no field the protocol does not define."""


class Auth(_ClientMessage, frozen=True, kw_only=True, tag="auth"):
    """The first frame of a connection opened without a ``token`` query parameter."""

    token: Token


class Subscribe(_ClientMessage, frozen=True, kw_only=True, tag="subscribe"):
    """Receive a table's frames: a ``snapshot``, then its events. A ``player`` subscription also
    gets the private frames of the seat the player holds and may send table commands."""

    table: TableId
    as_: Literal["player", "spectator"] = field(default="spectator", name="as")
    cid: ClientId


class Unsubscribe(_ClientMessage, frozen=True, kw_only=True, tag="unsubscribe"):
    table: TableId
    cid: ClientId


class RequestSnapshot(_ClientMessage, frozen=True, kw_only=True, tag="snapshot"):
    """Ask again for the table's snapshot, after a gap in ``seq``."""

    table: TableId
    cid: ClientId


class Sit(_ClientMessage, frozen=True, kw_only=True, tag="sit"):
    """Take ``seat`` with ``buy_in`` chips from the wallet. ``post_now`` posts a big blind to be
    dealt into the next hand instead of waiting for the big blind to come round."""

    table: TableId
    seat: Seat
    buy_in: Money
    post_now: bool = False
    cid: ClientId


class TopUp(_ClientMessage, frozen=True, kw_only=True, tag="top_up"):
    """Add ``amount`` from the wallet to the stack (between hands: during one, after it)."""

    table: TableId
    amount: Money
    cid: ClientId


class Stand(_ClientMessage, frozen=True, kw_only=True, tag="stand"):
    """Leave the seat; the stack goes back to the wallet (a hand in play is folded first)."""

    table: TableId
    cid: ClientId


class SitOut(_ClientMessage, frozen=True, kw_only=True, tag="sit_out"):
    table: TableId
    cid: ClientId


class SitIn(_ClientMessage, frozen=True, kw_only=True, tag="sit_in"):
    """Come back; ``post_now`` posts the blinds missed to play the next hand rather than wait."""

    table: TableId
    post_now: bool = False
    cid: ClientId


class Act(_ClientMessage, frozen=True, kw_only=True, tag="act"):
    table: TableId
    hand: HandId
    """The hand the action is for; any other hand makes it ``stale_hand``."""
    action: PlayerAction
    cid: ClientId


class RunItTwice(_ClientMessage, frozen=True, kw_only=True, tag="run_it_twice"):
    """The player's standing choice at this table, used for every hand dealt after it (the
    engine takes agreement before the deal: docs/rules.md, "Run it twice")."""

    table: TableId
    agree: bool
    cid: ClientId


class Chat(_ClientMessage, frozen=True, kw_only=True, tag="chat"):
    table: TableId
    text: ChatText
    cid: ClientId


class Ping(_ClientMessage, frozen=True, kw_only=True, tag="ping"):
    t: Millis | None = None
    """The client's clock in milliseconds, echoed in ``pong``."""


ClientMessage: TypeAlias = (
    Auth
    | Subscribe
    | Unsubscribe
    | RequestSnapshot
    | Sit
    | TopUp
    | Stand
    | SitOut
    | SitIn
    | Act
    | RunItTwice
    | Chat
    | Ping
)
TableCommand: TypeAlias = Sit | TopUp | Stand | SitOut | SitIn | Act | RunItTwice | Chat
"""Client frames the gateway forwards to the table actor (with the session's player id)."""


# ---------------------------------------------------------------------------------------------
# Table-level events: what the table does around the engine's hands. Seats are table seats.


class PlayersDealtIn(Struct, frozen=True, kw_only=True, tag="dealt_in"):
    """A hand begins. The engine events of the hand follow; their per-seat lists (``stacks`` of
    ``hand_started`` and ``hand_ended``, ``contributions`` of ``rake_taken``) are in the order
    of ``seats``."""

    hand: int
    seats: tuple[int, ...]


class CardsDealtFaceDown(Struct, frozen=True, kw_only=True, tag="dealt_face_down"):
    """Everyone's view of ``hole_cards_dealt``: ``seat`` got ``count`` cards, face down."""

    seat: int
    count: int


class PlayerSat(Struct, frozen=True, kw_only=True, tag="player_sat"):
    seat: int
    player_id: str
    display_name: str
    stack: int


class PlayerStood(Struct, frozen=True, kw_only=True, tag="player_stood"):
    seat: int
    player_id: str
    stack: int
    """Chips taken back to the wallet."""


class PlayerSatOut(Struct, frozen=True, kw_only=True, tag="player_sat_out"):
    seat: int


class PlayerSatIn(Struct, frozen=True, kw_only=True, tag="player_sat_in"):
    seat: int
    status: SeatStatus
    """``active``, or ``waiting_for_bb`` until the big blind reaches the seat."""


class StackChanged(Struct, frozen=True, kw_only=True, tag="stack_changed"):
    """A top-up reached the table."""

    seat: int
    stack: int
    added: int


class ChatMessage(Struct, frozen=True, kw_only=True, tag="chat"):
    seat: int
    player_id: str
    display_name: str
    text: str


class ClockStarted(Struct, frozen=True, kw_only=True, tag="clock_started"):
    """``seat`` is to act. Times are the server's, in milliseconds since the Unix epoch."""

    seat: int
    deadline: int
    """When the normal time to act runs out."""
    time_bank: int
    """Milliseconds of extra time the seat still has; it is spent after ``deadline``."""


class SeatResult(Struct, frozen=True, kw_only=True):
    seat: int
    stack: int
    net: int


class HandSettled(Struct, frozen=True, kw_only=True, tag="hand_settled"):
    """The hand is recorded and paid: final stacks by table seat. The next hand may follow."""

    hand: int
    results: tuple[SeatResult, ...]


TableEvent: TypeAlias = (
    ev.Event
    | PlayersDealtIn
    | CardsDealtFaceDown
    | PlayerSat
    | PlayerStood
    | PlayerSatOut
    | PlayerSatIn
    | StackChanged
    | ChatMessage
    | ClockStarted
    | HandSettled
)
"""The payload of an ``event`` frame: an engine event or a table-level one."""


# ---------------------------------------------------------------------------------------------
# Server → client


class TableSummary(Struct, frozen=True, kw_only=True):
    variant: str
    currency: str
    small_blind: int
    big_blind: int
    ante: int
    buy_in_min: int
    buy_in_max: int
    seat_count: int


class PotView(Struct, frozen=True, kw_only=True):
    amount: int
    eligible: tuple[int, ...]
    """Table seats that can win this pot."""


class TurnView(Struct, frozen=True, kw_only=True):
    seat: int
    deadline: int
    time_bank: int


class SeatSnapshot(Struct, frozen=True, kw_only=True):
    seat: int
    player_id: str
    display_name: str
    stack: int
    status: SeatStatus
    bet: int
    """Chips put in on the current street."""
    dealt_in: bool
    folded: bool
    cards: tuple[Card, ...]
    """Cards shown face up; empty while they are face down."""
    face_down: int
    """How many cards the seat holds face down."""


class _ServerMessage(Struct, frozen=True, tag_field="type"):
    """Every server frame: a ``type`` tag; clients ignore fields they do not know."""


class Welcome(_ServerMessage, frozen=True, kw_only=True, tag="welcome"):
    player_id: str
    server_time: int
    version: int = PROTOCOL_VERSION


class Snapshot(_ServerMessage, frozen=True, kw_only=True, tag="snapshot"):
    """The whole table as this viewer may see it, up to and including event ``seq``."""

    table: str
    seq: int
    config: TableSummary
    seats: tuple[SeatSnapshot, ...]
    """Occupied seats only, by seat number."""
    hand: int | None
    button: int | None
    board: tuple[Card, ...]
    second_board: tuple[Card, ...] = ()
    """The second run's board when the hand is run twice."""
    pots: tuple[PotView, ...]
    turn: TurnView | None
    your_seat: int | None
    your_cards: tuple[Card, ...]
    """The viewer's own hole cards: empty for spectators and players not in the hand."""


class EventMessage(_ServerMessage, frozen=True, kw_only=True, tag="event"):
    table: str
    seq: int
    hand: int | None
    """The hand the event belongs to; None for table events between hands."""
    event: TableEvent


class YourTurn(_ServerMessage, frozen=True, kw_only=True, tag="your_turn"):
    """Private: what the player may do now. Current while no event after ``seq`` has arrived."""

    table: str
    hand: int
    seq: int
    to_call: int
    can_check: bool
    raise_kind: Literal["bet", "raise"] | None
    """Whether ``bet`` or ``raise`` is the aggressive action now; None when neither is."""
    min_raise_to: int | None
    max_raise_to: int | None
    deadline: int
    time_bank: int


class HoleCards(_ServerMessage, frozen=True, kw_only=True, tag="hole_cards"):
    """Private: the player's cards, sent with the public ``dealt_face_down`` of the same ``seq``."""

    table: str
    hand: int
    seq: int
    seat: int
    cards: tuple[Card, ...]


class Ack(_ServerMessage, frozen=True, kw_only=True, tag="ack"):
    """The command ``cid`` was applied (a refused command gets an ``error`` with its cid)."""

    cid: str
    duplicate: bool = False
    """The cid had already been applied: this is a resend, and nothing was applied again."""


class ErrorMessage(_ServerMessage, frozen=True, kw_only=True, tag="error"):
    code: str
    """An :class:`ErrorCode`; clients treat a code they do not know as a generic refusal."""
    message: str
    cid: str | None = None
    table: str | None = None


class Pong(_ServerMessage, frozen=True, kw_only=True, tag="pong"):
    t: int | None
    server_time: int


ServerMessage: TypeAlias = (
    Welcome | Snapshot | EventMessage | YourTurn | HoleCards | Ack | ErrorMessage | Pong
)


# ---------------------------------------------------------------------------------------------
# Encoding and decoding: one encoder and one decoder per direction, built once


class _CidOnly(Struct, frozen=True):
    cid: ClientId | None = None


_client_decoder: Final[msgspec.json.Decoder[ClientMessage]] = msgspec.json.Decoder(ClientMessage)
_cid_decoder: Final = msgspec.json.Decoder(_CidOnly)
_client_encoder: Final = msgspec.json.Encoder()
_server_decoder: Final[msgspec.json.Decoder[ServerMessage]] = msgspec.json.Decoder(ServerMessage)
_server_encoder: Final = msgspec.json.Encoder()


def decode_client(data: bytes | str) -> ClientMessage:
    """Decode one client frame, or raise :class:`ProtocolError` saying why it cannot be one.

    >>> decode_client(b'{"type": "ping", "t": 5}')
    Ping(t=5)
    >>> decode_client(b'{"type": "ping", "t": 5.0}')
    Traceback (most recent call last):
    tablium.protocol.ProtocolError: Expected `int | null`, got `float` - at `$.t`
    """
    if isinstance(data, str):
        if len(data) > MAX_FRAME_BYTES:  # at least as many bytes as characters
            raise _too_large()
        try:
            data = data.encode()
        except UnicodeEncodeError:  # a lone surrogate
            raise ProtocolError(ErrorCode.MALFORMED, "the frame is not valid UTF-8") from None
    if len(data) > MAX_FRAME_BYTES:
        raise _too_large()
    try:
        return _client_decoder.decode(data)
    except msgspec.ValidationError as exc:
        if not data.lstrip(b" \t\r\n").startswith(b"{"):
            raise ProtocolError(ErrorCode.MALFORMED, "a frame is a JSON object") from None
        raise ProtocolError(ErrorCode.INVALID, str(exc), cid=_read_cid(data)) from None
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        raise ProtocolError(ErrorCode.MALFORMED, f"not JSON: {exc}") from None
    except RecursionError:
        raise ProtocolError(ErrorCode.MALFORMED, "the frame is nested too deeply") from None


def _too_large() -> ProtocolError:
    return ProtocolError(ErrorCode.TOO_LARGE, f"a frame is at most {MAX_FRAME_BYTES} bytes")


def _read_cid(data: bytes) -> str | None:
    """The ``cid`` of a refused object, when it has a valid one."""
    try:
        return _cid_decoder.decode(data).cid
    except (msgspec.MsgspecError, RecursionError):
        return None


def encode_client(message: ClientMessage) -> bytes:
    """A client frame as JSON (for bots, load tests and tests)."""
    return _client_encoder.encode(message)


def encode_server(message: ServerMessage) -> bytes:
    """A server frame as JSON: encode once, send the same bytes to every socket that gets it."""
    return _server_encoder.encode(message)


def decode_server(data: bytes | str) -> ServerMessage:
    """Decode a server frame as a client does, ignoring fields it does not know."""
    return _server_decoder.decode(data)


# ---------------------------------------------------------------------------------------------
# From the wire to the engine and back


def to_engine_action(action: PlayerAction, seat: int) -> actions.Action:
    """The engine's action for the hand seat of the session's player."""
    match action:
        case Fold():
            return actions.Fold(seat=seat)
        case Check():
            return actions.Check(seat=seat)
        case Call():
            return actions.Call(seat=seat)
        case BetTo(to=to):
            return actions.Bet(seat=seat, to=to)
        case RaiseTo(to=to):
            return actions.Raise(seat=seat, to=to)


def offer_turn(
    legal: LegalActions, *, table: str, hand: int, seq: int, deadline: int, time_bank: int
) -> YourTurn:
    """The private ``your_turn`` frame for the seat the engine asks to act."""
    kind = legal.raise_kind
    return YourTurn(
        table=table,
        hand=hand,
        seq=seq,
        to_call=legal.to_call,
        can_check=legal.can_check,
        raise_kind="bet" if kind == "bet" else "raise" if kind == "raise" else None,
        min_raise_to=legal.min_raise_to,
        max_raise_to=legal.max_raise_to,
        deadline=deadline,
        time_bank=time_bank,
    )


def renumber_seats(event: ev.Event, seats: Sequence[int]) -> ev.Event:
    """An engine event with its seat numbers (``seat``, ``button``) turned into table seats.

    ``seats[i]`` is the table seat of hand seat ``i`` (``HandPlan.seats``). Per-seat lists keep
    the hand's order, which ``dealt_in`` announces.
    """
    if isinstance(event, ev.HandStarted):
        return msgspec.structs.replace(event, button=seats[event.button])
    seat = getattr(event, "seat", None)
    if seat is None:
        return event
    return msgspec.structs.replace(event, seat=seats[seat])


# ---------------------------------------------------------------------------------------------
# Who sees what: the one place that keeps unshown hole cards private

PUBLIC: Final = "public"
Audience: TypeAlias = Literal["public"] | tuple[Literal["seat"], int]


def audience(event: TableEvent) -> Audience:
    """Who may receive ``event`` as it is: everyone, or only the player in one seat.

    >>> audience(ev.HoleCardsDealt(seat=3, cards=(51, 50)))
    ('seat', 3)
    >>> audience(PlayerSatOut(seat=3))
    'public'
    """
    if isinstance(event, ev.HoleCardsDealt):
        return ("seat", event.seat)
    return PUBLIC


def public_view(event: TableEvent) -> TableEvent:
    """What everyone else sees of ``event``: the event itself when it is public."""
    if isinstance(event, ev.HoleCardsDealt):
        return CardsDealtFaceDown(seat=event.seat, count=len(event.cards))
    return event


def frame_event(
    event: TableEvent, *, table: str, hand: int | None, seq: int
) -> tuple[EventMessage, HoleCards | None]:
    """The frames for one event numbered ``seq``: the public ``event`` frame for every
    subscriber, and for a private event the ``hole_cards`` frame for its seat's player only.

    ``seq`` numbers the public frames; a private frame carries the number of its public twin,
    so a viewer who does not get it sees no gap.
    """
    public = EventMessage(table=table, seq=seq, hand=hand, event=public_view(event))
    if isinstance(event, ev.HoleCardsDealt):
        if hand is None:
            raise ValueError("hole cards belong to a hand")
        private = HoleCards(table=table, hand=hand, seq=seq, seat=event.seat, cards=event.cards)
        return public, private
    return public, None


class SeatView(Struct, frozen=True, kw_only=True):
    """One occupied seat as the table actor knows it, hole cards included. Never sent."""

    seat: int
    player_id: str
    display_name: str
    stack: int
    status: SeatStatus
    bet: int = 0
    dealt_in: bool = False
    folded: bool = False
    hole: tuple[Card, ...] = ()
    """The cards the seat holds in the hand in play; empty when none, folded or mucked."""
    shown: bool = False
    """The cards were tabled (``shown``) and are public."""


class TableView(Struct, frozen=True, kw_only=True):
    """The actor's full view of a table, from which :func:`snapshot_for` cuts each viewer's."""

    table: str
    seq: int
    config: TableSummary
    seats: tuple[SeatView, ...]
    hand: int | None = None
    button: int | None = None
    board: tuple[Card, ...] = ()
    second_board: tuple[Card, ...] = ()
    pots: tuple[PotView, ...] = ()
    turn: TurnView | None = None


def snapshot_for(view: TableView, viewer_seat: int | None) -> Snapshot:
    """The snapshot for the player in ``viewer_seat``, or for a spectator when it is None.

    Everyone sees shown cards and how many each seat holds face down; only the viewer's own
    face-down cards are added, in ``your_cards``.
    """
    yours = next((s for s in view.seats if s.seat == viewer_seat), None)
    return Snapshot(
        table=view.table,
        seq=view.seq,
        config=view.config,
        seats=tuple(_seat_snapshot(s) for s in sorted(view.seats, key=lambda s: s.seat)),
        hand=view.hand,
        button=view.button,
        board=view.board,
        second_board=view.second_board,
        pots=view.pots,
        turn=view.turn,
        your_seat=None if yours is None else yours.seat,
        your_cards=() if yours is None else yours.hole,
    )


def _seat_snapshot(seat: SeatView) -> SeatSnapshot:
    return SeatSnapshot(
        seat=seat.seat,
        player_id=seat.player_id,
        display_name=seat.display_name,
        stack=seat.stack,
        status=seat.status,
        bet=seat.bet,
        dealt_in=seat.dealt_in,
        folded=seat.folded,
        cards=seat.hole if seat.shown else (),
        face_down=0 if seat.shown else len(seat.hole),
    )


# ---------------------------------------------------------------------------------------------
# Errors → error frames, in one place

_POKER_CODES: Final = {
    "malformed": ErrorCode.INVALID,
    "illegal_action": ErrorCode.ILLEGAL_ACTION,
    "not_your_turn": ErrorCode.NOT_YOUR_TURN,
    "bet_out_of_range": ErrorCode.BET_OUT_OF_RANGE,
    "hand_complete": ErrorCode.STALE_HAND,
}
_CATEGORY_CODES: Final = (
    (Unauthenticated, ErrorCode.UNAUTHENTICATED),
    (Forbidden, ErrorCode.FORBIDDEN),
    (InvalidInput, ErrorCode.INVALID),
    (NotFound, ErrorCode.INVALID),
    (Conflict, ErrorCode.ILLEGAL_ACTION),
    (TooManyRequests, ErrorCode.RATE_LIMITED),
)
"""Service errors whose own code the protocol does not list take their category's."""
_KNOWN_CODES: Final = frozenset(ErrorCode)


def error_code(exc: BaseException) -> ErrorCode:
    """The wire code for an error raised while handling a client frame.

    Engine errors map by their code (``hand_complete`` is ``stale_hand``); service errors keep
    their code when the protocol has it (``insufficient_funds``) and otherwise take their
    category's; anything else is ``internal``.
    """
    if isinstance(exc, ProtocolError):
        return ErrorCode(exc.code)
    if isinstance(exc, PokerError):
        return _POKER_CODES.get(exc.code, ErrorCode.INTERNAL)
    if isinstance(exc, DomainError):
        if exc.code in _KNOWN_CODES:
            return ErrorCode(exc.code)
        for category, code in _CATEGORY_CODES:
            if isinstance(exc, category):
                return code
    return ErrorCode.INTERNAL


def error_for(
    exc: BaseException, *, cid: str | None = None, table: str | None = None
) -> ErrorMessage:
    """The ``error`` frame for ``exc``; an unexpected error says nothing about its cause."""
    code = error_code(exc)
    message = "internal server error" if code is ErrorCode.INTERNAL else str(exc)
    if cid is None and isinstance(exc, ProtocolError):
        cid = exc.cid
    return ErrorMessage(code=code, message=message, cid=cid, table=table)
