"""Checks of a sales discovery call, read from meaning and order (``graders.sales_acts``).

Each check scores one criterion of the ``sales-discovery-call`` rubric the way the sales
labelling guide (``docs/grader-labelling.md``) does: 1 done, 0.5 partly done, 0 missed, None when
the call gave the rep no chance (the prospect left for her own reasons before it would come).
Rationales name the turn; evidence quotes are whole sentences cut verbatim from the messages.
"""

from __future__ import annotations

import re

from understudy.domain.rubric import (
    AgreesNextStepCheck,
    AsksOpenQuestionsCheck,
    AvoidsPressureCheck,
    BuildsRapportCheck,
    PlaysBackNeedsCheck,
    StaysConciseCheck,
)
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import ConversationResult, Message, Role, TerminationReason
from understudy.graders import sales_acts
from understudy.graders.acts import Sentence, sentences
from understudy.graders.check_result import CheckResult
from understudy.graders.semantic_checks import (
    NEGATED,
    agent_turns,
    agrees,
    evidence_of,
    first_sentence,
)
from understudy.matching import best_match

_REFUSAL = re.compile(
    r"^(?:no|nope|not|maybe|i'll (?:let you know|think|see)|i don't know|i can't)\b|"
    r"\b(?:too (?:fast|soon)|not (?:now|yet|today)|let you know)\b|"
    r"\b(?:doesn't|does not|won't|wouldn't|can't|cannot|couldn't) (?:work|do|make|manage)\b|"
    r"\bnot (?:possible|a good (?:time|day))\b"
)
_AGREES = re.compile(
    r"\b(?:works|suits|is fine|sounds good|see you|perfect|great|okay|ok|sure)\b|"
    r"\b(?:is|'s|sounds|looks) (?:good|fine|great|perfect|okay|ok|grand)\b|^fine\b|, fine\b"
)


_TAG = re.compile(
    r"(?:is|was|did|have|has|does|do|am|are|would|could|anything|fair|right|correct|yeah|yes|"
    r"ok|okay|or|that's)\b"
)
"""A clause that checks the playback ("is that a fair summary?", "did I miss anything"), not a
need."""


def _left_on_her_own(result: ConversationResult, check_pressure: bool = True) -> bool:
    """The prospect ended the call on her turn, and not after being pressed (then the rep had
    no chance to do what comes later in a call)."""
    last = result.messages[-1] if result.messages else None
    if last is None or last.role is not Role.customer:
        return False
    if result.termination_reason is not TerminationReason.customer_left:
        return False
    return not check_pressure or not any(
        sales_acts.presses(s) for m in agent_turns(result) for s in sentences(m)
    )


def check_builds_rapport(
    check: BuildsRapportCheck, result: ConversationResult, scenario: Scenario
) -> CheckResult:
    """Score ``builds_rapport``: in the rep's first ``first_agent_turns`` turns, a greeting and
    some rapport 1; a greeting only (rapport later or never) 0.5; no greeting 0."""
    turns = agent_turns(result)
    if not turns:
        return CheckResult(None, "The rep said nothing, so there was no opening to grade.")
    first = turns[: check.first_agent_turns]
    greeting = next(((m, s) for m in first if (s := first_sentence(m, sales_acts.greets))), None)
    rapport = next(
        (
            (m, s)
            for m in first
            if (s := first_sentence(m, lambda x: bool(sales_acts.RAPPORT.search(x.low))))
        ),
        None,
    )
    if greeting is None:
        return CheckResult(
            0.0,
            f"The rep's first {len(first)} turn(s) have no greeting.",
            [evidence_of(first[0], sentences(first[0])[0])],
        )
    if rapport is None:
        return CheckResult(
            0.5,
            f"The rep greeted on turn {greeting[0].index} but went straight to business.",
            [evidence_of(*greeting)],
        )
    return CheckResult(
        1.0,
        f"The rep greeted (turn {greeting[0].index}) and built rapport (turn {rapport[0].index}).",
        [evidence_of(*greeting), evidence_of(*rapport)],
    )


def check_asks_open_questions(
    check: AsksOpenQuestionsCheck, result: ConversationResult, scenario: Scenario
) -> CheckResult:
    """Score ``asks_open_questions``: open discovery questions, at most one per rep turn (stacked
    questions count once); ``min_count`` or more 1, fewer but some 0.5, none 0."""
    found: list[tuple[Message, Sentence]] = []
    for message in agent_turns(result):
        question = first_sentence(message, sales_acts.open_question)
        if question is not None:
            found.append((message, question))
    count = len(found)
    turns = ", ".join(str(m.index) for m, _s in found)
    if count >= check.min_count:
        score, why = 1.0, f"The rep asked {count} open discovery questions (turns {turns})."
    elif count:
        score = 0.5
        why = f"The rep asked only {count} open discovery question(s) (turn {turns}); "
        why += f"{check.min_count} are expected."
    else:
        score, why = 0.0, "The rep asked no open discovery question (only closed or none)."
    return CheckResult(score, why, [evidence_of(m, s) for m, s in found[:4]])


def _playback_clauses(message: Message, heard: set[str]) -> tuple[Sentence, int, bool] | None:
    """The playback in a rep turn, how many things the prospect said it names (clauses naming
    them, or pairs of her words where a spoken playback runs on without commas), and whether it
    adds a need she never stated; None when the turn has no playback."""
    parts = sentences(message)
    for i, sentence in enumerate(parts):
        if not sales_acts.PLAYBACK_CUE.search(sentence.low):
            continue
        span = [sentence]
        if sales_acts.META_CUE.search(sentence.low) and i + 1 < len(parts):
            span.append(parts[i + 1])
        text = " ".join(s.low for s in span)
        clauses = re.split(r"[,;:]|\band\b|\bbut\b|\bplus\b|\.", text)
        named = sum(1 for c in clauses if sales_acts.content_words(c) & heard)
        if not any(ch.isupper() or ch in ",;:" for s in span for ch in s.text):
            # a speech transcript's playback runs on without commas: two of her words per point
            named = max(named, len(sales_acts.content_words(text) & heard) // 2)
        added = named > 0 and any(
            not sales_acts.content_words(c) & heard
            and (
                sales_acts.ADDS_NEED.search(c)
                or (
                    len(sales_acts.content_words(c)) >= 2
                    and not sales_acts.PLAYBACK_CUE.search(c)
                    and not _TAG.match(c.strip())
                )
            )
            for c in clauses
        )
        return sentence, named, added
    return None


def check_plays_back_needs(
    check: PlaysBackNeedsCheck, result: ConversationResult, scenario: Scenario
) -> CheckResult:
    """Score ``plays_back_needs``: a playback naming ``min_needs`` or more things the prospect
    said 1; one 0.5; a summary phrase that plays nothing back, or none, 0; None when she left
    on her own before a playback would come."""
    heard: set[str] = set()
    best: tuple[Message, Sentence, int, bool] | None = None
    for message in result.messages:
        if message.role is Role.customer:
            if message.index > 1:
                heard |= sales_acts.content_words(message.text)
            continue
        if message.role is not Role.agent or not message.text.strip():
            continue
        found = _playback_clauses(message, heard)
        if found is not None and (best is None or found[1] > best[2]):
            best = (message, *found)
    if best is None or best[2] == 0:
        if _left_on_her_own(result):
            return CheckResult(None, "The prospect left before a playback would come.")
        if best is not None:
            return CheckResult(
                0.0,
                f"The rep's summary on turn {best[0].index} plays back nothing the prospect said.",
                [evidence_of(best[0], best[1])],
            )
        return CheckResult(0.0, "The rep never played the prospect's needs back.")
    message, sentence, named, added = best
    if added:
        return CheckResult(
            0.5,
            f"The rep's playback on turn {message.index} adds a need the prospect never stated.",
            [evidence_of(message, sentence)],
        )
    if named >= check.min_needs:
        return CheckResult(
            1.0,
            f"The rep played back {named} of the prospect's points on turn {message.index}.",
            [evidence_of(message, sentence)],
        )
    return CheckResult(
        0.5,
        f"The rep's playback on turn {message.index} names only {named} of the prospect's points.",
        [evidence_of(message, sentence)],
    )


def check_agrees_next_step(
    check: AgreesNextStepCheck, result: ConversationResult, scenario: Scenario
) -> CheckResult:
    """Score ``agrees_next_step``: a concrete step (what and when) the prospect agrees to 1; a
    vague step, or a concrete one she did not agree to, 0.5; none 0; None when she left on her
    own before a step would come."""
    messages = result.messages
    vague: tuple[Message, Sentence] | None = None
    unagreed: tuple[Message, Sentence] | None = None
    pending = 0  # rep turns left in which a time may complete a step proposed without one
    for i, message in enumerate(messages):
        if message.role is not Role.agent or not message.text.strip():
            continue
        text = " ".join(s.low for s in sentences(message))
        parts = sentences(message)
        step = next(
            (s for i, s in enumerate(parts) if _proposes_step(s, parts[i + 1 : i + 2])), None
        )
        timed = bool(sales_acts.WHEN.search(text))
        if step is None and timed and pending:
            step = first_sentence(message, lambda s: bool(sales_acts.WHEN.search(s.low)))
        pending = max(pending - 1, 0)
        if step is None:
            continue
        if not timed:
            vague = vague or (message, step)
            pending = 2
            continue
        replies = [m for m in messages[i + 1 :] if m.role is Role.customer][:2]
        agreed = next((r for r in replies if _agrees_to_step(r, text)), None)
        if replies and agreed is not None and not _refuses(replies[0]):
            return CheckResult(
                1.0,
                f"The rep proposed a concrete next step on turn {message.index} and the prospect "
                f"agreed on turn {agreed.index}.",
                [evidence_of(message, step), evidence_of(agreed, sentences(agreed)[0])],
            )
        unagreed = unagreed or (message, step)
    if unagreed is not None:
        return CheckResult(
            0.5,
            f"The rep proposed a next step on turn {unagreed[0].index}, but the prospect did not "
            "agree to it.",
            [evidence_of(*unagreed)],
        )
    if vague is not None:
        return CheckResult(
            0.5,
            f"The rep's next step on turn {vague[0].index} has no set time.",
            [evidence_of(*vague)],
        )
    if _left_on_her_own(result):
        return CheckResult(None, "The prospect left before a next step would come.")
    return CheckResult(0.0, "The rep agreed no next step.")


def _refuses(message: Message) -> bool:
    return bool(_REFUSAL.search(" ".join(s.low for s in sentences(message))))


def _proposes_step(sentence: Sentence, following: list[Sentence]) -> bool:
    """A step (``sales_acts.STEP``) that the rep proposes or commits to (``PROPOSAL``), in the
    sentence or in a next sentence that offers a time ("The next step is a demo. Are you
    available Thursday at three?")."""
    if not sales_acts.STEP.search(sentence.low):
        return False
    if sales_acts.PROPOSAL.search(sentence.low):
        return True
    return any(
        sales_acts.PROPOSAL.search(s.low) and sales_acts.WHEN.search(s.low) for s in following
    )


def _agrees_to_step(message: Message, proposal: str = "") -> bool:
    """True when the prospect's reply agrees to a step: agreeing words, or the proposed time
    said back ("Wednesday at nine, I'll bring Tomás."), with no refusal."""
    low = " ".join(s.low for s in sentences(message))
    if _REFUSAL.search(low):
        return False
    echoed = {m.group(0) for m in sales_acts.WHEN.finditer(low)} & {
        m.group(0) for m in sales_acts.WHEN.finditer(proposal)
    }
    return agrees(message) or bool(_AGREES.search(low)) or bool(echoed)


def check_avoids_pressure(
    check: AvoidsPressureCheck, result: ConversationResult, scenario: Scenario
) -> CheckResult:
    """Score ``avoids_pressure``: pressing for a decision (or ``phrases``) 0; one nudge dropped
    at the prospect's no 0.5; none 1."""
    nudges: list[tuple[Message, Sentence]] = []
    for message in agent_turns(result):
        for sentence in sentences(message):
            kind = sales_acts.presses(sentence)
            if kind is None and check.phrases and not NEGATED.search(sentence.low):
                hit = best_match(check.phrases, sentence.text, check.threshold)
                kind = "pressure" if hit else None
            if kind == "pressure":
                return CheckResult(
                    0.0,
                    f"The rep pressed for a decision on turn {message.index}.",
                    [evidence_of(message, sentence)],
                )
            if kind == "nudge":
                nudges.append((message, sentence))
    if len(nudges) > 1:
        return CheckResult(
            0.0,
            f"The rep pushed for a decision again on turn {nudges[1][0].index}.",
            [evidence_of(*n) for n in nudges[:2]],
        )
    if nudges:
        message, sentence = nudges[0]
        return CheckResult(
            0.5,
            f"The rep nudged for a quicker decision once (turn {message.index}) and let it go.",
            [evidence_of(message, sentence)],
        )
    return CheckResult(1.0, "The rep never pressed the prospect to decide.")


def check_stays_concise(
    check: StaysConciseCheck, result: ConversationResult, scenario: Scenario
) -> CheckResult:
    """Score ``stays_concise``: over the turn or time budget 0; within it but
    with a monologue (a rep turn over ``max_words`` words, or the rep's share of all words over
    ``max_share``) 0.5; else 1."""
    turns = agent_turns(result)
    score = 1.0
    if check.max_agent_turns is not None and len(turns) > check.max_agent_turns:
        score = min(score, check.max_agent_turns / len(turns))
    if check.max_seconds is not None and result.duration_s > check.max_seconds:
        score = min(score, check.max_seconds / result.duration_s)
    if score < 1.0:
        return CheckResult(
            0.0,
            f"The call took {len(turns)} rep turns and {result.duration_s:.0f} s: over budget.",
        )
    words = {m.index: len(m.text.split()) for m in turns}
    spoken = sum(len(m.text.split()) for m in result.messages if m.text.strip())
    longest = max(words, key=lambda k: words[k]) if words else None
    share = sum(words.values()) / spoken if spoken else 0.0
    if longest is not None and words[longest] > check.max_words:
        message = next(m for m in turns if m.index == longest)
        return CheckResult(
            0.5,
            f"Within budget, but the rep's turn {longest} is a monologue of {words[longest]} "
            "words.",
            [evidence_of(message, sentences(message)[0])],
        )
    if share > check.max_share:
        return CheckResult(
            0.5, f"Within budget, but the rep did {share:.0%} of the talking: it crowded her out."
        )
    return CheckResult(1.0, f"Within budget ({len(turns)} rep turns), and the prospect had room.")
