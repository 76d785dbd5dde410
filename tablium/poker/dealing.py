"""Where each dealt card comes from in the deck, and decks arranged for chosen cards.

Cards are dealt from the top of the deck (index 0), one at a time, starting with the first seat
left of the button, as many rounds as the variant has hole cards; then one card is burned before
each street and the street's cards follow. A board run twice is dealt out once, then the second
run continues from the next card with the same burns. ``tablium verify`` and docs/fairness.md rely
on exactly this order.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from tablium.poker.cards import DECK_SIZE, Card, parse_cards
from tablium.poker.errors import MalformedInput


def dealing_order(players: int, button: int) -> tuple[int, ...]:
    """Seats in the order they receive cards: the first seat left of the button first.

    >>> dealing_order(4, 1)
    (2, 3, 0, 1)
    """
    return tuple((button + 1 + i) % players for i in range(players))


@cache
def hole_card_positions(players: int, button: int, per_player: int) -> tuple[tuple[int, ...], ...]:
    """Deck indices of each seat's hole cards: one card at a time, ``per_player`` rounds.

    >>> hole_card_positions(3, 0, 2)
    ((2, 5), (0, 3), (1, 4))
    """
    positions: list[list[int]] = [[] for _ in range(players)]
    order = dealing_order(players, button)
    for round_ in range(per_player):
        for k, seat in enumerate(order):
            positions[seat].append(round_ * players + k)
    return tuple(tuple(p) for p in positions)


def board_card_positions(players: int, per_player: int, streets: Sequence[int]) -> tuple[int, ...]:
    """Deck indices of the board cards: one burn before each street.

    >>> board_card_positions(2, 2, (3, 1, 1))
    (5, 6, 7, 9, 11)
    """
    position = players * per_player
    out: list[int] = []
    for count in streets:
        position += 1  # burn
        out.extend(range(position, position + count))
        position += count
    return tuple(out)


def second_run_positions(
    players: int, per_player: int, streets: Sequence[int], shared: int
) -> tuple[int, ...]:
    """Deck indices of the second run's own cards, when the board after ``shared`` cards is run
    twice: after the first run's last card, one burn before each street still to come.

    >>> second_run_positions(2, 2, (3, 1, 1), shared=3)  # first run: turn 9, river 11
    (13, 15)
    >>> second_run_positions(2, 2, (3, 1, 1), shared=0)
    (13, 14, 15, 17, 19)
    """
    boundaries = [sum(streets[:k]) for k in range(len(streets) + 1)]
    if shared not in boundaries[:-1]:
        raise MalformedInput(f"a board runs twice from a street boundary, not after {shared} cards")
    position = board_card_positions(players, per_player, streets)[-1] + 1
    out: list[int] = []
    for count in streets[boundaries.index(shared) :]:
        position += 1  # burn
        out.extend(range(position, position + count))
        position += count
    return tuple(out)


def preset_deck(
    hole_cards: Sequence[str],
    board: str = "",
    *,
    button: int = 0,
    streets: Sequence[int] = (3, 1, 1),
    second_board: str = "",
) -> tuple[Card, ...]:
    """A deck that deals the chosen hole cards (one string per seat) and board.

    Positions not chosen (burns, undealt cards) get the remaining cards in ascending order. Used to
    replay real hands and to write tests about specific holdings. ``second_board`` is the whole
    board of a second run (run it twice): it repeats the cards dealt before the board was run
    twice, then gives the second run's own; ``board`` must then be complete.

    >>> from tablium.poker.cards import format_cards
    >>> deck = preset_deck(["AsAh", "KdKc"], "2c3c4c5d6d", button=1)
    >>> format_cards(deck[:4]), format_cards(deck[5:8])
    ('AsKdAhKc', '2c3c4c')
    """
    players = len(hole_cards)
    holes = [parse_cards(text) for text in hole_cards]
    per_player = len(holes[0]) if holes else 0
    if any(len(h) != per_player for h in holes):
        raise MalformedInput("every seat gets the same number of hole cards")
    deck: list[Card | None] = [None] * DECK_SIZE
    for seat, where in enumerate(hole_card_positions(players, button, per_player)):
        for position, card in zip(where, holes[seat], strict=True):
            deck[position] = card
    chosen_board = parse_cards(board)
    board_positions = board_card_positions(players, per_player, streets)
    if len(chosen_board) > len(board_positions):
        raise MalformedInput("too many board cards")
    for position, card in zip(board_positions, chosen_board, strict=False):
        deck[position] = card
    if second_board:
        second = parse_cards(second_board)
        if len(chosen_board) != len(board_positions) or len(second) != len(chosen_board):
            raise MalformedInput("a second run needs both boards complete")
        pairs = enumerate(zip(chosen_board, second, strict=True))
        shared = next((i for i, (a, b) in pairs if a != b), len(second))
        own = second_run_positions(players, per_player, streets, shared)
        if own[-1] >= DECK_SIZE:
            raise MalformedInput("the deck is too short for a second run")
        for position, card in zip(own, second[shared:], strict=True):
            deck[position] = card
    used = [c for c in deck if c is not None]
    if len(set(used)) != len(used):
        raise MalformedInput("the same card is chosen twice")
    rest = iter(sorted(set(range(DECK_SIZE)) - set(used)))
    return tuple(c if c is not None else next(rest) for c in deck)
