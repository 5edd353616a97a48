"""Limits on a run's model calls: calls in flight, calls per minute, and the token budget.

Every model call of an ``LLMRun`` asks its limits for a slot first (``acquire``) and gives it
back with the call's input and output tokens when it ends (``release``). The limits answer with:

* at most ``concurrency`` calls in flight per model label;
* at most ``requests_per_minute`` call starts per model label, evenly spaced: two calls start at
  least ``60 / requests_per_minute`` seconds apart, so no window of ``W`` seconds sees more than
  ``W * requests_per_minute / 60 + 1`` calls (a provider's per-minute limit is never reached in
  a burst);
* no call start to a model for the seconds its provider asked (``pause``: a 429 answer's
  ``retry-after``), in every process sharing the limits;
* no slot at all (``acquire`` returns None) once ``max_tokens`` tokens (input + output) have been
  released: the run's token budget is spent. A call already in flight may finish, so the total can
  pass the budget by one call per slot in flight.

``CallLimits`` is the interface; ``LocalLimits`` holds the counters in this process (a single
process run, and the driver's side of the shared implementations). A batch played on several
processes or a Ray cluster shares one set of limits through ``understudy.runs.limits``: the same
interface, served by the driver over loopback, or by a named Ray actor.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Protocol

from understudy.llm.usage import Usage

Used = tuple[int, int] | None
"""What a released call used: its input and output tokens, or None when it got no answer."""


class CallLimits(Protocol):
    """The limits every model call of a run goes through (see the module docstring)."""

    async def acquire(self, label: str) -> object | None:
        """Wait for a slot to call the model ``label``.

        Returns:
            A lease to give back to ``release``, or None when the token budget is spent (no
            slot is held then).
        """
        ...

    def release(self, lease: object, used: Used) -> None:
        """Give back the slot of ``lease`` and count what its call ``used`` (see ``Used``).

        Never blocks, so it can run while a call is being cancelled.
        """
        ...

    def spent_now(self) -> int:
        """Return the tokens counted so far over every process sharing the limits.

        Never blocks (it is asked on the event loop before every conversation starts): a shared
        implementation answers with the figure it last heard, and hears at once when the budget
        is spent, so the answer reaches the budget no later than one message after the calls
        that spent it.
        """
        ...

    async def pause(self, label: str, seconds: float) -> None:
        """Start no call to ``label`` for ``seconds`` from now (the provider said to wait).

        Calls already in flight go on; a pause never shortens one already set.
        """
        ...

    async def counted(self) -> Usage:
        """Return the answered calls and their tokens counted so far over every process.

        Only ``requests``, ``input_tokens`` and ``output_tokens`` are set. Awaits the shared
        place (not for the hot path: read once when a batch ends).
        """
        ...


class LocalLimits:
    """``CallLimits`` held in this process (asyncio primitives, one set per event loop).

    Args:
        concurrency: calls in flight at most per model label (>= 1).
        requests_per_minute: call starts per minute at most per model label; None: no limit.
        max_tokens: the token budget; None: no budget.
        clock: monotonic seconds (injected in tests).
        sleep: waits between spaced call starts (injected in tests).

    Attributes:
        usage: the answered calls released so far and their input and output tokens.
        paused_until: per model label, the clock time before which no call to it starts.
    """

    def __init__(
        self,
        concurrency: int,
        requests_per_minute: int | None = None,
        max_tokens: int | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        self.concurrency = concurrency
        self.interval_s = 60.0 / requests_per_minute if requests_per_minute else 0.0
        self.max_tokens = max_tokens
        self.usage = Usage()
        self.paused_until: dict[str, float] = {}
        self._clock = clock
        self._sleep = sleep
        self._semaphores: dict[tuple[int, str], asyncio.Semaphore] = {}
        self._next_start: dict[str, float] = {}
        self._leases: dict[int, asyncio.Semaphore] = {}
        self._ids = itertools.count(1)
        self._spent_waiters: list[asyncio.Future[None]] = []

    @property
    def tokens(self) -> int:
        """Tokens counted so far (input + output of the answered calls released)."""
        return self.usage.total_tokens

    @property
    def spent(self) -> bool:
        """True when the budget is set and reached."""
        return self.max_tokens is not None and self.tokens >= self.max_tokens

    def semaphore(self, label: str) -> asyncio.Semaphore:
        """Return the semaphore bounding calls in flight to ``label`` in the running loop."""
        key = (id(asyncio.get_running_loop()), label)
        if key not in self._semaphores:
            self._semaphores[key] = asyncio.Semaphore(self.concurrency)
        return self._semaphores[key]

    async def acquire(self, label: str) -> int | None:
        """Wait for a slot of ``label`` (see ``CallLimits.acquire``); the lease is an int."""
        if self.spent:
            return None
        semaphore = self.semaphore(label)
        await semaphore.acquire()
        try:
            if self.spent:
                semaphore.release()
                return None
            while (wait := self.paused_until.get(label, 0.0) - self._clock()) > 0:
                await self._sleep(wait)
            if self.interval_s:
                now = self._clock()
                start = max(now, self._next_start.get(label, now))
                self._next_start[label] = start + self.interval_s
                if start > now:
                    await self._sleep(start - now)
            if self.spent:  # the budget ran out while this call waited out a pause or its turn
                semaphore.release()
                return None
        except BaseException:
            semaphore.release()
            raise
        lease = next(self._ids)
        self._leases[lease] = semaphore
        return lease

    def release(self, lease: object, used: Used) -> None:
        """Give back ``lease`` and count what its call ``used``; an unknown lease only counts."""
        if used is not None:
            self.usage.requests += 1
            self.usage.input_tokens += used[0]
            self.usage.output_tokens += used[1]
        semaphore = self._leases.pop(lease, None) if isinstance(lease, int) else None
        if semaphore is not None:
            semaphore.release()
        if self.spent:
            waiters, self._spent_waiters = self._spent_waiters, []
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)

    async def until_spent(self) -> int:
        """Wait until the budget is spent; return the tokens counted then.

        Returns at once when it is already spent; never returns when there is no budget (the
        caller cancels it). Used by the shared implementations to tell every process the
        moment the budget is spent.
        """
        if not self.spent:
            waiter = asyncio.get_running_loop().create_future()
            self._spent_waiters.append(waiter)
            await waiter
        return self.tokens

    def spent_now(self) -> int:
        """Return the tokens counted so far."""
        return self.tokens

    async def pause(self, label: str, seconds: float) -> None:
        """Start no call to ``label`` for ``seconds`` from now (see ``CallLimits.pause``)."""
        until = self._clock() + seconds
        self.paused_until[label] = max(self.paused_until.get(label, until), until)

    async def counted(self, settle_s: float = 1.0) -> Usage:
        """Return a copy of the answered calls and tokens counted so far.

        Waits up to ``settle_s`` seconds while slots are still held: read when a batch is over,
        a held slot is a release on its way (or a dead holder's), so a call answered just
        before the end is counted.
        """
        for _ in range(int(settle_s / 0.01)):
            if not self._leases:
                break
            await self._sleep(0.01)
        return replace(self.usage)
