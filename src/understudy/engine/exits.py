"""Exit conditions: goal-specific endings checked after every turn.

A condition is met when an agent message matches one of its phrases (``understudy.matching``) and,
if it asks for confirmation, a later customer message confirms: an ``affirm`` or ``thank`` act from
a simulator, or a confirming phrase typed by a person.
"""

from __future__ import annotations

from understudy.domain.scenario import ExitCondition
from understudy.domain.transcript import ActType, Message, Role
from understudy.matching import best_match, normalise

CONFIRM_ACTS = frozenset({ActType.affirm, ActType.thank})
CONFIRM_PHRASES = (
    "yes",
    "yeah",
    "yep",
    "ok",
    "okay",
    "sure",
    "great",
    "perfect",
    "thank you",
    "thanks",
    "that works",
    "sounds good",
    "confirmed",
    "correct",
)


def _confirms(message: Message) -> bool:
    if any(act.type in CONFIRM_ACTS for act in message.acts):
        return True
    words = normalise(message.clean_text or message.text).replace(",", " ").replace(".", " ")
    tokens = words.split()
    return any(
        (" " in phrase and phrase in words) or phrase in tokens for phrase in CONFIRM_PHRASES
    )


def condition_met(condition: ExitCondition, messages: list[Message]) -> bool:
    """Return True when ``condition`` holds for the transcript ``messages``.

    Args:
        condition: the exit condition.
        messages: the transcript so far, in order.
    """
    for i, message in enumerate(messages):
        if message.role is not Role.agent:
            continue
        if best_match(condition.agent_says, message.text) is None:
            continue
        if not condition.customer_confirms:
            return True
        if any(m.role is Role.customer and _confirms(m) for m in messages[i + 1 :]):
            return True
    return False
