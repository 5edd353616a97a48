"""Grade, regrade and review practice attempts.

``grade_attempt`` grades a finished call and stores the grade; ``regrade`` grades a stored
attempt again from its transcript and scenario snapshot (another rubric or grader); ``review``
adds a coach's note and score overrides. Each returns domain objects; none prints. The async
ones read and write the store off the event loop (``asyncio.to_thread``).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from understudy.domain.grade import Grade
from understudy.domain.rubric import Rubric
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import ConversationResult, TerminationReason
from understudy.errors import ConfigError
from understudy.graders.base import Grader, make_grader, rubric_for
from understudy.storage.attempt_store import AttemptRecord, AttemptStore

if TYPE_CHECKING:
    from understudy.llm.run import LLMRun


async def grade_attempt(
    store: AttemptStore,
    attempt_id: int,
    result: ConversationResult,
    rubric: Rubric,
    scenario: Scenario,
    grader: Grader | None = None,
) -> Grade:
    """Grade a finished call against ``rubric`` and store the grade on its attempt.

    Args:
        store: the attempt store.
        attempt_id: the attempt the call belongs to.
        result: the finished call.
        rubric: the rubric to grade with.
        scenario: the scenario practised (its evaluation instructions, exit conditions...).
        grader: the grader; the offline (rule-based) grader when None.

    Returns:
        The stored grade.
    """
    grade = await (grader or make_grader("offline")).grade(result, rubric, scenario)
    await asyncio.to_thread(store.save_grade, attempt_id, grade)
    return grade


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
    from understudy.components import model_options, needs_model
    from understudy.graders.base import GRADERS

    if model is not None and not needs_model(GRADERS, grader):
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
        if needs_model(GRADERS, grader):
            from understudy.llm.run import LLMRun

            run = LLMRun()
            # a missing key fails here, before the transcript is sent
            options = model_options(GRADERS, grader, model, run)
        grade = await make_grader(grader, **options).grade(result, rubric, scenario)
    finally:
        if run is not None:
            await run.aclose()
    await asyncio.to_thread(store.save_grade, attempt_id, grade)
    return grade


def review(
    store: AttemptStore,
    attempt_id: int,
    coach: str,
    note: str = "",
    overrides: dict[str, float] | None = None,
) -> AttemptRecord:
    """Add a coach review to an attempt's current grade and return the updated attempt.

    Args:
        store: the attempt store.
        attempt_id: the attempt.
        coach: who reviews.
        note: feedback for the trainee.
        overrides: criterion id -> score (0..1) replacing the grader's score.

    Returns:
        The attempt as stored now (``effective_grade()`` applies the overrides).

    Raises:
        NotFoundError: no such attempt.
        ConfigError: an override names a criterion the grade does not have, or a score
            outside 0..1.
    """
    store.add_review(attempt_id, coach, note, overrides or {})
    return store.get(attempt_id)
