"""Customers whose lines come from a person, a script file, or a stored transcript.

``understudy chat`` uses them to investigate one failure by hand: you type the customer's lines
and the assistant flow answers, through the same engine a stress test uses.

``HumanCustomer``
    takes each customer line from an asyncio queue that something else fills (the terminal, a
    script file). Control lines: ``/quit`` ends the chat (``customer_left``), ``/restart`` ends
    it so that the caller can start over (the result's detail is ``RESTART_DETAIL``).
``ReplayCustomer``
    plays the customer lines of a stored conversation again, and stops at the first agent turn
    that differs from the stored one (another node, or another text where no node is known):
    past that point the stored lines answer questions the agent no longer asks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from understudy.content.scripts import read_script
from understudy.domain.persona import Mood
from understudy.domain.transcript import Message, Role, TerminationReason
from understudy.engine.seams import ConversationState, CustomerTurn, UserSimulator

QUIT_COMMAND = "/quit"
"""The line that ends the chat."""

RESTART_COMMAND = "/restart"
"""The line that ends the chat and starts a new one."""

RESTART_DETAIL = "restart requested (/restart)"
"""Detail of a conversation ended by ``/restart``."""

QUIT_DETAIL = "you ended the chat (/quit)"
"""Detail of a conversation ended by ``/quit``."""


class HumanCustomer(UserSimulator):
    """A customer whose lines are typed by a person (or read from a script).

    Args:
        queue: where lines arrive; share one queue across restarts so no typed line is lost.
        on_wait: called each time the customer's turn starts (e.g. to print a prompt).
        mood: the mood recorded on every customer turn (a person's mood is not simulated).
    """

    name = "human"

    def __init__(
        self,
        queue: asyncio.Queue[str],
        *,
        on_wait: Callable[[], None] | None = None,
        mood: Mood = Mood.calm,
    ) -> None:
        self.queue = queue
        self.on_wait = on_wait
        self.mood = mood

    async def respond(self, state: ConversationState) -> CustomerTurn:
        """Wait for the next non-empty line and turn it into the customer's turn.

        ``/quit`` ends the conversation as ``customer_left``; ``/restart`` ends it with detail
        ``RESTART_DETAIL``.
        """
        if self.on_wait is not None:
            self.on_wait()
        while True:
            line = (await self.queue.get()).strip()
            if line:
                break
        if line == QUIT_COMMAND:
            return self._end(QUIT_DETAIL)
        if line == RESTART_COMMAND:
            return self._end(RESTART_DETAIL)
        return CustomerTurn(text=line, mood=self.mood)

    def _end(self, detail: str) -> CustomerTurn:
        return CustomerTurn(
            text="",
            mood=self.mood,
            done=True,
            termination_reason=TerminationReason.customer_left,
            detail=detail,
        )


def read_customer_script(path: Path | str) -> list[str]:
    """Read a chat script: one customer line per line (see ``understudy.content.scripts``).

    ``/quit`` and ``/restart`` may appear as lines; ``/quit`` is implied at the end.

    Raises:
        ContentError: the file cannot be read or holds no line.
    """
    return read_script(path, "customer lines")


@dataclass(frozen=True)
class Divergence:
    """Where a replayed conversation left the stored one.

    Attributes:
        customer_turn: 0-based index of the stored customer line that was not sent.
        stored: the stored agent message at that point.
        now: the agent message the current flow sent instead.
    """

    customer_turn: int
    stored: Message
    now: Message

    def describe(self) -> str:
        """One sentence naming the turn, and the stored and new node and text."""
        return (
            f"diverged before customer line {self.customer_turn + 1}: the stored agent "
            f"{_where(self.stored)} said {self.stored.text!r}; now it {_where(self.now)} says "
            f"{self.now.text!r}"
        )


def _where(message: Message) -> str:
    node = message.meta.get("node")
    return f"(node {node})" if node else "(no node)"


def same_request(stored: Message, now: Message) -> bool:
    """True when two agent turns ask the same thing: same node, or same text without nodes."""
    a, b = stored.meta.get("node"), now.meta.get("node")
    if a is not None and b is not None:
        return bool(a == b and stored.fell_back == now.fell_back)
    return stored.text.strip() == now.text.strip()


STOP_DIVERGED = "stopped: the flow diverged from the stored conversation"
"""Detail of a replay ended at a divergence."""

STOP_EXHAUSTED = "stopped: every stored customer line was played"
"""Detail of a replay that ran out of stored customer lines."""


class ReplayCustomer(UserSimulator):
    """Plays the customer lines of a stored conversation against a (possibly changed) agent.

    Before each line after the first agent turn, the agent's last turn is compared with the
    stored agent turn that came just before that line (``same_request``); at the first
    difference the customer stops (``customer_left``, detail ``STOP_DIVERGED``) and
    ``divergence`` says where.

    Args:
        stored: the stored transcript.
    """

    name = "replay"

    def __init__(self, stored: list[Message]) -> None:
        self.stored = stored
        self.customer_lines = [m for m in stored if m.role is Role.customer and m.text]
        self.sent = 0
        self.divergence: Divergence | None = None

    def _stored_agent_before(self, line: Message) -> Message | None:
        before = [m for m in self.stored if m.role is Role.agent and m.index < line.index]
        return before[-1] if before else None

    async def respond(self, state: ConversationState) -> CustomerTurn:
        """Send the next stored customer line, or stop at a divergence or when none is left."""
        if self.sent >= len(self.customer_lines):
            return self._stop(STOP_EXHAUSTED)
        line = self.customer_lines[self.sent]
        stored_agent = self._stored_agent_before(line)
        now_agent = state.last_agent_message
        if (
            stored_agent is not None
            and now_agent is not None
            and not same_request(stored_agent, now_agent)
        ):
            self.divergence = Divergence(self.sent, stored_agent, now_agent)
            return self._stop(STOP_DIVERGED)
        self.sent += 1
        return CustomerTurn(
            text=line.text,
            clean_text=line.clean_text,
            acts=list(line.acts),
            mood=line.mood or Mood.calm,
        )

    def _stop(self, detail: str) -> CustomerTurn:
        last = self.customer_lines[self.sent - 1].mood if self.sent else None
        return CustomerTurn(
            text="",
            mood=last or Mood.calm,
            done=True,
            termination_reason=TerminationReason.customer_left,
            detail=detail,
        )
