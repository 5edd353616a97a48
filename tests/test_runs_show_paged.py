"""``runs show`` of a large run shows a page of conversations with the totals, not every row."""

from __future__ import annotations

import asyncio
from pathlib import Path

from typer.testing import CliRunner

from understudy.cli.app import app
from understudy.metrics.funnel import funnel_of_turns, node_funnel
from understudy.runs import plan_stress_test, play
from understudy.storage.store import Store

FLOW = Path(__file__).resolve().parents[1] / "examples" / "flows" / "refund.yaml"
runner = CliRunner()


def _run(n: int) -> str:
    plan = plan_stress_test(str(FLOW), persona="typo-prone", n=n, seed=3)
    outcome = asyncio.run(play(plan, Store(), keep_conversations=False))
    assert outcome.run_id is not None
    return outcome.run_id


def _table_indices(output: str) -> list[int]:
    return [
        int(line.split("│")[1])
        for line in output.splitlines()
        if line.startswith("│") and line.split("│")[1].strip().isdigit()
    ]


def test_a_large_run_is_shown_a_page_at_a_time_with_its_totals() -> None:
    run_id = _run(70)
    first = runner.invoke(app, ["runs", "show", run_id], env={"COLUMNS": "160"})
    assert first.exit_code == 0, first.output
    assert _table_indices(first.output) == list(range(50)), "the first page holds 50 rows"
    assert "70 of 70 conversations stored" in first.output
    assert (
        f"conversations 1-50 of 70 (page 1 of 2); next: understudy runs show {run_id} --page 2"
        in (first.output)
    )
    second = runner.invoke(
        app, ["runs", "show", run_id, "--page", "2", "--limit", "30"], env={"COLUMNS": "160"}
    )
    assert _table_indices(second.output) == list(range(30, 60))
    assert "conversations 31-60 of 70 (page 2 of 3); next" in second.output
    paged = runner.invoke(app, ["runs", "show", run_id, "--json", "--limit", "5", "--page", "3"])
    assert '"conversations_stored": 70' in paged.output
    assert paged.output.split('"index": ')[1].startswith("10,"), "page 3 of 5 starts at 10"


def test_the_funnel_read_in_sql_equals_the_funnel_of_the_transcripts() -> None:
    run_id = _run(12)
    store = Store()
    from_sql = funnel_of_turns(store.agent_node_steps(run_id))
    from_transcripts = node_funnel(list(store.transcripts(run_id)))
    assert from_sql == from_transcripts and from_sql, "one funnel, whichever way it is read"
