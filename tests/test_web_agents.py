"""Agent personas pages: list, new, edit the draft with located errors, publish."""

from __future__ import annotations

import pytest

from understudy.agents import persona_store
from understudy.web import create_app
from understudy.web.agents import NEW_AGENT
from web_helpers import signed_in, table_rows

pytestmark = pytest.mark.usefixtures("database")


def test_create_edit_and_publish_an_agent_persona() -> None:
    client = signed_in(create_app())
    assert client.get("/agents").status_code == 200
    assert "my-assistant" in client.get("/agents/new").text
    created = client.post("/agents/new", data={"text": NEW_AGENT}, follow_redirects=False)
    assert created.status_code == 303 and created.headers["location"] == "/agents/my-assistant"
    rows = table_rows(client.get("/agents").text)
    assert rows[0][0].startswith("Ava") and rows[0][4] == "not published"
    edited = NEW_AGENT.replace("memory: false", "memory: true")
    assert client.post("/agents/my-assistant", data={"text": edited}).status_code == 200
    assert persona_store.load_version("my-assistant", "draft").persona.memory is True
    client.post("/agents/my-assistant/publish")
    assert persona_store.production_version("my-assistant") == 1
    assert table_rows(client.get("/agents").text)[0][4] == "v1"


def test_a_bad_draft_shows_the_located_error_and_keeps_the_saved_one() -> None:
    client = signed_in(create_app())
    client.post("/agents/new", data={"text": NEW_AGENT})
    bad = NEW_AGENT.replace("max_tokens: 400", "max_tokens: lots")
    response = client.post("/agents/my-assistant", data={"text": bad})
    assert response.status_code == 422
    assert "draft.yaml:11: chat.max_tokens: Input should be a valid integer" in response.text
    assert "max_tokens: lots" in response.text, "what was typed is shown again"
    assert persona_store.load_version("my-assistant", "draft").persona.chat is not None
    assert "lots" not in persona_store.load_version("my-assistant", "draft").snapshot


def test_a_taken_id_is_refused() -> None:
    client = signed_in(create_app())
    client.post("/agents/new", data={"text": NEW_AGENT})
    again = client.post("/agents/new", data={"text": NEW_AGENT})
    assert again.status_code == 422 and "exists; choose another id" in again.text
