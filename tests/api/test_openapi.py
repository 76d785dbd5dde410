"""The OpenAPI document is generated from the routes: every route is in it, with its types."""

from __future__ import annotations

from starlette.routing import Route
from starlette.testclient import TestClient

from tablium.api import ENDPOINTS


def test_every_api_route_is_documented_with_its_schemas(client: TestClient) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    paths = document["paths"]
    routes = [r for r in client.app.routes if isinstance(r, Route) and r.path.startswith("/api/")]  # type: ignore[attr-defined]
    served = {
        (route.path, method.lower())
        for route in routes
        for method in route.methods or ()
        if method != "HEAD" and route.path not in ("/api/openapi.json", "/api/hands/verify")
    }
    documented = {(path, method) for path, operations in paths.items() for method in operations}
    assert served == documented
    schemas = document["components"]["schemas"]
    for endpoint in ENDPOINTS:
        operation = paths[endpoint.path][endpoint.method.lower()]
        if endpoint.body is not None:
            ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            assert ref.rsplit("/", 1)[1] in schemas
        if endpoint.roles:
            assert operation["security"] == [{"bearer": []}]
            assert "401" in operation["responses"]
    deposit = paths["/api/admin/deposits"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in deposit["parameters"])
    amount = schemas["Cashier"]["properties"]["amount"]
    assert amount["exclusiveMinimum"] == 0 and amount["maximum"] == 10**12
