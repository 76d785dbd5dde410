"""A table's audience: its viewers, the event counter, and who is sent which frame.

Public frames are numbered with the table's ``seq`` and encoded once; the same bytes go to every
viewer. A private frame (``hole_cards``, ``your_turn``) goes only to the player subscriptions of
its player, with the ``seq`` of its public twin, so other viewers see no gap.
"""

from __future__ import annotations

import logging

from tablium.protocol import ServerMessage, TableEvent, encode_server, frame_event
from tablium.table.ports import Viewer

logger = logging.getLogger("tablium.table")


class Audience:
    def __init__(self, table_id: str) -> None:
        self.table_id = table_id
        self.seq = 0
        """The number of the last public event sent."""
        self._viewers: dict[Viewer, bool] = {}

    def add(self, viewer: Viewer, *, as_player: bool) -> None:
        self._viewers[viewer] = as_player

    def remove(self, viewer: Viewer) -> None:
        self._viewers.pop(viewer, None)

    def player_of(self, viewer: Viewer) -> str | None:
        """The player a viewer subscribes as; None for a spectator subscription."""
        return viewer.player_id if self._viewers.get(viewer, False) else None

    def publish(self, event: TableEvent, *, hand: int | None, owner: str | None) -> None:
        """Number one event and send it; ``owner`` is the player of the seat a private event
        (dealt hole cards) belongs to."""
        self.seq += 1
        public, private = frame_event(event, table=self.table_id, hand=hand, seq=self.seq)
        data = encode_server(public)
        for viewer in list(self._viewers):
            self.send(viewer, data)
        if private is not None and owner is not None:
            self.send_to_player(owner, private)

    def send_to_player(self, player_id: str, frame: ServerMessage) -> None:
        """A private frame to the player's player subscriptions (encoded once for them all)."""
        data: bytes | None = None
        for viewer, as_player in list(self._viewers.items()):
            if as_player and viewer.player_id == player_id:
                data = data or encode_server(frame)
                self.send(viewer, data)

    def send(self, viewer: Viewer, data: bytes) -> None:
        try:
            viewer.send(data)
        except Exception:  # a viewer must not raise; one that does is dropped, not the table
            logger.exception("viewer failed; detached", extra={"table": self.table_id})
            self._viewers.pop(viewer, None)
