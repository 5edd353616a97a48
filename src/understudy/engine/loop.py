"""The turn loop: one conversation between a user simulator and an agent.

Rules, in order, after every turn:

1. the customer may end the call (``customer_left``, ``escalated``, ``goal_met``...);
2. the agent may end it (``completed`` -> ``goal_met``, ``escalated``, otherwise ``agent_ended``;
   a trainee ends with ``trainee_ended``);
3. an exit condition of the scenario that holds ends it with its reason (default ``goal_met``);
   with ``EngineSettings.closing_turns`` above 0 (practice calls), the call first goes on for
   a natural ending: the agent (the trainee) gets up to that many more turns, and once the
   customer says goodbye (a ``bye`` act, or the customer ends the call) the agent has one last
   turn to close; the call then ends with the exit condition's reason;
4. the scenario's time limit (``time_limit_s``, engine clock) ends it with ``time_limit``;
5. the customer's turn count reaching ``max_turns`` ends it with ``max_turns``.

The agent's turn is bounded by ``EngineSettings.agent_timeout_s`` and by the time left. A side
that raises ``ConversationInterrupted`` (e.g. a spent token budget) ends the conversation with
``interrupted`` and its message. An agent that raises anything else, times out or returns
something other than an ``AgentTurn`` ends the conversation with ``error`` (or ``time_limit``
when the scenario's time ran out while waiting) and the error text; the transcript so far is kept.
The loop never raises to its caller, except on cancellation.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from understudy.domain.persona import Mood
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import (
    ActType,
    ConversationResult,
    Message,
    Role,
    TerminationReason,
    ending_word,
)
from understudy.engine.clock import Clock, SystemClock, wait_within
from understudy.engine.events import (
    ActPerformed,
    ConversationEnded,
    ConversationStarted,
    Event,
    ExitChecked,
    MessageAdded,
    MoodChanged,
    Observer,
)
from understudy.engine.exits import condition_met
from understudy.engine.seams import Agent, AgentTurn, ConversationState, CustomerTurn, UserSimulator
from understudy.errors import ConversationInterrupted


class EngineSettings(BaseModel):
    """Options of the turn loop.

    Attributes:
        agent_timeout_s: seconds the agent may take for one turn before the conversation ends
            with ``error`` (default 30).
        simulator_timeout_s: seconds the user simulator may take for one turn (default 120; an
            LLM customer can be slow).
        closing_turns: agent turns allowed after an exit condition is met, so the customer can
            say goodbye and the agent close the call (default 0: end at once, as stress-tests
            do; practice calls use ``PRACTICE_CLOSING_TURNS``).
    """

    model_config = ConfigDict(extra="forbid")

    agent_timeout_s: float = Field(default=30.0, gt=0)
    simulator_timeout_s: float = Field(default=120.0, gt=0)
    closing_turns: int = Field(default=0, ge=0, le=10)


PRACTICE_CLOSING_TURNS = 2
"""Agent turns after a practice call's exit condition: one to check the resolution, one to close
after the customer's goodbye (the customer-service rubric grades both)."""


class _End(Exception):
    def __init__(self, reason: TerminationReason, detail: str = "", error: str | None = None):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.error = error


class _Conversation:
    """State of one running conversation (internal to ``run_conversation``)."""

    def __init__(
        self,
        conversation_id: str,
        scenario: Scenario,
        clock: Clock,
        observers: Sequence[Observer],
    ) -> None:
        self.clock = clock
        self.start = clock.now()
        self.observers = observers
        self.state = ConversationState(conversation_id=conversation_id, scenario=scenario)
        self.moods: list[Mood] = []
        self.met: set[str] = set()
        self.ending: _End | None = None
        """The exit condition's ending, held back while the call closes naturally."""

    @property
    def elapsed(self) -> float:
        return self.clock.now() - self.start

    async def emit(self, event: Event) -> None:
        for observer in self.observers:
            outcome = observer.on_event(event)
            if inspect.isawaitable(outcome):
                await outcome

    async def add(self, message: Message) -> None:
        self.state.messages.append(message)
        self.state.elapsed_s = message.at_s
        await self.emit(MessageAdded(self.state.conversation_id, message, message.at_s))

    def next_index(self) -> int:
        return len(self.state.messages) + 1

    async def check_after_turn(self) -> None:
        scenario = self.state.scenario
        turn = len(self.state.messages)
        for condition in scenario.exit_conditions if self.ending is None else []:
            met = condition_met(condition, self.state.messages)
            await self.emit(
                ExitChecked(self.state.conversation_id, condition.id, met, turn, self.elapsed)
            )
            if met:
                reason = TerminationReason(condition.reason)
                text = condition.description or condition.id
                raise _End(reason, f"exit condition met: {text}")
        if self.elapsed >= scenario.time_limit_s:
            raise _End(
                TerminationReason.time_limit,
                f"time limit of {scenario.time_limit_s:g} s reached",
            )


_FAILURES = frozenset({TerminationReason.error, TerminationReason.interrupted})
_LIMITS = frozenset({TerminationReason.time_limit, TerminationReason.max_turns})


def _says_goodbye(conv: _Conversation) -> bool:
    last = conv.state.last_customer_message
    return last is not None and any(a.type is ActType.bye for a in last.acts)


async def _customer_turn(
    conv: _Conversation, simulator: UserSimulator, settings: EngineSettings
) -> None:
    scenario = conv.state.scenario
    customer_turns = sum(1 for m in conv.state.messages if m.role is Role.customer)
    if customer_turns >= scenario.max_turns:
        raise _End(TerminationReason.max_turns, f"{scenario.max_turns} customer turns reached")
    try:
        async with asyncio.timeout(settings.simulator_timeout_s):
            turn = await simulator.respond(conv.state)
    except TimeoutError:
        msg = f"user simulator did not answer within {settings.simulator_timeout_s:g} s"
        raise _End(TerminationReason.error, msg, msg) from None
    except ConversationInterrupted as exc:
        raise _End(TerminationReason.interrupted, str(exc)) from exc
    except Exception as exc:  # a broken simulator ends this conversation, not the batch
        msg = f"user simulator failed: {type(exc).__name__}: {exc}"
        raise _End(TerminationReason.error, msg, msg) from exc
    if not isinstance(turn, CustomerTurn):
        msg = f"user simulator returned {type(turn).__name__}, expected CustomerTurn"
        raise _End(TerminationReason.error, msg, msg)
    index = conv.next_index()
    at = conv.elapsed
    old = conv.moods[-1] if conv.moods else None
    message = Message(
        index=index,
        role=Role.customer,
        text=turn.text,
        clean_text=turn.clean_text if turn.clean_text is not None else turn.text,
        acts=list(turn.acts),
        mood=turn.mood,
        at_s=at,
    )
    await conv.add(message)
    conv.moods.append(turn.mood)
    if old != turn.mood:
        await conv.emit(MoodChanged(conv.state.conversation_id, old, turn.mood, index, at))
    for act in turn.acts:
        await conv.emit(ActPerformed(conv.state.conversation_id, act, index, at))
    if turn.done:
        reason = turn.termination_reason or TerminationReason.customer_left
        raise _End(reason, turn.detail or f"the customer ended the call ({reason.value})")


async def _agent_turn(conv: _Conversation, agent: Agent, settings: EngineSettings) -> None:
    remaining = conv.state.scenario.time_limit_s - conv.elapsed
    timeout = min(settings.agent_timeout_s, max(remaining, 0.0))
    try:
        reply = await wait_within(conv.clock, agent.respond(conv.state), timeout)
    except TimeoutError:
        if remaining <= settings.agent_timeout_s:
            limit = conv.state.scenario.time_limit_s
            raise _End(TerminationReason.time_limit, f"time limit of {limit:g} s reached") from None
        msg = f"agent did not answer within {settings.agent_timeout_s:g} s"
        raise _End(TerminationReason.error, msg, msg) from None
    except ConversationInterrupted as exc:
        raise _End(TerminationReason.interrupted, str(exc)) from exc
    except Exception as exc:  # a crashed bot ends this conversation, not the batch
        msg = f"agent failed: {type(exc).__name__}: {exc}"
        raise _End(TerminationReason.error, msg, msg) from exc
    if not isinstance(reply, AgentTurn) or not isinstance(reply.text, str):
        msg = f"agent returned {type(reply).__name__}: {reply!r:.200}, expected AgentTurn"
        raise _End(TerminationReason.error, msg, msg)
    message = Message(
        index=conv.next_index(),
        role=Role.agent,
        text=reply.text,
        fell_back=reply.fell_back,
        at_s=conv.elapsed,
        meta=dict(reply.meta),
    )
    await conv.add(message)
    if reply.ended:
        reason = reply.outcome or TerminationReason.agent_ended
        raise _End(reason, f"the agent ended the conversation ({ending_word(reply.outcome)})")


async def run_conversation(
    simulator: UserSimulator,
    agent: Agent,
    scenario: Scenario,
    *,
    conversation_id: str = "conversation-1",
    clock: Clock | None = None,
    observers: Sequence[Observer] = (),
    settings: EngineSettings | None = None,
    seed: int | str | None = None,
) -> ConversationResult:
    """Run one conversation to its end and return the result.

    Args:
        simulator: the customer side, fresh for this conversation.
        agent: the agent side, fresh for this conversation.
        scenario: what the call is about (first speaker, exit conditions, limits).
        conversation_id: id put on every event and on the result.
        clock: time source; the system clock when None.
        observers: receive every event in order (storage, display...). An observer that raises
            propagates: a lost record is worse than a stopped conversation.
        settings: agent and simulator timeouts.
        seed: recorded on the result; the simulator's random generator is seeded by the caller.

    Returns:
        The result, with the transcript kept whole whatever the ending.

    Raises:
        asyncio.CancelledError: when the task running it is cancelled (the batch was stopped).
    """
    settings = settings or EngineSettings()
    conv = _Conversation(conversation_id, scenario, clock or SystemClock(), observers)
    await conv.emit(ConversationStarted(conversation_id, scenario.id, 0.0))
    speaker = scenario.first_speaker
    closing_left = settings.closing_turns
    try:
        while True:
            try:
                if speaker is Role.customer:
                    await _customer_turn(conv, simulator, settings)
                    speaker = Role.agent
                    if conv.ending is not None and _says_goodbye(conv):
                        closing_left = min(closing_left, 1)  # the agent's last turn
                else:
                    await _agent_turn(conv, agent, settings)
                    speaker = Role.customer
                    if conv.ending is not None:
                        closing_left -= 1
                        if closing_left <= 0:
                            raise conv.ending
                await conv.check_after_turn()
            except _End as end:
                if conv.ending is None:
                    if settings.closing_turns <= 0 or not end.detail.startswith(
                        "exit condition met"
                    ):
                        raise
                    conv.ending = end  # held back while the call closes naturally
                elif end is conv.ending or end.reason in _FAILURES:
                    raise
                elif end.reason in _LIMITS or speaker is Role.agent:
                    # the goal was met: the clock ran out, or the agent ended it, while closing
                    raise conv.ending from None
                else:  # the customer hung up while closing: the agent has its last turn
                    speaker = Role.agent
                    closing_left = 1
    except _End as end:
        result = ConversationResult(
            conversation_id=conversation_id,
            seed=seed,
            messages=list(conv.state.messages),
            termination_reason=end.reason,
            detail=end.detail,
            error=end.error,
            duration_s=conv.elapsed,
            moods=list(conv.moods),
        )
    finally:
        with contextlib.suppress(Exception):
            await agent.aclose()
    await conv.emit(ConversationEnded(conversation_id, result, result.duration_s))
    return result
