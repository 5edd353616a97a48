"""Reading and writing practice attempts (tables in ``storage.attempts``).

Every write commits at once, so a process killed mid-call leaves the transcript so far in the
database; an attempt stays ``interrupted`` until ``finish_attempt`` marks it ``finished``.

Grades are history: ``save_grade`` adds a grade (``attempt_grades``) and makes it the current
one; earlier grades are kept. A coach review is tied to the grade it was made on, so its score
overrides always name criteria of that grade's rubric; ``get`` returns the current grade with
its reviews (plus notes written before any grade) and the earlier grades in brief.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from understudy.content.hashing import content_hash, snapshot
from understudy.domain.grade import CoachReview, Grade
from understudy.domain.persona import Persona
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import Message
from understudy.errors import ConfigError, NotFoundError
from understudy.storage.assignments import active_session_row, summarize
from understudy.storage.attempt_records import (
    AttemptRecord,
    AttemptSummary,
    EarlierGrade,
    SessionSummary,
    session_status,
    utc_now,
)
from understudy.storage.attempts import (
    ATTEMPT_FINISHED,
    ATTEMPT_INTERRUPTED,
    EVALUATED,
    EVALUATING,
    NOT_EVALUATED,
    AttemptEventRow,
    AttemptGradeRow,
    AttemptRow,
    CoachReviewRow,
    PracticeSessionRow,
)
from understudy.storage.clocked import ClockedStore
from understudy.storage.db import serialize
from understudy.storage.messages import MessageRow, message_values, to_message
from understudy.storage.recordings import AttemptRecordingRow
from understudy.teams.context import current_workspace_id
from understudy.teams.permissions import Action, authorize

__all__ = [
    "AttemptRecord",
    "AttemptStore",
    "AttemptSummary",
    "SessionSummary",
    "session_status",
    "utc_now",
]


class AttemptStore(ClockedStore):
    """Practice attempts in the database.

    Takes a session factory and a clock, as ``ClockedStore``.
    """

    def start_attempt(
        self,
        trainee: str,
        scenario: Scenario,
        persona: Persona,
        rubric_id: str | None = None,
        seed: int | str | None = None,
    ) -> int:
        """Create the attempt (``interrupted`` until finished) in its session; return its id.

        The session is the trainee's active one for the scenario (an assignment, see
        ``storage.assignments``); without one, a self-started session is created with the
        scenario's deadline. Both belong to the acting user's workspace.

        Raises:
            PermissionDenied: (with no session to attach it to) the acting user may not create
                a session, or may not start an attempt; nothing is written.
        """
        workspace_id = current_workspace_id()
        with self._sessions() as db:
            serialize(db, "practice_sessions")
            row = active_session_row(db, trainee, scenario.id)
            if row is None:
                # Creating the session comes first, so a refusal names that action.
                authorize(Action.CREATE_SESSION)
            authorize(Action.START_ATTEMPT)
            if row is None:
                row = PracticeSessionRow(
                    trainee=trainee,
                    scenario_id=scenario.id,
                    scenario_name=scenario.name,
                    deadline=scenario.deadline,
                    created_at=self.now(),
                    workspace_id=workspace_id,
                )
                db.add(row)
                db.flush()
            count = db.scalar(
                select(func.count(AttemptRow.id)).where(AttemptRow.session_id == row.id)
            )
            attempt = AttemptRow(
                session_id=row.id,
                number=(count or 0) + 1,
                trainee=trainee,
                scenario_id=scenario.id,
                scenario_snapshot=snapshot([scenario]),
                scenario_hash=content_hash(scenario),
                persona_id=persona.id,
                persona_snapshot=snapshot(persona),
                persona_hash=content_hash(persona),
                rubric_id=rubric_id,
                seed=None if seed is None else str(seed),
                started_at=self.now(),
                duration_s=0.0,
                termination_reason="interrupted",
                detail="",
                status=ATTEMPT_INTERRUPTED,
                evaluation_status=NOT_EVALUATED,
                workspace_id=workspace_id,
            )
            db.add(attempt)
            db.commit()
            return attempt.id

    def add_message(self, attempt_id: int, message: Message) -> None:
        """Store one transcript turn and commit."""
        with self._sessions() as db:
            db.add(
                MessageRow(attempt_id=attempt_id, created_at=self.now(), **message_values(message))
            )
            row = db.get(AttemptRow, attempt_id)
            if row is not None:
                row.duration_s = max(row.duration_s, message.at_s)
            db.commit()

    def add_event(
        self, attempt_id: int, kind: str, turn: int | None, at_s: float, data: dict[str, Any]
    ) -> None:
        """Append one event-log entry and commit."""
        with self._sessions() as db:
            db.add(
                AttemptEventRow(
                    attempt_id=attempt_id,
                    kind=kind,
                    turn=turn,
                    at_s=at_s,
                    data=data,
                    created_at=self.now(),
                )
            )
            db.commit()

    def finish_attempt(
        self, attempt_id: int, termination_reason: str, detail: str, duration_s: float
    ) -> None:
        """Mark the attempt finished with its ending; evaluation becomes ``Evaluating``."""
        with self._sessions() as db:
            row = self._row(db, attempt_id)
            row.status = ATTEMPT_FINISHED
            row.termination_reason = termination_reason
            row.detail = detail
            row.duration_s = duration_s
            row.ended_at = self.now()
            row.evaluation_status = EVALUATING
            db.commit()

    def save_grade(self, attempt_id: int, grade: Grade) -> int:
        """Add ``grade`` as the attempt's current grade (earlier ones are kept).

        Evaluation becomes ``Completed``. Reviews of earlier grades stay with those grades.

        Returns:
            The grade's number for the attempt: 1 for the first, 2 after one regrade...

        Raises:
            NotFoundError: no such attempt.
        """
        with self._sessions() as db:
            serialize(db, "attempt_grades")
            row = self._row(db, attempt_id)
            now = self.now()
            count = db.scalar(
                select(func.count(AttemptGradeRow.id)).where(
                    AttemptGradeRow.attempt_id == attempt_id
                )
            )
            number = (count or 0) + 1
            data = grade.model_dump(mode="json")
            db.add(
                AttemptGradeRow(
                    attempt_id=attempt_id,
                    number=number,
                    rubric_id=grade.rubric_id,
                    grader=grade.grader,
                    grade_json=data,
                    graded_at=now,
                )
            )
            row.grade_json = data
            row.graded_at = now
            row.evaluation_status = EVALUATED
            db.commit()
            return number

    def add_review(
        self, attempt_id: int, coach: str, note: str, overrides: dict[str, float]
    ) -> CoachReview:
        """Store a coach review on the attempt's current grade.

        Raises:
            NotFoundError: no such attempt.
            ConfigError: an override names a criterion the grade does not have, or a score
                outside 0..1.
            PermissionDenied: the acting user may not review attempts.
        """
        authorize(Action.REVIEW_ATTEMPT)
        record = self.get(attempt_id)
        known = {c.id for c in record.grade.criteria} if record.grade else set()
        for criterion_id, score in overrides.items():
            if criterion_id not in known:
                names = ", ".join(sorted(known)) or "none (not graded yet)"
                raise ConfigError(f"unknown criterion {criterion_id!r}; criteria: {names}")
            if not 0.0 <= score <= 1.0:
                raise ConfigError(f"expected a score between 0 and 1, got {score:g}")
        review = CoachReview(coach=coach, note=note, overrides=overrides, created_at=self.now())
        with self._sessions() as db:
            current = _current_grade(db, attempt_id)
            db.add(
                CoachReviewRow(
                    attempt_id=attempt_id,
                    coach=coach,
                    note=note,
                    overrides=overrides,
                    created_at=review.created_at,
                    grade_id=current.id if current is not None else None,
                )
            )
            db.commit()
        return review

    def participant_attempts(
        self, participant: str | None = None, scenario_id: str | None = None
    ) -> list[AttemptSummary]:
        """Return the attempts the acting user may list, as Roleplay Training shows sessions.

        Someone who may see the Participant filter (an administrator, or anyone when no user
        acts) gets every attempt of the workspace, or ``participant``'s; anyone else gets only
        their own, and naming another participant is refused.

        Raises:
            PermissionDenied: ``participant`` is someone else and the acting user may not
                see the Participant filter.
        """
        from understudy.teams.context import current_actor
        from understudy.teams.permissions import can

        actor = current_actor()
        if actor is not None and not can(Action.SEE_PARTICIPANTS):
            if participant and participant != actor.name:
                authorize(Action.SEE_PARTICIPANTS)
            participant = actor.name
        return self.list_attempts(participant, scenario_id)

    def list_attempts(
        self, trainee: str | None = None, scenario_id: str | None = None
    ) -> list[AttemptSummary]:
        """Return the workspace's attempts, newest first, optionally by trainee and scenario id."""
        query = (
            select(AttemptRow)
            .where(AttemptRow.workspace_id == current_workspace_id())
            .order_by(AttemptRow.id.desc())
        )
        if trainee:
            query = query.where(AttemptRow.trainee == trainee)
        if scenario_id:
            query = query.where(AttemptRow.scenario_id == scenario_id)
        with self._sessions() as db:
            rows = db.scalars(query).all()
            current = _current_grade_ids(db, [r.id for r in rows])
            return [
                AttemptSummary(
                    id=r.id,
                    number=r.number,
                    trainee=r.trainee,
                    scenario_id=r.scenario_id,
                    started_at=r.started_at,
                    duration_s=r.duration_s,
                    termination_reason=r.termination_reason,
                    status=r.status,
                    evaluation_status=r.evaluation_status,
                    overall=_overall(r, _reviews_of(r.reviews, current.get(r.id))),
                )
                for r in rows
            ]

    def list_sessions(
        self, trainee: str | None = None, today: date | None = None
    ) -> list[SessionSummary]:
        """Return active practice sessions with their derived status (see ``session_status``)."""
        today = today or self.now().date()
        query = (
            select(PracticeSessionRow)
            .where(
                PracticeSessionRow.workspace_id == current_workspace_id(),
                PracticeSessionRow.removed_at.is_(None),
            )
            .order_by(PracticeSessionRow.id)
        )
        if trainee:
            query = query.where(PracticeSessionRow.trainee == trainee)
        with self._sessions() as db:
            return [summarize(row, today) for row in db.scalars(query).all()]

    def get(self, attempt_id: int) -> AttemptRecord:
        """Return the whole attempt.

        Raises:
            NotFoundError: no attempt has that id.
        """
        with self._sessions() as db:
            row = self._row(db, attempt_id)
            events = db.scalars(
                select(AttemptEventRow)
                .where(AttemptEventRow.attempt_id == attempt_id)
                .order_by(AttemptEventRow.id)
            ).all()
            history = db.scalars(
                select(AttemptGradeRow)
                .where(AttemptGradeRow.attempt_id == attempt_id)
                .order_by(AttemptGradeRow.number)
            ).all()
            current = history[-1] if history else None
            earlier = [_earlier(g, row.reviews) for g in history[:-1]]
            return AttemptRecord(
                id=row.id,
                number=row.number,
                trainee=row.trainee,
                scenario_id=row.scenario_id,
                scenario_hash=row.scenario_hash,
                persona_id=row.persona_id,
                persona_hash=row.persona_hash,
                rubric_id=row.rubric_id,
                seed=row.seed,
                started_at=row.started_at,
                ended_at=row.ended_at,
                duration_s=row.duration_s,
                termination_reason=row.termination_reason,
                detail=row.detail,
                status=row.status,
                evaluation_status=row.evaluation_status,
                messages=[to_message(m) for m in row.messages],
                events=[{"kind": e.kind, "turn": e.turn, "at_s": e.at_s, **e.data} for e in events],
                grade=Grade.model_validate(row.grade_json) if row.grade_json else None,
                reviews=_reviews_of(row.reviews, current.id if current else None),
                grade_number=current.number if current else None,
                earlier_grades=earlier,
            )

    def delete_attempt(self, attempt_id: int) -> dict[str, int]:
        """Permanently remove an attempt with its messages, events, grades and reviews.

        The session stays; its status is derived from the attempts left (To do again when none
        is finished). Other attempts keep their numbers.

        Returns:
            How many rows went, by kind: ``messages``, ``events``, ``grades``, ``reviews``,
            plus ``session_id``, the id of the attempt's session.

        Raises:
            NotFoundError: no attempt has that id.
        """
        with self._sessions() as db:
            row = self._row(db, attempt_id)
            authorize(Action.DELETE_CHAT, owner=row.trainee)
            removed = {"session_id": row.session_id}
            for kind, table in (
                ("messages", MessageRow),
                ("events", AttemptEventRow),
                ("grades", AttemptGradeRow),
                ("reviews", CoachReviewRow),
                ("recordings", AttemptRecordingRow),
            ):
                result = db.execute(delete(table).where(table.attempt_id == attempt_id))
                removed[kind] = int(getattr(result, "rowcount", 0) or 0)
            db.expire(row)
            db.execute(delete(AttemptRow).where(AttemptRow.id == attempt_id))
            db.commit()
            return removed

    def scenario_snapshot(self, attempt_id: int) -> Scenario:
        """Return the scenario exactly as it was when the attempt started."""
        with self._sessions() as db:
            stored = json.loads(self._row(db, attempt_id).scenario_snapshot)
        return Scenario.model_validate(stored[0])

    @staticmethod
    def _row(db: Session, attempt_id: int) -> AttemptRow:
        row = db.get(AttemptRow, attempt_id)
        if row is None or row.workspace_id != current_workspace_id():
            raise NotFoundError(f"no attempt with id {attempt_id} (see `understudy attempts list`)")
        return row


def _review(row: CoachReviewRow) -> CoachReview:
    return CoachReview(
        coach=row.coach, note=row.note, overrides=row.overrides, created_at=row.created_at
    )


def _current_grade(db: Session, attempt_id: int) -> AttemptGradeRow | None:
    return db.scalars(
        select(AttemptGradeRow)
        .where(AttemptGradeRow.attempt_id == attempt_id)
        .order_by(AttemptGradeRow.number.desc())
        .limit(1)
    ).first()


def _current_grade_ids(db: Session, attempt_ids: list[int]) -> dict[int, int]:
    """Attempt id -> id of its current grade, for the attempts that have one."""
    if not attempt_ids:
        return {}
    rows = db.execute(
        select(AttemptGradeRow.attempt_id, func.max(AttemptGradeRow.id))
        .where(AttemptGradeRow.attempt_id.in_(attempt_ids))
        .group_by(AttemptGradeRow.attempt_id)
    ).all()
    return {attempt: grade for attempt, grade in rows}


def _reviews_of(rows: list[CoachReviewRow], grade_id: int | None) -> list[CoachReview]:
    """Reviews made on grade ``grade_id``, plus notes written before any grade."""
    return [_review(r) for r in rows if r.grade_id is None or r.grade_id == grade_id]


def _earlier(grade: AttemptGradeRow, reviews: list[CoachReviewRow]) -> EarlierGrade:
    own = [_review(r) for r in reviews if r.grade_id == grade.id]
    overall = Grade.model_validate(grade.grade_json).effective(own).overall
    return EarlierGrade(
        number=grade.number,
        rubric_id=grade.rubric_id,
        grader=grade.grader,
        overall=overall,
        graded_at=grade.graded_at,
        reviews=len(own),
    )


def _overall(row: AttemptRow, reviews: list[CoachReview]) -> float | None:
    if not row.grade_json:
        return None
    return Grade.model_validate(row.grade_json).effective(reviews).overall
