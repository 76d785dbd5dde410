"""The cash tables ``tablium serve`` opens by default, so a fresh server has games to join."""

from __future__ import annotations

from tablium.poker.config import Blinds
from tablium.poker.rake import RakeRule
from tablium.table.config import TableConfig


def demo_tables(currency: str) -> tuple[TableConfig, ...]:
    """No-Limit Hold'em 1/2 (six and nine seats) and Pot-Limit Omaha 2/5, with a 5% rake capped
    at 3 big blinds, no flop no drop."""
    return (
        TableConfig(
            id="nlhe-1-2",
            name="Hold'em 1/2",
            blinds=Blinds(sb=1, bb=2),
            seat_count=6,
            rake=RakeRule(percent_bp=500, cap=6, no_flop_no_drop=True),
            currency=currency,
        ),
        TableConfig(
            id="nlhe-1-2-full",
            name="Hold'em 1/2 full ring",
            blinds=Blinds(sb=1, bb=2),
            seat_count=9,
            rake=RakeRule(percent_bp=500, cap=6, no_flop_no_drop=True),
            currency=currency,
        ),
        TableConfig(
            id="plo-2-5",
            name="Omaha 2/5",
            variant="PLO",
            blinds=Blinds(sb=2, bb=5),
            seat_count=6,
            rake=RakeRule(percent_bp=500, cap=15, no_flop_no_drop=True),
            currency=currency,
        ),
    )
