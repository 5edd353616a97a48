"""Fail early, not halfway: a misconfigured LLM side is refused before the first conversation,
and a past deadline or an unknown trainee is reported, not silently accepted."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from understudy.cli.app import app
from understudy.storage.store import Store

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "examples" / "scenarios" / "practice-retail-return.yaml"
FLOW = REPO / "examples" / "flows" / "refund.yaml"

runner = CliRunner()


@pytest.mark.parametrize(
    "args",
    [
        ["--simulator", "llm", "--model", "openai:gpt-4o-mini"],
        ["--simulator", "llm", "--model", "anthropic:claude-x"],
        ["--simulator", "llm", "--model", "no-such-provider:model"],
    ],
)
def test_an_llm_simulator_without_credentials_is_refused_before_any_conversation(
    monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "UNDERSTUDY_LLM_MODEL"):
        monkeypatch.delenv(name, raising=False)
    outcome = runner.invoke(app, ["stress-test", str(FLOW), "-n", "3", *args])
    assert outcome.exit_code == 2, outcome.output
    assert Store().list_runs() == [], "no run (and no conversation) was started"


def test_a_missing_key_names_the_variable_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    outcome = runner.invoke(
        app, ["stress-test", str(FLOW), "-n", "2", "--simulator", "llm", "--model", "openai:x"]
    )
    assert "OPENAI_API_KEY" in outcome.output


def test_a_deadline_in_the_past_is_reported() -> None:
    outcome = runner.invoke(
        app, ["assign", str(SCENARIO), "--trainee", "sam", "--deadline", "2001-01-01"]
    )
    assert outcome.exit_code == 0, outcome.output
    assert "2001-01-01 is already past" in outcome.output


def test_an_unknown_trainee_is_reported_with_the_known_ones() -> None:
    assert runner.invoke(app, ["assign", str(SCENARIO), "--trainee", "sam"]).exit_code == 0
    outcome = runner.invoke(app, ["attempts", "sessions", "--trainee", "sma"])
    assert outcome.exit_code == 2, outcome.output
    assert "no trainee 'sma'" in outcome.output and "sam" in outcome.output
    known = runner.invoke(app, ["attempts", "sessions", "--trainee", "sam"])
    assert known.exit_code == 0 and "sam" in known.output
