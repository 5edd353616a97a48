"""Streaming metrics (memory flat in N) and the default concurrency of large and LLM batches."""

from __future__ import annotations

import math
import random
import tracemalloc
from pathlib import Path

import pytest

from understudy.domain.transcript import TerminationReason
from understudy.metrics.batch import ConversationOutcome, MetricsTally, compute_metrics
from understudy.runs import plan_stress_test, play
from understudy.storage.store import Store

FLOW = Path(__file__).resolve().parents[1] / "examples" / "flows" / "refund.yaml"


def _outcomes(count: int, seed: int) -> list[ConversationOutcome]:
    rng = random.Random(seed)
    reasons = list(TerminationReason)
    return [
        ConversationOutcome(
            termination_reason=rng.choice(reasons),
            off_topic=rng.random() < 0.3,
            customer_turns=rng.randint(1, 40),
            agent_turns=rng.randint(1, 40),
            fallback_turns=rng.randint(0, 3),
            off_topic_answered=rng.random() < 0.7,
        )
        for _ in range(count)
    ]


def _two_pass_mean_sd(outcomes: list[ConversationOutcome]) -> tuple[float | None, float | None]:
    """The definition the metrics module documents: a list of every completed turn count."""
    turns = [float(o.customer_turns) for o in outcomes if o.completed]
    if not turns:
        return None, None
    mean = math.fsum(turns) / len(turns)
    if len(turns) < 2:
        return mean, None
    return mean, math.sqrt(math.fsum((t - mean) ** 2 for t in turns) / (len(turns) - 1))


@pytest.mark.parametrize("count", [0, 1, 2, 37, 1000])
def test_tallied_metrics_equal_the_two_pass_definition_in_any_order(count: int) -> None:
    outcomes = _outcomes(count, seed=count)
    shuffled = list(outcomes)
    random.Random(5).shuffle(shuffled)
    forward, backward = compute_metrics(outcomes), compute_metrics(shuffled)
    assert forward.model_dump_json() == backward.model_dump_json(), "order changes nothing"
    mean, sd = _two_pass_mean_sd(outcomes)
    assert forward.mean_turns_to_completion.value == mean, "the mean is the same float"
    assert forward.mean_turns_to_completion.sd == sd, "the spread is the same float"
    assert forward.conversations == count


def test_tallies_of_shards_merge_into_the_tally_of_the_whole() -> None:
    outcomes = _outcomes(500, seed=3)
    whole = MetricsTally()
    for outcome in outcomes:
        whole.add(outcome)
    merged = MetricsTally()
    for start in range(0, 500, 120):
        shard = MetricsTally()
        for outcome in outcomes[start : start + 120]:
            shard.add(outcome)
        merged.merge(shard)
    assert merged.metrics().model_dump_json() == whole.metrics().model_dump_json()


async def test_a_batch_played_without_keeping_conversations_gives_the_same_metrics() -> None:
    kept = await play(plan_stress_test(str(FLOW), persona="typo-prone", n=30, seed=4), None)
    streamed = await play(
        plan_stress_test(str(FLOW), persona="typo-prone", n=30, seed=4),
        Store(),
        keep_conversations=False,
    )
    assert streamed.result.conversations == [], "nothing is kept in memory"
    assert streamed.result.played == 30
    assert streamed.metrics.model_dump_json() == kept.metrics.model_dump_json()
    assert Store().count_conversations(streamed.run_id or "") == 30, "everything is stored"


async def _peak_bytes(n: int) -> int:
    plan = plan_stress_test(str(FLOW), persona="typo-prone", n=n, seed=2)
    tracemalloc.start()
    try:
        await play(plan, None, keep_conversations=False)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
async def test_peak_memory_does_not_grow_with_the_number_of_conversations() -> None:
    await _peak_bytes(10)  # warm caches (intent matcher, phrasing bank) before measuring
    small, large = await _peak_bytes(40), await _peak_bytes(240)
    # Kept conversations cost about 40 KB each, so 200 more would add about 8 MB.
    assert large - small < 1_500_000, (
        f"peak memory grew by {(large - small) / 1e6:.1f} MB for 200 more conversations"
    )


def test_llm_backed_batches_default_to_every_conversation_at_once_up_to_the_model_limit() -> None:
    offline = plan_stress_test(str(FLOW), persona="typo-prone", n=50)
    assert offline.default_concurrency(lambda: 64) == 8, "offline work is CPU: 8 in flight"
    llm = plan_stress_test(str(FLOW), persona="typo-prone", n=50)
    llm.simulator_kind = "llm"  # an LLM customer: every turn waits on a model call
    assert llm.uses_model and not llm.reproducible
    assert llm.default_concurrency(lambda: 64) == 50, "all 50 fit in the model's limit"
    assert llm.default_concurrency(lambda: 16) == 16, "never more than the model allows"
