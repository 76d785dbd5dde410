"""Invariants of the hand state machine over random tables, stakes, decks and actions."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tablium.poker.actions import Action, Bet, Call, Check, Fold, Raise
from tablium.poker.errors import PokerError
from tablium.poker.events import (
    AntePosted,
    BlindKind,
    BlindPosted,
    HandEnded,
    PlayerPosted,
    PotAwarded,
    RakeTaken,
)
from tablium.poker.hand import (
    Ante,
    AnteKind,
    BlindPositions,
    Blinds,
    HandConfig,
    HandState,
    LegalActions,
    Post,
    apply,
    blind_seats,
    legal_actions,
    start_hand,
)
from tablium.poker.pots import build_side_pots
from tablium.poker.rake import RakeRule


@st.composite
def configs(draw: st.DrawFn) -> HandConfig:
    players = draw(st.integers(2, 9))
    variant = draw(st.sampled_from(["NLHE", "PLO", "FLHE"]))
    bb = draw(st.integers(2, 50))
    sb = draw(st.integers(0, bb))
    straddle = 0
    if players >= 3 and variant != "FLHE" and draw(st.booleans()):
        straddle = draw(st.integers(bb + 1, 4 * bb))
    kind = draw(st.sampled_from(list(AnteKind)))
    ante = Ante() if kind is AnteKind.NONE else Ante(kind=kind, amount=draw(st.integers(1, bb)))
    # Short stacks are where the rules get interesting: many stacks below a few big blinds.
    stack = st.one_of(st.integers(1, 3 * bb), st.integers(1, 300 * bb))
    stacks = tuple(draw(stack) for _ in range(players))
    rake = RakeRule(
        percent_bp=draw(st.sampled_from([0, 250, 500, 1000])),
        cap=draw(st.one_of(st.none(), st.integers(0, 10 * bb))),
        no_flop_no_drop=draw(st.booleans()),
    )
    return HandConfig(
        variant=variant,
        stacks=stacks,
        button=draw(st.integers(0, players - 1)),
        blinds=Blinds(sb=sb, bb=bb, straddle=straddle),
        ante=ante,
        deck=tuple(draw(st.permutations(range(52)))),
        rake=rake,
    )


def choose(legal: LegalActions, draw: st.DrawFn) -> Action:
    seat = legal.seat
    options: list[Action] = [Fold(seat=seat)]
    options.append(Check(seat=seat) if legal.to_call == 0 else Call(seat=seat))
    if legal.min_raise_to is not None and legal.max_raise_to is not None:
        to = draw(
            st.one_of(
                st.just(legal.min_raise_to),
                st.just(legal.max_raise_to),
                st.integers(legal.min_raise_to, legal.max_raise_to),
            )
        )
        cls = Bet if legal.raise_kind == "bet" else Raise
        options += [cls(seat=seat, to=to)] * 2
    return draw(st.sampled_from(options))


def illegal_variants(state: HandState, legal: LegalActions) -> list[Action]:
    """Actions that must be refused in this state."""
    seat = legal.seat
    other = (seat + 1) % state.players
    bad: list[Action] = [Call(seat=other), Fold(seat=other)]
    bad.append(Check(seat=seat) if legal.to_call else Call(seat=seat))
    if legal.min_raise_to is None:
        bad += [Raise(seat=seat, to=state.current_bet * 2 + 10), Bet(seat=seat, to=10**6)]
    else:
        assert legal.max_raise_to is not None
        cls = Bet if legal.raise_kind == "bet" else Raise
        wrong = Raise if cls is Bet else Bet
        bad += [
            cls(seat=seat, to=legal.min_raise_to - 1),
            cls(seat=seat, to=legal.max_raise_to + 1),
            wrong(seat=seat, to=legal.min_raise_to),
        ]
    return bad


def chips_in_play(state: HandState) -> int:
    return sum(state.stacks) + sum(state.contributed) + state.dead


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_chips_are_conserved_and_legal_actions_agree_with_apply(data: st.DataObject) -> None:
    cfg = data.draw(configs())
    total = sum(cfg.stacks)
    transition = start_hand(cfg)
    state = transition.state
    events = list(transition.events)
    steps = 0
    while (legal := legal_actions(state)) is not None:
        assert state.to_act == legal.seat
        assert chips_in_play(state) == total
        pots = build_side_pots(state.contributed, state.folded, state.dead)
        assert sum(p.amount for p in pots) == sum(state.contributed) + state.dead
        assert all(s >= 0 for s in state.stacks)
        for action in illegal_variants(state, legal):
            with pytest.raises(PokerError):
                apply(state, action)
        transition = apply(state, choose(legal, data.draw))  # every offered action is accepted
        state = transition.state
        events.extend(transition.events)
        steps += 1
        assert steps < 200
    ended = events[-1]
    assert isinstance(ended, HandEnded)
    assert sum(state.stacks) + state.rake == total
    assert list(ended.stacks) == list(state.stacks)
    awarded = sum(e.amount for e in events if isinstance(e, PotAwarded))
    assert awarded == sum(state.won)
    assert awarded + state.rake == sum(state.contributed) + state.dead  # every pot paid out
    rake = [e for e in events if isinstance(e, RakeTaken)]
    assert sum(r.amount for r in rake) == state.rake
    assert all(sum(r.contributions) == r.amount for r in rake)
    if cfg.rake.cap is not None:
        assert state.rake <= cfg.rake.cap
    assert all(s >= 0 for s in state.stacks)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_the_same_config_and_actions_replay_to_the_same_result(data: st.DataObject) -> None:
    cfg = data.draw(configs())
    state = start_hand(cfg).state
    actions: list[Action] = []
    while (legal := legal_actions(state)) is not None:
        action = choose(legal, data.draw)
        actions.append(action)
        state = apply(state, action).state
    again = start_hand(cfg).state
    for action in actions:
        again = apply(again, action).state
    assert again == state


@st.composite
def cash_configs(draw: st.DrawFn) -> HandConfig:
    """Any config, plus what cash tables add: no small blind, posts, run it twice."""
    cfg = draw(configs())
    players, button, blinds = len(cfg.stacks), cfg.button, cfg.blinds
    positions = None
    if draw(st.booleans()):
        positions = BlindPositions(small_blind=None, big_blind=(button + 1) % players)
        small, big = None, positions.big_blind
    else:
        small, big = blind_seats(players, button)
    taken = {small, big, (big + 1) % players if blinds.straddle else None}
    free = [s for s in range(players) if s not in taken]
    posts = []
    for seat in draw(st.lists(st.sampled_from(free), unique=True)) if free else []:
        live = draw(st.integers(0, blinds.bb))
        dead = draw(st.integers(0 if live else 1, 2 * blinds.bb))
        posts.append(Post(seat=seat, live=live, dead=dead))
    agreed = draw(st.sets(st.integers(0, players - 1)))
    if draw(st.booleans()):
        agreed = set(range(players))
    return msgspec.structs.replace(
        cfg, positions=positions, posts=tuple(posts), run_it_twice=tuple(sorted(agreed))
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_chips_are_conserved_with_posts_missing_small_blinds_and_two_runs(
    data: st.DataObject,
) -> None:
    cfg = data.draw(cash_configs())
    total = sum(cfg.stacks)
    transition = start_hand(cfg)
    state, events = transition.state, list(transition.events)
    big = [e for e in events if isinstance(e, BlindPosted) and e.kind is BlindKind.BIG]
    assert len(big) <= 1  # none when antes took the big blind's whole stack
    posted = {e.seat: e for e in events if isinstance(e, PlayerPosted)}
    assert set(posted) <= {p.seat for p in cfg.posts}
    assert (
        state.dead
        == sum(state.dead_paid)
        == sum(e.dead for e in posted.values())
        + sum(e.amount for e in events if isinstance(e, AntePosted) and e.dead)
    )
    while (legal := legal_actions(state)) is not None:
        assert chips_in_play(state) == total
        transition = apply(state, choose(legal, data.draw))
        state = transition.state
        events.extend(transition.events)
    assert sum(state.stacks) + state.rake == total
    assert all(s >= 0 for s in state.stacks)
    awarded = [e for e in events if isinstance(e, PotAwarded)]
    assert sum(e.amount for e in awarded) + state.rake == sum(state.contributed) + state.dead
    rake = [e for e in events if isinstance(e, RakeTaken)]
    assert len(rake) <= 1 and all(sum(r.contributions) == r.amount for r in rake)
    if state.second_board:
        contenders = {s for s in range(state.players) if not state.folded[s]}
        assert contenders <= set(cfg.run_it_twice) and len(contenders) >= 2
        assert len(state.second_board) == len(state.board) == 5
        assert not set(state.board) & set(state.second_board[len(_shared(state)) :])
        for pot in {e.pot for e in awarded}:
            first = sum(e.amount for e in awarded if e.pot == pot and e.run == 1)
            second = sum(e.amount for e in awarded if e.pot == pot and e.run == 2)
            assert first - second in (0, 1)  # halves, the odd chip to the first run
    else:
        assert all(e.run == 0 for e in awarded)


def _shared(state: HandState) -> tuple[int, ...]:
    shared = []
    for a, b in zip(state.board, state.second_board, strict=True):
        if a != b:
            break
        shared.append(a)
    return tuple(shared)
