"""The grader's trained act model: shipped as data, used only where it beats the rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from script_loader import load_script
from test_grader_semantic import call, grade, score
from understudy.content.importers.harper_valley import is_calibration_call, load_calls
from understudy.graders import acts

REPO = Path(__file__).resolve().parents[1]
ARTIFACT = REPO / "src" / "understudy" / "graders" / "data" / "grader_acts.json"


def test_the_shipped_model_loads_from_the_package() -> None:
    model = acts.act_model()
    assert model.acts == acts.MODEL_ACTS
    assert model.used <= set(acts.MODEL_ACTS)
    assert model.evaluation["train_segments"] > 100, "fitted on the calibration calls"


def test_the_shipped_model_is_what_the_training_script_fits(shared_data: Path) -> None:
    script = load_script("train_grader_acts")
    calls = load_calls(shared_data / "harper_valley" / "calls.jsonl")
    calibration = script.examples(c for c in calls if is_calibration_call(c.id))
    raw = script.fit(calibration)
    shipped = json.loads(ARTIFACT.read_text())
    assert shipped["intercepts"] == pytest.approx(raw["intercepts"], abs=1e-4)
    assert shipped["vocabulary"].keys() == raw["vocabulary"].keys()
    assert sorted(shipped["used"]) == sorted(script.select(calibration))


def test_the_model_is_added_only_where_it_beats_the_rule_on_held_apart_calls(
    shared_data: Path,
) -> None:
    script = load_script("train_grader_acts")
    calls = load_calls(shared_data / "harper_valley" / "calls.jsonl")
    report = script.examples(c for c in calls if not is_calibration_call(c.id))
    figures = script.figures(acts.act_model(), report)
    for act in acts.MODEL_ACTS:
        rule_f1, grader_f1 = figures[act]["rule"][2], figures[act]["grader"][2]
        if act in acts.act_model().used:
            assert grader_f1 > rule_f1, f"{act}: grader F1 {grader_f1} should beat {rule_f1}"
        else:
            assert grader_f1 == rule_f1, f"{act}: the rule alone decides"
    assert "data_question" in acts.act_model().used, "the bank's questions for data need it"


async def test_an_unpunctuated_spoken_identity_question_verifies_the_caller() -> None:
    asked = "Okay, what is your email address."
    assert not acts.RULES["data_question"](acts.sentences(asked)[0]), "the rule alone misses it"
    g = await grade(
        call(
            f"Hello, thanks for calling the returns desk, happy to help. {asked}",
            "It's daiki.johnson@example.com.",
            "Thanks, I've found the purifier, it arrived on the 3rd.",
        )
    )
    assert score(g, "identity_verification") == 1.0 and not g.fatal_failed


async def test_an_account_detail_before_the_spoken_question_is_answered_still_fails() -> None:
    g = await grade(
        call(
            "Hello, thanks for calling. I see the purifier arrived on the 3rd. Okay, what is your "
            "email address.",
            "It's daiki.johnson@example.com.",
        )
    )
    assert score(g, "identity_verification") == 0.0 and g.fatal_failed


def test_a_spoken_bank_opening_is_a_greeting_the_rule_missed() -> None:
    opening = acts.sentences("Harper Valley bank, this is Sam speaking.")[0]
    assert not acts.RULES["greeting"](opening)
    assert acts.recognise("greeting", opening)
    assert not acts.recognise("greeting", acts.sentences("Name and zip code.")[0])


@pytest.mark.parametrize(
    "statement",
    [
        "The refund goes to your email receipt.",
        "A new checkbook has been sent to your home address.",
        "Your password reset link has been sent to your phone.",
    ],
)
def test_a_statement_that_names_a_field_asks_for_nothing(statement: str) -> None:
    sentence = acts.sentences(statement)[0]
    assert "data_question" in acts.act_model().acts_heard(sentence.low), "the model alone hears it"
    assert acts.identity_fields_asked(sentence) == set()


@pytest.mark.parametrize(
    ("spoken", "fields"),
    [
        ("okay what is your phone number", {"phone"}),
        ("Your email address.", {"email"}),
        ("And the zip code.", {"zip"}),
        ("Your full name and zip code will do instead.", {"name", "zip"}),
        ("I'll need your email address", {"email"}),
    ],
)
def test_spoken_requests_for_a_field_still_ask_for_it(spoken: str, fields: set[str]) -> None:
    assert acts.identity_fields_asked(acts.sentences(spoken)[0]) == fields


async def test_a_statement_naming_the_email_is_not_a_verification_question() -> None:
    g = await grade(
        call(
            "Hello, thanks for calling, happy to help. The refund goes to your email receipt.",
            "Okay, great.",
            "Right, I see the purifier arrived on the 3rd.",
        )
    )
    verification = g.criterion("identity_verification")
    assert verification is not None and verification.score == 0.0
    assert "before asking who the caller is" in verification.rationale
