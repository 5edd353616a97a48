"""The rule-based checks of the offline grader, one function per check kind.

Each function reads the transcript (``ConversationResult.messages``) and returns a
``CheckResult``: a score in [0, 1] (None when the check does not apply to this call), a rationale
sentence and evidence quotes. Every quote is a sentence cut verbatim from the message it cites, so
it can be found in the stored transcript. Phrase matching is fuzzy (``understudy.matching``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from understudy.domain.rubric import (
    AvoidsCheck,
    Check,
    ExitConditionMetCheck,
    SaysCheck,
    WithinBudgetCheck,
)
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import ActType, ConversationResult, Message, Role
from understudy.engine.exits import CONFIRM_PHRASES, condition_met
from understudy.graders.check_result import CheckResult, quote
from understudy.graders.sales_checks import (
    check_agrees_next_step,
    check_asks_open_questions,
    check_avoids_pressure,
    check_builds_rapport,
    check_plays_back_needs,
    check_stays_concise,
)
from understudy.graders.semantic_checks import (
    check_asks_before_disclosing,
    check_closes,
    check_confirms_resolution,
    check_empathy,
    check_greets,
    check_resolves_within_policy,
    check_stays_professional,
)
from understudy.graders.voice_checks import (
    check_long_silences,
    check_talk_ratio,
    check_trainee_interruptions,
    check_words_per_minute,
)
from understudy.matching import best_match, normalise

__all__ = ["CHECKS", "CheckResult", "quote", "run_check"]
_COMPLAINT_ACTS = frozenset({ActType.complain, ActType.object})
_CONFIRM_ACTS = frozenset({ActType.affirm, ActType.thank})


def _agent(messages: list[Message]) -> list[Message]:
    return [m for m in messages if m.role is Role.agent and m.text.strip()]


def _matches(phrases: list[str], message: Message, threshold: float) -> bool:
    return best_match(phrases, message.text, threshold) is not None


def customer_confirms(message: Message) -> bool:
    """True when a customer turn agrees: an ``affirm``/``thank`` act or a confirming word."""
    if any(act.type in _CONFIRM_ACTS for act in message.acts):
        return True
    words = normalise(message.clean_text or message.text)
    tokens = re.findall(r"[a-z']+", words)
    return any((" " in p and p in words) or p in tokens for p in CONFIRM_PHRASES)


def is_complaint(message: Message, phrases: list[str], threshold: float) -> bool:
    """True when a customer turn complains: a ``complain``/``object`` act or complaint wording."""
    if any(act.type in _COMPLAINT_ACTS for act in message.acts):
        return True
    return _matches(phrases, message, threshold)


def check_says(check: SaysCheck, result: ConversationResult, scenario: Scenario) -> CheckResult:
    """Score a ``says`` check: matching agent turns / ``min_count``, capped at 1."""
    turns = _agent(result.messages)
    where = ""
    if check.first_agent_turns is not None:
        turns = turns[: check.first_agent_turns]
        where = (
            " in its first turn"
            if check.first_agent_turns == 1
            else (f" in its first {check.first_agent_turns} turns")
        )
    if check.last_agent_turns is not None:
        turns = turns[-check.last_agent_turns :]
        where = (
            " in its last turn"
            if check.last_agent_turns == 1
            else (f" in its last {check.last_agent_turns} turns")
        )
    hits = [m for m in turns if _matches(check.phrases, m, check.threshold)]
    if not hits:
        examples = ", ".join(f'"{p}"' for p in check.phrases[:3])
        return CheckResult(0.0, f"The agent never said anything like {examples}{where}.")
    score = min(1.0, len(hits) / check.min_count)
    said = sorted(
        {match[0] for m in hits if (match := best_match(check.phrases, m.text, check.threshold))}
    )
    phrases = ", ".join(f'"{p}"' for p in said[:3])
    if check.min_count > 1:
        rationale = (
            f"The agent said {phrases}{where} in {len(hits)} turn(s), {check.min_count} wanted."
        )
    else:
        rationale = f"The agent said {phrases}{where}."
    evidence = [quote(m, check.phrases) for m in hits[:3]]
    return CheckResult(score, rationale, evidence)


def check_avoids(check: AvoidsCheck, result: ConversationResult, scenario: Scenario) -> CheckResult:
    """Score an ``avoids`` check: 1 when no agent turn matched a forbidden phrase, else 0.

    Not applicable when the agent said nothing.
    """
    turns = _agent(result.messages)
    if not turns:
        return CheckResult(None, "The agent said nothing, so there was nothing to avoid.")
    hits = [m for m in turns if _matches(check.phrases, m, check.threshold)]
    if not hits:
        return CheckResult(1.0, "The agent avoided every forbidden phrase.")
    evidence = [quote(m, check.phrases) for m in hits[:3]]
    where = ", ".join(str(m.index) for m in hits)
    return CheckResult(0.0, f"The agent used forbidden wording on turn(s) {where}.", evidence)


def check_exit_condition(
    check: ExitConditionMetCheck, result: ConversationResult, scenario: Scenario
) -> CheckResult:
    """Score ``exit_condition_met``: 1 when the condition (or any) held on the transcript."""
    conditions = [
        c for c in scenario.exit_conditions if check.condition is None or c.id == check.condition
    ]
    if not conditions:
        return CheckResult(None, "The scenario has no matching exit condition to meet.")
    for condition in conditions:
        if condition_met(condition, result.messages):
            hit = next(
                m
                for m in result.messages
                if m.role is Role.agent and _matches(condition.agent_says, m, 85.0)
            )
            text = condition.description or condition.id
            return CheckResult(
                1.0, f"The exit condition was met: {text}.", [quote(hit, condition.agent_says)]
            )
    names = "; ".join(c.description or c.id for c in conditions)
    return CheckResult(0.0, f"The exit condition was not met: {names}.")


def check_within_budget(
    check: WithinBudgetCheck, result: ConversationResult, scenario: Scenario
) -> CheckResult:
    """Score ``within_budget``: 1 within budget, else budget / actual (the worst of both)."""
    score = 1.0
    parts = []
    if check.max_agent_turns is not None:
        turns = len(_agent(result.messages))
        score = min(score, min(1.0, check.max_agent_turns / max(turns, 1)))
        parts.append(f"{turns} agent turns (budget {check.max_agent_turns})")
    if check.max_seconds is not None:
        seconds = result.duration_s
        score = min(score, min(1.0, check.max_seconds / seconds) if seconds > 0 else 1.0)
        parts.append(f"{seconds:.0f} s (budget {check.max_seconds:g} s)")
    verdict = "within budget" if score >= 1.0 else "over budget"
    return CheckResult(round(score, 4), f"The call took {' and '.join(parts)}: {verdict}.")


CheckFunction = Callable[..., CheckResult]

CHECKS: dict[str, CheckFunction] = {
    "says": check_says,
    "avoids": check_avoids,
    "asks_before_disclosing": check_asks_before_disclosing,
    "empathy_after_complaint": check_empathy,
    "confirms_resolution": check_confirms_resolution,
    "exit_condition_met": check_exit_condition,
    "within_budget": check_within_budget,
    "greets": check_greets,
    "closes": check_closes,
    "stays_professional": check_stays_professional,
    "resolves_within_policy": check_resolves_within_policy,
    "talk_ratio": check_talk_ratio,
    "long_silences": check_long_silences,
    "trainee_interruptions": check_trainee_interruptions,
    "words_per_minute": check_words_per_minute,
    "builds_rapport": check_builds_rapport,
    "asks_open_questions": check_asks_open_questions,
    "plays_back_needs": check_plays_back_needs,
    "agrees_next_step": check_agrees_next_step,
    "avoids_pressure": check_avoids_pressure,
    "stays_concise": check_stays_concise,
}
"""Check kind -> function(check, result, scenario)."""


def run_check(check: Check, result: ConversationResult, scenario: Scenario) -> CheckResult:
    """Evaluate one check of any kind."""
    return CHECKS[check.kind](check, result, scenario)
