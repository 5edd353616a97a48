"""Injectable time. The engine never reads the system clock directly.

``SystemClock`` is real time; ``ManualClock`` advances only when told or slept on, so a batch is
reproducible and time limits are tested instantly (``understudy.testing`` re-exports it as
``FakeClock``); ``PausableClock`` wraps either and stops while a call is paused.
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
            ``time.monotonic``; ``ManualClock``: its start reading).
        """
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` seconds without blocking the event loop.

        Args:
            seconds: how long to wait, in seconds (0 or more); afterwards ``now()`` has advanced
                by at least that much (``ManualClock`` advances by exactly that much, at once).
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


class ManualClock:
    """A clock that moves only when told (``advance``) or when something sleeps on it.

    Simulated time: a stress-test on the offline simulator uses one per conversation, so the
    ``at_s`` of every turn is the same whatever the machine's speed.

    Args:
        start: the initial reading in seconds.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = start

    def now(self) -> float:
        """Return the current manual time in seconds."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``."""
        self._now += seconds

    async def sleep(self, seconds: float) -> None:
        """Advance by ``seconds`` at once, without waiting."""
        self._now += seconds
