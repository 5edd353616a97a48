"""Practice sessions on the engine: time limit, exit condition, /end, briefing, storage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from understudy.agents.trainee import TraineeAgent, read_script
from understudy.cli.practice_display import TerminalDisplay, briefing_renderable, status_line
from understudy.content.loader import load_model
from understudy.content.personas import resolve_persona
from understudy.domain.persona import Mood, Persona
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import Role, TerminationReason
from understudy.graders.base import load_rubric
from understudy.practice import load_documents, run_practice
from understudy.storage.attempt_store import AttemptStore
from understudy.testing import FakeClock

pytestmark = pytest.mark.usefixtures("database")

REPO = Path(__file__).resolve().parents[1]
SCENARIO_PATH = REPO / "examples" / "scenarios" / "practice-retail-return.yaml"
GOOD = REPO / "examples" / "scripts" / "practice-retail-return-good.txt"


def scenario_and_persona() -> tuple[Scenario, Persona]:
    scenario = load_model(Scenario, SCENARIO_PATH)
    persona = resolve_persona(str(SCENARIO_PATH.parent / scenario.persona))
    return scenario, persona


async def test_time_limit_ends_the_call_with_time_limit_on_a_fake_clock() -> None:
    scenario, persona = scenario_and_persona()
    scenario = scenario.model_copy(update={"time_limit_s": 300.0})
    clock = FakeClock()
    outcome = await run_practice(
        scenario,
        persona,
        TraineeAgent(),
        trainee_name="sam",
        rubric=None,
        store=AttemptStore(),
        clock=clock,
        script=["Hello, how can I help?", "Let me think.", "Still thinking.", "Hmm."],
        seconds_per_reply=120.0,
    )
    result = outcome.result
    assert result.termination_reason is TerminationReason.time_limit, result.detail
    assert 300.0 <= result.duration_s < 420.0, "the call should end at the first check past 300 s"
    stored = AttemptStore().get(outcome.attempt_id)
    assert stored.termination_reason == "time_limit" and stored.status == "finished"


async def test_exit_condition_ends_the_call_with_goal_met_and_is_graded() -> None:
    scenario, persona = scenario_and_persona()
    store = AttemptStore()
    outcome = await run_practice(
        scenario,
        persona,
        TraineeAgent(),
        trainee_name="sam",
        rubric=load_rubric("customer-service-call"),
        store=store,
        clock=FakeClock(),
        script=read_script(GOOD),
        seconds_per_reply=20.0,
    )
    assert outcome.result.termination_reason is TerminationReason.goal_met, outcome.result.detail
    stored = store.get(outcome.attempt_id)
    assert stored.evaluation_status == "Completed", "a graded attempt's evaluation is Completed"
    assert stored.grade is not None and stored.grade.criterion("resolution").score == 1.0  # type: ignore[union-attr]
    assert [m.index for m in stored.messages] == list(range(1, len(stored.messages) + 1))
    kinds = {e["kind"] for e in stored.events}
    assert {"started", "message", "act", "exit_check", "ended"} <= kinds, kinds


async def test_slash_end_ends_the_call_as_trainee_ended_and_the_customer_opens_after_a_pause() -> (
    None
):
    scenario, persona = scenario_and_persona()
    clock = FakeClock()
    outcome = await run_practice(
        scenario,
        persona,
        TraineeAgent(),
        trainee_name="sam",
        rubric=None,
        store=AttemptStore(),
        clock=clock,
        script=["Hello, thanks for calling.", "/end Sorry, I have to go."],
        opening_pause_s=1.5,
    )
    messages = outcome.result.messages
    assert outcome.result.termination_reason is TerminationReason.trainee_ended
    assert messages[0].role is Role.customer, "the customer speaks first by default"
    assert messages[0].at_s == 1.5, "the opening line comes after the designed pause"
    assert messages[-1].text == "Sorry, I have to go.", "/end TEXT says the text, then ends"


async def test_script_without_end_still_ends_the_call() -> None:
    scenario, persona = scenario_and_persona()
    outcome = await run_practice(
        scenario,
        persona,
        TraineeAgent(),
        trainee_name="sam",
        rubric=None,
        store=AttemptStore(),
        clock=FakeClock(),
        script=["Hello?"],
    )
    assert outcome.result.termination_reason is TerminationReason.trainee_ended


def test_briefing_shows_goal_persona_documents_and_time_limit() -> None:
    scenario, persona = scenario_and_persona()
    docs = load_documents(scenario, SCENARIO_PATH.parent)
    console = Console(width=100, record=True, color_system=None)
    console.print(briefing_renderable(scenario, persona, docs))
    text = console.export_text()
    assert "Your goal:" in text and "original payment method" in text
    assert "Daiki Johnson" in text, "the persona summary names the customer"
    assert "10:00" in text, "the default time limit of 600 s shows as 10:00"
    assert "Verify first." in text, "attached documents are shown in full"


async def test_status_line_shows_time_and_mood_only_when_allowed() -> None:
    assert status_line(42, 600, Mood.calm, True) == "0:42 elapsed · 9:18 left · mood: calm"
    assert "mood" not in status_line(42, 600, Mood.calm, False), "hidden when show_mood is off"
    scenario, persona = scenario_and_persona()
    console = Console(width=120, record=True, color_system=None)
    display = TerminalDisplay(console, scenario, echo_trainee=True)
    await run_practice(
        scenario,
        persona,
        TraineeAgent(),
        trainee_name="sam",
        rubric=None,
        store=AttemptStore(),
        clock=FakeClock(),
        script=["Hello!", "/end"],
        observers=[display],
    )
    text = console.export_text()
    assert "elapsed" in text and "mood:" in text, "a status line follows each customer turn"
    assert "Call ended: trainee_ended" in text


async def test_attempts_snapshot_the_scenario_and_session_status_is_derived() -> None:
    scenario, persona = scenario_and_persona()
    from datetime import date

    scenario = scenario.model_copy(update={"deadline": date(2026, 3, 1)})
    store = AttemptStore()
    first = store.start_attempt("kim", scenario, persona)
    [session] = store.list_sessions("kim", today=date(2026, 3, 2))
    assert session.status == "Overdue", "past the deadline with no finished attempt"
    assert store.list_sessions("kim", today=date(2026, 2, 1))[0].status == "To do"
    store.finish_attempt(first, "trainee_ended", "", 10.0)
    assert store.list_sessions("kim", today=date(2026, 3, 2))[0].status == "Completed"
    second = store.start_attempt("kim", scenario, persona)
    record = store.get(second)
    assert record.number == 2, "attempts are numbered within their session"
    assert store.scenario_snapshot(second) == scenario, "the scenario is kept as it was"
    assert len(record.scenario_hash) == 64
    assert json.loads(json.dumps(record.model_dump(mode="json")))["status"] == "interrupted"
