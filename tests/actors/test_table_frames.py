"""What a table sends and to whom, its mailbox, idempotent commands, and chips kept whole."""

from __future__ import annotations

import random

import pytest

from tablium.poker import events as ev
from tablium.poker.hand import apply, start_hand
from tablium.poker.rake import RakeRule
from tablium.protocol import (
    Ack,
    Act,
    Call,
    Chat,
    ChatMessage,
    Check,
    ErrorCode,
    EventMessage,
    HandSettled,
    HoleCards,
    ProtocolError,
    ServerMessage,
    Sit,
    Snapshot,
    Stand,
    TopUp,
    YourTurn,
)
from tablium.table.actor import TableActor
from tests.actors.conftest import (
    Harness,
    Recorder,
    act,
    bot_action,
    fold_round,
    table_config,
)


async def test_a_resent_command_is_applied_once_and_acknowledged_as_a_duplicate(
    harness: Harness,
) -> None:
    table = harness.create()
    harness.bank.wallets["alice"] = 1_000
    alice = harness.viewer(table, "alice")
    commands = [
        Sit(table="t-1", seat=0, buy_in=100, cid="sit-1"),
        TopUp(table="t-1", amount=50, cid="up-1"),
        Stand(table="t-1", cid="stand-1"),
    ]
    for command in commands:
        assert await harness.send(table, "alice", command) == Ack(cid=command.cid)
        table.submit("alice", command, alice)  # the same command again
        await harness.advance(0)
        assert alice.of(Ack)[-1] == Ack(cid=command.cid, duplicate=True)
    assert harness.bank.moves == [
        ("buy_in", "alice", 100),
        ("buy_in", "alice", 50),
        ("cash_out", "alice", 150),
    ]
    assert harness.bank.wallets["alice"] == 1_000


async def test_a_command_whose_answer_was_lost_never_moves_money_twice(harness: Harness) -> None:
    table = harness.create()
    harness.bank.wallets["alice"] = 1_000
    harness.bank.lose_answers = 1
    sit = Sit(table="t-1", seat=0, buy_in=200, cid="sit-1")
    answer = await harness.send(table, "alice", sit)
    assert answer.code == ErrorCode.INTERNAL  # the money moved, the table could not know
    alice = harness.viewer(table, "alice")
    table.submit("alice", sit, alice)  # the client resends with the same cid
    await harness.advance(0)
    assert alice.of(Ack)[-1] == Ack(cid="sit-1")
    assert harness.bank.wallets["alice"] == 800
    assert harness.bank.escrow["t-1"] == 200 == table.chips_on_table()


async def test_a_full_mailbox_refuses_at_once_and_queues_nothing(harness: Harness) -> None:
    table = harness.create(table_config(mailbox_size=2))
    viewer = Recorder("alice")
    harness.bank.wallets["alice"] = 1_000
    for cid in ("a", "b"):
        table.submit("alice", Chat(table="t-1", text="hi", cid=cid), viewer)
    with pytest.raises(ProtocolError) as refused:
        table.submit("alice", Chat(table="t-1", text="hi", cid="c"), viewer)
    assert refused.value.code == ErrorCode.TABLE_BUSY and refused.value.cid == "c"
    await harness.advance(0)
    assert sorted(f.cid for f in viewer.frames if hasattr(f, "cid")) == ["a", "b"]


async def test_chat_is_for_seated_players(harness: Harness) -> None:
    table = harness.create()
    answer = await harness.send(table, "alice", Chat(table="t-1", text="hi", cid="c"))
    assert answer.code == ErrorCode.NOT_SEATED
    await harness.sit(table, "alice", 1)
    assert await harness.send(table, "alice", Chat(table="t-1", text="hi", cid="d")) == Ack(cid="d")
    said = harness.viewer(table, "alice").events(ChatMessage)
    assert said == [ChatMessage(seat=1, player_id="alice", display_name="alice", text="hi")]


async def play_bots(
    harness: Harness, table: TableActor, players: list[str], hands: int, seed: int = 7
) -> None:
    """Seat bots that answer every ``your_turn`` with a random legal action and top up when
    short; play until ``hands`` hands were dealt."""
    rng = random.Random(seed)
    top = table.config.buy_in_max

    def bot(player: str) -> None:
        viewer = harness.viewer(table, player)

        def on_frame(frame: ServerMessage) -> None:
            if isinstance(frame, YourTurn) and frame.hand == table.hand_number:
                action = bot_action(frame, rng)
                act = Act(table=table.table_id, hand=frame.hand, action=action, cid=harness.cid())
                table.submit(player, act, viewer)
            if isinstance(frame, EventMessage) and isinstance(frame.event, HandSettled):
                for result in frame.event.results:
                    short = table.table_state.seats[result.seat]
                    if short and short.player_id == player and result.stack < top // 2:
                        up = TopUp(
                            table=table.table_id, amount=top - result.stack, cid=harness.cid()
                        )
                        table.submit(player, up, viewer)

        viewer.on_frame = on_frame

    for seat, player in enumerate(players):
        bot(player)
        await harness.sit(table, player, seat, buy_in=rng.randint(80, 200))
    for _ in range(100 * hands):
        if (table.hand_number or 0) >= hands:
            return
        await harness.advance(0)
    raise AssertionError(f"the bots stalled at hand {table.hand_number}")


async def test_spectators_never_see_hole_cards_that_were_not_shown(harness: Harness) -> None:
    table = harness.create()
    spectator = Recorder(None)
    watching_player = Recorder("alice")  # alice, subscribed as a spectator
    table.attach(spectator, as_player=False)
    table.attach(watching_player, as_player=False)
    await play_bots(harness, table, ["alice", "bob", "carol"], hands=15)
    for viewer in (spectator, watching_player):
        assert viewer.of(HoleCards) == []
        assert not any(b"hole_cards" in raw for raw in viewer.raw)
        shown = {c for e in viewer.events(ev.HandShown) for c in e.cards}
        dealt = {c for f in harness.viewer(table, "alice").of(HoleCards) for c in f.cards}
        for snapshot in viewer.of(Snapshot):
            assert snapshot.your_cards == ()
            assert all(not s.cards or set(s.cards) <= shown for s in snapshot.seats)
        assert shown < dealt | {c for p in ("bob", "carol") for c in _cards(harness, table, p)}
    hole = harness.viewer(table, "bob").of(HoleCards)
    assert hole and {h.seat for h in hole} == {1}  # only bob's own


def _cards(harness: Harness, table: TableActor, player: str) -> set[int]:
    return {c for f in harness.viewer(table, player).of(HoleCards) for c in f.cards}


async def test_seq_grows_by_one_with_no_gap_for_every_viewer(harness: Harness) -> None:
    table = harness.create()
    early, late = Recorder(None), Recorder("alice")

    def join_late(frame: ServerMessage) -> None:
        if isinstance(frame, EventMessage) and frame.seq == 40:  # in the middle of a hand
            table.attach(late, as_player=True)

    early.on_frame = join_late
    table.attach(early, as_player=False)
    await play_bots(harness, table, ["alice", "bob", "carol"], hands=8)
    assert late.frames
    for viewer in (early, late, harness.viewer(table, "alice")):
        snapshot = viewer.of(Snapshot)[0]
        seqs = [f.seq for f in viewer.of(EventMessage)]
        assert seqs == list(range(snapshot.seq + 1, snapshot.seq + 1 + len(seqs)))
        for private in viewer.of(HoleCards) + viewer.of(YourTurn):
            assert private.seq in seqs or private.seq == snapshot.seq


async def test_a_snapshot_shows_a_player_only_their_own_cards(harness: Harness) -> None:
    table = harness.create()
    await harness.sit(table, "alice", 0)
    await harness.sit(table, "bob", 1)
    again = Recorder("alice")
    table.attach(again, as_player=True)
    snapshot = again.of(Snapshot)[0]
    mine = harness.viewer(table, "alice").of(HoleCards)[-1].cards
    assert snapshot.your_seat == 0 and snapshot.your_cards == mine
    assert all(s.cards == () and s.face_down == 2 for s in snapshot.seats)
    assert snapshot.turn is not None and snapshot.turn.seat == 0
    assert isinstance(again.frames[1], YourTurn)  # alice is to act
    table.resync(again)
    assert again.of(Snapshot)[-1].seq == table.seq


async def test_two_tables_play_at_once_each_with_its_own_numbers(harness: Harness) -> None:
    one = harness.create(table_config("t-1"))
    two = harness.create(table_config("t-2"))
    for table in (one, two):
        await harness.sit(table, "alice", 0)
        await harness.sit(table, "bob", 1)
    await fold_round(harness, one)
    await fold_round(harness, one)
    await fold_round(harness, two)
    assert (one.hand_number, two.hand_number) == (3, 2)
    assert harness.bank.escrow == {"t-1": one.chips_on_table(), "t-2": two.chips_on_table()}
    assert set(harness.bank.hands) == {"t-1#1", "t-1#2", "t-2#1"}


async def test_the_journal_replays_the_hand(harness: Harness) -> None:
    table = harness.create()
    await harness.sit(table, "alice", 0)
    await harness.sit(table, "bob", 1)
    await act(harness, table, Call())
    await act(harness, table, Check())
    journal = table.journal
    assert journal is not None
    config, actions = journal
    state = start_hand(config).state
    for action in actions:
        state = apply(state, action).state
    assert state.board and state.to_act is not None
    assert harness.viewer(table, "alice").events(ev.BoardDealt)[-1].board == state.board


async def test_a_failed_settlement_is_retried_before_the_next_hand(harness: Harness) -> None:
    table = harness.create()
    await harness.sit(table, "alice", 0)
    await harness.sit(table, "bob", 1)
    harness.bank.settle_failures = 2
    await fold_round(harness, table)
    assert table.hand_number == 1 and harness.bank.hands == {}
    await harness.advance(500)
    assert table.hand_number == 1
    await harness.advance(1_000)
    assert table.hand_number == 2 and set(harness.bank.hands) == {"t-1#1"}


async def test_chips_are_conserved_hand_after_hand(harness: Harness) -> None:
    table = harness.create(table_config(rake=RakeRule(percent_bp=500, cap=10)))
    watcher = Recorder(None)
    seen = []

    def check(frame: ServerMessage) -> None:
        if table.hand_number is None:  # between hands, the escrow holds exactly the stacks
            seen.append(harness.bank.escrow["t-1"] == table.chips_on_table())

    watcher.on_frame = check
    table.attach(watcher, as_player=False)
    await play_bots(harness, table, ["alice", "bob", "carol", "dave"], hands=60)
    await harness.send(table, "carol", Stand(table="t-1", cid="bye"))
    await fold_round(harness, table)
    assert seen and all(seen)
    settled = watcher.events(HandSettled)
    assert len(settled) >= 59
    total = sum(harness.bank.wallets.values()) + harness.bank.escrow["t-1"]
    assert total + harness.bank.rake["CHIP"] == 4 * 10_000
    assert harness.bank.rake["CHIP"] == sum(h.rake for h in harness.bank.hands.values()) > 0
    assert all(sum(r.rake_share for r in h.results) == h.rake for h in harness.bank.hands.values())
