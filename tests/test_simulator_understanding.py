"""Reading an agent's turn from its text: slot requests, fallbacks, closings and more."""

from __future__ import annotations

import pytest

from understudy.simulators.mood import MoodSignal
from understudy.simulators.offline.understanding import (
    ConversationTracker,
    canonical_slot,
    read_agent_turn,
)

KEYS = (
    "order_id",
    "email",
    "zip",
    "name",
    "username",
    "account_id",
    "address",
    "phone",
    "refund policy",
    "supervisor's name",
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What's your order number?", ("order_id",)),
        ("Could you give me the order ID, please?", ("order_id",)),
        ("Please provide your e-mail address.", ("email",)),
        ("What is your zip code?", ("zip",)),
        ("And your postcode?", ("zip",)),
        ("May I have your full name?", ("name",)),
        ("What's your username?", ("username",)),
        ("Can I have the account number?", ("account_id",)),
        ("What's the shipping address and phone number?", ("address", "phone")),
        ("Do you know our refund policy?", ("refund policy",)),
        ("Could you tell me your supervisor's name?", ("supervisor's name",)),
    ],
)
def test_slot_requests_are_recognised_through_synonyms(
    text: str, expected: tuple[str, ...]
) -> None:
    assert read_agent_turn(text, KEYS).requested == expected


def test_a_statement_mentioning_a_slot_is_not_a_request() -> None:
    reading = read_agent_turn("I found your order number in our system.", KEYS)
    assert reading.requested == () and reading.mentioned == ("order_id",)
    assert reading.progress


def test_only_yes_no_questions_name_the_slots_to_confirm() -> None:
    text = "You'll be refunded to your original payment method. Is your order number ORD-1?"
    reading = read_agent_turn(text, (*KEYS, "payment_method"))
    assert reading.confirming == ("order_id",), "the statement's slot is not being confirmed"
    assert reading.requested == (), "a statement naming a slot is not a request"


@pytest.mark.parametrize(
    "text",
    [
        "We'll share your email address with the courier.",
        "Your order number is printed on the receipt.",
        "This is what your account number looks like.",
    ],
)
def test_statements_with_asking_words_are_not_requests(text: str) -> None:
    assert read_agent_turn(text, KEYS).requested == (), f"{text!r} asks for nothing"


@pytest.mark.parametrize(
    "text",
    [
        "Please give me your order number.",
        "Can you tell me your zip code?",
        "May I have your email address?",
        "I need your phone number to continue.",
        "Provide your username.",
    ],
)
def test_questions_and_imperatives_are_requests(text: str) -> None:
    assert read_agent_turn(text, KEYS).requested, f"{text!r} asks for a slot"


def test_yes_no_question_with_a_value_is_a_confirmation() -> None:
    reading = read_agent_turn("Is your order number ORD-1234?", KEYS)
    assert reading.confirmation and not reading.requested
    assert reading.mentioned == ("order_id",)


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("Sorry, I didn't get that.", "fallback"),
        ("Could you rephrase that?", "fallback"),
        ("I'm not sure I understand.", "fallback"),
        ("I'm so sorry to hear that.", "empathy"),
        ("I completely understand your frustration.", "empathy"),
        ("Let me check that for you.", "progress"),
        ("Your refund has been processed.", "resolution"),
        ("You're all set!", "resolution"),
        ("Is there anything else I can help with?", "anything_else"),
        ("Thanks for contacting us, goodbye!", "closing"),
        ("Have a great day!", "closing"),
        ("Let me transfer you to a human agent.", "handover"),
        ("Hello! How can I help you today?", "greeting"),
        ("Would you like to add our extended warranty?", "offer"),
        ("Are you sure? This is your last chance!", "pushy"),
        ("Calm down, please.", "rude"),
        ("That's not my problem.", "rude"),
        ("You should have read the reviews.", "rude"),
        ("Like I said, we can't do that.", "rude"),
    ],
)
def test_turn_kinds_are_recognised(text: str, flag: str) -> None:
    reading = read_agent_turn(text, KEYS)
    assert getattr(reading, flag), f"{text!r} should read as {flag}: {reading}"


def test_plain_statements_raise_no_flags() -> None:
    reading = read_agent_turn("Our store opens at nine.", KEYS)
    assert reading.signals() == [] and not reading.fallback and not reading.closing


def test_canonical_slot_names() -> None:
    assert canonical_slot("order_number") == "order_id"
    assert canonical_slot("Order ID") == "order_id"
    assert canonical_slot("e-mail address") == "email"
    assert canonical_slot("postcode") == "zip"
    assert canonical_slot("refund policy") is None


def test_tracker_adds_history_signals() -> None:
    tracker = ConversationTracker()
    ask = read_agent_turn("What's your order number?", KEYS)
    assert tracker.observe_agent(ask) == []
    tracker.observe_customer(["order_id"], asked=False)
    assert MoodSignal.repeated_question in tracker.observe_agent(ask), "asked again"

    tracker.observe_customer([], asked=True)
    assert MoodSignal.ignored in tracker.observe_agent(read_agent_turn("Our store opens at nine."))

    offer = read_agent_turn("Would you like to add our extended warranty?")
    assert MoodSignal.pushy not in tracker.observe_agent(offer), "one offer is fine"
    tracker.observe_customer([], asked=False, declined_offer=True)
    assert MoodSignal.pushy in tracker.observe_agent(offer), "a second offer after a no is pushy"


def test_slow_progress_after_three_turns_without_movement() -> None:
    tracker = ConversationTracker()
    idle = read_agent_turn("Okay.")
    signals = [tracker.observe_agent(idle) for _ in range(3)]
    assert signals[:2] == [[], []] and signals[2] == [MoodSignal.slow_progress]
