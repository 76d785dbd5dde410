"""Password hashing with Argon2id, off the event loop.

Hashing costs tens of milliseconds of CPU and tens of megabytes of memory by design. Run on the
event loop it would stall every table of the process, so each hash and verification runs in a
worker thread; and at most ``concurrency`` run at once, so a burst of logins queues for a slot
instead of claiming a thread and ``memory_kib`` each.
"""

from __future__ import annotations

import asyncio
import os
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tablium.settings import Settings


class Passwords:
    """Hashes and verifies passwords at the configured Argon2 cost."""

    def __init__(
        self,
        *,
        time_cost: int,
        memory_kib: int,
        parallelism: int = 1,
        concurrency: int | None = None,
    ) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism
        )
        self._slots = asyncio.Semaphore(concurrency or min(4, os.cpu_count() or 1))
        self._dummy: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Passwords:
        return cls(time_cost=settings.argon2_time_cost, memory_kib=settings.argon2_memory_kib)

    async def hash(self, password: str) -> str:
        async with self._slots:
            return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, stored: str, password: str) -> bool:
        """Whether ``password`` matches the ``stored`` hash; a malformed hash matches nothing."""
        async with self._slots:
            return await asyncio.to_thread(self._verify, stored, password)

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    async def verify_dummy(self, password: str) -> None:
        """Spend the time a real verification takes, for a login whose user does not exist.

        Without it an unknown username would answer faster than a wrong password, and the
        difference would tell an attacker which usernames exist.
        """
        await self.verify(await self._dummy_hash(), password)

    async def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = await self.hash(secrets.token_urlsafe(16))
        return self._dummy

    async def prepare(self) -> None:
        """Make the dummy hash now, so the first login of an unknown user is not slower."""
        await self._dummy_hash()

    def needs_rehash(self, stored: str) -> bool:
        """Whether ``stored`` was made with other parameters than the current ones."""
        try:
            return self._hasher.check_needs_rehash(stored)
        except (InvalidHashError, ValueError):
            return True
