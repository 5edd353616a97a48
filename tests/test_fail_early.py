"""Fail early, not halfway: a misconfigured LLM side is refused before the first conversation,
and a past deadline or an unknown trainee is reported, not silently accepted."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from understudy.agents import persona_store
from understudy.cli.app import app
from understudy.llm.run import LLMRun
from understudy.llm.settings import LLMSettings
from understudy.llm.testing import ChatServer, Reply
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


SERVED = ["tiny", "tiny-instruct", "llama3.2"]


def write_llm_config(lines: str) -> Path:
    home = Path(os.environ["UNDERSTUDY_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    path = home / "config.yaml"
    path.write_text("llm:\n" + lines)
    return path


def no_answer(request: dict[str, Any]) -> Reply:
    raise AssertionError("no chat request may be sent before the model is checked")


@pytest.mark.parametrize("wrong", ["tinyy", "Tiny", "gpt-4o-mini"])
def test_a_model_the_server_does_not_serve_is_refused_before_any_conversation(wrong: str) -> None:
    with ChatServer(no_answer, models=SERVED) as server:
        write_llm_config(f"  base_url: {server.base_url}\n")
        outcome = runner.invoke(
            app,
            [
                *["stress-test", str(FLOW), "-n", "3", "--simulator", "llm"],
                *["--model", f"openai-compatible:{wrong}"],
            ],
        )
        assert server.requests == [], "no chat request was sent"
    assert outcome.exit_code == 2, outcome.output
    assert f"the model 'openai-compatible:{wrong}' is not served by {server.base_url}" in (
        outcome.output.replace("\n", " ")
    )
    assert "change --model" in outcome.output
    assert "Traceback" not in outcome.output
    assert Store().list_runs() == [], "no run (and no conversation) was started"


def test_a_wrong_model_in_the_config_file_names_its_line() -> None:
    with ChatServer(no_answer, models=SERVED) as server:
        path = write_llm_config(f"  base_url: {server.base_url}\n  model: ollama:llama3.3\n")
        outcome = runner.invoke(app, ["stress-test", str(FLOW), "-n", "2", "--simulator", "llm"])
    text = " ".join(outcome.output.split())
    assert outcome.exit_code == 2, outcome.output
    assert "closest: llama3.2" in text
    assert f"change llm.model in {path}:3" in text.replace(f"{path}: 3", f"{path}:3")


def test_a_refused_key_names_the_variable_that_holds_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_LLM_KEY", "sk-wrong")
    with ChatServer(no_answer, models=SERVED, api_key="sk-right") as server:
        write_llm_config(f"  base_url: {server.base_url}\n  api_key_env: MY_LLM_KEY\n")
        outcome = runner.invoke(
            app,
            [
                *["stress-test", str(FLOW), "-n", "2", "--simulator", "llm"],
                *["--model", "openai-compatible:tiny"],
            ],
        )
    text = " ".join(outcome.output.split())
    assert outcome.exit_code == 2, outcome.output
    assert "refused the API key" in text and "HTTP 401" in text
    assert "MY_LLM_KEY" in text and "sk-wrong" not in text


def test_a_served_model_or_an_inconclusive_server_lets_the_run_go_on() -> None:
    with ChatServer(no_answer, models=SERVED, api_key="k") as server:
        settings = LLMSettings(base_url=server.base_url, api_key="k")
        LLMRun(settings).check_model("openai-compatible:tiny-instruct")  # listed: no error
    with ChatServer(no_answer) as server:  # no model listing (501): cannot tell, so go on
        LLMRun(LLMSettings(base_url=server.base_url)).check_model("openai-compatible:any")
    closed = f"http://127.0.0.1:{free_port()}/v1"  # unreachable: the replay cache may answer
    LLMRun(LLMSettings(base_url=closed, timeout_s=2)).check_model("openai-compatible:any")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


AGENT = """\
# kind: agent
id: helpdesk
name: Helpdesk
model: openai-compatible:tiny-chat
chat:
  prompt: You help with orders.
  first_message: Hello!
"""


def test_an_agent_persona_with_a_wrong_model_is_refused_before_any_conversation(
    tmp_path: Path,
) -> None:
    (tmp_path / "helpdesk.yaml").write_text(AGENT)
    persona_store.import_agent(tmp_path / "helpdesk.yaml")
    with ChatServer(no_answer, models=SERVED) as server:
        write_llm_config(f"  base_url: {server.base_url}\n")
        outcome = runner.invoke(app, ["stress-test", "--agent", "helpdesk", "-n", "2"])
        assert server.requests == []
    text = " ".join(outcome.output.split())
    assert outcome.exit_code == 2, outcome.output
    assert "'openai-compatible:tiny-chat' is not served" in text
    assert "change the model of agent persona 'helpdesk'" in text
