"""Run one practice attempt: the trainee against the user simulator, stored and graded.

``run_practice`` creates the attempt, runs the engine with the trainee as the agent and the
recorder among the observers, then grades the transcript and stores the grade. The customer
speaks first by default (the scenario's ``first_speaker``), after a short pause
(``OPENING_PAUSE_S``, on the injected clock) so the opening line does not land before the
trainee has looked up from the briefing. The call ends on ``/end`` (``trainee_ended``), an exit
condition (``goal_met``), the time limit (``time_limit``, default 600 s) or the customer leaving.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from understudy.agents.trainee import TraineeAgent, feed_script
from understudy.domain.grade import Grade
from understudy.domain.persona import Persona
from understudy.domain.rubric import Rubric
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import ConversationResult, TerminationReason
from understudy.engine.clock import Clock, SystemClock
from understudy.engine.events import Observer
from understudy.engine.loop import PRACTICE_CLOSING_TURNS, EngineSettings, run_conversation
from understudy.engine.seams import ConversationState, CustomerTurn, UserSimulator
from understudy.errors import ConfigError
from understudy.graders.base import Grader, make_grader, rubric_for
from understudy.practice.recorder import AttemptRecorder
from understudy.simulators import make_simulator
from understudy.storage.attempt_store import AttemptStore

if TYPE_CHECKING:
    from understudy.llm.run import LLMRun

OPENING_PAUSE_S = 1.5
"""Seconds the customer waits before the opening line (by design, like a real call)."""


class OpeningPause(UserSimulator):
    """Wraps a user simulator so its first turn comes after ``pause_s`` on ``clock``.

    Args:
        inner: the simulator that plays the customer.
        clock: the conversation's clock.
        pause_s: seconds to wait before the first turn.
    """

    name = "opening-pause"

    def __init__(self, inner: UserSimulator, clock: Clock, pause_s: float) -> None:
        self.inner = inner
        self.clock = clock
        self.pause_s = pause_s
        self._first = True

    async def respond(self, state: ConversationState) -> CustomerTurn:
        """Pause before the first turn, then delegate."""
        if self._first:
            self._first = False
            if self.pause_s > 0 and not state.messages:
                await self.clock.sleep(self.pause_s)
        return await self.inner.respond(state)


@dataclass
class PracticeOutcome:
    """What a practice attempt produced.

    Attributes:
        attempt_id: id of the stored attempt.
        result: the conversation result (transcript, termination reason).
        grade: the grade, or None when grading was skipped.
    """

    attempt_id: int
    result: ConversationResult
    grade: Grade | None


async def run_practice(
    scenario: Scenario,
    persona: Persona,
    trainee: TraineeAgent,
    *,
    trainee_name: str,
    rubric: Rubric | None,
    store: AttemptStore,
    clock: Clock | None = None,
    seed: int | str = 0,
    script: Sequence[str] | None = None,
    seconds_per_reply: float = 0.0,
    opening_pause_s: float = OPENING_PAUSE_S,
    observers: Sequence[Observer] = (),
    simulator: UserSimulator | None = None,
    grader: Grader | None = None,
) -> PracticeOutcome:
    """Run, store and grade one practice attempt.

    Args:
        scenario: the scenario practised.
        persona: the customer's persona.
        trainee: the agent side; its queue is filled by a prompt, a WebSocket or ``script``.
        trainee_name: who is practising (stored on the attempt).
        rubric: the rubric to grade with; None skips grading.
        store: where the attempt is stored.
        clock: the conversation's clock (system clock when None).
        seed: seeds the simulator's random generator.
        script: replies to feed the trainee's queue in order (``/end`` is added when missing).
        seconds_per_reply: with ``script``, the trainee's typing time per reply, in seconds.
        opening_pause_s: seconds before the customer's opening line.
        observers: more observers (terminal display, WebSocket push...).
        simulator: the customer; the offline user simulator when None.
        grader: the grader; the offline grader when None.

    Returns:
        The attempt id, the result and the grade.
    """
    clock = clock or SystemClock()
    attempt_id = await asyncio.to_thread(
        store.start_attempt, trainee_name, scenario, persona, rubric.id if rubric else None, seed
    )
    customer = simulator or make_simulator("offline", persona, scenario, random.Random(seed))
    customer = OpeningPause(customer, clock, opening_pause_s)
    # A person may think for a while: only the scenario's time limit bounds a reply.
    # After the exit condition the call closes naturally (the customer's goodbye, the trainee's
    # last turn), so closing is graded on what the trainee does.
    settings = EngineSettings(
        agent_timeout_s=scenario.time_limit_s + 1.0, closing_turns=PRACTICE_CLOSING_TURNS
    )
    feeder = None
    if script is not None:
        feeder = asyncio.create_task(
            feed_script(trainee, script, clock=clock, seconds_per_reply=seconds_per_reply)
        )
    try:
        result = await run_conversation(
            customer,
            trainee,
            scenario,
            conversation_id=f"attempt-{attempt_id}",
            clock=clock,
            observers=[AttemptRecorder(store, attempt_id), *observers],
            settings=settings,
            seed=seed,
        )
    finally:
        if feeder is not None:
            feeder.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await feeder
    grade = None
    if rubric is not None:
        grade = await (grader or make_grader("offline")).grade(result, rubric, scenario)
        await asyncio.to_thread(store.save_grade, attempt_id, grade)
    return PracticeOutcome(attempt_id, result, grade)


async def regrade(
    store: AttemptStore,
    attempt_id: int,
    rubric_ref: str | None = None,
    grader: str = "offline",
    *,
    model: str | None = None,
) -> Grade:
    """Grade a stored attempt again from its transcript and scenario snapshot, and store it.

    The new grade becomes the attempt's current one; earlier grades and the coach reviews made
    on them are kept (``AttemptStore.save_grade``).

    Args:
        store: the attempt store.
        attempt_id: the attempt.
        rubric_ref: rubric id or file; the attempt's rubric (or the scenario's default) when None.
        grader: grader registry name.
        model: ``provider:model`` of the LLM grader (``grader="llm"`` only); the ``llm.model``
            setting when None.

    Raises:
        NotFoundError: no such attempt, rubric or grader.
        ConfigError: ``model`` with a grader other than ``llm``, or the model cannot be set up
            (missing API key or package), found before any call.
    """
    if model is not None and grader != "llm":
        raise ConfigError("--model applies to the LLM grader: add --grader llm")
    record = await asyncio.to_thread(store.get, attempt_id)
    scenario = await asyncio.to_thread(store.scenario_snapshot, attempt_id)
    rubric = rubric_for(scenario, rubric_ref or record.rubric_id)
    try:
        reason = TerminationReason(record.termination_reason)
    except ValueError:
        reason = TerminationReason.interrupted
    result = ConversationResult(
        conversation_id=f"attempt-{attempt_id}",
        seed=record.seed,
        messages=record.messages,
        termination_reason=reason,
        detail=record.detail,
        duration_s=record.duration_s,
        moods=[m.mood for m in record.messages if m.mood is not None],
    )
    # The LLM run is built only after every lookup that can fail, so nothing leaves it open.
    run: LLMRun | None = None
    options: dict[str, Any] = {}
    try:
        if grader == "llm":
            from understudy.llm.run import LLMRun

            run = LLMRun()
            run.check_model(model)  # a missing key fails before the transcript is sent
            options = {"model": model, "run": run}
        grade = await make_grader(grader, **options).grade(result, rubric, scenario)
    finally:
        if run is not None:
            await run.aclose()
    await asyncio.to_thread(store.save_grade, attempt_id, grade)
    return grade
