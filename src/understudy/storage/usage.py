"""The practice usage report: per scenario and per trainee, from sessions and attempts.

Counting rules (documented in ``docs/practice.md``):

- Session counts (To do, Completed, Overdue) and participants describe active sessions as of the
  report date, whatever ``since`` says; removed assignments are left out.
- Attempts are finished attempts started on or after ``since`` (all of them without it),
  including attempts of removed assignments (the history stays). Interrupted attempts are left
  out.
- The mean grade is the mean overall score (0..1, coach overrides applied) of those attempts
  that have a grade; None when none has.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from statistics import fmean

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from understudy.domain.grade import CoachReview, Grade
from understudy.storage.assignments import summarize
from understudy.storage.attempts import ATTEMPT_FINISHED, AttemptRow, PracticeSessionRow
from understudy.teams.context import current_workspace_id


class ScenarioUsage(BaseModel):
    """Usage of one scenario."""

    scenario_id: str
    scenario_name: str
    participants: int
    todo: int
    completed: int
    overdue: int
    attempts: int
    mean_grade: float | None


class TraineeUsage(BaseModel):
    """Usage by one trainee."""

    trainee: str
    sessions: int
    todo: int
    overdue: int
    attempts: int
    mean_grade: float | None
    last_attempt_at: datetime | None


class UsageReport(BaseModel):
    """The whole report: its date, window and rows (sorted by scenario id and trainee)."""

    today: date
    since: date | None
    scenario_id: str | None
    scenarios: list[ScenarioUsage]
    trainees: list[TraineeUsage]


def _grade(row: AttemptRow) -> float | None:
    if not row.grade_json:
        return None
    reviews = [
        CoachReview(coach=v.coach, note=v.note, overrides=v.overrides, created_at=v.created_at)
        for v in row.reviews
    ]
    return Grade.model_validate(row.grade_json).effective(reviews).overall


def _mean(values: list[float]) -> float | None:
    return fmean(values) if values else None


def usage_report(
    sessions: sessionmaker[Session],
    today: date,
    since: date | None = None,
    scenario_id: str | None = None,
) -> UsageReport:
    """Compute the usage report.

    Args:
        sessions: a SQLAlchemy session factory (``open_database()``).
        today: the report date (UTC): decides To do versus Overdue.
        since: only attempts started on or after this date (UTC) count.
        scenario_id: only this scenario.
    """
    from understudy.teams.permissions import Action, authorize

    authorize(Action.OPEN_REPORT)
    workspace_id = current_workspace_id()
    session_query = (
        select(PracticeSessionRow)
        .where(PracticeSessionRow.workspace_id == workspace_id)
        .order_by(PracticeSessionRow.id)
    )
    attempt_query = select(AttemptRow).where(
        AttemptRow.workspace_id == workspace_id, AttemptRow.status == ATTEMPT_FINISHED
    )
    if scenario_id:
        session_query = session_query.where(PracticeSessionRow.scenario_id == scenario_id)
        attempt_query = attempt_query.where(AttemptRow.scenario_id == scenario_id)
    if since is not None:
        attempt_query = attempt_query.where(
            AttemptRow.started_at >= datetime.combine(since, datetime.min.time())
        )
    with sessions() as db:
        rows = db.scalars(session_query).all()
        summaries = [summarize(r, today) for r in rows if r.removed_at is None]
        names = {r.scenario_id: r.scenario_name for r in rows}
        attempts = [
            (a.scenario_id, a.trainee, a.started_at, _grade(a))
            for a in db.scalars(attempt_query).all()
        ]

    by_scenario: dict[str, list[str]] = defaultdict(list)
    by_trainee: dict[str, list[str]] = defaultdict(list)
    for s in summaries:
        by_scenario[s.scenario_id].append(s.status)
        by_trainee[s.trainee].append(s.status)
    participants: dict[str, set[str]] = defaultdict(set)
    for s in summaries:
        participants[s.scenario_id].add(s.trainee)
    scenario_attempts: dict[str, list[float | None]] = defaultdict(list)
    trainee_attempts: dict[str, list[tuple[datetime, float | None]]] = defaultdict(list)
    for sid, trainee, started, grade in attempts:
        scenario_attempts[sid].append(grade)
        trainee_attempts[trainee].append((started, grade))

    scenario_rows = [
        ScenarioUsage(
            scenario_id=sid,
            scenario_name=names.get(sid, ""),
            participants=len(participants[sid]),
            todo=by_scenario[sid].count("To do"),
            completed=by_scenario[sid].count("Completed"),
            overdue=by_scenario[sid].count("Overdue"),
            attempts=len(scenario_attempts[sid]),
            mean_grade=_mean([g for g in scenario_attempts[sid] if g is not None]),
        )
        for sid in sorted(set(by_scenario) | set(scenario_attempts))
    ]
    trainee_rows = [
        TraineeUsage(
            trainee=name,
            sessions=len(by_trainee[name]),
            todo=by_trainee[name].count("To do"),
            overdue=by_trainee[name].count("Overdue"),
            attempts=len(trainee_attempts[name]),
            mean_grade=_mean([g for _, g in trainee_attempts[name] if g is not None]),
            last_attempt_at=max((t for t, _ in trainee_attempts[name]), default=None),
        )
        for name in sorted(set(by_trainee) | set(trainee_attempts))
    ]
    return UsageReport(
        today=today,
        since=since,
        scenario_id=scenario_id,
        scenarios=scenario_rows,
        trainees=trainee_rows,
    )
