"""LLM options on the command line: stress-test, practice, personas generate (test models only)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from understudy.cli.app import app

runner = CliRunner()

SCENARIO_YAML = """\
# kind: scenario
id: llm-cli
persona: calm
goal:
  reason_for_call: I want a refund.
  known_info: {order_id: "3348917502"}
max_turns: 3
"""


def write_scenario(tmp_path: Path) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(SCENARIO_YAML)
    return path


def test_stress_test_with_the_llm_simulator_replays_from_the_cache(tmp_path: Path) -> None:
    args = [
        "stress-test",
        "--agent",
        "tests_llm_cli_bot:reply",
        "--simulator",
        "llm",
        "--model",
        "test",
        "-n",
        "3",
        "--scenario",
        str(write_scenario(tmp_path)),
        "--json",
    ]
    (tmp_path / "tests_llm_cli_bot.py").write_text("def reply(messages):\n    return 'Go on.'\n")
    import sys

    sys.path.insert(0, str(tmp_path))
    try:
        first = runner.invoke(app, args)
        assert first.exit_code == 0, first.output
        second = runner.invoke(app, args)
        uncached = runner.invoke(app, [*args, "--no-cache"])
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("tests_llm_cli_bot", None)
    one, two, three = (json.loads(r.stdout) for r in (first, second, uncached))
    assert one["llm_usage"]["requests"] == 9 and one["llm_usage"]["total_tokens"] > 0
    assert two["llm_usage"]["requests"] == 0, "a same-seed re-run should make no model call"
    assert two["llm_usage"]["cached"] == 9
    assert two["metrics"] == one["metrics"], "a replayed run should score the same"
    assert three["llm_usage"]["requests"] == 9, "--no-cache should call the model again"
    stored = json.loads(runner.invoke(app, ["runs", "show", one["run_id"], "--json"]).stdout)
    assert stored["llm_usage"]["requests"] == 9, "the run's token usage should be stored"
    assert sum(c["llm_usage"]["requests"] for c in stored["conversations"]) == 9, (
        "each conversation's token usage should be stored"
    )


def test_a_spent_budget_stops_the_run_without_counting_cut_conversations_as_errors(
    tmp_path: Path,
) -> None:
    (tmp_path / "tests_llm_budget_bot.py").write_text("def reply(messages):\n    return 'Ok.'\n")
    import sys

    sys.path.insert(0, str(tmp_path))
    try:
        result = runner.invoke(
            app,
            [
                "stress-test",
                "--agent",
                "tests_llm_budget_bot:reply",
                "--simulator",
                "llm",
                "--model",
                "test",
                "-n",
                "4",
                "--concurrency",
                "1",
                "--max-tokens",
                "200",
                "--scenario",
                str(write_scenario(tmp_path)),
                "--json",
                "--no-cache",
            ],
        )
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("tests_llm_budget_bot", None)
    assert result.exit_code == 3, "a run cut short by the budget exits with its own code"
    report = json.loads(result.stdout)
    assert report["llm_usage"]["exhausted"] is True
    assert report["status"] == "interrupted" and report["stopped"] == "token budget spent"
    assert not report["errors"], "conversations cut by the budget are not errors"
    assert report["skipped"] >= 1, "no conversation starts once the budget is spent"
    assert report["metrics"]["error_rate"]["k"] == 0
    stored = json.loads(runner.invoke(app, ["runs", "show", report["run_id"], "--json"]).stdout)
    assert stored["status"] == "interrupted"
    reasons = {c["termination_reason"] for c in stored["conversations"]}
    assert "error" not in reasons, "the stored conversations are interrupted, not errors"


def test_model_without_an_llm_simulator_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "stress-test",
            "--agent",
            "x:y",
            "--model",
            "test",
            "--scenario",
            str(write_scenario(tmp_path)),
        ],
    )
    assert result.exit_code == 2
    assert "--simulator llm" in result.output


def test_personas_generate_with_an_llm_prints_a_draft(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "personas",
            "generate",
            "impatient retired teacher",
            "--llm",
            "--model",
            "test",
            "--seed",
            "4",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "draft: true" in result.stdout
    assert "impatient retired teacher" in result.stdout, "the origin names the description"


def test_practice_with_the_llm_simulator_and_grader(tmp_path: Path) -> None:
    scenario = tmp_path / "practice.yaml"
    scenario.write_text(SCENARIO_YAML)
    script = tmp_path / "lines.txt"
    script.write_text("Hello, how can I help?\nI am sorry to hear that.\n/end\n")
    result = runner.invoke(
        app,
        [
            "practice",
            str(scenario),
            "--script",
            str(script),
            "--simulator",
            "llm",
            "--grader",
            "llm",
            "--model",
            "test",
            "--opening-pause",
            "0",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    attempt = json.loads(result.stdout)
    assert attempt["messages"][0]["role"] == "customer"
    assert attempt["grade"]["grader"] == "llm"


def test_attempts_regrade_with_the_llm_grader_uses_the_configured_model(
    tmp_path: Path, understudy_home: Path
) -> None:
    scenario = tmp_path / "practice.yaml"
    scenario.write_text(SCENARIO_YAML)
    script = tmp_path / "lines.txt"
    script.write_text("Hello, how can I help?\n/end\n")
    done = runner.invoke(
        app, ["practice", str(scenario), "--script", str(script), "--opening-pause", "0", "--json"]
    )
    attempt_id = json.loads(done.stdout)["id"]
    (understudy_home / "config.yaml").write_text("llm:\n  model: test\n")
    result = runner.invoke(app, ["attempts", "regrade", str(attempt_id), "--grader", "llm"])
    assert result.exit_code == 0, result.output
    shown = runner.invoke(app, ["attempts", "show", str(attempt_id), "--json"])
    assert '"grader": "llm"' in shown.stdout


def test_without_the_llm_extra_the_command_names_the_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("understudy.llm.llm_available", lambda: False)
    result = runner.invoke(
        app,
        [
            "stress-test",
            "--agent",
            "x:y",
            "--simulator",
            "llm",
            "--scenario",
            str(write_scenario(tmp_path)),
        ],
    )
    assert result.exit_code == 2, "a missing extra fails before any conversation starts"
    assert "pip install 'understudy[llm]'" in " ".join(result.output.split())
