"""The OpenAPI 3.1 document, generated from the declared endpoints and their msgspec types.

Served at ``/api/openapi.json``. Schemas come from ``msgspec.json.schema_components`` over the very
types the routes decode and encode, so the document is exactly what the server accepts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import msgspec

from tablium import __version__
from tablium.api.endpoints import SIGNED_IN, Endpoint
from tablium.api.errors import ErrorBody

REF = "#/components/schemas/{name}"
_PATH_PARAMETER = re.compile(r"{(\w+)(?::\w+)?}")
_REASONS = {
    400: "Malformed request (not JSON, missing body or header)",
    401: "Missing, invalid or expired credentials",
    403: "Not allowed for this caller",
    404: "No such resource",
    409: "Conflicts with the current state (taken, insufficient funds, reused key)",
    413: "Body too large",
    422: "Well-formed, but a value is not acceptable",
    429: "Too many attempts; try again later",
}


def openapi_document(endpoints: Iterable[Endpoint]) -> dict[str, Any]:
    endpoints = list(endpoints)
    types: list[Any] = [ErrorBody]
    for endpoint in endpoints:
        types += [t for t in (endpoint.body, endpoint.response, endpoint.query) if t is not None]
    schemas, components = msgspec.json.schema_components(types, ref_template=REF)
    schema_of = dict(zip(map(id, types), schemas, strict=True))

    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        path = _PATH_PARAMETER.sub(r"{\1}", endpoint.path)
        operation: dict[str, Any] = {
            "operationId": endpoint.operation_id,
            "summary": endpoint.summary,
            "tags": [endpoint.tag],
            "responses": _responses(endpoint, schema_of),
        }
        description = _description(endpoint)
        if description:
            operation["description"] = description
        parameters = _parameters(endpoint, components)
        if parameters:
            operation["parameters"] = parameters
        if endpoint.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": schema_of[id(endpoint.body)]}},
            }
        if endpoint.roles:
            operation["security"] = [{"bearer": []}]
        paths.setdefault(path, {})[endpoint.method.lower()] = operation

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Tablium API",
            "version": __version__,
            "description": "Players, authentication, wallets and administration. Every error "
            'has the shape {"error": {"code": "...", "message": "..."}}.',
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }


def _description(endpoint: Endpoint) -> str:
    doc = (endpoint.handler.__doc__ or "").strip()
    lines = [doc] if doc else []
    if endpoint.roles and endpoint.roles != SIGNED_IN:
        lines.append("Roles: " + ", ".join(sorted(endpoint.roles)) + ".")
    if endpoint.idempotent_key:
        lines.append(
            "Requires an `Idempotency-Key` header: repeating the request with the same key "
            "returns the first result (header `Idempotent-Replayed: true`) without moving money "
            "again; the same key with a different request is refused with 409."
        )
    return "\n\n".join(lines)


def _responses(endpoint: Endpoint, schema_of: dict[int, Any]) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    if endpoint.response is None:
        responses[str(204 if endpoint.status == 200 else endpoint.status)] = {
            "description": "Done; no content"
        }
    else:
        responses[str(endpoint.status)] = {
            "description": "Success",
            "content": {"application/json": {"schema": schema_of[id(endpoint.response)]}},
        }
    error = {"application/json": {"schema": schema_of[id(ErrorBody)]}}
    for status in endpoint.error_statuses():
        responses[str(status)] = {"description": _REASONS.get(status, "Error"), "content": error}
    return responses


def _parameters(endpoint: Endpoint, components: dict[str, Any]) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PATH_PARAMETER.findall(endpoint.path)
    ]
    if endpoint.idempotent_key:
        parameters.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": True,
                "schema": {"type": "string", "pattern": "^[A-Za-z0-9_.:\\-]{1,64}$"},
            }
        )
    if endpoint.query is not None:
        schema = components[endpoint.query.__name__]
        required = set(schema.get("required", ()))
        for name, prop in schema.get("properties", {}).items():
            parameters.append(
                {"name": name, "in": "query", "required": name in required, "schema": prop}
            )
    return parameters
