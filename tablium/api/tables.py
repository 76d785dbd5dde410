"""The cash tables of this server, for the lobby and for bots: what is running and how full."""

from __future__ import annotations

import msgspec

from tablium.api.endpoints import Call, Endpoint
from tablium.protocol import TableSummary


class TableListing(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    config: TableSummary
    """Game, stakes, buy-in range and seats: the same summary a table's snapshot carries."""
    seated: int
    waiting: int
    hand: int | None
    """The hand in play, if any."""


class TableList(msgspec.Struct, frozen=True, kw_only=True):
    tables: list[TableListing]


async def list_tables(call: Call[None, None]) -> TableList:
    """Every cash table this server runs, with its stakes and how many seats are taken.
    Connect to ``/ws`` and ``subscribe`` to one to watch or play (docs/protocol.md)."""
    listings = []
    for table in sorted(call.services.tables, key=lambda t: t.table_id):
        config = table.config
        listings.append(
            TableListing(
                id=config.id,
                name=config.name,
                config=config.summary(),
                seated=sum(seat is not None for seat in table.table_state.seats),
                waiting=len(table.waitlist),
                hand=table.hand_number,
            )
        )
    return TableList(tables=listings)


ENDPOINTS = (
    Endpoint(
        method="GET",
        path="/api/tables",
        handler=list_tables,
        summary="Cash tables",
        tag="tables",
        response=TableList,
    ),
)
