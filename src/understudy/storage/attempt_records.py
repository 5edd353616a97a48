"""Records read from the attempt store: summaries, whole attempts, session status, hashes.

Kept apart from ``attempt_store`` (which writes and queries) so the web app and the CLI can
import the shapes alone.
"""

from __future__ import annotations

import hashlib
import json
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


def content_hash(model: BaseModel) -> str:
    """Return the SHA-256 of a model's canonical JSON (sorted keys), as hex."""
    data = json.dumps(model.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


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
    """One practice session with its derived status."""

    id: int
    trainee: str
    scenario_id: str
    deadline: date | None
    attempts: int
    status: str


class AttemptRecord(BaseModel):
    """A stored attempt, whole: transcript, event log, grade and reviews."""

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

    def effective_grade(self) -> Grade | None:
        """The grade with coach overrides applied, or None before grading."""
        return self.grade.effective(self.reviews) if self.grade is not None else None
