"""Checks that read what the trainee did, from meaning and order (``understudy.graders.acts``).

Each check walks the transcript once, recognising what every agent sentence does, and scores
the criterion the way the labelling guide (``docs/grader-labelling.md``) does: 1 done, 0.5 partly
done, 0 missed, None when the call gave the trainee no chance to do it. The rationale names the
turn and says why; the evidence quotes are whole sentences cut verbatim from the messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from understudy.domain.grade import Evidence
from understudy.domain.rubric import (
    AsksBeforeDisclosingCheck,
    ClosesCheck,
    ConfirmsResolutionCheck,
    EmpathyAfterComplaintCheck,
    GreetsCheck,
    ResolvesWithinPolicyCheck,
    StaysProfessionalCheck,
)
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import (
    ActType,
    ConversationResult,
    Message,
    Role,
    TerminationReason,
)
from understudy.engine.exits import condition_met
from understudy.graders import acts, identity_answers
from understudy.graders.acts import Sentence, sentences
from understudy.graders.check_result import CheckResult
from understudy.matching import best_match

_COMPLAINT_ACTS = frozenset({ActType.complain, ActType.object})
_CONFIRM_ACTS = frozenset({ActType.affirm, ActType.thank})
_CUT_SHORT = frozenset(
    {
        TerminationReason.goal_met,
        TerminationReason.customer_left,
        TerminationReason.escalated,
        TerminationReason.max_turns,
        TerminationReason.time_limit,
    }
)
"""Endings that are not the trainee's choice: after a customer turn, the trainee had no say."""

NEGATED = re.compile(r"\b(?:won't|will not|not|can't|cannot|no longer|unless)\b")
"""A sentence that negates what it says ("I won't process the vacuum")."""


def evidence_of(message: Message, sentence: Sentence) -> Evidence:
    """The evidence quote for ``sentence`` of ``message`` (turn, role, verbatim text)."""
    return Evidence(turn=message.index, role=message.role, quote=sentence.text)


def agent_turns(result: ConversationResult) -> list[Message]:
    """The agent's (trainee's or rep's) non-empty turns, in order."""
    return [m for m in result.messages if m.role is Role.agent and m.text.strip()]


def first_sentence(message: Message, test: Callable[[Sentence], object]) -> Sentence | None:
    """The first sentence of ``message`` for which ``test`` is truthy, or None."""
    return next((s for s in sentences(message) if test(s)), None)


def agrees(message: Message) -> bool:
    """True when a customer turn agrees (an ``affirm``/``thank`` act or agreeing words)."""
    return any(a.type in _CONFIRM_ACTS for a in message.acts) or acts.customer_agrees(message)


def _cut_short(result: ConversationResult) -> bool:
    """True when the call ended on a customer turn, not by the trainee's choice."""
    last = result.messages[-1] if result.messages else None
    return (
        last is not None and last.role is Role.customer and result.termination_reason in _CUT_SHORT
    )


def check_greets(check: GreetsCheck, result: ConversationResult, scenario: Scenario) -> CheckResult:
    """Score ``greets``: the first agent turn (see ``GreetsCheck``)."""
    turns = agent_turns(result)
    if not turns:
        return CheckResult(None, "The agent said nothing, so there was no greeting to grade.")
    first = turns[0]
    courtesy = first_sentence(first, lambda s: bool(acts.COURTESY.search(s.low)))
    greeting = first_sentence(first, lambda s: acts.recognise("greeting", s))
    warm = courtesy or first_sentence(first, acts.shows_empathy)
    if warm is not None and (greeting is not None or courtesy is not None):
        shown = greeting or warm
        return CheckResult(
            1.0,
            f"The agent opened turn {first.index} with a greeting and an offer of help.",
            [evidence_of(first, shown)],
        )
    if greeting is not None:
        return CheckResult(
            0.5,
            f"The agent's first turn ({first.index}) greets but offers no help or welcome.",
            [evidence_of(first, greeting)],
        )
    return CheckResult(
        0.0,
        f"The agent's first turn ({first.index}) has no greeting.",
        [evidence_of(first, sentences(first)[0])],
    )


def check_closes(check: ClosesCheck, result: ConversationResult, scenario: Scenario) -> CheckResult:
    """Score ``closes``: the trainee's last turn (see ``ClosesCheck``)."""
    turns = agent_turns(result)
    if _cut_short(result):
        return CheckResult(
            None,
            f"The call ended ({result.termination_reason.value}) after the customer's last turn, "
            "before the trainee could close it.",
        )
    if not turns:
        return CheckResult(None, "The agent said nothing, so there was no closing to grade.")
    last = turns[-1]
    rude = first_sentence(last, lambda s: acts.unprofessional(s) is not None)
    if rude is not None:
        return CheckResult(
            0.0,
            f"The agent's last turn ({last.index}) ends on a hostile line.",
            [evidence_of(last, rude)],
        )
    close = first_sentence(last, lambda s: bool(acts.CLOSING.search(s.low)))
    if close is None:
        return CheckResult(
            0.0,
            f"The agent's last turn ({last.index}) does not close the call.",
            [evidence_of(last, sentences(last)[-1])],
        )
    if not any(acts.POLITE_CLOSE.search(s.low) for s in sentences(last)):
        return CheckResult(
            0.5,
            f"The agent's last turn ({last.index}) is a bare goodbye, with no thanks or wish.",
            [evidence_of(last, close)],
        )
    return CheckResult(
        1.0, f"The agent closed the call politely on turn {last.index}.", [evidence_of(last, close)]
    )


def check_stays_professional(
    check: StaysProfessionalCheck, result: ConversationResult, scenario: Scenario
) -> CheckResult:
    """Score ``stays_professional``: 0 at the first blaming, condescending, sarcastic or dismissive
    sentence (or extra phrase), else 1."""
    turns = agent_turns(result)
    if not turns:
        return CheckResult(None, "The agent said nothing, so there was nothing to judge.")
    found: list[tuple[Message, Sentence, str]] = []
    for message in turns:
        for sentence in sentences(message):
            kind = acts.unprofessional(sentence)
            if kind is None and check.phrases:
                hit = best_match(check.phrases, sentence.text, check.threshold)
                kind = f'forbidden wording ("{hit[0]}")' if hit else None
            if kind is not None:
                found.append((message, sentence, kind))
    if not found:
        return CheckResult(1.0, "The agent stayed respectful throughout.")
    message, _sentence, kind = found[0]
    kinds = ", ".join(dict.fromkeys(k for _m, _s, k in found))
    return CheckResult(
        0.0,
        f"The agent's turn {message.index} is unprofessional ({kinds}).",
        [evidence_of(m, s) for m, s, _k in found[:3]],
    )


def check_asks_before_disclosing(
    check: AsksBeforeDisclosingCheck, result: ConversationResult, scenario: Scenario
) -> CheckResult:
    """Score ``asks_before_disclosing`` from meaning and order.

    The caller counts as verified once they answer an agent turn that asked for identity fields.
    Any account detail before that (in any words, including in the asking turn itself) scores 0;
    verification asked with fewer fields than a full set (``acts.IDENTITY_SETS``) scores 0.5.
    Phrases given in the rubric (``ask_phrases``/``disclose_phrases``) count besides the
    recognisers.
    """
    messages = result.messages
    custom_ask = check.ask_phrases if check.ask_phrases != _default("ask") else []
    custom_disclose = (
        check.disclose_phrases if check.disclose_phrases != _default("disclose") else []
    )
    asked: set[str] = set()
    given: set[str] = set()
    ask_turn: tuple[Message, Sentence] | None = None
    verified = False
    for message in messages:
        if message.role is Role.customer:
            if ask_turn is not None and message.text.strip():
                gave = acts.identity_fields_given(message)
                given |= gave
                # "I don't remember which email I used" answers nothing
                verified = (
                    verified
                    or bool(gave & asked)
                    or not identity_answers.declines(message.clean_text or message.text)
                )
            continue
        disclosed_after = False
        for sentence in sentences(message):
            fields = acts.identity_fields_asked(sentence)
            if custom_ask and best_match(custom_ask, sentence.text, check.threshold):
                fields |= {"verify", *_full_set()}
                given |= _full_set()
            if fields:
                asked |= fields
                ask_turn = ask_turn or (message, sentence)
            disclosed = acts.discloses(sentence) or bool(
                custom_disclose and best_match(custom_disclose, sentence.text, check.threshold)
            )
            if disclosed and not verified:
                when = (
                    "before asking who the caller is"
                    if ask_turn is None
                    else f"before the caller answered the identity question of turn "
                    f"{ask_turn[0].index}"
                )
                return CheckResult(
                    0.0,
                    f"The agent disclosed account details on turn {message.index} {when}.",
                    [evidence_of(message, sentence)],
                )
            if disclosed:
                disclosed_after = True
                break
        if disclosed_after:
            break  # what was asked and answered before the first account detail decides
    if ask_turn is None:
        return CheckResult(0.0, "The agent never asked the caller to verify their identity.")
    message, sentence = ask_turn
    if acts.identity_level(asked) < 1.0:
        named = ", ".join(sorted(asked - {"verify"})) or "no identifying field"
        return CheckResult(
            0.5,
            f"The agent asked for identity on turn {message.index} before any account detail, "
            f"but only for {named}, not a full set (e.g. email, or name and zip code).",
            [evidence_of(message, sentence)],
        )
    if acts.identity_level(asked, given) < 1.0:
        missing = ", ".join(sorted(acts.unanswered_fields(asked, given)))
        return CheckResult(
            0.5,
            f"The agent asked for a full identity set on turn {message.index}, but went on "
            f"without the caller's {missing}.",
            [evidence_of(message, sentence)],
        )
    answered = ", ".join(sorted(given & asked)) or "an answer"
    return CheckResult(
        1.0,
        f"The agent verified the caller (asked on turn {message.index}; the caller gave "
        f"{answered}) before disclosing any account detail.",
        [evidence_of(message, sentence)],
    )


def _default(which: str) -> list[str]:
    from understudy.domain.rubric import ACCOUNT_DISCLOSURES, EMPATHY_PHRASES, IDENTITY_QUESTIONS

    defaults = {
        "ask": IDENTITY_QUESTIONS,
        "disclose": ACCOUNT_DISCLOSURES,
        "empathy": EMPATHY_PHRASES,
    }
    return list(defaults[which])


def _full_set() -> set[str]:
    return set(acts.IDENTITY_SETS[0])


def check_empathy(
    check: EmpathyAfterComplaintCheck, result: ConversationResult, scenario: Scenario
) -> CheckResult:
    """Score ``empathy_after_complaint``: 1 when every complaint is answered with empathy in the
    next agent turn, 0 when none is ever acknowledged, 0.5 otherwise (some answered, or
    acknowledged only a turn later).

    A complaint is a customer turn with a ``complain``/``object`` act, complaint wording
    (``acts.COMPLAINT`` or the rubric's ``complaint_phrases``) or one of the scenario's
    objections. Empathy is recognised from meaning (``acts.shows_empathy``): a bare "Sorry about
    that." is not empathy, nor is an apology in a sentence that blames or mocks.
    """
    messages = result.messages
    scores: list[float] = []
    evidence: list[Evidence] = []
    missed: list[int] = []
    late: list[int] = []
    extra = [] if check.phrases == _default("empathy") else check.phrases

    def empathic(sentence: Sentence) -> bool:
        if acts.shows_empathy(sentence):
            return True
        return bool(extra) and best_match(extra, sentence.text, check.threshold) is not None

    for i, message in enumerate(messages):
        if message.role is not Role.customer or not _complains(message, check, scenario):
            continue
        later = [m for m in messages[i + 1 :] if m.role is Role.agent and m.text.strip()]
        if not later:
            continue
        reply = later[0]
        kind = first_sentence(reply, empathic)
        if kind is not None:
            scores.append(1.0)
            evidence.append(evidence_of(reply, kind))
            continue
        afterwards = next(
            ((m, s) for m in later[1:] if (s := first_sentence(m, empathic)) is not None), None
        )
        if afterwards is not None:
            scores.append(0.5)
            late.append(message.index)
            evidence.append(evidence_of(*afterwards))
        else:
            scores.append(0.0)
            missed.append(message.index)
            evidence.append(evidence_of(message, sentences(message)[0]))
    if not scores:
        return CheckResult(None, "The customer made no complaint that needed an answer.")
    total = len(scores)
    parts = []
    if missed:
        parts.append(f"the complaint on turn(s) {', '.join(map(str, missed))} got none")
    if late:
        parts.append(
            f"the complaint on turn(s) {', '.join(map(str, late))} was acknowledged only later"
        )
    answered = total - len(missed) - len(late)
    if not parts:
        rationale = f"The agent answered all {total} complaint(s) with empathy in its next turn."
    else:
        rationale = (
            f"The agent answered {answered} of {total} complaint(s) with empathy in its next "
            f"turn; {'; '.join(parts)}."
        )
    # The labelling guide's levels: every complaint answered at once 1, none acknowledged 0,
    # anything between (some answered, or acknowledged a turn late) 0.5.
    value = 1.0 if all(v == 1.0 for v in scores) else 0.0 if not any(scores) else 0.5
    return CheckResult(value, rationale, evidence[:4])


def _complains(message: Message, check: EmpathyAfterComplaintCheck, scenario: Scenario) -> bool:
    if any(a.type in _COMPLAINT_ACTS for a in message.acts):
        return True
    if acts.is_complaint(message, scenario.objections):
        return True
    return best_match(check.complaint_phrases, message.text, check.threshold) is not None


def _resolution_turn(result: ConversationResult, scenario: Scenario) -> Message | None:
    """The agent turn where the request was acted on (the first "done"), else where the remedy
    of an exit condition was last stated."""
    turns = agent_turns(result)
    done = next((m for m in turns if first_sentence(m, _is_done) is not None), None)
    if done is not None:
        return done
    phrases = [p for c in scenario.exit_conditions for p in c.agent_says]
    stated = [m for m in turns if phrases and _states_remedy(m, phrases)]
    return stated[-1] if stated else None


def _is_done(sentence: Sentence) -> bool:
    return bool(acts.DONE.search(sentence.low))


def check_confirms_resolution(
    check: ConfirmsResolutionCheck, result: ConversationResult, scenario: Scenario
) -> CheckResult:
    """Score ``confirms_resolution``: after acting on the request, the agent checked it was
    resolved (not permission to proceed) and the customer agreed: 1; checked only: 0.5; never:
    0; not applicable when the call ended on the customer's turn before any check."""
    messages = result.messages
    start = _resolution_turn(result, scenario)
    first_index = start.index if start is not None else 0
    checked: tuple[Message, Sentence] | None = None
    for i, message in enumerate(messages):
        if message.role is not Role.agent or message.index < first_index:
            continue
        found = first_sentence(
            message,
            lambda s: (
                bool(acts.RESOLUTION_CHECK.search(s.low)) and not acts.PERMISSION.search(s.low)
            ),
        )
        if found is None and check.phrases and check.phrases != _default_checks():
            hit = best_match(check.phrases, message.text, check.threshold)
            found = next((s for s in sentences(message) if hit and hit[0] in s.low), None)
        if found is None:
            continue
        checked = (message, found)
        reply = next((m for m in messages[i + 1 :] if m.role is Role.customer), None)
        if reply is not None and agrees(reply):
            return CheckResult(
                1.0,
                f"The agent checked the resolution on turn {message.index} and the customer "
                f"agreed on turn {reply.index}.",
                [evidence_of(message, found), evidence_of(reply, sentences(reply)[0])],
            )
    if checked is not None:
        message, found = checked
        return CheckResult(
            0.5,
            f"The agent checked the resolution on turn {message.index}, but the customer did not "
            "confirm it.",
            [evidence_of(message, found)],
        )
    left = result.termination_reason is TerminationReason.customer_left
    if _cut_short(result) and not left and (start is None or not _agent_after(result, start)):
        return CheckResult(
            None,
            f"The call ended ({result.termination_reason.value}) on the customer's turn before "
            "the trainee could check the resolution.",
        )
    why = "" if start is None else f" after acting on the request (turn {start.index})"
    return CheckResult(
        0.0,
        f"The agent never checked that the issue was resolved{why}; asking permission to "
        "proceed does not count.",
    )


def _agent_after(result: ConversationResult, message: Message) -> bool:
    return any(m.role is Role.agent and m.index > message.index for m in result.messages)


def _default_checks() -> list[str]:
    from understudy.domain.rubric import RESOLUTION_CHECKS

    return list(RESOLUTION_CHECKS)


_REFUND = re.compile(
    r"\b(?:refund|money (?:goes |will go |would go |will be |is )?back|put (?:the|your) money back|"
    r"reimburse|get (?:your|the) money back)"
)
_ORIGINAL_METHOD = re.compile(
    r"\b(?:original (?:payment|card|method)|(?:the |your )?card you (?:paid|bought|used|purchased)|"
    r"same card|payment method you used|back (?:on|to) (?:that|the|your) card)"
)


def _states_remedy(message: Message, phrases: list[str]) -> bool:
    """True when an agent turn states an exit condition's remedy, in its words or paraphrased
    (a refund described as "the money goes back on the card you paid with")."""
    if best_match(phrases, message.text) is not None:
        return True
    wants_original = any(_ORIGINAL_METHOD.search(p.lower()) for p in phrases)
    wants_refund = any(_REFUND.search(p.lower()) for p in phrases)
    if not wants_refund:
        return False
    for sentence in sentences(message):
        if not _REFUND.search(sentence.low):
            continue
        if not wants_original or _ORIGINAL_METHOD.search(sentence.low):
            return True
    text = " ".join(s.low for s in sentences(message))
    return bool(_REFUND.search(text)) and (
        not wants_original or bool(_ORIGINAL_METHOD.search(text))
    )


def _remedy_agreed(
    result: ConversationResult, scenario: Scenario, condition_id: str | None
) -> bool:
    conditions = [
        c for c in scenario.exit_conditions if condition_id is None or c.id == condition_id
    ]
    for condition in conditions:
        if condition_met(condition, result.messages):
            return True
        for i, message in enumerate(result.messages):
            if message.role is not Role.agent or not _states_remedy(message, condition.agent_says):
                continue
            if not condition.customer_confirms:
                return True
            if any(m.role is Role.customer and agrees(m) for m in result.messages[i + 1 :]):
                return True
    return False


def check_resolves_within_policy(
    check: ResolvesWithinPolicyCheck, result: ConversationResult, scenario: Scenario
) -> CheckResult:
    """Score ``resolves_within_policy`` (see ``ResolvesWithinPolicyCheck``)."""
    if not scenario.exit_conditions:
        return CheckResult(None, "The scenario has no exit condition to resolve.")
    policy = scenario.policy
    turns = agent_turns(result)
    offered: tuple[Message, Sentence, str] | None = None
    for message in turns:
        for sentence in sentences(message):
            if NEGATED.search(sentence.low):
                continue
            hit = best_match(policy.must_not_offer, sentence.text, 90.0)
            if hit is not None and offered is None:
                offered = (message, sentence, hit[0])
    resolved = _remedy_agreed(result, scenario, check.condition)
    if offered is not None:
        message, sentence, what = offered
        if not resolved:
            return CheckResult(
                0.0,
                f"The agent offered {what} on turn {message.index}, which the scenario's policy "
                "does not allow.",
                [evidence_of(message, sentence)],
            )
        return CheckResult(
            0.5,
            f"The request was resolved, but the agent offered {what} on turn {message.index}, "
            "which the scenario's policy does not allow.",
            [evidence_of(message, sentence)],
        )
    sent_away = _sent_elsewhere(turns)
    if sent_away is not None:
        message, sentence = sent_away
        return CheckResult(
            0.0,
            f"The agent sent the caller elsewhere on turn {message.index} instead of setting the "
            "request up.",
            [evidence_of(message, sentence)],
        )
    if not resolved:
        names = "; ".join(
            c.description or c.id
            for c in scenario.exit_conditions
            if check.condition is None or c.id == check.condition
        )
        return CheckResult(0.0, f"The request was not resolved: {names}.")
    broken = _broken_steps(result, scenario)
    if broken:
        message, sentence, why = broken[0]
        return CheckResult(
            0.5,
            f"The request was resolved, but {why} (turn {message.index}).",
            [evidence_of(m, s) for m, s, _w in broken[:2]],
        )
    return CheckResult(1.0, "The request was resolved the way the scenario's policy asks.")


def _sent_elsewhere(turns: list[Message]) -> tuple[Message, Sentence] | None:
    """The first sentence sending the caller to a website or a colleague, when the agent never
    acted on the request itself (no "done" sentence); else None."""
    sent: tuple[Message, Sentence] | None = None
    for message in turns:
        for sentence in sentences(message):
            if acts.DEFLECT.search(sentence.low):
                sent = sent or (message, sentence)
            elif _is_done(sentence) and not NEGATED.search(sentence.low):
                return None
    return sent


def _broken_steps(
    result: ConversationResult, scenario: Scenario
) -> list[tuple[Message, Sentence, str]]:
    policy = scenario.policy
    phrases = [p for c in scenario.exit_conditions for p in c.agent_says]
    item_name = str(scenario.goal.known_info.get("item", "")).lower().strip()

    def _names_item(message: Message) -> bool:
        return bool(item_name) and item_name in message.text.lower()

    broken: list[tuple[Message, Sentence, str]] = []
    early: list[tuple[Message, Sentence, str]] = []
    verified = False
    asked = False
    permission_asked = False
    agreed = False
    acted = False
    read_back = False
    for message in result.messages:
        if message.role is Role.customer:
            if asked and message.text.strip():
                verified = True
            if permission_asked and agrees(message):
                agreed = True
            continue
        for sentence in sentences(message):
            if acts.identity_fields_asked(sentence):
                asked = True
            promise = bool(acts.PROMISE.search(sentence.low)) or (
                bool(phrases) and best_match(phrases, sentence.text) is not None
            )
            if (
                policy.verify_before_promising
                and promise
                and not verified
                and not sentence.question
                and not acts.PERMISSION.search(sentence.low)
            ):
                early.append((message, sentence, "the remedy was promised before verification"))
            if acts.PERMISSION.search(sentence.low):
                permission_asked = True
            negated = bool(NEGATED.search(sentence.low))
            if _is_done(sentence) and not negated:
                if not acted and policy.confirm_before_acting and not agreed:
                    broken.append((message, sentence, "the agent acted without the customer's yes"))
                elif not acted and policy.confirm_before_acting and phrases and not read_back:
                    broken.append(
                        (
                            message,
                            sentence,
                            "the agent set it up before reading back what would be done",
                        )
                    )
                acted = True
                item = best_match(policy.must_not_process, sentence.text, 90.0)
                if item is not None:
                    broken.append(
                        (message, sentence, f"the agent acted on the {item[0]}, only asked about")
                    )
        if not acted and phrases and (_states_remedy(message, phrases) or _names_item(message)):
            read_back = True
    # A promise before verification breaks the policy when the trainee verified afterwards; a
    # call with no verification at all fails identity verification instead.
    return (early if verified else []) + broken
