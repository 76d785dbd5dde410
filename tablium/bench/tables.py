"""``tablium bench tables``: bots against a server in this process, over a real socket.

Starts the whole server (HTTP API, ``/ws``, table actors) with uvicorn on a free port over a
scratch SQLite database, opens ``tables`` No-Limit Hold'em tables with no pause between hands,
seats ``bots_per_table`` bots at each through the public protocol, plays ``hands`` hands and
prints what the bots measured: actions/s, hands/s and the latency from sending an action to its
acknowledgement, which the table sends after it has broadcast the action's events. Server and
bots share this process and its event loop, so the figures are for both together.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import tempfile
from pathlib import Path
from typing import Any

import msgspec
import uvicorn

from tablium.app import WEBSOCKET_OPTIONS, create_app
from tablium.bots.client import run_bots
from tablium.poker.config import Blinds
from tablium.settings import Settings, sqlite_url
from tablium.table.config import TableConfig


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def bench_tables(count: int) -> list[TableConfig]:
    return [
        TableConfig(
            id=f"bench-{i}",
            name=f"Bench {i}",
            blinds=Blinds(sb=1, bb=2),
            seat_count=9,
            hand_pause_ms=0,
        )
        for i in range(count)
    ]


async def run(tables: int, bots_per_table: int, hands: int, seed: int | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="tablium-bench-") as scratch:
        settings = Settings(
            database_url=sqlite_url(Path(scratch) / "bench.db"),
            data_dir=Path(scratch),
            play_money=1_000_000,
            argon2_time_cost=1,  # registering the bots is not what this measures
            argon2_memory_kib=1024,
        )
        app = create_app(settings=settings)
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(
                app,
                host="127.0.0.1",
                port=port,
                log_config=None,
                access_log=False,
                **WEBSOCKET_OPTIONS,
            )
        )
        serving = asyncio.create_task(server.serve())
        try:
            while not server.started:
                if serving.done():
                    serving.result()
                await asyncio.sleep(0.05)
            for config in bench_tables(tables):
                app.state.services.tables.create(config)
            summary = await run_bots(
                f"http://127.0.0.1:{port}",
                players=tables * bots_per_table,
                hands=hands,
                per_table=bots_per_table,
                seed=seed,
            )
        finally:
            server.should_exit = True
            await serving
    seconds = summary["seconds"]
    return {
        "tables": tables,
        "bots_per_table": bots_per_table,
        "hands": summary["hands"],
        "actions": summary["actions"],
        "errors": summary["errors"],
        "error_codes": summary["error_codes"],
        "seconds": seconds,
        "actions_per_s": summary["actions_per_s"],
        "hands_per_s": round(summary["hands"] / seconds, 1) if seconds else 0.0,
        "action_latency_ms": summary["latency_ms"],
        "failures": summary["failures"],
    }


def main(*, tables: int, bots_per_table: int, hands: int, seed: int | None) -> int:
    logging.getLogger("tablium").setLevel(logging.WARNING)
    figures = asyncio.run(run(tables, bots_per_table, hands, seed))
    print(msgspec.json.format(msgspec.json.encode(figures), indent=2).decode())
    return 0 if not figures["failures"] and figures["errors"] == 0 else 1
