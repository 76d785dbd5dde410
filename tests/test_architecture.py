"""The pure cores stay pure: no I/O, clock, randomness or shell imports (beside import-linter)."""

from __future__ import annotations

import ast
from pathlib import Path

import tablium.poker

FORBIDDEN = frozenset(
    {
        "asyncio", "random", "time", "os", "secrets", "socket", "threading", "subprocess",
        "starlette", "uvicorn", "sqlalchemy", "redis", "aio_pika", "apscheduler",
        "prometheus_client",
    }
)  # fmt: skip
CORE = Path(tablium.poker.__file__).parent
PACKAGE = CORE.parent
PURE_MODULES = (
    "money/ledger.py",
    "money/limits.py",
    "players/levels.py",
    "players/stats.py",
    "players/profile.py",
    "players/throttle.py",
    "table/rules.py",
    "table/timing.py",
    "protocol.py",
    "bots/policy.py",
)
"""Pure modules outside the poker core: ledger, limits, levels, statistics, profiles, table
rules and timing, the wire protocol."""


def forbidden_imports(source: str, filename: str = "<source>") -> list[str]:
    """Each import of a forbidden top-level module, as ``file:line module``."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [f"{filename}:{node.lineno} {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    return found


def test_the_poker_core_imports_nothing_impure() -> None:
    modules = sorted(CORE.rglob("*.py"))
    assert modules, f"no modules found under {CORE}"
    found = [hit for m in modules for hit in forbidden_imports(m.read_text(), str(m))]
    assert found == []


def test_the_other_pure_modules_import_nothing_impure() -> None:
    found = []
    for name in PURE_MODULES:
        module = PACKAGE / name
        found += forbidden_imports(module.read_text(), str(module))
    assert found == []


def test_the_check_sees_every_form_of_import() -> None:
    source = (
        "import os.path\nfrom time import monotonic\nimport json, random\nfrom . import cards\n"
    )
    assert forbidden_imports(source) == [
        "<source>:1 os.path",
        "<source>:2 time",
        "<source>:3 random",
    ]
