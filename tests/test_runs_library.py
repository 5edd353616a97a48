"""The stress-test library as a front end uses it: progress callbacks and live engine events."""

from __future__ import annotations

from pathlib import Path

import pytest

from understudy.engine.events import ConversationEnded, Event, MessageAdded
from understudy.runs import BatchConversation, compare_runs, plan_stress_test, play
from understudy.storage.store import Store

pytestmark = pytest.mark.usefixtures("database")

FLOW = Path(__file__).resolve().parents[1] / "examples" / "flows" / "refund.yaml"


class PerConversation:
    """Collects each conversation's engine events under its index."""

    def __init__(self) -> None:
        self.events: dict[int, list[Event]] = {}

    def __call__(self, index: int) -> list[Collector]:
        return [Collector(self.events.setdefault(index, []))]


class Collector:
    def __init__(self, into: list[Event]) -> None:
        self.into = into

    async def on_event(self, event: Event) -> None:
        self.into.append(event)


async def test_play_reports_the_run_each_conversation_and_each_turn_as_they_happen() -> None:
    plan = plan_stress_test(str(FLOW), persona="typo-prone", n=4, seed=1, concurrency=2)
    store = Store()
    started: list[str | None] = []
    ended: list[BatchConversation] = []
    live = PerConversation()
    outcome = await play(
        plan,
        store,
        on_start=started.append,
        on_conversation_end=ended.append,
        conversation_observers=live,
    )
    assert started == [outcome.run_id], "on_start gets the run id once, before playing"
    assert sorted(c.index for c in ended) == [0, 1, 2, 3]
    assert sorted(live.events) == [0, 1, 2, 3], "every conversation's events reach its observers"
    for done in outcome.result.conversations:
        events = live.events[done.index]
        messages = [e.message.text for e in events if isinstance(e, MessageAdded)]
        assert messages == [m.text for m in done.result.messages]
        assert isinstance(events[-1], ConversationEnded)
    run = store.get_run(outcome.run_id or "")
    deltas = compare_runs(store, run, run)
    assert deltas and all(d.delta in (0, 0.0, None) for d in deltas), "a run equals itself"


def test_public_names_stay_the_api_whatever_submodule_was_imported_first() -> None:
    import subprocess
    import sys

    code = (
        "import inspect, importlib\n"
        "for sub in ('batch','chat','compare','plan','player','record','rerun'):\n"
        "    importlib.import_module('understudy.runs.' + sub)\n"
        "import understudy.runs as runs\n"
        "bad = [n for n in runs.__all__ if inspect.ismodule(getattr(runs, n))]\n"
        "assert not bad, f'these names are submodules, not the API: {bad}'\n"
        "assert callable(runs.play) and callable(runs.plan_stress_test)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
