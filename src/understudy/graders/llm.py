"""The LLM grader: a model scores each rubric criterion, with quotes that are checked.

The model gets the rubric (each criterion's id, description, weight and the rules its offline
checks encode, as guidance), the scenario's goal and evaluation instructions, and the transcript
with numbered turns. It answers with structured output (pydantic-ai output type
:class:`GradeOutput`): per criterion a score in [0, 1], a rationale and evidence quotes, each with
its turn number.

Every quote is then checked against the transcript, white space and case folded:

- found in the turn it names: kept;
- found verbatim in another turn: kept with the turn corrected, and flagged;
- found nowhere: dropped and flagged as fabricated (the flag is kept in the criterion's
  ``flags`` and noted in its rationale).

Criteria the model leaves out get no score (``score: None``: they do not count) and a flag.

With ``passes`` above 1 (option, or the ``llm.grader_passes`` setting) the call is graded that
many times, each pass with the next seed and, every other pass, the criteria listed in reverse
order, so the passes are not one cached answer. Per criterion the score is the mean of the
passes' scores, ``pass_scores`` keeps each one, and the criterion is flagged for coach review
(``needs_review``) when two passes differ by more than ``max_pass_gap`` (0.25 by default, half
of one label level, so any two different levels of 0 / 0.5 / 1 disagree) or one scored it and
another marked it not applicable. The
rationale and evidence are the first pass's.
Registered as ``llm`` in ``understudy.graders.base.GRADERS``; the offline grader stays the default.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from understudy.domain.grade import CriterionGrade, Evidence, Grade
from understudy.domain.rubric import Rubric
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import ConversationResult, Message
from understudy.graders.base import Grader
from understudy.llm import require_llm
from understudy.registry import PluginOptions

if TYPE_CHECKING:
    from pydantic_ai.models import Model

    from understudy.llm.run import LLMRun

_SPACES = re.compile(r"\s+")


class QuoteOutput(BaseModel):
    """One evidence quote as the model gives it."""

    turn: int = Field(description="1-based number of the turn the quote is taken from")
    quote: str = Field(description="words copied exactly from that turn")


class CriterionOutput(BaseModel):
    """One criterion's grade as the model gives it.

    The fields are in the order the model writes them: the rationale and the quotes come before
    the score, so the score follows from the reasons instead of the reasons defending a number.
    """

    id: str = Field(description="the criterion id, exactly as given")
    rationale: str = Field(
        description="first: one or two sentences on what the agent did, naming the turn"
    )
    evidence: list[QuoteOutput] = Field(default_factory=list)
    score: float | None = Field(
        ge=0,
        le=1,
        description="last: 0 = not met at all, 1 = fully met; null when the call gave the agent "
        "no chance to show it (e.g. the call ended before the agent could close)",
    )


class GradeOutput(BaseModel):
    """The structured output the model must return."""

    criteria: list[CriterionOutput]


def _fold(text: str) -> str:
    return _SPACES.sub(" ", text.lower()).strip().strip("\"'")


def check_quotes(
    quotes: list[QuoteOutput], messages: list[Message]
) -> tuple[list[Evidence], list[str]]:
    """Keep the quotes found in the transcript and flag the others.

    Args:
        quotes: the model's quotes.
        messages: the transcript.

    Returns:
        The kept evidence (turn corrected where needed) and flag sentences.
    """
    by_index = {m.index: m for m in messages}
    kept: list[Evidence] = []
    flags: list[str] = []
    for quote in quotes:
        folded = _fold(quote.quote)
        if not folded:
            continue
        stated = by_index.get(quote.turn)
        if stated is not None and folded in _fold(stated.text):
            text = verbatim(quote.quote, stated.text)
            kept.append(Evidence(turn=stated.index, role=stated.role, quote=text))
            continue
        other = next((m for m in messages if folded in _fold(m.text)), None)
        if other is not None:
            text = verbatim(quote.quote, other.text)
            kept.append(Evidence(turn=other.index, role=other.role, quote=text))
            flags.append(f"quote {quote.quote!r} is from turn {other.index}, not {quote.turn}")
            continue
        flags.append(f"fabricated quote dropped (not in the transcript): {quote.quote!r}")
    return kept, flags


def verbatim(quote: str, text: str) -> str:
    """Return the span of ``text`` that ``quote`` matches (case and white space folded), so the
    stored evidence is cut from the transcript exactly; ``quote`` itself when no span matches."""
    words = _fold(quote).split()
    if not words:
        return quote
    pattern = r"\s+".join(re.escape(w) for w in words)
    found = re.search(pattern, text, flags=re.IGNORECASE)
    return found.group(0) if found else quote


def transcript_text(messages: list[Message]) -> str:
    """Return the transcript as numbered lines: ``[3] customer: ...``."""
    return "\n".join(f"[{m.index}] {m.role.value}: {m.text}" for m in messages)


SYSTEM_PROMPT = (
    "You grade a contact-centre conversation between an AGENT (the trainee or assistant being "
    "graded) and a CUSTOMER. For each rubric criterion, first write one or two sentences on "
    "what the agent did (naming the turn), then give short quotes copied exactly from the "
    "transcript with the number of the turn each comes from, and only then the score from 0 "
    "(not met) to 1 (fully met), or null when the call gave the agent no chance to show it. "
    "Judge what was done, not which words were used: a paraphrase counts. Never invent a "
    "quote; give no quote rather than a paraphrase. Grade every criterion, using its id exactly."
)


class LLMGraderOptions(PluginOptions):
    """Options of the LLM grader (see ``LLMGrader`` for each one)."""

    model: str | None = None
    run: Any = None
    llm_model: Any = None
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    seed: int = 0
    passes: int | None = Field(default=None, ge=1, le=5)
    max_pass_gap: float = Field(default=0.25, ge=0.0, le=1.0)


class LLMGrader(Grader):
    """Grades with a model (see the module docstring).

    Args:
        model: ``provider:model``; the ``llm.model`` setting when None.
        run: the run that accounts for calls (cache, budget, usage); a new one when None.
        llm_model: a ready pydantic-ai model (``TestModel``/``FunctionModel`` in tests).
        temperature: sampling temperature (0 by default, for stable grades).
        seed: seed sent with the first pass (and part of its cache key); pass k uses seed + k.
        passes: grading passes per call; the ``llm.grader_passes`` setting (1) when None.
        max_pass_gap: largest difference between two passes' scores that still agrees.

    Raises:
        ConfigError: the ``llm`` extra is missing.
    """

    name = "llm"
    Options = LLMGraderOptions
    needs_model = True

    def __init__(
        self,
        *,
        model: str | None = None,
        run: LLMRun | None = None,
        llm_model: Model | None = None,
        temperature: float = 0.0,
        seed: int = 0,
        passes: int | None = None,
        max_pass_gap: float = 0.25,
    ) -> None:
        require_llm("the LLM grader")
        from understudy.llm.run import LLMRun

        self.model_name = model
        self.run = run if run is not None else LLMRun()
        self.llm_model = llm_model
        self.temperature = temperature
        self.seed = seed
        self.passes = passes if passes is not None else self.run.settings.grader_passes
        self.max_pass_gap = max_pass_gap

    def prompt(
        self,
        result: ConversationResult,
        rubric: Rubric,
        scenario: Scenario,
        reverse: bool = False,
    ) -> str:
        """Return the user prompt: rubric, scenario goal, instructions and numbered transcript.

        Args:
            reverse: list the criteria in reverse rubric order (the second pass does).
        """
        criteria: list[dict[str, Any]] = [
            {
                "id": c.id,
                "description": c.description,
                "weight": c.weight,
                "fatal": c.fatal,
                "guidance": [
                    check.model_dump(mode="json", exclude_defaults=True) for check in c.checks
                ],
            }
            for c in (reversed(rubric.criteria) if reverse else rubric.criteria)
        ]
        parts = [
            f"Rubric {rubric.id}: {rubric.name or rubric.description}",
            "Criteria (JSON):\n" + json.dumps(criteria, indent=1),
            f"Scenario: {scenario.name or scenario.id}. Customer's goal: "
            f"{scenario.goal.reason_for_call}",
        ]
        if scenario.evaluation_instructions:
            parts.append(f"Evaluation instructions: {scenario.evaluation_instructions}")
        policy = scenario.policy.model_dump(mode="json", exclude_none=True)
        if scenario.policy.must_not_offer or scenario.policy.must_not_process:
            parts.append("Policy the agent must follow (JSON): " + json.dumps(policy))
        parts.append(
            f"The conversation ended with {result.termination_reason.value}"
            + (f" ({result.detail})" if result.detail else "")
        )
        parts.append("Transcript:\n" + transcript_text(result.messages))
        return "\n\n".join(parts)

    async def grade(self, result: ConversationResult, rubric: Rubric, scenario: Scenario) -> Grade:
        """Grade ``result`` against ``rubric``: one structured model call per pass.

        Raises:
            LLMError: the model call failed after retries; BudgetExhausted when the budget is
                spent.
        """
        passes = [
            await self._one_pass(result, rubric, scenario, k) for k in range(max(self.passes, 1))
        ]
        if len(passes) == 1:
            return Grade.from_criteria(rubric.id, self.name, passes[0])
        criteria = [self._combine([p[i] for p in passes]) for i in range(len(rubric.criteria))]
        return Grade.from_criteria(rubric.id, self.name, criteria)

    def _combine(self, graded: list[CriterionGrade]) -> CriterionGrade:
        """One criterion's grade from its passes (see the module docstring)."""
        first = graded[0]
        scores = [g.score for g in graded]
        given = [s for s in scores if s is not None]
        disagree = (0 < len(given) < len(scores)) or (
            bool(given) and max(given) - min(given) > self.max_pass_gap + 1e-9
        )
        flags = list(dict.fromkeys(f for g in graded for f in g.flags))
        rationale = first.rationale
        if disagree:
            shown = " vs ".join("n/a" if s is None else f"{s:.2f}" for s in scores)
            flags.append(f"grading passes disagree ({shown}): for coach review")
            rationale += f" [passes disagree: {shown}; flagged for coach review]"
        return first.model_copy(
            update={
                "score": round(sum(given) / len(given), 4) if given else None,
                "rationale": rationale,
                "flags": flags,
                "pass_scores": scores,
                "needs_review": disagree,
            }
        )

    async def _one_pass(
        self, result: ConversationResult, rubric: Rubric, scenario: Scenario, k: int
    ) -> list[CriterionGrade]:
        """Pass ``k`` (0-based): seed + k, criteria reversed on odd passes; rubric order out."""
        from pydantic_ai import Agent as ModelAgent

        model = self.run.model(
            self.model_name, f"grade:{result.conversation_id}", model=self.llm_model
        )
        agent = ModelAgent(model, output_type=GradeOutput, system_prompt=SYSTEM_PROMPT)
        answer = await agent.run(
            self.prompt(result, rubric, scenario, reverse=k % 2 == 1),
            model_settings={"temperature": self.temperature, "seed": self.seed + k},
        )
        given = {c.id: c for c in answer.output.criteria}
        criteria: list[CriterionGrade] = []
        for criterion in rubric.criteria:
            out = given.get(criterion.id)
            base = {
                "id": criterion.id,
                "description": criterion.description,
                "weight": criterion.weight,
                "fatal": criterion.fatal,
                "pass_mark": criterion.pass_mark,
            }
            if out is None:
                criteria.append(
                    CriterionGrade(
                        **base,
                        rationale="the model gave no grade for this criterion",
                        flags=["criterion missing from the model's answer"],
                    )
                )
                continue
            evidence, flags = check_quotes(out.evidence, result.messages)
            rationale = out.rationale.strip()
            dropped = sum(1 for f in flags if f.startswith("fabricated"))
            if dropped:
                rationale += f" [{dropped} fabricated quote(s) dropped]"
            criteria.append(
                CriterionGrade(
                    **base, score=out.score, rationale=rationale, evidence=evidence, flags=flags
                )
            )
        return criteria
