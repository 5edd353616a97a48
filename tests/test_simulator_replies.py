"""How the offline customer reads the agent: requests for a slot understood, statements and promises
not mistaken for requests, rephrasing after a fallback."""

from __future__ import annotations

import random

import pytest

from simulator_fixtures import NO_OPENING, acts, persona, play, step
from understudy.domain.transcript import ActType, ConversationResult, Message, Role
from understudy.simulators.offline import OfflineSimulator


def reply_to(result: ConversationResult, agent_text: str) -> Message:
    for i, message in enumerate(result.messages[:-1]):
        if message.role is Role.agent and message.text == agent_text:
            return result.messages[i + 1]
    raise AssertionError(f"the agent never said {agent_text!r}")


@pytest.mark.parametrize(
    ("question", "slot", "value"),
    [
        ("How would you like to be refunded?", "refund_method", "original payment method"),
        ("Where should the refund go?", "refund_method", "original payment method"),
        ("And how would you like to pay for the replacement?", "payment_method", None),
        ("Where should we send the replacement?", "address", "12 Elm Street, Denver, CO 80203"),
        ("Can you tell me your date of birth?", "date_of_birth", "1985-03-14"),
        ("What are the last four digits of the card?", "card", "4422"),
    ],
)
def test_common_ways_of_asking_for_a_slot_are_understood(
    question: str, slot: str, value: str | None
) -> None:
    sim = OfflineSimulator(persona("calm"), NO_OPENING, random.Random(1))
    messages: list[Message] = []
    step(sim, messages, None)
    turn = step(sim, messages, question)
    answer = [a for a in turn.acts if a.slot == slot]
    assert answer, f"{question!r} should be read as a request for {slot}: {turn.acts}"
    if value is None:
        assert answer[0].type is ActType.dont_know, "an unknown slot is declined"
    else:
        assert answer[0].type is ActType.inform and answer[0].value == value
        assert value in (turn.clean_text or turn.text)


def test_a_promise_mentioning_the_payment_method_is_not_a_request_for_it() -> None:
    promise = (
        "Done: the return is set up and you'll be refunded to your original payment method "
        "within 5 to 7 business days. Does that resolve everything for you?"
    )
    for seed in range(20):
        result = play("calm", ["Hello, how can I help?", promise], seed)
        reply = reply_to(result, promise)
        assert ActType.dont_know not in acts(reply), (
            f"seed {seed}: a statement naming the payment method asks for nothing, got "
            f"{reply.clean_text!r}"
        )
        assert "payment method" not in (reply.clean_text or reply.text).lower()


@pytest.mark.parametrize(
    "statement",
    [
        "We will send a confirmation to your email address.",
        "Your refund will go back to the card on file.",
        "I found your order number in our system.",
    ],
)
def test_statements_naming_a_slot_get_no_answer_about_it(statement: str) -> None:
    sim = OfflineSimulator(persona("calm"), NO_OPENING, random.Random(5))
    messages: list[Message] = []
    step(sim, messages, None)
    turn = step(sim, messages, statement)
    assert not any(a.type in (ActType.inform, ActType.dont_know) for a in turn.acts), (
        f"{statement!r} is not a request, got {turn.acts}"
    )


def test_a_fallback_at_the_opening_question_restates_the_goal_not_a_fact() -> None:
    script = [
        "Hi! How can I help you today?",
        "What's your zip code?",
        "Sorry, I didn't get that. How can I help you today?",
    ]
    for seed in range(20):
        result = play("calm", script, seed, NO_OPENING)
        reply = reply_to(result, script[2])
        if ActType.off_topic in acts(reply):
            continue
        assert ActType.state_goal in acts(reply), (
            f"seed {seed}: asked the opening question again, the customer restates its goal, "
            f"got {reply.clean_text!r}"
        )


def test_after_a_fallback_the_last_act_is_rephrased() -> None:
    fallback = "Sorry, I didn't get that."
    for seed in range(20):
        sim = OfflineSimulator(persona("calm"), NO_OPENING, random.Random(seed))
        messages: list[Message] = []
        opening = step(sim, messages, None)
        again = step(sim, messages, fallback)
        assert ActType.state_goal in {a.type for a in again.acts}, "the goal is restated"
        assert again.clean_text != opening.clean_text, "in other words"
        fact = step(sim, messages, "What's your zip code?")
        if ActType.off_topic in {a.type for a in fact.acts}:
            continue
        assert any(a.slot == "zip_code" for a in fact.acts)
        repeat = step(sim, messages, fallback)
        if ActType.off_topic in {a.type for a in repeat.acts}:
            continue
        informs = [a for a in repeat.acts if a.type is ActType.inform]
        assert [a.slot for a in informs] == ["zip_code"], "the fact just given is given again"
