"""The Report dashboard: per scenario, per trainee and per criterion, filters, charts and CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import pytest

from understudy.content import scenario_library
from understudy.content.personas import resolve_persona
from understudy.content.scenarios import load_scenario
from understudy.domain.grade import CriterionGrade, Grade
from understudy.errors import PermissionDenied
from understudy.storage.assignments import AssignmentStore
from understudy.storage.attempt_store import AttemptStore
from understudy.storage.dashboard import team_dashboard, trend
from understudy.teams.accounts import Accounts
from understudy.teams.context import acting_as
from understudy.teams.permissions import Role
from web_helpers import ensure_user, signed_in, table_rows

pytestmark = pytest.mark.usefixtures("database")

REPO = Path(__file__).resolve().parents[1]
TODAY = date(2026, 3, 20)


def _attempt(scenario_id: str, trainee: str, day: str, scores: dict[str, float]) -> None:
    scenario, folder = load_scenario(scenario_id)
    store = AttemptStore(now=lambda: datetime.fromisoformat(day).replace(hour=10))
    attempt = store.start_attempt(trainee, scenario, resolve_persona(scenario.persona, folder))
    store.finish_attempt(attempt, "trainee_ended", "", 60.0)
    criteria = [CriterionGrade(id=k, score=v) for k, v in scores.items()]
    store.save_grade(attempt, Grade.from_criteria("customer-service-call", "offline", criteria))


@pytest.fixture
def team(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two scenarios (one tagged "returns"); pat improves, sam is overdue and never practised."""
    monkeypatch.chdir(REPO)
    ensure_user("ada", Role.ADMIN)
    ensure_user("mo", Role.MEMBER)
    ensure_user("rita", Role.READ_ONLY)
    with acting_as(Accounts().get("ada").actor()):
        scenario_library.duplicate_scenario("practice-retail-return", "returns-a")
        scenario_library.duplicate_scenario("practice-retail-return", "returns-b")
        scenario_library.edit_tags(scenario_library.library_path("returns-a"), add=["returns"])
        assignments = AssignmentStore(now=lambda: datetime(2026, 3, 1, 9))
        a, _ = load_scenario("returns-a")
        b, _ = load_scenario("returns-b")
        assignments.assign(a, "pat", deadline=date(2026, 3, 31))
        assignments.assign(a, "sam", deadline=date(2026, 3, 10))
        assignments.assign(b, "pat")
        _attempt("returns-a", "pat", "2026-03-02", {"empathy": 0.2, "resolution": 0.4})
        _attempt("returns-a", "pat", "2026-03-09", {"empathy": 0.4, "resolution": 0.6})
        _attempt("returns-a", "pat", "2026-03-16", {"empathy": 0.6, "resolution": 1.0})
        _attempt("returns-b", "pat", "2026-03-17", {"empathy": 0.8, "resolution": 1.0})


def test_trend_compares_the_newer_half_with_the_older_half() -> None:
    assert trend([0.2]) is None
    assert trend([0.2, 0.6]) == pytest.approx(0.4)
    assert trend([0.2, 0.9, 0.6]) == pytest.approx(0.4), "the middle one counts in neither half"


def test_the_dashboard_counts_per_scenario_trainee_and_criterion(team: None) -> None:
    with acting_as(Accounts().get("mo").actor()):
        d = team_dashboard(TODAY)
    a = {r.key: r for r in d.scenarios}["returns-a"]
    assert (a.assigned, a.attempted, a.completed, a.overdue, a.attempts) == (2, 1, 1, 1, 3)
    assert a.average == pytest.approx((0.3 + 0.5 + 0.8) / 3)
    assert a.trend == pytest.approx(0.8 - 0.3), "pat improved on returns-a"
    sam = {r.key: r for r in d.trainees}["sam"]
    assert (sam.assigned, sam.attempted, sam.overdue, sam.average) == (1, 0, 1, None)
    assert [c.criterion for c in d.criteria] == ["empathy", "resolution"], "weakest first"
    assert d.criteria[0].mean == pytest.approx(0.5) and d.criteria[0].graded == 4


def test_filters_by_date_range_tag_and_participant(team: None) -> None:
    with acting_as(Accounts().get("ada").actor()):
        ranged = team_dashboard(TODAY, since=date(2026, 3, 9), until=date(2026, 3, 16))
        tagged = team_dashboard(TODAY, scenario_ids={"returns-a"})
        sam_only = team_dashboard(TODAY, trainee="sam")
    assert {r.key: r.attempts for r in ranged.scenarios} == {"returns-a": 2, "returns-b": 0}
    assert [r.key for r in tagged.scenarios] == ["returns-a"]
    assert [r.key for r in sam_only.trainees] == ["sam"]
    with acting_as(Accounts().get("mo").actor()), pytest.raises(PermissionDenied):
        team_dashboard(TODAY, trainee="sam")


def test_the_report_page_charts_and_csv(team: None) -> None:
    with signed_in(username="ada") as client:
        page = client.get("/report", params={"tag": "returns"})
        assert page.status_code == 200
        rows = table_rows(page.text)
        numbers = ["2", "1", "1", "1", "3", "53%", "▲ +50 pts"]
        assert any(r[1:] == numbers for r in rows), "returns-a: 2 assigned, 1 overdue, improving"
        assert page.text.count("<svg") == 2, "the team chart and the weakest-criteria chart"
        assert 'id="participant"' in page.text, "administrators get the Participant filter"
        exported = client.get("/report.csv", params={"tag": "returns"})
    assert exported.headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(exported.text)))
    scenario = next(r for r in lines if r["table"] == "scenario")
    assert (scenario["key"], scenario["attempts"], scenario["trend"]) == (
        "returns-a",
        "3",
        "0.5000",
    )
    assert [r["key"] for r in lines if r["table"] == "criterion"] == ["empathy", "resolution"]


def test_members_open_the_report_without_the_participant_filter_read_only_cannot(
    team: None,
) -> None:
    with signed_in(username="mo", role=Role.MEMBER) as client:
        page = client.get("/report")
        assert page.status_code == 200 and 'id="participant"' not in page.text
        assert client.get("/report", params={"participant": "sam"}).status_code == 403
        assert ">Report</a>" in client.get("/scenarios").text
    with signed_in(username="rita", role=Role.READ_ONLY) as client:
        refused = client.get("/report")
        assert refused.status_code == 403 and "may not open the Report" in refused.text
        assert client.get("/report.csv").status_code == 403
        assert ">Report</a>" not in client.get("/scenarios").text
