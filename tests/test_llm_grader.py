"""The LLM grader and LLM persona generation, with pydantic-ai's own test models."""

from __future__ import annotations

from pydantic_ai.messages import ModelMessage
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.models.test import TestModel

from understudy.domain.persona import Mood, Persona
from understudy.domain.rubric import Rubric
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.domain.transcript import ConversationResult, Message, Role, TerminationReason
from understudy.graders.base import GRADERS, make_grader
from understudy.graders.llm import LLMGrader
from understudy.llm.persona_generation import LLMPersonaGenerator
from understudy.llm.run import LLMRun
from understudy.llm.settings import LLMSettings
from understudy.testing import FakeModel

RUBRIC = Rubric.model_validate(
    {
        "id": "mini",
        "criteria": [
            {
                "id": "empathy",
                "description": "shows empathy",
                "weight": 2,
                "checks": [{"kind": "says", "phrases": ["sorry"]}],
            },
            {
                "id": "resolution",
                "description": "resolves the issue",
                "checks": [{"kind": "says", "phrases": ["refund"]}],
            },
        ],
    }
)
SCENARIO = Scenario(id="s", persona="calm", goal=CustomerGoal(reason_for_call="refund"))
RESULT = ConversationResult(
    conversation_id="a1",
    termination_reason=TerminationReason.goal_met,
    messages=[
        Message(index=1, role=Role.customer, text="My kettle broke, I am upset."),
        Message(index=2, role=Role.agent, text="I'm so sorry to hear that. Let me help."),
        Message(index=3, role=Role.customer, text="I want my money back."),
        Message(index=4, role=Role.agent, text="Done: your refund of $20 is on its way."),
    ],
)


def answering(args: dict[str, object]) -> FakeModel:
    """A model that answers every grading call with ``args`` as the structured grade."""
    return FakeModel(default=args)


def grader(model: FunctionModel | TestModel) -> LLMGrader:
    return LLMGrader(run=LLMRun(LLMSettings(cache=False)), llm_model=model)


def test_llm_is_a_registered_grader_and_offline_stays_available() -> None:
    assert {"llm", "offline"} <= set(GRADERS.names())
    assert isinstance(make_grader("llm", llm_model=TestModel()), LLMGrader)


async def test_per_criterion_scores_rationales_and_checked_quotes() -> None:
    model = answering(
        {
            "criteria": [
                {
                    "id": "empathy",
                    "score": 1.0,
                    "rationale": "Apologised at once.",
                    "evidence": [{"turn": 2, "quote": "I'm so sorry to hear that"}],
                },
                {
                    "id": "resolution",
                    "score": 0.5,
                    "rationale": "Refund issued.",
                    "evidence": [{"turn": 4, "quote": "your refund of $20 is on its way"}],
                },
            ]
        }
    )
    grade = await grader(model).grade(RESULT, RUBRIC, SCENARIO)
    assert grade.grader == "llm" and grade.rubric_id == "mini"
    empathy = grade.criterion("empathy")
    assert empathy is not None and empathy.score == 1.0 and empathy.flags == []
    assert empathy.evidence[0].turn == 2 and empathy.evidence[0].role is Role.agent
    assert grade.overall == round((2 * 1.0 + 0.5) / 3, 4), "weights apply to LLM scores too"


async def test_a_fabricated_quote_is_dropped_and_flagged() -> None:
    model = answering(
        {
            "criteria": [
                {
                    "id": "empathy",
                    "score": 0.9,
                    "rationale": "Warm.",
                    "evidence": [
                        {"turn": 2, "quote": "I completely understand how you feel"},
                        {"turn": 2, "quote": "so sorry to hear that"},
                    ],
                },
                {
                    "id": "resolution",
                    "score": 1.0,
                    "rationale": "Refunded.",
                    "evidence": [{"turn": 2, "quote": "your refund of $20 is on its way"}],
                },
            ]
        }
    )
    grade = await grader(model).grade(RESULT, RUBRIC, SCENARIO)
    empathy = grade.criterion("empathy")
    assert empathy is not None
    assert [e.quote for e in empathy.evidence] == ["so sorry to hear that"], (
        "a quote that is not in the transcript must be dropped"
    )
    assert any("fabricated quote dropped" in f for f in empathy.flags)
    assert "1 fabricated quote(s) dropped" in empathy.rationale
    resolution = grade.criterion("resolution")
    assert resolution is not None and resolution.evidence[0].turn == 4, (
        "a real quote with the wrong turn number is kept with the turn corrected"
    )
    assert any("from turn 4, not 2" in f for f in resolution.flags)


async def test_a_criterion_the_model_skipped_gets_no_score_and_a_flag() -> None:
    model = answering({"criteria": [{"id": "empathy", "score": 1, "rationale": "ok"}]})
    grade = await grader(model).grade(RESULT, RUBRIC, SCENARIO)
    skipped = grade.criterion("resolution")
    assert skipped is not None and skipped.score is None and skipped.flags


async def test_the_library_test_model_yields_a_valid_grade() -> None:
    grade = await grader(TestModel()).grade(RESULT, RUBRIC, SCENARIO)
    assert [c.id for c in grade.criteria] == ["empathy", "resolution"]
    assert 0.0 <= grade.overall <= 1.0


async def test_llm_persona_generation_returns_a_draft_with_the_offline_schema() -> None:
    model = answering(
        {
            "name": "Rosa Delgado",
            "summary": "Retired teacher, double charged",
            "age": 71,
            "mood": "frustrated",
            "mood_drift": "fast",
            "language": "english",
            "backstory": "Rosa was charged twice for her phone bill.",
            "knows": {"account_email": "rosa@example.com"},
            "doesnt_know": ["account number"],
            "behaviour": {"patience": 0.2, "typo_rate": 0.05},
        }
    )
    generator = LLMPersonaGenerator(run=LLMRun(LLMSettings(cache=False)), llm_model=model)
    persona = await generator.generate("impatient retired teacher who was double charged", seed=3)
    assert isinstance(persona, Persona)
    assert persona.draft and persona.origin.kind == "generated"
    assert persona.origin.source == "impatient retired teacher who was double charged"
    assert persona.id.startswith("rosa-delgado-")
    assert persona.mood is Mood.frustrated and persona.behaviour.patience == 0.2
    assert persona.language == "en-US", "an invalid language tag falls back to en-US"
    assert persona.knowledge.doesnt_know == ["account number"]


async def test_the_model_writes_the_rationale_before_the_score_and_may_mark_n_a() -> None:
    seen: dict[str, object] = {}

    def answer(messages: list[ModelMessage], info: AgentInfo) -> dict[str, object]:
        schema = info.output_tools[0].parameters_json_schema
        seen["order"] = list(schema["$defs"]["CriterionOutput"]["properties"])
        return {
            "criteria": [
                {"id": "empathy", "rationale": "Turn 2 apologises.", "score": 1.0},
                {"id": "resolution", "rationale": "No chance to act.", "score": None},
            ]
        }

    grade = await grader(FakeModel(default=answer)).grade(RESULT, RUBRIC, SCENARIO)
    order = seen["order"]
    assert isinstance(order, list)
    assert order.index("rationale") < order.index("score"), "reasons come before the number"
    resolution = grade.criterion("resolution")
    assert resolution is not None and resolution.score is None, "n/a, not 0"
    assert grade.overall == 1.0


async def test_a_quote_with_other_case_and_spacing_is_stored_as_the_transcript_says() -> None:
    model = answering(
        {
            "criteria": [
                {
                    "id": "empathy",
                    "rationale": "Apologised.",
                    "evidence": [{"turn": 2, "quote": "i'm SO sorry   to hear that"}],
                    "score": 1.0,
                },
                {"id": "resolution", "rationale": "Refunded.", "score": 1.0},
            ]
        }
    )
    grade = await grader(model).grade(RESULT, RUBRIC, SCENARIO)
    empathy = grade.criterion("empathy")
    assert empathy is not None
    assert empathy.evidence[0].quote == "I'm so sorry to hear that", "quotes are cut verbatim"
