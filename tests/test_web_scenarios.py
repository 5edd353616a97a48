"""Roleplay Scenarios pages: table, six-step form, detail tabs, tags, duplicate, delete, test."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from understudy.agents import persona_store
from understudy.storage.assignments import AssignmentStore
from web_helpers import client, field_errors, table_rows

pytestmark = pytest.mark.usefixtures("database")

REPO = Path(__file__).resolve().parents[1]

FORM = {
    "name": "Refund for Maya",
    "type": "customer_service",
    "tuning": "Keep it short.",
    "goal.reason_for_call": "You were charged twice and want one charge refunded.",
    "opening_line": "Hi, I was charged twice.",
    "goal.known_info": "order_id: ORD-7711",
    "objections": "I have called twice already.",
    "exit_conditions": "refund_promised: I will refund | refund is on its way",
    "time_limit_s": "300",
    "mode": "chat",
    "show_mood": "1",
    "tags": "refunds, cards",
    "persona_mapping.ecosystem": "retail",
    "persona_mapping.vertical": "kitchen appliances",
    "persona": "maya",
    "personality.trait": "sceptical",
    "personality.emotional_state": "stressed",
    "rubric": "customer-service-call",
    "evaluation_instructions": "Check the refund is promised.",
    "sessions_per_week": "2",
    "instructions": "Be polite.",
    "participants": "alice\nbob",
}


@pytest.fixture(autouse=True)
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the checkout, so ./examples/scenarios is listed as `understudy serve` would."""
    monkeypatch.chdir(REPO)


def test_table_lists_examples_with_every_column() -> None:
    response = client().get("/scenarios")
    assert response.status_code == 200
    for header in [
        "Name",
        "Scenario Type",
        "Persona used",
        "Participants",
        "Frequency",
        "Created by",
        "Tags",
        "Date created",
    ]:
        assert f'<th scope="col">{header}</th>' in response.text
    assert len(table_rows(response.text)) >= 3


def test_continue_moves_through_six_steps_keeping_every_value() -> None:
    response = client().post("/scenarios/new", data={**FORM, "go": "4"})
    assert response.status_code == 200
    assert '<li aria-current="step">4. Evaluation Instructions</li>' in response.text
    assert 'value="Refund for Maya"' in response.text, "earlier steps' values ride along"
    assert '<fieldset id="step-4">' in response.text
    assert '<fieldset id="step-1" hidden>' in response.text


def test_start_saves_the_scenario_and_assigns_the_participants(understudy_home: Path) -> None:
    response = client().post("/scenarios/new", data={**FORM, "go": "save"}, follow_redirects=False)
    assert response.status_code == 303, field_errors(response.text)
    assert response.headers["location"] == "/scenarios/refund-for-maya"
    saved = yaml.safe_load((understudy_home / "scenarios" / "refund-for-maya.yaml").read_text())
    assert saved["persona"] == "maya" and saved["time_limit_s"] == 300
    assert saved["exit_conditions"] == [
        {"id": "refund_promised", "agent_says": ["I will refund", "refund is on its way"]}
    ]
    assert saved["personality"] == {"trait": "sceptical", "emotional_state": "stressed"}
    assert saved["persona_mapping"] == {"ecosystem": "retail", "vertical": "kitchen appliances"}
    trainees = sorted(s.trainee for s in AssignmentStore().sessions(scenario_id="refund-for-maya"))
    assert trainees == ["alice", "bob"]
    table = client().get("/scenarios?tag=cards")
    rows = table_rows(table.text)
    assert [r[0] for r in rows] == ["Refund for Maya"]
    assert rows[0][3:5] == ["2", "2 / week"], "participants and frequency columns"
    detail = client().get("/scenarios/refund-for-maya?tab=personality")
    assert "sceptical" in detail.text
    assert [r[0] for r in table_rows(detail.text)][:2] == ["alice", "bob"]


def test_errors_return_to_their_step_beside_the_field(understudy_home: Path) -> None:
    response = client().post("/scenarios/new", data={**FORM, "time_limit_s": "-5", "go": "save"})
    assert response.status_code == 422
    path = understudy_home / "scenarios" / "refund-for-maya.yaml"
    assert any(
        e.startswith(f"{path}:") and "time_limit_s: Input should be greater than 0" in e
        for e in field_errors(response.text)
    )
    assert '<li aria-current="step">1. Details</li>' in response.text
    assert not path.exists()


def test_unknown_persona_is_reported_like_validate(understudy_home: Path) -> None:
    response = client().post("/scenarios/new", data={**FORM, "persona": "ghost", "go": "save"})
    assert response.status_code == 422
    assert any(
        "persona: no persona with id 'ghost'; known personas:" in e
        for e in field_errors(response.text)
    )
    assert '<li aria-current="step">2. Persona mapping</li>' in response.text


AGENT = """\
# kind: agent
id: acme-line
name: Ava from Acme
voice:
  - locale: en-US
    prompt: You are Acme's phone assistant.
    first_speaker: agent
    first_message: Acme, Ava speaking.
"""


def test_the_agent_persona_is_picked_in_the_form_and_an_unknown_one_is_refused(
    understudy_home: Path,
) -> None:
    understudy_home.mkdir(parents=True, exist_ok=True)
    (understudy_home / "acme-line.yaml").write_text(AGENT)
    persona_store.import_agent(understudy_home / "acme-line.yaml")
    form = client().get("/scenarios/new")
    assert '<option value="acme-line">acme-line</option>' in form.text, "offered in the form"
    unknown = {**FORM, "mode": "voice", "agent_persona": "ghost-line", "go": "save"}
    response = client().post("/scenarios/new", data=unknown)
    assert response.status_code == 422
    path = understudy_home / "scenarios" / "refund-for-maya.yaml"
    assert any(
        e.startswith(f"{path}:")
        and "agent_persona: no agent persona with id 'ghost-line'; known agent personas: acme-line"
        in e
        for e in field_errors(response.text)
    ), field_errors(response.text)
    assert 'id="f-agent_persona-error"' in response.text, "the error is beside the field"
    assert '<li aria-current="step">1. Details</li>' in response.text
    assert not path.exists()
    known = {**unknown, "agent_persona": "acme-line"}
    saved = client().post("/scenarios/new", data=known, follow_redirects=False)
    assert saved.status_code == 303, field_errors(saved.text)
    assert yaml.safe_load(path.read_text())["agent_persona"] == "acme-line"
    edit = client().get("/scenarios/refund-for-maya/edit")
    assert '<option value="acme-line" selected>' in edit.text, "the edit form shows the choice"


def test_duplicate_prefills_a_new_form_and_saves_a_copy(understudy_home: Path) -> None:
    client().post("/scenarios/new", data={**FORM, "go": "save"})
    page = client().get("/scenarios/new?duplicate=refund-for-maya")
    assert 'value="Refund for Maya (copy)"' in page.text
    copy = {**FORM, "name": "Refund for Maya (copy)", "duplicate": "refund-for-maya", "go": "save"}
    response = client().post("/scenarios/new", data=copy, follow_redirects=False)
    assert response.headers["location"] == "/scenarios/refund-for-maya-copy"
    saved = yaml.safe_load(
        (understudy_home / "scenarios" / "refund-for-maya-copy.yaml").read_text()
    )
    assert saved["origin"] == {"kind": "duplicated", "source": "scenario refund-for-maya"}


def test_edit_keeps_fields_the_form_does_not_show(understudy_home: Path) -> None:
    client().post("/scenarios/new", data={**FORM, "go": "save"})
    path = understudy_home / "scenarios" / "refund-for-maya.yaml"
    data = yaml.safe_load(path.read_text())
    data["off_topic_questions"] = ["Nice weather?"]
    data["exit_conditions"][0]["customer_confirms"] = True
    path.write_text(yaml.safe_dump(data))
    edit = client().get("/scenarios/refund-for-maya/edit")
    assert edit.status_code == 200 and "I will refund | refund is on its way" in edit.text
    response = client().post(
        "/scenarios/refund-for-maya/edit", data={**FORM, "name": "Refund (edited)", "go": "save"}
    )
    assert response.status_code == 200
    saved = yaml.safe_load(path.read_text())
    assert saved["name"] == "Refund (edited)"
    assert saved["off_topic_questions"] == ["Nice weather?"]
    assert saved["exit_conditions"][0]["customer_confirms"] is True


def test_tags_are_picked_or_created(understudy_home: Path) -> None:
    client().post("/scenarios/new", data={**FORM, "go": "save"})
    page = client().get("/scenarios/refund-for-maya/tags")
    assert 'value="cards" checked' in page.text
    client().post("/scenarios/refund-for-maya/tags", data={"tag": ["refunds"], "new_tag": "vip"})
    saved = yaml.safe_load((understudy_home / "scenarios" / "refund-for-maya.yaml").read_text())
    assert saved["tags"] == ["refunds", "vip"]


def test_delete_asks_first_then_removes_the_library_copy(understudy_home: Path) -> None:
    client().post("/scenarios/new", data={**FORM, "go": "save"})
    detail = client().get("/scenarios/refund-for-maya")
    assert "Delete scenario?" in detail.text, "the confirm dialog is on the page"
    assert "Delete scenario?" in client().get("/scenarios/refund-for-maya/delete").text
    response = client().post("/scenarios/refund-for-maya/delete", follow_redirects=False)
    assert response.status_code == 303
    assert not (understudy_home / "scenarios" / "refund-for-maya.yaml").exists()


def test_only_the_creator_may_delete(understudy_home: Path) -> None:
    client().post("/scenarios/new", data={**FORM, "go": "save"})
    path = understudy_home / "scenarios" / "refund-for-maya.yaml"
    path.write_text(path.read_text().replace("created_by:", "created_by: someone-else #"))
    assert "Delete scenario?" not in client().get("/scenarios/refund-for-maya").text
    assert client().post("/scenarios/refund-for-maya/delete").status_code == 403
    assert path.exists()


def test_test_session_refuses_an_incomplete_scenario_with_what_is_missing(
    understudy_home: Path,
) -> None:
    client().post("/scenarios/new", data={**FORM, "go": "save"})
    path = understudy_home / "scenarios" / "refund-for-maya.yaml"
    path.write_text(path.read_text().replace("persona: maya", "persona: ghost"))
    response = client().post("/scenarios/refund-for-maya/test")
    assert response.status_code == 422
    assert "Scenario is not valid for test session" in response.text
    assert "persona: no persona with id &#39;ghost&#39;" in response.text


def test_test_session_of_a_valid_scenario_opens_the_call() -> None:
    response = client().post("/scenarios/practice-retail-return/test", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/scenarios/practice-retail-return/call"
