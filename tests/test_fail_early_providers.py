"""Anthropic and Gemini models are checked before the first conversation, like OpenAI ones.

A loopback server (``understudy.llm.testing_providers.ModelListServer``) speaks each provider's
model routes in its own shapes; the provider's own client library is pointed at it through its
``ANTHROPIC_BASE_URL`` / ``GOOGLE_GEMINI_BASE_URL`` variable, so nothing leaves the machine.
For each provider: a missing key variable, a misspelt model given on the command line or in
the config file (its line named), a refused key, and then a served model, an alias and an
unreachable server (inconclusive) that let the run go on.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from understudy.cli.app import app
from understudy.llm.run import LLMRun
from understudy.llm.settings import LLMSettings
from understudy.llm.testing_providers import ModelListServer
from understudy.storage.store import Store

REPO = Path(__file__).resolve().parents[1]
FLOW = REPO / "examples" / "flows" / "refund.yaml"
KEY_VARIABLES = ("ANTHROPIC_API_KEY", "GOOGLE_API_KEY", "GEMINI_API_KEY", "OPENAI_API_KEY")

runner = CliRunner()


@dataclass(frozen=True)
class Provider:
    prefix: str
    dialect: str
    key_variable: str
    base_variable: str
    served: tuple[str, ...]
    misspelt: str
    closest: str
    name: str


ANTHROPIC = Provider(
    "anthropic",
    "anthropic",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    ("claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001"),
    "claude-sonet-4-5-20250929",
    "claude-sonnet-4-5-20250929",
    "Anthropic",
)
GEMINI = Provider(
    "google",
    "google",
    "GOOGLE_API_KEY",
    "GOOGLE_GEMINI_BASE_URL",
    ("gemini-2.5-flash", "gemini-2.5-pro"),
    "gemini-2.5-flahs",
    "gemini-2.5-flash",
    "Gemini",
)
GEMINI_OLD_PREFIX = Provider(**{**GEMINI.__dict__, "prefix": "google-gla"})
PROVIDERS = [ANTHROPIC, GEMINI, GEMINI_OLD_PREFIX]


@pytest.fixture(autouse=True)
def no_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*KEY_VARIABLES, "UNDERSTUDY_LLM_MODEL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(params=PROVIDERS, ids=lambda p: p.prefix)
def provider(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Provider, ModelListServer]]:
    chosen: Provider = request.param
    aliases = {"claude-sonnet-4-5": ANTHROPIC.served[0]} if chosen is ANTHROPIC else {}
    with ModelListServer(
        chosen.dialect,  # type: ignore[arg-type]
        list(chosen.served),
        api_key="right-key",
        aliases=aliases,
    ) as server:
        monkeypatch.setenv(chosen.base_variable, server.base_url)
        monkeypatch.setenv(chosen.key_variable, "right-key")
        yield chosen, server


def stress(*args: str) -> tuple[int, str]:
    outcome = runner.invoke(app, ["stress-test", str(FLOW), "-n", "3", "--simulator", "llm", *args])
    return outcome.exit_code, " ".join(outcome.output.split())


def write_config(model: str) -> Path:
    home = Path(os.environ["UNDERSTUDY_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    path = home / "config.yaml"
    path.write_text(f"llm:\n  timeout_s: 5\n  model: {model}\n")
    return path


@pytest.mark.parametrize(
    ("model", "variable"),
    [
        ("anthropic:claude-sonnet-4-5", "ANTHROPIC_API_KEY"),
        ("google:gemini-2.5-flash", "GOOGLE_API_KEY or GEMINI_API_KEY"),
        ("google-gla:gemini-2.5-flash", "GOOGLE_API_KEY or GEMINI_API_KEY"),
        ("openai:gpt-4o-mini", "OPENAI_API_KEY"),
    ],
)
def test_a_missing_key_is_refused_for_every_provider_naming_the_variable(
    model: str, variable: str
) -> None:
    code, text = stress("--model", model)
    assert code == 2, text
    assert variable in text and "Traceback" not in text
    assert Store().list_runs() == [], "no run (and no conversation) was started"


def test_a_missing_key_for_the_config_files_model_names_its_line() -> None:
    path = write_config("anthropic:claude-sonnet-4-5")
    code, text = stress()
    assert code == 2, text
    assert "needs an API key" in text and "ANTHROPIC_API_KEY" in text
    assert f"llm.model in {path}:3" in text.replace(f"{path}: 3", f"{path}:3")


def test_a_misspelt_model_is_refused_with_the_closest_names(
    provider: tuple[Provider, ModelListServer],
) -> None:
    chosen, server = provider
    code, text = stress("--model", f"{chosen.prefix}:{chosen.misspelt}")
    assert code == 2, text
    assert f"the model '{chosen.prefix}:{chosen.misspelt}' is not served by {chosen.name}" in text
    assert f"closest: {chosen.closest}" in text and "change --model" in text
    assert Store().list_runs() == []
    assert server.paths[0].endswith(f"/models/{chosen.misspelt}"), server.paths


def test_a_misspelt_model_in_the_config_file_names_its_line(
    provider: tuple[Provider, ModelListServer],
) -> None:
    chosen, _server = provider
    path = write_config(f"{chosen.prefix}:{chosen.misspelt}")
    code, text = stress()
    assert code == 2, text
    assert f"change llm.model in {path}:3" in text.replace(f"{path}: 3", f"{path}:3")


def test_a_refused_key_names_the_variable_and_never_shows_the_key(
    provider: tuple[Provider, ModelListServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen, _server = provider
    monkeypatch.setenv(chosen.key_variable, "wrong-key-123")
    code, text = stress("--model", f"{chosen.prefix}:{chosen.served[0]}")
    assert code == 2, text
    assert f"{chosen.name} at" in text and "refused the API key" in text
    assert chosen.key_variable in text and "wrong-key-123" not in text
    assert Store().list_runs() == []


def test_a_served_model_an_alias_or_an_unreachable_server_lets_the_run_go_on(
    provider: tuple[Provider, ModelListServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen, server = provider
    settings = LLMSettings(timeout_s=5)
    LLMRun(settings).check_model(f"{chosen.prefix}:{chosen.served[1]}")
    if chosen is ANTHROPIC:
        LLMRun(settings).check_model("anthropic:claude-sonnet-4-5")  # resolved by the server
    assert not any(p.endswith("/models") for p in server.paths), "no listing when served"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    monkeypatch.setenv(chosen.base_variable, closed)
    LLMRun(LLMSettings(timeout_s=2)).check_model(f"{chosen.prefix}:{chosen.misspelt}")
