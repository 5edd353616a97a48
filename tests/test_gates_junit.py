"""CI gates on stress-test and runs compare, and the JUnit file checked against its schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from flow_variants import CRYSTAL, REFUND, order_id_rejects_customer_format, write_flow
from understudy.cli.app import app
from understudy.content.flows import load_flow
from understudy.errors import ConfigError
from understudy.metrics.bands import Bands
from understudy.metrics.batch import Rate
from understudy.metrics.gates import Side, check_rate, parse_gate

runner = CliRunner()
SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).parent / "data" / "junit.xsd")))


def stress(flow: Path, *args: str) -> tuple[int, dict[str, object], str]:
    result = runner.invoke(app, ["stress-test", str(flow), "--json", *args])
    return result.exit_code, json.loads(result.stdout), result.stderr


def rate(k: int, n: int) -> Rate:
    return Rate.of("completion_rate", k, n, Bands())


def test_a_fail_under_gate_fails_only_when_the_whole_interval_is_below_the_bar() -> None:
    passed, message = check_rate(rate(17, 25), Side.under, 0.8, "completion")
    assert passed, "68% of 25 has an interval reaching 80%: within the noise, not a failure"
    assert "17 of 25" in message and "within the noise" in message
    passed, message = check_rate(rate(10, 25), Side.under, 0.8, "completion")
    assert not passed and "10 of 25" in message and "below 80%" in message
    passed, _ = check_rate(rate(3, 25), Side.over, 0.2, "fallback")
    assert passed
    passed, message = check_rate(rate(15, 25), Side.over, 0.2, "fallback")
    assert not passed and "above 20%" in message


def test_gate_options_name_what_is_wrong() -> None:
    assert parse_gate("completion=80%", Side.under).bar == pytest.approx(0.8)
    assert parse_gate("recovery=0.5", Side.under).metric == "off_topic_recovery_rate"
    for bad, expected in (
        ("completion", "metric=bar"),
        ("completeness=0.8", "known metrics"),
        ("completion=1.5", "between 0 and 1"),
        ("completion=high", "expected a number"),
    ):
        with pytest.raises(ConfigError, match=expected):
            parse_gate(bad, Side.under)
    result = runner.invoke(app, ["stress-test", str(REFUND), "--fail-under", "nope=0.5"])
    assert result.exit_code == 2 and "unknown metric 'nope'" in result.stderr


def test_stress_test_exits_4_when_a_broken_flow_misses_the_completion_gate(
    tmp_path: Path,
) -> None:
    broken = write_flow(order_id_rejects_customer_format(load_flow(REFUND)), tmp_path / "b.yaml")
    code, report, stderr = stress(
        broken,
        *("--persona", "calm", "-n", "12", "--seed", "1", "--scenario", str(CRYSTAL)),
        *("--fail-under", "completion=0.8", "--fail-over", "errors=0.5"),
    )
    assert code == 4, stderr
    gates = {g["metric"]: g for g in report["gates"]}  # type: ignore[attr-defined]
    assert not gates["completion_rate"]["passed"] and gates["error_rate"]["passed"]
    assert "FAIL --fail-under completion_rate=0.8" in stderr and "of 12" in stderr


def test_stress_test_passes_its_gates_on_the_intact_flow_and_junit_validates(
    tmp_path: Path,
) -> None:
    junit = tmp_path / "ci" / "understudy.xml"
    code, report, stderr = stress(
        REFUND,
        *("--persona", "typo-prone", "-n", "12", "--seed", "2"),
        *("--fail-under", "completion=0.3", "--fail-over", "fallback=0.95"),
        *("--junit", str(junit)),
    )
    assert code == 0, stderr
    assert "PASS --fail-under completion_rate=0.3" in stderr
    doc = etree.parse(str(junit))
    SCHEMA.assertValid(doc)
    suites = {s.get("name"): s for s in doc.getroot()}
    assert set(suites) == {"understudy.gates", "understudy.conversations"}
    cases = suites["understudy.conversations"].findall("testcase")
    assert len(cases) == 12, "one test case per conversation"
    metrics = report["metrics"]
    assert isinstance(metrics, dict)
    completed = metrics["completion_rate"]["k"]
    failed = [c for c in cases if c.find("failure") is not None or c.find("error") is not None]
    assert len(failed) == 12 - completed, "every conversation short of its goal is a failure"
    props = {
        p.get("name"): p.get("value")
        for p in suites["understudy.conversations"].find("properties")  # type: ignore[union-attr]
    }
    assert props["completion_rate.k"] == str(completed)
    assert props["run_id"] == report["run_id"]
    transcript = cases[0].findtext("system-out") or ""
    assert "customer [" in transcript and "agent [" in transcript, "transcripts in system-out"
    assert "clean:" in "".join(c.findtext("system-out") or "" for c in cases), (
        "typo-prone noise is shown next to the clean text"
    )


def test_the_schema_rejects_a_malformed_junit_file() -> None:
    bad = etree.fromstring(b'<testsuites><testsuite name="x" tests="one"/></testsuites>')
    assert not SCHEMA.validate(bad), "the schema must be able to fail"


@pytest.mark.slow
def test_compare_fail_on_regression_exits_4_only_beyond_noise(tmp_path: Path) -> None:
    broken = write_flow(order_id_rejects_customer_format(load_flow(REFUND)), tmp_path / "b.yaml")
    a = stress(REFUND, "--persona", "calm", "-n", "30", "--seed", "1")[1]["run_id"]
    b = stress(REFUND, "--persona", "calm", "-n", "30", "--seed", "2")[1]["run_id"]
    c = stress(broken, "--persona", "calm", "-n", "30", "--seed", "1", "--scenario", str(CRYSTAL))
    same = runner.invoke(app, ["runs", "compare", str(a), str(b), "--fail-on-regression"])
    assert same.exit_code == 0, "two seeds of the same flow differ only by noise"
    worse = runner.invoke(
        app, ["runs", "compare", str(a), str(c[1]["run_id"]), "--fail-on-regression"]
    )
    assert worse.exit_code == 4 and "completion_rate" in worse.stderr
    plain = runner.invoke(app, ["runs", "compare", str(a), str(c[1]["run_id"])])
    assert plain.exit_code == 0, "without the flag a regression is reported, not failed"
