"""The LLM layer: replay cache, retries, timeouts, concurrency, usage, budget, settings, models."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Any

import pytest
from pydantic_ai.direct import model_request
from pydantic_ai.exceptions import ModelHTTPError
from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, TextPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from understudy.domain.persona import Persona
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.domain.transcript import TerminationReason
from understudy.errors import ConfigError, ContentError
from understudy.llm import INSTALL_HINT, require_llm
from understudy.llm.cache import cache_key
from understudy.llm.models import build_model
from understudy.llm.run import LLMRun
from understudy.llm.settings import LLMSettings, load_llm_settings
from understudy.llm.testing import ChatServer, Reply
from understudy.llm.usage import BudgetExhausted, LLMError
from understudy.simulators.llm import LLMSimulator
from understudy.testing import FakeModel, ScriptedAgent, run_one

SCENARIO = Scenario(
    id="refund",
    persona="maya",
    goal=CustomerGoal(reason_for_call="refund for a broken kettle"),
)
PERSONA = Persona(id="maya", name="Maya")


def seeded_line(messages: list[ModelMessage], info: AgentInfo) -> str:
    """An answer that depends only on the call's seed (so replays are checkable)."""
    seed = str((info.model_settings or {}).get("seed"))
    return "line " + "".join(chr(ord("a") + int(d)) for d in seed if d.isdigit())


def seeded_model() -> FakeModel:
    return FakeModel(default=seeded_line)


def exploding_model() -> FakeModel:
    """A model with no replies: any call fails (the replay cache should answer them all)."""
    return FakeModel()


async def no_wait(_seconds: float) -> None:
    return None


def ask(text: str = "hi") -> list[ModelMessage]:
    return [ModelRequest.user_text_prompt(text)]


async def play(run: LLMRun, model: FunctionModel, seed: int) -> list[str]:
    simulator = LLMSimulator(
        PERSONA, SCENARIO, random.Random(seed), run=run, llm_model=model, model="fn"
    )
    result = await run_one(
        ScriptedAgent(["How can I help?"] * 3), scenario=SCENARIO, simulator=simulator, seed=seed
    )
    return [m.text for m in result.messages]


async def test_rerun_with_same_seed_replays_exactly_from_the_cache_and_costs_nothing() -> None:
    first_run = LLMRun(LLMSettings())
    first = await play(first_run, seeded_model(), seed=7)
    assert first_run.usage.requests == 4 and first_run.usage.total_tokens > 0

    second_run = LLMRun(LLMSettings())
    second = await play(second_run, exploding_model(), seed=7)

    assert second == first, "a re-run with the same seed should replay the same transcript"
    assert second_run.usage.requests == 0, "a replayed run should make no model call"
    assert second_run.usage.total_tokens == 0, "a replayed run should cost no tokens"
    assert second_run.usage.cached == 4


async def test_no_cache_bypasses_the_replay_cache() -> None:
    await play(LLMRun(LLMSettings()), seeded_model(), seed=3)
    run = LLMRun(LLMSettings(), cache=False)
    await play(run, seeded_model(), seed=3)
    assert run.usage.requests == 4 and run.usage.cached == 0, "--no-cache should call the model"


async def test_a_different_seed_misses_the_cache() -> None:
    await play(LLMRun(LLMSettings()), seeded_model(), seed=1)
    run = LLMRun(LLMSettings())
    lines = await play(run, seeded_model(), seed=2)
    assert run.usage.cached == 0, "another seed must not reuse the first run's answers"
    assert lines[0].startswith("line ")


def test_cache_key_covers_model_messages_settings_and_seed_but_not_timestamps() -> None:
    messages = [{"parts": [{"content": "hi", "timestamp": "2026-01-01T00:00:00Z"}]}]
    later = [{"parts": [{"content": "hi", "timestamp": "2027-05-05T00:00:00Z"}]}]
    base = cache_key("openai:gpt-4o", messages, {"seed": 1, "temperature": 0.5})
    assert base == cache_key("openai:gpt-4o", later, {"temperature": 0.5, "seed": 1})
    assert base != cache_key("openai:gpt-4o", messages, {"seed": 2, "temperature": 0.5})
    assert base != cache_key("openai:gpt-4o-mini", messages, {"seed": 1, "temperature": 0.5})
    other = [{"parts": [{"content": "hello"}]}]
    assert base != cache_key("openai:gpt-4o", other, {"seed": 1, "temperature": 0.5})
    assert len(base) == 64


async def test_rate_limits_and_server_errors_are_retried_with_exponential_backoff() -> None:
    failures = [429, 503]
    waits: list[float] = []

    async def record_wait(seconds: float) -> None:
        waits.append(seconds)

    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        if failures:
            raise ModelHTTPError(failures.pop(0), "fn", body="busy")
        return ModelResponse(parts=[TextPart("finally")])

    run = LLMRun(LLMSettings(cache=False, backoff_s=0.5), sleep=record_wait)
    response = await model_request(run.model("fn", model=FunctionModel(answer)), ask())
    assert response.parts[0].content == "finally"  # type: ignore[union-attr]
    assert waits == [0.5, 1.0], "backoff should double: 0.5 s, then 1 s"
    assert run.usage.retries == 2


async def test_a_client_error_is_not_retried() -> None:
    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        raise ModelHTTPError(401, "fn", body="bad key")

    run = LLMRun(LLMSettings(cache=False), sleep=no_wait)
    with pytest.raises(LLMError, match="HTTP 401"):
        await model_request(run.model("fn", model=FunctionModel(answer)), ask())
    assert run.usage.retries == 0


async def test_a_call_slower_than_the_timeout_fails_after_the_retries() -> None:
    async def slow(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        await asyncio.sleep(1.0)
        return ModelResponse(parts=[TextPart("too late")])

    settings = LLMSettings(cache=False, timeout_s=0.05, max_retries=1)
    run = LLMRun(settings, sleep=no_wait)
    with pytest.raises(LLMError, match=r"no answer within 0.05 s \(gave up after 2 attempts\)"):
        await model_request(run.model("fn", model=FunctionModel(slow)), ask())


async def test_calls_in_flight_per_model_never_exceed_the_concurrency_limit() -> None:
    in_flight = 0
    peak = 0

    async def tracked(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return ModelResponse(parts=[TextPart("ok")])

    run = LLMRun(LLMSettings(cache=False, concurrency=2))
    model = FunctionModel(tracked)
    await asyncio.gather(
        *(model_request(run.model("fn", f"c{i}", model=model), ask()) for i in range(6))
    )
    assert peak == 2, f"at most 2 calls should be in flight, saw {peak}"
    assert run.usage.requests == 6


async def test_usage_is_recorded_per_conversation_and_per_run() -> None:
    run = LLMRun(LLMSettings(cache=False))
    model = seeded_model()
    await model_request(run.model("fn", "a", model=model), ask("one"))
    await model_request(run.model("fn", "a", model=model), ask("two"))
    await model_request(run.model("fn", "b", model=model), ask("three"))
    assert run.by_conversation["a"].requests == 2
    assert run.by_conversation["b"].requests == 1
    total = run.by_conversation["a"].total_tokens + run.by_conversation["b"].total_tokens
    assert run.usage.total_tokens == total > 0


async def test_a_spent_budget_ends_the_remaining_conversations_with_a_clear_reason() -> None:
    run = LLMRun(LLMSettings(cache=False, max_tokens_per_run=150))
    results = []
    for seed in range(3):
        simulator = LLMSimulator(
            PERSONA, SCENARIO, random.Random(seed), run=run, llm_model=seeded_model()
        )
        results.append(
            await run_one(
                ScriptedAgent(["How can I help?"] * 5),
                scenario=SCENARIO,
                simulator=simulator,
                seed=seed,
            )
        )
    assert run.exhausted
    last = results[-1]
    assert last.termination_reason is TerminationReason.interrupted, (
        "a spent budget interrupts the conversation; it is not a failure of the bot"
    )
    assert "token budget of 150 tokens for this run is spent" in last.detail
    with pytest.raises(BudgetExhausted):
        run.check_budget()


def test_settings_come_from_the_llm_section_of_config_yaml(understudy_home: Path) -> None:
    understudy_home.mkdir(parents=True, exist_ok=True)
    (understudy_home / "config.yaml").write_text(
        "llm:\n  model: ollama:llama3.2\n  concurrency: 4\n  max_tokens_per_run: 1000\n"
    )
    settings = load_llm_settings(concurrency=None, cache=False)
    assert settings.model == "ollama:llama3.2"
    assert settings.concurrency == 4 and settings.max_tokens_per_run == 1000
    assert settings.cache is False, "a command-line override should win"


def test_an_unknown_llm_setting_names_file_line_and_field(understudy_home: Path) -> None:
    understudy_home.mkdir(parents=True, exist_ok=True)
    (understudy_home / "config.yaml").write_text("llm:\n  model: test\n  temprature: 2\n")
    with pytest.raises(ContentError) as caught:
        load_llm_settings()
    problem = caught.value.problems[0]
    assert problem.line == 3 and problem.field == "llm.temprature"


async def test_local_servers_are_reached_through_their_openai_compatible_url() -> None:
    clients: dict[tuple[str, str], Any] = {}
    try:
        model = build_model("ollama:llama3.2", LLMSettings(), clients)
        assert model.model_name == "llama3.2"
        assert "localhost:11434" in str(model.base_url)
        custom = build_model(
            "openai:my-model", LLMSettings(base_url="http://127.0.0.1:9/v1"), clients
        )
        assert "127.0.0.1:9" in str(custom.base_url)
    finally:
        for client in clients.values():
            await client.close()


def test_a_model_name_without_provider_is_rejected_with_an_example() -> None:
    with pytest.raises(ConfigError, match="provider:model"):
        build_model("gpt-4o", LLMSettings())


def test_a_missing_llm_extra_fails_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("understudy.llm.llm_available", lambda: False)
    with pytest.raises(ConfigError) as caught:
        require_llm("the LLM user simulator")
    assert INSTALL_HINT in str(caught.value)
    assert "pip install 'understudy[llm]'" in str(caught.value)


async def test_recorded_http_answers_of_a_local_server_are_retried_and_counted() -> None:
    answers = [Reply(status=500, body='{"error": {"message": "boom"}}'), Reply("Hello there")]

    def responder(request: dict[str, Any]) -> Reply:
        return answers.pop(0)

    with ChatServer(responder) as server:
        settings = LLMSettings(base_url=server.base_url, cache=False, backoff_s=0.0)
        run = LLMRun(settings)
        try:
            response = await model_request(run.model("openai-compatible:tiny"), ask("hi"))
        finally:
            await run.aclose()
        assert response.parts[0].content == "Hello there"  # type: ignore[union-attr]
        assert server.requests[-1]["model"] == "tiny"
    assert run.usage.retries == 1
    assert run.usage.input_tokens == 10 and run.usage.output_tokens == 5


async def test_a_rate_limited_answer_is_retried_no_sooner_than_the_provider_asks() -> None:
    limited = '{"error": {"message": "Rate limit reached", "type": "requests"}}'
    answers = [
        Reply(status=429, body=limited, headers={"retry-after-ms": "1500"}),
        Reply(status=429, body=limited, headers={"Retry-After": "3"}),
        Reply("Hello there"),
    ]
    waits: list[float] = []

    async def record_wait(seconds: float) -> None:
        waits.append(seconds)

    with ChatServer(lambda request: answers.pop(0)) as server:
        settings = LLMSettings(base_url=server.base_url, cache=False, backoff_s=0.25)
        run = LLMRun(settings, sleep=record_wait)
        try:
            response = await model_request(run.model("openai-compatible:tiny"), ask("hi"))
        finally:
            await run.aclose()
    assert response.parts[0].content == "Hello there"  # type: ignore[union-attr]
    assert waits == [1.5, 3.0], "the provider's wait, not the shorter backoff (0.25 s, 0.5 s)"
