"""Participants: Invite (tick team members), due dates from the frequency, remove with confirm,
Participation history, and the Participant column and filter for administrators only."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from understudy.content import scenario_library
from understudy.teams.accounts import Accounts
from understudy.teams.context import acting_as
from understudy.teams.permissions import Role
from web_helpers import ensure_user, signed_in, table_rows

pytestmark = pytest.mark.usefixtures("database")

REPO = Path(__file__).resolve().parents[1]
SCENARIO = "team-return"


@pytest.fixture
def team(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    ensure_user("ada", Role.ADMIN)
    ensure_user("pat", Role.MEMBER)
    ensure_user("sam", Role.MEMBER)
    with acting_as(Accounts().get("ada").actor()):
        path = scenario_library.duplicate_scenario("practice-retail-return", SCENARIO)
    text = path.read_text()
    path.write_text(text.replace("\nid: team-return", "\nid: team-return\nsessions_per_week: 2"))


def test_invite_assigns_ticked_members_with_a_due_date_from_the_frequency(team: None) -> None:
    with signed_in(username="ada") as client:
        page = client.get(f"/scenarios/{SCENARIO}").text
        assert "Invite Participants" in page and 'value="pat"' in page and 'value="sam"' in page
        client.post(f"/scenarios/{SCENARIO}/participants", data={"trainee": ["pat", "sam"]})
        page = client.get(f"/scenarios/{SCENARIO}").text
    due = (date.today() + timedelta(days=3)).isoformat()
    participants = [r for r in table_rows(page) if r and r[0] in ("pat", "sam")]
    assert [r[:4] for r in participants][:2] == [["pat", "ada", "2", due], ["sam", "ada", "2", due]]
    assert 'value="pat"' not in page and 'value="ada"' in page, "only the unassigned are offered"
    history = [tuple(r[:4]) for r in table_rows(page) if len(r) == 5 and r[1].isdigit()]
    assert history == [("pat", "0", "To do", due), ("sam", "0", "To do", due)]


def test_remove_asks_first_then_unassigns(team: None) -> None:
    with signed_in(username="ada") as client:
        client.post(f"/scenarios/{SCENARIO}/participants", data={"trainee": ["pat"]})
        page = client.get(f"/scenarios/{SCENARIO}").text
        assert "Remove participant from scenario?" in page
        session = page.split(f"/scenarios/{SCENARIO}/participants/")[1].split("/")[0]
        confirm = client.get(f"/scenarios/{SCENARIO}/participants/{session}/remove")
        assert "Remove participant from scenario?" in confirm.text and "pat" in confirm.text
        client.post(f"/scenarios/{SCENARIO}/participants/{session}/remove")
        page = client.get(f"/scenarios/{SCENARIO}").text
    assert "Nobody is assigned yet." in page


def test_only_administrators_see_the_participant_column_and_filter(team: None) -> None:
    with signed_in(username="ada") as client:
        client.post(f"/scenarios/{SCENARIO}/participants", data={"trainee": ["pat", "sam"]})
        admin = client.get("/sessions").text
        assert ">Participant</th>" in admin and 'id="participant"' in admin
        filtered = table_rows(client.get("/sessions", params={"participant": "sam"}).text)
        assert [r[1] for r in filtered] == ["sam"]
    with signed_in(username="pat", role=Role.MEMBER) as client:
        own = client.get("/sessions").text
        assert ">Participant</th>" not in own and 'id="participant"' not in own
        assert len(table_rows(own)) == 1, "a member sees their own session only"
        refused = client.post(f"/scenarios/{SCENARIO}/participants", data={"trainee": ["pat"]})
        assert refused.status_code == 404, "only team members not yet assigned can be invited"
