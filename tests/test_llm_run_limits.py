"""LLM runs: missing credentials fail before the run starts, and a spent token budget stops it
cleanly."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import understudy.cli.practice  # noqa: F401  (registers the commands)
from understudy.cli.app import app
from understudy.errors import ConfigError
from understudy.llm.run import LLMRun
from understudy.llm.settings import LLMSettings
from understudy.runs import plan_stress_test, play
from understudy.storage.store import Store

REPO = Path(__file__).resolve().parents[1]


FLOW = REPO / "examples" / "flows" / "refund.yaml"


runner = CliRunner()


def test_missing_llm_credentials_fail_before_any_conversation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_ADMIN_KEY", raising=False)
    result = runner.invoke(
        app, ["stress-test", str(FLOW), "--simulator", "llm", "--model", "openai:gpt-4o-mini"]
    )
    assert result.exit_code == 2, f"missing credentials should exit 2, got {result.exit_code}"
    assert "OPENAI_API_KEY" in result.output, "the message should say which key to set"
    assert Store().list_runs() == [], "no run should be stored when the run cannot start"


def test_check_model_builds_the_model_once_for_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    import understudy.llm.models as models

    built: list[object] = []
    real = models.build_model

    def counting(*args: Any, **kwargs: Any) -> Any:
        built.append(real(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(models, "build_model", counting)
    run = LLMRun(LLMSettings(cache=False))
    run.check_model("test")
    first = run.model("test", conversation_id="c0")
    second = run.model("test", conversation_id="c1")
    assert len(built) == 1, f"check_model and two model() calls should build once, built {built}"
    assert first.wrapped is built[0], "model() should reuse the model check_model built"
    assert second.wrapped is built[0], "every model() call of the run should reuse it"


def test_check_model_fails_on_a_missing_key_before_any_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    run = LLMRun(LLMSettings(cache=False))
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        run.check_model("openai:gpt-4o-mini")


def test_no_conversation_starts_once_the_budget_is_spent() -> None:
    plan = plan_stress_test(str(FLOW), n=5, concurrency=1, seed=1)
    played: list[int] = []

    def spent() -> bool:
        return len(played) >= 2

    outcome = asyncio.run(
        play(
            plan, Store(), on_conversation_end=lambda c: played.append(c.index), budget_spent=spent
        )
    )
    assert played == [0, 1], "no conversation should start after the budget is spent"
    assert outcome.result.skipped == 3
    assert outcome.stopped == "token budget spent"
    run = Store().get_run(outcome.run_id or "")
    assert run.status == "interrupted" and run.error == "token budget spent"
    assert outcome.metrics.conversations == 2, "metrics cover the finished conversations only"
