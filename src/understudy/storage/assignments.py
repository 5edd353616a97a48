"""Assigning scenarios to trainees: practice sessions in To do, with a frequency and a deadline.

A coach assigns a scenario to a trainee (``AssignmentStore.assign``); that creates the trainee's
practice session for the scenario, or updates it when one exists, so there is at most one active
session per (trainee, scenario). ``understudy practice`` attaches its attempt to that session
(``AttemptStore.start_attempt`` looks it up by trainee and scenario id).

Status rules (``session_status``): a session is **Completed** once it has a finished attempt
(even one after the deadline: it is then flagged *late*, never Overdue); otherwise **Overdue** when
the report date is past the deadline (the deadline day itself still counts as on time); otherwise
**To do**. A session with a weekly frequency and no fixed deadline instead has due dates that
roll forward (``storage.due_dates``): its deadline is the earliest due date not met yet, a missed
one makes it Overdue, and each finished attempt moves it to the next. The weekly frequency
counts finished attempts started in the calendar week (Monday to Sunday, UTC) that contains the
report date. Interrupted attempts count as attempts but neither complete a session nor count
toward the week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from understudy.domain.scenario import Scenario
from understudy.errors import ConfigError, NotFoundError
from understudy.storage.attempt_records import SessionSummary, session_status
from understudy.storage.attempts import ATTEMPT_FINISHED, PracticeSessionRow
from understudy.storage.clocked import ClockedStore
from understudy.storage.db import serialize
from understudy.storage.due_dates import rolling_schedule, rolling_status
from understudy.teams.context import current_workspace_id
from understudy.teams.permissions import Action, authorize

STATUS_FILTERS = {"todo": "To do", "completed": "Completed", "overdue": "Overdue"}
"""Values of ``--status`` and the statuses they select."""

REMOVED = "Removed"


@dataclass(frozen=True)
class AssignOutcome:
    """What ``assign`` did: the session id and whether it was created (else updated)."""

    session_id: int
    created: bool


@dataclass(frozen=True)
class UnassignOutcome:
    """What ``unassign`` did: ``deleted`` (no attempts) or ``removed`` (attempts kept)."""

    session_id: int
    action: str
    attempts: int


def week_start(day: date) -> date:
    """Return the Monday of ``day``'s calendar week."""
    return day - timedelta(days=day.weekday())


def summarize(row: PracticeSessionRow, today: date) -> SessionSummary:
    """Return a session's summary with its status as of ``today``.

    A session with a frequency and no fixed deadline rolls (``storage.due_dates``): its
    ``deadline`` is the current due date and its status follows from the due dates met.

    Args:
        row: the session, with its attempts loaded (lazily, inside an open database session).
        today: the report date (UTC).
    """
    finished = [a for a in row.attempts if a.status == ATTEMPT_FINISHED]
    first_done = min((a.started_at.date() for a in finished), default=None)
    monday = week_start(today)
    this_week = sum(1 for a in finished if monday <= a.started_at.date() < monday + timedelta(7))
    deadline = row.deadline
    if deadline is None and row.per_week and row.per_week > 0:
        anchor = (row.assigned_at or row.created_at).date()
        schedule = rolling_schedule(anchor, row.per_week, [a.started_at.date() for a in finished])
        deadline, status, late = schedule.due, rolling_status(schedule, today), schedule.late
    else:
        status = session_status(bool(finished), deadline, today)
        late = bool(first_done is not None and deadline is not None and first_done > deadline)
    return SessionSummary(
        id=row.id,
        trainee=row.trainee,
        scenario_id=row.scenario_id,
        deadline=deadline,
        attempts=len(row.attempts),
        status=REMOVED if row.removed_at is not None else status,
        scenario_name=row.scenario_name,
        per_week=row.per_week,
        this_week=this_week,
        late=late,
        assigned=row.assigned_at is not None,
        assigned_by=row.assigned_by,
        instructions=row.instructions or "",
        created_at=row.created_at,
        last_attempt_at=max((a.started_at for a in row.attempts), default=None),
        removed=row.removed_at is not None,
    )


def active_session_row(db: Session, trainee: str, scenario_id: str) -> PracticeSessionRow | None:
    """Return the trainee's active (not removed) session of a scenario, newest first, or None.

    Only sessions of the acting user's workspace are found.
    """
    return db.scalars(
        select(PracticeSessionRow)
        .where(
            PracticeSessionRow.workspace_id == current_workspace_id(),
            PracticeSessionRow.trainee == trainee,
            PracticeSessionRow.scenario_id == scenario_id,
            PracticeSessionRow.removed_at.is_(None),
        )
        .order_by(PracticeSessionRow.id.desc())
    ).first()


class AssignmentStore(ClockedStore):
    """Assignments of scenarios to trainees, stored as practice sessions.

    Takes a session factory and a clock, as ``ClockedStore``.
    """

    def assign(
        self,
        scenario: Scenario,
        trainee: str,
        *,
        deadline: date | None = None,
        per_week: int | None = None,
        assigned_by: str | None = None,
        instructions: str | None = None,
    ) -> AssignOutcome:
        """Assign ``scenario`` to ``trainee``: create the session in To do, or update it.

        An existing active session (assigned or self-started) is updated; otherwise a removed
        assignment of the same scenario is restored; otherwise a new session is created. For a
        new, restored or self-started session the scenario's ``deadline``, ``sessions_per_week``
        and ``instructions`` are the defaults of the matching arguments (without a fixed
        deadline, the frequency's due dates roll forward from the day of assignment:
        ``storage.due_dates``); re-assigning an active assignment changes only the arguments
        given (not None). ``assigned_by`` None keeps who assigned it before. The day of
        assignment (``assigned_at``, where rolling due dates start) is set for a new, restored
        or self-started session and when re-assigning changes the frequency; otherwise
        re-assigning keeps it, so met due dates stay met.

        Raises:
            ConfigError: ``per_week`` is negative or ``trainee`` is blank.
            PermissionDenied: the acting user may not invite participants.
        """
        authorize(Action.INVITE_PARTICIPANTS)
        if not trainee.strip():
            raise ConfigError("expected a trainee name, got an empty one")
        if per_week is not None and per_week < 0:
            raise ConfigError(f"expected sessions per week of 0 or more, got {per_week}")
        now = self.now()
        with self._sessions() as db:
            serialize(db, "practice_sessions")
            row = active_session_row(db, trainee, scenario.id) or self._removed_row(
                db, trainee, scenario.id
            )
            created = row is None
            if row is None:
                row = PracticeSessionRow(
                    trainee=trainee,
                    scenario_id=scenario.id,
                    created_at=now,
                    workspace_id=current_workspace_id(),
                )
                db.add(row)
            keep = row.assigned_at is not None and row.removed_at is None
            restart = not keep or (per_week is not None and per_week != row.per_week)
            if deadline is not None or not keep:
                row.deadline = deadline if deadline is not None else scenario.deadline
            if per_week is not None or not keep:
                row.per_week = per_week if per_week is not None else scenario.sessions_per_week
            if instructions is not None or not keep:
                row.instructions = (
                    instructions if instructions is not None else scenario.instructions
                )
            row.scenario_name = scenario.name
            row.assigned_by = assigned_by if assigned_by is not None else row.assigned_by
            if restart:  # the rolling schedule starts again; otherwise it keeps its start
                row.assigned_at = now
            row.removed_at = None
            db.commit()
            return AssignOutcome(session_id=row.id, created=created)

    def find(self, trainee: str, scenario_id: str) -> int:
        """Return the id of the trainee's active session of a scenario.

        Raises:
            NotFoundError: the trainee has no active session of that scenario.
        """
        with self._sessions() as db:
            row = active_session_row(db, trainee, scenario_id)
            if row is None:
                raise NotFoundError(
                    f"{trainee!r} has no session of scenario {scenario_id!r} "
                    "(see `understudy attempts sessions`)"
                )
            return row.id

    def unassign(self, session_id: int, *, force: bool = False) -> UnassignOutcome:
        """Remove an assignment.

        A session without attempts is deleted. A session with attempts is kept with its
        attempts and marked removed (hidden from the session list and report counts), only
        with ``force``.

        Raises:
            NotFoundError: no active session has that id.
            ConfigError: the session has attempts and ``force`` is False.
            PermissionDenied: the acting user may not remove participants.
        """
        authorize(Action.INVITE_PARTICIPANTS)
        with self._sessions() as db:
            row = db.get(PracticeSessionRow, session_id)
            foreign = row is not None and row.workspace_id != current_workspace_id()
            if row is None or row.removed_at is not None or foreign:
                raise NotFoundError(
                    f"no session with id {session_id} (see `understudy attempts sessions`)"
                )
            count = len(row.attempts)
            if count == 0:
                db.delete(row)
                db.commit()
                return UnassignOutcome(session_id=session_id, action="deleted", attempts=0)
            if not force:
                raise ConfigError(
                    f"session {session_id} has {count} attempt(s); pass --force to remove the "
                    "assignment and keep its attempts"
                )
            row.removed_at = self.now()
            db.commit()
            return UnassignOutcome(session_id=session_id, action="removed", attempts=count)

    def sessions(
        self,
        *,
        trainee: str | None = None,
        scenario_id: str | None = None,
        status: str | None = None,
        today: date | None = None,
        include_removed: bool = False,
    ) -> list[SessionSummary]:
        """Return sessions with their status as of ``today`` (default: the store's date).

        Args:
            trainee: only this trainee's sessions.
            scenario_id: only this scenario's sessions.
            status: ``todo``, ``completed`` or ``overdue`` (see ``STATUS_FILTERS``).
            today: the report date; also picks the week of ``this_week``.
            include_removed: also list removed assignments (status ``Removed``).

        Raises:
            ConfigError: an unknown ``status``.
            NotFoundError: ``trainee`` has never had a session (a typo is reported, not shown
                as an empty list); the message lists the known trainees.
        """
        wanted = None
        if status is not None:
            wanted = STATUS_FILTERS.get(status.lower().replace(" ", "").replace("_", ""))
            if wanted is None:
                raise ConfigError(f"unknown status {status!r}; expected todo, completed or overdue")
        today = today or self.now().date()
        query = (
            select(PracticeSessionRow)
            .where(PracticeSessionRow.workspace_id == current_workspace_id())
            .order_by(PracticeSessionRow.id)
        )
        if trainee:
            query = query.where(PracticeSessionRow.trainee == trainee)
        if scenario_id:
            query = query.where(PracticeSessionRow.scenario_id == scenario_id)
        if not include_removed:
            query = query.where(PracticeSessionRow.removed_at.is_(None))
        with self._sessions() as db:
            rows = [summarize(row, today) for row in db.scalars(query).all()]
            if trainee and not rows:
                self._require_trainee(db, trainee)
        return [r for r in rows if wanted is None or r.status == wanted]

    @staticmethod
    def _require_trainee(db: Session, trainee: str) -> None:
        mine = PracticeSessionRow.workspace_id == current_workspace_id()
        known = sorted(set(db.scalars(select(PracticeSessionRow.trainee).where(mine)).all()))
        if trainee not in known:
            raise NotFoundError(
                f"no trainee {trainee!r} has practice sessions; known trainees: "
                f"{', '.join(known) or 'none'} (assign one with `understudy assign`)"
            )

    def active(
        self, trainee: str, scenario_id: str, today: date | None = None
    ) -> SessionSummary | None:
        """Return the trainee's active session of a scenario, summarized, or None."""
        with self._sessions() as db:
            row = active_session_row(db, trainee, scenario_id)
            return None if row is None else summarize(row, today or self.now().date())

    @staticmethod
    def _removed_row(db: Session, trainee: str, scenario_id: str) -> PracticeSessionRow | None:
        return db.scalars(
            select(PracticeSessionRow)
            .where(
                PracticeSessionRow.workspace_id == current_workspace_id(),
                PracticeSessionRow.trainee == trainee,
                PracticeSessionRow.scenario_id == scenario_id,
            )
            .order_by(PracticeSessionRow.id.desc())
        ).first()
