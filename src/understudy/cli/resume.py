"""``understudy runs resume RUN``: finish an interrupted run with the conversations it is missing.

Exit codes: 0 the run is now finished; 1 finished, but some conversations ended with an error;
2 it could not resume (unknown run, still running, already finished, unusable snapshot); 3 the
LLM token budget ran out again (the run stays ``interrupted``); 130 stopped again (the run stays
``interrupted`` with everything stored so far: resume it once more).
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from understudy.cli.apps import runs_app
from understudy.cli.common import console, err_console, user_errors

if TYPE_CHECKING:
    from understudy.llm.run import LLMRun
    from understudy.runs import StressOutcome, StressPlan
    from understudy.storage.store import Store


async def _play(
    plan: StressPlan, store: Store, run_id: str, llm_run: LLMRun, workers: int
) -> StressOutcome:
    from understudy.runs import play

    try:
        return await play(
            plan,
            store,
            usage=llm_run,
            budget_spent=lambda: llm_run.exhausted,
            keep_conversations=False,
            workers=workers,
            resume=run_id,
        )
    finally:
        await llm_run.aclose()


@runs_app.command("resume")
def resume_run(
    run_ref: str = typer.Argument(..., metavar="RUN", help="Run id, a unique prefix, or 'last'."),
    workers: int = typer.Option(
        1, "--workers", "-w", min=0, help="Processes playing the rest (0: one per core)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the finished run as JSON."),
) -> None:
    """Finish an interrupted run: play only its missing conversations, with their own seeds.

    The flow, persona and scenarios come from the snapshots stored with RUN (a later edit of
    their files changes nothing), the seed and n from RUN itself; the conversations are added
    to RUN, whose metrics then cover all of them, as if it had never stopped.
    """
    import asyncio

    from understudy.cli.llm_options import llm_options
    from understudy.cli.metrics_view import metrics_json, metrics_table
    from understudy.runs.rerun import rerun_version
    from understudy.runs.resume import bank_changed, plan_resume
    from understudy.storage.store import Store

    with user_errors(2):
        store = Store()
        run = store.get_run(run_ref)
        if (workers or os.cpu_count() or 1) > 1:
            from understudy.runs.workers import start_fork_server

            llm = run.simulator_kind == "llm" or run.agent_kind == "agent-persona"
            start_fork_server(llm=llm)  # its imports run while this command plans
        _t, llm_run, agent_options, simulator_options = llm_options(
            None, run.agent_ref, run.simulator_kind, None, False, rerun_version(run), None
        )
        plan = plan_resume(run, agent_options=agent_options, simulator_options=simulator_options)
        missing = run.n - store.count_conversations(run.id)
    if bank_changed(run, plan):
        err_console.print(
            "[yellow]warning[/yellow]: the phrasing banks installed now differ from the ones "
            f"run {run.id} recorded: the resumed customers may word their turns differently",
            highlight=False,
        )
    if not as_json:
        console.print(
            f"resuming run {run.id}: {escape(plan.agent.name or run.agent_ref)}, persona "
            f"{plan.persona.id}, {missing} of {plan.n} conversations to play, seed {plan.seed}",
            highlight=False,
        )
    try:
        with user_errors(2):
            outcome = asyncio.run(
                _play(plan, store, run.id, llm_run, workers or os.cpu_count() or 1)
            )
    except (KeyboardInterrupt, asyncio.CancelledError):
        err_console.print(
            f"[yellow]stopped[/yellow]: run {run.id} is kept as interrupted; resume it again"
        )
        raise typer.Exit(130) from None
    if as_json:
        out = {
            "run_id": run.id,
            "status": "interrupted" if outcome.stopped else "finished",
            "played": outcome.result.played,
            "metrics": metrics_json(outcome.metrics),
        }
        typer.echo(json.dumps(out, indent=2))
    else:
        console.print(metrics_table(outcome.metrics, title=f"run {run.id}, resumed"))
    if outcome.metrics.errors:
        err_console.print(
            f"[red]{outcome.metrics.errors} conversation(s) ended with an error[/red]; see "
            f"`understudy runs show {run.id}`",
            highlight=False,
        )
        raise typer.Exit(1)
    if outcome.stopped:
        raise typer.Exit(3)
