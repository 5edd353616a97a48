"""Several writers at once lose nothing, on SQLite and on PostgreSQL.

Two processes and four threads write at the same time: stress-test runs with their
conversations, and practice attempts with their turns and events (two of the threads are one
trainee practising the same scenario in two windows). Afterwards every run holds all its
conversations, every attempt all its turns, and the trainee's attempts are numbered 1..n in one
session. SQLite gets there by WAL and the busy timeout the library sets (``storage.db``);
PostgreSQL by its own locking.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from batch_fakes import DiceAgent, dice_simulators, scenario
from understudy.content.loader import load_model
from understudy.content.personas import resolve_persona
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import Message, Role
from understudy.runs.batch import run_batch
from understudy.storage.attempt_store import AttemptStore
from understudy.storage.store import RunSpec, Store
from understudy.testing import FakeClock

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("database")]

TESTS = Path(__file__).resolve().parent
SCENARIO = TESTS.parent / "examples" / "scenarios" / "practice-retail-return.yaml"
CONVERSATIONS = 20
ATTEMPTS = 3
TURNS = 6

WRITER = """
import asyncio, sys
sys.path.insert(0, {tests!r})
import test_concurrent_writers as w
w.write_run(sys.argv[1])
w.write_attempts(sys.argv[2])
"""


def write_run(seed: str) -> None:
    """Play a dice batch of ``CONVERSATIONS`` and store the run as a stress-test does."""
    store = Store()
    run_id = store.create_run(
        RunSpec(
            agent_kind="flow", agent_ref="dice", persona_id="calm", simulator_kind="dice",
            seed=seed, n=CONVERSATIONS, concurrency=4,
        )
    )  # fmt: skip
    result = asyncio.run(
        run_batch(
            DiceAgent,
            dice_simulators,
            [scenario()],
            n=CONVERSATIONS,
            seed=seed,
            concurrency=4,
            clock_factory=FakeClock,
            on_conversation_end=lambda c: store.save_conversation(
                run_id, c.index, c.result, scenario_id="dice", seed=c.seed
            ),
        )
    )
    store.finish_run(run_id, metrics=result.metrics())


def write_attempts(trainee: str) -> None:
    """Practise the retail-return scenario ``ATTEMPTS`` times, each with ``TURNS`` turns."""
    practice = load_model(Scenario, SCENARIO)
    persona = resolve_persona(str(SCENARIO.parent / practice.persona))
    store = AttemptStore()
    for _ in range(ATTEMPTS):
        attempt = store.start_attempt(trainee, practice, persona)
        for index in range(1, TURNS + 1):
            role = Role.customer if index % 2 else Role.agent
            store.add_message(attempt, Message(index=index, role=role, text=f"line {index}"))
            store.add_event(attempt, "turn", index, float(index), {"by": trainee})
        store.finish_attempt(attempt, "goal_met", "", float(TURNS))


def test_writers_in_threads_and_processes_at_once_lose_nothing(understudy_home: Path) -> None:
    code = WRITER.format(tests=str(TESTS))
    env = {**os.environ, "UNDERSTUDY_HOME": str(understudy_home)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code, seed, trainee],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed, trainee in (("101", "pat"), ("102", "lee"))
    ]
    failures: list[BaseException] = []

    def guarded(target: object, *args: str) -> threading.Thread:
        def body() -> None:
            try:
                target(*args)  # type: ignore[operator]
            except BaseException as exc:  # reported below, with the thread's work
                failures.append(exc)

        return threading.Thread(target=body)

    threads = [
        guarded(write_run, "1"),
        guarded(write_run, "2"),
        guarded(write_attempts, "sam"),
        guarded(write_attempts, "sam"),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    for process in processes:
        _out, err = process.communicate(timeout=180)
        assert process.returncode == 0, f"a writer process failed:\n{err}"
    assert not failures, f"a writer thread failed: {failures!r}"

    store = Store()
    runs = store.list_runs()
    assert len(runs) == 4, "every writer's run is stored"
    for run in runs:
        assert run.status == "finished", f"run {run.id} finished"
        assert store.count_conversations(run.id) == CONVERSATIONS, f"run {run.id} landed whole"
    attempts = AttemptStore()
    summaries = attempts.list_attempts()
    by_trainee = {
        name: [s for s in summaries if s.trainee == name] for name in ("sam", "pat", "lee")
    }
    assert {k: len(v) for k, v in by_trainee.items()} == {
        "sam": 2 * ATTEMPTS, "pat": ATTEMPTS, "lee": ATTEMPTS
    }, "every attempt is stored"  # fmt: skip
    for summary in summaries:
        record = attempts.get(summary.id)
        assert [m.index for m in record.messages] == list(range(1, TURNS + 1)), (
            f"attempt {summary.id} keeps every turn, in order"
        )
        assert len(record.events) == TURNS, f"attempt {summary.id} keeps every event"
    sessions = attempts.list_sessions(trainee="sam")
    assert [s.attempts for s in sessions] == [2 * ATTEMPTS], (
        "one trainee practising one scenario in two windows has one session with every attempt"
    )
    numbers = sorted(s.number for s in by_trainee["sam"])
    assert numbers == list(range(1, 2 * ATTEMPTS + 1)), (
        "attempts of one session are numbered 1..n, no number given twice"
    )
