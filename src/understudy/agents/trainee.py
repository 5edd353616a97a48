"""A human trainee as the agent side of the engine.

The trainee's replies come from an asyncio queue that something else fills: the terminal prompt of
``understudy practice``, a script file (``--script FILE``), or later a WebSocket. Control lines:

``/end``
    ends the call (termination reason ``trainee_ended``); ``/end some text`` says the text first.

The engine bounds the wait for a reply by the scenario's time limit, so a silent trainee runs out
of time (``time_limit``) rather than blocking forever.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path

from understudy.content.scripts import read_script as read_lines
from understudy.domain.transcript import TerminationReason
from understudy.engine.clock import Clock
from understudy.engine.seams import Agent, AgentTurn, ConversationState

END_COMMAND = "/end"
"""The line that ends the call."""


class TraineeAgent(Agent):
    """An agent whose replies are typed by a person (or read from a script).

    Args:
        queue: where replies arrive; a fresh queue when None (fill it with ``submit``).
    """

    name = "trainee"

    def __init__(self, queue: asyncio.Queue[str] | None = None) -> None:
        self.queue: asyncio.Queue[str] = queue if queue is not None else asyncio.Queue()
        self.waiting = asyncio.Event()
        self._end_reason = TerminationReason.trainee_ended

    def end_on_silence(self) -> None:
        """End the call as ``silence_timeout`` (the line stayed quiet on the trainee's turn)."""
        self._end_reason = TerminationReason.silence_timeout
        self.submit(END_COMMAND)

    def submit(self, line: str) -> None:
        """Queue one reply (or ``/end``). Safe to call from the event loop's thread only."""
        self.queue.put_nowait(line)

    async def respond(self, state: ConversationState) -> AgentTurn:
        """Wait for the trainee's next non-empty line and turn it into the agent's turn.

        ``/end`` (optionally followed by a last sentence) ends the call with ``trainee_ended``
        (``silence_timeout`` after ``end_on_silence``).
        """
        self.waiting.set()
        try:
            while True:
                line = (await self.queue.get()).strip()
                self.queue.task_done()
                if line:
                    break
        finally:
            self.waiting.clear()
        if is_end(line):
            text = line[len(END_COMMAND) :].strip()
            return AgentTurn(
                text=text,
                ended=True,
                outcome=self._end_reason,
                meta={"command": END_COMMAND},
            )
        return AgentTurn(text=line)


def read_script(path: Path | str) -> list[str]:
    """Read a trainee script: one reply per line (see ``understudy.content.scripts``).

    Raises:
        ContentError: the file cannot be read or has no replies.
    """
    return read_lines(path, "reply lines")


async def feed_script(
    agent: TraineeAgent,
    lines: Iterable[str],
    *,
    clock: Clock | None = None,
    seconds_per_reply: float = 0.0,
) -> None:
    """Play ``lines`` into the trainee's queue, one each time the engine waits for a reply.

    Each reply is preceded by ``seconds_per_reply`` on ``clock`` (the trainee's typing time; a
    ``ManualClock`` advances instantly). When the lines run out without ``/end``, ``/end`` follows.

    Args:
        agent: the trainee agent to feed.
        lines: replies in order.
        clock: the conversation's clock, for typing time.
        seconds_per_reply: typing time per reply, in seconds.
    """
    for line in lines:
        await agent.waiting.wait()
        if clock is not None and seconds_per_reply > 0:
            await clock.sleep(seconds_per_reply)
        agent.submit(line)
        await agent.queue.join()  # the agent took it; its next wait starts a new turn
        if is_end(line):
            return
    await agent.waiting.wait()
    agent.submit(END_COMMAND)


def is_end(line: str) -> bool:
    """True when ``line`` is the ``/end`` command (with or without a last sentence)."""
    line = line.strip()
    return line == END_COMMAND or line.startswith(END_COMMAND + " ")
