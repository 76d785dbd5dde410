"""The small ports between a table actor and whatever carries its traffic.

The actor knows nothing of WebSockets, RabbitMQ or HTTP: commands come in through
``TableHandle.submit`` (in-process now; a bus consumer later), and frames go out to ``Viewer``s
(a WebSocket connection now; a fan-out publisher later). Keeping these two shapes small is what
lets the table move behind a message bus without changing its code.
"""

from __future__ import annotations

from typing import Protocol

from tablium.protocol import TableCommand


class Viewer(Protocol):
    """One subscriber to a table: a player (seated or not) or a spectator.

    ``send`` must never block or raise: a viewer that cannot keep up drops itself (closes its
    connection, which will reconnect and ask for a snapshot); the table never waits for it.
    """

    @property
    def player_id(self) -> str | None:
        """The authenticated player behind this viewer; None for an anonymous spectator."""
        ...

    def send(self, data: bytes) -> None:
        """Queue one encoded frame. Frames for many viewers are encoded once and shared."""
        ...


class TableHandle(Protocol):
    """What the rest of the server may do with a table; the actor behind it is its only writer."""

    @property
    def table_id(self) -> str: ...

    def submit(self, player_id: str, command: TableCommand, reply: Viewer) -> None:
        """Queue a player's command; the outcome (``ack`` or ``error`` with the command's ``cid``)
        and every resulting event reach ``reply`` and the table's viewers as frames.

        Raises ``ProtocolError(table_busy)`` at once when the mailbox is full: the caller answers
        the client, and nothing was queued.
        """
        ...

    def attach(self, viewer: Viewer, *, as_player: bool) -> None:
        """Start sending this table's frames to ``viewer``, beginning with a snapshot."""
        ...

    def detach(self, viewer: Viewer) -> None:
        """Stop sending to ``viewer``. Idempotent."""
        ...

    def connected(self, player_id: str) -> None:
        """The player has a live connection again (ends disconnect protection)."""
        ...

    def disconnected(self, player_id: str) -> None:
        """The player's last connection closed: their clock keeps running (disconnect
        protection), and the table sits them out after the hand if they do not come back."""
        ...


class TableDirectory(Protocol):
    """The tables this process can reach, by id."""

    def get(self, table_id: str) -> TableHandle | None: ...
