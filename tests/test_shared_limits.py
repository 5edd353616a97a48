"""LLM-backed batches on worker processes share one rate limiter and one token budget: the model
server never sees more than the configured calls in flight or calls per window, the budget stops
the batch at its limit, and the transcripts equal a single process's for the same seeds."""

from __future__ import annotations

import asyncio
import pickle
import time
from pathlib import Path

import pytest
from pydantic_ai.direct import model_request
from pydantic_ai.messages import ModelMessage, ModelRequest

from llm_batch import (
    TOKENS_PER_CALL,
    import_agent,
    lines,
    most_in_window,
    plan_for,
    play_llm,
    server,
)
from understudy.llm.limits import LocalLimits
from understudy.llm.run import LLMRun
from understudy.llm.settings import LLMSettings
from understudy.llm.testing import ChatServer, Reply
from understudy.llm.usage import BudgetExhausted
from understudy.runs import BUDGET_SPENT
from understudy.runs.limits import served_limits
from understudy.storage.store import Store

RATE = 600  # calls per minute: 10 a second, one every 100 ms (3 slots of 0.1 s would allow 30)


@pytest.mark.slow
async def test_two_workers_share_one_limit_and_play_the_single_process_transcripts(
    understudy_home: Path,
) -> None:
    import_agent(understudy_home)
    with server(delay_s=0.1) as single_server:
        plan, run = plan_for(single_server.base_url, 8, 8, concurrency=3, requests_per_minute=RATE)
        single = await play_llm(plan, run)
    with server(delay_s=0.1) as shared_server:
        plan, run = plan_for(shared_server.base_url, 8, 8, concurrency=3, requests_per_minute=RATE)
        sharded = await play_llm(plan, run, workers=2)
    assert [c.index for c in sharded.result.conversations] == list(range(8))
    assert lines(sharded) == lines(single), "the same lines, endings and order whatever the workers"
    assert all(c.result.error is None for c in sharded.result.conversations)
    for seen in (single_server, shared_server):
        assert max(seen.peak_in_flight.values()) <= 3
        for model in ("agent", "customer"):
            # Calls start at least 100 ms apart: at most 10 a second, +1 at the window's edge,
            # +1 for a call that took longer to reach the server (a first connection); without
            # the limit, 3 slots of 0.1 s would let 30 through.
            assert most_in_window(seen.arrivals, model, 1.0) <= RATE // 60 + 2
    assert len(shared_server.requests) == len(single_server.requests)
    assert sharded.metrics == single.metrics
    stored = Store().get_run(sharded.run_id or "")
    assert stored.usage is not None and stored.usage["requests"] == len(shared_server.requests), (
        "each conversation's usage travels back from its worker and is stored"
    )


@pytest.mark.slow
async def test_the_token_budget_holds_across_workers(understudy_home: Path) -> None:
    import_agent(understudy_home)
    budget = 200
    with server(delay_s=0.05) as seen:
        plan, run = plan_for(seen.base_url, 12, 6, concurrency=3, max_tokens_per_run=budget)
        outcome = await play_llm(plan, run, workers=2, keep_conversations=True)
    assert seen.peak_in_flight == {"agent": 3, "customer": 3}, (
        "6 conversations at once on 2 workers, but never more than 3 calls per model"
    )
    spent = TOKENS_PER_CALL * len(seen.requests)
    assert budget <= spent <= budget + 2 * 3 * TOKENS_PER_CALL, (
        "no call starts once the budget is reached; the 3 in flight per model may finish"
    )
    assert outcome.stopped == BUDGET_SPENT
    assert outcome.result.skipped > 0, "conversations not started once the budget was spent"
    assert outcome.result.played + outcome.result.skipped == 12
    for conversation in outcome.cut:
        assert "token budget of 200 tokens for this run is spent" in conversation.result.detail
    stored = Store().get_run(outcome.run_id or "")
    assert stored.status == "interrupted" and stored.error == BUDGET_SPENT
    assert Store().count_conversations(outcome.run_id or "") == outcome.result.played


@pytest.mark.slow
async def test_stopping_an_llm_batch_on_workers_ends_it_without_waiting_on_itself(
    understudy_home: Path,
) -> None:
    import_agent(understudy_home)
    with server(delay_s=0.2) as seen:
        # One call in flight per model over 2 workers: a worker's conversations queue for a
        # slot that this process's limits server hands out.
        plan, run = plan_for(seen.base_url, 12, 12, concurrency=1)
        task = asyncio.create_task(play_llm(plan, run, workers=2))
        for _ in range(600):  # until both workers play
            if len(seen.requests) >= 3:
                break
            await asyncio.sleep(0.05)
        assert len(seen.requests) >= 3, "the batch started"
        task.cancel()
        stopped = time.monotonic()
        done, _ = await asyncio.wait({task}, timeout=60)
        assert done and task.cancelled(), "the stopped batch ended"
        assert time.monotonic() - stopped < 30, "it did not wait on its own limits server"
    runs = Store().list_runs()
    assert [r.status for r in runs] == ["interrupted"], "kept as interrupted"


async def test_calls_start_evenly_spaced_under_a_per_minute_rate() -> None:
    now = [0.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    limits = LocalLimits(10, requests_per_minute=120, clock=lambda: now[0], sleep=sleep)
    leases = [await limits.acquire("m") for _ in range(3)]
    assert waits == [0.5, 0.5], "120 a minute: each call starts half a second after the last"
    for lease in leases:
        limits.release(lease, (5, 2))
    assert limits.tokens == 21


async def test_a_spent_budget_gives_no_slot() -> None:
    limits = LocalLimits(2, max_tokens=10)
    lease = await limits.acquire("m")
    assert lease is not None
    limits.release(lease, (6, 4))
    assert await limits.acquire("m") is None


async def test_a_worker_hears_the_spent_budget_without_blocking_its_event_loop() -> None:
    # This loop also serves the limits: a budget check that asked the server and waited for
    # the answer would wait for an answer that cannot come while it holds the loop.
    run = LLMRun(LLMSettings(max_tokens_per_run=100, cache=False), cache=False)
    async with served_limits(run):
        spender, watcher = pickle.loads(pickle.dumps(run)), pickle.loads(pickle.dumps(run))
        started = time.perf_counter()
        assert not watcher.exhausted
        assert time.perf_counter() - started < 0.5, "the check never waits for the driver"
        lease = await spender.acquire("m")
        spender.release(lease, (60, 40))
        for _ in range(300):  # the watcher makes no call of its own: it is told
            if watcher.exhausted:
                break
            await asyncio.sleep(0.01)
        assert watcher.exhausted, "another worker spent the budget: this one knows it"
        assert run.exhausted, "and so does the driver"
        with pytest.raises(BudgetExhausted, match=r"\(100 used\)"):
            await watcher.acquire("m")


async def test_the_answered_calls_of_a_worker_that_died_count_in_the_runs_usage() -> None:
    run = LLMRun(LLMSettings(cache=False), cache=False)
    async with served_limits(run):
        worker = pickle.loads(pickle.dumps(run))
        for used in ((10, 5), (12, 6)):
            worker.release(await worker.acquire("m"), used)
        in_flight = await worker.acquire("m")
        worker.release(in_flight, None)  # its worker died mid-call: no answer, no tokens
        # Only the first conversation's result came back before the worker died.
        run.absorb("c0", {"requests": 1, "input_tokens": 10, "output_tokens": 5, "cached": 2})
        assert run.usage.requests == 1
        await run.settle()
        assert (run.usage.requests, run.usage.input_tokens, run.usage.output_tokens) == (2, 22, 11)
        assert run.usage.cached == 2, "what only the results know is kept"
        await run.settle()
        assert run.usage.requests == 2, "settling again adds nothing"
        assert run.conversation_usage("c0") == {
            "input_tokens": 10,
            "output_tokens": 5,
            "requests": 1,
            "cached": 2,
            "retries": 0,
            "repairs": 0,
            "total_tokens": 15,
        }


async def test_a_pause_holds_new_calls_to_that_model_only() -> None:
    now = [0.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    limits = LocalLimits(10, clock=lambda: now[0], sleep=sleep)
    await limits.pause("m", 2.0)
    await limits.pause("m", 1.0)  # a shorter pause never cuts one already set
    assert await limits.acquire("other") is not None and waits == []
    assert await limits.acquire("m") is not None
    assert waits == [2.0], "the call to the paused model started 2 s later"


async def test_a_call_that_waited_out_a_pause_does_not_start_once_the_budget_is_spent() -> None:
    now = [0.0]
    limits: LocalLimits

    async def sleep(seconds: float) -> None:
        now[0] += seconds
        lease = await limits.acquire("other")  # another model's call spends the budget meanwhile
        limits.release(lease, (60, 60))

    limits = LocalLimits(10, max_tokens=100, clock=lambda: now[0], sleep=sleep)
    await limits.pause("m", 2.0)
    assert await limits.acquire("m") is None, "no call starts after the budget is spent"
    assert limits.spent


def _ask(text: str) -> list[ModelMessage]:
    return [ModelRequest.user_text_prompt(text)]


async def test_a_rate_limited_answer_pauses_the_other_workers_calls_to_that_model() -> None:
    limited = '{"error": {"message": "Rate limit reached", "type": "requests"}}'

    def responder(request: dict[str, object]) -> Reply:
        if len(seen.requests) == 1:
            return Reply(status=429, body=limited, headers={"retry-after": "1"})
        return Reply("Fine, thanks.")

    with ChatServer(responder) as seen:
        settings = LLMSettings(base_url=seen.base_url, cache=False, backoff_s=0.0, max_retries=2)
        run = LLMRun(settings, cache=False)
        async with served_limits(run) as limits:
            first, second = pickle.loads(pickle.dumps(run)), pickle.loads(pickle.dumps(run))
            try:
                limited_call = asyncio.create_task(
                    model_request(first.model("openai-compatible:tiny", "c0"), _ask("hi"))
                )
                for _ in range(300):  # until the 429 is answered
                    if seen.requests:
                        break
                    await asyncio.sleep(0.01)
                for _ in range(50):  # and has reached the driver's limits (at most 0.5 s)
                    if limits.paused_until:
                        break
                    await asyncio.sleep(0.01)
                await model_request(second.model("openai-compatible:tiny", "c1"), _ask("hello"))
                await limited_call
            finally:
                await first.aclose()
                await second.aclose()
    times = [at for _, at in seen.arrivals]
    assert len(times) == 3, "the 429, its retry, and the other worker's call"
    assert min(times[1:]) - times[0] >= 0.95, (
        "no call to the model started within the second its provider asked for, in any worker"
    )
