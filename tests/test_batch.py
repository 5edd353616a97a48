"""The batch runner: concurrency, determinism, round-robin scenarios, errors, cancellation."""

from __future__ import annotations

import asyncio

import pytest

from batch_fakes import DiceAgent, dice_simulators, scenario
from understudy.domain.transcript import TerminationReason
from understudy.runs.batch import BatchConversation, run_batch
from understudy.testing import FakeClock


async def play(seed: int | str = 1, n: int = 30, concurrency: int = 8, **kwargs: object):  # type: ignore[no-untyped-def]
    return await run_batch(
        DiceAgent,
        dice_simulators,
        [scenario()],
        n=n,
        seed=seed,
        concurrency=concurrency,
        clock_factory=FakeClock,
        **kwargs,  # type: ignore[arg-type]
    )


def dumps(result) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    return [c.result.model_dump(mode="json") for c in result.conversations]


async def test_same_seed_gives_identical_transcripts_and_metrics_whatever_the_concurrency() -> None:
    serial = await play(concurrency=1)
    parallel = await play(concurrency=16)
    assert dumps(serial) == dumps(parallel), "transcripts must not depend on concurrency"
    assert serial.metrics() == parallel.metrics(), "metrics must not depend on concurrency"


async def test_different_seeds_give_different_conversations() -> None:
    assert dumps(await play(seed=1)) != dumps(await play(seed=2))


async def test_conversations_come_back_ordered_by_index_with_their_seed() -> None:
    result = await play(seed="abc", n=12)
    assert [c.index for c in result.conversations] == list(range(12))
    assert [c.seed for c in result.conversations] == [f"abc:{k}" for k in range(12)]


async def test_callback_runs_once_per_conversation_as_each_ends() -> None:
    seen: list[int] = []

    async def on_end(done: BatchConversation) -> None:
        seen.append(done.index)

    await play(n=20, concurrency=5, on_conversation_end=on_end)
    assert sorted(seen) == list(range(20)), "every conversation reported exactly once"


async def test_concurrency_bounds_conversations_in_flight() -> None:
    in_flight = 0
    peak = 0

    class Counting(DiceAgent):
        async def respond(self, state):  # type: ignore[no-untyped-def]
            nonlocal in_flight, peak
            if self.turns == 0:
                in_flight += 1
                peak = max(peak, in_flight)
            turn = await super().respond(state)
            await asyncio.sleep(0)
            if turn.ended:
                in_flight -= 1
            return turn

    await run_batch(Counting, dice_simulators, [scenario()], n=40, seed=3, concurrency=4)
    assert 1 < peak <= 4, f"at most 4 conversations at once, saw {peak}"


async def test_several_scenarios_are_played_round_robin() -> None:
    scenarios = [scenario("a"), scenario("b"), scenario("c")]
    result = await run_batch(DiceAgent, dice_simulators, scenarios, n=7, seed=1)
    assert [c.scenario.id for c in result.conversations] == ["a", "b", "c", "a", "b", "c", "a"]


async def test_a_crashing_agent_ends_one_conversation_with_error_and_the_batch_completes() -> None:
    result = await run_batch(
        lambda: DiceAgent(explode=frozenset({"c3"})), dice_simulators, [scenario()], n=10, seed=1
    )
    reasons = [c.result.termination_reason for c in result.conversations]
    assert reasons[3] is TerminationReason.error, "conversation 3 hit the exploding node"
    error = result.conversations[3].result.error
    assert error is not None and "exploded" in error, "the error text is kept"
    assert reasons.count(TerminationReason.error) == 1, "only that conversation failed"
    assert result.errors == 1 and result.metrics().errors == 1


async def test_cancelling_a_batch_keeps_what_finished_and_stops_the_rest() -> None:
    finished: list[int] = []
    started = asyncio.Event()

    def on_end(done: BatchConversation) -> None:
        finished.append(done.index)
        if len(finished) == 5:
            started.set()

    task = asyncio.create_task(play(n=500, concurrency=4, on_conversation_end=on_end))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert 5 <= len(finished) < 500, "some conversations finished before the stop, not all"


@pytest.mark.parametrize(("n", "concurrency"), [(0, 1), (1, 0)])
async def test_n_and_concurrency_must_be_positive(n: int, concurrency: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        await play(n=n, concurrency=concurrency)


async def test_each_conversation_gets_its_own_observers_with_its_own_events() -> None:
    from understudy.engine.events import ConversationEnded, MessageAdded
    from understudy.testing import RecordingObserver

    observers: dict[int, RecordingObserver] = {}

    def make(index: int) -> list[RecordingObserver]:
        observers[index] = RecordingObserver()
        return [observers[index]]

    result = await play(n=6, concurrency=3, observers_factory=make)
    assert sorted(observers) == list(range(6)), "one set of observers per conversation"
    for index, observer in observers.items():
        ids = {e.conversation_id for e in observer.events}
        assert ids == {f"c{index}"}, "an observer only sees its own conversation"
        added = [e for e in observer.events if isinstance(e, MessageAdded)]
        assert len(added) == len(result.conversations[index].result.messages)
        assert isinstance(observer.events[-1], ConversationEnded)
