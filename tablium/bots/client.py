"""Bot players over the public protocol: register, take play money, sit, play, stand, report.

Each bot is one account, one WebSocket connection and one task. It learns the tables from
``GET /api/tables``, sits at a free seat, answers every ``your_turn`` with ``policy.choose_action``
and counts the hands it sees settled; after ``hands`` hands it stands up. Latency is measured from
sending an ``act`` to receiving its ``ack``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import json
import random
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import msgspec
import websockets

from tablium.bots.policy import choose_action
from tablium.protocol import (
    Ack,
    Act,
    ErrorMessage,
    EventMessage,
    HandSettled,
    RequestSnapshot,
    Sit,
    Snapshot,
    Stand,
    Subscribe,
    TopUp,
    YourTurn,
    decode_server,
    encode_client,
)

PASSWORD_BYTES = 18


class BotError(RuntimeError):
    """The server refused something a bot cannot do without (registration, funding, a seat)."""


@dataclass
class Tally:
    """What all bots of a run did, merged at the end."""

    hands: set[tuple[str, int]] = field(default_factory=set)
    actions: int = 0
    errors: int = 0
    error_codes: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)

    def error(self, code: str) -> None:
        self.errors += 1
        self.error_codes[code] = self.error_codes.get(code, 0) + 1


def _http(base: str, method: str, path: str, body: Any = None, **headers: str) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    for name, value in headers.items():
        request.add_header(name.replace("_", "-"), value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        raise BotError(f"{method} {path}: {exc.code} {exc.read()[:300]!r}") from None
    return json.loads(raw) if raw else None


_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=8, thread_name_prefix="tablium-bots")
"""The bots' own threads for blocking HTTP calls: never the event loop's default executor, which
a server in the same process needs for its own work (password hashing)."""


async def http(base: str, method: str, path: str, body: Any = None, **headers: str) -> Any:
    call = functools.partial(_http, base, method, path, body, **headers)
    return await asyncio.get_running_loop().run_in_executor(_POOL, call)


def ws_url(base: str, token: str) -> str:
    parts = urlsplit(base)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return urlunsplit((scheme, parts.netloc, "/ws", f"token={token}", ""))


class Bot:
    def __init__(
        self, base: str, name: str, table: dict[str, Any], *, hands: int, seed: int, seat_hint: int
    ) -> None:
        self.base, self.name, self.table, self.hands = base, name, table, hands
        self.seat_hint = seat_hint
        self.rng = random.Random(seed)
        self.token = ""
        self.player_id = ""
        self.seat: int | None = None
        self.stack = 0
        self.seen = 0
        self._cid = 0
        self._sent: dict[str, float] = {}

    def cid(self) -> str:
        self._cid += 1
        return f"{self.name}-{self._cid}"

    async def sign_up(self) -> None:
        password = secrets.token_urlsafe(PASSWORD_BYTES)
        body = await http(
            self.base, "POST", "/api/auth/register", {"username": self.name, "password": password}
        )
        self.token = body["tokens"]["access_token"]
        self.player_id = body["player"]["id"]
        auth = f"Bearer {self.token}"
        await http(
            self.base, "POST", "/api/me/play-money", Authorization=auth, Idempotency_Key=self.cid()
        )

    async def play(self, tally: Tally, deadline: float) -> None:
        async with websockets.connect(ws_url(self.base, self.token), max_size=2**20) as socket:
            send = self._sender(socket)
            table = self.table["id"]
            await send(Subscribe(table=table, as_="player", cid=self.cid()))
            async for raw in socket:
                if time.monotonic() > deadline:
                    break
                message = decode_server(raw)
                match message:
                    case Snapshot() if self.seat is None:
                        await self._sit(send, message)
                    case YourTurn():
                        action = choose_action(message, self.stack, self.rng)
                        cid = self.cid()
                        self._sent[cid] = time.perf_counter()
                        await send(Act(table=table, hand=message.hand, action=action, cid=cid))
                    case Ack(cid=cid) if cid in self._sent:
                        tally.latencies_ms.append((time.perf_counter() - self._sent.pop(cid)) * 1e3)
                        tally.actions += 1
                    case ErrorMessage(code=code, cid=cid):
                        self._sent.pop(cid or "", None)
                        tally.error(code)
                        if code == "seat_taken":  # another bot was quicker: look again
                            self.seat = None
                            await send(RequestSnapshot(table=table, cid=self.cid()))
                    case EventMessage(event=HandSettled() as settled):
                        tally.hands.add((table, settled.hand))
                        if await self._settled(send, settled):
                            break
                    case _:
                        pass
            if self.seat is not None:
                await send(Stand(table=table, cid=self.cid()))
                await _drain(socket, 0.5)

    async def _sit(self, send: Any, snapshot: Snapshot) -> None:
        taken = {seat.seat for seat in snapshot.seats}
        mine = next((s for s in snapshot.seats if s.player_id == self.player_id), None)
        if mine is not None:
            self.seat, self.stack = mine.seat, mine.stack
            return
        free = [s for s in range(snapshot.config.seat_count) if s not in taken]
        if not free:
            raise BotError(f"{self.name}: no free seat at {snapshot.table}")
        config = snapshot.config
        buy_in = (config.buy_in_min + config.buy_in_max) // 2
        # Each bot has its own seat in mind, so bots of one run do not race for the same one.
        seat = self.seat_hint if self.seat_hint in free else self.rng.choice(free)
        self.seat, self.stack = seat, buy_in
        await send(Sit(table=snapshot.table, seat=seat, buy_in=buy_in, cid=self.cid()))

    async def _settled(self, send: Any, settled: HandSettled) -> bool:
        self.seen += 1
        mine = next((r for r in settled.results if r.seat == self.seat), None)
        if mine is not None:
            self.stack = mine.stack
            low = self.table["config"]["big_blind"] * 10
            if self.stack < low and self.seen < self.hands:
                # Half the room only: with no pause between hands, the top-up may wait for the
                # next hand to end, and a stack that grows meanwhile must stay under the maximum.
                amount = max(1, (self.table["config"]["buy_in_max"] - self.stack) // 2)
                await send(TopUp(table=self.table["id"], amount=amount, cid=self.cid()))
                self.stack += amount
        return self.seen >= self.hands

    @staticmethod
    def _sender(socket: Any) -> Any:
        async def send(message: Any) -> None:
            await socket.send(encode_client(message).decode())

        return send


async def _drain(socket: Any, seconds: float) -> None:
    try:
        async with asyncio.timeout(seconds):
            async for _ in socket:
                pass
    except (TimeoutError, websockets.ConnectionClosed):
        pass


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0–1) by nearest rank; 0 for no values.

    >>> percentile([5, 1, 3, 2, 4], 0.5), percentile([5, 1, 3, 2, 4], 0.99), percentile([], 0.5)
    (3, 5, 0.0)
    """
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run_bots(
    base: str,
    *,
    players: int,
    hands: int,
    per_table: int = 6,
    seed: int | None = None,
    timeout: float = 600.0,
) -> dict[str, Any]:
    """Register ``players`` bots, seat them ``per_table`` to a table, play ``hands`` hands each,
    and return the summary ``tablium bots`` prints."""
    base = base.rstrip("/")
    tables = await http(base, "GET", "/api/tables")
    tables = [t for t in tables["tables"] if t["config"]["seat_count"] - t["seated"] >= 2]
    if not tables:
        raise BotError("the server has no table with two free seats")
    run = secrets.token_hex(3)
    master = random.Random(seed)
    bots = []
    for i in range(players):
        table = tables[(i // per_table) % len(tables)]
        name, seed_i = f"bot-{run}-{i}", master.randrange(2**32)
        bots.append(Bot(base, name, table, hands=hands, seed=seed_i, seat_hint=i % per_table))
    await asyncio.gather(*(bot.sign_up() for bot in bots))
    tally = Tally()
    started = time.perf_counter()
    deadline = time.monotonic() + timeout
    results = await asyncio.gather(
        *(bot.play(tally, deadline) for bot in bots), return_exceptions=True
    )
    elapsed = time.perf_counter() - started
    failures = [f"{type(r).__name__}: {r}" for r in results if isinstance(r, BaseException)]
    for _ in failures:
        tally.error("bot_failed")
    return {
        "players": players,
        "tables": len({bot.table["id"] for bot in bots}),
        "hands": len(tally.hands),
        "actions": tally.actions,
        "errors": tally.errors,
        "error_codes": tally.error_codes,
        "seconds": round(elapsed, 3),
        "actions_per_s": round(tally.actions / elapsed, 1) if elapsed else 0.0,
        "latency_ms": {
            "p50": round(percentile(tally.latencies_ms, 0.5), 3),
            "p99": round(percentile(tally.latencies_ms, 0.99), 3),
        },
        "failures": failures[:5],
    }


def main(url: str, *, players: int, hands: int, seed: int | None, timeout: float) -> int:
    summary = asyncio.run(run_bots(url, players=players, hands=hands, seed=seed, timeout=timeout))
    print(msgspec.json.format(msgspec.json.encode(summary), indent=2).decode())
    return 0 if not summary["failures"] else 1
