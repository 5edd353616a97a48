"""A practice call in progress: the trainee against the user simulator, recorded as it happens.

``start_practice`` creates the attempt and starts the conversation in the background; the
returned ``PracticeCall`` takes the trainee's lines (``say``, ``end``), pauses and resumes the
clock (``pause``, ``resume``: the time limit and the turn times leave pauses out), and
``finish()`` waits for the end and grades it. ``run_practice`` does all of that for a scripted
trainee in one call.

The customer speaks first by default (the scenario's ``first_speaker``), after a short pause
(``OPENING_PAUSE_S``, on the call's clock) so the opening line does not land before the trainee
has looked up from the briefing. The call ends on ``/end`` (``trainee_ended``), an exit
condition (``goal_met``), the time limit (``time_limit``, default 600 s), the customer leaving,
or ``cancel()`` (the attempt is then kept as ``interrupted`` with its transcript so far).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Sequence
from dataclasses import dataclass

from understudy.agents.trainee import END_COMMAND, TraineeAgent, feed_script
from understudy.domain.grade import Grade
from understudy.domain.persona import Persona
from understudy.domain.rubric import Rubric
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import ConversationResult
from understudy.engine.clock import Clock, PausableClock
from understudy.engine.events import Observer
from understudy.engine.loop import PRACTICE_CLOSING_TURNS, EngineSettings, run_conversation
from understudy.engine.seams import ConversationState, CustomerTurn, UserSimulator
from understudy.graders.base import Grader
from understudy.practice.briefing import OPENING_PAUSE_S
from understudy.practice.grading import grade_attempt
from understudy.practice.recorder import AttemptRecorder
from understudy.simulators import make_simulator
from understudy.storage.attempt_store import AttemptStore


class OpeningPause(UserSimulator):
    """Wraps a user simulator so its first turn comes after ``pause_s`` on ``clock``.

    Args:
        inner: the simulator that plays the customer.
        clock: the conversation's clock.
        pause_s: seconds to wait before the first turn.
    """

    name = "opening-pause"

    def __init__(self, inner: UserSimulator, clock: Clock, pause_s: float) -> None:
        self.inner = inner
        self.clock = clock
        self.pause_s = pause_s
        self._first = True

    async def respond(self, state: ConversationState) -> CustomerTurn:
        """Pause before the first turn, then delegate."""
        if self._first:
            self._first = False
            if self.pause_s > 0 and not state.messages:
                await self.clock.sleep(self.pause_s)
        return await self.inner.respond(state)


@dataclass
class PracticeOutcome:
    """What a practice attempt produced.

    Attributes:
        attempt_id: id of the stored attempt.
        result: the conversation result (transcript, termination reason).
        grade: the grade, or None when grading was skipped.
    """

    attempt_id: int
    result: ConversationResult
    grade: Grade | None


class PracticeCall:
    """A practice call under way (made by ``start_practice``; see the module docstring).

    Attributes:
        attempt_id: the stored attempt.
        trainee: the agent side; ``say`` and ``end`` fill its queue.
        clock: the call's clock; ``pause`` and ``resume`` stop and restart it.
        scenario: the scenario practised.
    """

    def __init__(
        self,
        attempt_id: int,
        trainee: TraineeAgent,
        clock: PausableClock,
        scenario: Scenario,
        conversation: asyncio.Task[ConversationResult],
        grading: tuple[AttemptStore, Rubric | None, Grader | None],
    ) -> None:
        self.attempt_id = attempt_id
        self.trainee = trainee
        self.clock = clock
        self.scenario = scenario
        self._conversation = conversation
        self._grading = grading
        self._outcome: PracticeOutcome | None = None
        self._started_at = clock.now()

    @property
    def elapsed_s(self) -> float:
        """Seconds of the call so far, pauses left out."""
        return self.clock.now() - self._started_at

    @property
    def paused(self) -> bool:
        """True while the call is paused."""
        return self.clock.paused

    @property
    def done(self) -> bool:
        """True once the conversation has ended (``finish()`` then returns without waiting)."""
        return self._conversation.done()

    def say(self, text: str) -> None:
        """Queue the trainee's next reply (call on the event loop's thread)."""
        self.trainee.submit(text)

    def end(self, last_words: str = "") -> None:
        """End the call as the trainee (``trainee_ended``), saying ``last_words`` first if any."""
        self.trainee.submit(f"{END_COMMAND} {last_words}".strip())

    def end_on_silence(self) -> None:
        """End the call as ``silence_timeout``: nobody spoke on the trainee's turn past the
        agent persona's silence timeout (a voice call's line; docs/voice.md)."""
        self.trainee.end_on_silence()

    def pause(self) -> None:
        """Stop the call's clock: the time limit and turn times leave the pause out."""
        self.clock.pause()

    def resume(self) -> None:
        """Start the call's clock again."""
        self.clock.resume()

    async def cancel(self) -> None:
        """Stop the call now; the attempt stays ``interrupted`` with its transcript so far."""
        self._conversation.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._conversation

    async def finish(self) -> PracticeOutcome:
        """Wait for the call to end, grade it (when a rubric was given) and store the grade.

        Returns:
            The attempt id, the result and the grade (None without a rubric); the same outcome
            on every later call.

        Raises:
            asyncio.CancelledError: the call was cancelled.
        """
        if self._outcome is None:
            result = await self._conversation
            store, rubric, grader = self._grading
            grade = None
            if rubric is not None:
                grade = await grade_attempt(
                    store, self.attempt_id, result, rubric, self.scenario, grader
                )
            self._outcome = PracticeOutcome(self.attempt_id, result, grade)
        return self._outcome


async def start_practice(
    scenario: Scenario,
    persona: Persona,
    *,
    trainee_name: str,
    rubric: Rubric | None,
    store: AttemptStore,
    trainee: TraineeAgent | None = None,
    clock: Clock | None = None,
    seed: int | str = 0,
    opening_pause_s: float = OPENING_PAUSE_S,
    observers: Sequence[Observer] = (),
    simulator: UserSimulator | None = None,
    grader: Grader | None = None,
) -> PracticeCall:
    """Create the attempt and start the call in the background (see the module docstring).

    Call it from a running event loop; the conversation runs as a task of that loop.

    Args:
        scenario: the scenario practised.
        persona: the customer's persona.
        trainee_name: who is practising (stored on the attempt).
        rubric: the rubric ``finish()`` grades with; None skips grading.
        store: where the attempt is stored (every event as it happens: ``AttemptRecorder``).
        trainee: the agent side; a fresh ``TraineeAgent`` when None.
        clock: the clock under the call's ``PausableClock`` (the system clock when None; a
            ``ManualClock`` for reproducible tests).
        seed: seeds the simulator's random generator.
        opening_pause_s: seconds before the customer's opening line.
        observers: more engine observers (terminal display, WebSocket push...).
        simulator: the customer; the offline user simulator when None.
        grader: the grader; the offline grader when None.

    Returns:
        The call under way.

    Raises:
        ConfigError: the persona's language is one the offline simulator cannot speak (raised
            before the attempt is created; ``understudy.simulators.languages``).
    """
    paused = PausableClock(clock)
    agent = trainee if trainee is not None else TraineeAgent()
    # Built first: a persona language the simulator cannot speak is refused before any attempt.
    customer = simulator or make_simulator("offline", persona, scenario, random.Random(seed))
    attempt_id = await asyncio.to_thread(
        store.start_attempt, trainee_name, scenario, persona, rubric.id if rubric else None, seed
    )
    customer = OpeningPause(customer, paused, opening_pause_s)
    # A person may think for a while: only the scenario's time limit bounds a reply.
    # After the exit condition the call closes naturally (the customer's goodbye, the trainee's
    # last turn), so closing is graded on what the trainee does.
    settings = EngineSettings(
        agent_timeout_s=scenario.time_limit_s + 1.0, closing_turns=PRACTICE_CLOSING_TURNS
    )
    conversation = asyncio.ensure_future(
        run_conversation(
            customer,
            agent,
            scenario,
            conversation_id=f"attempt-{attempt_id}",
            clock=paused,
            observers=[AttemptRecorder(store, attempt_id), *observers],
            settings=settings,
            seed=seed,
        )
    )
    return PracticeCall(attempt_id, agent, paused, scenario, conversation, (store, rubric, grader))


async def run_practice(
    scenario: Scenario,
    persona: Persona,
    trainee: TraineeAgent,
    *,
    trainee_name: str,
    rubric: Rubric | None,
    store: AttemptStore,
    clock: Clock | None = None,
    seed: int | str = 0,
    script: Sequence[str] | None = None,
    seconds_per_reply: float = 0.0,
    opening_pause_s: float = OPENING_PAUSE_S,
    observers: Sequence[Observer] = (),
    simulator: UserSimulator | None = None,
    grader: Grader | None = None,
) -> PracticeOutcome:
    """Run, store and grade one practice attempt from start to end.

    Args:
        scenario: the scenario practised.
        persona: the customer's persona.
        trainee: the agent side; its queue is filled by a prompt, a WebSocket or ``script``.
        trainee_name: who is practising (stored on the attempt).
        rubric: the rubric to grade with; None skips grading.
        store: where the attempt is stored.
        clock: the conversation's clock (system clock when None).
        seed: seeds the simulator's random generator.
        script: replies to feed the trainee's queue in order (``/end`` is added when missing).
        seconds_per_reply: with ``script``, the trainee's typing time per reply, in seconds.
        opening_pause_s: seconds before the customer's opening line.
        observers: more observers (terminal display, WebSocket push...).
        simulator: the customer; the offline user simulator when None.
        grader: the grader; the offline grader when None.

    Returns:
        The attempt id, the result and the grade.
    """
    call = await start_practice(
        scenario,
        persona,
        trainee_name=trainee_name,
        rubric=rubric,
        store=store,
        trainee=trainee,
        clock=clock,
        seed=seed,
        opening_pause_s=opening_pause_s,
        observers=observers,
        simulator=simulator,
        grader=grader,
    )
    feeder = None
    if script is not None:
        feeder = asyncio.create_task(
            feed_script(trainee, script, clock=call.clock, seconds_per_reply=seconds_per_reply)
        )
    try:
        return await call.finish()
    except BaseException:
        await call.cancel()
        raise
    finally:
        if feeder is not None:
            feeder.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await feeder
