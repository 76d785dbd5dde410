"""The WebSocket protocol (tablium/protocol.py): every frame round-trips; the client decoder refuses
everything else with the right code and nothing but ``ProtocolError``; no viewer ever receives
hole cards that are not theirs until they are shown; errors map to stable codes; and every
example in docs/protocol.md is exactly what the structs encode.
"""

from __future__ import annotations

import ast
import contextlib
import doctest
import json
import re
import typing
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tablium import protocol
from tablium.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from tablium.poker import actions
from tablium.poker import events as ev
from tablium.poker.errors import (
    BetOutOfRange,
    HandComplete,
    IllegalAction,
    InvalidConfiguration,
    MalformedInput,
    NotYourTurn,
)
from tablium.poker.hand import Blinds, HandConfig, HandState, apply, legal_actions, start_hand
from tablium.protocol import (
    MAX_FRAME_BYTES,
    Ack,
    Act,
    Auth,
    BetTo,
    Call,
    CardsDealtFaceDown,
    Chat,
    ChatMessage,
    Check,
    ClientMessage,
    ClockStarted,
    ErrorCode,
    ErrorMessage,
    EventMessage,
    Fold,
    HandSettled,
    HoleCards,
    Ping,
    PlayerSat,
    PlayerSatIn,
    PlayerSatOut,
    PlayersDealtIn,
    PlayerStood,
    Pong,
    PotView,
    ProtocolError,
    RaiseTo,
    RequestSnapshot,
    RunItTwice,
    SeatResult,
    SeatView,
    ServerMessage,
    Sit,
    SitIn,
    SitOut,
    Snapshot,
    StackChanged,
    Stand,
    Subscribe,
    TableEvent,
    TableSummary,
    TableView,
    TopUp,
    TurnView,
    Unsubscribe,
    Welcome,
    YourTurn,
    audience,
    decode_client,
    decode_server,
    encode_client,
    encode_server,
    error_code,
    error_for,
    frame_event,
    offer_turn,
    public_view,
    renumber_seats,
    snapshot_for,
    to_engine_action,
)
from tablium.table.rules import SeatStatus

DOCS = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"
T = "t-42"
SUMMARY = TableSummary(
    variant="NLHE",
    currency="CHIP",
    small_blind=1,
    big_blind=2,
    ante=0,
    buy_in_min=80,
    buy_in_max=200,
    seat_count=6,
)

CLIENT_EXAMPLES: list[ClientMessage] = [
    Auth(token="eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln"),
    Subscribe(table=T, cid="c-1"),
    Subscribe(table=T, as_="player", cid="c-1"),
    Unsubscribe(table=T, cid="c-2"),
    RequestSnapshot(table=T, cid="c-3"),
    Sit(table=T, seat=9, buy_in=200, cid="c-4"),
    Sit(table=T, seat=0, buy_in=10**12, post_now=True, cid="c-4"),
    TopUp(table=T, amount=50, cid="c-5"),
    Stand(table=T, cid="c-6"),
    SitOut(table=T, cid="c-7"),
    SitIn(table=T, cid="c-8"),
    SitIn(table=T, post_now=True, cid="c-8"),
    Act(table=T, hand=1, action=Fold(), cid="c-9"),
    Act(table=T, hand=1187, action=Check(), cid="c-9"),
    Act(table=T, hand=1187, action=Call(), cid="c-9"),
    Act(table=T, hand=1187, action=BetTo(to=8), cid="c-9"),
    Act(table=T, hand=2**63 - 1, action=RaiseTo(to=10**15), cid="A-z_0.9:x-" * 6 + "abcd"),
    RunItTwice(table=T, agree=False, cid="c-10"),
    Chat(table=T, text="gg ♠ ünïcödé 🂡", cid="c-11"),
    Chat(table=T, text="x" * 200, cid="c-11"),
    Ping(),
    Ping(t=1767225601234),
]

ENGINE_EVENTS: list[ev.Event] = [
    ev.HandStarted(
        variant="NLHE",
        button=4,
        stacks=(200, 200, 200),
        small_blind=1,
        big_blind=2,
        straddle=0,
        ante=0,
        ante_kind="none",
        commitment="ab" * 32,
    ),
    ev.AntePosted(seat=1, amount=1, dead=False, all_in=False),
    ev.BlindPosted(seat=1, kind=ev.BlindKind.BIG, amount=2, all_in=True),
    ev.HoleCardsDealt(seat=3, cards=(51, 47)),
    ev.BoardDealt(street=ev.Street.FLOP, cards=(1, 2, 3), board=(1, 2, 3)),
    ev.PlayerFolded(seat=1, street=ev.Street.PREFLOP),
    ev.PlayerChecked(seat=1, street=ev.Street.RIVER),
    ev.PlayerCalled(seat=1, street=ev.Street.TURN, amount=4, all_in=False),
    ev.PlayerBet(seat=1, street=ev.Street.FLOP, to=8, amount=8, all_in=False),
    ev.PlayerRaised(
        seat=4,
        street=ev.Street.PREFLOP,
        to=6,
        amount=6,
        raised_by=4,
        all_in=False,
        complete=True,
    ),
    ev.UncalledBetReturned(seat=4, amount=12),
    ev.HandShown(seat=4, cards=(42, 39), strength=3641, description="a pair of Queens"),
    ev.HandMucked(seat=3),
    ev.RakeTaken(amount=3, contributions=(1, 0, 2)),
    ev.PotAwarded(pot=0, seat=4, amount=9, description=None),
    ev.HandEnded(stacks=(236, 198, 166), net=(36, -2, -34), rake=0),
]

TABLE_EVENTS: list[TableEvent] = [
    PlayersDealtIn(hand=1187, seats=(1, 3, 4)),
    CardsDealtFaceDown(seat=3, count=4),
    PlayerSat(seat=1, player_id="p1", display_name="Alice", stack=200),
    PlayerStood(seat=1, player_id="p1", stack=188),
    PlayerSatOut(seat=3),
    PlayerSatIn(seat=3, status=SeatStatus.WAITING_FOR_BB),
    StackChanged(seat=1, stack=200, added=50),
    ChatMessage(seat=1, player_id="p1", display_name="Alice", text="nice hand"),
    ClockStarted(seat=1, deadline=1767225615000, time_bank=30000),
    HandSettled(hand=1187, results=(SeatResult(seat=1, stack=214, net=14),)),
]

SERVER_EXAMPLES: list[ServerMessage] = [
    Welcome(player_id="p1", server_time=1767225600000),
    Snapshot(
        table=T,
        seq=0,
        config=SUMMARY,
        seats=(),
        hand=None,
        button=None,
        board=(),
        pots=(),
        turn=None,
        your_seat=None,
        your_cards=(),
    ),
    YourTurn(
        table=T,
        hand=1187,
        seq=57,
        to_call=0,
        can_check=True,
        raise_kind=None,
        min_raise_to=None,
        max_raise_to=None,
        deadline=1,
        time_bank=0,
    ),
    HoleCards(table=T, hand=1187, seq=48, seat=1, cards=(51, 47)),
    Ack(cid="c-17"),
    Ack(cid="c-17", duplicate=True),
    ErrorMessage(code="invalid", message="no"),
    ErrorMessage(code="stale_hand", message="the hand is over", cid="c-1", table=T),
    Pong(t=None, server_time=5),
    *(EventMessage(table=T, seq=i + 1, hand=1187, event=e) for i, e in enumerate(ENGINE_EVENTS)),
    *(EventMessage(table=T, seq=100 + i, hand=None, event=e) for i, e in enumerate(TABLE_EVENTS)),
]


def members(union: Any) -> set[type[msgspec.Struct]]:
    return set(typing.get_args(union))


def refused(data: bytes | str) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        decode_client(data)
    return info.value


def frame(**fields: Any) -> bytes:
    return json.dumps(fields).encode()


def act(**action: Any) -> bytes:
    return frame(type="act", table=T, hand=7, action=action, cid="c-1")


# ---------------------------------------------------------------------------------------------
# Round trips


def test_every_client_message_type_has_an_example() -> None:
    assert {type(m) for m in CLIENT_EXAMPLES} == members(ClientMessage)
    actions_used = {type(m.action) for m in CLIENT_EXAMPLES if isinstance(m, Act)}
    assert actions_used == members(protocol.PlayerAction)


@pytest.mark.parametrize("message", CLIENT_EXAMPLES, ids=lambda m: type(m).__name__)
def test_client_messages_round_trip(message: ClientMessage) -> None:
    data = encode_client(message)
    assert decode_client(data) == message
    assert decode_client(data.decode()) == message


def test_every_server_message_and_event_type_has_an_example() -> None:
    assert {type(m) for m in SERVER_EXAMPLES} == members(ServerMessage)
    events = {type(m.event) for m in SERVER_EXAMPLES if isinstance(m, EventMessage)}
    table_events = members(TableEvent) - members(ev.Event)
    assert table_events <= events


@pytest.mark.parametrize("message", SERVER_EXAMPLES, ids=lambda m: type(m).__name__)
def test_server_messages_round_trip(message: ServerMessage) -> None:
    assert decode_server(encode_server(message)) == message


def test_the_as_field_of_subscribe_is_spelt_as_on_the_wire() -> None:
    data = encode_client(Subscribe(table=T, as_="player", cid="c"))
    assert json.loads(data) == {"type": "subscribe", "table": T, "as": "player", "cid": "c"}
    assert decode_client(frame(type="subscribe", table=T, cid="c")) == Subscribe(table=T, cid="c")
    assert refused(frame(type="subscribe", table=T, as_="player", cid="c")).code == "invalid"
    assert refused(frame(type="subscribe", table=T, **{"as": "owner"}, cid="c")).code == "invalid"


def test_clients_ignore_fields_and_values_they_do_not_know_in_server_frames() -> None:
    data = frame(type="ack", cid="c-1", duplicate=False, added_later={"x": 1})
    assert decode_server(data) == Ack(cid="c-1")


def test_every_command_carries_a_cid_and_only_auth_and_ping_do_not() -> None:
    without = set()
    for message_type in members(ClientMessage):
        names = {f.name for f in msgspec.structs.fields(message_type)}
        if "cid" not in names:
            without.add(message_type)
        assert message_type.__struct_config__.forbid_unknown_fields
    assert without == {Auth, Ping}
    for action_type in members(protocol.PlayerAction):
        assert action_type.__struct_config__.forbid_unknown_fields
        assert "seat" not in {f.name for f in msgspec.structs.fields(action_type)}


# ---------------------------------------------------------------------------------------------
# The decoder refuses everything else, with the right code


@pytest.mark.parametrize(
    "data",
    [
        act(type="raise", to=6.0),
        act(type="raise", to=6.5),
        act(type="raise", to="6"),
        act(type="raise", to=True),
        act(type="raise", to=-6),
        act(type="raise", to=0),
        act(type="raise", to=10**15 + 1),
        act(type="raise", to=None),
        act(type="raise"),
        act(type="raise", to=6, seat=1),
        act(type="shove"),
        act(),
        frame(type="sit", table=T, seat=1, buy_in=1e3, cid="c"),
        frame(type="sit", table=T, seat=1, buy_in=10**12 + 1, cid="c"),
        frame(type="sit", table=T, seat=10, buy_in=100, cid="c"),
        frame(type="sit", table=T, seat=-1, buy_in=100, cid="c"),
        frame(type="sit", table=T, seat=1, buy_in=100, post_now=1, cid="c"),
        frame(type="top_up", table=T, amount=0, cid="c"),
        frame(type="top_up", table=T, amount=[50], cid="c"),
        frame(type="act", table=T, hand=0, action={"type": "fold"}, cid="c"),
        frame(type="act", table=T, hand=2**63, action={"type": "fold"}, cid="c"),
        frame(type="act", table=T, hand=7, action="fold", cid="c"),
        frame(type="ping", t=-1),
        frame(type="ping", t=1.5),
    ],
)
def test_wrong_types_and_out_of_range_values_are_invalid(data: bytes) -> None:
    assert refused(data).code == ErrorCode.INVALID


@pytest.mark.parametrize(
    "data",
    [
        frame(type="stand", table=T, cid="c", player_id="someone else"),
        frame(type="sit", table=T, seat=1, buy_in=100, cid="c", seat_count=2),
        frame(type="ping", t=1, extra=None),
        frame(type="auth", token="abc", player_id="p1"),
    ],
)
def test_unknown_fields_are_refused(data: bytes) -> None:
    error = refused(data)
    assert error.code == ErrorCode.INVALID
    assert "unknown field" in error.message


@pytest.mark.parametrize(
    "data",
    [
        frame(type="hello", cid="c"),
        frame(type="welcome", player_id="p1", server_time=1, version=1),
        frame(type="event", table=T, seq=1, hand=None, event={"type": "player_sat_out", "seat": 1}),
        frame(type=None, cid="c"),
        frame(cid="c", table=T),
        frame(type="STAND", table=T, cid="c"),
    ],
)
def test_unknown_or_missing_types_are_refused(data: bytes) -> None:
    assert refused(data).code == ErrorCode.INVALID


@pytest.mark.parametrize("message_type", sorted(members(ClientMessage) - {Auth, Ping}, key=str))
def test_a_command_without_a_cid_is_refused(message_type: type) -> None:
    example = next(m for m in CLIENT_EXAMPLES if type(m) is message_type)
    fields = msgspec.to_builtins(example)
    del fields["cid"]
    error = refused(json.dumps(fields))
    assert error.code == ErrorCode.INVALID
    assert "cid" in error.message
    assert error.cid is None


@pytest.mark.parametrize("cid", ["", "x" * 65, "has space", "tab\t", "é", "new\nline", 17, None])
def test_cids_are_1_to_64_plain_characters(cid: object) -> None:
    assert refused(frame(type="stand", table=T, cid=cid)).code == ErrorCode.INVALID
    assert decode_client(frame(type="stand", table=T, cid="x" * 64)) == Stand(table=T, cid="x" * 64)


@pytest.mark.parametrize("table", ["", "t" * 65, "t 42", "t/42", "../etc", 42])
def test_table_ids_are_1_to_64_plain_characters(table: object) -> None:
    assert refused(frame(type="stand", table=table, cid="c")).code == ErrorCode.INVALID


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "x" * 201,
        "line\nbreak",
        "trailing newline\n",
        "carriage\rreturn",
        "nul\x00",
        "bell\x07",
        "del\x7f",
        "c1\x85",
        "left\u2028sep",
        "bidi \u202eevil",
        "isolate \u2066x\u2069",
    ],
)
def test_chat_text_is_up_to_200_printable_characters(text: str) -> None:
    error = refused(frame(type="chat", table=T, text=text, cid="c-1"))
    assert error.code == ErrorCode.INVALID
    assert error.cid == "c-1"


def test_a_refused_frame_keeps_its_cid_when_it_has_a_valid_one() -> None:
    assert refused(act(type="raise", to=6.5)).cid == "c-1"
    assert refused(frame(type="nope", cid="c-9")).cid == "c-9"
    assert refused(frame(type="nope", cid="not valid!")).cid is None
    assert refused(frame(type="nope", cid=5)).cid is None
    assert refused(b'{"type":"stand","cid":"c-1"').cid is None  # not JSON: nothing is read


def test_oversized_frames_are_refused_unread() -> None:
    padding = "x" * (MAX_FRAME_BYTES - 100)
    fits = frame(type="chat", table=T, text="hi", cid="c", pad=padding)
    assert len(fits) <= MAX_FRAME_BYTES
    assert refused(fits).code == ErrorCode.INVALID  # read, and refused for the unknown field
    assert refused(b" " * (MAX_FRAME_BYTES + 1)).code == ErrorCode.TOO_LARGE
    assert refused(b"{" * 100_000).code == ErrorCode.TOO_LARGE
    assert refused("x" * (MAX_FRAME_BYTES + 1)).code == ErrorCode.TOO_LARGE
    # Under the limit in characters, over it in bytes: the limit is on UTF-8 bytes.
    wide = '{"type":"ping","pad":"' + "é" * (MAX_FRAME_BYTES // 2) + '"}'
    assert len(wide) < MAX_FRAME_BYTES < len(wide.encode())
    assert refused(wide).code == ErrorCode.TOO_LARGE
    assert refused(wide.encode()).code == ErrorCode.TOO_LARGE


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   ",
        b"not json",
        b'{"type":"ping"',
        b'{"type":"ping"} trailing',
        b'{"type":"ping",}',
        b"\xff\xfe",
        b'{"type":"chat","table":"t-42","text":"\xff","cid":"c"}',
        b'{"type":"chat","table":"t-42","text":"\xed\xa0\x80","cid":"c"}',
        b'{"type":"chat","table":"t-42","text":"\\ud800","cid":"c"}',
        b"[]",
        b'[{"type":"ping"}]',
        b"1",
        b'"ping"',
        b"null",
        b"true",
        "\ud800",  # a str that is not valid Unicode text
        '{"type":"ping","t":"\udc00"}',
    ],
)
def test_what_is_not_a_json_object_is_malformed(data: bytes | str) -> None:
    assert refused(data).code == ErrorCode.MALFORMED


@pytest.mark.parametrize("depth", [100, 1_000, MAX_FRAME_BYTES // 2 - 20])
def test_deeply_nested_input_is_refused(depth: int) -> None:
    nested = b"[" * depth + b"]" * depth
    # The tag first: the decoder stops at the first unknown field.
    assert refused(b'{"type":"ping","x":' + nested + b"}").code == ErrorCode.INVALID
    # The tag last: the decoder has to skip the nesting to find it.
    tag_last = b'{"x":' + nested + b',"type":"ping"}'
    assert refused(tag_last).code in {ErrorCode.INVALID, ErrorCode.MALFORMED}
    assert refused(nested).code == ErrorCode.MALFORMED


def test_a_key_given_twice_counts_once_with_its_last_value() -> None:
    # The gateway forwards the decoded struct, never the raw text, so no later reader can
    # pick the other value.
    data = b'{"type":"act","table":"t-42","hand":7,"action":{"type":"call"},"hand":8,"cid":"c"}'
    assert decode_client(data) == Act(table=T, hand=8, action=Call(), cid="c")


# ---------------------------------------------------------------------------------------------
# Nothing but ProtocolError, whatever arrives

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
CLIENT_TYPES = members(ClientMessage) | members(protocol.PlayerAction)
field_names = st.sampled_from(
    sorted({f.encode_name for m in CLIENT_TYPES for f in msgspec.structs.fields(m)} | {"player_id"})
)
tags = st.sampled_from(sorted({str(m.__struct_config__.tag) for m in CLIENT_TYPES} | {"event", ""}))


def check_decode(data: bytes | str) -> None:
    try:
        message = decode_client(data)
    except ProtocolError as error:
        assert error.code in {"malformed", "invalid", "too_large"}
        assert error.cid is None or re.fullmatch(r"[A-Za-z0-9_.:\-]{1,64}", error.cid)
    else:
        assert type(message) in members(ClientMessage)
        assert decode_client(encode_client(message)) == message


@settings(max_examples=400)
@given(st.binary(max_size=300))
def test_random_bytes_raise_nothing_but_protocol_errors(data: bytes) -> None:
    check_decode(data)


@settings(max_examples=300)
@given(st.text(max_size=200))
def test_random_text_raises_nothing_but_protocol_errors(data: str) -> None:
    check_decode(data)


@settings(max_examples=400)
@given(json_values)
def test_random_json_raises_nothing_but_protocol_errors(value: object) -> None:
    check_decode(json.dumps(value))


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(CLIENT_EXAMPLES),
    st.dictionaries(field_names, json_values | tags, max_size=3),
    st.lists(field_names, max_size=2),
)
def test_mutated_valid_frames_raise_nothing_but_protocol_errors(
    example: ClientMessage, changes: dict[str, object], removed: list[str]
) -> None:
    fields = msgspec.to_builtins(example)
    for name in removed:
        fields.pop(name, None)
    fields.update(changes)
    check_decode(json.dumps(fields))


# ---------------------------------------------------------------------------------------------
# From the wire to the engine


def test_wire_actions_become_engine_actions_for_the_sessions_seat() -> None:
    assert to_engine_action(Fold(), 2) == actions.Fold(seat=2)
    assert to_engine_action(Check(), 2) == actions.Check(seat=2)
    assert to_engine_action(Call(), 0) == actions.Call(seat=0)
    assert to_engine_action(BetTo(to=8), 1) == actions.Bet(seat=1, to=8)
    assert to_engine_action(RaiseTo(to=600), 1) == actions.Raise(seat=1, to=600)


def test_your_turn_carries_the_engines_legal_actions() -> None:
    state = start_hand(hand_config(3)).state
    legal = legal_actions(state)
    assert legal is not None
    turn = offer_turn(legal, table=T, hand=9, seq=12, deadline=1000, time_bank=500)
    assert turn == YourTurn(
        table=T,
        hand=9,
        seq=12,
        to_call=2,
        can_check=False,
        raise_kind="raise",
        min_raise_to=4,
        max_raise_to=200,
        deadline=1000,
        time_bank=500,
    )
    # The big blind, limped to: a free check, and a raise.
    state = apply(state, actions.Call(seat=legal.seat)).state
    state = apply(state, actions.Call(seat=state.to_act or 0)).state
    bb = legal_actions(state)
    assert bb is not None
    turn = offer_turn(bb, table=T, hand=9, seq=14, deadline=1000, time_bank=500)
    assert (turn.to_call, turn.can_check, turn.raise_kind) == (0, True, "raise")


def test_engine_events_are_renumbered_into_table_seats() -> None:
    seats = (1, 3, 4)
    started = renumber_seats(msgspec.structs.replace(ENGINE_EVENTS[0], button=2), seats)
    assert isinstance(started, ev.HandStarted) and started.button == 4
    assert started.stacks == (200, 200, 200)  # per-seat lists keep the hand's order
    assert renumber_seats(ev.PlayerFolded(seat=0, street=ev.Street.FLOP), seats) == (
        ev.PlayerFolded(seat=1, street=ev.Street.FLOP)
    )
    assert renumber_seats(ev.HoleCardsDealt(seat=2, cards=(1, 2)), seats) == (
        ev.HoleCardsDealt(seat=4, cards=(1, 2))
    )
    ended = ev.HandEnded(stacks=(1, 2, 3), net=(0, 0, 0), rake=0)
    assert renumber_seats(ended, seats) is ended


# ---------------------------------------------------------------------------------------------
# Who sees what


def test_only_dealt_hole_cards_are_private() -> None:
    for event in [*ENGINE_EVENTS, *TABLE_EVENTS]:
        if isinstance(event, ev.HoleCardsDealt):
            assert audience(event) == ("seat", event.seat)
            assert public_view(event) == CardsDealtFaceDown(seat=event.seat, count=2)
        else:
            assert audience(event) == "public"
            assert public_view(event) is event


def test_a_deal_is_one_public_frame_and_one_private_twin_with_the_same_seq() -> None:
    dealt = ev.HoleCardsDealt(seat=3, cards=(51, 47))
    public, private = frame_event(dealt, table=T, hand=5, seq=48)
    assert public == EventMessage(
        table=T, seq=48, hand=5, event=CardsDealtFaceDown(seat=3, count=2)
    )
    assert private == HoleCards(table=T, hand=5, seq=48, seat=3, cards=(51, 47))
    folded = ev.PlayerFolded(seat=3, street=ev.Street.FLOP)
    assert frame_event(folded, table=T, hand=5, seq=49) == (
        EventMessage(table=T, seq=49, hand=5, event=folded),
        None,
    )
    with pytest.raises(ValueError, match="hand"):
        frame_event(dealt, table=T, hand=None, seq=50)


def card_fields(value: object) -> Iterator[int]:
    """Every card in a frame: the values of its ``cards``, ``board``, ``second_board`` and
    ``your_cards`` fields, wherever they are nested."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in {"cards", "board", "second_board", "your_cards"}:
                yield from item
            else:
                yield from card_fields(item)
    elif isinstance(value, list):
        for item in value:
            yield from card_fields(item)


def test_card_fields_finds_cards_wherever_they_are() -> None:
    found = card_fields(msgspec.to_builtins(snapshot_for(table_view(), 1)))
    assert sorted(found) == [2, 3, 8, 9, 10]


def table_view(*, shown: bool = False, seq: int = 9) -> TableView:
    return TableView(
        table=T,
        seq=seq,
        config=SUMMARY,
        seats=(
            SeatView(
                seat=3,
                player_id="p3",
                display_name="Bob",
                stack=90,
                status=SeatStatus.ACTIVE,
                dealt_in=True,
                hole=(0, 1),
                shown=shown,
            ),
            SeatView(
                seat=1,
                player_id="p1",
                display_name="Alice",
                stack=80,
                status=SeatStatus.ACTIVE,
                bet=10,
                dealt_in=True,
                hole=(2, 3),
            ),
            SeatView(
                seat=4,
                player_id="p4",
                display_name="Carol",
                stack=100,
                status=SeatStatus.ACTIVE,
                dealt_in=True,
                folded=True,
            ),
            SeatView(seat=5, player_id="p5", display_name="Dan", stack=100, status=SeatStatus.NEW),
        ),
        hand=12,
        button=3,
        board=(8, 9, 10),
        pots=(PotView(amount=30, eligible=(1, 3)),),
        turn=TurnView(seat=1, deadline=5, time_bank=6),
    )


def test_a_spectators_snapshot_shows_how_many_cards_and_not_which() -> None:
    snapshot = snapshot_for(table_view(), None)
    assert (snapshot.your_seat, snapshot.your_cards) == (None, ())
    assert [s.seat for s in snapshot.seats] == [1, 3, 4, 5]
    assert [(s.cards, s.face_down) for s in snapshot.seats] == [((), 2), ((), 2), ((), 0), ((), 0)]
    assert set(card_fields(msgspec.to_builtins(snapshot))) == {8, 9, 10}


def test_a_players_snapshot_adds_their_own_cards_only() -> None:
    snapshot = snapshot_for(table_view(), 1)
    assert (snapshot.your_seat, snapshot.your_cards) == (1, (2, 3))
    assert set(card_fields(msgspec.to_builtins(snapshot))) == {2, 3, 8, 9, 10}
    # The seat list is the same for every viewer.
    assert snapshot.seats == snapshot_for(table_view(), None).seats
    # A seat that is not in the hand, or no seat at all, sees nothing more.
    assert snapshot_for(table_view(), 5).your_cards == ()
    assert snapshot_for(table_view(), 7) == snapshot_for(table_view(), None)


def test_shown_cards_are_face_up_for_everyone() -> None:
    snapshot = snapshot_for(table_view(shown=True), None)
    bob = next(s for s in snapshot.seats if s.seat == 3)
    assert (bob.cards, bob.face_down) == ((0, 1), 0)


def hand_config(players: int, deck: Sequence[int] | None = None) -> HandConfig:
    return HandConfig(
        variant="NLHE",
        stacks=(200,) * players,
        button=0,
        blinds=Blinds(sb=1, bb=2),
        deck=tuple(deck or range(52)),
    )


class Viewers:
    """What each viewer of a table receives while a hand is played through the real engine,
    framed as the table actor will: renumbered, numbered, split by audience."""

    def __init__(self, seats: tuple[int, ...]) -> None:
        self.seats = seats
        self.seq = 0
        self.public: list[EventMessage] = []
        self.private: dict[int, list[HoleCards]] = {seat: [] for seat in seats}

    def publish(self, events: Sequence[ev.Event]) -> None:
        for event in events:
            self.seq += 1
            public, private = frame_event(
                renumber_seats(event, self.seats), table=T, hand=1, seq=self.seq
            )
            self.public.append(public)
            if private is not None:
                self.private[private.seat].append(private)

    def view(self, state: HandState) -> TableView:
        seats = []
        for h, seat in enumerate(self.seats):
            seats.append(
                SeatView(
                    seat=seat,
                    player_id=f"p{seat}",
                    display_name=f"P{seat}",
                    stack=state.stacks[h],
                    status=SeatStatus.ACTIVE,
                    bet=state.bets[h],
                    dealt_in=True,
                    folded=state.folded[h],
                    hole=() if state.folded[h] else state.hole[h],
                    shown=bool(state.shown) and state.shown[h],
                )
            )
        return TableView(
            table=T, seq=self.seq, config=SUMMARY, seats=tuple(seats), board=state.board
        )


def wire_action(state: HandState, choice: int) -> protocol.PlayerAction:
    legal = legal_actions(state)
    assert legal is not None
    options: list[protocol.PlayerAction] = [Fold(), Call() if legal.to_call else Check()]
    if legal.min_raise_to is not None and legal.max_raise_to is not None:
        wager = BetTo if legal.raise_kind == "bet" else RaiseTo
        options += [wager(to=legal.min_raise_to), wager(to=legal.max_raise_to)]
    return options[choice % len(options)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    players=st.integers(2, 6),
    deck=st.permutations(range(52)),
    choices=st.lists(st.integers(0, 3), min_size=40, max_size=40),
)
def test_no_viewer_ever_receives_cards_that_are_not_theirs_until_shown(
    players: int, deck: list[int], choices: list[int]
) -> None:
    seats = tuple(sorted({0, 2, 3, 5, 7, 8}))[:players]
    transition = start_hand(hand_config(players, deck))
    viewers = Viewers(seats)
    viewers.publish(transition.events)
    state = transition.state
    hidden = {seats[h]: set(state.hole[h]) for h in range(players)}
    snapshots: list[tuple[int | None, Snapshot]] = []
    for choice in choices:
        if state.is_complete:
            break
        for viewer in (None, *seats):
            snapshots.append((viewer, snapshot_for(viewers.view(state), viewer)))
        hand_seat = state.to_act
        assert hand_seat is not None
        action = wire_action(state, choice)
        transition = apply(state, to_engine_action(action, hand_seat))
        viewers.publish(transition.events)
        state = transition.state
    shown = {e.event.seat for e in viewers.public if isinstance(e.event, ev.HandShown)}
    secret = {card for seat, cards in hidden.items() if seat not in shown for card in cards}

    # The public stream: numbered without a gap, no private event, no secret card.
    assert [m.seq for m in viewers.public] == list(range(1, viewers.seq + 1))
    assert not any(isinstance(m.event, ev.HoleCardsDealt) for m in viewers.public)
    public_cards = set(card_fields(msgspec.to_builtins(viewers.public)))
    assert not public_cards & secret
    # Everyone learns how many cards each seat got, and only the owner which.
    face_down = [m.event for m in viewers.public if isinstance(m.event, CardsDealtFaceDown)]
    assert [e.seat for e in face_down] == list(seats)
    for seat in seats:
        (own,) = viewers.private[seat]
        assert set(own.cards) == hidden[seat]
        assert own.seat == seat
    # Snapshots: a spectator sees no secret card; a player sees their own and no other.
    for viewer, snapshot in snapshots:
        seen = set(card_fields(msgspec.to_builtins(snapshot)))
        own_cards = hidden[viewer] if viewer is not None else set()
        assert not (seen & secret) - own_cards
        assert set(snapshot.your_cards) <= own_cards


# ---------------------------------------------------------------------------------------------
# Errors → codes


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (ProtocolError(ErrorCode.TOO_LARGE, "big"), "too_large"),
        (NotYourTurn("seat 1 acted"), "not_your_turn"),
        (BetOutOfRange("raise to 3"), "bet_out_of_range"),
        (IllegalAction("cannot check"), "illegal_action"),
        (HandComplete("the hand is over"), "stale_hand"),
        (MalformedInput("seat must be an integer"), "invalid"),
        (InvalidConfiguration("bad deck"), "internal"),
        (Conflict("balance 5, needed 9", code="insufficient_funds"), "insufficient_funds"),
        (Forbidden("no", code="self_excluded"), "self_excluded"),
        (Forbidden("no", code="limit_exceeded"), "limit_exceeded"),
        (Conflict("taken", code="seat_taken"), "seat_taken"),
        (Unauthenticated("expired", code="token_expired"), "unauthenticated"),
        (Forbidden("no", code="forbidden_role"), "forbidden"),
        (InvalidInput("bad amount", code="invalid_amount"), "invalid"),
        (NotFound("who?", code="unknown_account"), "invalid"),
        (Conflict("clash", code="idempotency_conflict"), "illegal_action"),
        (RuntimeError("database down"), "internal"),
        (KeyError("x"), "internal"),
    ],
)
def test_errors_map_to_stable_codes(error: Exception, code: str) -> None:
    assert error_code(error) == code
    assert code in set(ErrorCode)


def test_an_error_frame_says_nothing_of_an_unexpected_cause() -> None:
    assert error_for(RuntimeError("password=hunter2"), cid="c-1", table=T) == ErrorMessage(
        code="internal", message="internal server error", cid="c-1", table=T
    )
    frame_ = error_for(NotYourTurn("seat 1 acted but seat 2 is to act"), cid="c-2", table=T)
    assert (frame_.code, frame_.message) == ("not_your_turn", "seat 1 acted but seat 2 is to act")


def test_an_error_frame_for_a_refused_frame_carries_its_cid() -> None:
    error = refused(act(type="raise", to="600"))
    assert error_for(error) == ErrorMessage(
        code="invalid", message="Expected `int`, got `str` - at `$.action.to`", cid="c-1"
    )
    assert error_for(error, cid="other").cid == "other"


# ---------------------------------------------------------------------------------------------
# The module stays pure, and the documentation exact


def test_the_doctests_pass() -> None:
    failures, tried = doctest.testmod(protocol)
    assert tried > 0
    assert failures == 0


def test_the_protocol_module_imports_only_pure_modules() -> None:
    source = Path(protocol.__file__).read_text()
    allowed = {"__future__", "enum", "collections.abc", "typing", "msgspec"}
    pure = ("tablium.errors", "tablium.money.ledger", "tablium.poker", "tablium.table.rules")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        for name in names:
            assert name in allowed or name.startswith(pure), name


def documented_frames() -> list[tuple[str, str]]:
    """Every frame of docs/protocol.md's examples: ("→" or "←", its JSON text)."""
    frames: list[tuple[str, str]] = []
    for block in re.findall(r"```text\n(.*?)```", DOCS.read_text(), re.S):
        for line in block.splitlines():
            if line.startswith(("→ ", "← ")):
                frames.append((line[0], line[2:]))
            elif frames and line.startswith((" ", "}", "]")):
                frames[-1] = (frames[-1][0], frames[-1][1] + "\n" + line)
    return [(arrow, re.sub(r"\s+\(private\)$", "", text)) for arrow, text in frames]


def test_every_documented_frame_is_exactly_what_the_structs_encode() -> None:
    frames = documented_frames()
    assert len(frames) > 100
    for index, (arrow, text) in enumerate(frames):
        if arrow == "←":
            encoded = encode_server(decode_server(text))
            assert json.loads(encoded) == json.loads(text), text
            continue
        try:
            message = decode_client(text)
        except ProtocolError as error:
            # A refused example is followed by the exact error frame it gets.
            answer = frames[index + 1]
            assert answer[0] == "←", text
            assert json.loads(encode_server(error_for(error))) == json.loads(answer[1]), text
        else:
            assert json.loads(encode_client(message)) == json.loads(text), text


def test_every_message_event_and_error_code_is_documented() -> None:
    client: set[type] = set()
    server: set[type] = set()
    events: set[type] = set()
    for arrow, text in documented_frames():
        if arrow == "→":
            with contextlib.suppress(ProtocolError):
                client.add(type(decode_client(text)))
            continue
        message = decode_server(text)
        server.add(type(message))
        if isinstance(message, EventMessage):
            events.add(type(message.event))
    assert client == members(ClientMessage)
    assert server == members(ServerMessage)
    assert members(TableEvent) - events == {ev.HoleCardsDealt}  # private: never an event frame
    text = DOCS.read_text()
    for code in ErrorCode:
        assert f"| `{code}` |" in text, code
