"""The run store: runs, conversations and messages survive a round trip; stale runs; two writers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from batch_fakes import DiceAgent, dice_simulators, scenario
from understudy.errors import NotFoundError
from understudy.runs.batch import run_batch
from understudy.storage.store import FinishedConversation, RunSpec, Store
from understudy.testing import FakeClock

pytestmark = pytest.mark.usefixtures("database")

TESTS = Path(__file__).resolve().parent


def spec(**overrides: object) -> RunSpec:
    values: dict[str, object] = {
        "agent_kind": "flow",
        "agent_ref": "examples/flows/dice.yaml",
        "agent_name": "Dice",
        "agent_version": "draft",
        "persona_id": "calm",
        "simulator_kind": "dice",
        "seed": "1",
        "n": 6,
        "concurrency": 2,
        "scenario_ids": ["dice"],
    }
    values.update(overrides)
    return RunSpec(**values)  # type: ignore[arg-type]


async def stored_batch(store: Store, n: int = 6) -> tuple[str, list[object]]:
    run_id = store.create_run(spec(n=n))
    result = await run_batch(
        DiceAgent,
        dice_simulators,
        [scenario()],
        n=n,
        seed=1,
        clock_factory=FakeClock,
        on_conversation_end=lambda c: store.save_conversation(
            run_id, c.index, c.result, scenario_id=c.scenario.id, seed=c.seed
        ),
    )
    store.finish_run(run_id, metrics=result.metrics())
    return run_id, [c.result for c in result.conversations]


async def test_a_stored_transcript_reads_back_message_for_message() -> None:
    store = Store()
    run_id, results = await stored_batch(store)
    for index, original in enumerate(results):
        _row, back = store.get_conversation(run_id, index)
        assert back.messages == original.messages, "text, clean text, acts, mood, meta kept"  # type: ignore[attr-defined]
        assert back.termination_reason == original.termination_reason  # type: ignore[attr-defined]
        assert back.moods == original.moods  # type: ignore[attr-defined]


async def test_finished_run_records_status_metrics_and_conversation_summaries() -> None:
    store = Store()
    run_id, _ = await stored_batch(store)
    run = store.get_run(run_id)
    assert run.status == "finished" and run.metrics is not None
    assert run.metrics["completion_rate"]["n"] == 6
    rows = store.conversations(run_id)
    assert [r.index for r in rows] == list(range(6))
    assert all(r.turns > 0 for r in rows), "customer turns counted"
    live = store.metrics_from_conversations(run_id)
    assert live.completion_rate.k == run.metrics["completion_rate"]["k"]


async def test_a_group_saved_again_after_its_worker_died_is_stored_once() -> None:
    store = Store()
    run_id = store.create_run(spec(n=4))
    played = await run_batch(
        DiceAgent, dice_simulators, [scenario()], n=4, seed=1, clock_factory=FakeClock
    )
    group = [
        FinishedConversation(c.index, c.result, c.scenario.id, c.seed) for c in played.conversations
    ]
    store.save_conversations(run_id, group[:3])  # a worker committed these, then died
    store.save_conversations(run_id, group, skip_stored=True)  # its hand-out, played again
    assert [r.index for r in store.conversations(run_id)] == [0, 1, 2, 3], "each stored once"
    for done in group:
        assert store.get_conversation(run_id, done.index)[1].messages == done.result.messages
    with pytest.raises(IntegrityError):  # without skip_stored a second copy is refused
        store.save_conversations(run_id, group[:1])
    assert store.count_conversations(run_id) == 4, "the refused group left nothing behind"


async def test_runs_are_found_by_prefix_and_last_and_unknown_ids_list_the_way_out() -> None:
    store = Store()
    run_id, _ = await stored_batch(store, n=2)
    assert store.get_run(run_id[:3]).id == run_id
    assert store.get_run("last").id == run_id
    with pytest.raises(NotFoundError, match="runs list"):
        store.get_run("zzzzzz9")
    with pytest.raises(NotFoundError, match="no conversation 9"):
        store.get_conversation(run_id, 9)


async def test_list_filters_by_flow_and_persona() -> None:
    store = Store()
    a = store.create_run(spec(agent_name="Refund", agent_ref="flows/refund.yaml"))
    b = store.create_run(spec(agent_name="Reset", agent_ref="flows/reset.yaml", persona_id="x"))
    assert [r.id for r in store.list_runs(flow="Refund")] == [a]
    assert [r.id for r in store.list_runs(flow="refund.yaml")] == [a]
    assert [r.id for r in store.list_runs(persona="x")] == [b]


def test_a_running_run_whose_process_is_gone_shows_as_interrupted() -> None:
    store = Store()
    run_id = store.create_run(spec())
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    from sqlalchemy import update

    from understudy.storage.db import open_database
    from understudy.storage.tables import RunRow

    with open_database().begin() as session:
        session.execute(update(RunRow).where(RunRow.id == run_id).values(pid=dead.pid))
    assert store.get_run(run_id).status == "interrupted", "a dead owner means interrupted"
    mine = store.create_run(spec())
    assert store.get_run(mine).status == "running", "a live owner keeps it running"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_a_pid_reused_by_a_newer_process_does_not_keep_a_dead_run_running() -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from understudy.storage.db import open_database
    from understudy.storage.tables import RunRow

    store = Store()
    run_id = store.create_run(spec())
    long_ago = datetime.now(UTC) - timedelta(days=2)
    with open_database().begin() as session:
        session.execute(update(RunRow).where(RunRow.id == run_id).values(created_at=long_ago))
    assert store.get_run(run_id).status == "interrupted", (
        "this process started after the run, so it cannot be the run's owner"
    )


WORKER = """
import asyncio, sys
sys.path.insert(0, {tests!r})
from batch_fakes import DiceAgent, dice_simulators, scenario
from understudy.runs.batch import run_batch
from understudy.storage.store import FinishedConversation, RunSpec, Store
from understudy.testing import FakeClock

store = Store()
run_id = store.create_run(RunSpec(agent_kind="flow", agent_ref="dice", persona_id="calm",
    simulator_kind="dice", seed=sys.argv[1], n=60, concurrency=4))
result = asyncio.run(run_batch(DiceAgent, dice_simulators, [scenario()], n=60, seed=sys.argv[1],
    concurrency=4, clock_factory=FakeClock, on_conversation_end=lambda c: store.save_conversation(
        run_id, c.index, c.result, scenario_id="dice", seed=c.seed)))
store.finish_run(run_id, metrics=result.metrics())
print(run_id)
"""


def test_two_batches_writing_at_once_both_land_whole(understudy_home: Path) -> None:
    env = {**os.environ, "UNDERSTUDY_HOME": str(understudy_home)}
    code = WORKER.format(tests=str(TESTS))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, seed], env=env, stdout=subprocess.PIPE, text=True
        )
        for seed in ("1", "2")
    ]
    outs = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert all(p.returncode == 0 for p in procs), "both writers succeed"
    store = Store()
    for run_id in outs:
        assert store.get_run(run_id).status == "finished"
        assert store.count_conversations(run_id) == 60, f"run {run_id} landed whole"
