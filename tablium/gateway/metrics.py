"""The gateway's metrics, registered in the registry the composition root passes in."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

from tablium.protocol import ClientMessage, ErrorCode

UNREADABLE = "unreadable"
"""``frames_in`` label of a frame the decoder refused (malformed, invalid or too large)."""
BINARY = "binary"
"""``frames_in`` label of a binary frame (refused: frames are JSON text)."""


def frame_type(message: ClientMessage) -> str:
    """The ``type`` tag of a decoded client frame: a label with a bounded set of values."""
    return str(type(message).__struct_config__.tag)


class GatewayMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.connections = Gauge(
            "tablium_ws_connections",
            "Open WebSocket connections (accepted and not yet closed).",
            registry=registry,
        )
        self.frames_in = Counter(
            "tablium_ws_frames_in",  # exposed as tablium_ws_frames_in_total
            "Client frames received, by type ('unreadable' when the decoder refused them).",
            ["type"],
            registry=registry,
        )
        self.frames_out = Counter(
            "tablium_ws_frames_out",
            "Frames written to WebSocket connections.",
            registry=registry,
        )
        self.errors = Counter(
            "tablium_ws_errors",
            "Error frames the gateway itself sent, by code (tables answer their own commands).",
            ["code"],
            registry=registry,
        )
        self.dropped_slow = Counter(
            "tablium_ws_dropped_slow",
            "Connections closed because their outbox was full (CLOSE_TOO_SLOW).",
            registry=registry,
        )
        for code in ErrorCode:  # every series exists from the start, at zero
            self.errors.labels(code.value)
