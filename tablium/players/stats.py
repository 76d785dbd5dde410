"""Player statistics from finished hands and tournaments. Pure: values in, values out.

The service adds these deltas to the counters it keeps per player; a player's percentages are
worked out from the counters when asked (``player_stats``), never stored.

Definitions (the usual ones of poker tracking software):

- **VPIP**, voluntarily put money in pot: the player called, bet or raised before the flop.
  Posting a blind, an ante or a straddle is forced, not voluntary; a big blind who only checks
  has not put in a chip by choice.
- **PFR**, pre-flop raise: the player bet or raised before the flop (every PFR hand is a VPIP
  hand).
- **net won**: stack at the end of the hand minus stack at the start; the engine has already
  taken the rake out of the pots, so the rake a player paid counts as lost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import msgspec

from tablium.errors import InvalidInput
from tablium.players.levels import XP_TOURNAMENT_CASHED, XP_TOURNAMENT_PLAYED, XP_TOURNAMENT_WON
from tablium.poker.events import PlayerBet, PlayerCalled, PlayerRaised, Street
from tablium.poker.history import HandHistory


class HandStatDelta(msgspec.Struct, frozen=True):
    """What one hand adds to one player's counters."""

    hands: int
    vpip: int
    """1 if the player voluntarily put chips in before the flop, else 0."""
    pfr: int
    """1 if the player bet or raised before the flop, else 0."""
    net_won: int


def hand_stat_deltas(history: HandHistory) -> dict[str, HandStatDelta]:
    """Each player's contribution to the statistics from one finished hand, by player id.

    >>> from tablium.offline import session
    >>> history = next(session(3, 1, seed=b"stats"))
    >>> deltas = hand_stat_deltas(history)
    >>> sorted(deltas) == sorted(seat.player for seat in history.players)
    True
    >>> sum(delta.net_won for delta in deltas.values()) == -history.rake
    True
    """
    ids = [seat.player for seat in history.players]
    if len(set(ids)) != len(ids):
        raise ValueError(f"hand {history.hand_id}: a player holds two seats")
    voluntary = [False] * len(ids)
    raised = [False] * len(ids)
    for event in history.events:
        match event:
            case PlayerCalled(seat=seat, street=Street.PREFLOP):
                voluntary[seat] = True
            case (
                PlayerBet(seat=seat, street=Street.PREFLOP)
                | PlayerRaised(seat=seat, street=Street.PREFLOP)
            ):
                voluntary[seat] = raised[seat] = True
    return {
        seat.player: HandStatDelta(
            hands=1,
            vpip=int(voluntary[index]),
            pfr=int(raised[index]),
            net_won=history.final_stacks[index] - seat.stack,
        )
        for index, seat in enumerate(history.players)
    }


class TournamentResult(msgspec.Struct, frozen=True):
    """Where a player finished a tournament, and what they won (minor units, 0 for none)."""

    player_id: str
    place: int
    prize: int


class TournamentStatDelta(msgspec.Struct, frozen=True, kw_only=True):
    """What one finished tournament adds to one player's counters and experience."""

    played: int
    cashed: int
    won: int
    xp: int


def tournament_stat_deltas(
    results: Sequence[TournamentResult], *, cashed_places: int
) -> dict[str, TournamentStatDelta]:
    """Each entrant's contribution to the statistics from one finished tournament.

    A player cashed when they finished in the paid places *and* received a prize; first place
    wins. Experience adds up: a winner who cashed earns played + cashed + won.

    >>> deltas = tournament_stat_deltas(
    ...     [TournamentResult("ann", 1, 700), TournamentResult("bob", 2, 300),
    ...      TournamentResult("cy", 3, 0)],
    ...     cashed_places=2,
    ... )
    >>> [(p, d.cashed, d.won, d.xp) for p, d in deltas.items()]
    [('ann', 1, 1, 135), ('bob', 1, 0, 35), ('cy', 0, 0, 10)]
    """
    if cashed_places < 0:
        raise InvalidInput(f"cashed places cannot be negative: {cashed_places}")
    deltas: dict[str, TournamentStatDelta] = {}
    for result in results:
        if result.player_id in deltas:
            raise InvalidInput(f"{result.player_id} has two results", code="duplicate_result")
        if result.place < 1 or result.prize < 0:
            raise InvalidInput(
                f"{result.player_id}: place {result.place}, prize {result.prize}",
                code="invalid_result",
            )
        cashed = result.place <= cashed_places and result.prize > 0
        won = result.place == 1
        deltas[result.player_id] = TournamentStatDelta(
            played=1,
            cashed=int(cashed),
            won=int(won),
            xp=XP_TOURNAMENT_PLAYED + XP_TOURNAMENT_CASHED * cashed + XP_TOURNAMENT_WON * won,
        )
    return deltas


class PlayerStats(msgspec.Struct, frozen=True, kw_only=True):
    """A player's statistics as shown on their profile."""

    hands_played: int
    vpip: float
    """Percentage of hands played that were VPIP, 0 to 100 with one decimal; 0.0 with no hands."""
    pfr: float
    """Percentage of hands played with a pre-flop raise, as ``vpip``."""
    vpip_hands: int
    pfr_hands: int
    net_won: dict[str, int]
    """Net won (negative: lost) at cash tables, per currency, in minor units."""
    tournaments_played: int
    tournaments_cashed: int
    tournaments_won: int


def percentage(part: int, whole: int) -> float:
    """``part`` of ``whole`` in percent, rounded half up to one decimal; 0.0 when ``whole`` is 0.

    Worked out in integers so that the same counters always give the same figure.

    >>> percentage(1, 3), percentage(2, 3), percentage(1, 8), percentage(0, 0)
    (33.3, 66.7, 12.5, 0.0)
    """
    if whole <= 0:
        return 0.0
    return ((2000 * part + whole) // (2 * whole)) / 10


def player_stats(
    *,
    hands_played: int,
    vpip_hands: int,
    pfr_hands: int,
    net_won: Mapping[str, int],
    tournaments_played: int,
    tournaments_cashed: int,
    tournaments_won: int,
) -> PlayerStats:
    """The profile figures from the stored counters."""
    return PlayerStats(
        hands_played=hands_played,
        vpip=percentage(vpip_hands, hands_played),
        pfr=percentage(pfr_hands, hands_played),
        vpip_hands=vpip_hands,
        pfr_hands=pfr_hands,
        net_won=dict(sorted(net_won.items())),
        tournaments_played=tournaments_played,
        tournaments_cashed=tournaments_cashed,
        tournaments_won=tournaments_won,
    )
