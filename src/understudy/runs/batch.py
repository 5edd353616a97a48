"""Batch runs: N conversations of one user simulator setup against fresh agents, concurrently.

``run_batch`` plays ``n`` conversations with at most ``concurrency`` in flight (an
``asyncio.Semaphore``). Conversation ``k`` (0-based) gets:

* a fresh agent from ``agent_factory()``;
* scenario ``scenarios[k % len(scenarios)]`` (round-robin over several scenarios);
* a fresh user simulator from ``simulator_factory(scenario, rng)`` where
  ``rng = random.Random(f"{seed}:{k}")``, the conversation's only source of chance;
* a clock from ``clock_factory()`` and observers from ``observers_factory(k)``.

So the same inputs and seed give the same transcripts and metrics whatever the concurrency and
whatever order conversations finish in: nothing is shared between conversations except what the
agent factory chooses to share (a compiled flow, read-only). ``on_conversation_end`` is called
once per conversation as it finishes (in finishing order) with a ``BatchConversation``; storage
commits there, a progress bar advances there.

Stopping: when the task running ``run_batch`` is cancelled (Ctrl-C, SIGTERM), the conversations
still in flight are cancelled, their callbacks are not called, and ``CancelledError`` propagates;
everything reported through ``on_conversation_end`` before that is kept by the caller. An
exception raised by ``on_conversation_end`` (e.g. the database is gone) stops the batch the same
way and propagates, because a result that cannot be recorded must not be silently dropped.

Stopping early: ``should_stop`` (e.g. "the LLM token budget is spent") is asked before each
conversation starts; once it answers True, no further conversation starts, the ones in flight
finish, and the result holds only the conversations that were played (``skipped`` counts the
others).
"""

from __future__ import annotations

import asyncio
import inspect
import random
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field

from understudy.domain.persona import Persona
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import ConversationResult, TerminationReason
from understudy.engine.clock import Clock, SystemClock
from understudy.engine.events import Observer
from understudy.engine.loop import EngineSettings, run_conversation
from understudy.engine.seams import Agent, UserSimulator
from understudy.metrics.bands import Bands
from understudy.metrics.batch import BatchMetrics, ConversationOutcome, compute_metrics

AgentFactory = Callable[[], Agent]
"""Returns a fresh agent for one conversation."""

SimulatorFactory = Callable[[Scenario, random.Random], UserSimulator]
"""Returns a fresh user simulator for one conversation, given its scenario and seeded rng."""


@dataclass(frozen=True)
class BatchConversation:
    """One finished conversation of a batch.

    Attributes:
        index: 0-based position in the batch.
        seed: the seed string of its random generator, ``"{batch seed}:{index}"``.
        scenario: the scenario it played.
        result: transcript, termination reason, errors. When ``stored`` by a worker process,
            its ``messages`` are left out (read them from the store); the rest is whole.
        stored: already committed to the run's store (by the worker process that played it).
        summary: the metrics summary, computed where the transcript was (set with ``stored``).
    """

    index: int
    seed: str
    scenario: Scenario
    result: ConversationResult
    stored: bool = False
    summary: ConversationOutcome | None = None

    @property
    def outcome(self) -> ConversationOutcome:
        """The summary the metrics are computed from."""
        if self.summary is not None:
            return self.summary
        return ConversationOutcome.from_result(self.result)


@dataclass
class BatchResult:
    """Every conversation of a finished batch, ordered by index.

    Attributes:
        conversations: the finished conversations, by index.
        wall_s: wall-clock seconds the batch took (system clock; not part of the results'
            determinism).
        skipped: conversations never started because ``should_stop`` said so.
        played: conversations played, kept or not (``run_batch(keep=False)`` keeps none in
            ``conversations``, so a batch of any size holds only what is in flight).
    """

    conversations: list[BatchConversation] = field(default_factory=list)
    wall_s: float = 0.0
    skipped: int = 0
    played: int = 0

    def __post_init__(self) -> None:
        self.played = max(self.played, len(self.conversations))

    def __repr__(self) -> str:
        # Kept short on purpose: asyncio formats the repr of a finished task's result in some
        # code paths, and a full repr of 1,000 transcripts takes seconds.
        return f"BatchResult({self.played} conversations, wall_s={self.wall_s:.3f})"

    @property
    def errors(self) -> int:
        """Number of conversations that ended with ``error``."""
        return sum(
            1 for c in self.conversations if c.result.termination_reason is TerminationReason.error
        )

    def metrics(self, bands: Bands | None = None) -> BatchMetrics:
        """Compute the batch metrics (``understudy.metrics.compute_metrics``)."""
        return compute_metrics([c.outcome for c in self.conversations], bands)


def conversation_seed(seed: int | str, index: int) -> str:
    """Return the seed string of conversation ``index`` of a batch seeded ``seed``."""
    return f"{seed}:{index}"


def registered_simulators(kind: str, persona: Persona, **options: object) -> SimulatorFactory:
    """Return a factory of registered user simulators (``understudy.simulators.SIMULATORS``).

    Args:
        kind: registry name (``offline``, ``llm``...).
        persona: the customer every conversation of the batch plays.
        **options: simulator-specific options passed on each time.

    Raises:
        NotFoundError: unknown simulator kind (raised now, before any conversation starts).
        ConfigError: an unknown or invalid option, or a persona language the simulator does
            not speak (``understudy.simulators.languages``), raised now too.
    """
    from understudy.simulators import SIMULATORS
    from understudy.simulators.languages import require_language

    SIMULATORS.get(kind)
    require_language(kind, persona)
    return RegisteredSimulators(kind, persona, SIMULATORS.keyword_options(kind, options))


@dataclass(frozen=True)
class RegisteredSimulators:
    """Makes a fresh registered user simulator per conversation (``registered_simulators``).

    A class rather than a closure so a batch's plan can be sent to worker processes (it
    pickles when its options do; an LLM run's client does not).

    Attributes:
        kind: registry name of the simulator.
        persona: the customer every conversation plays.
        options: validated simulator options, passed each time.
    """

    kind: str
    persona: Persona
    options: dict[str, object]

    def __call__(self, scenario: Scenario, rng: random.Random) -> UserSimulator:
        """Return a fresh simulator of ``scenario`` drawing from ``rng``."""
        from understudy.simulators import SIMULATORS

        cls = SIMULATORS.get(self.kind)
        return cls(self.persona, scenario, rng, **self.options)  # type: ignore[call-arg]


OnEnd = Callable[[BatchConversation], Awaitable[None] | None]


class Collector:
    """Counts, keeps (when asked) and reports each finished conversation of one batch.

    Shared by every backend (one process, worker processes, Ray) so that they count and report
    conversations the same way.

    Args:
        keep: keep every conversation for the result (False: memory stays flat).
        on_conversation_end: called (and awaited, if async) as each conversation ends.
    """

    def __init__(self, keep: bool, on_conversation_end: OnEnd | None) -> None:
        self.keep = keep
        self.on_conversation_end = on_conversation_end
        self.played = 0
        self.finished: dict[int, BatchConversation] = {}

    async def add(self, done: BatchConversation) -> None:
        """Count one finished conversation, keep it if asked, and report it."""
        self.played += 1
        if self.keep:
            self.finished[done.index] = done
        if self.on_conversation_end is not None:
            outcome = self.on_conversation_end(done)
            if inspect.isawaitable(outcome):
                await outcome

    async def add_all(self, finished: Sequence[BatchConversation]) -> None:
        """Count, keep and report conversations that came back together (a worker's hand-out).

        They are reported concurrently, so the store commits them in one group
        (``understudy.runs.record``); the first failure to report one is raised once every
        report has ended.
        """
        outcomes = await asyncio.gather(
            *(self.add(done) for done in finished), return_exceptions=True
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome

    def result(self, wall_s: float, wanted: int) -> BatchResult:
        """Return the batch result: kept conversations by index, ``wanted`` minus played skipped."""
        kept = [self.finished[i] for i in sorted(self.finished)]
        return BatchResult(kept, wall_s, skipped=wanted - self.played, played=self.played)


async def play_conversation(
    index: int,
    agent_factory: AgentFactory,
    simulator_factory: SimulatorFactory,
    scenarios: Sequence[Scenario],
    *,
    seed: int | str,
    clock: Clock,
    observers: Sequence[Observer] = (),
    settings: EngineSettings | None = None,
    conversation_prefix: str = "c",
) -> BatchConversation:
    """Play conversation ``index`` of a batch: the same transcript wherever and whenever it plays.

    Its scenario is ``scenarios[index % len(scenarios)]``, its only source of chance
    ``random.Random(f"{seed}:{index}")``, its id ``f"{conversation_prefix}{index}"``; the agent
    and simulator are fresh. ``run_batch`` and the worker processes both play through this.

    Args:
        index: 0-based position in the batch.
        agent_factory: makes the agent.
        simulator_factory: makes the simulator from the scenario and the seeded generator.
        scenarios: the batch's scenarios, round-robin by index.
        seed: the batch seed.
        clock: this conversation's clock.
        observers: observers of its engine events.
        settings: engine timeouts.
        conversation_prefix: conversation ids are ``f"{prefix}{index}"``.
    """
    scenario = scenarios[index % len(scenarios)]
    seed_text = conversation_seed(seed, index)
    rng = random.Random(seed_text)
    simulator = simulator_factory(scenario, rng)
    agent = agent_factory()
    result = await run_conversation(
        simulator,
        agent,
        scenario,
        conversation_id=f"{conversation_prefix}{index}",
        clock=clock,
        observers=observers,
        settings=settings,
        seed=seed_text,
    )
    return BatchConversation(index, seed_text, scenario, result)


async def run_batch(
    agent_factory: AgentFactory,
    simulator_factory: SimulatorFactory,
    scenarios: Sequence[Scenario],
    *,
    n: int,
    seed: int | str = 0,
    concurrency: int = 8,
    clock_factory: Callable[[], Clock] | None = None,
    observers_factory: Callable[[int], Sequence[Observer]] | None = None,
    on_conversation_end: OnEnd | None = None,
    settings: EngineSettings | None = None,
    conversation_prefix: str = "c",
    should_stop: Callable[[], bool] | None = None,
    indices: Iterable[int] | None = None,
    keep: bool = True,
) -> BatchResult:
    """Run ``n`` conversations and return them ordered by index (see the module docstring).

    Args:
        agent_factory: called once per conversation for a fresh agent.
        simulator_factory: called once per conversation with its scenario and seeded rng.
        scenarios: one or more scenarios, used round-robin by conversation index.
        n: number of conversations (>= 1).
        seed: batch seed; conversation ``k`` uses ``random.Random(f"{seed}:{k}")``.
        concurrency: conversations in flight at most (>= 1).
        clock_factory: a fresh clock per conversation; the system clock when None. Pass
            ``understudy.engine.clock.ManualClock`` for simulated time (reproducible ``at_s``).
        observers_factory: observers of conversation ``k``'s events.
        on_conversation_end: called (and awaited, if async) as each conversation ends.
        settings: engine timeouts.
        conversation_prefix: conversation ids are ``f"{prefix}{k}"``.
        should_stop: asked before each conversation starts; once True, no more start.
        indices: play only these conversation indices (each in ``0..n-1``, with its own seed
            and scenario as in the full batch): what ``runs resume`` and worker shards play;
            all ``n`` when None.
        keep: keep every finished conversation in the result; False keeps none (they reach
            ``on_conversation_end`` only), so memory stays flat however many are played.

    Returns:
        The played conversations (none when ``keep`` is False), ordered by index, the wall time,
        how many were played and how many were skipped.

    Raises:
        ValueError: ``n``, ``concurrency`` below 1, or no scenario.
        asyncio.CancelledError: the batch was stopped.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    if not scenarios:
        raise ValueError("a batch needs at least one scenario")
    loop = asyncio.get_running_loop()
    started = loop.time()
    semaphore = asyncio.Semaphore(concurrency)
    collector = Collector(keep, on_conversation_end)
    make_clock: Callable[[], Clock] = clock_factory or SystemClock

    stopped = False

    async def one(index: int) -> None:
        nonlocal stopped
        async with semaphore:
            if stopped or (should_stop is not None and should_stop()):
                stopped = True
                return
            done = await play_conversation(
                index,
                agent_factory,
                simulator_factory,
                scenarios,
                seed=seed,
                clock=make_clock(),
                observers=observers_factory(index) if observers_factory else (),
                settings=settings,
                conversation_prefix=conversation_prefix,
            )
        # Reported (stored) once its slot is free: the next conversation plays meanwhile. The
        # feeder below still bounds what is unreported to twice the concurrency.
        await collector.add(done)

    # Tasks are created lazily in index order by a bounded feeder, so a batch of 100,000 does not
    # hold 100,000 pending tasks; the semaphore bounds work in flight.
    tasks: set[asyncio.Task[None]] = set()
    wanted = range(n) if indices is None else sorted(set(indices))
    if wanted and not 0 <= wanted[0] <= wanted[-1] < n:
        raise ValueError(f"conversation indices must lie in 0..{n - 1}")
    try:
        for index in wanted:
            while len(tasks) >= concurrency * 2:
                done_tasks, tasks = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                _raise_first(done_tasks)
            tasks.add(asyncio.ensure_future(one(index)))
        while tasks:
            done_tasks, tasks = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            _raise_first(done_tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return collector.result(loop.time() - started, len(wanted))


def _raise_first(done: set[asyncio.Task[None]]) -> None:
    """Raise the first failure among ``done``, having retrieved every one (no "never retrieved"
    warnings when several conversations fail at once, e.g. on a full disk)."""
    failures = [task.exception() for task in done if not task.cancelled()]
    for failure in failures:
        if failure is not None:
            raise failure
    for task in done:
        task.result()  # raises CancelledError for a cancelled one
