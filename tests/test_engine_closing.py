"""Calls end naturally: after an exit condition the customer says goodbye and the agent closes."""

from __future__ import annotations

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
    UserSimulator,
    run_conversation,
)
from understudy.testing import FakeClock, ScriptedAgent

REFUND = ExitCondition(
    id="refund",
    description="refund agreed",
    agent_says=["I will refund you"],
    customer_confirms=True,
)


class PoliteCustomer(UserSimulator):
    """Agrees to a refund, then says goodbye once the agent asks whether anything else is needed."""

    def __init__(self, hang_up: bool = False) -> None:
        self.hang_up = hang_up

    async def respond(self, state: ConversationState) -> CustomerTurn:
        last = state.last_agent_message
        text = last.text.lower() if last is not None else ""
        if "refund" in text:
            return CustomerTurn(
                text="Yes please.", acts=[DialogueAct(type=ActType.affirm)], mood=Mood.calm
            )
        if "anything else" in text:
            return CustomerTurn(
                text="No, that's all, thanks. Bye.",
                acts=[DialogueAct(type=ActType.thank), DialogueAct(type=ActType.bye)],
                mood=Mood.calm,
                done=self.hang_up,
                termination_reason=TerminationReason.customer_left if self.hang_up else None,
            )
        return CustomerTurn(text="My order is wrong.", mood=Mood.calm)


def scenario() -> Scenario:
    return Scenario(
        id="s",
        persona="calm",
        goal=CustomerGoal(reason_for_call="refund"),
        exit_conditions=[REFUND],
    )


AGENT_LINES = ["Hello, how can I help?", "I will refund you today.", "Done. Anything else?"]


async def test_without_closing_turns_the_exit_condition_ends_the_call_at_once() -> None:
    result = await run_conversation(
        PoliteCustomer(),
        ScriptedAgent(list(AGENT_LINES), then="Goodbye!"),
        scenario(),
        clock=FakeClock(),
    )
    assert result.termination_reason is TerminationReason.goal_met
    assert result.messages[-1].text == "Yes please.", "stress-tests keep ending on the confirmation"


async def test_with_closing_turns_the_customer_says_goodbye_and_the_agent_closes() -> None:
    result = await run_conversation(
        PoliteCustomer(),
        ScriptedAgent(list(AGENT_LINES), then="Thank you for calling, goodbye!"),
        scenario(),
        clock=FakeClock(),
        settings=EngineSettings(closing_turns=2),
    )
    texts = [m.text for m in result.messages]
    assert texts[-2:] == ["No, that's all, thanks. Bye.", "Thank you for calling, goodbye!"]
    assert result.messages[-1].role is Role.agent, "the agent has the last word"
    assert result.termination_reason is TerminationReason.goal_met
    assert "refund agreed" in result.detail


async def test_a_customer_hanging_up_while_closing_still_leaves_the_agent_its_last_turn() -> None:
    result = await run_conversation(
        PoliteCustomer(hang_up=True),
        ScriptedAgent(list(AGENT_LINES), then="Thanks for calling!"),
        scenario(),
        clock=FakeClock(),
        settings=EngineSettings(closing_turns=2),
    )
    assert result.messages[-1].text == "Thanks for calling!"
    assert result.termination_reason is TerminationReason.goal_met, "the goal was met first"


async def test_closing_turns_are_bounded_and_a_trainee_ending_keeps_the_goal() -> None:
    chatty = await run_conversation(
        PoliteCustomer(),
        ScriptedAgent(["Hi.", "I will refund you.", "Okay.", "Hmm."], then="Still here."),
        scenario(),
        clock=FakeClock(),
        settings=EngineSettings(closing_turns=2),
    )
    agent_after = [m for m in chatty.messages[4:] if m.role is Role.agent]
    assert len(agent_after) == 2 and chatty.termination_reason is TerminationReason.goal_met
    ended = await run_conversation(
        PoliteCustomer(),
        ScriptedAgent(
            [
                "Hi.",
                "I will refund you.",
                AgentTurn(text="Bye.", ended=True, outcome="trainee_ended"),
            ]
        ),
        scenario(),
        clock=FakeClock(),
        settings=EngineSettings(closing_turns=2),
    )
    assert ended.termination_reason is TerminationReason.goal_met
    assert ended.messages[-1].text == "Bye."
