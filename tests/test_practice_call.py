"""A practice call driven from outside, as a web page would: lines, pause, resume, end, grade."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from understudy.content.loader import load_model
from understudy.content.personas import resolve_persona
from understudy.domain.persona import Persona
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import Role, TerminationReason
from understudy.engine.clock import ManualClock, PausableClock
from understudy.engine.events import ConversationEnded, MessageAdded
from understudy.graders.base import rubric_for
from understudy.practice import PracticeCall, start_practice
from understudy.storage.attempt_store import AttemptStore
from understudy.testing import RecordingObserver

pytestmark = pytest.mark.usefixtures("database")

SCENARIO_PATH = (
    Path(__file__).resolve().parents[1] / "examples/scenarios/practice-retail-return.yaml"
)


def scenario_and_persona(**changes: object) -> tuple[Scenario, Persona]:
    scenario = load_model(Scenario, SCENARIO_PATH).model_copy(update=changes)
    return scenario, resolve_persona(str(SCENARIO_PATH.parent / scenario.persona))


async def customer_has_spoken(call: PracticeCall) -> None:
    """Wait until the call waits for the trainee (the customer's line is in)."""
    await asyncio.wait_for(call.trainee.waiting.wait(), timeout=5)


def test_a_pausable_clock_leaves_the_pause_out() -> None:
    inner = ManualClock()
    clock = PausableClock(inner)
    inner.advance(5)
    clock.pause()
    inner.advance(100)
    assert clock.now() == 5, "no time passes while paused"
    clock.resume()
    inner.advance(1)
    assert clock.now() == 6, "time runs again after resume, the pause left out"


async def test_a_call_fed_line_by_line_is_stored_graded_and_observed() -> None:
    scenario, persona = scenario_and_persona()
    store = AttemptStore()
    seen = RecordingObserver()
    call = await start_practice(
        scenario,
        persona,
        trainee_name="sam",
        rubric=rubric_for(scenario, None),
        store=store,
        clock=ManualClock(),
        seed=7,
        opening_pause_s=0,
        observers=[seen],
    )
    await customer_has_spoken(call)
    call.say("Hello, thank you for calling, how can I help you today?")
    await customer_has_spoken(call)
    call.end("Goodbye.")
    outcome = await call.finish()
    assert outcome.result.termination_reason is TerminationReason.trainee_ended
    agent_lines = [m.text for m in outcome.result.messages if m.role is Role.agent]
    assert agent_lines == ["Hello, thank you for calling, how can I help you today?", "Goodbye."]
    assert outcome.grade is not None and outcome.grade.criteria, "a rubric was given: graded"
    assert await call.finish() is outcome, "finish() grades once"
    stored = store.get(call.attempt_id)
    assert [m.text for m in stored.messages] == [m.text for m in outcome.result.messages]
    assert stored.grade is not None and stored.grade.overall == outcome.grade.overall
    kinds = {type(e) for e in seen.events}
    assert {MessageAdded, ConversationEnded} <= kinds, "observers see the call as it happens"


async def test_a_call_ended_by_the_silence_timeout_is_stored_as_silence_timeout() -> None:
    scenario, persona = scenario_and_persona()
    store = AttemptStore()
    call = await start_practice(
        scenario,
        persona,
        trainee_name="sam",
        rubric=None,
        store=store,
        clock=ManualClock(),
        seed=7,
        opening_pause_s=0,
    )
    await customer_has_spoken(call)
    call.end_on_silence()
    outcome = await call.finish()
    assert outcome.result.termination_reason is TerminationReason.silence_timeout
    assert store.get(call.attempt_id).termination_reason == "silence_timeout"
    assert not [m for m in outcome.result.messages if m.role.value == "agent" and m.text], (
        "the silence ends the call without a trainee line"
    )


async def test_a_paused_call_does_not_run_out_of_time_while_paused() -> None:
    scenario, persona = scenario_and_persona(time_limit_s=0.4)
    call = await start_practice(
        scenario,
        persona,
        trainee_name="sam",
        rubric=None,
        store=AttemptStore(),
        opening_pause_s=0,
    )
    await customer_has_spoken(call)
    call.pause()
    await asyncio.sleep(0.6)
    assert not call.done, "the 0.4 s limit should not run while the call is paused"
    assert call.elapsed_s < 0.4
    call.resume()
    call.end("Thanks for calling.")
    outcome = await call.finish()
    assert outcome.result.termination_reason is TerminationReason.trainee_ended
    assert outcome.result.duration_s < 0.4, "the paused time is not part of the call's length"


async def test_an_unpaused_silent_call_runs_out_of_time() -> None:
    scenario, persona = scenario_and_persona(time_limit_s=0.3)
    call = await start_practice(
        scenario, persona, trainee_name="sam", rubric=None, store=AttemptStore(), opening_pause_s=0
    )
    outcome = await asyncio.wait_for(call.finish(), timeout=5)
    assert outcome.result.termination_reason is TerminationReason.time_limit


async def test_a_cancelled_call_keeps_its_transcript_as_interrupted() -> None:
    scenario, persona = scenario_and_persona()
    store = AttemptStore()
    call = await start_practice(
        scenario,
        persona,
        trainee_name="sam",
        rubric=None,
        store=store,
        clock=ManualClock(),
        opening_pause_s=0,
    )
    await customer_has_spoken(call)
    await call.cancel()
    stored = store.get(call.attempt_id)
    assert stored.status == "interrupted"
    assert [m.role for m in stored.messages] == [Role.customer], "the opening line is kept"
