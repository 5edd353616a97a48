"""Play a batch on several local processes: one per core, conversations sharded by index.

The offline simulator and a flow agent are CPU-bound Python, so one process plays on one core
whatever the ``--concurrency``; ``run_in_processes`` spreads the conversations of a batch over
``workers`` processes (``concurrent.futures.ProcessPoolExecutor`` on the ``forkserver`` start
method where the platform has it, else ``spawn``: no worker inherits the driver's threads,
open database connections or event loop).

What each worker gets, once, when it starts: a ``Shard`` (the agent and simulator factories, the
scenarios, the batch seed, the clock), pickled. Then it is handed conversation indices a few at a
time (``chunk_size``: one hand-out costs about as much as playing a conversation, so a large
batch hands out up to ``CHUNK_MAX`` at once) and plays each with
``understudy.runs.batch.play_conversation``: the same scenario, seed, conversation id and clock
as in a single process, so every transcript is identical whatever the number of workers, the
size of the hand-outs and the order they finish in. Each hand-out's results come back as soon as
they are played and the driver reports them (``on_conversation_end``). Who stores them: with
``Shard.store`` set (a stored batch that keeps no transcripts in memory, as the CLI plays), the
worker commits the hand-out itself, in one transaction, and sends back only each conversation's
summary; otherwise the driver's store commits them as they are reported. Either way a killed
driver loses nothing that was stored, and ``runs resume`` plays the rest.

An LLM-backed batch waits on the network, not the CPU: each hand-out is then a group of
``per_task`` conversations that the worker plays concurrently on its event loop, under the
batch's shared limits (``understudy.runs.limits``), and each conversation's token usage comes
back with its result.

A worker that dies (killed, out of memory, a bot calling ``os._exit``) breaks the pool: the
conversations that were in flight are played again in a fresh pool, nothing finished is lost or
reported twice. A conversation in flight during two such deaths is then played alone; if its
worker dies again it is recorded as ending in ``error`` with ``WORKER_DIED``: one conversation
lost, never the batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TYPE_CHECKING

from understudy.domain.scenario import Scenario
from understudy.domain.transcript import ConversationResult, TerminationReason
from understudy.engine.clock import Clock
from understudy.engine.loop import EngineSettings
from understudy.errors import ConfigError, UnderstudyError
from understudy.metrics.batch import ConversationOutcome
from understudy.runs.batch import (
    AgentFactory,
    BatchConversation,
    BatchResult,
    Collector,
    OnEnd,
    SimulatorFactory,
    conversation_seed,
    play_conversation,
)

Played = tuple[int, ConversationResult, dict[str, int] | None, ConversationOutcome | None]
"""What a worker sends back per conversation: its index, result, LLM usage (None: none) and,
when the worker stored it (``Shard.store``), its metrics summary (the result then comes back
without its messages)."""


@dataclass(frozen=True)
class StoreTarget:
    """The run a worker process commits its conversations to, itself (``Shard.store``).

    Attributes:
        url: the store's SQLAlchemy URL (``Store.url``): a SQLite file on this machine, or a
            PostgreSQL server every worker reaches.
        run_id: the run the conversations belong to.
    """

    url: str
    run_id: str


if TYPE_CHECKING:
    from understudy.llm.run import LLMRun
    from understudy.storage.store import Store

WORKER_DIED = "the worker process playing this conversation died (killed, or the bot exited it)"
"""Error of a conversation whose worker process died every time it was played."""


class WorkersFailed(UnderstudyError):
    """The worker processes could not play at all (they died on start-up, every time)."""


@dataclass(frozen=True)
class Shard:
    """What a worker needs to play any conversation of a batch (sent once, pickled).

    Attributes:
        agent_factory: makes a fresh agent per conversation.
        simulator_factory: makes a fresh simulator per conversation.
        scenarios: the batch's scenarios, round-robin by index.
        seed: the batch seed.
        clock_factory: a fresh clock per conversation (a class: ``ManualClock``, ``SystemClock``).
        settings: engine timeouts.
        llm_run: the LLM run the factories share (an LLM-backed batch), None otherwise. Its
            limits must be shared (``understudy.runs.limits``) to send it; each conversation's
            usage comes back with its result and is added to the driver's run.
        store: where each worker commits the conversations of a hand-out itself, in one
            transaction, before sending back their summaries (None: the driver stores them).
            A transcript then crosses no process boundary, and the driver's process is not
            what sets the pace of a batch on many cores.
    """

    agent_factory: AgentFactory
    simulator_factory: SimulatorFactory
    scenarios: Sequence[Scenario]
    seed: str
    clock_factory: Callable[[], Clock]
    settings: EngineSettings | None = None
    llm_run: LLMRun | None = None
    store: StoreTarget | None = None

    def payload(self) -> bytes:
        """Return this shard pickled, as sent to each worker.

        Raises:
            ConfigError: part of the batch cannot be sent to another process (an agent or
                simulator holding an open client or a function defined inside another).
        """
        try:
            return pickle.dumps(self)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            raise ConfigError(
                "this batch cannot be played by worker processes: its agent or simulator "
                f"cannot be sent to another process ({exc}); play it with --workers 1 (flow "
                "files with the offline simulator can be sharded)"
            ) from exc

    def conversation(
        self,
        index: int,
        result: ConversationResult,
        usage: dict[str, int] | None = None,
        summary: ConversationOutcome | None = None,
    ) -> BatchConversation:
        """Return conversation ``index``'s result with its seed and scenario, as stored.

        In the driver, the conversation's LLM ``usage`` (played elsewhere) is added to the run.
        A ``summary`` means the worker stored the conversation itself.
        """
        if usage is not None and self.llm_run is not None:
            self.llm_run.absorb(result.conversation_id, usage)
        scenario = self.scenarios[index % len(self.scenarios)]
        seed = conversation_seed(self.seed, index)
        stored = summary is not None
        return BatchConversation(index, seed, scenario, result, stored=stored, summary=summary)

    async def play_many(self, indices: Sequence[int]) -> list[Played]:
        """Play ``indices`` concurrently (in a worker); return what each played.

        A conversation not started because the LLM token budget is spent is left out (the
        driver counts it as skipped, and ``runs resume`` plays it later).
        """

        async def one(index: int) -> Played | None:
            if self.llm_run is not None and self.llm_run.exhausted:
                return None
            done = await self.play(index)
            usage = None
            if self.llm_run is not None:
                usage = self.llm_run.take_usage(done.result.conversation_id)
            return index, done.result, usage, None

        played = [p for p in await asyncio.gather(*(one(i) for i in indices)) if p is not None]
        if self.store is None or not played:
            return played
        self._store_played(self.store, played)
        return [
            (
                i,
                result.model_copy(update={"messages": []}),
                usage,
                ConversationOutcome.from_result(result),
            )
            for i, result, usage, _ in played
        ]

    def _store_played(self, target: StoreTarget, played: Sequence[Played]) -> None:
        """Commit ``played`` to ``target`` in one transaction, leaving out any conversation the
        run already holds (a hand-out whose worker died after its commit is played again)."""
        from understudy.storage.store import FinishedConversation

        finished = [
            FinishedConversation(
                index,
                result,
                self.scenarios[index % len(self.scenarios)].id,
                conversation_seed(self.seed, index),
                usage,
            )
            for index, result, usage, _ in played
        ]
        _worker_store(target.url).save_conversations(target.run_id, finished, skip_stored=True)

    async def play(self, index: int) -> BatchConversation:
        """Play conversation ``index`` of the batch (see ``play_conversation``)."""
        return await play_conversation(
            index,
            self.agent_factory,
            self.simulator_factory,
            self.scenarios,
            seed=self.seed,
            clock=self.clock_factory(),
            settings=self.settings,
        )


_stores: dict[str, Store] = {}
"""The store each worker process commits to, by URL (opened at its first hand-out)."""


def _worker_store(url: str) -> Store:
    from understudy.storage.store import Store

    store = _stores.get(url)
    if store is None:
        store = _stores[url] = Store(url)
    return store


def release_worker_stores() -> None:
    """Close the idle database connections of this worker process's stores (a Ray task's end:
    its process may serve other batches for long, and a PostgreSQL server takes a bounded
    number of connections)."""
    for store in _stores.values():
        store.release_connections()


_worker: tuple[Shard, asyncio.AbstractEventLoop] | None = None


DRIVER_GONE_EXIT = 70
"""Exit status of a worker process that stopped because its driver died."""


def _alive(pid: int) -> bool:
    """True when process ``pid`` exists (and is not a zombie waiting to be reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:  # no /proc (not Linux): the signal answered, so it lives
        return True


def watch_driver(driver: int, every_s: float = 0.5) -> threading.Thread:
    """Exit this worker process as soon as the driver ``driver`` dies (a daemon thread).

    A SIGKILLed driver runs no clean-up, and the fork server its workers came from exits with
    it, so the workers would be left to ``init``, playing on. The thread polls every
    ``every_s`` seconds whether this process was reparented or the driver is gone, and then
    exits with ``DRIVER_GONE_EXIT`` at once (``os._exit``: nothing of the driver's is left to
    report to). Nothing is lost: the driver stored every conversation that came back, and
    ``runs resume`` plays the rest.
    """
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(every_s)
            if os.getppid() != parent or not _alive(driver):
                os._exit(DRIVER_GONE_EXIT)

    thread = threading.Thread(target=watch, name="understudy-watch-driver", daemon=True)
    thread.start()
    return thread


def _start_worker(payload: bytes, driver: int) -> None:
    """Initialise a worker process: watch the driver, unpickle the shard, open one event loop."""
    global _worker
    # Ctrl-C reaches every process of the terminal's group; the driver handles it (the run is
    # kept as interrupted) and stops the pool, so workers must not die of it first.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watch_driver(driver)
    _worker = (pickle.loads(payload), asyncio.new_event_loop())


def _ready() -> bool:
    """Answer once the worker has started (its initializer ran)."""
    return _worker is not None


def _play_indices(indices: list[int]) -> list[Played]:
    """Play conversations (concurrently when several) in a worker process and return them."""
    assert _worker is not None, "the pool's initializer starts each worker"
    shard, loop = _worker
    return loop.run_until_complete(shard.play_many(indices))


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Terminate ``pool``'s worker processes (SIGTERM) without waiting for their hand-outs.

    A stopped batch (Ctrl-C, an error) reports nothing more, so a hand-out still playing is
    work thrown away; an LLM-backed one could take minutes, or wait for a model-call slot
    forever. ``ProcessPoolExecutor`` has no public way to do this before Python 3.14
    (``terminate_workers``); its ``_processes`` is read with care, and without it the
    hand-outs are waited for, as before.
    """
    processes = getattr(pool, "_processes", None)
    if not isinstance(processes, dict):
        return
    for process in list(processes.values()):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.terminate()


def _broke(future: asyncio.Future[list[Played]]) -> bool:
    """True when ``future`` failed because its worker process (or another one) died."""
    return not future.cancelled() and isinstance(future.exception(), BrokenProcessPool)


PRELOAD = [
    "understudy.runs.workers",
    "understudy.agents.flow",
    "understudy.simulators.offline.simulator",
    "understudy.storage.store",
]
"""Modules the fork server imports once, so each worker forks with them loaded."""

LLM_PRELOAD = [
    "understudy.llm.managed",
    "understudy.llm.plain_openai",
    "understudy.agents.llm_agent",
    "understudy.simulators.llm",
    "pydantic_ai.direct",
    "pydantic_ai.models.openai",
]
"""Added to ``PRELOAD`` for an LLM-backed batch (pydantic-ai and the OpenAI client take seconds
to import on a busy machine; imported once in the fork server, not once per worker)."""


def worker_context(llm: bool = False) -> multiprocessing.context.BaseContext:
    """Return the process context of worker pools: ``forkserver`` where the platform has it
    (its server imports ``PRELOAD``, and ``LLM_PRELOAD`` when ``llm``, once; then each worker
    starts in milliseconds), else ``spawn``. The fork server starts with the first pool of the
    process, so the preload of the first batch is the one every later batch forks from."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD + (LLM_PRELOAD if llm else []))
        return context
    return multiprocessing.get_context("spawn")


CHUNK_MAX = 32
"""Most conversations handed to a worker at once in a CPU-bound batch (32 offline
conversations take about 0.1 s of one core: results still stream back several times a
second)."""


def chunk_size(total: int, workers: int) -> int:
    """Conversations per hand-out of a CPU-bound batch of ``total`` conversations on ``workers``.

    A hand-out costs the driver and the worker about a millisecond (pickling the call and the
    results, waking both event loops), as much as playing one offline conversation, so large
    batches hand out ``CHUNK_MAX`` at a time. Smaller ones get at least eight hand-outs per
    worker, so no worker idles long at the end of the batch. Measured with
    ``benchmarks/bench_scale.py`` (docs/scale.md): 10,000 offline conversations on 2 workers went
    from 310 to about 500 conversations a second with this alone.

    Args:
        total: conversations to play (>= 0).
        workers: worker processes (or a Ray cluster's CPUs), >= 1.

    Returns:
        An integer from 1 to ``CHUNK_MAX``.
    """
    return max(1, min(CHUNK_MAX, total // (max(1, workers) * 8)))


def start_fork_server(llm: bool = False) -> None:
    """Start the fork server of this process's worker pools now, without waiting for it.

    Its imports (``PRELOAD``; about a second of CPU, scikit-learn most of it) then run beside
    whatever this process does before its first pool (the CLI reads the flow, the persona and
    its configuration), instead of before the first conversation. No effect where the platform
    has no fork server, or once it runs.

    Args:
        llm: preload the LLM client modules too (``LLM_PRELOAD``): the batch calls a model.
    """
    if worker_context(llm).get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def died_result(shard: Shard, index: int) -> ConversationResult:
    """The recorded ending of conversation ``index`` when its worker died every time."""
    return ConversationResult(
        conversation_id=f"c{index}",
        seed=conversation_seed(shard.seed, index),
        messages=[],
        termination_reason=TerminationReason.error,
        detail="worker process died",
        error=WORKER_DIED,
    )


async def run_in_processes(
    shard: Shard,
    *,
    n: int,
    workers: int,
    indices: Iterable[int] | None = None,
    on_conversation_end: OnEnd | None = None,
    should_stop: Callable[[], bool] | None = None,
    keep: bool = True,
    in_flight: int | None = None,
    per_task: int | None = None,
) -> BatchResult:
    """Play conversations of a batch on ``workers`` processes (see the module docstring).

    Args:
        shard: what every worker plays from.
        n: conversations in the batch (indices lie in ``0..n-1``).
        workers: processes (>= 1).
        indices: play only these indices; all ``n`` when None.
        on_conversation_end: called (and awaited) in the driver as each conversation comes back.
        should_stop: asked before each conversation is handed out; once True, no more start.
        keep: keep every conversation in the result (False: memory stays flat).
        in_flight: hand-outs at once; twice the workers when None (the workers when
            ``per_task`` is given: each hand-out then fills its worker).
        per_task: conversations handed to a worker at once and played concurrently there, for
            a batch that waits on the network (an LLM-backed batch: one process plays many at
            a time). None for CPU-bound batches: ``chunk_size`` conversations per hand-out.

    Returns:
        The played conversations (none when ``keep`` is False), the wall time, how many were
        played and how many were skipped.

    Raises:
        ValueError: ``workers`` or ``n`` below 1, or an index outside ``0..n-1``.
        ConfigError: the shard cannot be sent to worker processes.
        asyncio.CancelledError: the batch was stopped (the pool is shut down first).
    """
    if workers < 1 or n < 1:
        raise ValueError(f"workers and n must be at least 1, got {workers} and {n}")
    wanted = deque(range(n) if indices is None else sorted(set(indices)))
    if wanted and not 0 <= wanted[0] <= wanted[-1] < n:
        raise ValueError(f"conversation indices must lie in 0..{n - 1}")
    total = len(wanted)
    payload = shard.payload()
    limit = in_flight or (workers * 2 if per_task is None else workers)
    per_task = chunk_size(total, workers) if per_task is None else max(1, per_task)
    loop = asyncio.get_running_loop()
    started = loop.time()
    collector = Collector(keep, on_conversation_end)
    suspects: Counter[int] = Counter()
    alone: deque[int] = deque()
    context = worker_context(llm=shard.llm_run is not None)

    async def report(
        index: int, result: ConversationResult, usage: dict[str, int] | None = None
    ) -> None:
        await collector.add(shard.conversation(index, result, usage))

    stopped = False
    while wanted or alone:
        pool = ProcessPoolExecutor(
            workers, mp_context=context, initializer=_start_worker, initargs=(payload, os.getpid())
        )
        flying: dict[asyncio.Future[list[Played]], list[int]] = {}
        lost: list[int] = []
        try:  # a worker that cannot even start (bad payload, broken main module) fails here
            await asyncio.wrap_future(pool.submit(_ready))
        except BrokenProcessPool:
            pool.shutdown(wait=True, cancel_futures=True)
            raise WorkersFailed(
                "the worker processes stopped before playing any conversation (see the error "
                "printed above); play the batch with --workers 1. A script calling "
                "understudy.runs.play(..., workers=N) must guard its entry point with "
                '`if __name__ == "__main__":`, since every worker imports the script again'
            ) from None
        solo: int | None = None  # a suspect being played on its own
        broken = False
        try:
            while True:
                while solo is None and not stopped and not broken:
                    if alone:
                        if flying:
                            break  # wait until the suspect can play on its own
                        chunk = [alone.popleft()]
                        solo = chunk[0]
                    elif wanted and len(flying) < limit:
                        if should_stop is not None and should_stop():
                            stopped = True
                            break
                        chunk = [wanted.popleft() for _ in range(min(per_task, len(wanted)))]
                    else:
                        break
                    try:
                        submitted = pool.submit(_play_indices, chunk)
                    except BrokenProcessPool:  # a worker died since the last result
                        broken = True
                        if solo is not None and solo in chunk:
                            solo = None
                            alone.appendleft(chunk[0])
                        else:
                            wanted.extendleft(reversed(chunk))
                        break
                    flying[asyncio.wrap_future(submitted)] = chunk
                if not flying:
                    break
                if broken:
                    done = set(flying)
                    await asyncio.wait(done)
                else:
                    done, _ = await asyncio.wait(flying, return_when=asyncio.FIRST_COMPLETED)
                    if any(_broke(future) for future in done):
                        # Every other future now fails as well, or already finished: collect.
                        await asyncio.wait(flying)
                        done = set(flying)
                for future in done:
                    chunk = flying.pop(future)
                    if _broke(future):
                        lost.extend(chunk)
                        continue
                    if solo is not None and solo in chunk:
                        solo = None
                    await collector.add_all(
                        [shard.conversation(*played) for played in future.result()]
                    )
                if lost or broken:
                    break
        finally:
            for future in flying:  # stopped midway: nothing left to retrieve later
                future.cancel()
            if flying:  # the hand-outs still playing are not waited for
                _stop_workers(pool)
            # Off the event loop: it also serves the batch's shared LLM limits, which a
            # worker's call may still be waiting on.
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
        for index in sorted(lost, reverse=True):
            suspects[index] += 1
            if index == solo:
                await report(index, died_result(shard, index))
            elif suspects[index] >= 2:
                alone.append(index)
            else:
                wanted.appendleft(index)
        if stopped:
            break
    return collector.result(loop.time() - started, total)
