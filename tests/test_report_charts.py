"""The chart specification: valid Vega-Lite with the stored numbers inlined, rendered offline."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flow_variants import REFUND
from understudy.cli.app import app
from understudy.metrics.batch import BatchMetrics
from understudy.reports import charts, data, render
from understudy.storage.store import Store

runner = CliRunner()


def stored_run(*args: str) -> str:
    result = runner.invoke(app, ["stress-test", str(REFUND), "--json", *args])
    assert result.exit_code == 0, result.stderr
    return str(json.loads(result.stdout)["run_id"])


def layer_values(spec: dict[str, object]) -> list[dict[str, object]]:
    values = spec["data"]
    assert isinstance(values, dict)
    rows = values["values"]
    assert isinstance(rows, list)
    return rows


def test_persona_chart_inlines_each_rate_with_its_interval_and_leaves_out_empty_ones() -> None:
    spec = charts.persona_chart(
        [
            charts.RateValue("typo-prone", 0.6, 30, 50, 0.46, 0.72, "amber"),
            charts.RateValue("calm", None, 0, 0, None, None, "n/a"),
        ]
    )
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/v")
    rows = layer_values(spec)
    assert [r["label"] for r in rows] == ["typo-prone"], "a rate with no value is not drawn"
    assert rows[0]["low"] == 0.46 and rows[0]["high"] == 0.72
    json.dumps(spec)  # JSON-ready: the web app sends it as is


def test_history_chart_keeps_run_order_and_rendered_svg_labels_each_run() -> None:
    points = [
        charts.HistoryPoint(
            run_id=f"run{i}",
            when=f"2026-12-0{i + 1}T10:00:00+00:00",
            persona="typo-prone",
            flow_hash="abc123",
            rate=charts.RateValue(f"run{i}", k / 25, k, 25, k / 25 - 0.1, k / 25 + 0.1, "amber"),
        )
        for i, k in enumerate((10, 15, 20))
    ]
    spec = charts.history_chart(points, "completion rate")
    assert [r["run_id"] for r in layer_values(spec)] == ["run0", "run1", "run2"]
    svg = render.to_svg(spec)
    assert svg.lstrip().startswith("<svg")
    for k in (10, 15, 20):
        assert f"k: {k}; n: 25" in svg, f"the point of the run with k={k} is drawn and labelled"
    assert "http://" not in re.sub(r'xmlns(:\w+)?="[^"]+"', "", svg), "no external resource"


@pytest.mark.slow
def test_chart_inputs_come_from_the_stored_run() -> None:
    run_id = stored_run("--persona", "typo-prone", "-n", "12", "--seed", "3")
    store = Store()
    run = store.get_run(run_id)
    metrics = BatchMetrics.model_validate(run.metrics)
    (point,) = data.history_points([(run, metrics)], "fallback_rate")
    assert (point.rate.k, point.rate.n) == (metrics.fallback_rate.k, metrics.fallback_rate.n)
    assert point.flow_hash == run.agent_hash[:12]
    results = store.transcripts(run_id)
    by_node = data.fallback_nodes(results)
    assert sum(by_node.values()) == sum(r.fallback_turns for r in results)
    left = data.leave_points(results)
    assert sum(left.values()) == metrics.abandonment_rate.k
    for spec in (charts.fallback_nodes_chart(by_node), charts.leave_points_chart(left)):
        assert render.to_svg(spec).lstrip().startswith("<svg")


def test_criteria_chart_marks_pass_and_fail_against_each_pass_mark(tmp_path: Path) -> None:
    spec = charts.criteria_chart(
        [
            charts.CriterionScore("empathy", 0.4, 0.5),
            charts.CriterionScore("verification", 0.9, 0.5),
            charts.CriterionScore("closing", None, 0.5),
        ]
    )
    rows = {r["criterion"]: r["passed"] for r in layer_values(spec)}
    assert rows == {"empathy": "fail", "verification": "pass"}
    team = charts.team_chart([charts.TraineeRow("sam", 3, 0.7), charts.TraineeRow("ana", 1, None)])
    assert render.to_svg(team).lstrip().startswith("<svg")
