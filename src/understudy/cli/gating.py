"""Gates and JUnit files for ``stress-test`` and ``runs compare`` (thin: the rules live in
``understudy.metrics.gates`` and ``understudy.reports.junit``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from understudy.cli.common import err_console
from understudy.metrics.batch import BatchMetrics

if TYPE_CHECKING:
    from understudy.metrics.gates import GateResult
    from understudy.storage.store import Store

EXIT_GATE_FAILED = 4
"""Exit code when a ``--fail-under``/``--fail-over`` gate failed or ``runs compare
--fail-on-regression`` found a metric worse beyond noise."""


def gates_json(results: list[GateResult]) -> list[dict[str, Any]]:
    """Gate results as JSON: ``{gate, metric, side, bar, passed, message}``."""
    return [
        {
            "gate": str(r.gate),
            "metric": r.gate.metric,
            "side": r.gate.side.value,
            "bar": r.gate.bar,
            "passed": r.passed,
            "message": r.message,
        }
        for r in results
    ]


def print_gates(results: list[GateResult]) -> None:
    """One line per gate on stderr: PASS or FAIL and the reason with k of n and the interval."""
    for r in results:
        mark = "[green]PASS[/green]" if r.passed else "[red]FAIL[/red]"
        err_console.print(f"{mark} {escape(str(r.gate))}: {escape(r.message)}", highlight=False)


def write_run_junit(
    store: Store, run_id: str, metrics: BatchMetrics, results: list[GateResult], path: Path
) -> None:
    """Write the JUnit XML of a stored run (``understudy.reports.junit``) to ``path``."""
    from understudy.reports.junit import JUnitRun, write_junit

    run = store.get_run(run_id)
    conversations = [
        (row.index, store.get_conversation(run_id, row.index)[1])
        for row in store.conversations(run_id)
    ]
    write_junit(
        JUnitRun(
            run_id=run.id,
            flow=run.agent_name or run.agent_ref,
            flow_hash=run.agent_hash,
            persona=run.persona_id,
            seed=run.seed,
            metrics=metrics,
            conversations=conversations,
            gates=results,
        ),
        path,
    )
