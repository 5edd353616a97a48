"""Bot builders: Flows, a flow's page with the Stress-test panel, run history, runs, compare.

A stress-test is the runs library's ``plan_stress_test`` + ``play`` in a background task;
progress comes from ``on_conversation_end``. History, metrics and comparisons are read from the
run store (``understudy.storage.store.Store``) and ``understudy.runs``.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from understudy.content.flows import load_flow
from understudy.content.kinds import detect_kind
from understudy.content.personas import load_persona_library
from understudy.domain.flow import Flow
from understudy.errors import ConfigError, ContentError, NotFoundError, UnderstudyError
from understudy.metrics.bands import load_bands
from understudy.metrics.batch import BatchMetrics
from understudy.runs.compare import compare_runs, run_metrics
from understudy.runs.plan import plan_stress_test
from understudy.runs.player import StressOutcome, play
from understudy.storage.store import Store
from understudy.storage.tables import RunRow
from understudy.teams.permissions import Action, authorize
from understudy.web.fields import RowId
from understudy.web.flow_files import (
    MAX_UPLOAD_BYTES,
    FlowFile,
    add_uploaded_flow,
    flow_file,
    flow_files,
)
from understudy.web.templating import render

logger = logging.getLogger(__name__)
router = APIRouter()

TRICKY_PERSONAS = ("impatient", "typo-prone", "non-native", "elderly")
"""The four tricky customers offered first in the Stress-test panel."""

SIZES = (10, 25, 50)
"""Batch sizes offered, in conversations."""

HEADLINE = ("completion_rate", "fallback_rate", "off_topic_recovery_rate")
"""The three scores shown inline, in order."""

LABELS = {
    "completion_rate": "Completion",
    "fallback_rate": "Fallback rate",
    "off_topic_recovery_rate": "Off-topic recovery",
}

PAGE_SIZE = 20
"""Runs per page of the history table."""

CHART_RUNS = 50
"""Newest runs drawn in each history chart."""


def _flow(ref: str) -> tuple[FlowFile, Flow]:
    """The flow addressed by ``ref`` (``web.flow_files``) and the loaded flow.

    Raises:
        NotFoundError: ``ref`` names no flow file inside a flow folder (nothing is read).
        ContentError: the file is not a valid flow.
    """
    file = flow_file(ref)
    return file, load_flow(file.path)


@router.get("/flows", response_class=HTMLResponse)
def flow_list(request: Request) -> HTMLResponse:
    """Flows in ./examples/flows, ./flows, the workspace's flows folder and its allow-list."""
    rows: list[dict[str, Any]] = []
    for file in flow_files():
        try:
            if detect_kind(file.path).name != "flow":
                continue
            flow = load_flow(file.path)
        except UnderstudyError as exc:
            rows.append({"path": file.ref, "flow": None, "error": str(exc).splitlines()[0]})
            continue
        rows.append({"path": file.ref, "flow": flow, "error": ""})
    context = {"title": "Flows", "rows": rows, "max_bytes": MAX_UPLOAD_BYTES}
    return render(request, "flows/list.html", context)


@router.post("/flows/add", response_model=None)
async def add_flow(request: Request, file: UploadFile) -> Response:
    """Add a flow: the uploaded file is validated and saved in the workspace's flows folder.

    Errors: 400 for a bad file name, a file over ``MAX_UPLOAD_BYTES`` or a name already taken;
    422 with every problem (file, line, field) for an invalid flow. Nothing is written then.
    """
    authorize(Action.RUN_STRESS_TEST)
    raw = await file.read(MAX_UPLOAD_BYTES + 1)
    try:
        added, _flow_model = await asyncio.to_thread(add_uploaded_flow, file.filename or "", raw)
    except ContentError as exc:
        context = {"title": "Cannot add flow", "message": "", "problems": exc.problems}
        return render(request, "error.html", context, 422)
    return RedirectResponse(f"/flow?path={quote(added.ref)}", status_code=303)


def _persona_choices() -> list[tuple[str, str]]:
    personas = load_persona_library().personas
    first = [(p, personas[p][0].name) for p in TRICKY_PERSONAS if p in personas]
    rest = [(p, persona.name) for p, (persona, _) in sorted(personas.items())]
    return first + [r for r in rest if r[0] not in TRICKY_PERSONAS]


@router.get("/flow", response_class=HTMLResponse)
def flow_page(request: Request, path: str) -> HTMLResponse:
    """A flow's intents and nodes, the Stress-test panel, its run history and charts."""
    _file, flow = _flow(path)
    return render(
        request,
        "flows/flow.html",
        {
            "title": flow.name,
            "flow": flow,
            "path": path,
            "personas": _persona_choices(),
            "sizes": SIZES,
            "headline": HEADLINE,
            "labels": LABELS,
        },
    )


@dataclass
class StressJob:
    """A stress-test started from the panel.

    Attributes:
        id: the job's address part.
        flow: the flow file.
        persona: the persona id.
        n: conversations planned.
        done: conversations finished so far.
        workers: processes playing it (the app's ``stress_workers``, at most ``n``).
        run_id: the stored run, once created.
        outcome: the played run, when finished.
        error: what stopped it, if it failed.
    """

    id: str
    flow: str
    persona: str
    n: int
    workers: int = 1
    done: int = 0
    run_id: str | None = None
    outcome: StressOutcome | None = None
    error: str = ""
    task: asyncio.Task[None] | None = field(default=None, repr=False)


def _jobs(request: Request) -> dict[str, StressJob]:
    jobs: dict[str, StressJob] = request.app.state.stress_jobs
    return jobs


async def _run_job(job: StressJob) -> None:
    try:
        plan = plan_stress_test(job.flow, persona=job.persona, n=job.n)

        def started(run_id: str | None) -> None:
            job.run_id = run_id

        def ended(_conversation: object) -> None:
            job.done += 1

        job.outcome = await play(
            plan, Store(), on_start=started, on_conversation_end=ended, workers=job.workers
        )
    except UnderstudyError as exc:
        job.error = str(exc)
    except Exception as exc:
        logger.exception("stress-test %s failed", job.id)
        job.error = f"{type(exc).__name__}: {exc}"


@router.post("/flow/stress", response_class=HTMLResponse)
async def start_stress(
    request: Request, path: str = Form(...), persona: str = Form(...), n: int = Form(10)
) -> HTMLResponse:
    """Run stress-test: start the batch and answer with its progress (polled by htmx).

    The batch plays on the app's ``stress_workers`` processes (one unless the server was started
    with ``--workers``), with the same transcripts as in one process.
    """
    authorize(Action.RUN_STRESS_TEST)
    if n not in SIZES:
        raise ConfigError(f"expected 10, 25 or 50 conversations, got {n}")
    file, _flow_model = _flow(path)
    workers = max(1, min(request.app.state.stress_workers, n))
    job = StressJob(secrets.token_urlsafe(6), str(file.path), persona, n, workers)
    _jobs(request)[job.id] = job
    job.task = asyncio.get_running_loop().create_task(_run_job(job))
    return _job_fragment(request, job)


def _scores(metrics: BatchMetrics) -> list[dict[str, Any]]:
    rates = metrics.rates()
    return [{"name": LABELS[m], "rate": rates[m]} for m in HEADLINE]


def _job_fragment(request: Request, job: StressJob) -> HTMLResponse:
    scores = _scores(job.outcome.metrics) if job.outcome is not None else []
    response = render(request, "flows/job.html", {"job": job, "scores": scores})
    if job.outcome is not None or job.error:
        response.headers["HX-Trigger"] = "history-changed"
    return response


@router.get("/stress/{job_id}", response_class=HTMLResponse)
def stress_progress(request: Request, job_id: str) -> HTMLResponse:
    """Progress of a stress-test, then its coloured scores with k of n and intervals."""
    job = _jobs(request).get(job_id)
    if job is None:
        raise NotFoundError(f"no stress-test {job_id!r} in this server (it may have restarted)")
    return _job_fragment(request, job)


def flow_runs(store: Store, path: str) -> list[RunRow]:
    """Runs of the flow addressed by ``path`` (``web.flow_files``), newest first.

    Raises:
        NotFoundError: ``path`` names no flow file inside a flow folder.
    """
    return store.list_runs(flow=str(flow_file(path).path))


@router.get("/flow/history", response_class=HTMLResponse)
def history(request: Request, path: str, page: int = 1) -> HTMLResponse:
    """The history table of a flow's runs (when, flow version, persona, scores), paginated."""
    store = Store()
    runs = flow_runs(store, path)
    pages = max(1, -(-len(runs) // PAGE_SIZE))
    page = max(1, min(page, pages))
    shown = runs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    bands = load_bands()
    rows = [{"run": run, "scores": _scores(run_metrics(store, run, bands))} for run in shown]
    return render(
        request,
        "flows/history.html",
        {"rows": rows, "page": page, "pages": pages, "total": len(runs), "path": path},
    )


@router.get("/flow/charts", response_class=HTMLResponse)
def charts(request: Request, path: str, persona: str = "") -> HTMLResponse:
    """The charts of one persona's runs (the newest run's persona by default)."""
    runs = flow_runs(Store(), path)
    personas = sorted({run.persona_id for run in runs})
    chosen = persona if persona in personas else (runs[0].persona_id if runs else "")
    metrics = [(m, LABELS[m]) for m in HEADLINE]
    context = {"path": path, "personas": personas, "persona": chosen, "metrics": metrics}
    return render(request, "flows/charts.html", context)


@router.get("/flow/chart.svg")
def chart(path: str, metric: str = "completion_rate", persona: str = "") -> Response:
    """A score of the flow's newest runs across runs, per persona, as SVG (reports' spec)."""
    from understudy.reports.charts import history_chart
    from understudy.reports.data import history_points
    from understudy.reports.render import to_svg

    if metric not in HEADLINE:
        raise ConfigError(f"unknown score {metric!r}; expected one of {', '.join(HEADLINE)}")
    store = Store()
    runs = [r for r in flow_runs(store, path) if not persona or r.persona_id == persona]
    bands = load_bands()
    pairs = [(run, run_metrics(store, run, bands)) for run in runs[:CHART_RUNS]]
    spec = history_chart(history_points(pairs, metric), LABELS[metric].lower())
    return Response(to_svg(spec), media_type="image/svg+xml")


@router.get("/runs/compare", response_class=HTMLResponse)
def compare(request: Request, a: str, b: str) -> HTMLResponse:
    """Compare two runs: per-metric deltas with intervals and a beyond-noise verdict."""
    store = Store()
    run_a, run_b = store.get_run(a), store.get_run(b)
    deltas = compare_runs(store, run_a, run_b)
    return render(
        request,
        "flows/compare.html",
        {"title": f"Compare {run_a.id} and {run_b.id}", "a": run_a, "b": run_b, "deltas": deltas},
    )


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, run_id: str) -> HTMLResponse:
    """One run: its scores and every conversation with its ending."""
    store = Store()
    run = store.get_run(run_id)
    metrics = run_metrics(store, run, load_bands())
    return render(
        request,
        "flows/run.html",
        {
            "title": f"Run {run.id}",
            "run": run,
            "scores": _scores(metrics),
            "conversations": store.conversations(run.id),
        },
    )


@router.get("/runs/{run_id}/{index}", response_class=HTMLResponse)
def conversation_page(request: Request, run_id: str, index: RowId) -> HTMLResponse:
    """One stored conversation's transcript, with the node, intent and confidence per turn."""
    store = Store()
    run = store.get_run(run_id)
    row, result = store.get_conversation(run.id, index)
    return render(
        request,
        "flows/conversation.html",
        {"title": f"Run {run.id}, conversation {index}", "run": run, "row": row, "r": result},
    )
