"""Cash-game rules of the engine, one test per rule: explicit blind positions (a hand without a
small blind), posts besides the blinds, and running the board twice (docs/rules.md)."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
import pytest

from tablium.poker import fairness
from tablium.poker.actions import Action, Bet, Call, Check, Fold, Raise
from tablium.poker.cards import format_cards, parse_cards
from tablium.poker.dealing import preset_deck, second_run_positions
from tablium.poker.errors import InvalidConfiguration, MalformedInput
from tablium.poker.events import (
    BlindKind,
    BlindPosted,
    BoardDealt,
    Event,
    HandShown,
    PlayerPosted,
    PotAwarded,
    RakeTaken,
    Street,
)
from tablium.poker.fairness import FairnessViolation
from tablium.poker.hand import (
    BlindPositions,
    Blinds,
    HandConfig,
    HandState,
    Post,
    apply,
    legal_actions,
    start_hand,
)
from tablium.poker.history import (
    FairnessRecord,
    HandHistory,
    HandMeta,
    build_history,
    decode_history,
    encode_history,
)
from tablium.poker.pokerstars import export_pokerstars
from tablium.poker.pots import build_side_pots
from tablium.poker.rake import RakeRule
from tablium.poker.verification import verify_history

DECK = tuple(range(52))


def config(
    stacks: Sequence[int],
    *,
    button: int = 0,
    positions: BlindPositions | None = None,
    posts: Sequence[Post] = (),
    run_it_twice: Sequence[int] = (),
    deck: tuple[int, ...] = DECK,
    rake: RakeRule | None = None,
    variant: str = "NLHE",
) -> HandConfig:
    return HandConfig(
        variant=variant,
        stacks=tuple(stacks),
        button=button,
        blinds=Blinds(sb=1, bb=2),
        deck=deck,
        rake=rake or RakeRule(),
        positions=positions,
        posts=tuple(posts),
        run_it_twice=tuple(run_it_twice),
    )


def play(cfg: HandConfig, *actions: Action) -> tuple[HandState, list[Event]]:
    transition = start_hand(cfg)
    state, events = transition.state, list(transition.events)
    for action in actions:
        transition = apply(state, action)
        state = transition.state
        events.extend(transition.events)
    return state, events


def check_down(state: HandState, events: list[Event]) -> tuple[HandState, list[Event]]:
    while (legal := legal_actions(state)) is not None:
        transition = apply(state, Check(seat=legal.seat))
        state = transition.state
        events = [*events, *transition.events]
    return state, events


def awards(events: Sequence[Event], run: int = 0) -> dict[tuple[int, int], int]:
    """(pot, seat) -> chips awarded on ``run``."""
    out: dict[tuple[int, int], int] = {}
    for e in events:
        if isinstance(e, PotAwarded) and e.run == run:
            out[e.pot, e.seat] = out.get((e.pot, e.seat), 0) + e.amount
    return out


# --- blind positions -------------------------------------------------------------------------


def test_a_hand_without_a_small_blind_posts_only_the_big_blind_left_of_the_button() -> None:
    cfg = config([100] * 4, positions=BlindPositions(small_blind=None, big_blind=1))
    state, events = play(cfg)
    blinds = [(e.seat, e.kind, e.amount) for e in events if isinstance(e, BlindPosted)]
    assert blinds == [(1, BlindKind.BIG, 2)]
    assert state.to_act == 2  # left of the big blind
    state, _ = play(cfg, Call(seat=2), Call(seat=3), Call(seat=0), Check(seat=1))
    assert state.street is Street.FLOP
    assert state.to_act == 1  # first left of the button after the flop
    assert state.pot == 8


def test_explicit_positions_where_the_button_puts_them_play_the_same_hand() -> None:
    actions = (Raise(seat=0, to=6), Call(seat=1), Fold(seat=2))
    for players, button, small, big in ((3, 0, 1, 2), (2, 1, 1, 0)):
        plain = config([100] * players, button=button)
        explicit = msgspec.structs.replace(
            plain, positions=BlindPositions(small_blind=small, big_blind=big)
        )
        moves = actions[:2] if players == 2 else actions
        if players == 2:
            moves = (Raise(seat=1, to=6), Call(seat=0))
        assert play(plain, *moves)[1] == play(explicit, *moves)[1]


def test_heads_up_without_a_small_blind_the_button_still_acts_first_preflop() -> None:
    state, events = play(
        config([100, 100], button=1, positions=BlindPositions(small_blind=None, big_blind=0))
    )
    assert [e.seat for e in events if isinstance(e, BlindPosted)] == [0]
    assert state.to_act == 1


@pytest.mark.parametrize(
    "players, button, small, big",
    [
        (4, 0, 2, 3),  # the small blind must be left of the button
        (4, 0, None, 2),  # without it, the big blind is left of the button
        (4, 0, 1, 1),
        (4, 0, 1, 4),
        (2, 0, None, 0),  # heads-up the big blind is not the button
        (2, 0, 1, 0),  # heads-up the button posts the small blind
    ],
)
def test_blind_positions_must_follow_the_button(
    players: int, button: int, small: int | None, big: int
) -> None:
    positions = BlindPositions(small_blind=small, big_blind=big)
    with pytest.raises(InvalidConfiguration):
        start_hand(config([100] * players, button=button, positions=positions))


# --- posts -------------------------------------------------------------------------------------


def test_a_live_post_counts_towards_the_bet_and_keeps_the_option() -> None:
    # Seat 4 posts a live big blind: when the action reaches it unraised, it may check.
    cfg = config([100] * 5, posts=[Post(seat=4, live=2)])
    state, events = play(cfg)
    assert [e for e in events if isinstance(e, PlayerPosted)] == [
        PlayerPosted(seat=4, live=2, dead=0, all_in=False)
    ]
    state, _ = play(cfg, Call(seat=3))
    legal = legal_actions(state)
    assert legal is not None and (legal.seat, legal.to_call, legal.min_raise_to) == (4, 0, 4)
    state, _ = play(cfg, Call(seat=3), Check(seat=4), Call(seat=0), Call(seat=1))
    legal = legal_actions(state)
    assert legal is not None and (legal.seat, legal.to_call) == (2, 0)  # the big blind's option
    state, _ = play(cfg, Call(seat=3), Check(seat=4), Call(seat=0), Call(seat=1), Check(seat=2))
    assert state.street is Street.FLOP and state.pot == 10


def test_a_poster_facing_a_raise_owes_only_the_difference_to_its_live_post() -> None:
    cfg = config([100] * 5, posts=[Post(seat=4, live=2, dead=1)])
    state, _ = play(cfg, Raise(seat=3, to=8))
    legal = legal_actions(state)
    assert legal is not None and (legal.seat, legal.to_call) == (4, 6)  # the dead 1 does not count
    assert state.pot == 1 + 2 + 2 + 1 + 8


def test_a_dead_post_goes_into_the_main_pot_and_gives_no_claim() -> None:
    cfg = config([100] * 4, posts=[Post(seat=3, dead=1)])
    state, events = play(cfg)
    assert state.dead == 1 and state.contributed == (0, 1, 2, 0)
    assert next(e for e in events if isinstance(e, PlayerPosted)).dead == 1
    assert legal_actions(state) is not None and state.to_act == 3  # it still owes a full call
    state, _ = play(cfg, Fold(seat=3), Fold(seat=0), Fold(seat=1))
    assert state.stacks == (100, 99, 102, 99)  # the big blind wins its own, the SB and the dead 1
    assert build_side_pots(state.contributed, state.folded, state.dead)[0].amount == 3


def test_posts_come_after_the_blinds_clockwise_from_the_big_blind() -> None:
    cfg = config([100] * 6, button=3, posts=[Post(seat=2, live=2, dead=1), Post(seat=0, live=2)])
    _, events = play(cfg)
    order = [e.seat for e in events if isinstance(e, BlindPosted | PlayerPosted)]
    assert order == [4, 5, 0, 2]


def test_a_short_stack_posts_the_live_part_first() -> None:
    cfg = config([100, 100, 100, 2, 100], posts=[Post(seat=3, live=2, dead=1)])
    state, events = play(cfg)
    posted = [e for e in events if isinstance(e, PlayerPosted)]
    assert posted == [PlayerPosted(seat=3, live=2, dead=0, all_in=True)]
    assert state.stacks[3] == 0 and state.to_act == 4


def test_an_all_in_post_for_less_than_the_big_blind_makes_an_exact_side_pot() -> None:
    deck = preset_deck(["2c7d", "3c8d", "4c9d", "AsAh"], "KdQdJh5s5c")
    cfg = config([100, 100, 100, 1], deck=deck, posts=[Post(seat=3, live=2)])
    state, _ = play(cfg, Call(seat=0), Call(seat=1), Check(seat=2))
    assert state.street is Street.FLOP
    pots = build_side_pots(state.contributed, state.folded, state.dead)
    assert [(p.amount, p.eligible) for p in pots] == [(4, (0, 1, 2, 3)), (3, (0, 1, 2))]
    state, _ = check_down(state, [])
    assert state.won[3] == 4  # aces win only what a one-chip post can match
    assert sum(state.stacks) == 301


def test_posts_are_checked() -> None:
    bad_posts = [
        [Post(seat=2, live=2)],  # the big blind posts a blind already
        [Post(seat=1, dead=1)],  # so does the small blind
        [Post(seat=3, live=2), Post(seat=3, dead=1)],
        [Post(seat=3, live=3)],  # a live post is at most the big blind
        [Post(seat=3)],
        [Post(seat=9, live=2)],
    ]
    for posts in bad_posts:
        with pytest.raises(InvalidConfiguration):
            start_hand(config([100] * 4, posts=posts))
    with pytest.raises(MalformedInput):
        start_hand(config([100] * 4, posts=[Post(seat=3, live=-1, dead=2)]))


def test_dead_posts_count_for_the_posters_share_of_the_rake() -> None:
    deck = preset_deck(["2c7d", "3c8d", "4c9d", "AsAh"], "KdQdJh5s5c")
    cfg = config(
        [100] * 4, deck=deck, posts=[Post(seat=3, live=2, dead=1)], rake=RakeRule(percent_bp=1000)
    )
    actions = (Check(seat=3), Call(seat=0), Call(seat=1), Check(seat=2))
    state, events = check_down(*play(cfg, *actions))
    assert state.rake == 0  # 10% of 9, rounded down
    cfg = msgspec.structs.replace(cfg, rake=RakeRule(percent_bp=5000))
    state, events = play(cfg, *actions)
    state, events = check_down(state, events)
    rake = next(e for e in events if isinstance(e, RakeTaken))
    # Pot 9 (2 + 2 + 2 + 2 live and 1 dead): 4 raked, seat 3 paid 3 of the 9 chips.
    assert (rake.amount, rake.contributions) == (4, (1, 1, 1, 1))
    assert sum(state.stacks) + state.rake == 400


# --- run it twice --------------------------------------------------------------------------------


def all_in_preflop(
    stacks: Sequence[int], deck: tuple[int, ...], **kwargs: object
) -> tuple[HandState, list[Event]]:
    """Everyone shoves or calls pre-flop, the button first (three players, button 0)."""
    cfg = config(stacks, deck=deck, **kwargs)  # type: ignore[arg-type]
    return play(cfg, Raise(seat=0, to=stacks[0]), Call(seat=1), Call(seat=2))


def test_run_it_twice_deals_the_second_run_from_the_next_cards() -> None:
    deck = preset_deck(["AsAh", "KsKh", "QsQh"], "2c3d7h8c9d", second_board="Qd4c8s9sJh", button=0)
    state, events = all_in_preflop([100, 100, 100], deck, run_it_twice=(0, 1, 2))
    assert format_cards(state.board) == "2c3d7h8c9d"
    assert format_cards(state.second_board) == "Qd4c8s9sJh"
    assert second_run_positions(3, 2, (3, 1, 1), shared=0) == (15, 16, 17, 19, 21)
    assert state.next_card == 22
    runs = [(e.run, e.street) for e in events if isinstance(e, BoardDealt)]
    assert runs == [(run, street) for run in (1, 2) for street in list(Street)[1:]]
    # Aces win run 1 (150 of the pot), the queens make a set on run 2.
    assert awards(events, 1) == {(0, 0): 150}
    assert awards(events, 2) == {(0, 2): 150}
    assert state.stacks == (150, 0, 150)


def test_run_it_twice_halves_each_pot_with_the_odd_chip_to_the_first_run() -> None:
    deck = preset_deck(["AsAh", "KsKh"], "2c3d7h8c9d", second_board="KdKc4s5s6c", button=1)
    cfg = config([51, 100], button=1, deck=deck, run_it_twice=(0, 1))
    state, events = play(cfg, Raise(seat=1, to=100), Call(seat=0))
    assert state.won == (51, 51)  # 49 of the shove came back uncalled: a pot of 102
    assert awards(events, 1) == {(0, 0): 51}
    assert awards(events, 2) == {(0, 1): 51}
    deck = preset_deck(["AsAh", "KsKh"], "2c3d7h8c9d", second_board="KdKc4s5s6c", button=1)
    cfg = config([100, 100], button=1, deck=deck, run_it_twice=(0, 1), rake=RakeRule(percent_bp=5))
    state, events = play(cfg, Raise(seat=1, to=100), Call(seat=0))
    assert state.rake == 0
    cfg = msgspec.structs.replace(cfg, rake=RakeRule(percent_bp=50))  # 0.5% of 200: 1 chip
    state, events = play(cfg, Raise(seat=1, to=100), Call(seat=0))
    assert state.rake == 1
    assert awards(events, 1) == {(0, 0): 100}  # 199 halved: the odd chip to the first run
    assert awards(events, 2) == {(0, 1): 99}
    assert sum(isinstance(e, RakeTaken) for e in events) == 1


def test_run_it_twice_awards_every_side_pot_on_each_board() -> None:
    deck = preset_deck(["AsAh", "KsKh", "QsQh"], "2c3d7h8c9d", second_board="Qd4c5s6s2h", button=0)
    cfg = config([50, 100, 200], deck=deck, run_it_twice=(0, 1, 2))
    state, events = play(cfg, Raise(seat=0, to=50), Raise(seat=1, to=100), Call(seat=2))
    pots = build_side_pots(state.contributed, state.folded, state.dead)
    assert [(p.amount, p.eligible) for p in pots] == [(150, (0, 1, 2)), (100, (1, 2))]
    assert awards(events, 1) == {(0, 0): 75, (1, 1): 50}  # aces, then kings over queens
    assert awards(events, 2) == {(0, 2): 75, (1, 2): 50}  # queens make a set
    assert state.stacks == (75, 50, 225)


def test_a_tie_on_one_run_splits_that_half_as_any_pot() -> None:
    # Run 2 is a royal flush on the board: the half of 201 (100) is shared; odd chips left of
    # the button.
    deck = preset_deck(["AsAh", "KsKh", "2c2d"], "7c8d9hJc3h", second_board="TdJdQdKdAd", button=0)
    state, events = all_in_preflop([67, 67, 67], deck, run_it_twice=(0, 1, 2))
    assert awards(events, 1) == {(0, 0): 101}
    assert awards(events, 2) == {(0, 1): 34, (0, 2): 33, (0, 0): 33}
    assert sum(state.stacks) == 201


def test_run_it_twice_needs_every_player_still_in_to_agree() -> None:
    deck = preset_deck(["AsAh", "KsKh", "QsQh"], "2c3d7h8c9d", button=0)
    state, events = all_in_preflop([100, 100, 100], deck, run_it_twice=(0, 1))
    assert state.second_board == ()
    assert all(e.run == 0 for e in events if isinstance(e, BoardDealt | PotAwarded | HandShown))
    cfg = config([100, 100, 100], deck=deck, run_it_twice=(0, 1))
    state, _ = play(cfg, Raise(seat=0, to=100), Call(seat=1), Fold(seat=2))
    assert len(state.second_board) == 5  # seat 2 folded: only the players still in decide


def test_run_it_twice_after_the_flop_shares_the_flop() -> None:
    deck = preset_deck(["AsAh", "KsKh"], "2c3d7h8c9d", second_board="2c3d7hKdKc", button=1)
    cfg = config([100, 100], button=1, deck=deck, run_it_twice=(0, 1))
    state, events = play(cfg, Call(seat=1), Check(seat=0), Bet(seat=0, to=98), Call(seat=1))
    assert format_cards(state.board) == "2c3d7h8c9d"
    assert format_cards(state.second_board) == "2c3d7hKdKc"
    second = [e for e in events if isinstance(e, BoardDealt) and e.run == 2]
    assert [format_cards(e.board) for e in second] == ["2c3d7hKd", "2c3d7hKdKc"]
    assert [e.run for e in events if isinstance(e, BoardDealt)] == [0, 1, 1, 2, 2]
    assert state.stacks == (100, 100)


def test_run_it_twice_when_all_but_one_player_is_all_in() -> None:
    deck = preset_deck(["AsAh", "KsKh", "QsQh"], "2c3d7h8c9d", button=0)
    cfg = config([100, 100, 300], deck=deck, run_it_twice=(0, 1, 2))
    # Seats 0 and 1 are all-in; seat 2 covers both and keeps chips, but has no one to bet against.
    state, _ = play(cfg, Raise(seat=0, to=100), Call(seat=1), Call(seat=2))
    assert len(state.second_board) == 5
    assert state.stacks[2] >= 200


def test_no_second_run_when_the_all_in_comes_on_the_river() -> None:
    deck = preset_deck(["AsAh", "KsKh"], "2c3d7h8c9d", button=1)
    cfg = config([100, 100], button=1, deck=deck, run_it_twice=(0, 1))
    checks = [Check(seat=0), Check(seat=1)] * 2  # flop and turn
    state, _ = play(cfg, Call(seat=1), Check(seat=0), *checks, Bet(seat=0, to=98), Call(seat=1))
    assert state.is_complete and state.street is Street.RIVER and state.second_board == ()


def test_ten_handed_omaha_all_in_before_the_flop_runs_once_for_want_of_cards() -> None:
    # 40 hole cards and two runs of 8 (burns included) would need 56 cards; nine-handed fits.
    for players, twice in ((10, False), (9, True)):
        stacks = [100] * players
        stacks[1] = stacks[2] = 5
        cfg = config(stacks, variant="PLO", run_it_twice=range(players))
        folds = [Fold(seat=s) for s in (*range(3, players), 0)]
        state, _ = play(cfg, *folds, Raise(seat=1, to=5), Call(seat=2))
        assert state.is_complete
        assert (len(state.second_board) == 5) is twice
        assert state.next_card == (52 if twice else 48)


# --- histories ---------------------------------------------------------------------------------


def fair_hand(
    cfg: HandConfig, actions: Sequence[Action], seed: bytes = b"\x07" * 32
) -> HandHistory:
    deck = fairness.shuffle_deck(seed, ["client"])
    cfg = msgspec.structs.replace(cfg, deck=deck, commitment=fairness.commitment(seed))
    state, events = play(cfg, *actions)
    state, events = check_down(state, events)
    n = len(cfg.stacks)
    meta = HandMeta(
        hand_id="7",
        table="Cash 1",
        started_at="2026-05-01T20:00:00Z",
        max_seats=6,
        seats=tuple(range(1, n + 1)),
        players=tuple(f"p{i}" for i in range(n)),
        fairness=FairnessRecord(
            algorithm=fairness.ALGORITHM,
            commitment=fairness.commitment(seed),
            server_seed=seed.hex(),
            client_seeds=["client"],
            deck=format_cards(deck),
        ),
    )
    return build_history(cfg, state, events, meta)


def tampered(history: HandHistory, **changes: object) -> dict[str, object]:
    data: dict[str, object] = msgspec.json.decode(encode_history(history))
    data.update(changes)
    return data


def test_a_hand_with_posts_and_no_small_blind_verifies_and_replays() -> None:
    cfg = config(
        [100] * 5,
        positions=BlindPositions(small_blind=None, big_blind=1),
        posts=[Post(seat=3, live=2, dead=1), Post(seat=4, live=2)],
    )
    history = fair_hand(
        cfg, [Raise(seat=2, to=6), Call(seat=3), Fold(seat=4), Fold(seat=0), Call(seat=1)]
    )
    assert history.positions == cfg.positions and history.posts == cfg.posts
    assert decode_history(encode_history(history)) == history
    verify_history(msgspec.json.decode(encode_history(history)))
    with pytest.raises(FairnessViolation, match="final stacks"):
        verify_history(tampered(history, posts=[{"seat": 3, "live": 2, "dead": 0}]))


def test_a_hand_run_twice_verifies_and_a_changed_second_board_is_caught() -> None:
    cfg = config([100, 100, 100], run_it_twice=(0, 1, 2))
    history = fair_hand(cfg, [Raise(seat=0, to=100), Call(seat=1), Call(seat=2)])
    assert len(parse_cards(history.second_board)) == 5
    verify_history(msgspec.json.decode(encode_history(history)))
    second = history.second_board
    with pytest.raises(FairnessViolation, match="second board"):
        verify_history(tampered(history, second_board=second[:8] + history.board[8:]))
    with pytest.raises(FairnessViolation, match="second board"):
        verify_history(tampered(history, run_it_twice=[]))


def test_histories_written_before_these_fields_still_load_and_verify() -> None:
    history = fair_hand(config([100, 100, 100]), [Raise(seat=0, to=10), Fold(seat=1), Fold(seat=2)])
    data = msgspec.json.decode(encode_history(history))
    for key in ("positions", "posts", "run_it_twice", "second_board"):
        del data[key]
    verify_history(data)
    assert msgspec.convert(data, HandHistory) == history


def test_events_of_hands_run_once_encode_as_before() -> None:
    board = BoardDealt(street=Street.FLOP, cards=(1, 2, 3), board=(1, 2, 3))
    assert b"run" not in msgspec.json.encode(board)
    assert b'"run":2' in msgspec.json.encode(msgspec.structs.replace(board, run=2))


# --- PokerStars text ---------------------------------------------------------------------------


def test_posts_print_as_pokerstars_prints_them() -> None:
    cfg = config(
        [100] * 6,
        button=0,
        positions=BlindPositions(small_blind=None, big_blind=1),
        posts=[Post(seat=3, live=2, dead=1), Post(seat=4, live=2), Post(seat=5, dead=1)],
    )
    history = fair_hand(
        cfg, [Fold(seat=2), Check(seat=3), Fold(seat=4), Fold(seat=5), Fold(seat=0), Check(seat=1)]
    )
    lines = export_pokerstars(history).splitlines()
    posts = [line for line in lines if ": posts " in line]
    assert posts == [
        "p1: posts big blind 2",
        "p3: posts small & big blinds 3",
        "p4: posts big blind 2",
        "p5: posts small blind 1",
    ]
    assert "Seat 2: p1 (big blind)" in "\n".join(lines)
    assert not any("(small blind)" in line for line in lines)


def test_a_hand_run_twice_prints_both_runs_and_both_showdowns() -> None:
    deck = preset_deck(["AsAh", "KsKh", "QsQh"], "2c3d7h8c9d", second_board="Qd4c5s6s2h", button=0)
    cfg = config([50, 100, 200], deck=deck, run_it_twice=(0, 1, 2))
    state, events = play(cfg, Raise(seat=0, to=50), Raise(seat=1, to=100), Call(seat=2))
    meta = HandMeta(
        hand_id="8",
        table="Cash 1",
        started_at="2026-05-01T20:00:00Z",
        max_seats=6,
        seats=(1, 2, 3),
        players=("ann", "bob", "cy"),
    )
    text = export_pokerstars(build_history(cfg, state, events, meta))
    lines = text.splitlines()
    start = lines.index("*** FIRST FLOP *** [2c 3d 7h]")
    assert lines[start : start + 6] == [
        "*** FIRST FLOP *** [2c 3d 7h]",
        "*** FIRST TURN *** [2c 3d 7h] [8c]",
        "*** FIRST RIVER *** [2c 3d 7h 8c] [9d]",
        "*** SECOND FLOP *** [Qd 4c 5s]",
        "*** SECOND TURN *** [Qd 4c 5s] [6s]",
        "*** SECOND RIVER *** [Qd 4c 5s 6s] [2h]",
    ]
    first, second = lines.index("*** FIRST SHOW DOWN ***"), lines.index("*** SECOND SHOW DOWN ***")
    assert "bob collected 50 from side pot" in lines[first:second]
    assert "ann collected 75 from main pot" in lines[first:second]
    assert "cy collected 50 from side pot" in lines[second:]
    assert "cy collected 75 from main pot" in lines[second:]
    summary = lines[lines.index("*** SUMMARY ***") :]
    assert summary[1:5] == [
        "Total pot 250 Main pot 150. Side pot 100. | Rake 0",
        "Hand was run twice",
        "FIRST Board [2c 3d 7h 8c 9d]",
        "SECOND Board [Qd 4c 5s 6s 2h]",
    ]
    assert summary[5] == (
        "Seat 1: ann (button) showed [As Ah] and won (75) with a pair of Aces,"
        " and lost with a pair of Aces"
    )
    assert summary[7].startswith("Seat 3: cy (big blind) showed [Qs Qh] and lost with a pair")
    assert summary[7].endswith(", and won (125) with three of a kind, Queens")
