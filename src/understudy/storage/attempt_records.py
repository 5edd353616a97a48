"""Records read from the attempt store: summaries, whole attempts, session status.

Kept apart from ``attempt_store`` (which writes and queries) so the web app and the CLI can
import the shapes alone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel

from understudy.domain.grade import CoachReview, Grade
from understudy.domain.transcript import Message

Now = Callable[[], datetime]


def utc_now() -> datetime:
    """Return the current UTC time as a naive datetime (the stored convention)."""
    return datetime.now(UTC).replace(tzinfo=None)


def session_status(has_finished_attempt: bool, deadline: date | None, today: date) -> str:
    """Return a practice session's status: ``Completed``, ``Overdue`` or ``To do``.

    Completed once it has a finished attempt; otherwise Overdue when ``today`` is past the
    deadline; otherwise To do.
    """
    if has_finished_attempt:
        return "Completed"
    if deadline is not None and today > deadline:
        return "Overdue"
    return "To do"


class AttemptSummary(BaseModel):
    """One line of ``attempts list``."""

    id: int
    number: int
    trainee: str
    scenario_id: str
    started_at: datetime
    duration_s: float
    termination_reason: str
    status: str
    evaluation_status: str
    overall: float | None


class SessionSummary(BaseModel):
    """One practice session with its derived status.

    Attributes:
        id: session id.
        trainee: who practises.
        scenario_id: the scenario's id.
        deadline: the date by which an attempt is expected (inclusive), if any.
        attempts: every attempt, finished or interrupted.
        status: ``To do``, ``Completed`` or ``Overdue`` (``Removed`` for a removed assignment).
        scenario_name: the scenario's display name when assigned or first practised.
        per_week: expected finished attempts per week (Monday to Sunday), if set.
        this_week: finished attempts started in the week containing the report date.
        late: completed, but the first finished attempt started after the deadline.
        assigned: a coach assigned it (``understudy assign``); False when self-started.
        assigned_by: who assigned it, if recorded.
        instructions: shown to the trainee before each attempt.
        created_at: when the session was created (naive UTC).
        last_attempt_at: when the newest attempt started (naive UTC), if any.
        removed: the assignment was removed (``unassign --force``); its attempts are kept.
    """

    id: int
    trainee: str
    scenario_id: str
    deadline: date | None
    attempts: int
    status: str
    scenario_name: str = ""
    per_week: int | None = None
    this_week: int = 0
    late: bool = False
    assigned: bool = False
    assigned_by: str | None = None
    instructions: str = ""
    created_at: datetime | None = None
    last_attempt_at: datetime | None = None
    removed: bool = False


class EarlierGrade(BaseModel):
    """A grade an attempt had before it was graded again (``attempts regrade``).

    Attributes:
        number: 1 for the first grade, then 2, 3...
        rubric_id: the rubric it used.
        grader: the grader that made it.
        overall: its overall score 0..1, with the coach overrides made on it applied.
        graded_at: when it was made (naive UTC).
        reviews: coach reviews made on it.
    """

    number: int
    rubric_id: str
    grader: str
    overall: float
    graded_at: datetime
    reviews: int = 0


class AttemptRecord(BaseModel):
    """A stored attempt, whole: transcript, event log, grade and reviews.

    ``grade`` is the current (newest) grade and ``reviews`` the coach reviews made on it;
    ``earlier_grades`` lists the grades it replaced, oldest first.
    """

    id: int
    number: int
    trainee: str
    scenario_id: str
    scenario_hash: str
    persona_id: str
    persona_hash: str
    rubric_id: str | None
    seed: str | None
    started_at: datetime
    ended_at: datetime | None
    duration_s: float
    termination_reason: str
    detail: str
    status: str
    evaluation_status: str
    messages: list[Message]
    events: list[dict[str, Any]]
    grade: Grade | None
    reviews: list[CoachReview]
    grade_number: int | None = None
    earlier_grades: list[EarlierGrade] = []

    def effective_grade(self) -> Grade | None:
        """The grade with coach overrides applied, or None before grading."""
        return self.grade.effective(self.reviews) if self.grade is not None else None
