"""The offline grader reads what the trainee did: paraphrases, order, policy, tone, endings."""

from __future__ import annotations

from pathlib import Path

import pytest

from understudy.content.scenarios import load_scenario
from understudy.domain.grade import Grade
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import ConversationResult, Message, Role, TerminationReason
from understudy.graders.base import load_rubric, make_grader
from understudy.graders.evaluation import evaluate, load_labelled_set

REPO = Path(__file__).resolve().parents[1]
SCENARIO, _ = load_scenario(REPO / "examples" / "scenarios" / "practice-retail-return.yaml")
OPENING = "Hi, I got an air purifier from you and it doesn't work well. I'd like to return it."


def call(
    *agent_and_customer: str, ended: TerminationReason = TerminationReason.trainee_ended
) -> ConversationResult:
    """A call that opens with the scenario's line, then alternates agent / customer."""
    texts = [OPENING, *agent_and_customer]
    messages = [
        Message(index=i + 1, role=Role.customer if i % 2 == 0 else Role.agent, text=t)
        for i, t in enumerate(texts)
    ]
    return ConversationResult(conversation_id="c", messages=messages, termination_reason=ended)


async def grade(result: ConversationResult, scenario: Scenario = SCENARIO) -> Grade:
    return await make_grader("offline").grade(
        result, load_rubric("customer-service-call"), scenario
    )


def score(g: Grade, criterion: str) -> float | None:
    found = g.criterion(criterion)
    assert found is not None
    return found.score


async def test_a_paraphrased_verification_passes_the_fatal_criterion() -> None:
    g = await grade(
        call(
            "Good afternoon, you're through to returns. Before I look anything up, may I take the "
            "name on the account and the postal code?",
            "Daiki Johnson, 80273.",
            "Great, that matches. I've found the purifier, it arrived a few days ago.",
        )
    )
    assert score(g, "identity_verification") == 1.0 and not g.fatal_failed


@pytest.mark.parametrize(
    "disclosing",
    [
        "Can I have your full name and zip code? I see the purifier was delivered on Monday.",
        "Right, the purifier went out to Denver and was dropped at your door on the 3rd.",
        "I've got the purifier you bought on the 28th right here. What's your zip code?",
    ],
)
async def test_details_before_the_caller_answers_fail_verification(disclosing: str) -> None:
    g = await grade(call(disclosing, "Daiki Johnson, 80273.", "Thanks, you're verified."))
    verification = g.criterion("identity_verification")
    assert verification is not None and verification.score == 0.0
    assert "identity_verification" in g.fatal_failed
    assert verification.evidence[0].turn == 2 and verification.evidence[0].quote in disclosing


async def test_verification_with_the_name_only_is_partial() -> None:
    g = await grade(call("Hello, thanks for calling. What's your name, please?", "Daiki Johnson."))
    assert score(g, "identity_verification") == 0.5


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Honestly, if you'd read the setup guide properly it would work.", "blame"),
        ("It's really not that complicated, I'll go slowly so you can follow.", "condescension"),
        ("Oh sure, because the bank is going to speed up just for you.", "sarcasm"),
        ("Calm down, it's not a big deal.", "dismissal"),
    ],
)
async def test_blame_condescension_sarcasm_and_dismissal_fail_professional_language(
    line: str, kind: str
) -> None:
    g = await grade(call("Hello, thank you for calling. I'm sorry to hear that.", "Okay.", line))
    language = g.criterion("professional_language")
    assert language is not None and language.score == 0.0, f"{kind} should fail"
    assert kind in language.rationale and language.evidence[0].quote == line


async def test_sorry_about_that_is_not_empathy_but_a_natural_apology_is() -> None:
    bare = await grade(
        call("Hello, thank you for calling. Sorry about that. Full name and zip code?")
    )
    natural = await grade(
        call("Hi, thanks for calling. Oh no, a new purifier that doesn't work is annoying.")
    )
    assert score(bare, "empathy") == 0.0
    assert score(natural, "empathy") == 1.0


FRONT = (
    "Hello, thank you for calling, I'm sorry to hear that. Full name and zip code, please?",
    "Daiki Johnson, 80273.",
)


async def test_store_credit_against_the_policy_fails_resolution() -> None:
    g = await grade(
        call(*FRONT, "Thanks. I can give you store credit for the full amount. Shall I?", "Okay.")
    )
    resolution = g.criterion("resolution")
    assert resolution is not None and resolution.score == 0.0
    assert "store credit" in resolution.rationale and resolution.evidence[0].turn == 4


async def test_acting_without_the_customers_yes_halves_resolution() -> None:
    g = await grade(
        call(
            *FRONT,
            "Thanks. I've already processed the return and you'll be refunded to your original "
            "payment method. Does that resolve everything for you?",
            "Yes.",
        )
    )
    resolution = g.criterion("resolution")
    assert resolution is not None and resolution.score == 0.5
    assert "without the customer's yes" in resolution.rationale


async def test_a_refund_promised_before_verification_halves_resolution() -> None:
    g = await grade(
        call(
            "Hi, thanks for calling. Don't worry, I'll refund it to the original payment method.",
            "Great, thank you.",
            "Could I now have your full name and zip code?",
            "Daiki Johnson, 80273.",
            "It's all set up, refunded to your original payment method. Anything else?",
            "No, thanks.",
        )
    )
    resolution = g.criterion("resolution")
    assert resolution is not None and resolution.score == 0.5
    assert "promised before verification" in resolution.rationale


async def test_a_refund_described_in_plain_words_resolves_the_call() -> None:
    g = await grade(
        call(
            *FRONT,
            "Thanks. The money would go back on the card you paid with. Is that alright with you?",
            "Yes, that's fine.",
            "All arranged. Is your problem sorted now?",
            "Yes, it is.",
        )
    )
    assert score(g, "resolution") == 1.0 and score(g, "confirmation") == 1.0


async def test_asking_permission_is_not_confirming_the_resolution() -> None:
    g = await grade(
        call(
            *FRONT,
            "Thanks. Shall I go ahead with a refund to your original payment method?",
            "Yes, please.",
            "Done, you'll be refunded to your original payment method.",
            "Okay. Thank you.",
            "Thank you for calling, have a good day.",
        )
    )
    assert score(g, "confirmation") == 0.0 and score(g, "resolution") == 1.0


async def test_a_call_cut_by_its_exit_condition_leaves_closing_and_confirmation_unscored() -> None:
    g = await grade(
        call(
            *FRONT,
            "Thanks. Shall I set up a refund to your original payment method?",
            "Yes, please do.",
            ended=TerminationReason.goal_met,
        )
    )
    assert score(g, "closing") is None and score(g, "confirmation") is None
    assert g.overall == 1.0, "criteria the trainee had no chance to show do not count against them"


async def test_a_bare_morning_is_half_a_greeting() -> None:
    g = await grade(call("Morning, returns.", "Hi, my purifier is broken."))
    assert score(g, "greeting") == 0.5


async def test_a_bare_bye_is_half_a_closing_and_no_goodbye_is_none() -> None:
    bye = await grade(call(*FRONT, "Bye."))
    none = await grade(call(*FRONT, "Okay."))
    assert score(bye, "closing") == 0.5 and score(none, "closing") == 0.0


@pytest.mark.parametrize(
    "name",
    [
        "heldout.yaml",
        "independent-returns-calibration.yaml",
        "independent-sales-calibration.yaml",
        "independent-sales-calibration-2.yaml",
    ],
)
async def test_every_quote_is_verbatim_on_the_labelled_set(name: str) -> None:
    cases = load_labelled_set(REPO / "examples" / "grading" / name)
    for case in cases:
        g = await make_grader("offline").grade(case.result, case.rubric, case.scenario)
        texts = {m.index: m.text for m in case.result.messages}
        for criterion in g.criteria:
            for item in criterion.evidence:
                assert item.quote in texts[item.turn], f"{case.id}: {item.quote!r} is not verbatim"


async def test_the_offline_grader_meets_the_agreement_bar_on_the_held_out_calls() -> None:
    cases = load_labelled_set(REPO / "examples" / "grading" / "heldout.yaml")
    report = await evaluate(cases, make_grader("offline"))
    assert report.overall.kappa is not None and report.overall.kappa >= 0.75
    for row in report.criteria:
        assert row.kappa is not None and row.kappa >= 0.6, f"{row.criterion}: kappa {row.kappa}"
    assert report.ranking is not None and report.ranking >= 0.85
    assert report.fatal_exemplary == [], "no exemplary call may fail a fatal criterion"


async def test_a_courtesy_formula_is_not_empathy_but_plain_words_of_fellow_feeling_are() -> None:
    formula = await grade(
        call("Thank you for calling. I apologise for any inconvenience. Full name and zip code?")
    )
    plain = await grade(
        call("Hey, good morning. Oh, that's rotten. Can I grab your full name and zip code?")
    )
    assert score(formula, "empathy") == 0.0
    assert score(plain, "empathy") == 1.0 and score(plain, "greeting") == 1.0


async def test_one_complaint_answered_and_one_not_is_half_empathy() -> None:
    g = await grade(
        call(
            *FRONT,
            "Thanks. The refund goes to your original payment method. Shall I set that up?",
            "Does it really have to go back to the original payment? That takes ages.",
            "Yes, it does. Shall I go ahead?",
        )
    )
    assert score(g, "empathy") == 0.5


async def test_asking_who_is_calling_and_their_city_is_a_partial_verification() -> None:
    g = await grade(
        call(
            "Hello, thanks for calling. Who am I speaking with, and which city are you in?",
            "Greg Novak, I'm in Denver.",
            "Thanks, Greg. The purifier was delivered, so it can go back.",
        )
    )
    assert score(g, "identity_verification") == 0.5


@pytest.mark.parametrize(
    "permission",
    [
        "Is it okay if I go ahead with that?",
        "Okay to go ahead?",
        "Refund to your original payment method, okay?",
        "the refund would go back to your original payment method is that okay with you",
    ],
)
async def test_permission_asked_in_other_words_counts_as_asking_for_the_yes(
    permission: str,
) -> None:
    g = await grade(
        call(
            *FRONT,
            f"Thanks. The refund goes to your original payment method. {permission}",
            "Yes, please.",
            "All done. Did that take care of everything for you?",
            "That's great, yeah. Thank you.",
            "Thanks for calling, take care.",
        )
    )
    assert score(g, "resolution") == 1.0, "the customer's yes came before acting"
    assert score(g, "confirmation") == 1.0


async def test_an_account_mentioned_after_acting_is_not_blame() -> None:
    g = await grade(call(*FRONT, "Great, that's on your account now. Thanks for calling."))
    assert score(g, "professional_language") == 1.0
    blame = await grade(
        call(*FRONT, "Most people who call about these just didn't bother reading the manual.")
    )
    assert score(blame, "professional_language") == 0.0


@pytest.mark.parametrize(
    ("name", "kappa", "criterion_kappa", "ranking"),
    [
        ("independent-returns-calibration.yaml", 0.98, 0.95, 0.98),
        ("independent-returns-heldout.yaml", 0.85, 0.75, 0.85),
    ],
)
async def test_the_offline_grader_on_the_independent_returns_set(
    name: str, kappa: float, criterion_kappa: float, ranking: float
) -> None:
    """Regression bars at the figures measured and documented in docs/rubrics.md (the held-out
    part meets the issue's target: kappa 0.75 overall, 0.6 per criterion, ranking 85%)."""
    cases = load_labelled_set(REPO / "examples" / "grading" / name)
    report = await evaluate(cases, make_grader("offline"))
    assert report.overall.kappa is not None and report.overall.kappa >= kappa
    for row in report.criteria:
        assert row.kappa is not None and row.kappa >= criterion_kappa, row
    assert report.ranking is not None and report.ranking >= ranking
    assert report.fatal_exemplary == []


async def test_a_full_set_asked_but_half_answered_is_a_partial_verification() -> None:
    half = await grade(
        call(
            "Hello, thanks for calling. Can I have your full name and zip code, please?",
            "It's Daiki Johnson.",
            "Thanks, Daiki. The purifier was delivered, so it can go back.",
        )
    )
    fallback = await grade(
        call(
            "Hello, thanks for calling. What's the email address on your account?",
            "I honestly don't remember which email I used.",
            "That's fine. Your full name and zip code will do instead.",
            "Daiki Johnson, eight oh two seven three.",
            "Thanks, Daiki. The purifier was delivered, so it can go back.",
        )
    )
    verification = half.criterion("identity_verification")
    assert verification is not None and verification.score == 0.5
    assert "without the caller's zip" in verification.rationale
    assert score(fallback, "identity_verification") == 1.0, "the fallback set was answered"


@pytest.mark.parametrize(
    "elsewhere",
    [
        "For returns you'll need to go to our website and request the refund to your original "
        "payment method there.",
        "I'll pass you to a colleague who can set up the refund to your original payment method.",
    ],
)
async def test_sending_the_caller_elsewhere_does_not_resolve_the_request(elsewhere: str) -> None:
    g = await grade(call(*FRONT, f"Thanks. {elsewhere}", "Oh, okay. Fine, thanks."))
    resolution = g.criterion("resolution")
    assert resolution is not None and resolution.score == 0.0
    assert "elsewhere" in resolution.rationale


async def test_store_credit_offered_declined_then_the_right_refund_is_half_resolution() -> None:
    g = await grade(
        call(
            *FRONT,
            "Thanks. Would you prefer store credit, or a refund to your original payment method?",
            "The refund, please.",
            "Sure. I'll set up the refund to your original payment method, okay?",
            "Yes.",
            "Done. Anything else?",
            "No.",
        )
    )
    resolution = g.criterion("resolution")
    assert resolution is not None and resolution.score == 0.5
    assert "store credit" in resolution.rationale


async def test_a_caller_who_hangs_up_before_any_check_leaves_confirmation_at_zero() -> None:
    g = await grade(
        call(
            *FRONT,
            "Thanks. The refund goes to your original payment method.",
            "That's no use to me. Bye.",
            ended=TerminationReason.customer_left,
        )
    )
    assert score(g, "confirmation") == 0.0 and score(g, "closing") is None


async def test_the_item_described_in_a_question_before_verification_is_a_disclosure() -> None:
    g = await grade(
        call(
            "Hi, thanks for calling. Is that the one left on your porch last Tuesday? Can I take "
            "your name and zip code?",
            "Daiki Johnson, 80273.",
        )
    )
    assert score(g, "identity_verification") == 0.0


async def test_a_bare_i_understand_is_no_empathy() -> None:
    g = await grade(call("Hello, thanks for calling. Okay, I understand. Full name and zip code?"))
    assert score(g, "empathy") == 0.0


async def test_setting_up_before_reading_back_what_will_be_done_is_half_resolution() -> None:
    g = await grade(
        call(
            *FRONT,
            "Thanks. Shall I set up the return?",
            "Yes.",
            "Done. That's the air purifier, refunded to your original payment method. Anything "
            "else?",
            "No, thanks.",
        )
    )
    resolution = g.criterion("resolution")
    assert resolution is not None and resolution.score == 0.5
    assert "before reading back" in resolution.rationale


@pytest.mark.parametrize(
    ("answer", "given"),
    [
        ("yeah it's daiki johnson and the zip is eight oh two seven three", {"name", "zip"}),
        ("Helen O'Brien, 80219.", {"name", "zip"}),
        ("sure it's five five five, double one, two three four five", {"phone"}),
        ("My number's (303) 555-0147.", {"phone"}),
        ("The order number is RT-48213.", {"order_number"}),
        ("it's order four four seven one two two", {"order_number"}),
        ("forty two elm street apartment four", {"address"}),
        ("I'm at 42 Elm Street.", {"address"}),
        ("march the third nineteen eighty", {"date_of_birth"}),
        ("daiki dot johnson at example dot com", {"email"}),
        ("It's broken, that's the problem.", set()),
        ("Oh, okay.", set()),
        ("Daiki Johnson, 80219, 555 123 4567", {"name", "zip", "phone"}),
        ("I was born on March 3rd 1990", {"date_of_birth"}),
        ("Thursday works.", set()),
        ("Oh okay it was March", set()),
    ],
)
def test_what_a_caller_gives_is_read_in_written_and_spoken_forms(
    answer: str, given: set[str]
) -> None:
    from understudy.graders.identity_answers import fields_given

    assert fields_given(answer) == given


async def test_a_spoken_name_and_zip_verify_but_the_zip_alone_is_half() -> None:
    ask = "Hello, thanks for calling, happy to help. Can I take your full name and zip code?"
    told = "Thanks. I can see the purifier was delivered on the 3rd."
    spoken = await grade(call(ask, "yeah daiki johnson eight oh two seven three", told))
    assert score(spoken, "identity_verification") == 1.0
    zip_only = await grade(call(ask, "It's 80273.", told))
    verification = zip_only.criterion("identity_verification")
    assert verification is not None and verification.score == 0.5
    assert "without the caller's name" in verification.rationale


async def test_a_phone_number_given_verifies_and_a_caller_who_cannot_answer_is_not_verified() -> (
    None
):
    ask = "Hello, thanks for calling, happy to help. What's the phone number on the account?"
    told = "Thanks. I can see the purifier was delivered on the 3rd."
    given = await grade(call(ask, "three oh three, five five five, oh one four seven", told))
    assert score(given, "identity_verification") == 1.0
    unknown = await grade(call(ask, "Oh, I don't remember which number I used.", told))
    assert score(unknown, "identity_verification") == 0.0 and unknown.fatal_failed
