"""A cash table's settings: game, stakes, buy-in range, rake, clocks and the actor's limits.

Pure and validated on construction, so a table that could not be played is refused when it is
configured, not in the middle of a hand. Buy-ins are written in big blinds (40 to 100 is the
common full-ring range) and turned into chips here, once.
"""

from __future__ import annotations

import re

from msgspec import Struct

from tablium.poker.config import MAX_PLAYERS, Ante, AnteKind, Blinds
from tablium.poker.errors import PokerError
from tablium.poker.rake import NO_RAKE, RakeRule
from tablium.poker.variants import variant_by_code
from tablium.protocol import TableSummary
from tablium.table.timing import TimingRules

_TABLE_ID = re.compile(r"[A-Za-z0-9_.:\-]{1,64}")
_CURRENCY = re.compile(r"[A-Z0-9_\-.:]{1,16}")


class InvalidTableConfig(ValueError):
    """A table that cannot be played as configured."""


class TableConfig(Struct, frozen=True, kw_only=True):
    """Everything a cash table is set up with; the table never changes it while it runs."""

    id: str
    """Wire id of the table (``TableId``: 1-64 of ``A-Z a-z 0-9 _ . : -``)."""
    name: str
    variant: str = "NLHE"
    blinds: Blinds
    ante: Ante = Ante()
    seat_count: int = 6
    buy_in_min_bb: int = 40
    buy_in_max_bb: int = 100
    rake: RakeRule = NO_RAKE
    currency: str = "CHIP"
    timing: TimingRules = TimingRules()
    run_it_twice_allowed: bool = False
    max_sit_out_hands: int = 10
    """A player dealt out this many hands in a row (sitting out, or without chips) is stood up
    and their chips go back to the wallet."""
    max_sit_out_ms: int | None = None
    """Or after this long sitting out, when set (whichever comes first)."""
    hand_pause_ms: int = 3_000
    """Pause between the end of one hand and the deal of the next (results stay on screen)."""
    mailbox_size: int = 256
    """Commands waiting for the table at most; more are refused with ``table_busy``."""
    remembered_cids: int = 256
    """Per player: the most recent command ids remembered to answer resends (``duplicate``)."""
    cid_memory_ms: int = 600_000
    """...and for how long at least while within that count."""
    waitlist_hold_ms: int = 30_000
    """How long a freed seat is kept for the first player on the wait list."""
    waitlist_size: int = 50

    def __post_init__(self) -> None:
        if not _TABLE_ID.fullmatch(self.id):
            raise InvalidTableConfig(f"not a table id: {self.id!r}")
        if not _CURRENCY.fullmatch(self.currency):
            raise InvalidTableConfig(f"not a currency code: {self.currency!r}")
        try:
            variant_by_code(self.variant)
        except PokerError as exc:  # the core says why
            raise InvalidTableConfig(str(exc)) from None
        if not 2 <= self.seat_count <= MAX_PLAYERS:
            raise InvalidTableConfig(f"a table has 2 to {MAX_PLAYERS} seats")
        blinds = self.blinds
        if blinds.straddle or not 0 <= blinds.sb <= blinds.bb or blinds.bb < 1:
            raise InvalidTableConfig("blinds are 0 <= small <= big, big >= 1, no straddle")
        if self.ante.amount < 0 or (self.ante.kind is AnteKind.NONE and self.ante.amount):
            raise InvalidTableConfig("an ante amount needs an ante kind")
        if not 1 <= self.buy_in_min_bb <= self.buy_in_max_bb:
            raise InvalidTableConfig("the buy-in range is 1 <= min <= max big blinds")
        positive = (self.mailbox_size, self.remembered_cids, self.waitlist_size)
        if min(positive) < 1 or self.max_sit_out_hands < 1:
            raise InvalidTableConfig("mailbox, cid memory, wait list and sit-out limit are >= 1")
        timing = (self.hand_pause_ms, self.cid_memory_ms, self.waitlist_hold_ms)
        if min(timing) < 0 or (self.max_sit_out_ms is not None and self.max_sit_out_ms < 1):
            raise InvalidTableConfig("durations cannot be negative")

    @property
    def buy_in_min(self) -> int:
        """Smallest buy-in in chips.

        >>> TableConfig(id="t", name="t", blinds=Blinds(sb=1, bb=2)).buy_in_min
        80
        """
        return self.buy_in_min_bb * self.blinds.bb

    @property
    def buy_in_max(self) -> int:
        """Largest buy-in in chips, and the most a top-up may bring a stack to."""
        return self.buy_in_max_bb * self.blinds.bb

    def summary(self) -> TableSummary:
        """The table as ``snapshot.config`` shows it."""
        return TableSummary(
            variant=self.variant,
            currency=self.currency,
            small_blind=self.blinds.sb,
            big_blind=self.blinds.bb,
            ante=self.ante.amount,
            buy_in_min=self.buy_in_min,
            buy_in_max=self.buy_in_max,
            seat_count=self.seat_count,
        )
