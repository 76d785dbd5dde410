"""Errors of the server's services, each with a machine-readable ``code``.

Services raise these; ``tablium.api.errors`` turns them into HTTP statuses (and the WebSocket
gateway into error frames) at exactly one edge. The category a class derives from decides the
status, the ``code`` tells a client precisely what happened.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a client may see; ``code`` is stable, the message is for people."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class InvalidInput(DomainError, ValueError):
    """The request is well-formed but its values are not acceptable (422)."""

    code = "invalid"


class Unauthenticated(DomainError):
    """No valid credentials: missing, expired or revoked token, wrong password (401)."""

    code = "unauthenticated"


class Forbidden(DomainError):
    """The caller is known but may not do this (403)."""

    code = "forbidden"


class NotFound(DomainError, LookupError):
    """The resource does not exist, or the caller may not know that it does (404)."""

    code = "not_found"


class Conflict(DomainError):
    """The request clashes with the current state: taken name, insufficient funds (409)."""

    code = "conflict"


class TooManyRequests(DomainError):
    """Slow down (429); ``retry_after`` says in how many seconds, when known."""

    code = "rate_limited"

    def __init__(
        self, message: str, *, code: str | None = None, retry_after: int | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after
