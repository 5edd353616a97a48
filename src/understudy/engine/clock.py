"""Injectable time. The engine never reads the system clock directly.

``SystemClock`` is real time; ``ManualClock`` advances only when told or slept on, so a batch is
reproducible and time limits are tested instantly (``understudy.testing`` re-exports it as
``FakeClock``); ``PausableClock`` wraps either and stops while a call is paused.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import time
from asyncio import FIRST_COMPLETED
from collections.abc import Awaitable
from typing import Protocol, TypeVar

T = TypeVar("T")


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


class PausableClock:
    """A clock that stops while paused: a practice call's clock, paused and resumed by the trainee.

    ``now()`` is the inner clock's reading minus the time spent paused, so the scenario's time
    limit and the ``at_s`` of each turn leave pauses out. ``sleep`` and ``wait_for`` wait in
    this clock's time: a pause during either lengthens the wait by the pause.

    Args:
        inner: the clock that runs underneath (the system clock when None).
    """

    def __init__(self, inner: Clock | None = None) -> None:
        self.inner: Clock = inner if inner is not None else SystemClock()
        self._paused_s = 0.0
        self._paused_at: float | None = None
        self._changed = asyncio.Event()

    @property
    def paused(self) -> bool:
        """True between ``pause()`` and ``resume()``."""
        return self._paused_at is not None

    def now(self) -> float:
        """Return the inner clock's reading minus the seconds spent paused."""
        reading = self._paused_at if self._paused_at is not None else self.inner.now()
        return reading - self._paused_s

    def pause(self) -> None:
        """Stop the clock (no effect when already paused)."""
        if self._paused_at is None:
            self._paused_at = self.inner.now()
            self._notify()

    def resume(self) -> None:
        """Start the clock again (no effect when not paused)."""
        if self._paused_at is not None:
            self._paused_s += self.inner.now() - self._paused_at
            self._paused_at = None
            self._notify()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _running(self) -> None:
        while self._paused_at is not None:
            await self._changed.wait()

    async def sleep(self, seconds: float) -> None:
        """Wait until ``seconds`` of this clock's time have passed (pauses do not count)."""
        target = self.now() + seconds
        while True:
            await self._running()
            left = target - self.now()
            if left <= 0:
                return
            await self.inner.sleep(left)

    async def wait_for(self, awaitable: Awaitable[T], seconds: float) -> T:
        """Await ``awaitable`` for at most ``seconds`` of this clock's time.

        Raises:
            TimeoutError: the time ran out (``awaitable`` is then cancelled).
        """
        task = asyncio.ensure_future(awaitable)
        deadline = self.now() + seconds
        try:
            while not task.done():
                left = None if self.paused else deadline - self.now()
                if left is not None and left <= 0:
                    raise TimeoutError
                changed = asyncio.ensure_future(self._changed.wait())
                await asyncio.wait({task, changed}, timeout=left, return_when=FIRST_COMPLETED)
                changed.cancel()
            return task.result()
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task


async def wait_within(clock: Clock, awaitable: Awaitable[T], seconds: float) -> T:
    """Await ``awaitable`` for at most ``seconds`` of ``clock``'s time.

    A ``PausableClock`` leaves its pauses out; any other clock bounds the wait in real seconds
    (``asyncio.timeout``: the awaitable runs in the calling task, so a turn that never waits, an
    offline simulator's or a flow agent's, costs no extra task and no trip through the event
    loop).

    Raises:
        TimeoutError: the time ran out.
    """
    if isinstance(clock, PausableClock):
        return await clock.wait_for(awaitable, seconds)
    if seconds <= 0:  # no time left: not even a turn that never waits may answer
        if inspect.iscoroutine(awaitable):
            awaitable.close()  # never started: no "never awaited" warning
        raise TimeoutError
    async with asyncio.timeout(seconds):
        return await awaitable
