"""The turn loop: endings, errors, timeouts, exit conditions and events."""

from __future__ import annotations

import asyncio

from understudy.domain import (
    ActType,
    CustomerGoal,
    DialogueAct,
    ExitCondition,
    Mood,
    Role,
    Scenario,
    TerminationReason,
)
from understudy.engine import (
    AgentTurn,
    ConversationState,
    CustomerTurn,
    EngineSettings,
    MoodChanged,
    run_conversation,
)
from understudy.engine.events import ConversationEnded, ExitChecked, MessageAdded
from understudy.testing import FakeClock, RecordingObserver, ScriptedAgent, ScriptedSimulator


def EchoCustomer(
    moods: list[Mood] | None = None, leave_after: int | None = None
) -> ScriptedSimulator:
    """A minimal customer: says numbered lines, affirms after the agent promises a refund."""
    feelings = moods or [Mood.calm]
    turn = 0

    def reply(state: ConversationState) -> CustomerTurn:
        nonlocal turn
        turn += 1
        mood = feelings[min(turn - 1, len(feelings) - 1)]
        last = state.last_agent_message
        if last is not None and "refund" in last.text.lower():
            return CustomerTurn(
                text="Yes please, do that.", acts=[DialogueAct(type=ActType.affirm)], mood=mood
            )
        if leave_after is not None and turn > leave_after:
            return CustomerTurn(
                text="Forget it.",
                mood=Mood.angry,
                done=True,
                termination_reason=TerminationReason.customer_left,
            )
        return CustomerTurn(text=f"customer line {turn}", mood=mood)

    return ScriptedSimulator(reply)


def scenario(**overrides: object) -> Scenario:
    data: dict[str, object] = {
        "id": "test",
        "persona": "calm",
        "goal": CustomerGoal(reason_for_call="a refund"),
        "max_turns": 5,
    }
    data.update(overrides)
    return Scenario.model_validate(data)


async def test_customer_speaks_first_by_default_and_max_turns_ends_the_call() -> None:
    result = await run_conversation(
        EchoCustomer(), ScriptedAgent([], then="Go on."), scenario(), clock=FakeClock()
    )
    assert result.messages[0].role is Role.customer, "the customer opens by default"
    assert result.termination_reason is TerminationReason.max_turns
    assert result.customer_turns == 5
    assert [m.index for m in result.messages] == list(range(1, len(result.messages) + 1))


async def test_agent_may_speak_first() -> None:
    result = await run_conversation(
        EchoCustomer(),
        ScriptedAgent([], then="Hello"),
        scenario(first_speaker=Role.agent, max_turns=1),
        clock=FakeClock(),
    )
    assert [m.role for m in result.messages] == [Role.agent, Role.customer, Role.agent]


async def test_agent_that_raises_ends_one_conversation_with_error_and_keeps_transcript() -> None:
    def boom(state: ConversationState) -> str:
        if len(state.messages) > 2:
            raise RuntimeError("flow node exploded")
        return "What is your order ID?"

    result = await run_conversation(
        EchoCustomer(), ScriptedAgent(boom), scenario(), clock=FakeClock()
    )
    assert result.termination_reason is TerminationReason.error
    assert result.error is not None and "flow node exploded" in result.error
    assert len(result.messages) == 3, "the turns before the failure stay recorded"


async def test_agent_that_hangs_past_its_timeout_ends_with_error() -> None:
    async def hang(state: ConversationState) -> str:
        await asyncio.sleep(10)
        return "too late"

    result = await run_conversation(
        EchoCustomer(),
        ScriptedAgent(hang),
        scenario(),
        clock=FakeClock(),
        settings=EngineSettings(agent_timeout_s=0.05),
    )
    assert result.termination_reason is TerminationReason.error
    assert result.error is not None and "did not answer within 0.05 s" in result.error


async def test_agent_returning_garbage_ends_with_error_naming_what_it_returned() -> None:
    result = await run_conversation(
        EchoCustomer(), ScriptedAgent(lambda state: 42), scenario(), clock=FakeClock()
    )
    assert result.termination_reason is TerminationReason.error
    assert result.error is not None and "returned int" in result.error


async def test_time_limit_from_the_injected_clock_ends_the_call() -> None:
    clock = FakeClock()
    agent = ScriptedAgent([], then="Still checking...", clock=clock, seconds_per_turn=120)
    result = await run_conversation(EchoCustomer(), agent, scenario(max_turns=50), clock=clock)
    assert result.termination_reason is TerminationReason.time_limit
    assert result.duration_s >= 600
    assert "600 s" in result.detail


async def test_exit_condition_with_confirmation_ends_with_goal_met() -> None:
    exit_condition = ExitCondition(
        id="refund_promised",
        description="promised a refund and confirmed",
        agent_says=["I will refund the charge"],
        customer_confirms=True,
    )
    agent = ScriptedAgent(
        ["Let me look.", "Okay, I will refund the charge today."], then="Anything else?"
    )
    result = await run_conversation(
        EchoCustomer(), agent, scenario(exit_conditions=[exit_condition]), clock=FakeClock()
    )
    assert result.termination_reason is TerminationReason.goal_met
    assert result.messages[-1].role is Role.customer, "the customer's confirmation closes the call"
    assert "promised a refund" in result.detail


async def test_customer_leaving_and_agent_completion_map_to_reasons() -> None:
    left = await run_conversation(
        EchoCustomer(leave_after=2), ScriptedAgent([], then="Hmm?"), scenario(), clock=FakeClock()
    )
    assert left.termination_reason is TerminationReason.customer_left
    done = await run_conversation(
        EchoCustomer(),
        ScriptedAgent(
            ["One moment.", AgentTurn(text="All done, bye!", ended=True, outcome="completed")]
        ),
        scenario(),
        clock=FakeClock(),
    )
    assert done.termination_reason is TerminationReason.goal_met
    assert done.completed


async def test_observers_receive_messages_mood_changes_exit_checks_and_the_end() -> None:
    observer = RecordingObserver()
    condition = ExitCondition(id="never", agent_says=["this phrase is never said"])
    await run_conversation(
        EchoCustomer(moods=[Mood.calm, Mood.frustrated]),
        ScriptedAgent([], then="Sorry?"),
        scenario(max_turns=2, exit_conditions=[condition]),
        clock=FakeClock(),
        observers=[observer],
    )
    kinds = [type(e) for e in observer.events]
    assert kinds.count(MessageAdded) == 4
    moods = [e for e in observer.events if isinstance(e, MoodChanged)]
    assert [(m.old, m.new) for m in moods] == [(None, Mood.calm), (Mood.calm, Mood.frustrated)]
    assert any(isinstance(e, ExitChecked) and not e.met for e in observer.events)
    assert isinstance(observer.events[-1], ConversationEnded)


async def test_time_running_out_while_waiting_for_a_slow_agent_is_time_limit_not_error() -> None:
    async def slow(state: ConversationState) -> str:
        await asyncio.sleep(5)
        return "..."

    result = await run_conversation(
        EchoCustomer(),
        ScriptedAgent(slow),
        scenario(time_limit_s=0.05),
        settings=EngineSettings(agent_timeout_s=30),
    )
    assert result.termination_reason is TerminationReason.time_limit


async def test_no_time_left_before_a_turn_lets_not_even_an_instant_agent_answer() -> None:
    from understudy.engine.clock import SystemClock, wait_within

    async def instant() -> str:
        return "at once"

    try:
        await wait_within(SystemClock(), instant(), 0.0)
    except TimeoutError:
        pass
    else:
        raise AssertionError("a wait of 0 s lets nothing answer, as asyncio.wait_for did")
    assert await wait_within(SystemClock(), instant(), 1.0) == "at once"


async def test_a_side_that_interrupts_on_purpose_ends_with_interrupted_not_error() -> None:
    from understudy.errors import ConversationInterrupted

    def stop(state: ConversationState) -> str:
        raise ConversationInterrupted("token budget spent")

    result = await run_conversation(
        EchoCustomer(), ScriptedAgent(stop), scenario(), clock=FakeClock()
    )
    assert result.termination_reason is TerminationReason.interrupted
    assert result.error is None, "an interruption is not a failure of the bot"
    assert result.detail == "token budget spent"
