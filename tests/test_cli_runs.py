"""``understudy runs list | show | compare`` on stored stress-test runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flow_variants import CRYSTAL, REFUND, order_id_rejects_customer_format, write_flow
from understudy.cli.app import app
from understudy.content.flows import load_flow
from understudy.content.personas import resolve_persona
from understudy.domain.persona import Mood

pytestmark = pytest.mark.usefixtures("database")

runner = CliRunner()


def run(flow: Path, *args: str) -> str:
    result = runner.invoke(app, ["stress-test", str(flow), "--json", *args])
    assert result.exit_code == 0, result.stderr
    return str(json.loads(result.stdout)["run_id"])


def cli(*args: str) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_list_shows_each_run_with_flow_version_persona_n_and_scores() -> None:
    run_id = run(REFUND, "--persona", "calm", "-n", "10")
    out = cli("runs", "list")
    assert run_id in out
    for expected in ("ABCD Initiate Refund (draft)", "calm", "10", "finished", "%"):
        assert expected in out, f"the list shows {expected!r}"


def test_list_filters_by_flow_and_persona(tmp_path: Path) -> None:
    other = write_flow(load_flow(REFUND), tmp_path / "other.yaml", name="Other Flow")
    a = run(REFUND, "--persona", "calm", "-n", "3")
    b = run(other, "--persona", "elderly", "-n", "3", "--scenario", str(CRYSTAL))
    by_flow = cli("runs", "list", "--flow", "Other Flow")
    assert b in by_flow and a not in by_flow
    by_path = cli("runs", "list", "--flow", "refund.yaml")
    assert a in by_path and b not in by_path
    by_persona = cli("runs", "list", "--persona", "calm")
    assert a in by_persona and b not in by_persona


def test_show_lists_metrics_and_every_conversation_with_its_ending() -> None:
    run_id = run(REFUND, "--persona", "typo-prone", "-n", "6")
    out = cli("runs", "show", run_id)
    assert "completion" in out and "95% interval" in out
    assert "6 of 6 conversations stored" in out
    assert "goal_met" in out or "escalated" in out, "each conversation shows its ending"
    assert "sha256" in out, "the flow's content hash is shown"


def test_one_conversation_reads_as_a_transcript_with_mood_acts_and_noise() -> None:
    run_id = run(REFUND, "--persona", "typo-prone", "-n", "4")
    out = "\n".join(cli("runs", "show", run_id, "--conversation", str(k)) for k in range(4))
    assert "customer" in out and "agent" in out
    assert "clean:" in out, "noisy customer text is shown with its clean version"
    assert "state_goal()" in out or "inform(" in out, "dialogue acts are shown"
    customer_lines = re.findall(r"^ *\d+ customer \[(\w+)[;\]]", out, re.M)
    assert len(customer_lines) == len(re.findall(r"^ *\d+ customer ", out, re.M)) > 0, (
        "every customer line shows a mood in brackets"
    )
    assert set(customer_lines) <= {m.value for m in Mood}, f"moods shown: {set(customer_lines)}"
    assert customer_lines[0] == resolve_persona("typo-prone").mood.value, (
        "the first customer turn is in the persona's starting mood"
    )


def test_compare_same_flow_different_seeds_is_within_noise() -> None:
    a = run(REFUND, "--persona", "calm", "-n", "50", "--seed", "1")
    b = run(REFUND, "--persona", "calm", "-n", "50", "--seed", "2")
    report = json.loads(cli("runs", "compare", a, b, "--json"))
    verdicts = {d["metric"]: d["verdict"] for d in report["deltas"]}
    for metric in ("completion_rate", "fallback_rate", "off_topic_recovery_rate"):
        assert verdicts[metric] in ("within noise", "n/a"), f"{metric}: {verdicts[metric]}"
    out = cli("runs", "compare", a, b)
    assert "completion" in out and "within noise" in out


def test_compare_intact_vs_broken_says_completion_dropped_beyond_noise(tmp_path: Path) -> None:
    broken = write_flow(order_id_rejects_customer_format(load_flow(REFUND)), tmp_path / "b.yaml")
    a = run(REFUND, "--persona", "calm", "-n", "50", "--seed", "1")
    b = run(broken, "--persona", "calm", "-n", "50", "--seed", "1", "--scenario", str(CRYSTAL))
    out = cli("runs", "compare", a, b)
    assert "completion rate dropped beyond noise (worse)" in out, out
    assert "agents differ" in out, "different flow content is pointed out"
    report = json.loads(cli("runs", "compare", a, b, "--json"))
    completion = next(d for d in report["deltas"] if d["metric"] == "completion_rate")
    assert completion["beyond_noise"] and completion["high"] < 0


def test_unknown_run_exits_2_and_points_to_the_list() -> None:
    result = runner.invoke(app, ["runs", "show", "nope42"])
    assert result.exit_code == 2 and "runs list" in result.stderr


def test_show_has_a_per_node_funnel_that_shows_where_a_broken_flow_loses_people(
    tmp_path: Path,
) -> None:
    broken = write_flow(
        order_id_rejects_customer_format(load_flow(REFUND)), tmp_path / "broken.yaml"
    )
    healthy_id, broken_id = (
        run(REFUND, "--persona", "calm", "-n", "6"),
        run(broken, "--persona", "calm", "-n", "6"),
    )
    assert "where conversations went (per node)" in cli("runs", "show", broken_id)

    def funnel(run_id: str) -> dict[str, dict[str, object]]:
        data = json.loads(cli("runs", "show", run_id, "--json"))
        return {step["node"]: step for step in data["funnel"]}

    healthy, bad = funnel(healthy_id), funnel(broken_id)
    assert healthy["goodbye"]["endings"] == {"goal_met": 6}, "the healthy flow finishes at goodbye"
    lost = [n for n, step in bad.items() if step["endings"].get("escalated")]  # type: ignore[union-attr]
    assert lost, "the broken flow hands people over somewhere"
    where = lost[0]
    assert bad[where]["fallbacks"] and not healthy[where]["fallbacks"], (
        f"the funnel shows re-prompts piling up at {where}, where the healthy flow has none"
    )
    ended = sum(sum(step["endings"].values()) for step in bad.values())  # type: ignore[attr-defined]
    assert ended == 6, "every conversation ends at exactly one node"
