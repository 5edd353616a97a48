"""The two seams of a conversation: a user simulator and an agent, one async method each.

A user simulator plays the customer; an agent is the side under test or in training (an
assistant flow, a webhook, a Python callable, an LLM, or a human trainee). Each is created for one
conversation and may keep state across turns.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel, Field, field_validator

from understudy.domain.persona import Mood
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import (
    AGENT_ENDINGS,
    DialogueAct,
    Message,
    Role,
    TerminationReason,
    agent_ending,
)
from understudy.registry import Plugin


@dataclass
class ConversationState:
    """What either side may read when it takes its turn.

    Attributes:
        conversation_id: id of this conversation (a webhook sends it as the sender).
        scenario: the scenario being played.
        messages: the transcript so far (read-only by convention).
        elapsed_s: seconds since the conversation started.
    """

    conversation_id: str
    scenario: Scenario
    messages: list[Message] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def last_agent_message(self) -> Message | None:
        """The most recent agent message, or None before the agent has spoken."""
        for message in reversed(self.messages):
            if message.role is Role.agent:
                return message
        return None

    @property
    def last_customer_message(self) -> Message | None:
        """The most recent customer message, or None before the customer has spoken."""
        for message in reversed(self.messages):
            if message.role is Role.customer:
                return message
        return None


class CustomerTurn(BaseModel):
    """What the user simulator says on its turn.

    Attributes:
        text: what the customer sends (noisy for typo-prone personas).
        clean_text: the text before the noise layer, if noise was applied.
        acts: dialogue acts of the turn.
        mood: the customer's mood after reading the agent's last turn and replying.
        done: the customer ends the conversation with this turn.
        termination_reason: why, when ``done`` (customer_left, escalated, goal_met...).
        detail: a sentence explaining the ending.
    """

    text: str
    clean_text: str | None = None
    acts: list[DialogueAct] = Field(default_factory=list)
    mood: Mood
    done: bool = False
    termination_reason: TerminationReason | None = None
    detail: str = ""


class AgentTurn(BaseModel):
    """What the agent says on its turn.

    Attributes:
        text: the reply.
        fell_back: the agent did not understand the customer's turn (a fallback re-prompt).
        ended: the agent ends the conversation with this turn.
        outcome: with ``ended``, why (one of ``domain.transcript.AGENT_ENDINGS``): ``goal_met``
            (reached the end of its flow; the word ``completed`` is read as ``goal_met``),
            ``escalated`` (handed over to a human)... or None (just ended). Any other word
            is ``agent_ended`` (``domain.transcript.agent_ending``).
        meta: facts worth keeping (intent, node, confidence...).
    """

    text: str
    fell_back: bool = False
    ended: bool = False
    outcome: TerminationReason | None = None
    meta: dict[str, Any] = Field(default_factory=dict)

    @field_validator("outcome", mode="before")
    @classmethod
    def _ending(cls, value: object) -> object:
        return agent_ending(value) if isinstance(value, str) else value

    @field_validator("outcome")
    @classmethod
    def _agent_may_give(cls, value: TerminationReason | None) -> TerminationReason | None:
        if value is not None and value not in AGENT_ENDINGS:
            raise ValueError(f"an agent cannot end a conversation with {value.value!r}")
        return value


class UserSimulator(Plugin, ABC):
    """Plays the customer. Subclasses implement ``respond``.

    A registered simulator (``understudy.simulators.SIMULATORS``) is built for one conversation
    as ``cls(persona, scenario, rng, **options)``, the options validated by its ``Options``.

    Attributes:
        name: registry name, e.g. ``offline``.
        simulated_time: its turns take no real time (no network, no model), so a batch of it
            against an agent that is not realtime runs on simulated time, reproducibly.
        languages: primary BCP 47 subtags of the languages it speaks (``("en",)``: English in
            any region), or None for any language; a persona in another language is refused
            before the first conversation (``understudy.simulators.languages``).
    """

    name: ClassVar[str] = "user-simulator"
    simulated_time: ClassVar[bool] = False
    languages: ClassVar[tuple[str, ...] | None] = None

    @classmethod
    def prepare_batch(cls, options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """Resolve once, for a whole batch, content the simulator would read per conversation.

        Args:
            options: the validated options given for the batch.

        Returns:
            ``(options, info)``: the options to build every conversation's simulator with, and
            what the run records about that content (None when nothing).
        """
        return options, None

    @abstractmethod
    async def respond(self, state: ConversationState) -> CustomerTurn:
        """Return the customer's next turn.

        Args:
            state: the conversation so far; its last message is the agent's turn to react to,
                or the transcript is empty when the customer opens.
        """


class Agent(ABC):
    """The side under test or in training. Subclasses implement ``respond``.

    Attributes:
        name: registry name, e.g. ``flow``.
    """

    name: ClassVar[str] = "agent"

    @abstractmethod
    async def respond(self, state: ConversationState) -> AgentTurn:
        """Return the agent's next turn.

        Args:
            state: the conversation so far; its last message is the customer's turn, or the
                transcript is empty when the agent opens.
        """

    async def aclose(self) -> None:  # noqa: B027 - optional hook, no-op by default
        """Release resources (connections, ...) after the conversation. Optional."""
