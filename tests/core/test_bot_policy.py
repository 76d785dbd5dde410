"""Bots only ever choose what the turn offers."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from tablium.bots.policy import choose_action
from tablium.protocol import BetTo, Call, Check, Fold, RaiseTo, YourTurn


@st.composite
def turns(draw: st.DrawFn) -> YourTurn:
    to_call = draw(st.integers(0, 1_000))
    kind = draw(st.sampled_from([None, "bet" if to_call == 0 else "raise"]))
    low = draw(st.integers(1, 2_000)) if kind else None
    high = draw(st.integers(low, 5_000)) if low is not None else None
    return YourTurn(
        table="t",
        hand=1,
        seq=1,
        to_call=to_call,
        can_check=to_call == 0,
        raise_kind=kind,
        min_raise_to=low,
        max_raise_to=high,
        deadline=0,
        time_bank=0,
    )


@given(turn=turns(), stack=st.integers(0, 10_000), seed=st.integers(0, 2**32))
def test_the_choice_is_always_one_the_turn_offers(turn: YourTurn, stack: int, seed: int) -> None:
    action = choose_action(turn, stack, random.Random(seed))
    match action:
        case Check():
            assert turn.can_check
        case Call() | Fold():
            assert not turn.can_check
        case BetTo(to=to) | RaiseTo(to=to):
            assert turn.raise_kind == ("bet" if isinstance(action, BetTo) else "raise")
            assert turn.min_raise_to is not None and turn.max_raise_to is not None
            assert turn.min_raise_to <= to <= turn.max_raise_to


def test_the_same_seed_makes_the_same_choices() -> None:
    turn = YourTurn(
        table="t", hand=1, seq=1, to_call=50, can_check=False, raise_kind="raise",
        min_raise_to=100, max_raise_to=900, deadline=0, time_bank=0,
    )  # fmt: skip
    first = [choose_action(turn, 1_000, random.Random(7)) for _ in range(20)]
    again = [choose_action(turn, 1_000, random.Random(7)) for _ in range(20)]
    assert first == again
    assert {type(a) for a in first} >= {Call}
