"""Hand histories as PokerStars cash-game text, for tracking tools (PokerTracker, HM, HRC).

:func:`export_pokerstars` renders one :class:`~tablium.poker.history.HandHistory` by walking its
events in order (a small visitor, :class:`_Renderer`); the result is plain text, one hand, ending in
a newline. :func:`export_many` joins hands the way PokerStars files do.

Where our hands do not map one to one onto PokerStars, these choices were made:

Hand number
    PokerStars hand numbers are digits and parsers insist on it. A hand id of 1 to 18 ASCII digits
    is printed as its integer value; any other id is printed as a stable hash of it: the first 8
    bytes of its SHA-256, big-endian, modulo 10**18 (so it still fits a signed 64-bit column).
    See :func:`hand_number`.

Amounts
    Amounts are integers. With ``currency == "chips"`` they print as plain numbers, as in
    PokerStars play-money hands: ``Hold'em No Limit (1/2)``, ``(200 in chips)``, and the table line
    says ``(Play Money)``. Any other currency is an ISO code and amounts are its cents: ``$``
    (``€`` for EUR, ``£`` for GBP) followed by the whole units when the cents are zero and by two
    decimals otherwise (``$1``, ``$0.50``, ``$12.50``), as PokerStars prints them. The header
    stakes show two decimals on both sides as soon as one of them has cents (``($0.50/$1.00
    USD)``, ``($1/$2 USD)``).

Stakes
    No-limit and pot-limit headers show the blinds; fixed-limit headers show the small and big
    bet, that is the big blind and twice it (``Hold'em Limit (2/4)`` for blinds 1/2).

Time
    ``started_at`` (ISO 8601; a naive time is taken as UTC) is printed as PokerStars prints a local
    time followed by Eastern time in brackets, hours not zero-padded:
    ``2026/01/01 0:01:00 UTC [2025/12/31 19:01:00 ET]``. The bracket matters: several parsers read
    the last time on the line and take it as ET. ET follows the US daylight-saving rules in force
    since 2007 (second Sunday in March to first Sunday in November, 2:00 local).

Straddle
    PokerStars has no straddle; the line ``name: posts straddle 4`` is the form parsers of
    PokerStars-style text recognise (FPDB, and rooms that write PokerStars-style histories). The
    straddler gets no position marker in the summary.

Antes
    ``name: posts the ante 1``, listed in table seat order as PokerStars does (the engine posts
    them clockwise from the small blind). A big-blind ante is a single such line for the big blind.

Posts (cash tables)
    As PokerStars prints them, after the blinds: a live post alone is ``name: posts big blind 2``,
    a live and a dead post together ``name: posts small & big blinds 3`` (their total), a dead post
    alone ``name: posts small blind 1``. Only the seats that post the real blinds get the ``(small
    blind)`` / ``(big blind)`` markers in the summary. A hand without a small blind simply has no
    small-blind line. The live part of a post is paid first, so ``small & big blinds X`` is always
    the big blind live plus ``X`` minus it dead, and an all-in post for less than the big blind is
    a ``posts big blind`` line: the text stays exact for a tracker.

Actions
    ``calls X`` gives the chips added; ``bets X`` the bet; ``raises X to Y`` the street total Y and
    its increment X over the bet faced (pre-flop that is the full big blind, or straddle, even when
    its poster was all-in for less, since callers owe it in full). An action, blind or ante that
    leaves the player without chips ends in `` and is all-in``.

Hole cards
    Only the hero's cards are dealt face up (``Dealt to hero [Ah Kh]``); without a hero, or when
    the hero is not in the hand, no ``Dealt to`` line is printed. At a showdown the cards of
    every hand shown are printed; a mucked hand shows its cards in the summary for the hero only.

Showdown and pots
    As PokerStars does, pots are awarded from the last side pot down to the main pot, and the hands
    that contest a pot are shown just before it is awarded. One pot is ``pot``; a main pot and one
    side pot are ``main pot`` and ``side pot``; more side pots are ``side pot-1``, ``side pot-2``...
    The summary prints ``Total pot T | Rake R`` (before rake) and, with side pots,
    ``Total pot T Main pot M. Side pot-1 S. | Rake R`` where each pot is shown after rake, that is
    as collected. A pot won without a showdown is followed by ``name: doesn't show hand``.

Run it twice
    The streets dealt twice are headed ``*** FIRST FLOP ***``, ``*** FIRST TURN ***``... then
    ``*** SECOND FLOP ***``...; a second-run turn shows the second board so far (``*** SECOND TURN
    *** [flop] [turn]``), streets dealt before the all-in keep their usual headers. Each run has its
    showdown, ``*** FIRST SHOW DOWN ***`` and ``*** SECOND SHOW DOWN ***``, with the hands shown
    and each pot's half collected on that board. The summary gives the total pot and rake once,
    then ``Hand was run twice``, ``FIRST Board [..]`` and ``SECOND Board [..]`` in place of
    ``Board``; a player's line gives each run in turn: ``showed [..] and won (X) with ..., and lost
    with ...``. This is how PokerStars writes such hands; trackers that do not know the format
    still read the amounts collected.

Summary seats
    In table seat order, marked ``(button)``, ``(small blind)``, ``(big blind)`` (heads-up the
    button is both). A pre-flop fold reads ``folded before Flop``, with ``(didn't bet)`` when the
    player put in nothing but an ante; later folds read ``folded on the Flop/Turn/River``. Shown
    hands read ``showed [..] and won (X) with ...`` (X summed over every pot won) or ``and lost
    with ...``; mucked hands ``mucked``; a pot won uncontested ``collected (X)``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from tablium.poker.cards import Card, format_cards
from tablium.poker.events import (
    AntePosted,
    BlindKind,
    BlindPosted,
    BoardDealt,
    Event,
    HandEnded,
    HandMucked,
    HandShown,
    HandStarted,
    HoleCardsDealt,
    PlayerBet,
    PlayerCalled,
    PlayerChecked,
    PlayerFolded,
    PlayerPosted,
    PlayerRaised,
    PotAwarded,
    RakeTaken,
    Street,
    UncalledBetReturned,
)
from tablium.poker.history import HandHistory
from tablium.poker.variants import Betting, variant_by_code

__all__ = ["eastern_time", "export_many", "export_pokerstars", "hand_number"]

CHIPS = "chips"
_SYMBOLS = {"USD": "$", "CAD": "$", "EUR": "€", "GBP": "£"}
_MAX_DIGITS = 18
_NUMBER_LIMIT = 1_000_000_000_000_000_000  # 10**18
_STREET_NAMES = {Street.FLOP: "Flop", Street.TURN: "Turn", Street.RIVER: "River"}
_BOARD_HEADERS = {Street.FLOP: "FLOP", Street.TURN: "TURN", Street.RIVER: "RIVER"}
_RUN_NAMES = {0: "", 1: "FIRST ", 2: "SECOND "}


def export_pokerstars(history: HandHistory, hero: str | None = None) -> str:
    """One hand as PokerStars text, ending in a newline; ``hero`` is whose hole cards are seen."""
    return _Renderer(history, hero).render()


def export_many(histories: Iterable[HandHistory], hero: str | None = None) -> str:
    """Several hands as one PokerStars file: each hand followed by two blank lines."""
    return "".join(export_pokerstars(h, hero) + "\n\n" for h in histories)


def hand_number(hand_id: str) -> int:
    """The numeric hand number printed for a hand id (see the module docstring).

    >>> hand_number("42"), hand_number("000042")
    (42, 42)
    >>> hand_number("t1-000042") == hand_number("t1-000042") < 10**18
    True
    """
    if hand_id.isascii() and hand_id.isdigit() and len(hand_id) <= _MAX_DIGITS:
        return int(hand_id)
    digest = hashlib.sha256(hand_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % _NUMBER_LIMIT


def eastern_time(utc: datetime) -> datetime:
    """US Eastern wall-clock time (naive) of a UTC time, with the post-2007 DST rules.

    A naive time is taken as UTC (never as the machine's local time: the core reads no clock or
    time zone of its own).

    >>> eastern_time(datetime(2026, 1, 1, 0, 1, tzinfo=UTC))
    datetime.datetime(2025, 12, 31, 19, 1)
    >>> eastern_time(datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    datetime.datetime(2026, 7, 1, 8, 0)
    """
    utc = utc.replace(tzinfo=UTC) if utc.tzinfo is None else utc.astimezone(UTC)
    year = utc.year
    dst_start = datetime(year, 3, _first_sunday(year, 3) + 7, 7, tzinfo=UTC)  # 2:00 EST
    dst_end = datetime(year, 11, _first_sunday(year, 11), 6, tzinfo=UTC)  # 2:00 EDT
    hours = 4 if dst_start <= utc < dst_end else 5
    return (utc - timedelta(hours=hours)).replace(tzinfo=None)


def _first_sunday(year: int, month: int) -> int:
    return 1 + (6 - datetime(year, month, 1).weekday()) % 7


def _clock(moment: datetime) -> str:
    return (
        f"{moment.year:04d}/{moment.month:02d}/{moment.day:02d} "
        f"{moment.hour}:{moment.minute:02d}:{moment.second:02d}"
    )


def _header_time(started_at: str) -> str:
    moment = datetime.fromisoformat(started_at)
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return f"{_clock(utc)} UTC [{_clock(eastern_time(utc))} ET]"


def _cards(cards: Sequence[Card]) -> str:
    return "[" + format_cards(cards, " ") + "]"


class _Money:
    """How amounts print: plain chips, or cents of a currency."""

    def __init__(self, currency: str) -> None:
        self.chips = currency.lower() == CHIPS
        self.code = currency.upper()
        self.symbol = "" if self.chips else _SYMBOLS.get(self.code, "$")

    def __call__(self, amount: int) -> str:
        if self.chips:
            return str(amount)
        units, cents = divmod(amount, 100)
        return f"{self.symbol}{units}" if cents == 0 else f"{self.symbol}{units}.{cents:02d}"

    def stakes(self, low: int, high: int) -> str:
        if self.chips:
            return f"({low}/{high})"
        if low % 100 or high % 100:
            text = "/".join(f"{self.symbol}{a // 100}.{a % 100:02d}" for a in (low, high))
        else:
            text = f"{self.symbol}{low // 100}/{self.symbol}{high // 100}"
        return f"({text} {self.code})"


class _Renderer:
    """Walks a hand's events once and writes the PokerStars text."""

    def __init__(self, history: HandHistory, hero: str | None) -> None:
        self.history = history
        self.variant = variant_by_code(history.variant)
        self.money = _Money(history.currency)
        self.names = [p.player for p in history.players]
        self.hero = self.names.index(hero) if hero is not None and hero in self.names else None
        n = len(history.players)
        self.lines: list[str] = []
        self.antes: list[AntePosted] = []
        self.hole_cards: list[tuple[Card, ...]] = [() for _ in range(n)]
        self.hole_header = False
        self.blind_kind: dict[int, BlindKind] = {}
        self.put_in_preflop = [False] * n
        self.folded_on: dict[int, Street] = {}
        self.showdown: list[HandShown | HandMucked] = []
        self.awards: list[PotAwarded] = []
        self.rake = 0
        self.board: tuple[Card, ...] = ()
        self.second_board: tuple[Card, ...] = ()

    # -- the walk ---------------------------------------------------------------------------------

    def render(self) -> str:
        self.header()
        for event in self.history.events:
            self.visit(event)
        self.finish()
        return "\n".join(self.lines) + "\n"

    def visit(self, event: Event) -> None:
        if not isinstance(event, AntePosted):
            self.flush_antes()
        match event:
            case HandStarted():
                pass  # the header is written from the history
            case AntePosted():
                self.antes.append(event)
            case BlindPosted(seat=seat, kind=kind, amount=amount, all_in=all_in):
                self.blind_kind.setdefault(seat, kind)
                self.put_in_preflop[seat] = True
                what = {
                    BlindKind.SMALL: "small blind",
                    BlindKind.BIG: "big blind",
                    BlindKind.STRADDLE: "straddle",
                }[kind]
                self.act(seat, f"posts {what} {self.money(amount)}", all_in)
            case PlayerPosted(seat=seat, live=live, dead=dead, all_in=all_in):
                self.put_in_preflop[seat] = True
                if live and dead:
                    what = "small & big blinds"
                else:
                    what = "big blind" if live else "small blind"
                self.act(seat, f"posts {what} {self.money(live + dead)}", all_in)
            case HoleCardsDealt(seat=seat, cards=cards):
                self.hole_cards[seat] = cards
                if not self.hole_header:
                    self.lines.append("*** HOLE CARDS ***")
                    self.hole_header = True
                if seat == self.hero:
                    self.lines.append(f"Dealt to {self.names[seat]} {_cards(cards)}")
            case BoardDealt(street=street, cards=cards, board=board, run=run):
                if run == 2:
                    self.second_board = board
                else:
                    self.board = board
                old = board[: len(board) - len(cards)]
                shown = f"{_cards(old)} {_cards(cards)}" if old else _cards(cards)
                self.lines.append(f"*** {_RUN_NAMES[run]}{_BOARD_HEADERS[street]} *** {shown}")
            case PlayerFolded(seat=seat, street=street):
                self.folded_on[seat] = street
                self.act(seat, "folds")
            case PlayerChecked(seat=seat):
                self.act(seat, "checks")
            case PlayerCalled(seat=seat, street=street, amount=amount, all_in=all_in):
                self.invest(seat, street)
                self.act(seat, f"calls {self.money(amount)}", all_in)
            case PlayerBet(seat=seat, street=street, to=to, all_in=all_in):
                self.invest(seat, street)
                self.act(seat, f"bets {self.money(to)}", all_in)
            case PlayerRaised(seat=seat, street=street, to=to, raised_by=by, all_in=all_in):
                self.invest(seat, street)
                self.act(seat, f"raises {self.money(by)} to {self.money(to)}", all_in)
            case UncalledBetReturned(seat=seat, amount=amount):
                self.lines.append(
                    f"Uncalled bet ({self.money(amount)}) returned to {self.names[seat]}"
                )
            case HandShown() | HandMucked():
                self.showdown.append(event)
            case RakeTaken(amount=amount):
                self.rake = amount
            case PotAwarded():
                self.awards.append(event)
            case HandEnded(rake=rake):
                self.rake = rake

    def act(self, seat: int, text: str, all_in: bool = False) -> None:
        suffix = " and is all-in" if all_in else ""
        self.lines.append(f"{self.names[seat]}: {text}{suffix}")

    def invest(self, seat: int, street: Street) -> None:
        if street == Street.PREFLOP:
            self.put_in_preflop[seat] = True

    def flush_antes(self) -> None:
        if not self.antes:
            return
        seats = self.history.players
        for ante in sorted(self.antes, key=lambda a: seats[a.seat].seat):
            self.act(ante.seat, f"posts the ante {self.money(ante.amount)}", ante.all_in)
        self.antes = []

    # -- header -----------------------------------------------------------------------------------

    def header(self) -> None:
        h = self.history
        blinds = h.blinds
        if self.variant.betting is Betting.FIXED_LIMIT:
            stakes = self.money.stakes(blinds.bb, 2 * blinds.bb)
        else:
            stakes = self.money.stakes(blinds.sb, blinds.bb)
        self.lines.append(
            f"PokerStars Hand #{hand_number(h.hand_id)}:  {self.variant.name} {stakes}"
            f" - {_header_time(h.started_at)}"
        )
        play_money = " (Play Money)" if self.money.chips else ""
        button = h.players[h.button].seat
        self.lines.append(
            f"Table '{h.table}' {h.max_seats}-max{play_money} Seat #{button} is the button"
        )
        for record in sorted(h.players, key=lambda p: p.seat):
            self.lines.append(
                f"Seat {record.seat}: {record.player} ({self.money(record.stack)} in chips)"
            )

    # -- showdown, pots and summary ---------------------------------------------------------------

    def pot_name(self, index: int) -> str:
        count = len(self.pot_indices())
        if count == 1:
            return "pot"
        if index == 0:
            return "main pot"
        return "side pot" if count == 2 else f"side pot-{index}"

    def pot_indices(self) -> list[int]:
        count = max([len(self.history.pots)] + [a.pot + 1 for a in self.awards])
        return list(range(count))

    def finish(self) -> None:
        self.flush_antes()
        if self.second_board:
            for run in (1, 2):
                self.lines.append(f"*** {_RUN_NAMES[run]}SHOW DOWN ***")
                self.showdown_and_awards(run)
        elif self.showdown:
            self.lines.append("*** SHOW DOWN ***")
            self.showdown_and_awards()
        else:
            self.uncontested_awards()
        self.summary()

    def showdown_and_awards(self, run: int = 0) -> None:
        pending = [e for e in self.showdown if not isinstance(e, HandShown) or e.run == run]
        pots = self.history.pots
        for index in reversed(self.pot_indices()):
            eligible = set(pots[index].eligible) if index < len(pots) else set()
            for event in [e for e in pending if e.seat in eligible]:
                self.show(event)
                pending.remove(event)
            self.collect(index, run)
        for event in pending:
            self.show(event)

    def show(self, event: HandShown | HandMucked) -> None:
        if isinstance(event, HandShown):
            self.act(event.seat, f"shows {_cards(event.cards)} ({event.description})")
        else:
            self.act(event.seat, "mucks hand")

    def collect(self, index: int, run: int = 0) -> None:
        for award in self.awards:
            if award.pot == index and award.run == run and award.amount > 0:
                self.lines.append(
                    f"{self.names[award.seat]} collected {self.money(award.amount)}"
                    f" from {self.pot_name(index)}"
                )

    def uncontested_awards(self) -> None:
        for index in reversed(self.pot_indices()):
            self.collect(index)
        winners = dict.fromkeys(a.seat for a in self.awards if a.amount > 0)
        for seat in winners:
            self.act(seat, "doesn't show hand")

    def summary(self) -> None:
        h = self.history
        lines = self.lines
        lines.append("*** SUMMARY ***")
        total = sum(p.amount for p in h.pots)
        indices = self.pot_indices()
        breakdown = ""
        if len(indices) > 1:
            parts = []
            for index in indices:
                collected = sum(a.amount for a in self.awards if a.pot == index)
                label = self.pot_name(index)
                parts.append(f"{label[0].upper()}{label[1:]} {self.money(collected)}.")
            breakdown = " " + " ".join(parts)
        lines.append(f"Total pot {self.money(total)}{breakdown} | Rake {self.money(self.rake)}")
        if self.second_board:
            lines.append("Hand was run twice")
            lines.append(f"FIRST Board {_cards(self.board)}")
            lines.append(f"SECOND Board {_cards(self.second_board)}")
        elif self.board:
            lines.append(f"Board {_cards(self.board)}")
        won = [0] * len(h.players)
        for award in self.awards:
            won[award.seat] += award.amount
        shown = {e.seat: e for e in self.showdown if isinstance(e, HandShown)}
        mucked = {e.seat for e in self.showdown if isinstance(e, HandMucked)}
        for seat in sorted(range(len(h.players)), key=lambda s: h.players[s].seat):
            record = h.players[seat]
            if self.second_board and seat in shown:
                outcome = self.outcome_run_twice(seat)
            else:
                outcome = self.outcome(seat, won[seat], shown.get(seat), seat in mucked)
            lines.append(f"Seat {record.seat}: {record.player}{self.markers(seat)} {outcome}")

    def markers(self, seat: int) -> str:
        text = " (button)" if seat == self.history.button else ""
        kind = self.blind_kind.get(seat)
        if kind is BlindKind.SMALL:
            text += " (small blind)"
        elif kind is BlindKind.BIG:
            text += " (big blind)"
        return text

    def outcome_run_twice(self, seat: int) -> str:
        """``showed [..] and won (X) with ..., and lost with ...``: each run in turn."""
        runs = [e for e in self.showdown if isinstance(e, HandShown) and e.seat == seat and e.run]
        parts = []
        for shown in sorted(runs, key=lambda e: e.run):
            won = sum(a.amount for a in self.awards if a.seat == seat and a.run == shown.run)
            parts.append(self.result(won, shown))
        return f"showed {_cards(runs[0].cards)} " + ", ".join(parts)

    def result(self, won: int, shown: HandShown) -> str:
        if won:
            return f"and won ({self.money(won)}) with {shown.description}"
        return f"and lost with {shown.description}"

    def outcome(self, seat: int, won: int, shown: HandShown | None, mucked: bool) -> str:
        street = self.folded_on.get(seat)
        if street is not None:
            if street == Street.PREFLOP:
                return "folded before Flop" + ("" if self.put_in_preflop[seat] else " (didn't bet)")
            return f"folded on the {_STREET_NAMES[street]}"
        if shown is not None:
            return f"showed {_cards(shown.cards)} {self.result(won, shown)}"
        if mucked:
            if seat == self.hero:
                return f"mucked {_cards(self.hole_cards[seat])}"
            return "mucked"
        return f"collected ({self.money(won)})"
