"""The Report dashboard: per scenario, per trainee and per rubric criterion, for one workspace.

Counting rules (``docs/teams.md``, "The Report"):

- **assigned**: active practice sessions (removed assignments left out), whatever the dates.
- **attempted**: of those, sessions with at least one attempt (finished or not).
- **completed** / **overdue**: sessions whose status (``assignments.session_status``) is
  Completed / Overdue on the report date.
- **average**: mean overall score (0..1, coach overrides applied) of the graded, finished
  attempts started in the date range; None when there is none.
- **trend**: mean of the newer half of those graded attempts minus mean of the older half (by
  start time; the middle one of an odd count goes to neither); positive is improving. None with
  fewer than 2 graded attempts.
- **criteria**: each rubric criterion's mean score over the same attempts (criteria that did not
  apply to a call are left out of its mean), weakest first.

Filters: a date range (attempts started on or after ``since`` and on or before ``until``), a set
of scenario ids (the web app passes the scenarios carrying a tag) and one trainee.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import date, datetime, timedelta
from statistics import fmean

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from understudy.domain.grade import CoachReview, Grade
from understudy.storage.assignments import summarize
from understudy.storage.attempts import ATTEMPT_FINISHED, AttemptRow, PracticeSessionRow
from understudy.storage.db import open_database
from understudy.teams.context import current_workspace_id
from understudy.teams.permissions import Action, authorize


class ReportRow(BaseModel):
    """One scenario or one trainee of the dashboard (see the module's counting rules)."""

    key: str
    name: str
    assigned: int
    attempted: int
    completed: int
    overdue: int
    attempts: int
    average: float | None
    trend: float | None


class CriterionRow(BaseModel):
    """One rubric criterion: its mean score and over how many graded attempts."""

    criterion: str
    mean: float
    graded: int


class Dashboard(BaseModel):
    """The Report: the report date, the filters, and its three tables."""

    today: date
    since: date | None
    until: date | None
    trainee: str | None
    scenarios: list[ReportRow]
    trainees: list[ReportRow]
    criteria: list[CriterionRow]


def trend(scores: list[float]) -> float | None:
    """Newer-half mean minus older-half mean of chronological ``scores`` (None under 2)."""
    if len(scores) < 2:
        return None
    half = len(scores) // 2
    return fmean(scores[-half:]) - fmean(scores[:half])


def _grade(row: AttemptRow) -> Grade | None:
    if not row.grade_json:
        return None
    reviews = [
        CoachReview(coach=v.coach, note=v.note, overrides=v.overrides, created_at=v.created_at)
        for v in row.reviews
    ]
    return Grade.model_validate(row.grade_json).effective(reviews)


def _rows(
    keys: Iterable[str],
    names: dict[str, str],
    statuses: dict[str, list[tuple[str, bool]]],
    graded: dict[str, list[tuple[datetime, float]]],
    attempts: dict[str, int],
) -> list[ReportRow]:
    rows = []
    for key in sorted(keys):
        scores = [score for _, score in sorted(graded[key])]
        rows.append(
            ReportRow(
                key=key,
                name=names.get(key, "") or key,
                assigned=len(statuses[key]),
                attempted=sum(1 for _, tried in statuses[key] if tried),
                completed=sum(1 for status, _ in statuses[key] if status == "Completed"),
                overdue=sum(1 for status, _ in statuses[key] if status == "Overdue"),
                attempts=attempts[key],
                average=fmean(scores) if scores else None,
                trend=trend(scores),
            )
        )
    return rows


def team_dashboard(
    today: date,
    *,
    since: date | None = None,
    until: date | None = None,
    scenario_ids: Collection[str] | None = None,
    trainee: str | None = None,
    sessions: sessionmaker[Session] | None = None,
) -> Dashboard:
    """Compute the Report of the acting user's workspace.

    Args:
        today: the report date (UTC), deciding To do versus Overdue.
        since: only attempts started on or after this day count.
        until: only attempts started on or before this day count.
        scenario_ids: only these scenarios (None: all).
        trainee: only this trainee (the Participant filter).
        sessions: a session factory; ``open_database()`` when None.

    Raises:
        PermissionDenied: the acting user may not open the Report (full members only), or
            filters by participant without seeing participants (administrators only).
    """
    authorize(Action.OPEN_REPORT)
    if trainee:
        authorize(Action.SEE_PARTICIPANTS)
    factory = sessions or open_database()
    workspace = current_workspace_id()
    session_query = select(PracticeSessionRow).where(PracticeSessionRow.workspace_id == workspace)
    attempt_query = select(AttemptRow).where(AttemptRow.workspace_id == workspace)
    if scenario_ids is not None:
        session_query = session_query.where(PracticeSessionRow.scenario_id.in_(scenario_ids))
        attempt_query = attempt_query.where(AttemptRow.scenario_id.in_(scenario_ids))
    if trainee:
        session_query = session_query.where(PracticeSessionRow.trainee == trainee)
        attempt_query = attempt_query.where(AttemptRow.trainee == trainee)
    if since is not None:
        start = datetime.combine(since, datetime.min.time())
        attempt_query = attempt_query.where(AttemptRow.started_at >= start)
    if until is not None:
        end = datetime.combine(until + timedelta(days=1), datetime.min.time())
        attempt_query = attempt_query.where(AttemptRow.started_at < end)

    names: dict[str, str] = {}
    by_scenario: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    by_trainee: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    scenario_scores: dict[str, list[tuple[datetime, float]]] = defaultdict(list)
    trainee_scores: dict[str, list[tuple[datetime, float]]] = defaultdict(list)
    scenario_attempts: dict[str, int] = defaultdict(int)
    trainee_attempts: dict[str, int] = defaultdict(int)
    criteria: dict[str, list[float]] = defaultdict(list)
    with factory() as db:
        for row in db.scalars(session_query.order_by(PracticeSessionRow.id)).all():
            names[row.scenario_id] = row.scenario_name
            if row.removed_at is not None:
                continue
            summary = summarize(row, today)
            entry = (summary.status, summary.attempts > 0)
            by_scenario[row.scenario_id].append(entry)
            by_trainee[row.trainee].append(entry)
        for attempt in db.scalars(attempt_query.order_by(AttemptRow.started_at)).all():
            if attempt.status != ATTEMPT_FINISHED:
                continue
            scenario_attempts[attempt.scenario_id] += 1
            trainee_attempts[attempt.trainee] += 1
            grade = _grade(attempt)
            if grade is None:
                continue
            scenario_scores[attempt.scenario_id].append((attempt.started_at, grade.overall))
            trainee_scores[attempt.trainee].append((attempt.started_at, grade.overall))
            for criterion in grade.criteria:
                if criterion.score is not None:
                    criteria[criterion.id].append(criterion.score)
    scenario_keys = set(by_scenario) | set(scenario_attempts)
    trainee_keys = set(by_trainee) | set(trainee_attempts)
    weakest = sorted(
        (CriterionRow(criterion=k, mean=fmean(v), graded=len(v)) for k, v in criteria.items()),
        key=lambda c: (c.mean, c.criterion),
    )
    return Dashboard(
        today=today,
        since=since,
        until=until,
        trainee=trainee or None,
        scenarios=_rows(scenario_keys, names, by_scenario, scenario_scores, scenario_attempts),
        trainees=_rows(trainee_keys, {}, by_trainee, trainee_scores, trainee_attempts),
        criteria=weakest,
    )


CSV_COLUMNS = [
    "table",
    "key",
    "name",
    "assigned",
    "attempted",
    "completed",
    "overdue",
    "attempts",
    "average",
    "trend",
    "graded",
]
"""Columns of ``dashboard_csv``: ``table`` is scenario, trainee or criterion."""


def dashboard_csv(dashboard: Dashboard) -> str:
    """The dashboard as CSV: one line per scenario, trainee and criterion (``CSV_COLUMNS``).

    Scores are 0..1 with 4 decimals; an empty cell is a score that does not exist (no graded
    attempt, or under 2 for a trend).
    """

    def number(value: float | None) -> str:
        return "" if value is None else f"{value:.4f}"

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for table, rows in (("scenario", dashboard.scenarios), ("trainee", dashboard.trainees)):
        for r in rows:
            writer.writerow(
                [
                    table,
                    r.key,
                    r.name,
                    r.assigned,
                    r.attempted,
                    r.completed,
                    r.overdue,
                    r.attempts,
                    number(r.average),
                    number(r.trend),
                    "",
                ]
            )
    for c in dashboard.criteria:
        writer.writerow(
            [
                "criterion",
                c.criterion,
                c.criterion,
                "",
                "",
                "",
                "",
                "",
                number(c.mean),
                "",
                c.graded,
            ]
        )
    return out.getvalue()
