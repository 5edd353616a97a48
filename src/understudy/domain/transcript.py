"""Messages, dialogue acts, termination reasons and the result of one conversation."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from understudy.domain.persona import Mood


class Role(StrEnum):
    """A side of a conversation: who wrote a message, who opens a call (``first_speaker``)."""

    customer = "customer"
    agent = "agent"


class ActType(StrEnum):
    """Dialogue act types (the meaning of a turn, not its wording)."""

    greet = "greet"
    state_goal = "state_goal"
    inform = "inform"
    request = "request"
    confirm = "confirm"
    affirm = "affirm"
    negate = "negate"
    dont_know = "dont_know"
    ask_repeat = "ask_repeat"
    complain = "complain"
    object = "object"
    off_topic = "off_topic"
    return_to_goal = "return_to_goal"
    reassurance = "reassurance"
    thank = "thank"
    bye = "bye"
    escalate = "escalate"
    leave = "leave"
    other = "other"


class DialogueAct(BaseModel):
    """One dialogue act: ``inform(slot=value)``, ``request(slot)``, ``affirm()`` ...

    Attributes:
        type: the act type.
        slot: the slot it is about, if any (e.g. ``order_id``).
        value: the slot value it carries, if any.
    """

    type: ActType
    slot: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        inner = ""
        if self.slot is not None:
            inner = self.slot if self.value is None else f"{self.slot}={self.value}"
        return f"{self.type.value}({inner})"


class TerminationReason(StrEnum):
    """Why a conversation ended."""

    goal_met = "goal_met"
    customer_left = "customer_left"
    escalated = "escalated"
    agent_ended = "agent_ended"
    trainee_ended = "trainee_ended"
    silence_timeout = "silence_timeout"
    """A voice call's line went quiet on the trainee's turn past the agent persona's silence
    timeout and the presence check (docs/voice.md)."""
    max_turns = "max_turns"
    time_limit = "time_limit"
    error = "error"
    interrupted = "interrupted"


AGENT_ENDINGS: frozenset[TerminationReason] = frozenset(
    {
        TerminationReason.goal_met,
        TerminationReason.escalated,
        TerminationReason.trainee_ended,
        TerminationReason.silence_timeout,
        TerminationReason.customer_left,
        TerminationReason.agent_ended,
    }
)
"""The reasons an agent may give when it ends a conversation: a subset of TerminationReason."""

COMPLETED = "completed"
"""The word agents use for ``goal_met``: a flow's end node, callable and webhook replies
(``"outcome": "completed"``), and the LLM agent's ``[END completed]``. Read and written only by
``agent_ending`` and ``ending_word``."""


def agent_ending(word: str | None) -> TerminationReason | None:
    """Return the ending an agent names with ``word``.

    ``completed`` is ``goal_met``; any of ``AGENT_ENDINGS`` is itself; any other word is
    ``agent_ended`` (a bot's own word for "done"); None stays None (the agent just ended).

    Raises:
        ValueError: ``word`` is a termination reason an agent cannot give (``max_turns``,
            ``time_limit``, ``error``, ``interrupted``: the engine decides those).
    """
    if word is None:
        return None
    if word == COMPLETED:
        return TerminationReason.goal_met
    try:
        reason = TerminationReason(word)
    except ValueError:
        return TerminationReason.agent_ended
    if reason not in AGENT_ENDINGS:
        allowed = ", ".join([COMPLETED, *sorted(AGENT_ENDINGS)])
        raise ValueError(f"an agent cannot end a conversation with {word!r}; expected {allowed}")
    return reason


def ending_word(reason: TerminationReason | None) -> str:
    """Return how a transcript names an agent's ending: ``completed`` for ``goal_met``,
    ``ended`` for None, else the reason's value."""
    if reason is None:
        return "ended"
    return COMPLETED if reason is TerminationReason.goal_met else reason.value


class Message(BaseModel):
    """One turn of a transcript.

    Attributes:
        index: 1-based position in the transcript.
        role: customer or agent.
        text: what was sent (for a typo-prone customer, the noisy text).
        clean_text: the text before the noise layer; equal to ``text`` when no noise was applied.
        acts: dialogue acts of the turn (set by simulators; agent turns may have none).
        mood: the customer's mood after this turn (customer turns only).
        at_s: seconds since the conversation started, from the engine's clock.
        fell_back: agent turns: the agent did not understand and re-prompted.
        meta: extra facts a side reports (intent, node, confidence...).
    """

    index: int
    role: Role
    text: str
    clean_text: str | None = None
    acts: list[DialogueAct] = Field(default_factory=list)
    mood: Mood | None = None
    at_s: float = 0.0
    fell_back: bool = False
    meta: dict[str, Any] = Field(default_factory=dict)

    @property
    def noisy(self) -> bool:
        """True when the noise layer changed the text."""
        return self.clean_text is not None and self.clean_text != self.text


class ConversationResult(BaseModel):
    """The outcome of one conversation: transcript, reason, moods, errors.

    Attributes:
        conversation_id: id given by the caller.
        seed: seed of the conversation's random generator, if seeded.
        messages: the transcript, in order; kept whole even when the conversation failed.
        termination_reason: why it ended.
        detail: a sentence that explains the ending (the error text, the exit condition met...).
        error: the error text, for ``error`` endings.
        duration_s: seconds from start to end on the engine's clock.
        moods: the customer's mood after each customer turn.
        off_topic: whether the customer wandered off-topic at least once.
        completed: whether the goal was met (the flow finished, or an exit condition was met).
    """

    conversation_id: str
    seed: int | str | None = None
    messages: list[Message] = Field(default_factory=list)
    termination_reason: TerminationReason
    detail: str = ""
    error: str | None = None
    duration_s: float = 0.0
    moods: list[Mood] = Field(default_factory=list)

    @property
    def completed(self) -> bool:
        """True when the conversation ended with ``goal_met``."""
        return self.termination_reason is TerminationReason.goal_met

    @property
    def off_topic(self) -> bool:
        """True when any customer turn carried an ``off_topic`` act."""
        return any(
            act.type is ActType.off_topic
            for m in self.messages
            if m.role is Role.customer
            for act in m.acts
        )

    @property
    def off_topic_answered(self) -> bool:
        """True when every off-topic customer turn got an answer in the agent's next turn.

        An agent that reports digressions (a flow: ``meta["digression"]``) answered when it says
        so; any other agent answered when its next turn did not fall back. A question the call
        ended on was not answered. True when the customer never went off-topic.
        """
        for i, message in enumerate(self.messages):
            if message.role is not Role.customer:
                continue
            if not any(act.type is ActType.off_topic for act in message.acts):
                continue
            reply = next((m for m in self.messages[i + 1 :] if m.role is Role.agent), None)
            if reply is None:
                return False
            if "digression" in reply.meta:
                if not reply.meta["digression"]:
                    return False
            elif reply.fell_back:
                return False
        return True

    @property
    def customer_turns(self) -> int:
        """Number of customer messages."""
        return sum(1 for m in self.messages if m.role is Role.customer)

    @property
    def agent_turns(self) -> int:
        """Number of agent messages."""
        return sum(1 for m in self.messages if m.role is Role.agent)

    @property
    def fallback_turns(self) -> int:
        """Number of agent messages that fell back."""
        return sum(1 for m in self.messages if m.role is Role.agent and m.fell_back)
