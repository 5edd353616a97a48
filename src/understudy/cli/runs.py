"""``understudy runs list | show | compare``: the history of stress-test runs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from understudy.cli.apps import runs_app
from understudy.cli.common import console, err_console, user_errors

if TYPE_CHECKING:
    from understudy.metrics.bands import Bands
    from understudy.metrics.funnel import NodeStep
    from understudy.storage.store import Store
    from understudy.storage.tables import RunRow


SHOW_PAGE = 50
"""Conversations per page of ``runs show`` (and errors listed) unless ``--limit`` says."""


STATUS_STYLES = {"finished": "green", "running": "cyan", "interrupted": "yellow", "failed": "red"}


def _when(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%m-%d %H:%M")


def _agent_label(run: RunRow) -> str:
    name = run.agent_name or run.agent_ref
    return f"{name} ({run.agent_version})" if run.agent_version else name


def flow_ref(ref: str) -> str:
    """A flow file's path as shown: relative to the current folder when under it."""
    path = Path(ref)
    if not path.is_absolute():
        return ref
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return ref


def runs_table(store: Store, runs: list[RunRow], bands: Bands) -> Table:
    """The table of ``runs list``: one run per row, newest first.

    Identifiers (run id, persona id, the flow's content hash) are never wrapped or cut; the
    flow's name wraps between words. It reads at 80 columns and up: the start time and status
    sit under the run id, the flow's version (first 12 hex digits of its sha256) under its name.
    """
    from understudy.cli.metrics_view import rate_text
    from understudy.runs.compare import run_metrics

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0))
    table.add_column("run", no_wrap=True)
    table.add_column("flow", min_width=12)
    table.add_column("persona", no_wrap=True)
    table.add_column("n", justify="right", no_wrap=True)
    table.add_column("done", justify="right", no_wrap=True)
    table.add_column("fallback", justify="right", no_wrap=True)
    table.add_column("recovery", justify="right", no_wrap=True)
    for run in runs:
        metrics = run_metrics(store, run, bands)
        done = metrics.conversations
        count = str(run.n) if done == run.n else f"{done}/{run.n}"
        table.add_row(
            Text.assemble(
                (run.id, "bold"),
                "\n",
                _when(run.created_at),
                "\n",
                (run.status, STATUS_STYLES.get(run.status, "")),
            ),
            Text.assemble(_agent_label(run), "\n", (run.agent_hash[:12], "dim")),
            run.persona_id,
            count,
            rate_text(metrics.completion_rate),
            rate_text(metrics.fallback_rate),
            rate_text(metrics.off_topic_recovery_rate),
        )
    return table


def run_summary_json(store: Store, run: RunRow, bands: Bands) -> dict[str, Any]:
    """One run as ``runs list --json`` prints it (the header fields of ``runs show --json``)."""
    from understudy.cli.metrics_view import metrics_json
    from understudy.runs.compare import run_metrics

    return {
        "run_id": run.id,
        "created_at": run.created_at.isoformat(),
        "status": run.status,
        "agent": {
            "kind": run.agent_kind,
            "ref": run.agent_ref,
            "name": run.agent_name,
            "version": run.agent_version,
            "content_hash": run.agent_hash,
        },
        "persona": run.persona_id,
        "scenarios": run.scenario_ids,
        "seed": run.seed,
        "n": run.n,
        "metrics": metrics_json(run_metrics(store, run, bands)),
    }


@runs_app.command("list")
def list_runs(
    flow: str | None = typer.Option(None, "--flow", help="Only runs of this flow (name or path)."),
    persona: str | None = typer.Option(None, "--persona", help="Only runs of this persona id."),
    limit: int = typer.Option(50, "--limit", min=1, help="Show at most this many runs."),
    as_json: bool = typer.Option(False, "--json", help="Print the runs as a JSON list."),
) -> None:
    """List stored runs, newest first, with the flow's version and three headline scores."""
    from understudy.metrics.bands import load_bands
    from understudy.storage.store import Store

    with user_errors():
        bands = load_bands()
        store = Store()
        runs = store.list_runs(flow=flow, persona=persona, limit=limit)
        if as_json:
            typer.echo(json.dumps([run_summary_json(store, r, bands) for r in runs], indent=2))
            return
        if not runs:
            if flow or persona:
                filters = ", ".join(
                    f"{name} {escape(value)}"
                    for name, value in (("--flow", flow), ("--persona", persona))
                    if value
                )
                console.print(
                    f"no runs match {filters}; see every run with `understudy runs list`",
                    highlight=False,
                )
            else:
                console.print(
                    "no runs yet; start one with `understudy stress-test FLOW --persona ID`"
                )
            return
        print_runs_list(console, store, runs, bands)


def print_runs_list(out: Console, store: Store, runs: list[RunRow], bands: Bands) -> None:
    """Print the runs table and its legend to ``out``."""
    out.print(runs_table(store, runs, bands))
    out.print(
        "[dim]flow: name (version) and content hash; done: completion rate; fallback: "
        "conversations with a fallback; recovery: off-topic recovery rate[/dim]"
    )


def funnel_table(funnel: list[NodeStep]) -> Table:
    """Render the per-node funnel: reached, fallbacks, and how conversations ended there."""
    table = Table(title="where conversations went (per node)", title_justify="left")
    for column in ("node", "reached", "fallbacks", "ended here"):
        table.add_column(column, justify="left" if column in {"node", "ended here"} else "right")
    for step in funnel:
        ended = ", ".join(f"{reason} {count}" for reason, count in step.endings.most_common())
        table.add_row(escape(step.node), str(step.reached), str(step.fallbacks), ended)
    return table


def _voice_json(store: Store, run_id: str) -> dict[str, Any] | None:
    """The run's voice metrics as JSON (a run against a voice bot), else None."""
    from understudy.metrics.voice import voice_metrics

    voice = voice_metrics(store.voice_timings(run_id))
    return voice.model_dump() if voice is not None else None


@runs_app.command("show")
def show_run(
    run_ref: str = typer.Argument(..., metavar="RUN", help="Run id, a unique prefix, or 'last'."),
    conversation: int | None = typer.Option(
        None, "--conversation", "-k", help="Show this conversation (0-based) as a transcript."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the run as JSON."),
    page: int = typer.Option(1, "--page", min=1, help="Page of the conversations table."),
    limit: int | None = typer.Option(
        None,
        "--limit",
        min=1,
        help=f"Conversations per page (default {SHOW_PAGE}; --json lists all unless given).",
    ),
) -> None:
    """Show a run: its metrics and a page of its conversations, or one conversation.

    A large run is shown a page at a time (``--page``, ``--limit``), with the totals; the
    metrics and the per-node funnel always cover the whole run.
    """
    from understudy.cli.transcripts import print_conversation
    from understudy.metrics.bands import load_bands
    from understudy.metrics.funnel import funnel_of_turns
    from understudy.storage.store import Store

    with user_errors():
        bands = load_bands()
        store = Store()
        run = store.get_run(run_ref)
        if conversation is not None:
            _row, result = store.get_conversation(run.id, conversation)
            if as_json:
                typer.echo(result.model_dump_json(indent=2))
            else:
                print_conversation(console, run.id, conversation, result)
            return
        if as_json:
            per_page = limit
            offset = (page - 1) * per_page if per_page else 0
            rows = store.conversations(run.id, offset=offset, limit=per_page)
            out = {
                **run_summary_json(store, run, bands),
                "funnel": [
                    {
                        "node": step.node,
                        "reached": step.reached,
                        "fallbacks": step.fallbacks,
                        "endings": dict(step.endings),
                    }
                    for step in funnel_of_turns(store.agent_node_steps(run.id))
                ],
                "llm_usage": run.usage,
                "voice": _voice_json(store, run.id),
                "simulator_info": run.simulator_info,
                "conversations_stored": store.count_conversations(run.id),
                "page": {"page": page, "limit": per_page} if per_page else None,
                "conversations": [
                    {
                        "index": r.index,
                        "termination_reason": r.termination_reason,
                        "turns": r.turns,
                        "fallback_turns": r.fallback_turns,
                        "off_topic": r.off_topic,
                        "error": r.error,
                        "llm_usage": r.usage,
                    }
                    for r in rows
                ],
            }
            typer.echo(json.dumps(out, indent=2))
            return
        print_run(console, store, run, bands, page=page, limit=limit or SHOW_PAGE)


def print_run(
    out: Console,
    store: Store,
    run: RunRow,
    bands: Bands,
    *,
    page: int = 1,
    limit: int = SHOW_PAGE,
) -> None:
    """Print ``runs show RUN`` to ``out``: header, metrics, a page of conversations, errors.

    Args:
        out: where to print.
        store: the store.
        run: the run.
        bands: thresholds in force.
        page: which page of the conversations table (1-based).
        limit: conversations per page, and errors listed at most.
    """
    from understudy.cli.metrics_view import metrics_table, voice_table
    from understudy.metrics.funnel import funnel_of_turns
    from understudy.metrics.voice import voice_metrics
    from understudy.runs.compare import run_metrics

    metrics = run_metrics(store, run, bands)
    stored = store.count_conversations(run.id)
    rows = store.conversations(run.id, offset=(page - 1) * limit, limit=limit)
    status = Text(run.status, style=STATUS_STYLES.get(run.status, ""))
    out.print(Text.assemble(f"run {run.id}  ", status), highlight=False)
    out.print(
        f"{escape(_agent_label(run))} [dim]{escape(flow_ref(run.agent_ref))} "
        f"sha256 {run.agent_hash[:12]}[/dim]\n"
        f"persona {run.persona_id}, scenario {', '.join(run.scenario_ids)}, "
        f"simulator {run.simulator_kind}, seed {run.seed}\n"
        f"{stored} of {run.n} conversations stored, started {_when(run.created_at)}",
        highlight=False,
    )
    if run.error:
        out.print(f"[yellow]note[/yellow]: {escape(run.error)}", highlight=False)
    banks = (run.simulator_info or {}).get("phrasing_banks") or []
    if banks:
        names = ", ".join(f"{b.get('file')} ({str(b.get('sha256', ''))[:12]})" for b in banks)
        out.print(f"phrasing banks installed: {escape(names)}", highlight=False)
    if run.usage:
        used = ", ".join(f"{key} {value}" for key, value in run.usage.items())
        out.print(f"LLM usage: {used}", highlight=False)
    out.print(metrics_table(metrics))
    voice = voice_metrics(store.voice_timings(run.id))
    if voice is not None:
        out.print(voice_table(voice))
    table = Table(title="conversations", title_justify="left")
    for column in ("#", "ending", "turns", "fallbacks", "off-topic", "detail / error"):
        table.add_column(column)
    for r in rows:
        reason_style = "green" if r.completed else ("red" if r.error else "")
        text = Text("error (below)", style="red") if r.error else Text(r.detail, style="dim")
        table.add_row(
            str(r.index),
            Text(r.termination_reason, style=reason_style),
            str(r.turns),
            str(r.fallback_turns),
            "yes" if r.off_topic else "",
            text,
        )
    out.print(table)
    if stored > len(rows) or page > 1:
        first = (page - 1) * limit
        shown = f"{first + 1}-{first + len(rows)}" if rows else "none"
        pages = max(1, -(-stored // limit))
        hint = f"; next: understudy runs show {run.id} --page {page + 1}" if page < pages else ""
        out.print(
            f"[dim]conversations {shown} of {stored} (page {page} of {pages}){hint}[/dim]",
            highlight=False,
        )
    funnel = funnel_of_turns(store.agent_node_steps(run.id))
    if funnel:
        out.print(funnel_table(funnel))
    failed = store.failed_conversations(run.id)
    if failed:
        out.print(f"[red]{len(failed)} conversation(s) ended with an error:[/red]")
    for index, error in failed[:limit]:
        out.print(f"  #{index}: {escape(error)}", highlight=False, soft_wrap=True)
    if len(failed) > limit:
        out.print(
            f"  [dim]... and {len(failed) - limit} more: understudy runs show {run.id} "
            "--json[/dim]",
            highlight=False,
        )
    out.print(
        f"[dim]one transcript: understudy runs show {run.id} --conversation K[/dim]",
        highlight=False,
    )


@runs_app.command("compare")
def compare_runs(
    run_a: str = typer.Argument(..., metavar="A", help="Baseline run."),
    run_b: str = typer.Argument(..., metavar="B", help="Run compared with it."),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
    fail_on_regression: bool = typer.Option(
        False,
        "--fail-on-regression",
        help="Exit 4 when any metric of B is worse than A beyond noise (for CI).",
    ),
) -> None:
    """Compare two runs metric by metric: delta, and whether it is beyond the noise.

    A delta is beyond noise when the Newcombe interval of the difference of the two proportions
    excludes 0 (Welch interval for mean turns), with intervals at a Bonferroni-adjusted level so
    that all metrics together are wrong at most 5% of the time. With --fail-on-regression the
    exit code is 4 when any metric is worse beyond noise (a change within noise never fails).
    """
    from understudy.cli.gating import EXIT_GATE_FAILED
    from understudy.metrics.bands import load_bands
    from understudy.metrics.compare import Verdict
    from understudy.runs.compare import compare_runs as run_deltas
    from understudy.storage.store import Store

    with user_errors():
        bands = load_bands()
        store = Store()
        a, b = store.get_run(run_a), store.get_run(run_b)
        deltas = run_deltas(store, a, b, bands)
        if as_json:
            out = {"a": a.id, "b": b.id, "deltas": [d.model_dump(mode="json") for d in deltas]}
            typer.echo(json.dumps(out, indent=2))
        else:
            print_comparison(store, a, b, bands)
    worse = [d.metric for d in deltas if d.verdict is Verdict.worse]
    if fail_on_regression and worse:
        err_console.print(
            f"[red]FAIL[/red] regression beyond noise: {', '.join(worse)}", highlight=False
        )
        raise typer.Exit(EXIT_GATE_FAILED)


def print_comparison(store: Store, a: RunRow, b: RunRow, bands: Bands) -> None:
    """Print how run ``b`` differs from run ``a``: per-metric deltas and what moved beyond noise.

    Shared by ``runs compare`` and ``runs rerun``.
    """
    from understudy.cli.metrics_view import comparison_table
    from understudy.metrics.compare import Verdict
    from understudy.runs.compare import compare_runs as run_deltas

    deltas = run_deltas(store, a, b, bands)
    if a.agent_hash != b.agent_hash:
        console.print(
            f"[dim]agents differ: {escape(_agent_label(a))} {a.agent_hash[:12]} vs "
            f"{escape(_agent_label(b))} {b.agent_hash[:12]}[/dim]",
            highlight=False,
        )
    console.print(comparison_table(deltas, a.id, b.id))
    console.print(
        "[dim]* simultaneous 95% intervals (Newcombe; Bonferroni over the metrics compared); "
        "a delta is beyond noise when its interval excludes 0[/dim]"
    )
    moved = [d for d in deltas if d.verdict in (Verdict.better, Verdict.worse)]
    if not moved:
        console.print("every difference is within the noise of the two batches")
    for d in moved:
        direction = "rose" if (d.delta or 0) > 0 else "dropped"
        style = "green" if d.verdict is Verdict.better else "red"
        label = d.metric.replace("_", " ")
        console.print(
            f"[{style}]{label} {direction} beyond noise ({d.verdict.value})[/{style}]",
            highlight=False,
        )
