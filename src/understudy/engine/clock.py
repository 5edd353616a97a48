"""Injectable time. The engine never reads the system clock directly.

``understudy.testing.FakeClock`` advances only when told, so time limits are tested instantly.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    """A source of time in seconds.

    ``now()`` is monotonic seconds from an arbitrary origin; ``sleep`` waits that many seconds.
    """

    def now(self) -> float:
        """Return the current time in seconds.

        Returns:
            Seconds as a float, monotonic (never goes back) from an arbitrary origin: only
            differences between two readings mean anything (``SystemClock``: the origin of
            ``time.monotonic``; ``FakeClock``: 0.0 when created).
        """
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` seconds without blocking the event loop.

        Args:
            seconds: how long to wait, in seconds (0 or more); afterwards ``now()`` has advanced
                by at least that much (``FakeClock`` advances by exactly that much, at once).
        """
        ...


class SystemClock:
    """The real clock: ``time.monotonic`` and ``asyncio.sleep``."""

    def now(self) -> float:
        """Return monotonic seconds."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """Sleep ``seconds`` (non-blocking)."""
        await asyncio.sleep(seconds)
