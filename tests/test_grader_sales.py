"""The offline grader reads a sales discovery call: rapport, open questions, playback, next step,
pressure and monologues, in any words."""

from __future__ import annotations

from pathlib import Path

import pytest

from understudy.content.scenarios import load_scenario
from understudy.domain.grade import Grade
from understudy.domain.transcript import ConversationResult, Message, Role, TerminationReason
from understudy.graders.base import load_rubric, make_grader
from understudy.graders.evaluation import evaluate, load_labelled_set

REPO = Path(__file__).resolve().parents[1]
SCENARIO, _ = load_scenario(REPO / "examples" / "scenarios" / "practice-sales-discovery.yaml")
OPENING = "Hello, Renata speaking. Oh, you're the scheduling people? I filled in your form."


def call(
    *rep_and_prospect: str, ended: TerminationReason = TerminationReason.trainee_ended
) -> ConversationResult:
    """A call that opens with the prospect's line, then alternates rep / prospect."""
    texts = [OPENING, *rep_and_prospect]
    messages = [
        Message(index=i + 1, role=Role.customer if i % 2 == 0 else Role.agent, text=t)
        for i, t in enumerate(texts)
    ]
    return ConversationResult(conversation_id="s", messages=messages, termination_reason=ended)


async def grade(result: ConversationResult) -> Grade:
    return await make_grader("offline").grade(result, load_rubric("sales-discovery-call"), SCENARIO)


def score(g: Grade, criterion: str) -> float | None:
    found = g.criterion(criterion)
    assert found is not None
    return found.score


GOOD = (
    "Hi Renata, it's Sam from Crewplan. Thanks for making the time, how's the week going?",
    "Busy, two sick calls already.",
    "Oof. Walk me through what happens when someone calls in sick today.",
    "I text around the group chat until someone covers. The rota is a shared spreadsheet.",
    "And how do the hours get into payroll",
    "I type them in by hand every other Monday.",
    "What got in the way with anything you've tried before?",
    "We had an app two years ago, staff found it confusing.",
    "Okay, so what I'm hearing is sick cover by text at dawn, payroll typed in by hand, and "
    "it has to be simple enough for staff. Fair?",
    "Yes, that's it.",
    "Could we book a thirty-minute demo with you and Tomás on Thursday at ten?",
    "Thursday at ten works.",
    "Great, I'll send the invite. Thanks, Renata.",
)


async def test_a_good_discovery_call_in_its_own_words_scores_full_marks() -> None:
    g = await grade(call(*GOOD))
    assert {c.id: c.score for c in g.criteria} == {
        "rapport": 1.0,
        "discovery_questions": 1.0,
        "needs_summary": 1.0,
        "next_step": 1.0,
        "no_pushiness": 1.0,
        "concise": 1.0,
    }


async def test_closed_questions_and_small_talk_are_not_discovery() -> None:
    g = await grade(
        call(
            "Hi Renata, it's Priya from Crewplan. How's your day been?",
            "Fine.",
            "Do you use spreadsheets for your rotas?",
            "Yes.",
            "How many staff do you have?",
            "About eighty-five.",
            "What's your budget?",
            "Not sure yet.",
            "Wouldn't it be great if swaps just happened by themselves?",
            "I suppose.",
        )
    )
    assert score(g, "discovery_questions") == 0.0


async def test_stacked_questions_count_once() -> None:
    g = await grade(
        call(
            "Hi Renata, it's Pete from Crewplan, thanks for your time.",
            "Sure.",
            "How do you do the rotas now, what goes wrong, and who would decide on a new tool?",
            "A spreadsheet. Sick calls are a pain.",
        )
    )
    assert score(g, "discovery_questions") == 0.5


async def test_a_greeting_straight_into_business_is_half_rapport_and_a_pitch_is_none() -> None:
    bare = await grade(call("Hi Renata, Jake from Crewplan. So, how do you schedule staff now?"))
    pitch = await grade(call("Crewplan is the number one scheduling app for cafés."))
    assert score(bare, "rapport") == 0.5 and score(pitch, "rapport") == 0.0


async def test_a_summary_phrase_that_plays_nothing_back_is_no_playback() -> None:
    g = await grade(
        call(
            *GOOD[:8],
            "Okay, so what I'm hearing is you need Crewplan! It's perfect for you.",
            "Maybe.",
        )
    )
    assert score(g, "needs_summary") == 0.0
    one = await grade(call(*GOOD[:8], "Okay, so mainly it's the sick calls.", "Yes."))
    assert score(one, "needs_summary") == 0.5


async def test_a_vague_follow_up_is_half_a_next_step() -> None:
    g = await grade(
        call(*GOOD[:10], "Great. I'll send some info over and follow up at some point.")
    )
    assert score(g, "next_step") == 0.5


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "If you sign today I can lock in twenty percent off, but that offer expires tonight.",
            0.0,
        ),
        ("Honestly, trust me, Tomás will love it.", 0.0),
        ("Ideally we'd get you going soon, so could you get me a yes by Friday?", 0.5),
        ("It's four dollars a head, and there's nothing to decide today.", 1.0),
    ],
)
async def test_pressure_in_any_words_fails_and_one_dropped_nudge_is_half(
    line: str, expected: float
) -> None:
    g = await grade(call(*GOOD[:10], line, "No, Tomás decides.", GOOD[10], GOOD[11], GOOD[12]))
    assert score(g, "no_pushiness") == expected


async def test_going_around_the_decision_maker_is_pressure() -> None:
    g = await grade(
        call(*GOOD[:10], "You could just get started yourself and tell Tomás later.", "No.")
    )
    assert score(g, "no_pushiness") == 0.0 and g.fatal_failed == ["no_pushiness"]


async def test_a_playback_that_adds_a_need_she_never_stated_is_half() -> None:
    g = await grade(
        call(
            *GOOD[:8],
            "So it sounds like sick cover by text and payroll by hand, and you need it live "
            "next week.",
            "Not next week, no.",
        )
    )
    assert score(g, "needs_summary") == 0.5


async def test_over_the_turn_budget_is_not_concise() -> None:
    g = await grade(call(*(["What else should I know about how you work?", "Not much."] * 16)))
    assert score(g, "concise") == 0.0


async def test_an_opening_that_greets_without_a_greeting_word_builds_rapport() -> None:
    g = await grade(
        call(
            "Renata, good to finally get you on the phone. Has the morning rush calmed down yet?",
            "Almost!",
        )
    )
    assert score(g, "rapport") == 1.0


async def test_a_step_whose_time_comes_a_turn_later_is_concrete() -> None:
    g = await grade(
        call(
            *GOOD[:10],
            "Could we do a demo with Tomás?",
            "Sure, when?",
            "How about Thursday at ten?",
            "Works for me.",
        )
    )
    assert score(g, "next_step") == 1.0
    refused = await grade(
        call(*GOOD[:10], "Could we book a demo on Thursday at ten?", "No, not this week.")
    )
    assert score(refused, "next_step") == 0.5


async def test_a_prospect_who_leaves_on_her_own_leaves_playback_and_step_unscored() -> None:
    g = await grade(
        call(
            *GOOD[:6],
            "What does a bad sick-call morning look like?",
            "Oh, they need me at the counter. Sorry, I have to go. Bye!",
            ended=TerminationReason.customer_left,
        )
    )
    assert score(g, "needs_summary") is None and score(g, "next_step") is None


async def test_a_monologue_within_budget_is_half_concise() -> None:
    pitch = " ".join(["We have swap boards, templates, forecasting and payroll exports."] * 12)
    g = await grade(
        call(GOOD[0], GOOD[1], pitch + " How do you build rotas today?", "Spreadsheet.")
    )
    assert score(g, "concise") == 0.5


async def test_a_playback_led_by_so_counts_and_a_point_she_never_raised_halves_it() -> None:
    plain = await grade(call(*GOOD[:8], "So, texting at dawn for sick cover, and payroll by hand."))
    assert score(plain, "needs_summary") == 1.0
    feature = await grade(
        call(*GOOD[:8], "Right, so sick cover by text, payroll typing, and a loyalty card scheme.")
    )
    assert score(feature, "needs_summary") == 0.5


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("So, sick cover by text at dawn and payroll by hand, is that a fair summary?", 1.0),
        ("So, with our app your staff swap shifts, and payroll exports by itself.", 0.0),
        ("So we can fix the sick cover texting and the payroll typing for you.", 0.0),
    ],
)
async def test_a_check_of_the_playback_adds_nothing_and_a_pitch_after_so_is_no_playback(
    line: str, expected: float
) -> None:
    g = await grade(call(*GOOD[:8], line, "Okay."))
    assert score(g, "needs_summary") == expected


async def test_a_written_playback_of_one_point_is_half_however_many_of_her_words_it_uses() -> None:
    g = await grade(
        call(*GOOD[:8], "So the main thing is getting sick calls covered without early texting.")
    )
    assert score(g, "needs_summary") == 0.5


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("Thursday at ten. I'll ask Tomás.", 1.0),
        ("Thursday at ten is good.", 1.0),
        ("Thursday at ten? That doesn't work for us.", 0.5),
    ],
)
async def test_saying_the_proposed_time_back_agrees_to_the_step(
    reply: str, expected: float
) -> None:
    g = await grade(call(*GOOD[:10], "Shall we do a demo with Tomás on Thursday at ten?", reply))
    assert score(g, "next_step") == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("It has swaps and payroll exports, and there's a fourteen-day trial.", 0.0),
        ("Have a look at our website when you get a moment.", 0.0),
        ("I'll email you our prices.", 0.5),
        ("The next step would be a short demonstration. Are you free Monday at nine?", 1.0),
    ],
)
async def test_a_step_is_one_the_rep_proposes_or_commits_to(line: str, expected: float) -> None:
    g = await grade(call(*GOOD[:10], line, "Monday at nine, fine." if expected else "Okay."))
    assert score(g, "next_step") == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Our spring price is only valid until Friday, so worth getting the contract signed.", 0.0),
        ("Most bakeries your size have switched already; you don't want to be the last.", 0.0),
        ("You run operations, surely you can make the call yourself?", 0.0),
        ("Any chance you could decide before the end of the month?", 0.5),
    ],
)
async def test_pressure_without_the_rubrics_words_is_still_pressure(
    line: str, expected: float
) -> None:
    g = await grade(call(*GOOD[:10], line, "No, Tomás decides.", *GOOD[10:13]))
    assert score(g, "no_pushiness") == expected


async def test_open_prompts_said_as_statements_count_and_small_talk_and_facts_do_not() -> None:
    statements = await grade(
        call(
            "Hi Renata, it's Sam from Crewplan, thanks for taking a minute.",
            "Sure.",
            "Talk me through a week of building the rota.",
            "Spreadsheet, Thursdays.",
            "I'm curious how sick calls get covered.",
            "By text, early.",
            "I'd love to hear what happened with the app you tried.",
            "Staff hated it.",
        )
    )
    assert score(statements, "discovery_questions") == 1.0
    chat = await grade(
        call(
            "Hi Renata, it's Sam from Crewplan. How's everything?",
            "Good.",
            "What's your most popular pastry?",
            "Cardamom buns.",
            "So what you need is templates and reports.",
            "Hm.",
        )
    )
    assert score(chat, "discovery_questions") == 0.0


async def test_a_nervous_greeting_after_fillers_is_a_greeting() -> None:
    g = await grade(call("Oh, um, hi, it's Ben from Crewplan. Thanks for making a bit of time."))
    assert score(g, "rapport") == 1.0


@pytest.mark.parametrize(
    ("name", "kappa", "criterion_kappa", "ranking"),
    [
        ("independent-sales-calibration.yaml", 0.98, 0.95, 0.98),
        ("independent-sales-calibration-2.yaml", 0.98, 0.95, 0.98),
        ("independent-sales-heldout.yaml", 0.85, 0.6, 0.85),
    ],
)
async def test_the_offline_grader_on_the_independent_sales_set(
    name: str, kappa: float, criterion_kappa: float, ranking: float
) -> None:
    """Regression bars at the figures documented in docs/rubrics.md (the held-out part meets the
    issue's target, narrowly on needs summary: see there)."""
    cases = load_labelled_set(REPO / "examples" / "grading" / name)
    report = await evaluate(cases, make_grader("offline"))
    assert report.overall.kappa is not None and report.overall.kappa >= kappa
    for row in report.criteria:
        assert row.kappa is not None and row.kappa >= criterion_kappa, row
    assert report.ranking is not None and report.ranking >= ranking
    assert report.fatal_exemplary == []
