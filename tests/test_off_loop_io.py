"""Blocking I/O (database writes, replay-cache files) runs off the event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

import understudy.cli.practice  # noqa: F401  (registers the commands)
from understudy.domain.persona import Knowledge, Persona
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.engine.events import Observer
from understudy.llm.cache import ReplayCache
from understudy.llm.run import LLMRun
from understudy.llm.settings import LLMSettings
from understudy.practice.recorder import AttemptRecorder
from understudy.runs import plan_stress_test, play
from understudy.simulators.llm import LLMSimulator
from understudy.storage.attempt_store import AttemptStore
from understudy.storage.store import FinishedConversation, Store
from understudy.testing import FakeModel, ScriptedAgent, run_one

pytestmark = pytest.mark.usefixtures("database")

REPO = Path(__file__).resolve().parents[1]


FLOW = REPO / "examples" / "flows" / "refund.yaml"


PERSONA = Persona(id="maya", name="Maya", knowledge=Knowledge(knows={"email": "m@example.com"}))


SCENARIO = Scenario(
    id="refund", persona="maya", goal=CustomerGoal(reason_for_call="get a refund for a kettle")
)


def scripted(*lines: str) -> FakeModel:
    """Says ``lines`` in order, then the last one again."""
    return FakeModel(*lines, default=lines[-1])


def customer(model: FakeModel) -> LLMSimulator:
    import random

    run = LLMRun(LLMSettings(cache=False))
    return LLMSimulator(PERSONA, SCENARIO, random.Random(0), run=run, llm_model=model)


class ThreadRecordingStore(Store):
    """A store that records which thread each conversation was saved on."""

    threads: list[int]

    def save_conversations(
        self, run_id: str, finished: Sequence[FinishedConversation], *, skip_stored: bool = False
    ) -> None:
        self.threads.extend(threading.get_ident() for _ in finished)
        super().save_conversations(run_id, finished, skip_stored=skip_stored)


def test_conversations_are_saved_off_the_event_loop_thread() -> None:
    store = ThreadRecordingStore()
    store.threads = []
    plan = plan_stress_test(str(FLOW), n=4, concurrency=2, seed=1)
    loop_thread = threading.get_ident()
    outcome = asyncio.run(play(plan, store))
    assert len(store.threads) == 4
    assert loop_thread not in store.threads, "commits should not run on the event loop's thread"
    assert Store().count_conversations(outcome.run_id or "") == 4


async def test_the_attempt_recorder_writes_off_the_event_loop() -> None:
    seen: list[int] = []

    class Recording(AttemptStore):
        def add_event(self, *args: Any, **kwargs: Any) -> None:
            seen.append(threading.get_ident())
            super().add_event(*args, **kwargs)

    store = Recording()
    scenario = Scenario.model_validate(
        {"id": "s", "persona": "calm", "goal": {"reason_for_call": "refund"}, "max_turns": 1}
    )
    attempt = store.start_attempt("pat", scenario, PERSONA)
    observer: Observer = AttemptRecorder(store, attempt)
    await run_one(ScriptedAgent(["Hello."]), scenario=scenario, observers=[observer])
    assert seen, "events should be recorded"
    assert threading.get_ident() not in seen, "writes should not run on the event loop's thread"
    assert store.get(attempt).messages, "the transcript is stored"


async def test_replay_cache_files_are_read_and_written_off_the_event_loop(tmp_path: Path) -> None:
    threads: list[int] = []

    class Cache(ReplayCache):
        def get(self, key: str) -> bytes | None:
            threads.append(threading.get_ident())
            return super().get(key)

        def put(self, key: str, data: bytes) -> None:
            threads.append(threading.get_ident())
            super().put(key, data)

    run = LLMRun(LLMSettings())
    run.cache = Cache(tmp_path)
    simulator = customer(scripted("Hi.", "Bye. [END]"))
    simulator.run = run
    await run_one(ScriptedAgent(["Hello."]), scenario=SCENARIO, simulator=simulator)
    assert threads, "the cache should be used"
    assert threading.get_ident() not in threads, "cache I/O should not block the event loop"
