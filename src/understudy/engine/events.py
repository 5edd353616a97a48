"""Events the engine emits, and the observer protocol that receives them.

Observers store events, print them or push them to a browser; the loop itself does no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from understudy.domain.persona import Mood
from understudy.domain.transcript import ConversationResult, DialogueAct, Message


@dataclass(frozen=True)
class ConversationStarted:
    """The conversation began. ``at_s`` is always 0."""

    conversation_id: str
    scenario_id: str
    at_s: float = 0.0


@dataclass(frozen=True)
class MessageAdded:
    """A message joined the transcript."""

    conversation_id: str
    message: Message
    at_s: float


@dataclass(frozen=True)
class MoodChanged:
    """The customer's mood moved (``old`` is None for the first customer turn)."""

    conversation_id: str
    old: Mood | None
    new: Mood
    turn: int
    at_s: float


@dataclass(frozen=True)
class ActPerformed:
    """The customer performed a dialogue act on turn ``turn`` (message index)."""

    conversation_id: str
    act: DialogueAct
    turn: int
    at_s: float


@dataclass(frozen=True)
class ExitChecked:
    """An exit condition was checked after turn ``turn``; ``met`` tells the outcome."""

    conversation_id: str
    condition_id: str
    met: bool
    turn: int
    at_s: float


@dataclass(frozen=True)
class ConversationEnded:
    """The conversation ended; ``result`` holds the whole transcript and reason."""

    conversation_id: str
    result: ConversationResult
    at_s: float


Event = (
    ConversationStarted
    | MessageAdded
    | MoodChanged
    | ActPerformed
    | ExitChecked
    | ConversationEnded
)


class Observer(Protocol):
    """Receives every event of a conversation, in order."""

    async def on_event(self, event: Event) -> None:
        """Handle one event; awaited by the loop before the conversation goes on.

        Args:
            event: the event, in the order the loop emits them.

        Raises:
            Exception: whatever the observer raises is not caught: it propagates out of
                ``run_conversation`` and stops the conversation there, with no result (a lost
                record is worse than a stopped conversation; in a batch it stops the batch). An
                observer that must not stop the conversation (a display, a push to a browser)
                catches its own errors.
        """
        ...
