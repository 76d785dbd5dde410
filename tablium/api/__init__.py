"""The HTTP API under ``/api``: declared endpoints, their routes and the OpenAPI document."""

from __future__ import annotations

from tablium.api import admin, auth, players, tables, wallet
from tablium.api.endpoints import Endpoint

ENDPOINTS: tuple[Endpoint, ...] = (
    *auth.ENDPOINTS,
    *players.ENDPOINTS,
    *wallet.ENDPOINTS,
    *admin.ENDPOINTS,
    *tables.ENDPOINTS,
)
