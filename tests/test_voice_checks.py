"""The time-based rubric checks of voice calls, on transcripts with speech times."""

from __future__ import annotations

from typing import Any

import pytest

from understudy.domain.rubric import (
    LongSilencesCheck,
    Rubric,
    TalkRatioCheck,
    TraineeInterruptionsCheck,
    WordsPerMinuteCheck,
)
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.domain.transcript import ConversationResult, Message, Role, TerminationReason
from understudy.graders.checks import run_check

SCENARIO = Scenario(id="s", persona="calm", goal=CustomerGoal(reason_for_call="refund"))


def turn(index: int, role: Role, text: str, start: float, end: float, **meta: Any) -> Message:
    return Message(
        index=index,
        role=role,
        text=text,
        meta={"voice": {"start_s": start, "end_s": end}, **meta},
    )


def call(*messages: Message) -> ConversationResult:
    return ConversationResult(
        conversation_id="c",
        messages=list(messages),
        termination_reason=TerminationReason.trainee_ended,
    )


TEN_WORDS = "one two three four five six seven eight nine ten"
BALANCED = call(
    turn(1, Role.customer, "Hi, my purifier is broken.", 0.0, 4.0),
    turn(2, Role.agent, TEN_WORDS, 5.0, 9.0),  # 10 words in 4 s: 150 a minute
    turn(3, Role.customer, "Daiki Johnson.", 10.0, 12.0),
    turn(4, Role.agent, TEN_WORDS, 13.0, 17.0),
)


def test_time_checks_do_not_apply_to_a_chat_call() -> None:
    chat = call(Message(index=1, role=Role.customer, text="Hi"))
    for check in (
        TalkRatioCheck(kind="talk_ratio"),
        LongSilencesCheck(kind="long_silences"),
        TraineeInterruptionsCheck(kind="trainee_interruptions"),
        WordsPerMinuteCheck(kind="words_per_minute"),
    ):
        assert run_check(check, chat, SCENARIO).score is None, check.kind


def test_a_balanced_well_paced_call_scores_full_marks() -> None:
    for check in (
        TalkRatioCheck(kind="talk_ratio"),
        LongSilencesCheck(kind="long_silences"),
        TraineeInterruptionsCheck(kind="trainee_interruptions"),
        WordsPerMinuteCheck(kind="words_per_minute"),
    ):
        result = run_check(check, BALANCED, SCENARIO)
        assert result.score == 1.0, (check.kind, result.rationale)
    pace = run_check(WordsPerMinuteCheck(kind="words_per_minute"), BALANCED, SCENARIO)
    assert "150 words a minute" in pace.rationale


def test_a_trainee_who_monologues_fails_talk_ratio() -> None:
    monologue = call(
        turn(1, Role.customer, "Hi.", 0.0, 1.0),
        turn(2, Role.agent, TEN_WORDS * 6, 2.0, 26.0),
    )
    result = run_check(TalkRatioCheck(kind="talk_ratio"), monologue, SCENARIO)
    assert result.score == pytest.approx((1 - 24 / 25) / 0.3, abs=1e-3)
    assert "96%" in result.rationale


def test_long_silences_halve_the_score_and_name_the_turn() -> None:
    slow = call(
        turn(1, Role.customer, "Hi.", 0.0, 1.0),
        turn(2, Role.agent, "Hello.", 8.0, 9.0),
        turn(3, Role.customer, "Well?", 9.5, 10.0),
        turn(4, Role.agent, "Yes.", 17.0, 17.5),
    )
    result = run_check(LongSilencesCheck(kind="long_silences"), slow, SCENARIO)
    assert result.score == 0.25 and "7.0 s before turn 2" in result.rationale


def test_talking_over_the_customer_counts_as_an_interruption() -> None:
    rude = call(
        turn(1, Role.customer, "Hi, I got an air purifier", 0.0, 1.2, cut_off=True, heard="Hi"),
        turn(2, Role.agent, "Name please.", 1.0, 2.0),
    )
    check = TraineeInterruptionsCheck(kind="trainee_interruptions")
    assert run_check(check, rude, SCENARIO).score == 0.5
    lenient = TraineeInterruptionsCheck(kind="trainee_interruptions", max_count=1)
    assert run_check(lenient, rude, SCENARIO).score == 1.0


def test_speaking_too_fast_scores_the_ratio_of_the_limit_to_the_pace() -> None:
    fast = call(turn(1, Role.agent, TEN_WORDS, 0.0, 2.0))  # 300 words a minute
    result = run_check(WordsPerMinuteCheck(kind="words_per_minute"), fast, SCENARIO)
    assert result.score == pytest.approx(180 / 300)


def test_rubrics_accept_the_time_checks() -> None:
    rubric = Rubric.model_validate(
        {
            "id": "voice",
            "criteria": [
                {
                    "id": "pacing",
                    "description": "Speaks at a good pace and lets the customer talk.",
                    "checks": [
                        {"kind": "words_per_minute", "max_wpm": 170},
                        {"kind": "talk_ratio"},
                        {"kind": "long_silences", "max_silence_s": 4},
                        {"kind": "trainee_interruptions"},
                    ],
                }
            ],
        }
    )
    assert [c.kind for c in rubric.criteria[0].checks] == [
        "words_per_minute",
        "talk_ratio",
        "long_silences",
        "trainee_interruptions",
    ]
