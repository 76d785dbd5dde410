"""The ``tablium`` command line: one entry point, one sub-command per job.

Sub-commands import what they need when they run, so ``tablium verify`` does not pay for the
web server and ``tablium serve`` does not load benchmark code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tablium.settings import Settings


def _settings() -> Settings:
    from tablium.settings import Settings

    return Settings.from_env()


def _serve(args: argparse.Namespace) -> int:
    from tablium.app import run

    run(host=args.host, port=args.port, settings=_settings())
    return 0


def _db(args: argparse.Namespace) -> int:
    import asyncio

    from tablium.db.migrate import current_revision, head_revision, upgrade

    url = _settings().database_url
    if args.action == "upgrade":
        revision = asyncio.run(upgrade(url))
        print(f"database at revision {revision} (head {head_revision()})")
    else:
        print(f"database at revision {asyncio.run(current_revision(url))} (head {head_revision()})")
    return 0


def _audit(args: argparse.Namespace) -> int:
    from tablium.money.audit import main

    return main(_settings().database_url)


def _admin(args: argparse.Namespace) -> int:
    import asyncio
    import getpass
    import os

    from tablium.admin import create_admin

    password = os.environ.get("TABLIUM_ADMIN_PASSWORD")
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    if not password:
        password = getpass.getpass(f"password for {args.username}: ")
    return asyncio.run(create_admin(_settings(), args.username, password))


def _verify(args: argparse.Namespace) -> int:
    import msgspec

    from tablium.poker.errors import PokerError
    from tablium.poker.verification import verify_history

    status = 0
    for name in args.files:
        try:
            data = msgspec.json.decode(Path(name).read_bytes())
            if not isinstance(data, dict):
                raise msgspec.ValidationError("a hand history is a JSON object")
            verify_history(data)
        except OSError as exc:
            print(f"{name}: cannot read: {exc.strerror}", file=sys.stderr)
            status = 1
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            print(f"{name}: NOT VERIFIED: not a hand history: {exc}")
            status = 1
        except PokerError as exc:
            print(f"{name}: NOT VERIFIED: {exc}")
            status = 1
        else:
            print(f"{name}: fair: commitment, deck, every dealt card and the result check out")
    return status


def _replay(args: argparse.Namespace) -> int:
    from tablium.replay import main

    return main(args.file)


def _play(args: argparse.Namespace) -> int:
    from tablium.offline import write_session

    seed = bytes.fromhex(args.seed) if args.seed else None
    count = write_session(Path(args.out), args.players, args.hands, variant=args.variant, seed=seed)
    print(f"wrote {count} hands to {args.out} (JSON for `tablium verify`, .txt PokerStars)")
    return 0


def _bench(args: argparse.Namespace) -> int:
    from tablium.bench.engine import main

    return main(seconds=args.seconds, hands=args.hands, seed=args.seed)


def _bench_ledger(args: argparse.Namespace) -> int:
    from tablium.bench.ledger import main

    return main(
        _settings().database_url,
        transfers=args.transfers,
        concurrency=args.concurrency,
        accounts=args.accounts,
        in_place=args.in_place,
    )


def _bots(args: argparse.Namespace) -> int:
    from tablium.bots.client import main

    return main(
        args.url, players=args.players, hands=args.hands, seed=args.seed, timeout=args.timeout
    )


def _bench_tables(args: argparse.Namespace) -> int:
    from tablium.bench.tables import main

    return main(
        tables=args.tables, bots_per_table=args.bots_per_table, hands=args.hands, seed=args.seed
    )


def _hex_seed(text: str) -> str:
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raise argparse.ArgumentTypeError("the seed is hexadecimal") from None
    if not raw:
        raise argparse.ArgumentTypeError("the seed is empty")
    return text


def _positive(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be a positive integer")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tablium", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve", help="run the server (migrates the database first; HTTP API, /health, /metrics)"
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(run=_serve)

    db = commands.add_parser("db", help="database migrations (TABLIUM_DATABASE_URL)")
    db.add_argument("action", choices=["upgrade", "current"])
    db.set_defaults(run=_db)

    audit = commands.add_parser(
        "audit", help="check the ledger's invariants; exits 1 with a report if any fails"
    )
    audit.set_defaults(run=_audit)

    admin = commands.add_parser("admin", help="administration from the server's own machine")
    admin_actions = admin.add_subparsers(dest="admin_action", required=True, metavar="ACTION")
    create = admin_actions.add_parser(
        "create",
        help="create an administrator, or make an existing player one "
        "(password: TABLIUM_ADMIN_PASSWORD, --password-stdin, or a prompt)",
    )
    create.add_argument("username")
    create.add_argument("--password-stdin", action="store_true")
    create.set_defaults(run=_admin)

    verify = commands.add_parser("verify", help="check that hands were dealt fairly")
    verify.add_argument("files", nargs="+", metavar="HAND.json")
    verify.set_defaults(run=_verify)

    replay = commands.add_parser("replay", help="replay JSON Lines hands through the engine")
    replay.add_argument("file", nargs="?", help="JSON Lines input (default: standard input)")
    replay.set_defaults(run=_replay)

    play = commands.add_parser("play", help="play random hands offline and write histories")
    play.add_argument("--players", type=_positive, default=6)
    play.add_argument("--hands", type=_positive, default=10)
    play.add_argument("--out", required=True, metavar="DIR")
    play.add_argument("--seed", type=_hex_seed, help="hex master seed for a reproducible run")
    play.add_argument("--variant", default="NLHE", choices=["NLHE", "PLO", "FLHE"])
    play.set_defaults(run=_play)

    bots = commands.add_parser(
        "bots", help="bot players over the public API and WebSocket; prints a JSON summary"
    )
    bots.add_argument("--url", default="http://127.0.0.1:8000", help="the server's base URL")
    bots.add_argument("--players", type=_positive, default=6)
    bots.add_argument("--hands", type=_positive, default=20, help="hands each bot plays")
    bots.add_argument("--seed", type=int, default=None, help="for reproducible choices")
    bots.add_argument("--timeout", type=float, default=600.0, help="seconds before giving up")
    bots.set_defaults(run=_bots)

    bench = commands.add_parser("bench", help="benchmarks that print figures")
    targets = bench.add_subparsers(dest="target", required=True, metavar="TARGET")
    engine = targets.add_parser("engine", help="hands/s and evaluations/s of the pure core")
    engine.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    engine.add_argument("--hands", type=_positive, default=2000, help="hands to compare")
    engine.add_argument("--seed", type=int, default=1)
    engine.set_defaults(run=_bench)
    ledger = targets.add_parser(
        "ledger", help="transfers/s on the configured database (a scratch copy unless --in-place)"
    )
    ledger.add_argument("--transfers", type=_positive, default=5000)
    ledger.add_argument("--concurrency", type=_positive, default=20)
    ledger.add_argument("--accounts", type=_positive, default=50)
    ledger.add_argument(
        "--in-place", action="store_true", help="write into the configured database itself"
    )
    ledger.set_defaults(run=_bench_ledger)
    tables = targets.add_parser(
        "tables", help="bots against an in-process server: actions/s, hands/s, latency"
    )
    tables.add_argument("--tables", type=_positive, default=4)
    tables.add_argument("--bots-per-table", type=_positive, default=6)
    tables.add_argument("--hands", type=_positive, default=50, help="hands each bot plays")
    tables.add_argument("--seed", type=int, default=None)
    tables.set_defaults(run=_bench_tables)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "play" and not 2 <= args.players <= 10:
        print("tablium play: --players must be from 2 to 10", file=sys.stderr)
        return 2
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
