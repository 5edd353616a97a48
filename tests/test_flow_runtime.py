"""The flow runtime as an agent: completion, fallbacks, handover, digressions, typos, errors."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from understudy.agents.flow import FlowAgent, compile_flow
from understudy.content.flows import load_flow
from understudy.domain.flow import (
    CollectNode,
    Digressions,
    Flow,
    FlowFallback,
    Matcher,
    NluSettings,
)
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.domain.transcript import ConversationResult, Role, TerminationReason
from understudy.engine.loop import run_conversation
from understudy.testing import FakeClock, ScriptedSimulator

HAPPY = [
    "Hi, I want a refund for my jeans",
    "Crystal Minh",
    "my username is cminh730",
    "cminh730@email.com",
    "The order ID is 3348917502",
    "they are the wrong size",
    "a gift card please",
    "6821 1st Ave, San Mateo, NY 75227",
    "$94",
    "no thanks, that's all",
]


def Lines(lines: Sequence[str]) -> ScriptedSimulator:
    """A customer who says the given lines in order, whatever the agent says, then leaves."""
    return ScriptedSimulator(lines, then="bye", end=TerminationReason.customer_left)


@pytest.fixture
def refund(examples: Path) -> Flow:
    return load_flow(examples / "flows" / "refund.yaml")


def scenario(first: Role = Role.customer) -> Scenario:
    return Scenario(
        id="refund-test",
        persona="calm",
        first_speaker=first,
        goal=CustomerGoal(reason_for_call="a refund"),
        max_turns=40,
    )


async def talk(flow: Flow, lines: Sequence[str], first: Role = Role.customer) -> ConversationResult:
    return await run_conversation(Lines(lines), FlowAgent(flow), scenario(first), clock=FakeClock())


def agent_turns(result: ConversationResult) -> list[str]:
    return [m.text for m in result.messages if m.role is Role.agent]


async def test_happy_path_completes_with_every_slot_filled(refund: Flow) -> None:
    agent = FlowAgent(refund)
    result = await run_conversation(Lines(HAPPY), agent, scenario(), clock=FakeClock())
    assert result.termination_reason is TerminationReason.goal_met, result.detail
    assert result.fallback_turns == 0, "a clean conversation should not fall back"
    assert agent.slots["order_id"] == "3348917502"
    assert agent.slots["refund_method"] == "gift card"
    assert agent.slots["amount"] == "94"
    assert "refund of $94 by gift card" in agent_turns(result)[-2]
    last = result.messages[-1]
    assert last.meta["node"] == "goodbye", "the end node should be reported in meta"


async def test_the_agent_can_open_with_a_greeting(refund: Flow) -> None:
    result = await talk(refund, HAPPY, first=Role.agent)
    first = result.messages[0]
    assert first.role is Role.agent
    assert first.text.startswith("Hi, you're chatting with the refunds assistant.")
    assert first.text.endswith("What can I help you with today?")
    assert result.termination_reason is TerminationReason.goal_met


async def test_a_wrong_order_id_falls_back_and_the_right_one_recovers(refund: Flow) -> None:
    lines = [*HAPPY[:4], "It's W8855135", *HAPPY[4:]]
    result = await talk(refund, lines)
    fallbacks = [m for m in result.messages if m.fell_back]
    assert len(fallbacks) == 1, "a tau2-style order number is not a 10-digit ABCD order ID"
    assert fallbacks[0].meta["node"] == "ask_order_id"
    assert fallbacks[0].text.startswith("Sorry, I didn't quite get that.")
    assert fallbacks[0].text.endswith("order ID of the purchase?"), "the prompt is asked again"
    assert result.termination_reason is TerminationReason.goal_met


async def test_order_ids_are_accepted_as_customers_type_them(refund: Flow) -> None:
    for typed in ("3348917502", "#3348917502", "334-891-7502", "order number: 334 891 7502."):
        agent = FlowAgent(refund)
        for line in HAPPY[:4]:
            agent.handle(line)
        turn = agent.handle(typed)
        assert not turn.fell_back, f"{typed!r} should be read as an order ID"


async def test_the_fallback_limit_hands_over_to_a_human(refund: Flow) -> None:
    lines = [*HAPPY[:4], "no idea", "W8855135", "I don't have it", "sorry"]
    result = await talk(refund, lines)
    assert result.termination_reason is TerminationReason.escalated
    assert result.fallback_turns == 3, "limit 2: two re-prompts, then the third fallback hands over"
    assert "pass you to a colleague" in agent_turns(result)[-1]


async def test_a_fallback_limit_of_zero_hands_over_at_once(refund: Flow) -> None:
    strict = refund.model_copy(update={"fallback": FlowFallback(limit=0)})
    result = await talk(strict, [*HAPPY[:4], "W8855135", *HAPPY[4:]])
    assert result.termination_reason is TerminationReason.escalated
    assert result.fallback_turns == 1


async def test_a_faq_digression_is_answered_and_returns_to_the_current_node(refund: Flow) -> None:
    lines = [*HAPPY[:4], "By the way, are you open on weekends?", *HAPPY[4:]]
    result = await talk(refund, lines)
    reply = next(m for m in result.messages if m.meta.get("digression"))
    assert not reply.fell_back, "an answered FAQ is a recovery, not a fallback"
    assert reply.meta["intent"] == "opening_hours"
    assert "weekends included" in reply.text
    assert reply.text.endswith("order ID of the purchase?"), "back to where the customer was"
    assert result.termination_reason is TerminationReason.goal_met


async def test_without_digressions_an_off_topic_turn_is_a_fallback(refund: Flow) -> None:
    closed = refund.model_copy(update={"digressions": Digressions(enabled=False)})
    lines = [*HAPPY[:4], "By the way, are you open on weekends?", *HAPPY[4:]]
    result = await talk(closed, lines)
    assert result.fallback_turns == 1
    assert "weekends included" not in " ".join(agent_turns(result))


async def test_typos_still_match_intents_under_a_lenient_threshold(refund: Flow) -> None:
    assert not FlowAgent(refund).handle("refnud please").fell_back, "a typo at the default 0.45"
    typo = "i wnat a refnud for my jenas"
    lenient_flow = refund.model_copy(update={"nlu": NluSettings(confidence_threshold=0.3)})
    lenient = FlowAgent(lenient_flow).handle(typo)
    assert not lenient.fell_back, "char n-grams should see through typos at threshold 0.3"
    assert lenient.meta["intent"] == "get_refund"
    strict_flow = refund.model_copy(update={"nlu": NluSettings(confidence_threshold=0.9)})
    strict = FlowAgent(strict_flow).handle(typo)
    assert strict.fell_back, "a strict threshold should reject the misspelt request"


async def test_the_fuzzy_matcher_can_be_chosen(refund: Flow) -> None:
    fuzzy = refund.model_copy(
        update={"nlu": NluSettings(matcher=Matcher.fuzzy, confidence_threshold=0.6)}
    )
    turn = FlowAgent(fuzzy).handle("I want a refund please")
    assert turn.meta["intent"] == "get_refund" and not turn.fell_back


async def test_asking_for_a_human_jumps_to_the_handover(refund: Flow) -> None:
    result = await talk(refund, [*HAPPY[:3], "I want to speak to a human"])
    assert result.termination_reason is TerminationReason.escalated
    assert result.fallback_turns == 0


async def test_an_unknown_amount_takes_the_abcd_default_of_fifty_dollars(refund: Flow) -> None:
    lines = [*HAPPY[:8], "I don't know the amount", HAPPY[9]]
    result = await talk(refund, lines)
    assert "refund of $50" in " ".join(agent_turns(result))
    assert result.termination_reason is TerminationReason.goal_met


async def test_the_refund_method_decides_which_detail_is_asked(refund: Flow) -> None:
    agent = FlowAgent(refund)
    for line in HAPPY[:6]:
        agent.handle(line)
    turn = agent.handle("back to my credit card")
    assert turn.meta["value"] == "credit card"
    assert agent.current_node == "ask_account_id"
    assert agent.handle("ZB98SQ1T2A").meta["slot"] == "account_id"


async def test_a_node_that_raises_ends_the_conversation_with_error(refund: Flow) -> None:
    node = refund.nodes["ask_order_id"]
    assert isinstance(node, CollectNode)
    nodes = {**refund.nodes, "ask_order_id": node.model_copy(update={"pattern": "(unclosed"})}
    broken = refund.model_copy(update={"nodes": nodes})
    result = await talk(broken, HAPPY)
    assert result.termination_reason is TerminationReason.error
    assert result.error is not None and "agent failed" in result.error


async def test_the_nlu_is_compiled_once_per_flow(refund: Flow) -> None:
    first, second = compile_flow(refund), compile_flow(refund)
    assert first is second
    copy = refund.model_copy(deep=True)
    assert compile_flow(copy).matcher is first.matcher, "equal content shares the matcher"


async def test_meta_reports_node_intent_confidence_and_slot(refund: Flow) -> None:
    agent = FlowAgent(refund)
    opening = agent.handle("I want a refund")
    assert opening.meta["intent"] == "get_refund"
    assert 0.45 <= opening.meta["confidence"] <= 1.0
    assert opening.meta["node"] == "pull_up_account"
    named = agent.handle("Crystal Minh")
    assert (named.meta["slot"], named.meta["value"]) == ("full_name", "Crystal Minh")


async def test_an_end_node_declared_unsuccessful_ends_as_agent_ended(refund: Flow) -> None:
    goodbye = refund.nodes["goodbye"]
    assert goodbye.kind == "end"
    failing = refund.model_copy(
        update={"nodes": {**refund.nodes, "goodbye": goodbye.model_copy(update={"success": False})}}
    )
    result = await talk(failing, HAPPY)
    assert result.messages[-1].meta["node"] == "goodbye"
    assert result.termination_reason is TerminationReason.agent_ended, (
        "reaching an end that is not a success must not count as goal_met"
    )
    assert not result.completed
