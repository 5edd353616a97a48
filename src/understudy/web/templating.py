"""Jinja2 templates and the ``render`` helper every page uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from understudy.teams.context import current_actor
from understudy.teams.permissions import Action, can

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

NAVIGATION: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Training",
        [
            ("Personas", "/personas"),
            ("Roleplay Scenarios", "/scenarios"),
            ("Roleplay Training", "/sessions"),
            ("Contacts", "/contacts"),
        ],
    ),
    ("Bot builders", [("Flows", "/flows"), ("Agent personas", "/agents")]),
]
"""Left navigation: section -> (label, address) entries."""

ADMIN_NAVIGATION = ("Workspace", [("Users", "/users"), ("New workspace", "/workspaces/new")])
"""Shown to administrators only (``Action.MANAGE_USERS``)."""


def navigation() -> list[tuple[str, list[tuple[str, str]]]]:
    """Return the left navigation for the acting user."""
    if current_actor() is not None and can(Action.MANAGE_USERS):
        return [*NAVIGATION, ADMIN_NAVIGATION]
    return NAVIGATION


def render(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """Render ``template`` with ``context`` plus the navigation, the current path, the acting
    user (``actor``), ``can(action, owner)`` and ``Action`` for showing only what they may do,
    and the CSRF token that every form and htmx request sends back."""
    from understudy.web.auth import csrf_token

    full = {
        "navigation": navigation(),
        "current": request.url.path,
        "actor": current_actor(),
        "can": can,
        "Action": Action,
        "csrftoken": csrf_token(request.scope),
        **context,
    }
    return templates.TemplateResponse(request, template, full, status_code=status_code)
