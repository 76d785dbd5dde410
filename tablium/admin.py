"""Administration from the server's own machine (``tablium admin create``): no HTTP, no token,
the database configured in the environment, and the audit log records the actor as ``cli``."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from tablium.errors import DomainError
from tablium.services import Services
from tablium.settings import Settings


async def create_admin(settings: Settings, username: str, password: str) -> int:
    services = await Services.open(settings, registry=CollectorRegistry())
    try:
        player = await services.players.create_admin(username=username, password=password)
    except DomainError as exc:
        print(f"tablium admin create: {exc} ({exc.code})")
        return 1
    finally:
        await services.close()
    print(f"{player.username} ({player.id}) is an administrator")
    return 0
