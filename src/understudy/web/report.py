"""The Report: a usage dashboard of the workspace for full members, with CSV export.

Per scenario and per trainee: assigned, attempted, completed, overdue, average score and
trend; per rubric criterion: where the team is weakest (``storage.dashboard``). The charts are
the same Vega-Lite specs the exported team report uses (``reports.charts``), drawn as SVG.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from understudy.content import scenario_library as library
from understudy.errors import ConfigError
from understudy.storage.attempt_store import AttemptStore
from understudy.storage.dashboard import Dashboard, dashboard_csv, team_dashboard
from understudy.teams.permissions import Action, authorize, can
from understudy.web.templating import render

router = APIRouter()


def _day(raw: str, name: str) -> date | None:
    if not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ConfigError(f"{name}: expected a date as YYYY-MM-DD, got {raw!r}") from None


def _dashboard(since: str, until: str, tag: str, participant: str) -> Dashboard:
    authorize(Action.OPEN_REPORT)
    scenario_ids = None
    if tag:
        entries = library.filter_entries(library.list_scenarios().entries, tag=tag)
        scenario_ids = {e.scenario.id for e in entries}
    return team_dashboard(
        date.today(),
        since=_day(since, "From"),
        until=_day(until, "To"),
        scenario_ids=scenario_ids,
        trainee=participant.strip() or None,
    )


def _charts(dashboard: Dashboard) -> dict[str, str]:
    from understudy.reports import charts
    from understudy.reports.render import to_svg

    drawn: dict[str, str] = {}
    trainees = [charts.TraineeRow(t.key, t.attempts, t.average) for t in dashboard.trainees]
    if trainees:
        drawn["team"] = to_svg(charts.team_chart(trainees))
    if dashboard.criteria:
        rows = [(c.criterion, c.mean, c.graded) for c in dashboard.criteria]
        drawn["criteria"] = to_svg(charts.weakest_criteria_chart(rows))
    return drawn


@router.get("/report", response_class=HTMLResponse)
def report_page(
    request: Request, since: str = "", until: str = "", tag: str = "", participant: str = ""
) -> HTMLResponse:
    """The Report dashboard, filtered by date range, tag and (administrators) participant."""
    dashboard = _dashboard(since, until, tag, participant)
    tags = library.normalize_tags(
        t for e in library.list_scenarios().entries for t in e.scenario.tags
    )
    people: list[str] = []
    if can(Action.SEE_PARTICIPANTS):
        people = sorted({s.trainee for s in AttemptStore().list_sessions()})
    context: dict[str, Any] = {
        "title": "Report",
        "d": dashboard,
        "charts": _charts(dashboard),
        "tags": tags,
        "people": people,
        "filters": {"since": since, "until": until, "tag": tag, "participant": participant},
    }
    return render(request, "report/dashboard.html", context)


@router.get("/report.csv")
def report_csv(since: str = "", until: str = "", tag: str = "", participant: str = "") -> Response:
    """The Report as CSV (``storage.dashboard.CSV_COLUMNS``), with the same filters."""
    dashboard = _dashboard(since, until, tag, participant)
    headers = {"Content-Disposition": 'attachment; filename="understudy-report.csv"'}
    return Response(dashboard_csv(dashboard), media_type="text/csv", headers=headers)
