"""The composition root of ``tablium serve``: builds the HTTP app and runs it.

Liveness (``/health``), readiness (``/ready``, which asks the database), Prometheus metrics
(``/metrics``), the OpenAPI document (``/api/openapi.json``), hand-history verification
(``POST /api/hands/verify``) and the declared API endpoints of ``tablium.api``. Every error leaves
as ``{"error": {"code": str, "message": str}}``; ``tablium.api.errors`` chooses the statuses.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
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
from sqlalchemy.engine import make_url
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tablium import __version__
from tablium.api import ENDPOINTS
from tablium.api.endpoints import build_route, read_body
from tablium.api.errors import (
    ApiError,
    api_error,
    domain_error,
    error_response,
    http_error,
    internal_error,
)
from tablium.api.openapi import openapi_document
from tablium.clock import Clock, utc_now
from tablium.errors import DomainError
from tablium.gateway.endpoint import websocket_route
from tablium.logging import configure_logging
from tablium.players.service import Principal
from tablium.poker.errors import PokerError
from tablium.poker.verification import verify_history as core_verify_history
from tablium.services import Services
from tablium.settings import Settings

WEBSOCKET_OPTIONS: dict[str, Any] = {
    "ws_max_size": 64 * 1024,  # a client frame is at most 8 KiB; anything far beyond is closed
    "ws_per_message_deflate": False,  # compression per socket would undo encode-once fan-out
}
"""uvicorn's WebSocket settings, for ``run`` and for anything else that serves the app."""

MAX_BODY_BYTES = 1024 * 1024
"""Largest request body accepted; a hand history is a few kilobytes."""

HandVerifier = Callable[[dict[str, Any]], None]
"""Returns if a hand history is fair, else raises a PokerError whose message says why."""

logger = logging.getLogger("tablium.http")
_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder()


def json_response(content: object, status_code: int = 200) -> Response:
    return Response(_encoder.encode(content), status_code, media_type="application/json")


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


async def health(request: Request) -> Response:
    return json_response({"status": "ok", "version": __version__})


def create_app(
    *,
    settings: Settings | None = None,
    services: Services | None = None,
    clock: Clock = utc_now,
    verify_history: HandVerifier | None = None,
) -> Starlette:
    """Build the HTTP app.

    With ``services`` the app uses them as they are (and leaves closing them to the caller);
    otherwise it opens its own from ``settings`` (default: the environment) when it starts,
    migrating the database first, and closes them when it stops.
    """
    metrics = HttpMetrics()
    state: dict[str, Services] = {}

    def current_services() -> Services:
        try:
            return state["services"]
        except KeyError:
            raise ApiError(503, "unavailable", "the server is starting or stopping") from None

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if services is not None:
            state["services"] = app.state.services = services
            yield
            state.clear()
            return
        opened = await Services.open(
            settings or Settings.from_env(), registry=metrics.registry, clock=clock
        )
        state["services"] = app.state.services = opened
        try:
            yield
        finally:
            state.clear()
            await opened.close()

    async def metrics_endpoint(request: Request) -> Response:
        return Response(
            generate_latest(metrics.registry), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    async def ready(request: Request) -> Response:
        # Each dependency (database, broker, cache) is a named check here.
        opened = state.get("services")
        if opened is None:
            return json_response({"status": "starting", "checks": {}}, 503)
        try:
            await opened.check_database()
        except Exception as exc:
            logger.warning("readiness: database unreachable", extra={"error": repr(exc)})
            return json_response({"status": "unavailable", "checks": {"database": "error"}}, 503)
        return json_response({"status": "ready", "checks": {"database": "ok"}})

    async def authenticate(token: str) -> Principal:
        # Looked up per connection: the services open after the routes are built.
        return await current_services().players.authenticate(token)

    document = openapi_document(ENDPOINTS)

    async def openapi(request: Request) -> Response:
        return json_response(document)

    async def verify_hand(request: Request) -> Response:
        body = await read_body(request, MAX_BODY_BYTES)
        try:
            history = _decoder.decode(body)
        except msgspec.DecodeError as exc:
            return error_response(400, "malformed", f"the body is not valid JSON: {exc}")
        if not isinstance(history, dict):
            return error_response(400, "malformed", "a hand history must be a JSON object")
        verify = verify_history or core_verify_history
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
        Route("/api/openapi.json", openapi),
        Route("/api/hands/verify", verify_hand, methods=["POST"]),
        *(build_route(endpoint, current_services) for endpoint in ENDPOINTS),
        websocket_route(
            "/ws",
            authenticate=authenticate,
            tables=lambda: current_services().tables,
            registry=metrics.registry,
            clock_ms=lambda: int(clock().timestamp() * 1000),
        ),
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(ObserveRequests, metrics=metrics, routes=routes)],
        exception_handlers={
            ApiError: api_error,
            DomainError: domain_error,
            HTTPException: http_error,
            Exception: internal_error,
        },
        lifespan=lifespan,
    )


def run(host: str, port: int, settings: Settings | None = None) -> None:
    """Serve the app with uvicorn until interrupted, logging JSON lines to stderr."""
    settings = settings or Settings.from_env()
    configure_logging(settings.log_level)
    shown_host = f"[{host}]" if ":" in host else host
    database = make_url(settings.database_url).render_as_string(hide_password=True)
    print(f"Tablium listening on http://{shown_host}:{port} (health: /health)", flush=True)
    print(f"  database: {database}; API: http://{shown_host}:{port}/api/openapi.json", flush=True)
    print(f"  tables: GET http://{shown_host}:{port}/api/tables; play: ws://{shown_host}:{port}/ws")
    if settings.play_money:
        print(f"  play money: {settings.play_money} {settings.currency} (POST /api/me/play-money)")
    # log_config=None keeps uvicorn's loggers on our JSON handler; we log requests ourselves.
    uvicorn.run(
        create_app(settings=settings), host=host, port=port, log_config=None, access_log=False
    )
