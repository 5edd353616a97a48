"""An LLM-backed batch against the loopback chat server (``understudy.llm.testing``), shared by
the tests of one set of LLM limits across worker processes and a Ray cluster."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from understudy.llm.run import LLMRun
from understudy.llm.settings import LLMSettings
from understudy.llm.testing import ChatServer, Reply
from understudy.runs import StressOutcome, StressPlan, plan_stress_test, play
from understudy.storage.store import Store

AGENT_YAML = """\
# kind: agent
id: limits-assistant
name: Limits Assistant
model: openai-compatible:agent
chat:
  prompt: You are a helpful support assistant.
  temperature: 0.2
  max_tokens: 60
"""

TURNS = 3
TOKENS_PER_CALL = 15  # Reply's default 10 prompt + 5 completion tokens
WORDS = ["blue", "green", "amber", "violet", "silver", "scarlet", "ivory"]


def respond(request: dict[str, Any]) -> Reply:
    """Customers talk for ``TURNS`` turns, then end; each line depends on the call's seed."""
    messages = request.get("messages", [])
    system = next((m.get("content", "") for m in messages if m.get("role") == "system"), "")
    word = WORDS[int(request.get("seed") or 0) % len(WORDS)]
    if "CUSTOMER" in str(system):
        said = sum(1 for m in messages if m.get("role") == "assistant")
        if said + 1 >= TURNS:
            return Reply(f"That {word} one is all I needed, thanks. [END goal_met]")
        return Reply(f"I still need help with the {word} parcel, please.")
    return Reply(f"Certainly, I am checking the {word} parcel for you now.")


def server(delay_s: float) -> ChatServer:
    """The chat server the batch talks to (use it in a ``with`` block)."""
    return ChatServer(respond, delay_s=delay_s, models=["agent", "customer"])


def import_agent(home: Path) -> None:
    """Store the agent persona the batch plays against."""
    from understudy.agents import persona_store

    home.mkdir(parents=True, exist_ok=True)
    path = home / "limits-agent.yaml"
    path.write_text(AGENT_YAML, encoding="utf-8")
    persona_store.import_agent(path)


def plan_for(url: str, n: int, in_flight: int, **limits: Any) -> tuple[StressPlan, LLMRun]:
    """A batch of ``n`` LLM customers against the LLM agent, ``in_flight`` conversations at once."""
    settings = LLMSettings(base_url=url, timeout_s=30, max_retries=0, cache=False, **limits)
    run = LLMRun(settings, cache=False)
    plan = plan_stress_test(
        "limits-assistant",
        n=n,
        seed=5,
        simulator="llm",
        agent_options={"llm_run": run},
        simulator_options={"model": "openai-compatible:customer", "run": run},
    )
    plan.concurrency = in_flight
    return plan, run


async def play_llm(plan: StressPlan, run: LLMRun, **kw: Any) -> StressOutcome:
    """Play the batch as the CLI does: stored, usage recorded, stopped by the budget."""
    try:
        return await play(plan, Store(), usage=run, budget_spent=lambda: run.exhausted, **kw)
    finally:
        await run.aclose()


def lines(outcome: StressOutcome) -> list[tuple[int, str, list[tuple[str, str]]]]:
    """Each conversation's index, ending and lines (times differ: the clock is real)."""
    return [
        (
            c.index,
            c.result.termination_reason.value,
            [(m.role.value, m.text) for m in c.result.messages],
        )
        for c in outcome.result.conversations
    ]


def most_in_window(arrivals: Sequence[tuple[str, float]], model: str, window_s: float) -> int:
    """The most requests for ``model`` that arrived within any ``window_s`` seconds."""
    times = sorted(at for name, at in arrivals if name == model)
    most, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= window_s:
            first += 1
        most = max(most, last - first + 1)
    return most
