"""Bot builders -> Agent personas: list, edit the draft, publish it, versions used by runs.

Drafts and versions are those of ``understudy.agents.persona_store`` (``understudy agents``);
the draft is edited as its YAML (every field: name, memory, per-locale voice configurations,
chat configuration) and validated with the same located errors before it is saved.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from understudy.agents import persona_store
from understudy.errors import ConfigError, ContentError, UnderstudyError
from understudy.storage.store import Store
from understudy.storage.tables import RunRow
from understudy.teams.permissions import Action, authorize
from understudy.web.templating import render

router = APIRouter()

NEW_AGENT = """\
id: my-assistant
name: Ava
description: Answers questions about orders
memory: false
voice:
  - locale: en-US
    prompt: You are Ava, a friendly support agent for an online shop.
    first_message: Hi, this is Ava from the shop. How can I help?
chat:
  prompt: You are Ava, a friendly support agent for an online shop.
  max_tokens: 400
"""
"""The text a new agent persona starts from."""


def _runs_of(agent_id: str) -> list[RunRow]:
    return [
        run
        for run in Store().list_runs()
        if run.agent_kind == "agent-persona" and run.agent_ref == agent_id
    ]


@router.get("/agents", response_class=HTMLResponse)
def agent_list(request: Request) -> HTMLResponse:
    """Every stored agent persona: name, description, production version, versions."""
    rows: list[dict[str, Any]] = []
    for agent_id in persona_store.list_agents():
        try:
            draft = persona_store.load_version(agent_id, "draft")
        except UnderstudyError as exc:
            rows.append({"id": agent_id, "draft": None, "error": str(exc).splitlines()[0]})
            continue
        rows.append(
            {
                "id": agent_id,
                "draft": draft,
                "production": persona_store.production_version(agent_id),
                "versions": persona_store.versions(agent_id),
                "error": "",
            }
        )
    return render(request, "agents/list.html", {"title": "Agent personas", "rows": rows})


def _edit_page(
    request: Request, agent_id: str | None, text: str, errors: list[str], status: int = 200
) -> HTMLResponse:
    context = {
        "title": f"Agent persona {agent_id}" if agent_id else "New agent persona",
        "agent_id": agent_id,
        "text": text,
        "errors": errors,
        "production": persona_store.production_version(agent_id) if agent_id else None,
        "versions": persona_store.versions(agent_id) if agent_id else [],
        "runs": _runs_of(agent_id) if agent_id else [],
    }
    return render(request, "agents/edit.html", context, status)


@router.get("/agents/new", response_class=HTMLResponse)
def new_agent(request: Request) -> HTMLResponse:
    """A new agent persona's draft, as YAML to fill in."""
    return _edit_page(request, None, NEW_AGENT, [])


@router.post("/agents/new", response_model=None)
def create_agent(request: Request, text: str = Form(...)) -> Response:
    """Validate and store a new agent persona's draft."""
    authorize(Action.EDIT_AGENT_PERSONA)
    try:
        persona = persona_store.parse_agent_persona(text, persona_store.agents_dir() / "new")
        if persona_store.exists(persona.id):
            raise ConfigError(f"an agent persona {persona.id!r} exists; choose another id")
        persona_store.save_draft(persona.id, text)
    except ContentError as exc:
        return _edit_page(request, None, text, [str(p) for p in exc.problems], 422)
    except ConfigError as exc:
        return _edit_page(request, None, text, [str(exc)], 422)
    return RedirectResponse(f"/agents/{persona.id}", status_code=303)


@router.get("/agents/{agent_id}", response_class=HTMLResponse)
def edit_agent(request: Request, agent_id: str) -> HTMLResponse:
    """The draft's YAML to edit, Publish, the versions, and which version each run used."""
    draft = persona_store.load_version(agent_id, "draft")
    return _edit_page(request, agent_id, draft.snapshot, [])


@router.post("/agents/{agent_id}", response_model=None)
def save_agent(request: Request, agent_id: str, text: str = Form(...)) -> Response:
    """Save the draft (the production version is untouched until Publish)."""
    authorize(Action.EDIT_AGENT_PERSONA)
    persona_store.load_version(agent_id, "draft")
    try:
        persona_store.save_draft(agent_id, text)
    except ContentError as exc:
        return _edit_page(request, agent_id, text, [str(p) for p in exc.problems], 422)
    except ConfigError as exc:
        return _edit_page(request, agent_id, text, [str(exc)], 422)
    return RedirectResponse(f"/agents/{agent_id}", status_code=303)


@router.post("/agents/{agent_id}/publish")
def publish(agent_id: str) -> RedirectResponse:
    """Publish the draft to production (a new version unless it equals the latest)."""
    persona_store.publish(agent_id)
    return RedirectResponse(f"/agents/{agent_id}", status_code=303)
