"""Declared HTTP endpoints: one ``Endpoint`` per route, turned into a Starlette route here.

An endpoint declares its method, path, body type, query type, response type and who may call it;
from that one declaration this module builds the route (size limit, typed decoding, bearer
authentication, the role check, encoding) and ``tablium.api.openapi`` builds the document. So the
OpenAPI document cannot drift from what the routes accept.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tablium.api.errors import ApiError
from tablium.db.audit import Actor
from tablium.errors import Forbidden, Unauthenticated
from tablium.players.profile import Role
from tablium.players.service import Principal
from tablium.services import Services

MAX_API_BODY_BYTES = 64 * 1024
"""Largest JSON body an API endpoint accepts; the largest real request is well under 4 KiB."""

IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_.:\-]{1,64}")
"""What an ``Idempotency-Key`` header may hold: up to 64 printable ASCII characters, no spaces."""

ANYONE: frozenset[Role] = frozenset()
"""No authentication needed."""
SIGNED_IN = frozenset(Role)
"""Any authenticated player, whatever their role."""
DIRECTORS = frozenset({Role.DIRECTOR, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})

B = TypeVar("B")
Q = TypeVar("Q")

_encoder = msgspec.json.Encoder()


@dataclass(frozen=True, kw_only=True)
class Call(Generic[B, Q]):
    """What a handler gets: the decoded body and query, the caller, the services."""

    request: Request
    services: Services
    body: B
    query: Q
    principal: Principal | None
    path: Mapping[str, str]

    @property
    def me(self) -> Principal:
        """The authenticated caller (only on endpoints that require authentication)."""
        assert self.principal is not None, "endpoint declared without authentication"
        return self.principal

    @property
    def actor(self) -> Actor:
        """The caller as the audit log records them: id, role and address."""
        client = self.request.client
        ip = client.host if client else None
        if self.principal is None:
            return Actor(id=None, role=None, ip=ip)
        return Actor(id=self.principal.player_id, role=self.principal.role, ip=ip)

    def idempotency_key(self) -> str:
        """The ``Idempotency-Key`` header, scoped to the caller so keys never collide across
        callers; required on every request that moves money."""
        key = self.request.headers.get("idempotency-key")
        if key is None:
            raise ApiError(400, "idempotency_key_required", "send an Idempotency-Key header")
        if not IDEMPOTENCY_KEY.fullmatch(key):
            raise ApiError(
                400,
                "invalid_idempotency_key",
                "an Idempotency-Key is 1 to 64 characters of A-Z a-z 0-9 _ . : -",
            )
        return f"api:{self.me.player_id}:{key}"


Handler = Callable[[Call[Any, Any]], Awaitable[Any]]


@dataclass(frozen=True, kw_only=True)
class Endpoint:
    """One HTTP operation. ``roles`` empty means no authentication is required."""

    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    roles: frozenset[Role] = ANYONE
    body: type | None = None
    query: type | None = None
    response: Any = None
    status: int = 200
    errors: tuple[int, ...] = ()
    idempotent_key: bool = False
    """Requires an ``Idempotency-Key`` header (documented in the OpenAPI document)."""

    @property
    def operation_id(self) -> str:
        return self.handler.__name__

    def error_statuses(self) -> list[int]:
        statuses = set(self.errors)
        if self.body is not None or self.query is not None:
            statuses |= {400, 422}
        if self.body is not None:
            statuses.add(413)
        if self.roles:
            statuses.add(401)
        if self.roles and self.roles != SIGNED_IN:
            statuses.add(403)
        if self.idempotent_key:
            statuses |= {400, 409}
        return sorted(statuses)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body; 413 as soon as it is known to exceed ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "too_large", f"the request body is larger than {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "too_large", f"the request body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(
            "send an access token: Authorization: Bearer <token>", code="token_missing"
        )
    return token.strip()


def _decode_body(endpoint: Endpoint, raw: bytes, decoder: msgspec.json.Decoder[Any]) -> Any:
    if not raw.strip():
        raise ApiError(400, "malformed", "the request needs a JSON body")
    try:
        return decoder.decode(raw)
    except msgspec.ValidationError as exc:
        raise ApiError(422, "invalid_request", str(exc)) from None
    except msgspec.DecodeError as exc:
        raise ApiError(400, "malformed", f"the body is not valid JSON: {exc}") from None


def _decode_query(query_type: type, request: Request) -> Any:
    params = request.query_params
    repeated = [key for key in params if len(params.getlist(key)) > 1]
    if repeated:
        raise ApiError(422, "invalid_request", f"query parameter {repeated[0]!r} given twice")
    try:
        return msgspec.convert(dict(params), query_type, strict=False)
    except msgspec.ValidationError as exc:
        raise ApiError(422, "invalid_request", f"query: {exc}") from None


def encode(content: Any) -> bytes:
    return _encoder.encode(content)


def build_route(endpoint: Endpoint, services: Callable[[], Services]) -> Route:
    """The Starlette route that decodes, authenticates, authorises and answers for ``endpoint``."""
    decoder: msgspec.json.Decoder[Any] | None = None
    if endpoint.body is not None:
        decoder = msgspec.json.Decoder(endpoint.body)

    async def answer(request: Request) -> Response:
        available = services()
        principal = None
        if endpoint.roles:
            principal = await available.players.authenticate(bearer_token(request))
            if principal.role not in endpoint.roles:
                allowed = ", ".join(sorted(endpoint.roles))
                raise Forbidden(f"this needs one of the roles: {allowed}", code="forbidden_role")
        body = None
        if decoder is not None:
            body = _decode_body(endpoint, await read_body(request, MAX_API_BODY_BYTES), decoder)
        query = _decode_query(endpoint.query, request) if endpoint.query is not None else None
        call: Call[Any, Any] = Call(
            request=request,
            services=available,
            body=body,
            query=query,
            principal=principal,
            path=request.path_params,
        )
        result = await endpoint.handler(call)
        if isinstance(result, Response):
            return result
        if result is None:
            return Response(status_code=endpoint.status if endpoint.status != 200 else 204)
        return Response(encode(result), endpoint.status, media_type="application/json")

    return Route(endpoint.path, answer, methods=[endpoint.method], name=endpoint.operation_id)
