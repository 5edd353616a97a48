"""An agent's ending is a termination reason an agent may give; ``completed`` means goal met."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from understudy.domain.transcript import AGENT_ENDINGS, TerminationReason, ending_word
from understudy.engine import AgentTurn

R = TerminationReason


def test_the_word_completed_reads_as_goal_met_and_is_written_back_as_completed() -> None:
    turn = AgentTurn(text="Bye.", ended=True, outcome="completed")
    assert turn.outcome is R.goal_met
    assert ending_word(turn.outcome) == "completed", "transcripts keep saying (completed)"
    assert ending_word(None) == "ended"


@pytest.mark.parametrize("reason", sorted(AGENT_ENDINGS))
def test_every_agent_ending_is_accepted_by_name(reason: TerminationReason) -> None:
    assert AgentTurn(text="", ended=True, outcome=reason.value).outcome is reason


def test_a_bot_s_own_word_for_done_is_agent_ended() -> None:
    assert AgentTurn(text="", ended=True, outcome="finito").outcome is R.agent_ended


@pytest.mark.parametrize("reason", [R.max_turns, R.time_limit, R.error, R.interrupted])
def test_an_agent_cannot_claim_an_ending_only_the_engine_decides(reason: R) -> None:
    with pytest.raises(ValidationError, match="an agent cannot end a conversation"):
        AgentTurn(text="", ended=True, outcome=reason)
