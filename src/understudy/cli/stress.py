"""``understudy stress-test``: play a batch of simulated customers against a draft assistant.

Exit codes: 0 the run finished; 1 it finished but some conversations ended with an error;
2 it could not start (bad file, unknown persona, bad option, missing LLM credentials);
3 the LLM token budget (``--max-tokens``) ran out: no further conversation was started, the ones
cut short are stored ``interrupted`` ("token budget spent") and left out of the metrics, and the
run is ``interrupted``; 4 a ``--fail-under``/``--fail-over`` gate failed (see
``understudy.metrics.gates``: only when the 95% interval lies wholly on the wrong side of the
bar); 130 it was stopped (Ctrl-C or SIGTERM), after marking the run
``interrupted`` with its finished conversations.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from understudy.cli.apps import app
from understudy.cli.common import console, err_console, user_errors

if TYPE_CHECKING:
    from understudy.llm.run import LLMRun
    from understudy.metrics.voice import VoiceMetrics
    from understudy.runs import StressOutcome, StressPlan
    from understudy.storage.store import Store

EXIT_BUDGET_SPENT = 3
"""Exit code of a run stopped because its LLM token budget ran out."""


async def _play_with_signals(
    plan: StressPlan,
    store: Store,
    progress: Progress,
    llm_run: LLMRun | None = None,
    workers: int = 1,
    backend: str = "local",
    address: str | None = None,
) -> StressOutcome:
    import asyncio

    from understudy.runs import BatchConversation, play

    task_id = progress.add_task("conversations", total=plan.n)

    def advance(_done: BatchConversation) -> None:
        progress.advance(task_id)

    loop = asyncio.get_running_loop()
    current = asyncio.current_task()
    installed = False
    if current is not None:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signal.SIGTERM, current.cancel)
            installed = True
    try:
        budget = (lambda: llm_run.exhausted) if llm_run is not None else None
        return await play(
            plan,
            store,
            on_conversation_end=advance,
            usage=llm_run,
            budget_spent=budget,
            keep_conversations=False,
            workers=workers,
            backend=backend,
            address=address,
        )
    finally:
        if installed:
            loop.remove_signal_handler(signal.SIGTERM)
        if llm_run is not None:
            await llm_run.aclose()


def _json_report(plan: StressPlan, outcome: StressOutcome) -> dict[str, Any]:
    from understudy.cli.metrics_view import metrics_json

    errors = [{"index": index, "error": error} for index, error in outcome.errors]
    return {
        "run_id": outcome.run_id,
        "status": "interrupted" if outcome.stopped else "finished",
        "stopped": outcome.stopped,
        "played": outcome.result.played,
        "cut": outcome.cut_indices,
        "skipped": outcome.result.skipped,
        "metrics": metrics_json(outcome.metrics),
        "n": plan.n,
        "seed": plan.seed,
        "persona": plan.persona.id,
        "scenarios": [s.id for s in plan.scenarios],
        "agent": {
            "kind": plan.agent.kind,
            "ref": plan.agent.ref,
            "name": plan.agent.name,
            "version": plan.agent.version,
            "content_hash": plan.agent.content_hash,
        },
        "errors": errors,
        "wall_s": round(outcome.result.wall_s, 3),
    }


def _voice_metrics(store: Store, run_id: str | None) -> VoiceMetrics | None:
    """The run's voice metrics when the agent was a voice bot, else None."""
    from understudy.metrics.voice import voice_metrics

    return voice_metrics(store.voice_timings(run_id)) if run_id is not None else None


@app.command("stress-test")
def stress_test(
    flow: str | None = typer.Argument(
        None, help="The assistant under test: a flow file (.yaml); or use --agent."
    ),
    agent: str | None = typer.Option(
        None,
        "--agent",
        help=(
            "Agent under test: flow file, http(s):// webhook, ws(s):// voice bot, "
            "module:function, agent persona id."
        ),
    ),
    model: str | None = typer.Option(
        None, "--model", help="Model of the LLM user simulator (provider:model)."
    ),
    no_cache: bool = typer.Option(False, "--no-cache", help="Bypass the LLM replay cache."),
    version: str = typer.Option(
        "draft", "--version", help="Agent persona version: draft, production or a number."
    ),
    max_tokens: int | None = typer.Option(
        None, "--max-tokens", help="LLM token budget of the run (stops it cleanly when spent)."
    ),
    persona: str | None = typer.Option(
        None, "--persona", "-p", help="Persona id or YAML file (default: the scenario's)."
    ),
    n: int = typer.Option(25, "-n", "--n", help="Number of conversations (any positive number)."),
    scenario: list[Path] | None = typer.Option(
        None,
        "--scenario",
        "-s",
        help="Scenario file; repeat for several (played round-robin). Default: the flow's.",
    ),
    seed: str = typer.Option(
        "0", "--seed", help="Batch seed: the same seed replays the same customers."
    ),
    concurrency: int | None = typer.Option(
        None,
        "--concurrency",
        "-c",
        help="Conversations at once (default: 8 offline; LLM-backed: n, up to llm.concurrency).",
    ),
    workers: int = typer.Option(
        1,
        "--workers",
        "-w",
        min=0,
        help="Processes playing the batch (0: one per core); same transcripts whatever the number.",
    ),
    backend: str = typer.Option(
        "local", "--backend", help="Where to play: local, or ray (a Ray cluster; the ray extra)."
    ),
    address: str | None = typer.Option(
        None, "--address", help="Ray cluster address (auto, ray://host:10001); default: local."
    ),
    simulator: str = typer.Option("offline", "--simulator", help="User simulator kind."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    config: Path | None = typer.Option(
        None, "--config", help="Configuration file whose 'bands' override the thresholds."
    ),
    fail_under: list[str] | None = typer.Option(
        None,
        "--fail-under",
        help="Gate, e.g. completion=0.8: exit 4 when the rate's 95% interval lies below it.",
    ),
    fail_over: list[str] | None = typer.Option(
        None,
        "--fail-over",
        help="Gate, e.g. fallback=0.2: exit 4 when the rate's 95% interval lies above it.",
    ),
    junit: Path | None = typer.Option(
        None, "--junit", help="Write JUnit XML: gates and one test case per conversation."
    ),
) -> None:
    """Play N simulated customers against an assistant flow and score the batch.

    Every run and conversation is stored (see `understudy runs`). Exit code 0 finished, 1
    finished with conversation errors, 2 could not start, 3 LLM token budget spent (run kept as
    interrupted), 4 a gate failed, 130 stopped (run kept as interrupted).
    """
    import asyncio

    from understudy.cli.gating import EXIT_GATE_FAILED, gates_json, print_gates, write_run_junit
    from understudy.cli.llm_options import llm_options, usage_line
    from understudy.cli.metrics_view import metrics_table, voice_table
    from understudy.metrics.gates import check_gates, parse_gates
    from understudy.runs import plan_stress_test
    from understudy.storage.store import Store

    if (workers or os.cpu_count() or 1) > 1 and backend == "local":
        from understudy.runs.workers import start_fork_server

        # Its imports run while this command plans. An --agent that is neither a URL nor
        # module:function may be an LLM agent persona: its workers need the LLM client too.
        persona_agent = agent is not None and ":" not in agent
        start_fork_server(llm=simulator == "llm" or model is not None or persona_agent)
    with user_errors(2):
        gates = parse_gates(fail_under, fail_over)
        target, llm_run, agent_options, simulator_options = llm_options(
            flow, agent, simulator, model, no_cache, version, max_tokens
        )
        try:
            plan = plan_stress_test(
                target,
                persona=persona,
                scenarios=scenario or [],
                n=n,
                seed=seed,
                concurrency=concurrency if concurrency is not None else 1,
                simulator=simulator,
                config=config,
                agent_options=agent_options,
                simulator_options=simulator_options,
            )
            if concurrency is None:
                plan.concurrency = plan.default_concurrency(lambda: llm_run.settings.concurrency)
            store = Store()
        except BaseException:
            asyncio.run(llm_run.aclose())  # the model's HTTP clients may already be open
            raise
    progress = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )
    try:
        with progress, user_errors(2):
            outcome = asyncio.run(
                _play_with_signals(
                    plan,
                    store,
                    progress,
                    llm_run,
                    workers or os.cpu_count() or 1,
                    backend,
                    address,
                )
            )
    except (KeyboardInterrupt, asyncio.CancelledError):
        err_console.print(
            "[yellow]stopped[/yellow]: the run is kept as interrupted with its finished "
            "conversations; see `understudy runs list`",
            highlight=False,
        )
        raise typer.Exit(130) from None
    metrics = outcome.metrics
    gate_results = check_gates(metrics, gates)
    if junit is not None and outcome.run_id is not None:
        write_run_junit(store, outcome.run_id, metrics, gate_results, junit)
    voice = _voice_metrics(store, outcome.run_id)
    if as_json:
        report = _json_report(plan, outcome)
        if voice is not None:
            report["voice"] = voice.model_dump()
        if gates:
            report["gates"] = gates_json(gate_results)
        if llm_run.usage.requests or llm_run.usage.cached:
            report["llm_usage"] = llm_run.summary()
        typer.echo(json.dumps(report, indent=2))
    else:
        version = f" ({plan.agent.version})" if plan.agent.version else ""
        title = (
            f"run {outcome.run_id}: {escape(plan.agent.name or plan.agent.ref)}{version}, "
            f"persona {plan.persona.id}, {plan.n} conversations, seed {plan.seed}"
        )
        console.print(metrics_table(metrics, title=title))
        if voice is not None:
            console.print(voice_table(voice))
        if llm_run.usage.requests or llm_run.usage.cached:
            console.print(usage_line(llm_run))
    print_gates(gate_results)
    if outcome.stopped:
        err_console.print(
            f"[yellow]stopped[/yellow]: {outcome.stopped} after "
            f"{outcome.finished} finished conversation(s); {len(outcome.cut_indices)} cut "
            f"short, {outcome.result.skipped} not started. The metrics cover the finished "
            "ones; raise --max-tokens or llm.max_tokens_per_run. See "
            f"`understudy runs show {outcome.run_id}`",
            highlight=False,
        )
    if metrics.errors:
        index, error = outcome.errors[0]
        err_console.print(
            f"[red]{metrics.errors} conversation(s) ended with an error[/red], e.g. "
            f"#{index}: {escape(error)}\n"
            f"see `understudy runs show {outcome.run_id} --conversation {index}`",
            highlight=False,
        )
    if any(not r.passed for r in gate_results):
        raise typer.Exit(EXIT_GATE_FAILED)
    if metrics.errors:
        raise typer.Exit(1)
    if outcome.stopped:
        raise typer.Exit(EXIT_BUDGET_SPENT)
