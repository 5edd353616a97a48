"""Callable agents: ``module:function``, sync or async, returning str, dict or AgentTurn."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from understudy.agents import bot_process
from understudy.agents.callable import CallableAgent, load_callable
from understudy.agents.resolve import resolve_agent
from understudy.cli.app import app
from understudy.domain.scenario import CustomerGoal, ExitCondition, Scenario
from understudy.domain.transcript import Message, Role, TerminationReason
from understudy.engine.seams import AgentTurn
from understudy.errors import ConfigError
from understudy.testing import run_one

BOT_MODULE = """
import asyncio
import os
from understudy.engine.seams import AgentTurn

def reply(messages, conversation_id=None):
    meta = {"conversation_id": conversation_id, "pid": os.getpid()}
    if not messages or len(messages) < 2:
        return {"text": "Hi! What is your order number?", "meta": meta}
    if "3348917502" in messages[-1].text.replace(" ", ""):
        return {"text": "Thanks! Your refund is on its way.", "ended": True,
                "outcome": "completed", "meta": meta}
    return {"text": "Sorry, I didn't get that. What is your order number?", "fell_back": True,
            "meta": meta}

async def areply(messages):
    await asyncio.sleep(0)
    return AgentTurn(text="Async hello.")

def broken(messages):
    return 42

def bad_dict(messages):
    return {"txt": "typo"}
"""

SCENARIO = Scenario(
    id="refund",
    persona="calm",
    goal=CustomerGoal(
        reason_for_call="I want a refund.",
        intent="get_refund",
        known_info={"order_id": "3348917502"},
    ),
    exit_conditions=[ExitCondition(id="refunded", agent_says=["your refund is on its way"])],
    max_turns=8,
)


@pytest.fixture(autouse=True, scope="module")
def no_idle_workers_left() -> Iterator[None]:
    """End the idle bot workers this module leaves, so later tests do not share the machine."""
    yield
    bot_process.shutdown()


@pytest.fixture
def bot_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    (tmp_path / "callable_bot.py").write_text(textwrap.dedent(BOT_MODULE))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "callable_bot"
    sys.modules.pop("callable_bot", None)


async def test_a_sync_function_plays_a_whole_conversation(bot_module: str) -> None:
    factory, info = resolve_agent(f"{bot_module}:reply")
    assert info.kind == "callable" and info.realtime
    result = await run_one(factory(), scenario=SCENARIO, seed=3)
    assert result.termination_reason is TerminationReason.goal_met, result.detail
    agent_turns = [m.meta for m in result.messages if m.role is Role.agent]
    assert {m["conversation_id"] for m in agent_turns} == {"test-3"}, "the id is passed"
    pids = {m["pid"] for m in agent_turns}
    assert len(pids) == 1 and os.getpid() not in pids, "one worker process per conversation"


async def test_an_async_function_returning_an_agent_turn_is_awaited(bot_module: str) -> None:
    agent = CallableAgent(load_callable(f"{bot_module}:areply"))
    scenario = SCENARIO.model_copy(update={"max_turns": 1})
    result = await run_one(agent, scenario=scenario)
    assert result.messages[1].text == "Async hello."


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("broken", "returned int 42; expected str, dict or AgentTurn"),
        ("bad_dict", "returned a dict that is not a reply"),
    ],
)
async def test_a_bad_return_value_ends_the_conversation_with_error(
    bot_module: str, name: str, fragment: str
) -> None:
    agent = CallableAgent(load_callable(f"{bot_module}:{name}"), f"{bot_module}:{name}")
    result = await run_one(agent, scenario=SCENARIO)
    assert result.termination_reason is TerminationReason.error
    assert fragment in (result.error or ""), result.error


def test_an_unknown_module_or_function_is_a_clear_config_error(bot_module: str) -> None:
    with pytest.raises(ConfigError, match="cannot import 'no_such_module_x'"):
        load_callable("no_such_module_x:reply")
    with pytest.raises(ConfigError, match="has no attribute 'nope'"):
        load_callable(f"{bot_module}:nope")


async def test_the_function_gets_the_conversation_so_far() -> None:
    seen: list[list[Message]] = []

    def record(messages: list[Message]) -> AgentTurn:
        seen.append(list(messages))
        return AgentTurn(text="ok")

    scenario = SCENARIO.model_copy(update={"max_turns": 2})
    await run_one(CallableAgent(record), scenario=scenario)
    assert [len(m) for m in seen] == [1, 3], "each call sees every message so far"
    assert seen[1][1].text == "ok"


def test_stress_test_accepts_module_function_agents(bot_module: str, tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(SCENARIO.model_dump_json())
    result = CliRunner().invoke(
        app,
        [
            "stress-test",
            "--agent",
            f"{bot_module}:reply",
            "-n",
            "3",
            "--scenario",
            str(scenario),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["agent"]["kind"] == "callable"
    assert report["metrics"]["completion_rate"]["k"] == 3
