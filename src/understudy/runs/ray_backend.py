"""Play a batch on a Ray cluster (``--backend ray [--address ADDR]``; the ``ray`` extra).

The same sharding as ``understudy.runs.workers``, on Ray instead of a local process pool: the
``Shard`` (agent and simulator factories, scenarios, seed, clock) goes into Ray's object store
once, and each conversation index is one Ray task that plays it with ``play_conversation``, so
every transcript is identical to a single process's whatever node plays it and in what order.
The driver (the process that ran ``stress-test``) awaits the tasks as they finish and stores
each result at once: a killed driver loses nothing stored (``runs resume`` plays the rest).

Failures: Ray re-runs a task whose worker process or node died (``max_retries``); a
conversation is deterministic, so the re-run gives the same transcript and it is stored once.
A conversation whose task still fails after its retries ends in ``error`` with
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
import pickle
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

from understudy.domain.transcript import ConversationResult
from understudy.errors import ConfigError
from understudy.runs.batch import BatchResult, Collector, OnEnd
from understudy.runs.workers import Shard, died_result

INSTALL_HINT = "pip install 'understudy[ray]'"
"""The command that installs Ray for ``--backend ray``."""

TASK_RETRIES = 3
"""Times Ray re-runs a conversation whose worker process or node died, before it is an error."""

_shards: dict[str, Shard] = {}
"""Shards unpickled in this Ray worker process, by payload digest (one per batch)."""


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


def _play_on_ray(payload: bytes, digest: str, index: int) -> tuple[int, ConversationResult]:
    """Ray task: play conversation ``index`` of the shard in ``payload`` (cached per worker)."""
    shard = _shards.get(digest)
    if shard is None:
        shard = pickle.loads(payload)
        _shards.clear()
        _shards[digest] = shard
    loop = asyncio.new_event_loop()
    try:
        done = loop.run_until_complete(shard.play(index))
    finally:
        loop.close()
    return index, done.result


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
        in_flight: tasks submitted at once; twice the cluster's CPUs when None.

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
    limit = in_flight or max(2, 2 * int(ray.cluster_resources().get("CPU", 1)))
    task = ray.remote(max_retries=TASK_RETRIES, retry_exceptions=False)(_play_on_ray)
    payload_ref = ray.put(payload)
    digest = hashlib.sha256(payload).hexdigest()
    loop = asyncio.get_running_loop()
    started = loop.time()
    collector = Collector(keep, on_conversation_end)
    pending = iter(wanted)
    flying: dict[asyncio.Future[Any], int] = {}

    async def report(index: int, result: ConversationResult) -> None:
        await collector.add(shard.conversation(index, result))

    stopped = False
    try:
        while True:
            while not stopped and len(flying) < limit:
                index = next(pending, None)
                if index is None:
                    break
                if should_stop is not None and should_stop():
                    stopped = True
                    break
                ref = task.remote(payload_ref, digest, index)
                flying[asyncio.wrap_future(ref.future())] = index
            if not flying:
                break
            done, _ = await asyncio.wait(flying, return_when=asyncio.FIRST_COMPLETED)
            for future in done:
                index = flying.pop(future)
                error = future.exception()
                if error is None:
                    await report(index, future.result()[1])
                elif isinstance(
                    error, ray.exceptions.WorkerCrashedError | ray.exceptions.NodeDiedError
                ):
                    await report(index, died_result(shard, index))
                else:
                    raise error
    finally:
        for future in flying:
            future.cancel()
    return collector.result(loop.time() - started, len(wanted))
