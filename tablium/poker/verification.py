"""Verify a hand from its history: fair shuffle, honest deal, correct result.

``verify_history`` is what ``tablium verify HAND.json`` and ``POST /api/hands/verify`` run. It
checks, in order, and stops at the first failure with a precise reason:

1. the revealed server seed hashes to the commitment published before the deal;
2. the seed and the client seeds give exactly the recorded deck;
3. every hole card and board card (of both runs, when the board was run twice) is the card at its
   position in that deck (docs/fairness.md, "Dealing order");
4. replaying the recorded actions through the engine gives the recorded final stacks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from tablium.poker.cards import format_cards, parse_cards, parse_deck
from tablium.poker.dealing import (
    board_card_positions,
    hole_card_positions,
    second_run_positions,
)
from tablium.poker.errors import MalformedInput, PokerError
from tablium.poker.fairness import FairnessViolation, verify_deck
from tablium.poker.hand import HandConfig, apply, start_hand
from tablium.poker.history import HandHistory, player_actions
from tablium.poker.variants import variant_by_code


def verify_history(data: dict[str, Any] | HandHistory) -> None:
    """Raise :class:`FairnessViolation` (or :class:`MalformedInput`) unless the hand is fair."""
    history = _load(data)
    fairness = history.fairness
    if fairness is None:
        raise FairnessViolation("the history carries no fairness record")
    deck = parse_deck(fairness.deck)
    verify_deck(fairness.server_seed, fairness.commitment, fairness.client_seeds, deck)
    variant = variant_by_code(history.variant)
    n = len(history.players)
    if len(history.hole_cards) != n:
        raise MalformedInput("one hole-card entry per player")
    if not 0 <= history.button < n:
        raise MalformedInput("button is not one of the players")
    positions = hole_card_positions(n, history.button, variant.hole_cards)
    for index, (cards_text, where) in enumerate(zip(history.hole_cards, positions, strict=True)):
        expected = tuple(deck[i] for i in where)
        if parse_cards(cards_text) != expected:
            raise FairnessViolation(
                f"player {history.players[index].player} (seat {history.players[index].seat}) "
                f"holds {cards_text} but the deck deals {format_cards(expected)}"
            )
    board = parse_cards(history.board)
    board_positions = board_card_positions(n, variant.hole_cards, variant.board_streets)
    if len(board) > len(board_positions):
        raise FairnessViolation(f"the board has {len(board)} cards")
    expected_board = tuple(deck[i] for i in board_positions[: len(board)])
    if board != expected_board:
        raise FairnessViolation(
            f"the board is {history.board} but the deck deals {format_cards(expected_board)}"
        )
    if history.second_board:
        _check_second_board(history, deck, board)
    _check_result(history, deck)


def _check_second_board(history: HandHistory, deck: tuple[int, ...], board: Sequence[int]) -> None:
    variant = variant_by_code(history.variant)
    streets = variant.board_streets
    second = parse_cards(history.second_board)
    if len(second) != len(board) or len(board) != sum(streets):
        raise FairnessViolation("a board run twice has two complete boards")
    pairs = enumerate(zip(board, second, strict=True))
    shared = next((i for i, (a, b) in pairs if a != b), len(board))
    if shared not in {sum(streets[:k]) for k in range(len(streets))}:
        raise FairnessViolation("the two boards do not part where a street begins")
    own = second_run_positions(len(history.players), variant.hole_cards, streets, shared)
    if own[-1] >= len(deck):
        raise FairnessViolation("the deck holds too few cards for a second run")
    expected = (*board[:shared], *(deck[i] for i in own))
    if second != expected:
        raise FairnessViolation(
            f"the second board is {history.second_board} but the deck deals "
            f"{format_cards(expected)}"
        )


def _load(data: dict[str, Any] | HandHistory) -> HandHistory:
    if isinstance(data, HandHistory):
        return data
    try:
        return msgspec.convert(data, HandHistory)
    except msgspec.ValidationError as exc:
        raise MalformedInput(f"not a hand history: {exc}") from None


def _check_result(history: HandHistory, deck: tuple[int, ...]) -> None:
    config = HandConfig(
        variant=history.variant,
        stacks=tuple(p.stack for p in history.players),
        button=history.button,
        blinds=history.blinds,
        ante=history.ante,
        deck=deck,
        rake=history.rake_rule,
        positions=history.positions,
        posts=history.posts,
        run_it_twice=history.run_it_twice,
    )
    try:
        state = start_hand(config).state
        for action in player_actions(history.events):
            state = apply(state, action).state
    except PokerError as exc:
        raise FairnessViolation(f"the recorded actions do not replay: {exc}") from None
    if not state.is_complete:
        raise FairnessViolation("the recorded actions end before the hand does")
    if format_cards(state.board) != history.board:
        raise FairnessViolation("the replayed board differs from the recorded board")
    if format_cards(state.second_board) != history.second_board:
        raise FairnessViolation("the replayed second board differs from the recorded one")
    if list(state.stacks) != history.final_stacks:
        raise FairnessViolation(
            f"replaying the hand gives final stacks {list(state.stacks)}, "
            f"the history records {history.final_stacks}"
        )
    if state.rake != history.rake:
        raise FairnessViolation(f"replaying the hand gives rake {state.rake}, not {history.rake}")
