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

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock: ``time.monotonic`` and ``asyncio.sleep``."""

    def now(self) -> float:
        """Return monotonic seconds."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """Sleep ``seconds`` (non-blocking)."""
        await asyncio.sleep(seconds)
