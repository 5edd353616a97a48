"""``--workers N``: a batch sharded over processes gives the same transcripts and metrics, loses
nothing when a worker dies, and records a conversation whose worker always dies as an error."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import signal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from understudy.cli.app import app
from understudy.errors import ConfigError
from understudy.runs import BatchConversation, plan_stress_test, play
from understudy.runs.batch import RegisteredSimulators
from understudy.runs.workers import WORKER_DIED
from understudy.storage.store import Store
from worker_faults import DiesOnOne

FLOW = Path(__file__).resolve().parents[1] / "examples" / "flows" / "refund.yaml"
runner = CliRunner()


def _stored(run_id: str) -> list[str]:
    """The run's stored transcripts, by index (without the id, which names the run)."""
    store = Store()
    return [t.model_dump_json(exclude={"conversation_id"}) for t in store.transcripts(run_id)]


async def _played(n: int, workers: int, **kw: object) -> tuple[str, str]:
    plan = plan_stress_test(str(FLOW), persona="typo-prone", n=n, seed=9)
    outcome = await play(plan, Store(), workers=workers, keep_conversations=False, **kw)  # type: ignore[arg-type]
    assert outcome.run_id is not None
    return outcome.run_id, outcome.metrics.model_dump_json()


@pytest.mark.slow
@pytest.mark.usefixtures("database")
async def test_two_workers_store_the_same_transcripts_and_metrics_as_one_process() -> None:
    one, one_metrics = await _played(40, workers=1)
    reported: list[BatchConversation] = []
    two, two_metrics = await _played(40, workers=2, on_conversation_end=reported.append)
    assert _stored(two) == _stored(one), "every transcript is the same whatever the workers"
    assert two_metrics == one_metrics
    assert Store().get_run(two).status == "finished"
    # Each worker committed its own conversations: none of the transcripts came back.
    assert sorted(c.index for c in reported) == list(range(40))
    assert all(c.stored and not c.result.messages for c in reported)


@pytest.mark.slow
async def test_a_worker_killed_midway_loses_nothing_and_duplicates_nothing() -> None:
    reference, reference_metrics = await _played(60, workers=1)
    killed: list[int] = []

    def kill_one_worker(done: BatchConversation) -> None:
        workers = [p for p in multiprocessing.active_children() if p.pid]
        if not killed and done.index >= 10 and workers:
            pid = workers[0].pid
            assert pid is not None
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    run_id, metrics = await _played(60, workers=2, on_conversation_end=kill_one_worker)
    assert killed, "a worker was killed while the batch played"
    store = Store()
    assert [r.index for r in store.conversations(run_id)] == list(range(60)), "each stored once"
    assert _stored(run_id) == _stored(reference), "the re-played conversations are identical"
    assert metrics == reference_metrics


@pytest.mark.slow
async def test_a_conversation_that_always_kills_its_worker_is_recorded_as_an_error() -> None:
    plan = plan_stress_test(str(FLOW), persona="typo-prone", n=40, seed=9)  # two per hand-out
    assert isinstance(plan.simulator_factory, RegisteredSimulators)
    plan.simulator_factory = DiesOnOne(plan.simulator_factory, plan.seed, 5)
    outcome = await play(plan, Store(), workers=2)
    assert [c.index for c in outcome.result.conversations] == list(range(40))
    died = [c for c in outcome.result.conversations if c.result.error]
    assert [c.index for c in died] == [5], "only the conversation that kills its worker is lost"
    assert died[0].result.error == WORKER_DIED
    assert outcome.metrics.errors == 1 and outcome.metrics.conversations == 40


def test_an_agent_that_cannot_be_sent_to_a_worker_is_refused_before_the_run_starts() -> None:
    plan = plan_stress_test(str(FLOW), persona="typo-prone", n=4, seed=9)
    factory = plan.agent_factory
    plan.agent_factory = lambda: factory()
    with pytest.raises(ConfigError, match="--workers 1"):
        asyncio.run(play(plan, Store(), workers=2))
    assert Store().list_runs() == [], "nothing was recorded"


@pytest.mark.slow
def test_the_cli_shards_a_batch_over_workers() -> None:
    result = runner.invoke(
        app, ["stress-test", str(FLOW), "-p", "typo-prone", "-n", "16", "--workers", "2", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["played"] == 16 and report["status"] == "finished"
    single = runner.invoke(
        app, ["stress-test", str(FLOW), "-p", "typo-prone", "-n", "16", "--json"]
    )
    assert json.loads(single.output)["metrics"] == report["metrics"]
