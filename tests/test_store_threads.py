"""Every database write of a stress-test or a practice call runs off the event loop's thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from understudy.agents.trainee import TraineeAgent
from understudy.content.scenarios import load_scenario, scenario_persona
from understudy.graders.base import rubric_for
from understudy.practice import regrade, run_practice
from understudy.runs import plan_stress_test, play
from understudy.storage.attempt_store import AttemptStore
from understudy.storage.store import Store

pytestmark = pytest.mark.usefixtures("database")

REPO = Path(__file__).resolve().parents[1]
RETAIL = REPO / "examples" / "scenarios" / "practice-retail-return.yaml"
GOOD = REPO / "examples" / "scripts" / "practice-retail-return-good.txt"


def _recording(cls: type[Any], names: tuple[str, ...], seen: list[tuple[str, int]]) -> Any:
    """An instance of ``cls`` whose methods ``names`` note the thread they run on."""

    def wrap(name: str) -> Callable[..., Any]:
        method = getattr(cls, name)

        def recorded(self: Any, *args: Any, **kwargs: Any) -> Any:
            seen.append((name, threading.get_ident()))
            return method(self, *args, **kwargs)

        return recorded

    return type(f"Recording{cls.__name__}", (cls,), {n: wrap(n) for n in names})()


def test_a_stress_test_writes_its_run_and_conversations_off_the_loop() -> None:
    seen: list[tuple[str, int]] = []
    store = _recording(Store, ("create_run", "save_conversations", "finish_run"), seen)
    plan = plan_stress_test(str(REPO / "examples" / "flows" / "refund.yaml"), n=3, seed=1)
    loop: list[int] = []

    async def main() -> None:
        loop.append(threading.get_ident())
        await play(plan, store)

    asyncio.run(main())
    assert sorted({name for name, _ in seen}) == ["create_run", "finish_run", "save_conversations"]
    on_loop = [name for name, thread in seen if thread == loop[0]]
    assert on_loop == [], f"these writes ran on the event loop's thread: {on_loop}"


def test_a_practice_call_and_its_regrade_write_off_the_loop() -> None:
    seen: list[tuple[str, int]] = []
    writes = ("start_attempt", "add_message", "add_event", "finish_attempt", "save_grade")
    store = _recording(AttemptStore, (*writes, "get", "scenario_snapshot"), seen)
    scenario, path = load_scenario(RETAIL)
    persona = scenario_persona(scenario, path)
    rubric = rubric_for(scenario, None)
    lines = GOOD.read_text(encoding="utf-8").splitlines()
    loop: list[int] = []

    async def main() -> None:
        loop.append(threading.get_ident())
        outcome = await run_practice(
            scenario,
            persona,
            TraineeAgent(),
            trainee_name="kim",
            rubric=rubric,
            store=store,
            seed=3,
            script=lines,
            opening_pause_s=0.0,
        )
        await regrade(store, outcome.attempt_id)

    asyncio.run(main())
    assert set(writes) <= {name for name, _ in seen}, "every kind of write happened"
    on_loop = sorted({name for name, thread in seen if thread == loop[0]})
    assert on_loop == [], f"these store calls ran on the event loop's thread: {on_loop}"
