"""The offline grader: each check kind, criterion scores, fatal criteria, coach overrides."""

from __future__ import annotations

from datetime import datetime

import pytest

from understudy.content.loader import parse_model
from understudy.domain.grade import CoachReview, Grade
from understudy.domain.persona import Mood
from understudy.domain.rubric import Rubric
from understudy.domain.scenario import CustomerGoal, ExitCondition, Scenario
from understudy.domain.transcript import (
    ActType,
    ConversationResult,
    DialogueAct,
    Message,
    Role,
    TerminationReason,
)
from understudy.errors import ContentError, NotFoundError
from understudy.graders.base import load_rubric, make_grader, rubric_for

SCENARIO = Scenario(
    id="refund",
    persona="calm",
    goal=CustomerGoal(reason_for_call="I was charged twice"),
    exit_conditions=[
        ExitCondition(
            id="refund_promised",
            description="promised a refund and confirmed",
            agent_says=["we will refund you"],
            customer_confirms=True,
        )
    ],
)


def transcript(
    *turns: str | tuple[str, list[ActType]], duration: float = 60.0
) -> ConversationResult:
    """Build a result from alternating customer/agent lines, customer first."""
    messages = []
    for i, turn in enumerate(turns):
        text, acts = (turn, []) if isinstance(turn, str) else turn
        role = Role.customer if i % 2 == 0 else Role.agent
        messages.append(
            Message(
                index=i + 1,
                role=role,
                text=text,
                acts=[DialogueAct(type=a) for a in acts],
                mood=Mood.calm if role is Role.customer else None,
                at_s=i * 5.0,
            )
        )
    return ConversationResult(
        conversation_id="t",
        messages=messages,
        termination_reason=TerminationReason.trainee_ended,
        duration_s=duration,
    )


def rubric(*checks: dict[str, object], fatal: bool = False) -> Rubric:
    return Rubric(
        id="r",
        criteria=[{"id": "c", "checks": list(checks), "fatal": fatal}],  # type: ignore[list-item]
    )


async def grade(result: ConversationResult, r: Rubric, scenario: Scenario = SCENARIO) -> Grade:
    return await make_grader("offline").grade(result, r, scenario)


def assert_quotes_verbatim(g: Grade, result: ConversationResult) -> None:
    texts = {m.index: m.text for m in result.messages}
    for c in g.criteria:
        for e in c.evidence:
            assert e.quote in texts[e.turn], f"evidence {e.quote!r} should be in turn {e.turn}"


async def test_says_scores_a_fuzzy_greeting_in_the_first_agent_turn_only() -> None:
    r = rubric({"kind": "says", "phrases": ["thank you for calling"], "first_agent_turns": 1})
    good = transcript("Hi", "Thanks you for calling, how can I help?")
    late = transcript("Hi", "Yes?", "Hello?", "Thank you for calling.")
    g_good, g_late = await grade(good, r), await grade(late, r)
    assert g_good.criteria[0].score == 1.0, "a misspelt greeting should still match (fuzzy)"
    assert g_good.criteria[0].evidence[0].turn == 2, "the evidence should cite the agent's turn"
    assert g_late.criteria[0].score == 0.0, "a greeting after the first agent turn should not count"
    assert_quotes_verbatim(g_good, good)


async def test_says_with_min_count_gives_a_proportional_score() -> None:
    r = rubric({"kind": "says", "phrases": ["what", "how"], "min_count": 4})
    result = transcript("Hi", "What do you use today?", "A spreadsheet", "How many people?")
    assert (await grade(result, r)).criteria[0].score == 0.5, "2 of 4 questions should score 0.5"


async def test_avoids_fails_on_forbidden_wording_and_quotes_it() -> None:
    r = rubric({"kind": "avoids", "phrases": ["calm down"]})
    result = transcript("This is ridiculous!", "Sir. Please calm down. I will look.")
    g = await grade(result, r)
    assert g.criteria[0].score == 0.0, "forbidden wording should fail the criterion"
    assert g.criteria[0].evidence[0].quote == "Please calm down.", (
        "the offending sentence is quoted"
    )


async def test_asks_before_disclosing_passes_only_when_identity_comes_first() -> None:
    r = rubric({"kind": "asks_before_disclosing"})
    first = transcript(
        "My refund?", "Could you tell me your email address?", "a@b.c", "Your order shipped."
    )
    later = transcript("My refund?", "Your order shipped.", "ok", "What is your email address?")
    never = transcript("My refund?", "Let me check.")
    assert (await grade(first, r)).criteria[0].score == 1.0, "asking first should pass"
    g_later = await grade(later, r)
    assert g_later.criteria[0].score == 0.0, "disclosing before asking should fail"
    assert g_later.criteria[0].evidence[0].turn == 2, "evidence should cite the disclosure"
    assert (await grade(never, r)).criteria[0].score == 0.0, "never verifying should fail"


async def test_empathy_counts_complaints_by_act_or_wording_and_skips_calls_without_any() -> None:
    r = rubric({"kind": "empathy_after_complaint"})
    result = transcript(
        ("You charged me twice.", [ActType.complain]),
        "I'm sorry about that, let me look.",
        "This is ridiculous, it is still not fixed",
        "Please hold.",
    )
    g = await grade(result, r)
    assert g.criteria[0].score == 0.5, "one of two complaints answered with empathy scores 0.5"
    assert_quotes_verbatim(g, result)
    calm = await grade(transcript("Hello there", "Hi, how can I help?"), r)
    assert calm.criteria[0].score is None, "no complaint means the criterion does not apply"


async def test_confirms_resolution_needs_the_customers_yes_for_full_score() -> None:
    r = rubric({"kind": "confirms_resolution"})
    confirmed = transcript("hi", "Done. Is there anything else?", "No, thanks, that's all.")
    unconfirmed = transcript("hi", "Done. Is there anything else?", "Hmm, what about my card")
    assert (await grade(confirmed, r)).criteria[0].score == 1.0
    assert (await grade(unconfirmed, r)).criteria[0].score == 0.5, "no confirmation scores half"
    assert (await grade(transcript("hi", "Done."), r)).criteria[0].score == 0.0


async def test_exit_condition_met_uses_the_scenarios_exit_conditions() -> None:
    r = rubric({"kind": "exit_condition_met", "condition": "refund_promised"})
    met = transcript("refund?", "Okay, we will refund you today.", "Great, thank you")
    unmet = transcript("refund?", "Okay, we will refund you today.", "Why so late")
    assert (await grade(met, r)).criteria[0].score == 1.0, "promise + confirmation meets it"
    assert (await grade(unmet, r)).criteria[0].score == 0.0, "without confirmation it is not met"
    no_exits = SCENARIO.model_copy(update={"exit_conditions": []})
    g = await grade(met, r, no_exits)
    assert g.criteria[0].score is None, "a scenario without exit conditions makes it not applicable"


async def test_within_budget_decays_past_the_budget() -> None:
    r = rubric({"kind": "within_budget", "max_seconds": 30})
    assert (await grade(transcript("a", "b", duration=60), r)).criteria[0].score == 0.5
    assert (await grade(transcript("a", "b", duration=20), r)).criteria[0].score == 1.0


async def test_a_failed_fatal_criterion_zeroes_the_overall_score_until_a_coach_overrides_it() -> (
    None
):
    r = Rubric(
        id="r",
        criteria=[
            {"id": "verify", "fatal": True, "checks": [{"kind": "asks_before_disclosing"}]},  # type: ignore[list-item]
            {"id": "polite", "checks": [{"kind": "avoids", "phrases": ["whatever"]}]},  # type: ignore[list-item]
        ],
    )
    g = await grade(transcript("hi", "Your order shipped."), r)
    assert g.overall == 0.0 and g.fatal_failed == ["verify"], "a failed fatal criterion zeroes it"
    review = CoachReview(coach="Ana", overrides={"verify": 1.0}, created_at=datetime(2026, 1, 1))
    effective = g.effective([review])
    assert effective.overall == 1.0, "the coach's override should lift the fatal failure"
    assert effective.criterion("verify").overridden_by == "Ana"  # type: ignore[union-attr]


def test_built_in_rubrics_load_and_cover_the_issue_criteria() -> None:
    cs = load_rubric("customer-service-call")
    ids = {c.id for c in cs.criteria}
    wanted = {
        "greeting",
        "identity_verification",
        "empathy",
        "resolution",
        "confirmation",
        "closing",
    }
    assert wanted <= ids, "the customer-service rubric should cover the issue's criteria"
    assert load_rubric("sales-discovery-call").criterion("discovery_questions") is not None
    sales = SCENARIO.model_copy(update={"type": "sales_discovery"})
    assert rubric_for(sales).id == "sales-discovery-call", "sales scenarios default to sales rubric"


def test_unknown_rubric_lists_the_known_ones() -> None:
    with pytest.raises(NotFoundError, match="customer-service-call"):
        load_rubric("nope")


def test_rubric_errors_name_the_field() -> None:
    data = {"id": "r", "criteria": [{"id": "c", "checks": [{"kind": "shouts"}]}]}
    with pytest.raises(ContentError) as info:
        parse_model(Rubric, data)
    assert "criteria.0.checks.0" in str(info.value), "the error should name the bad check"
