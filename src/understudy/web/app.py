"""The FastAPI application factory, templates and error pages."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from understudy.errors import ConfigError, ContentError, NotFoundError, PermissionDenied
from understudy.web.live import CallRegistry
from understudy.web.templating import render

STATIC_DIR = Path(__file__).parent / "static"

logger = logging.getLogger(__name__)


def _recover_recordings() -> None:
    """Store the audio of voice calls cut short by a dead server (``voice.spool``); nothing
    to do without the voice extra or without such calls."""
    from understudy.voice.spool import spool_dir

    if not spool_dir().is_dir():
        return
    try:
        from understudy.voice.spool import recover_recordings

        recovered = recover_recordings()
    except ImportError:  # the voice extra is gone: the files wait for it
        return
    if recovered:
        logger.warning("recovered the recordings of attempts %s", recovered)


def create_app(stress_workers: int | None = None) -> FastAPI:
    """Return the web app: every page router, the static files and the error pages.

    Args:
        stress_workers: processes a Stress-test panel batch plays on (``--workers``); one when
            None, one per core when 0. The default is one process because the panel's batches
            (10, 25 or 50 offline conversations, about 5 ms of CPU each) finish before a pool of
            workers has started (measured with ``stress-test -n 10``: 2.7 s in one process,
            4.5 s with ``--workers 2``).

    State lives where the CLI keeps it (``UNDERSTUDY_HOME``, the same database URL and content
    folders), read on each request, so what one writes the other shows. Every page but
    ``/login`` needs a signed-in user (``web.auth``); what they may do is decided by the
    library (``teams.permissions``), and a refusal is a 403 page saying why.
    """
    from starlette.middleware.sessions import SessionMiddleware

    from understudy.web import (
        accounts,
        agents,
        calls,
        contacts,
        flowchat,
        flows,
        participants,
        personas,
        report,
        scenarios,
        sessions,
    )
    from understudy.web.auth import (
        SESSION_COOKIE,
        SESSION_MAX_AGE_S,
        CsrfMiddleware,
        SignedInMiddleware,
        secret_key,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(_recover_recordings)
        yield
        await app.state.calls.close()

    app = FastAPI(
        title="understudy",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.calls = CallRegistry()
    app.state.stress_jobs = {}
    app.state.stress_workers = (
        1 if stress_workers is None else stress_workers or os.cpu_count() or 1
    )
    app.state.flow_chats = {}
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    modules = [accounts, personas, participants, scenarios, sessions, calls, flows, flowchat]
    modules += [agents, report, contacts]
    for module in modules:
        app.include_router(module.router)
    secret = secret_key()
    # Added innermost first: CSRF check, then the signed session, then who is acting.
    app.add_middleware(SignedInMiddleware)
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE_S,
        same_site="lax",
    )
    app.add_middleware(CsrfMiddleware, secret=secret)

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/personas", status_code=303)

    @app.exception_handler(NotFoundError)
    def not_found(request: Request, exc: NotFoundError) -> HTMLResponse:
        return render(request, "error.html", {"title": "Not found", "message": str(exc)}, 404)

    @app.exception_handler(ContentError)
    def bad_content(request: Request, exc: ContentError) -> HTMLResponse:
        context = {"title": "Invalid file", "message": "", "problems": exc.problems}
        return render(request, "error.html", context, 422)

    @app.exception_handler(PermissionDenied)
    def refused(request: Request, exc: PermissionDenied) -> HTMLResponse:
        return render(request, "error.html", {"title": "Not allowed", "message": str(exc)}, 403)

    @app.exception_handler(ConfigError)
    def bad_setting(request: Request, exc: ConfigError) -> HTMLResponse:
        return render(request, "error.html", {"title": "Cannot do that", "message": str(exc)}, 400)

    return app
