"""The WebSocket gateway: authenticates sockets, subscribes them to tables, forwards commands.

``websocket_route`` is what the composition root mounts at ``/ws``. The gateway reaches tables
only through the ports of ``tablium.table.ports`` (``TableDirectory``, ``TableHandle``, and the
``Viewer`` each connection is), so the tables may live in this process or behind a bus.
"""

from __future__ import annotations

from tablium.gateway.endpoint import Authenticate, websocket_route

__all__ = ["Authenticate", "websocket_route"]
