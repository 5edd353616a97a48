"""``understudy runs rerun RUN``: play a stored run's batch again against the flow as it is now.

The fix-and-confirm loop: run a batch, investigate a failure (``understudy chat``), fix the flow,
re-run the same customers and read whether the score moved beyond noise. The planning lives in
``understudy.runs``; the comparison is the one ``runs compare`` prints.

Exit codes: 0 the rerun finished; 1 it finished but some conversations ended with an error;
2 it could not start (unknown run, agent kind that cannot be re-run, invalid flow);
130 it was stopped (the new run is kept as ``interrupted``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from understudy.cli.apps import runs_app
from understudy.cli.common import console, err_console, user_errors

if TYPE_CHECKING:
    from understudy.llm.run import LLMRun
    from understudy.runs import Rerun, StressOutcome
    from understudy.storage.store import Store


async def _play(rerun: Rerun, store: Store, llm_run: LLMRun) -> StressOutcome:
    from understudy.runs import play

    try:
        budget = lambda: llm_run.exhausted  # noqa: E731
        return await play(rerun.plan, store, usage=llm_run, budget_spent=budget)
    finally:
        await llm_run.aclose()


def _hash_line(rerun: Rerun) -> str:
    old, new = rerun.original.agent_hash[:12], rerun.plan.agent.content_hash[:12]
    if rerun.unchanged:
        return (
            f"[green]unchanged[/green]: the agent's content hash is the same as run "
            f"{rerun.original.id}'s (sha256 {new}), so the result will be identical"
        )
    return f"[yellow]changed[/yellow]: sha256 {old} in run {rerun.original.id}, {new} now"


@runs_app.command("rerun")
def rerun_run(
    run_ref: str = typer.Argument(..., metavar="RUN", help="Run id, a unique prefix, or 'last'."),
    flow: Path | None = typer.Option(
        None, "--flow", help="Play this flow file instead of the run's stored flow path."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the new run and deltas as JSON."),
) -> None:
    """Play a stored run again against the flow as it is now on disk, and compare.

    Same persona, scenario(s), simulator, seed and n as RUN; the flow is read again from RUN's
    flow path (or --flow). The persona and scenarios come from the snapshots stored with RUN,
    so a later edit of their files does not change the rerun. The new run is stored and
    compared with RUN as `understudy runs compare` does. Agent personas are re-resolved by id
    and version; webhook and callable runs cannot be re-run.
    """
    import asyncio

    from understudy.cli.llm_options import llm_options
    from understudy.cli.metrics_view import metrics_json
    from understudy.cli.runs import print_comparison
    from understudy.metrics.bands import load_bands
    from understudy.runs import compare_runs, plan_rerun
    from understudy.runs.rerun import rerun_target, rerun_version
    from understudy.storage.store import Store

    with user_errors(2):
        store = Store()
        original = store.get_run(run_ref)
        target = rerun_target(original, flow)
        _t, llm_run, agent_options, simulator_options = llm_options(
            None, target, original.simulator_kind, None, False, rerun_version(original), None
        )
        rerun = plan_rerun(
            original,
            flow=flow,
            agent_options=agent_options,
            simulator_options=simulator_options,
        )
    if not as_json:
        console.print(
            f"re-running {original.id}: {escape(rerun.plan.agent.name or rerun.target)}, persona "
            f"{rerun.plan.persona.id}, {rerun.plan.n} conversations, seed {rerun.plan.seed}",
            highlight=False,
        )
        console.print(_hash_line(rerun), highlight=False)
    if rerun.bank_warning:
        err_console.print(
            f"[yellow]warning[/yellow]: {escape(rerun.bank_warning)}", highlight=False
        )
    try:
        outcome = asyncio.run(_play(rerun, store, llm_run))
    except (KeyboardInterrupt, asyncio.CancelledError):
        err_console.print("[yellow]stopped[/yellow]: the new run is kept as interrupted")
        raise typer.Exit(130) from None
    assert outcome.run_id is not None
    with user_errors(2):
        bands = load_bands()
        new = store.get_run(outcome.run_id)
        if as_json:
            deltas = compare_runs(store, original, new, bands)
            out = {
                "run_id": new.id,
                "original": original.id,
                "unchanged": rerun.unchanged,
                "content_hash": rerun.plan.agent.content_hash,
                "metrics": metrics_json(outcome.metrics),
                "deltas": [d.model_dump(mode="json") for d in deltas],
            }
            typer.echo(json.dumps(out, indent=2))
        else:
            console.print(f"stored as run {new.id}", highlight=False)
            print_comparison(store, original, new, bands)
    if outcome.metrics.errors:
        err_console.print(
            f"[red]{outcome.metrics.errors} conversation(s) ended with an error[/red]; see "
            f"`understudy runs show {new.id}`",
            highlight=False,
        )
        raise typer.Exit(1)
