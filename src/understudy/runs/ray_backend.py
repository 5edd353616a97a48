"""Play a batch on a Ray cluster (``--backend ray [--address ADDR]``; the ``ray`` extra).

The same sharding as ``understudy.runs.workers``, on Ray instead of a local process pool: the
``Shard`` (agent and simulator factories, scenarios, seed, clock) goes into Ray's object store
once, and each Ray task plays a few conversation indices (``workers.chunk_size``; a batch that
waits on the network plays ``concurrency / CPUs`` at once) with ``play_conversation``, so every
transcript is identical to a single process's whatever node plays it and in what order.
The driver (the process that ran ``stress-test``) awaits the tasks as they finish; each task
commits its own conversations when every node reaches the store (``tasks_reach``: a PostgreSQL
server, or a cluster on this machine), else the driver stores each result at once. Either way
a killed driver loses nothing stored (``runs resume`` plays the rest).

Failures: Ray re-runs a task whose worker process or node died (``max_retries``); a
conversation is deterministic, so the re-run gives the same transcript and it is stored once.
When a task of several conversations still fails after its retries, each of them is played
again in a task of its own; a conversation whose own task still fails ends in ``error`` with
``workers.WORKER_DIED``: one conversation, never the batch.

Without Ray installed, ``--backend ray`` fails with the install command. Every node of a
cluster needs the same understudy release installed (``pip install 'understudy[ray]'``), and
the flow's and persona's content travels with the shard, so no node reads the driver's files.

Address: None starts (or joins, if this process already did) a local Ray instance on this
machine's cores; ``auto`` joins the cluster started with ``ray start`` on this machine;
``ray://host:10001`` connects to a remote cluster's client server.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import pickle
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

from understudy.domain.transcript import ConversationResult
from understudy.errors import ConfigError
from understudy.runs.batch import BatchResult, Collector, OnEnd
from understudy.runs.workers import (
    Played,
    Shard,
    chunk_size,
    died_result,
    release_worker_stores,
)

INSTALL_HINT = "pip install 'understudy[ray]'"
"""The command that installs Ray for ``--backend ray``."""

TASK_RETRIES = 3
"""Times Ray re-runs a conversation whose worker process or node died, before it is an error."""

_shards: dict[str, Shard] = {}
"""Shards unpickled in this Ray worker process, by payload digest (one per batch)."""

_loop: asyncio.AbstractEventLoop | None = None
"""The event loop of this Ray worker process's conversations."""


def load_ray() -> ModuleType:
    """Return the ``ray`` module.

    Raises:
        ConfigError: Ray is not installed (the message gives the install command).
    """
    try:
        import ray
    except ImportError as exc:
        raise ConfigError(
            f"--backend ray needs Ray, which is not installed: {INSTALL_HINT}"
        ) from exc
    return ray


def _play_on_ray(payload: bytes, digest: str, indices: list[int]) -> list[Played]:
    """Ray task: play conversations ``indices`` of the shard in ``payload`` (cached per worker).

    One event loop serves every task of the worker process, so what the shard keeps between
    conversations (an LLM run's HTTP clients) stays on the loop it was made on.
    """
    global _loop
    shard = _shards.get(digest)
    if shard is None:
        shard = pickle.loads(payload)
        _shards.clear()
        _shards[digest] = shard
    if _loop is None or _loop.is_closed():
        _loop = asyncio.new_event_loop()
    try:
        return _loop.run_until_complete(shard.play_many(indices))
    finally:
        release_worker_stores()


def connect(address: str | None) -> ModuleType:
    """Connect this process to Ray (once) and return the module.

    Args:
        address: see the module docstring; None starts a local instance.

    Raises:
        ConfigError: Ray is missing, or the cluster cannot be reached.
    """
    ray = load_ray()
    if not ray.is_initialized():
        try:
            ray.init(address=address, log_to_driver=False, include_dashboard=False)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise ConfigError(f"cannot reach the Ray cluster at {address!r}: {exc}") from exc
    return ray


def _this_machine(host: str) -> bool:
    """True when ``host`` names this machine only (loopback, its own name, a Unix socket)."""
    import socket

    names = {"", "localhost", "::1", socket.gethostname()}  # no DNS lookup (getfqdn may wait)
    return host in names or host.startswith("127.")


def tasks_reach(url: str, address: str | None) -> bool:
    """True when every node of the Ray cluster at ``address`` can open the store at ``url``.

    A PostgreSQL server named by a host other than this machine (its loopback addresses and
    names) is taken to be reached from anywhere; a SQLite file, or a server named as this
    machine, only when every live node of the cluster runs on this machine (a local instance,
    or ``ray.cluster_utils`` nodes). Judged from the names, not tried: a server the nodes cannot
    resolve fails the batch's first commit.
    Then each task commits its own conversations (``workers.Shard.store``).

    Raises:
        ConfigError: Ray is missing or the cluster cannot be reached.
    """
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and not _this_machine(parsed.host or ""):
        return True
    ray = connect(address)
    here = ray.util.get_node_ip_address()
    return all(node["NodeManagerAddress"] == here for node in ray.nodes() if node["Alive"])


async def run_on_ray(
    shard: Shard,
    *,
    n: int,
    address: str | None = None,
    indices: Iterable[int] | None = None,
    on_conversation_end: OnEnd | None = None,
    should_stop: Callable[[], bool] | None = None,
    keep: bool = True,
    in_flight: int | None = None,
    concurrency: int | None = None,
) -> BatchResult:
    """Play conversations of a batch as Ray tasks (see the module docstring).

    Args:
        shard: what every task plays from.
        n: conversations in the batch (indices lie in ``0..n-1``).
        address: the cluster; None starts a local Ray instance.
        indices: play only these; all ``n`` when None.
        on_conversation_end: called (and awaited) in the driver as each conversation comes back.
        should_stop: asked before each task is submitted; once True, no more start.
        keep: keep every conversation in the result (False: memory stays flat).
        in_flight: tasks submitted at once; twice the cluster's CPUs when None (the CPUs
            when ``concurrency`` is given).
        concurrency: conversations in flight over the cluster, for a batch that waits on the
            network (LLM-backed): each task then plays ``concurrency / CPUs`` conversations
            concurrently. None: a CPU-bound batch, ``chunk_size`` conversations per task.

    Returns:
        The played conversations (none when ``keep`` is False), the wall time, how many were
        played and how many were skipped.

    Raises:
        ConfigError: Ray is missing or unreachable, or the shard cannot be sent.
        ValueError: an index outside ``0..n-1``.
    """
    wanted = sorted(set(range(n) if indices is None else indices))
    if wanted and not 0 <= wanted[0] <= wanted[-1] < n:
        raise ValueError(f"conversation indices must lie in 0..{n - 1}")
    payload = shard.payload()
    ray = connect(address)
    cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
    per_task = chunk_size(len(wanted), cpus) if concurrency is None else -(-concurrency // cpus)
    limit = in_flight or (max(2, 2 * cpus) if concurrency is None else cpus)
    task = ray.remote(max_retries=TASK_RETRIES, retry_exceptions=False)(_play_on_ray)
    payload_ref = ray.put(payload)
    digest = hashlib.sha256(payload).hexdigest()
    loop = asyncio.get_running_loop()
    started = loop.time()
    collector = Collector(keep, on_conversation_end)
    pending = iter(wanted)
    alone: list[int] = []  # indices of a crashed chunk, played again one per task
    flying: dict[asyncio.Future[Any], list[int]] = {}

    async def report(
        index: int, result: ConversationResult, usage: dict[str, int] | None = None
    ) -> None:
        await collector.add(shard.conversation(index, result, usage))

    stopped = False
    try:
        while True:
            while not stopped and len(flying) < limit:
                chunk = [alone.pop()] if alone else list(itertools.islice(pending, per_task))
                if not chunk:
                    break
                if should_stop is not None and should_stop():
                    stopped = True
                    break
                ref = task.remote(payload_ref, digest, chunk)
                flying[asyncio.wrap_future(ref.future())] = chunk
            if not flying:
                break
            done, _ = await asyncio.wait(flying, return_when=asyncio.FIRST_COMPLETED)
            for future in done:
                chunk = flying.pop(future)
                error = future.exception()
                if error is None:
                    await collector.add_all(
                        [shard.conversation(*played) for played in future.result()]
                    )
                elif isinstance(
                    error, ray.exceptions.WorkerCrashedError | ray.exceptions.NodeDiedError
                ):
                    if len(chunk) > 1:  # find which conversation kills its worker
                        alone.extend(reversed(chunk))
                    else:
                        await report(chunk[0], died_result(shard, chunk[0]))
                else:
                    raise error
    finally:
        for future in flying:
            future.cancel()
    return collector.result(loop.time() - started, len(wanted))
