"""Structured logging: one JSON object per line, for people with `jq` and for log shippers.

Every line carries ``ts`` (UTC, ISO 8601), ``level``, ``logger`` and ``msg``, plus whatever the
caller passed as ``extra={...}``; a logged exception adds ``exc``.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Any

import msgspec

# Attributes every LogRecord has; anything else on a record came from `extra`.
_RECORD_ATTRIBUTES = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__.keys()
    | {"message", "asctime"}
    | {"color_message"}  # uvicorn's copy of the message with terminal colour codes
)


def _fallback(value: object) -> str:
    return repr(value)


class JsonFormatter(logging.Formatter):
    """Formats a record as one line of JSON; values JSON cannot hold are written as their repr."""

    def __init__(self) -> None:
        super().__init__()
        self._encoder = msgspec.json.Encoder(enc_hook=_fallback)

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRIBUTES and key not in line:
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return self._encoder.encode(line).decode()


_HANDLER_NAME = "tablium.json"


def configure_logging(level: str = "INFO") -> None:
    """Send every logger's records through one JSON handler on stderr.

    Idempotent: calling it again replaces our handler and leaves other handlers alone.
    """
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.name == _HANDLER_NAME]:
        root.removeHandler(old)
    handler = logging.StreamHandler(sys.stderr)
    handler.name = _HANDLER_NAME
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level.upper())
