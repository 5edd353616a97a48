"""Personas pages: the library table, new / edit with located errors, preview, generate."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from web_helpers import client, field_errors, table_rows

pytestmark = pytest.mark.usefixtures("database")

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the checkout, so ./examples/scenarios is found as `understudy serve` would."""
    monkeypatch.chdir(REPO)


def test_persona_table_lists_builtins_with_their_columns() -> None:
    response = client().get("/personas")
    assert response.status_code == 200
    rows = {row[0].split(" ")[0]: row for row in table_rows(response.text)}
    assert "Maya" in rows, "the built-in Maya persona should be listed by name"
    _name, mood, drift, language, _voice, used_by, origin = rows["Maya"]
    assert (mood, drift, language, origin) == ("frustrated", "medium", "en-US", "built-in")
    assert used_by == "-", "no example scenario uses Maya"
    assert rows["Sam"][5] != "-", "example scenarios use the calm persona (Sam)"
    assert "Used by" in response.text and "Origin" in response.text


def test_new_persona_with_every_field_is_saved_to_the_library(understudy_home: Path) -> None:
    form = {
        "id": "ann-retiree",
        "name": "Ann",
        "summary": "Retired teacher with a billing question",
        "demographics.age": "71",
        "demographics.occupation": "retired teacher",
        "mood": "confused",
        "mood_drift": "slow",
        "language": "en-GB",
        "voice": "en-GB-ann",
        "backstory": "Ann was billed twice.",
        "knowledge.knows": "order_id: ORD-1\ncard_last4: 4422",
        "knowledge.doesnt_know": "refund policy\naccount number",
        "personality.trait": "patient",
        "behaviour.typo_rate": "0.05",
        "behaviour.patience": "0.9",
        "style_tags": "polite, verbose",
    }
    response = client().post("/personas/new", data=form, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/personas/ann-retiree"
    saved = yaml.safe_load((understudy_home / "personas" / "ann-retiree.yaml").read_text())
    assert saved["demographics"] == {"age": 71, "occupation": "retired teacher"}
    assert saved["knowledge"]["knows"] == {"order_id": "ORD-1", "card_last4": "4422"}
    assert saved["knowledge"]["doesnt_know"] == ["refund policy", "account number"]
    assert saved["behaviour"]["typo_rate"] == 0.05
    assert saved["style_tags"] == ["polite", "verbose"]
    page = client().get("/personas/ann-retiree")
    assert "Ann was billed twice." in page.text and "refund policy" in page.text


def test_bad_input_shows_the_validate_error_beside_the_field_and_saves_nothing(
    understudy_home: Path,
) -> None:
    form = {
        "id": "bob",
        "name": "Bob",
        "mood": "calm",
        "mood_drift": "slow",
        "language": "english",
        "behaviour.typo_rate": "2",
        "backstory": "kept text",
    }
    response = client().post("/personas/new", data=form)
    assert response.status_code == 422
    path = understudy_home / "personas" / "bob.yaml"
    errors = field_errors(response.text)
    assert f"{path}:5: language: expected a BCP 47 language tag such as en-US, got 'english'" in (
        errors
    ), errors
    assert any("behaviour.typo_rate: Input should be less than or equal to 1" in e for e in errors)
    assert 'id="f-language-error"' in response.text, "the error sits beside the language control"
    assert "kept text" in response.text, "what the user typed is shown again"
    assert not path.exists()


def test_a_taken_id_is_refused_beside_the_id_field(understudy_home: Path) -> None:
    form = {"id": "carl", "name": "Carl", "mood": "calm", "mood_drift": "slow", "language": "en"}
    assert client().post("/personas/new", data=form).status_code == 200
    again = client().post("/personas/new", data={**form, "name": "Other"})
    assert again.status_code == 422
    assert any("already exists" in e for e in field_errors(again.text))
    assert "name: Carl" in (understudy_home / "personas" / "carl.yaml").read_text()


def test_editing_a_builtin_saves_a_library_copy_that_scenarios_then_use(
    understudy_home: Path,
) -> None:
    page = client().get("/personas/maya/edit")
    assert page.status_code == 200 and 'value="Maya"' in page.text
    form = {"name": "Maya B.", "mood": "angry", "mood_drift": "fast", "language": "en-US"}
    response = client().post("/personas/maya/edit", data=form, follow_redirects=False)
    assert response.status_code == 303
    from understudy.content.personas import find_persona

    persona, path = find_persona("maya")
    assert (persona.name, persona.mood.value, path.parent) == (
        "Maya B.",
        "angry",
        understudy_home / "personas",
    )


def test_preview_shows_three_lines_in_the_persona_voice() -> None:
    fragment = client().get("/personas/maya/preview", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.text.count("<li>") == 3
    assert "<html" not in fragment.text, "htmx gets the fragment only"
    assert re.search(r"ORD-\d{4}", fragment.text), "Maya gives an order number (drawn per call)"
    assert client().get("/personas/maya/preview").text.count("<li>") >= 3


def test_generate_fills_the_form_for_review_without_saving(understudy_home: Path) -> None:
    response = client().post("/personas/generate", data={"description": "furious retired teacher"})
    assert response.status_code == 200
    assert 'A draft generated from "furious retired teacher"' in response.text
    assert '<option value="angry" selected' in response.text
    assert not list((understudy_home / "personas").glob("*.yaml"))


def test_unknown_persona_is_a_404_listing_known_ids() -> None:
    response = client().get("/personas/nobody")
    assert response.status_code == 404
    assert "known personas" in response.text


def test_preview_of_a_persona_in_another_language_says_why_instead_of_english_lines(
    understudy_home: Path,
) -> None:
    (understudy_home / "personas").mkdir(parents=True, exist_ok=True)
    (understudy_home / "personas" / "lucia.yaml").write_text(
        "id: lucia\nname: Lucia Reyes\nlanguage: es-MX\n"
    )
    page = client().get("/personas/lucia/preview", headers={"HX-Request": "true"}).text
    assert "<li>" not in page, "no English lines are shown for a Spanish persona"
    assert "Spanish (es-MX)" in page and "offline simulator cannot speak" in page
    audio = client().get("/personas/lucia/preview.ogg")
    assert audio.status_code == 503 and "Spanish (es-MX)" in audio.text
