"""Cash tables: the pure rules a table plays by, and the actor that owns a table.

``rules`` plans each hand between hands — who is dealt in, button, blinds, posts — and books its
outcome afterwards; it is pure, like ``tablium.poker``. Its public names are re-exported here.
"""

from __future__ import annotations

from tablium.table.rules import (
    HandPlan,
    InvalidTableState,
    SeatState,
    SeatStatus,
    TableState,
    after_hand,
    plan_hand,
)

__all__ = [
    "HandPlan",
    "InvalidTableState",
    "SeatState",
    "SeatStatus",
    "TableState",
    "after_hand",
    "plan_hand",
]
