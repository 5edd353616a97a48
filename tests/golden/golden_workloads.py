"""Play the two golden workloads and return what a user would see of them, as JSON-ready data.

The workloads (fixed files, fixed seeds, simulated time, so every run gives the same output):

* ``stress``: the example refund flow against the ``typo-prone`` persona, 10 conversations,
  seed 1, offline simulator, recorded in a store: per conversation its seed, scenario, ending,
  detail and transcript (text, clean text, acts, moods, times, fallbacks, meta), and the metrics.
* ``practice``: the tau2 retail-return practice scenario, seed 7, the trainee played from the
  good example script with 2 s of typing per reply, on a manual clock, stored and graded by the
  offline grader: transcript, ending and grade.

This module is the only place the golden test touches the library's API: when a function moves,
change the import here, never the golden files.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
FLOW = REPO / "examples" / "flows" / "refund.yaml"
SCENARIO = REPO / "examples" / "scenarios" / "practice-retail-return.yaml"
SCRIPT = REPO / "examples" / "scripts" / "practice-retail-return-good.txt"


def _messages(messages: list[Any]) -> list[dict[str, Any]]:
    return [m.model_dump(mode="json") for m in messages]


def stress() -> dict[str, Any]:
    """Play the golden stress-test; return its conversations and metrics."""
    from understudy.runs import plan_stress_test, play
    from understudy.storage.store import Store

    plan = plan_stress_test(str(FLOW), persona="typo-prone", n=10, seed=1, concurrency=4)
    outcome = asyncio.run(play(plan, Store()))
    conversations = [
        {
            "index": c.index,
            "seed": c.seed,
            "scenario": c.scenario.id,
            "termination_reason": c.result.termination_reason.value,
            "detail": c.result.detail,
            "error": c.result.error,
            "duration_s": c.result.duration_s,
            "moods": [m.value for m in c.result.moods],
            "messages": _messages(c.result.messages),
        }
        for c in outcome.result.conversations
    ]
    return {
        "status": "interrupted" if outcome.stopped else "finished",
        "metrics": outcome.metrics.model_dump(mode="json"),
        "conversations": conversations,
    }


def practice() -> dict[str, Any]:
    """Play the golden practice call; return its transcript, ending and grade."""
    from understudy.agents.trainee import TraineeAgent, read_script
    from understudy.content.scenarios import load_scenario, scenario_persona
    from understudy.engine.clock import ManualClock
    from understudy.graders.base import rubric_for
    from understudy.practice import run_practice
    from understudy.storage.attempt_store import AttemptStore

    scenario, base = load_scenario(str(SCENARIO))
    persona = scenario_persona(scenario, base, None)
    outcome = asyncio.run(
        run_practice(
            scenario,
            persona,
            TraineeAgent(),
            trainee_name="golden",
            rubric=rubric_for(scenario, None),
            store=AttemptStore(),
            clock=ManualClock(),
            seed=7,
            script=read_script(SCRIPT),
            seconds_per_reply=2.0,
        )
    )
    assert outcome.grade is not None
    return {
        "termination_reason": outcome.result.termination_reason.value,
        "detail": outcome.result.detail,
        "duration_s": outcome.result.duration_s,
        "moods": [m.value for m in outcome.result.moods],
        "messages": _messages(outcome.result.messages),
        "grade": outcome.grade.model_dump(mode="json"),
    }


WORKLOADS = {"stress": stress, "practice": practice}
