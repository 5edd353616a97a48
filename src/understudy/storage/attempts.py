"""Tables of practice: sessions, attempts, their messages and event log, and coach reviews.

Created by the migration ``0002_attempts``. Times are stored as naive UTC datetimes; ``at_s`` are
seconds since the call started, from the engine's clock.

- ``practice_sessions``: one active session per (trainee, scenario), with an optional deadline.
  Its status is derived (``session_status``): Completed once it has a finished attempt, Overdue
  when the deadline has passed without one, To do otherwise. Sessions a coach assigned (migration
  ``0003_assignments``) also carry the expected frequency (``per_week``), who assigned them, the
  instructions for the trainee and when they were assigned; ``removed_at`` marks an assignment
  removed while keeping its attempts. A session started from a contact carries its id
  (``contact_id``, migration ``0012_contacts``; ``storage.contacts``).
- ``attempts``: one run of a session: number, snapshots and content hashes of the scenario and
  persona (the runs' format, ``content.hashing``: canonical JSON, the scenario as a one-item
  list; migration ``0006_one_store``), times, termination reason, status (``interrupted``
  until the call ends, then ``finished``), evaluation status (``Evaluating`` then
  ``Completed``) and the grade as JSON.
- the transcript: rows of the shared ``messages`` table (``storage.messages``), turns numbered
  from 1.
- ``attempt_events``: the event log (message, mood change, act, exit check, start, end).
- ``coach_reviews``: a coach's note and score overrides (criterion id -> 0..1), tied to the
  grade it was made on (``grade_id``, migration ``0004_grade_history``).
- ``attempt_grades``: every grade an attempt was given, in order (``attempts regrade`` adds one;
  ``attempts.grade_json`` holds the newest).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from understudy.storage.db import Base

if TYPE_CHECKING:
    from understudy.storage.messages import MessageRow

ATTEMPT_INTERRUPTED = "interrupted"
ATTEMPT_FINISHED = "finished"
EVALUATING = "Evaluating"
EVALUATED = "Completed"
NOT_EVALUATED = "Not evaluated"


class PracticeSessionRow(Base):
    """A trainee's assigned or self-started scenario."""

    __tablename__ = "practice_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trainee: Mapped[str] = mapped_column(String(200), index=True)
    scenario_id: Mapped[str] = mapped_column(String(200), index=True)
    scenario_name: Mapped[str] = mapped_column(String(300), default="")
    deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    per_week: Mapped[int | None] = mapped_column(Integer, nullable=True)
    assigned_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    instructions: Mapped[str] = mapped_column(Text, default="")
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    workspace_id: Mapped[int] = mapped_column(Integer, index=True, default=1)
    contact_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)

    attempts: Mapped[list[AttemptRow]] = relationship(
        back_populates="session", order_by="AttemptRow.number"
    )


class AttemptRow(Base):
    """One attempt at a practice session."""

    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("practice_sessions.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    trainee: Mapped[str] = mapped_column(String(200), index=True)
    scenario_id: Mapped[str] = mapped_column(String(200), index=True)
    scenario_snapshot: Mapped[str] = mapped_column(Text, default="")
    scenario_hash: Mapped[str] = mapped_column(String(64))
    persona_id: Mapped[str] = mapped_column(String(200))
    persona_snapshot: Mapped[str] = mapped_column(Text, default="")
    persona_hash: Mapped[str] = mapped_column(String(64))
    rubric_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    seed: Mapped[str | None] = mapped_column(String(100), nullable=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    duration_s: Mapped[float] = mapped_column(Float, default=0.0)
    termination_reason: Mapped[str] = mapped_column(String(40), default="interrupted")
    detail: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=ATTEMPT_INTERRUPTED)
    evaluation_status: Mapped[str] = mapped_column(String(20), default=NOT_EVALUATED)
    grade_json: Mapped[dict[str, Any] | None] = mapped_column(
        JSON(none_as_null=True), nullable=True
    )
    graded_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    workspace_id: Mapped[int] = mapped_column(Integer, index=True, default=1)

    session: Mapped[PracticeSessionRow] = relationship(back_populates="attempts")
    messages: Mapped[list[MessageRow]] = relationship(
        "MessageRow", order_by="MessageRow.index", cascade="all, delete-orphan"
    )
    reviews: Mapped[list[CoachReviewRow]] = relationship(
        order_by="CoachReviewRow.id", cascade="all, delete-orphan"
    )


class AttemptEventRow(Base):
    """One entry of an attempt's event log."""

    __tablename__ = "attempt_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    turn: Mapped[int | None] = mapped_column(Integer, nullable=True)
    at_s: Mapped[float] = mapped_column(Float, default=0.0)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class CoachReviewRow(Base):
    """A coach's feedback on an attempt."""

    __tablename__ = "coach_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), index=True
    )
    coach: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    overrides: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    grade_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)


class AttemptGradeRow(Base):
    """One grade of an attempt; the newest is the current one (also in ``attempts``)."""

    __tablename__ = "attempt_grades"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    rubric_id: Mapped[str] = mapped_column(String(200), default="")
    grader: Mapped[str] = mapped_column(String(100), default="")
    grade_json: Mapped[dict[str, Any]] = mapped_column(JSON)
    graded_at: Mapped[datetime] = mapped_column(DateTime)


# The messages table must be known to resolve ``AttemptRow.messages``.
from understudy.storage import messages as _messages  # noqa: E402, F401
