"""Play one conversation turn by turn, with expectations that read as specifications.

``Driver`` runs the real turn loop (``understudy.engine.loop.run_conversation``), holding each
side back before its turn until the test asks for the next one, so a test steps through a
conversation and checks it as it goes::

    async with Driver(FlowAgent(flow), scenario=scenario,
                      simulator=ScriptedSimulator(["I want a refund", "12345"])) as talk:
        await talk.expect_agent(contains="order number")
        await talk.expect_customer(contains="12345")
        await talk.expect_end("goal_met")

``expect_agent`` / ``expect_customer`` / ``expect_fallback`` play turns until the next turn of
that side (skipping the other side's) and check it; ``expect_end`` plays to the end and checks
the termination reason. A failed expectation raises ``ExpectationFailed`` (an
``AssertionError``) saying what should have held, what happened instead, and the transcript so
far. Leaving the ``async with`` block stops a conversation that is still running.

Re-exported by ``understudy.testing``.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Sequence
from types import TracebackType

from understudy.domain.persona import Persona
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import ConversationResult, Message, Role, TerminationReason
from understudy.engine.clock import Clock, ManualClock
from understudy.engine.events import Event, MessageAdded, Observer
from understudy.engine.loop import EngineSettings, run_conversation
from understudy.engine.seams import (
    Agent,
    AgentTurn,
    ConversationState,
    CustomerTurn,
    UserSimulator,
)


class ExpectationFailed(AssertionError):
    """An expectation of ``Driver`` did not hold (the message shows the transcript so far)."""


class _Gate:
    """Lets one side's turn through per ``Driver.step``."""

    def __init__(self) -> None:
        self.permits = asyncio.Semaphore(0)
        self.parked = asyncio.Event()

    async def wait(self) -> None:
        self.parked.set()
        await self.permits.acquire()


class _HeldSimulator(UserSimulator):
    name = "held"

    def __init__(self, inner: UserSimulator, gate: _Gate) -> None:
        self.inner = inner
        self.gate = gate

    async def respond(self, state: ConversationState) -> CustomerTurn:
        await self.gate.wait()
        return await self.inner.respond(state)


class _HeldAgent(Agent):
    name = "held"

    def __init__(self, inner: Agent, gate: _Gate) -> None:
        self.inner = inner
        self.gate = gate

    async def respond(self, state: ConversationState) -> AgentTurn:
        await self.gate.wait()
        return await self.inner.respond(state)

    async def aclose(self) -> None:
        await self.inner.aclose()


def format_transcript(messages: Sequence[Message]) -> str:
    """Return the transcript as numbered lines (``  3 agent: ...``), flags in brackets."""
    if not messages:
        return "  (nothing said yet)"
    lines = []
    for message in messages:
        flags = " [fallback]" if message.fell_back else ""
        lines.append(f"  {message.index} {message.role.value}{flags}: {message.text}")
    return "\n".join(lines)


class Driver:
    """Steps one conversation of ``simulator`` against ``agent`` (see the module docstring).

    Args:
        agent: the agent under test, fresh.
        scenario: the scenario played.
        simulator: the customer; the offline simulator playing ``persona`` when None.
        persona: a Persona or persona id for the offline simulator (the scenario's when None).
        seed: seeds the offline simulator and is recorded on the result.
        clock: the conversation's clock; a fresh ``ManualClock`` (instant, reproducible) when
            None.
        observers: more observers of the conversation's events.
        settings: engine settings (timeouts).
    """

    def __init__(
        self,
        agent: Agent,
        *,
        scenario: Scenario,
        simulator: UserSimulator | None = None,
        persona: Persona | str | None = None,
        seed: int | str = 0,
        clock: Clock | None = None,
        observers: Sequence[Observer] = (),
        settings: EngineSettings | None = None,
    ) -> None:
        if simulator is None:
            from understudy.content.personas import resolve_persona
            from understudy.simulators import make_simulator

            who = resolve_persona(persona if persona is not None else scenario.persona)
            simulator = make_simulator("offline", who, scenario, random.Random(seed))
        if clock is None:
            clock = ManualClock()
        self.scenario = scenario
        self.events: list[Event] = []
        self._gate = _Gate()
        self._simulator = _HeldSimulator(simulator, self._gate)
        self._agent = _HeldAgent(agent, self._gate)
        self._clock = clock
        self._observers = [*observers, self]
        self._settings = settings
        self._seed = seed
        self._messages: list[Message] = []
        self._task: asyncio.Task[ConversationResult] | None = None

    # --- the conversation -----------------------------------------------------------------

    async def on_event(self, event: Event) -> None:
        """Keep every event (the driver observes its own conversation)."""
        self.events.append(event)

    @property
    def messages(self) -> list[Message]:
        """The transcript so far."""
        return list(self._messages)

    @property
    def ended(self) -> bool:
        """True once the conversation has ended."""
        return self._task is not None and self._task.done()

    @property
    def result(self) -> ConversationResult | None:
        """The result once the conversation has ended, else None."""
        return self._task.result() if self.ended and self._task is not None else None

    async def start(self) -> None:
        """Start the conversation and hold it before its first turn (idempotent)."""
        if self._task is not None:
            return
        self._task = asyncio.create_task(
            run_conversation(
                self._simulator,
                self._agent,
                self.scenario,
                conversation_id=f"driver-{self._seed}",
                clock=self._clock,
                observers=self._observers,
                settings=self._settings,
                seed=self._seed,
            )
        )
        await self._settle()

    async def _settle(self) -> None:
        """Wait until a side is held before its turn, or the conversation has ended."""
        assert self._task is not None
        parked = asyncio.ensure_future(self._gate.parked.wait())
        try:
            await asyncio.wait({parked, self._task}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            parked.cancel()
        self._sync()

    def _sync(self) -> None:
        self._messages = [e.message for e in self.events if isinstance(e, MessageAdded)]

    async def step(self) -> Message | None:
        """Play the next turn, whichever side it is; return its message (None: it ended)."""
        await self.start()
        if self.ended:
            return None
        before = len(self._messages)
        self._gate.parked.clear()
        self._gate.permits.release()
        await self._settle()
        return self._messages[before] if len(self._messages) > before else None

    async def finish(self) -> ConversationResult:
        """Play every remaining turn and return the result."""
        while await self.step() is not None:
            pass
        assert self._task is not None
        return await self._task

    async def aclose(self) -> None:
        """Stop the conversation if it is still running."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def __aenter__(self) -> Driver:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    # --- expectations ---------------------------------------------------------------------

    def fail(self, expected: str, actual: str) -> ExpectationFailed:
        """Return the error of an expectation: what should hold, what happened, the transcript."""
        ending = ""
        if self.result is not None:
            ending = f"\nended: {self.result.termination_reason.value} ({self.result.detail})"
        return ExpectationFailed(
            f"expected {expected},\nbut {actual}.\n\ntranscript so far:\n"
            f"{format_transcript(self._messages)}{ending}"
        )

    async def next_turn(self, role: Role, expected: str) -> Message:
        """Play turns until ``role`` speaks and return that message.

        Raises:
            ExpectationFailed: the conversation ended first.
        """
        while True:
            message = await self.step()
            if message is None:
                result = self.result
                how = result.termination_reason.value if result else "unknown"
                raise self.fail(expected, f"the conversation ended ({how}) before that")
            if message.role is role:
                return message

    async def expect_agent(
        self, *, contains: str | None = None, fell_back: bool = False
    ) -> Message:
        """Play to the agent's next turn and check it.

        Args:
            contains: text the turn must contain (case-insensitive).
            fell_back: the turn must be a fallback (did not understand).

        Raises:
            ExpectationFailed: the turn does not match, or the conversation ended first.
        """
        what = "the agent's next turn"
        if contains is not None:
            what += f" to contain {contains!r}"
        if fell_back:
            what += " to be a fallback" if contains is None else " and to be a fallback"
        message = await self.next_turn(Role.agent, what)
        if contains is not None and contains.lower() not in message.text.lower():
            raise self.fail(what, f"turn {message.index} said {message.text!r}")
        if fell_back and not message.fell_back:
            raise self.fail(what, f"turn {message.index} was not a fallback: {message.text!r}")
        return message

    async def expect_fallback(self) -> Message:
        """Play to the agent's next turn and check that it fell back (did not understand)."""
        return await self.expect_agent(fell_back=True)

    async def expect_customer(self, *, contains: str | None = None) -> Message:
        """Play to the customer's next turn and check it.

        Raises:
            ExpectationFailed: the turn does not contain ``contains``, or the call ended first.
        """
        what = "the customer's next turn"
        if contains is not None:
            what += f" to contain {contains!r}"
        message = await self.next_turn(Role.customer, what)
        if contains is not None and contains.lower() not in message.text.lower():
            raise self.fail(what, f"turn {message.index} said {message.text!r}")
        return message

    async def expect_end(
        self, reason: TerminationReason | str | None = None, *, within: int | None = None
    ) -> ConversationResult:
        """Play to the end and check why the conversation ended.

        Args:
            reason: the expected termination reason (any reason when None).
            within: at most this many more turns may be played.

        Raises:
            ExpectationFailed: another reason, or still running after ``within`` turns.
        """
        expected = TerminationReason(reason) if reason is not None else None
        what = "the conversation to end" + (f" with {expected.value}" if expected else "")
        if within is not None:
            what += f" within {within} turn(s)"
        played = 0
        while not self.ended:
            if within is not None and played >= within:
                raise self.fail(what, f"it was still running after {played} turn(s)")
            await self.step()
            played += 1
        result = self.result
        assert result is not None
        if expected is not None and result.termination_reason is not expected:
            raise self.fail(
                what,
                f"it ended with {result.termination_reason.value} ({result.detail})",
            )
        return result
