"""Turn-level behaviour of the offline simulator: confirmations, offers, styles, endings."""

from __future__ import annotations

import asyncio
import random

from understudy.content.personas import resolve_persona
from understudy.domain.persona import Mood
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.domain.transcript import ActType, ConversationResult, Message, Role
from understudy.engine.seams import ConversationState
from understudy.simulators.offline import OfflineSimulator
from understudy.testing import ScriptedAgent, run_one

SCENARIO = Scenario(
    id="address",
    persona="happy-regular",
    goal=CustomerGoal(
        reason_for_call="You want to change the delivery address of your next order.",
        intent="change_shipping_address",
        known_info={"order_id": "8842-1190", "address": "410 River Walk, San Antonio, TX 78205"},
    ),
    objections=["I only called about my address."],
    max_turns=12,
)


def play(persona: str, script: list[str], seed: int) -> ConversationResult:
    agent = ScriptedAgent(script, then="Sorry, I didn't get that.")
    return asyncio.run(
        run_one(agent, scenario=SCENARIO, persona=resolve_persona(persona), seed=seed)
    )


def reply_to(result: ConversationResult, agent_text: str) -> Message:
    for i, message in enumerate(result.messages[:-1]):
        if message.role is Role.agent and message.text == agent_text:
            return result.messages[i + 1]
    raise AssertionError(f"the agent never said {agent_text!r}")


def test_a_wrong_value_is_corrected_and_a_right_one_confirmed() -> None:
    wrong, right = "Is your order number 1234-0000?", "Is your order number 8842-1190?"
    for seed in range(10):
        result = play("calm", ["Hi, how can I help?", wrong, right], seed)
        corrected = reply_to(result, wrong)
        if ActType.off_topic in {a.type for a in corrected.acts}:
            continue
        assert [a.type for a in corrected.acts] == [ActType.negate, ActType.inform]
        assert "8842-1190" in corrected.text and "1234-0000" not in corrected.text
        confirmed = reply_to(result, right)
        if ActType.off_topic not in {a.type for a in confirmed.acts}:
            assert ActType.affirm in {a.type for a in confirmed.acts}, confirmed.acts


def test_pushy_cross_sell_sours_a_happy_customer() -> None:
    offer = "Would you like to add our premium plan?"
    push = "Are you sure? It's a limited time offer, you really should upgrade."
    script = ["Hi, how can I help?", offer, push, offer, push]
    drops = 0
    for seed in range(20):
        result = play("happy-regular", script, seed)
        declined = reply_to(result, offer)
        if declined.acts[0].type is not ActType.off_topic:
            assert declined.acts[0].type is ActType.negate, "the customer declines the offer"
        drops += result.moods[-1] in (Mood.frustrated, Mood.angry)
        assert result.moods[0] is Mood.happy
    assert drops >= 18, f"pressing offers should sour a happy, fast-drift customer ({drops}/20)"


def test_elderly_asks_for_reassurance_after_progress() -> None:
    script = ["Hi, how can I help?", "Let me check that for you.", "I have found your order."]
    asked = sum(
        any(
            a.type is ActType.reassurance
            for m in play("elderly", script, s).messages
            for a in m.acts
        )
        for s in range(20)
    )
    assert asked >= 8, f"elderly seeks reassurance often ({asked}/20)"


def test_impatient_never_greets_and_elderly_usually_does() -> None:
    impatient = [play("impatient", ["Hi"], s).messages[0] for s in range(30)]
    elderly = [play("elderly", ["Hi"], s).messages[0] for s in range(30)]
    assert not any(a.type is ActType.greet for m in impatient for a in m.acts)
    assert sum(any(a.type is ActType.greet for a in m.acts) for m in elderly) >= 10


def test_the_customer_leaves_with_a_leave_act_when_patience_runs_out() -> None:
    persona = resolve_persona("impatient")
    simulator = OfflineSimulator(persona, SCENARIO, random.Random(1), escalate_chance=0.0)
    state = ConversationState(conversation_id="c", scenario=SCENARIO)
    turn = simulator.step(state)
    for _ in range(20):
        state.messages.append(
            Message(index=len(state.messages) + 1, role=Role.customer, text=turn.text)
        )
        state.messages.append(
            Message(
                index=len(state.messages) + 1, role=Role.agent, text="Sorry, I didn't get that."
            )
        )
        turn = simulator.step(state)
        if turn.done:
            break
    assert turn.done and turn.termination_reason == "customer_left"
    assert turn.acts[-1].type is ActType.leave and "patience" in turn.detail


def test_unknown_options_are_rejected() -> None:
    persona = resolve_persona("calm")
    try:
        OfflineSimulator(persona, SCENARIO, random.Random(0), escalate_chanse=0.5)
    except ValueError as exc:
        assert "escalate_chanse" in str(exc)
    else:
        raise AssertionError("a misspelt option should fail")


def test_the_agenda_lists_what_the_customer_still_means_to_do() -> None:
    simulator = OfflineSimulator(resolve_persona("happy-regular"), SCENARIO, random.Random(0))
    before = [a.type for a in simulator.agenda.pending()]
    assert before[0] is ActType.state_goal and before[-2:] == [ActType.thank, ActType.bye]
    assert ActType.object in before, "the scenario's objection is on the agenda"
    simulator.step(ConversationState(conversation_id="c", scenario=SCENARIO))
    after = [a.type for a in simulator.agenda.pending()]
    assert ActType.state_goal not in after, "the opening stated the goal"
