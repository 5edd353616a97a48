"""Fakes and drivers for tests of bots and of understudy itself.

- ``FakeClock``: time that moves only when told (``understudy.engine.clock.ManualClock``);
- ``ScriptedAgent`` / ``ScriptedSimulator``: an agent / a customer saying given lines;
- ``FakeModel``: a pydantic-ai model answering with queued replies (needs the ``llm`` extra;
  ``understudy.llm.fake``);
- ``Driver``: one conversation played turn by turn, with expectations (``understudy.driver``);
- ``run_one``: one whole conversation against the offline simulator.

A test of a bot is a few lines::

    from understudy.testing import ScriptedAgent, run_one
    result = await run_one(ScriptedAgent(["Hi, how can I help?", "Done!"]), persona="impatient",
                           scenario=my_scenario, seed=1)
    assert result.termination_reason == "goal_met"

or, turn by turn::

    async with Driver(my_agent, scenario=my_scenario,
                      simulator=ScriptedSimulator(["I want a refund", "It's 12345"])) as talk:
        await talk.expect_agent(contains="order number")
        await talk.expect_end("goal_met")
"""

from __future__ import annotations

import inspect
import random
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from understudy.domain.persona import Mood, Persona
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import ConversationResult, TerminationReason
from understudy.driver import Driver, ExpectationFailed, format_transcript
from understudy.engine.clock import ManualClock as ManualClock
from understudy.engine.events import Event, Observer
from understudy.engine.loop import EngineSettings, run_conversation
from understudy.engine.seams import (
    Agent,
    AgentTurn,
    ConversationState,
    CustomerTurn,
    UserSimulator,
)

if TYPE_CHECKING:
    from understudy.llm.fake import FakeModel, FakeModelExhausted

__all__ = [
    "Driver",
    "ExpectationFailed",
    "FakeClock",
    "FakeModel",
    "FakeModelExhausted",
    "ManualClock",
    "RecordingObserver",
    "ScriptedAgent",
    "ScriptedSimulator",
    "format_transcript",
    "run_one",
]

FakeClock = ManualClock
"""The engine's manual clock (``understudy.engine.clock.ManualClock``), under its testing name."""


AgentScript = Sequence[str | AgentTurn] | Callable[[ConversationState], object]


class ScriptedAgent(Agent):
    """An agent that plays given lines in order, or asks a callable for each reply.

    Args:
        script: a list of lines (``str`` or ``AgentTurn``), or a callable taking the
            ``ConversationState`` and returning a ``str``/``AgentTurn`` (or an awaitable of one).
        then: what to say when the list runs out (None ends the conversation as the agent).
        clock: a ``FakeClock`` to advance by ``seconds_per_turn`` on each reply (simulates a
            slow typist or bot).
        seconds_per_turn: see ``clock``.
    """

    name = "scripted"

    def __init__(
        self,
        script: AgentScript,
        *,
        then: str | None = None,
        clock: FakeClock | None = None,
        seconds_per_turn: float = 0.0,
    ) -> None:
        self._script = script
        self._then = then
        self._clock = clock
        self._seconds = seconds_per_turn
        self._turn = 0

    async def respond(self, state: ConversationState) -> AgentTurn:
        """Return the next scripted line (see class docs)."""
        if self._clock is not None:
            self._clock.advance(self._seconds)
        if callable(self._script):
            out = self._script(state)
            if inspect.isawaitable(out):
                out = await out
        elif self._turn < len(self._script):
            out = self._script[self._turn]
        elif self._then is not None:
            out = self._then
        else:
            out = AgentTurn(text="Goodbye.", ended=True)
        self._turn += 1
        if isinstance(out, str):
            return AgentTurn(text=out)
        return out  # type: ignore[return-value]  # garbage is passed on: the engine reports it


class RecordingObserver:
    """Keeps every event it receives in ``events`` (for assertions)."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    async def on_event(self, event: Event) -> None:
        """Store the event."""
        self.events.append(event)


SimulatorFactory = Callable[[Persona, Scenario, random.Random], UserSimulator]


async def run_one(
    agent: Agent,
    *,
    scenario: Scenario,
    persona: Persona | str | None = None,
    seed: int | str = 0,
    simulator: UserSimulator | None = None,
    clock: FakeClock | None = None,
    observers: Sequence[Observer] = (),
    settings: EngineSettings | None = None,
) -> ConversationResult:
    """Run one conversation of the offline simulator against ``agent`` and return the result.

    Args:
        agent: the agent under test, fresh.
        scenario: the scenario; its ``persona`` id is used when ``persona`` is None.
        persona: a Persona, a persona id (built-in or in the library), or None.
        seed: seeds the simulator's ``random.Random``.
        simulator: use this simulator instead of the offline one.
        clock: defaults to a fresh ``FakeClock`` so tests are instant and deterministic.
        observers: event observers.
        settings: engine settings (timeouts).
    """
    if simulator is None:
        from understudy.content.personas import resolve_persona
        from understudy.simulators import make_simulator

        resolved = resolve_persona(persona if persona is not None else scenario.persona)
        simulator = make_simulator("offline", resolved, scenario, random.Random(seed))
    return await run_conversation(
        simulator,
        agent,
        scenario,
        conversation_id=f"test-{seed}",
        clock=clock or FakeClock(),
        observers=observers,
        settings=settings,
        seed=seed,
    )


CustomerScript = Sequence[str | CustomerTurn] | Callable[[ConversationState], object]


class ScriptedSimulator(UserSimulator):
    """A customer that says given lines in order, or asks a callable for each turn.

    Args:
        script: a list of lines (``str`` or ``CustomerTurn``), or a callable taking the
            ``ConversationState`` and returning a ``str``/``CustomerTurn`` (or an awaitable of
            one).
        mood: the mood of the turns given as text.
        then: what the customer says when the list runs out; it ends the call with it.
        end: the termination reason of that last turn (``goal_met`` by default).
    """

    name = "scripted"
    simulated_time = True

    def __init__(
        self,
        script: CustomerScript,
        *,
        mood: Mood = Mood.calm,
        then: str = "Thanks, bye.",
        end: TerminationReason | str = TerminationReason.goal_met,
    ) -> None:
        self._script = script
        self._mood = mood
        self._then = then
        self._end = TerminationReason(end)
        self._turn = 0

    async def respond(self, state: ConversationState) -> CustomerTurn:
        """Return the next scripted line (see class docs)."""
        if callable(self._script):
            out = self._script(state)
            if inspect.isawaitable(out):
                out = await out
        elif self._turn < len(self._script):
            out = self._script[self._turn]
        else:
            out = CustomerTurn(
                text=self._then, mood=self._mood, done=True, termination_reason=self._end
            )
        self._turn += 1
        if isinstance(out, str):
            return CustomerTurn(text=out, mood=self._mood)
        return out  # type: ignore[return-value]  # garbage is passed on: the engine reports it


def __getattr__(name: str) -> object:
    """``FakeModel`` needs the ``llm`` extra: it is imported when first asked for."""
    if name in ("FakeModel", "FakeModelExhausted"):
        from understudy.llm import fake

        return getattr(fake, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
