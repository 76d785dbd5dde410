"""The composition root of ``tablium serve``: builds the HTTP app and runs it.

Minimal for now: liveness (``/health``), readiness (``/ready``), Prometheus metrics (``/metrics``)
and hand-history verification (``POST /api/hands/verify``). Every error leaves as
``{"error": {"code": str, "message": str}}``; HTTP statuses are chosen here and nowhere else.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import msgspec
import uvicorn
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tablium import __version__
from tablium.logging import configure_logging
from tablium.poker.errors import PokerError

MAX_BODY_BYTES = 1024 * 1024
"""Largest request body accepted; a hand history is a few kilobytes."""

HandVerifier = Callable[[dict[str, Any]], None]
"""Returns if a hand history is fair, else raises a PokerError whose message says why."""

logger = logging.getLogger("tablium.http")
_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder()
_ERROR_CODES = {400: "malformed", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}


def json_response(content: object, status_code: int = 200) -> Response:
    return Response(_encoder.encode(content), status_code, media_type="application/json")


def error_response(
    status_code: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    body = {"error": {"code": code, "message": message}}
    response = json_response(body, status_code)
    response.headers.update(headers or {})
    return response


class HttpMetrics:
    """One app's request metrics, in a registry of its own (never the process-global one)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests",  # exposed as http_requests_total
            "HTTP requests answered, by route template, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "http_request_duration_seconds",
            "Time from receiving an HTTP request to finishing its response.",
            ["route", "method"],
            registry=self.registry,
        )


class ObserveRequests:
    """Pure ASGI middleware that counts, times and logs (one INFO line) every HTTP request."""

    def __init__(self, app: ASGIApp, metrics: HttpMetrics, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.metrics = metrics
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # what the client gets if the app raises before answering

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        start = time.perf_counter()
        try:
            await self.app(scope, receive, send_observed)
        finally:
            elapsed = time.perf_counter() - start
            route, method = self._route_template(scope), scope["method"]
            self.metrics.requests.labels(route, method, str(status)).inc()
            self.metrics.duration.labels(route, method).observe(elapsed)
            logger.info(
                "request",
                extra={
                    "method": method,
                    "path": scope["path"],
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 3),
                },
            )

    def _route_template(self, scope: Scope) -> str:
        # Label by template, never by raw path: clients must not be able to mint label values.
        for route in self.routes:
            match, _ = route.matches(scope)
            if match is not Match.NONE:
                return str(getattr(route, "path", "unmatched"))
        return "unmatched"


async def _read_body(request: Request, limit: int) -> bytes:
    """The request body; 413 as soon as it is known to exceed ``limit`` bytes."""
    too_large = HTTPException(413, f"the request body is larger than {limit} bytes")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _default_verifier() -> HandVerifier | None:
    # Imported lazily so that the app runs (and answers 503 here) before the poker core ships
    # verification; importing a module already loaded is a dictionary look-up.
    name = "tablium.poker.verification"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return None
    verifier: HandVerifier = module.verify_history
    return verifier


async def health(request: Request) -> Response:
    return json_response({"status": "ok", "version": __version__})


async def ready(request: Request) -> Response:
    # Each dependency (database, broker, cache) adds a named check here as it arrives.
    return json_response({"status": "ready", "checks": {}})


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _ERROR_CODES.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, exc.detail, dict(exc.headers or {}))


async def internal_error(request: Request, exc: Exception) -> Response:
    return error_response(500, "internal", "internal server error")


def create_app(*, verify_history: HandVerifier | None = None) -> Starlette:
    """Build the HTTP app; ``verify_history`` defaults to the poker core's verifier."""
    metrics = HttpMetrics()

    async def metrics_endpoint(request: Request) -> Response:
        return Response(
            generate_latest(metrics.registry), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    async def verify_hand(request: Request) -> Response:
        body = await _read_body(request, MAX_BODY_BYTES)
        try:
            history = _decoder.decode(body)
        except msgspec.DecodeError as exc:
            return error_response(400, "malformed", f"the body is not valid JSON: {exc}")
        if not isinstance(history, dict):
            return error_response(400, "malformed", "a hand history must be a JSON object")
        verify = verify_history or _default_verifier()
        if verify is None:
            return error_response(503, "unavailable", "hand verification is not available yet")
        # Pure and quick (one hand), so it runs on the event loop rather than in a thread.
        try:
            verify(history)
        except PokerError as exc:
            return json_response({"fair": False, "reason": str(exc)}, 422)
        return json_response({"fair": True})

    routes = [
        Route("/health", health),
        Route("/ready", ready),
        Route("/metrics", metrics_endpoint),
        Route("/api/hands/verify", verify_hand, methods=["POST"]),
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(ObserveRequests, metrics=metrics, routes=routes)],
        exception_handlers={HTTPException: http_error, Exception: internal_error},
    )


def run(host: str, port: int) -> None:
    """Serve the app with uvicorn until interrupted, logging JSON lines to stderr."""
    configure_logging()
    shown_host = f"[{host}]" if ":" in host else host
    print(f"Tablium listening on http://{shown_host}:{port} (health: /health)", flush=True)
    # log_config=None keeps uvicorn's loggers on our JSON handler; we log requests ourselves.
    uvicorn.run(create_app(), host=host, port=port, log_config=None, access_log=False)
