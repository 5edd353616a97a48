"""Reacting like a person: blame, offers, objections, quoting, rephrasing; each over many seeds."""

from __future__ import annotations

import asyncio
import re

import pytest

from understudy.content.personas import resolve_persona
from understudy.domain.scenario import CustomerGoal, Scenario, ScenarioMode
from understudy.domain.transcript import ActType, Role
from understudy.engine.loop import ConversationResult
from understudy.simulators.offline.reason import customer_reason
from understudy.simulators.offline.rules import longest_shared_run, offer_fits_goal
from understudy.testing import ScriptedAgent, run_one

PERSONAS = ("calm", "impatient", "elderly", "non-native", "typo-prone", "maya", "happy-regular")
SEEDS = range(12)
REFUND = Scenario(
    id="refund",
    persona="calm",
    goal=CustomerGoal(
        reason_for_call="You want a refund for the blender you bought last week, it stopped "
        "working after two days.",
        intent="get_refund",
        known_info={"order_id": "ORD-5512"},
    ),
    objections=["I don't want to pay for the return shipping."],
    max_turns=8,
)
AGREEING = re.compile(r"^\W*(yes|yep|yeah|correct|right|that's right|exactly)\b", re.IGNORECASE)


def play(
    persona: str, script: list[str], seed: int, scenario: Scenario = REFUND
) -> ConversationResult:
    agent = ScriptedAgent(list(script), then="Let me check that for you.")
    return asyncio.run(
        run_one(agent, scenario=scenario, persona=resolve_persona(persona), seed=seed)
    )


def reply_to(result: ConversationResult, agent_text: str) -> str:
    for i, message in enumerate(result.messages[:-1]):
        if message.role is Role.agent and message.text == agent_text:
            return result.messages[i + 1].clean_text or result.messages[i + 1].text
    raise AssertionError(f"the agent never said {agent_text!r}")


OTHER_MOVES = {ActType.leave, ActType.escalate, ActType.off_topic, ActType.ask_repeat}
"""Turns that do something else first (leave, ask for a human, wander, ask to repeat)."""
BLAME_LINES = [
    "You are probably using it wrong, right?",
    "You must have dropped it.",
    "Honestly that sounds like user error.",
    "That's your own fault, you should have read the manual.",
    "you're probably just doing it wrong",
]


@pytest.mark.slow
@pytest.mark.parametrize("mode", [ScenarioMode.chat, ScenarioMode.voice])
def test_blame_is_never_answered_with_agreement(mode: ScenarioMode) -> None:
    scenario = REFUND.model_copy(update={"mode": mode})
    for line in BLAME_LINES:
        for persona in PERSONAS:
            for seed in SEEDS:
                result = play(persona, ["How can I help?", line], seed, scenario)
                answer = reply_to(result, line)
                assert not AGREEING.search(answer), f"{persona}/{seed}: {line!r} -> {answer!r}"
                turn = next(
                    m for m in result.messages if m.text == answer or m.clean_text == answer
                )
                kinds = {a.type for a in turn.acts}
                assert ActType.affirm not in kinds, f"{persona}/{seed}: agreed with blame"


@pytest.mark.slow
def test_an_offer_that_contradicts_the_goal_is_refused_and_one_that_meets_it_accepted() -> None:
    wrong = "I can offer you store credit instead. Would you like that?"
    warranty = "Would you like to add our extended warranty for 20 dollars?"
    right = "I can give you a full refund to your card. Would you like that?"
    for persona in PERSONAS:
        for seed in SEEDS:
            result = play(
                persona, ["How can I help?", "What is your order number?", wrong, right], seed
            )
            refused = result.messages[[m.text for m in result.messages].index(wrong) + 1]
            kinds = [a.type for a in refused.acts]
            if OTHER_MOVES & set(kinds):
                continue
            assert ActType.negate in kinds and ActType.affirm not in kinds, (
                f"{persona}/{seed}: store credit is not the refund asked for: {refused.text!r}"
            )
            accepted = result.messages[[m.text for m in result.messages].index(right) + 1]
            kinds = [a.type for a in accepted.acts]
            if not OTHER_MOVES & set(kinds):
                assert ActType.affirm in kinds, (
                    f"{persona}/{seed}: refund offered: {accepted.text!r}"
                )
            result = play(persona, ["How can I help?", warranty], seed)
            kinds = [a.type for a in result.messages[3].acts]
            assert ActType.affirm not in kinds, f"{persona}/{seed}: an add-on is not the goal"


def test_offer_rules() -> None:
    goal = "You want a refund for the blender. get refund"
    assert offer_fits_goal("We can issue a refund to your card.", goal)
    assert not offer_fits_goal("How about store credit instead?", goal)
    assert not offer_fits_goal("Would you like a refund as a voucher?", goal)
    assert not offer_fits_goal("Would you like our premium plan?", goal)
    assert offer_fits_goal("Would you like me to go ahead?", goal)


def test_objections_are_raised_only_when_their_trigger_fits() -> None:
    unrelated = ["How can I help?", "I'm sorry to hear that.", "Let me check that for you."]
    related = ["How can I help?", "The return shipping costs 8 dollars, I'm sorry."]
    objection = REFUND.objections[0]
    raised_unrelated = raised_related = 0
    for persona in PERSONAS:
        for seed in SEEDS:
            texts = [m.text for m in play(persona, unrelated, seed).messages]
            raised_unrelated += any(objection in t for t in texts)
            result = play(persona, related, seed)
            raised_related += any(objection in (m.clean_text or m.text) for m in result.messages)
    assert raised_unrelated == 0, "an objection about shipping has no place in unrelated turns"
    assert raised_related > 0, "an objection fits a turn about the return shipping"


QUOTE = re.compile(
    r"\b(?:as|like) i said,? ([^.?!]+)|^\W*(?:again|i said):? ([^.?!]+)", re.IGNORECASE
)


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


@pytest.mark.slow
def test_i_said_quotes_only_what_was_said_and_restating_never_recites_the_scenario() -> None:
    script = ["How can I help?", "Sorry, I didn't get that.", "Hmm.", "Okay.", "Right.", "Well."]
    reason = REFUND.goal.reason_for_call
    for mode in (ScenarioMode.chat, ScenarioMode.voice):
        scenario = REFUND.model_copy(
            update={"mode": mode, "goal": REFUND.goal.model_copy(update={"intent": None})}
        )
        for persona in PERSONAS:
            for seed in SEEDS:
                result = play(persona, script, seed, scenario)
                said: list[str] = []
                for message in result.messages:
                    if message.role is not Role.customer:
                        continue
                    text = message.clean_text or message.text
                    match = QUOTE.search(text)
                    if match:
                        # Spoken turns have no full stops: the quote is its first five words.
                        quoted = " ".join(_norm(match.group(1) or match.group(2)).split()[:5])
                        assert any(quoted in s for s in said), (
                            f"{persona}/{seed}: {text!r} quotes something never said: {said}"
                        )
                    if said:  # after the opening
                        run = max(
                            longest_shared_run(text, reason),
                            longest_shared_run(text, customer_reason(reason)),
                        )
                        assert run < 6, f"{persona}/{seed}: {text!r} recites the scenario"
                    said.append(_norm(text))
