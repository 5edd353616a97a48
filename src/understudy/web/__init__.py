"""The web app: server-rendered pages over the same library the CLI uses.

``create_app`` builds the FastAPI application; ``understudy serve`` runs it with uvicorn. Pages
are Jinja2 templates made interactive with htmx (vendored in ``static/``, no build step); live
parts (the practice call) run over a WebSocket. The app holds no business logic: every page
calls ``understudy.content``, ``understudy.practice``, ``understudy.storage`` and friends.

Needs the ``web`` extra: ``pip install 'understudy[web]'``.
"""

from __future__ import annotations

from understudy.web.app import create_app

__all__ = ["create_app"]
