"""One set of LLM limits for a whole batch, however many processes or nodes play it.

An LLM-backed batch played by ``--workers N`` or ``--backend ray`` must not multiply the model's
limits by its processes: the calls in flight and the call starts per minute of each model, and
the run's token budget, hold across the whole batch. Both implementations below serve the same
``understudy.llm.limits.CallLimits`` interface from one place, backed by one ``LocalLimits``:

* ``served_limits`` (``--workers``): the driver serves the limits on a loopback TCP port
  (127.0.0.1, a random port, a random key each batch). A worker's call opens a connection, asks
  for a slot, holds the connection while the call runs, and sends the tokens used when it
  releases; a connection that closes without releasing (a worker that died mid-call) gives its
  slot back, so a dead worker never keeps a slot.
* ``ray_limits`` (``--backend ray``): a named Ray actor of the batch holds them; every task's
  calls ask it for a slot and release it. The actor lives as long as the driver (if the driver
  dies, so does the batch). Each slot is a lease its holder renews while the call runs; a
  worker process or node that dies while holding one stops renewing, and the actor takes the
  slot back within ``LEASE_S * 1.25`` seconds (Ray re-runs the conversation).

Each context manager hands the driver's ``LLMRun`` the shared limits (``LLMRun.share``) while the
batch plays, so the run can be pickled for the workers, and takes them back at the end.

Both count tokens as calls end: the budget stops new calls everywhere once it is reached, and
calls already in flight may finish (the total can pass the budget by one call per slot). Every
process knows whether the budget is spent without asking (``spent_now`` never blocks, so the
check before each conversation never stalls an event loop): each slot's answer carries the
tokens counted so far, and a standing watch (a held connection, or a pending actor call) is
answered the moment the budget is spent.

Both also hold a model's pause (a 429's ``retry-after``, ``CallLimits.pause``) for every
process, and count each answered call's input and output tokens, so the driver's run can add,
once the batch is over, the calls of a process that died before its results came back
(``LLMRun.settle``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import secrets
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from understudy.llm.limits import LocalLimits, Used
from understudy.llm.usage import Usage

if TYPE_CHECKING:
    from understudy.llm.run import LLMRun

_BUDGET = "budget"
_OK = "ok"


def local_limits(run: LLMRun) -> LocalLimits:
    """Return fresh limits holding ``run``'s settings (concurrency, rate, budget)."""
    settings = run.settings
    return LocalLimits(
        settings.concurrency, settings.requests_per_minute, settings.max_tokens_per_run
    )


class LimitsServer:
    """Serves a ``LocalLimits`` to worker processes on a loopback port (see the module docstring).

    Args:
        limits: the batch's limits, held in the driver.
    """

    def __init__(self, limits: LocalLimits) -> None:
        self.limits = limits
        self.key = secrets.token_hex(16)
        self._server: asyncio.Server | None = None
        self._closing = asyncio.Event()

    async def start(self) -> LoopbackLimits:
        """Start listening on 127.0.0.1 and return the handle workers reach the limits with."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        return LoopbackLimits("127.0.0.1", int(port), self.key)

    async def close(self) -> None:
        """Stop listening (connections still open are closed)."""
        self._closing.set()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        lease: object | None = None
        used: Used = None
        try:
            request = json.loads(await reader.readline() or b"{}")
            if request.get("key") != self.key:
                return
            if request.get("op") == "counted":
                counted = await self.limits.counted()
                writer.write(json.dumps(asdict(counted)).encode() + b"\n")
                await writer.drain()
                return
            if request.get("op") == "pause":
                await self.limits.pause(str(request.get("model", "")), float(request["seconds"]))
                writer.write(b"ok\n")
                await writer.drain()
                return
            if request.get("op") == "watch":
                await self._watch(reader, writer)
                return
            lease = await self.limits.acquire(str(request.get("model", "")))
            word = _BUDGET if lease is None else _OK
            writer.write(f"{word} {self.limits.tokens}\n".encode())
            await writer.drain()
            if lease is None:
                return
            line = await reader.readline()  # "input output", "-": no answer, EOF: the worker died
            figures = line.split()
            if len(figures) == 2 and all(f.isdigit() for f in figures):
                used = (int(figures[0]), int(figures[1]))
        except (ConnectionError, ValueError, OSError, KeyError, TypeError):
            pass
        finally:
            if lease is not None:
                self.limits.release(lease, used)
            writer.close()

    async def _watch(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Hold a worker's watch open; write the tokens counted once the budget is spent.

        Ends without a word when the worker goes away or the server closes.
        """
        waits = [
            asyncio.ensure_future(self.limits.until_spent()),
            asyncio.ensure_future(reader.read()),  # EOF: the worker went away
            asyncio.ensure_future(self._closing.wait()),
        ]
        try:
            done, _ = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            if waits[0] in done:
                writer.write(f"{waits[0].result()}\n".encode())
                await writer.drain()
        finally:
            for wait in waits:
                wait.cancel()


class LoopbackLimits:
    """A worker's handle on limits served by the driver (``LimitsServer``); pickles by value.

    The tokens counted over the batch are known here without asking: each slot's answer
    carries the driver's figure, and from the first ``spent_now`` a watch connection (a daemon
    thread blocked on a socket, never the event loop) hears the figure the moment the budget is
    spent.

    Args:
        host: the driver's loopback address.
        port: its port.
        key: the batch's key (a connection without it is refused).
    """

    def __init__(self, host: str, port: int, key: str) -> None:
        self.host, self.port, self.key = host, port, key
        self._heard = 0
        self._watcher: threading.Thread | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        return (LoopbackLimits, (self.host, self.port, self.key))

    def _hear(self, figure: str | bytes) -> None:
        """Keep the driver's token count ``figure`` (a decimal), if above the one known."""
        with contextlib.suppress(ValueError):
            self._heard = max(self._heard, int(figure))

    async def acquire(self, label: str) -> object | None:
        """Wait for a slot; the lease is the open connection (see ``CallLimits``)."""
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            request = {"key": self.key, "op": "acquire", "model": label}
            writer.write(json.dumps(request).encode() + b"\n")
            await writer.drain()
            answer = (await reader.readline()).decode().split()
        except BaseException:
            writer.close()
            raise
        word = answer[0] if answer else ""
        if len(answer) == 2:
            self._hear(answer[1])
        if word != _OK:
            writer.close()
            if word == _BUDGET:
                return None
            raise ConnectionError("the batch's driver stopped serving the LLM limits")
        return writer

    def release(self, lease: object, used: Used) -> None:
        """Send what the call used and close the lease's connection."""
        if isinstance(lease, asyncio.StreamWriter):
            with contextlib.suppress(Exception):
                lease.write(b"-\n" if used is None else f"{used[0]} {used[1]}\n".encode())
            lease.close()

    async def pause(self, label: str, seconds: float) -> None:
        """Tell the driver to start no call to ``label`` for ``seconds`` (see ``CallLimits``).

        Waits for the driver's word, so every call asked for after it waits too.

        Raises:
            OSError: the driver no longer serves the limits.
        """
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            request = {"key": self.key, "op": "pause", "model": label, "seconds": seconds}
            writer.write(json.dumps(request).encode() + b"\n")
            await writer.drain()
            await reader.readline()
        finally:
            writer.close()

    async def counted(self) -> Usage:
        """Ask the driver for the answered calls and tokens counted so far (see ``CallLimits``).

        Raises:
            ConnectionError: the driver no longer serves the limits.
        """
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            writer.write(json.dumps({"key": self.key, "op": "counted"}).encode() + b"\n")
            await writer.drain()
            line = await reader.readline()
        finally:
            writer.close()
        if not line:
            raise ConnectionError("the batch's driver stopped serving the LLM limits")
        return Usage(**json.loads(line))

    def spent_now(self) -> int:
        """Return the tokens counted over the batch, as last heard (never blocks).

        The first call starts the watch that hears when the budget is spent.
        """
        if self._watcher is None:
            self._watcher = threading.Thread(
                target=self._watch, name="understudy-limits-watch", daemon=True
            )
            self._watcher.start()
        return self._heard

    def _watch(self) -> None:
        """Wait (on this thread) for the driver to say the budget is spent; keep its figure."""
        request = json.dumps({"key": self.key, "op": "watch"}).encode() + b"\n"
        with (
            contextlib.suppress(OSError),
            socket.create_connection((self.host, self.port), timeout=10) as conn,
        ):
            conn.sendall(request)
            conn.settimeout(None)
            self._hear(conn.makefile("rb").readline())


@contextlib.asynccontextmanager
async def served_limits(run: LLMRun) -> AsyncIterator[LocalLimits]:
    """Share ``run``'s limits with worker processes while the block runs (loopback server)."""
    limits = local_limits(run)
    server = LimitsServer(limits)
    handle = await server.start()
    run.share(limits, handle)
    try:
        yield limits
    finally:
        run.unshare()
        await server.close()


LEASE_S = 30.0
"""Seconds a model-call slot of the Ray actor stays held without word from its holder.

A holder renews its slots every third of this; a holder that died (its worker process or node
gone) stops renewing, so the actor takes its slots back within ``LEASE_S * 1.25`` seconds.
"""


class LimitsActor:
    """The Ray actor holding a batch's limits (one ``LocalLimits``, on the actor's event loop).

    Each slot is a lease of ``lease_s`` seconds that its holder renews while its call runs
    (``renew``); a lease not renewed in time is taken back (its call's tokens are then not
    known, and not counted), so a dead holder never keeps a slot.

    Args:
        concurrency: calls in flight at most per model label.
        per_minute: call starts per minute at most per model label; None: no limit.
        max_tokens: the token budget; None: no budget.
        lease_s: seconds a slot stays held without a renewal.
    """

    def __init__(
        self,
        concurrency: int,
        per_minute: int | None,
        max_tokens: int | None,
        lease_s: float = LEASE_S,
    ) -> None:
        self.limits = LocalLimits(concurrency, per_minute, max_tokens)
        self.lease_s = lease_s
        self._expiry: dict[int, float] = {}
        self._reaper: asyncio.Task[None] | None = None

    async def acquire(self, label: str) -> tuple[int | None, int]:
        """Wait for a slot (see ``CallLimits``).

        Returns:
            The lease (an int; None when the budget is spent) and the tokens counted so far.
        """
        if self._reaper is None:
            self._reaper = asyncio.get_running_loop().create_task(self._reap())
        lease = await self.limits.acquire(label)
        if lease is not None:
            self._expiry[lease] = time.monotonic() + self.lease_s
        return lease, self.limits.tokens

    async def renew(self, leases: list[int]) -> None:
        """Hold ``leases`` another ``lease_s`` seconds (their holder lives); lost ones stay lost."""
        until = time.monotonic() + self.lease_s
        for lease in leases:
            if lease in self._expiry:
                self._expiry[lease] = until

    async def release(self, lease: int, used: Used) -> None:
        """Give back a slot and count what its call used (a lease taken back only counts)."""
        self._expiry.pop(lease, None)
        self.limits.release(lease, used)

    async def pause(self, label: str, seconds: float) -> None:
        """Start no call to ``label`` for ``seconds`` (see ``CallLimits``)."""
        await self.limits.pause(label, seconds)

    async def counted(self) -> Usage:
        """Return the answered calls and tokens counted so far (see ``CallLimits``)."""
        return await self.limits.counted()

    async def spent(self) -> int:
        """Return the tokens counted so far."""
        return self.limits.tokens

    async def until_spent(self) -> int:
        """Return the tokens counted once the budget is spent (waits until then)."""
        return await self.limits.until_spent()

    async def _reap(self) -> None:
        """Take back, every quarter lease, the slots whose lease ran out."""
        while True:
            await asyncio.sleep(self.lease_s / 4)
            now = time.monotonic()
            for lease, until in list(self._expiry.items()):
                if until <= now:
                    del self._expiry[lease]
                    self.limits.release(lease, None)


class RayLimits:
    """A handle on the batch's ``LimitsActor``, by name (pickles by value; ``CallLimits``).

    The tokens counted over the batch are known here without asking: each slot's answer
    carries the actor's figure, and from the first ``spent_now`` a standing request to the
    actor (``until_spent``, answered on Ray's own thread) hears the moment the budget is spent.

    While this process holds slots, a daemon thread renews them every ``lease_s / 3`` seconds
    (one message for all of them), so a busy event loop never lets a live holder's lease run out.

    Args:
        name: the actor's name.
        namespace: its Ray namespace.
        lease_s: the actor's lease, in seconds.
    """

    def __init__(self, name: str, namespace: str | None, lease_s: float = LEASE_S) -> None:
        self.name, self.namespace, self.lease_s = name, namespace, lease_s
        self._actor: Any = None
        self._heard = 0
        self._watching = False
        self._held: set[int] = set()
        self._lock = threading.Lock()
        self._renewer: threading.Thread | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        return (RayLimits, (self.name, self.namespace, self.lease_s))

    @property
    def actor(self) -> Any:
        """The actor, looked up by name on first use in this process."""
        if self._actor is None:
            import ray

            self._actor = ray.get_actor(self.name, namespace=self.namespace)
        return self._actor

    async def acquire(self, label: str) -> object | None:
        """Wait for a slot from the actor; it is renewed until released."""
        lease: int | None
        lease, tokens = await self.actor.acquire.remote(label)
        self._heard = max(self._heard, tokens)
        if lease is not None:
            with self._lock:
                self._held.add(lease)
                if self._renewer is None:
                    self._renewer = threading.Thread(
                        target=self._renew, name="understudy-limits-renew", daemon=True
                    )
                    self._renewer.start()
        return lease

    def release(self, lease: object, used: Used) -> None:
        """Give back a slot (sent to the actor; not awaited)."""
        with self._lock:
            self._held.discard(lease)
        self.actor.release.remote(lease, used)

    async def pause(self, label: str, seconds: float) -> None:
        """Tell the actor to start no call to ``label`` for ``seconds`` (see ``CallLimits``)."""
        await self.actor.pause.remote(label, seconds)

    async def counted(self) -> Usage:
        """Ask the actor for the answered calls and tokens counted so far (see ``CallLimits``)."""
        usage: Usage = await self.actor.counted.remote()
        return usage

    def _renew(self) -> None:
        """Renew the slots held here every third of a lease; end when none is held."""
        while True:
            time.sleep(self.lease_s / 3)
            with self._lock:
                held = sorted(self._held)
                if not held:
                    self._renewer = None
                    return
            with contextlib.suppress(Exception):  # the actor is gone: the batch is over
                self.actor.renew.remote(held)

    def spent_now(self) -> int:
        """Return the tokens counted over the batch, as last heard (never blocks).

        The first call sends the standing ``until_spent`` request.
        """
        if not self._watching:
            self._watching = True
            self.actor.until_spent.remote().future().add_done_callback(self._spent)
        return self._heard

    def _spent(self, answer: concurrent.futures.Future[int]) -> None:
        """Keep the actor's figure once it says the budget is spent (a gone actor says nothing)."""
        with contextlib.suppress(Exception):
            self._heard = max(self._heard, int(answer.result()))


@contextlib.asynccontextmanager
async def ray_limits(
    run: LLMRun, ray: Any, *, lease_s: float | None = None
) -> AsyncIterator[RayLimits]:
    """Share ``run``'s limits with Ray tasks while the block runs (a named actor of the batch).

    Args:
        run: the batch's LLM run (its settings give the limits).
        ray: the ``ray`` module, connected.
        lease_s: seconds a slot stays held without its holder's renewal (see ``LimitsActor``);
            ``LEASE_S`` when None.
    """
    lease_s = LEASE_S if lease_s is None else lease_s
    settings = run.settings
    name = f"understudy-limits-{uuid.uuid4().hex}"
    namespace = ray.get_runtime_context().namespace
    actor = (
        ray.remote(LimitsActor)
        .options(name=name, namespace=namespace, max_concurrency=10_000, num_cpus=0)
        .remote(
            settings.concurrency,
            settings.requests_per_minute,
            settings.max_tokens_per_run,
            lease_s,
        )
    )
    handle = RayLimits(name, namespace, lease_s)
    handle._actor = actor
    await asyncio.wrap_future(actor.spent.remote().future())  # started before any task asks
    run.share(handle, handle)
    try:
        yield handle
    finally:
        run.unshare()
        ray.kill(actor)
