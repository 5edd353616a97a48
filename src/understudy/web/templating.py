"""Jinja2 templates and the ``render`` helper every page uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

NAVIGATION: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Training",
        [
            ("Personas", "/personas"),
            ("Roleplay Scenarios", "/scenarios"),
            ("Roleplay Training", "/sessions"),
        ],
    ),
    ("Bot builders", [("Flows", "/flows"), ("Agent personas", "/agents")]),
]
"""Left navigation: section -> (label, address) entries."""


def render(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """Render ``template`` with ``context`` plus the navigation and the current path."""
    full = {"navigation": NAVIGATION, "current": request.url.path, **context}
    return templates.TemplateResponse(request, template, full, status_code=status_code)
