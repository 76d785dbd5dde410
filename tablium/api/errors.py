"""The one place where errors become HTTP statuses.

Every error leaves as ``{"error": {"code": str, "message": str}}``. Services raise the domain
categories of ``tablium.errors``; this module decides the status from the category, and keeps the
error's own ``code`` so a client can tell ``insufficient_funds`` from ``username_taken``.
"""

from __future__ import annotations

import logging

import msgspec
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from tablium.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyRequests,
    Unauthenticated,
)

logger = logging.getLogger("tablium.http")

STATUS_BY_CATEGORY: tuple[tuple[type[DomainError], int], ...] = (
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (InvalidInput, 422),
    (TooManyRequests, 429),
)
"""Checked in order; a domain error of no listed category is a 400."""

_HTTP_CODES = {400: "malformed", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}


class ErrorDetail(msgspec.Struct, frozen=True):
    code: str
    message: str


class ErrorBody(msgspec.Struct, frozen=True):
    """The body of every error response."""

    error: ErrorDetail


class ApiError(Exception):
    """An error decided by the HTTP layer itself (malformed body, missing header)."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


_encoder = msgspec.json.Encoder()


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    body = _encoder.encode(ErrorBody(ErrorDetail(code, message)))
    response = Response(body, status, media_type="application/json")
    if status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    response.headers.update(headers or {})
    return response


def status_for(error: DomainError) -> int:
    for category, status in STATUS_BY_CATEGORY:
        if isinstance(error, category):
            return status
    return 400


async def api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.headers)


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    status = status_for(exc)
    logger.info(
        "request refused",
        extra={"path": request.url.path, "status": status, "code": exc.code},
    )
    headers = {}
    if isinstance(exc, TooManyRequests) and exc.retry_after is not None:
        headers["Retry-After"] = str(exc.retry_after)
    return error_response(status, exc.code, str(exc), headers)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, exc.detail, dict(exc.headers or {}))


async def internal_error(request: Request, exc: Exception) -> Response:
    return error_response(500, "internal", "internal server error")
