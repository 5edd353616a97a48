"""Time-based checks of voice calls: talk ratio, long silences, interruptions, pace.

They read each transcript turn's speech times from ``Message.meta["voice"]`` (``start_s`` and
``end_s``, seconds into the call's recording; the voice runtime writes them, see
``understudy.voice.call``) and the cut-off mark ``meta["cut_off"]``. A call without speech times
(a chat call) makes them not applicable (score None).
"""

from __future__ import annotations

import itertools
import re

from understudy.domain.rubric import (
    LongSilencesCheck,
    TalkRatioCheck,
    TraineeInterruptionsCheck,
    WordsPerMinuteCheck,
)
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import ConversationResult, Message, Role
from understudy.graders.check_result import CheckResult

_NOT_VOICE = "Not applicable: the call has no speech times (not a voice call)."


def speech_span(message: Message) -> tuple[float, float] | None:
    """Return a turn's (start, end) speech time in seconds, or None when it has none."""
    voice = message.meta.get("voice")
    if not isinstance(voice, dict):
        return None
    start, end = voice.get("start_s"), voice.get("end_s")
    if not isinstance(start, int | float) or not isinstance(end, int | float) or end < start:
        return None
    return float(start), float(end)


def _timed(result: ConversationResult) -> list[tuple[Message, float, float]]:
    timed = []
    for message in result.messages:
        span = speech_span(message)
        if span is not None:
            timed.append((message, *span))
    return timed


def _talk_s(timed: list[tuple[Message, float, float]], role: Role) -> float:
    return sum(end - start for m, start, end in timed if m.role is role)


def check_talk_ratio(
    check: TalkRatioCheck, result: ConversationResult, scenario: Scenario
) -> CheckResult:
    """Score ``talk_ratio``: 1 inside the range, falling linearly to 0 at a share of 0 or 1."""
    timed = _timed(result)
    trainee, customer = _talk_s(timed, Role.agent), _talk_s(timed, Role.customer)
    if not timed or trainee + customer <= 0:
        return CheckResult(None, _NOT_VOICE)
    share = trainee / (trainee + customer)
    if share < check.min_share:
        score = share / check.min_share if check.min_share > 0 else 1.0
    elif share > check.max_share:
        score = (1 - share) / (1 - check.max_share) if check.max_share < 1 else 1.0
    else:
        score = 1.0
    verdict = "within" if score >= 1 else "outside"
    return CheckResult(
        round(score, 4),
        f"The trainee talked {trainee:.0f} s of {trainee + customer:.0f} s ({share:.0%}), "
        f"{verdict} {check.min_share:.0%}-{check.max_share:.0%}.",
    )


def check_long_silences(
    check: LongSilencesCheck, result: ConversationResult, scenario: Scenario
) -> CheckResult:
    """Score ``long_silences``: halved for each gap after a customer turn over the limit."""
    timed = _timed(result)
    if not timed:
        return CheckResult(None, _NOT_VOICE)
    gaps: list[tuple[int, float]] = []
    for (before, _, end), (after, start, _) in itertools.pairwise(timed):
        if before.role is Role.customer and after.role is Role.agent:
            gaps.append((after.index, start - end))
    long = [(index, gap) for index, gap in gaps if gap > check.max_silence_s]
    if not long:
        longest = max((gap for _, gap in gaps), default=0.0)
        return CheckResult(
            1.0, f"No silence over {check.max_silence_s:g} s (longest {longest:.1f} s)."
        )
    where = ", ".join(f"{gap:.1f} s before turn {index}" for index, gap in long)
    return CheckResult(
        round(0.5 ** len(long), 4),
        f"{len(long)} silence(s) over {check.max_silence_s:g} s: {where}.",
    )


def check_trainee_interruptions(
    check: TraineeInterruptionsCheck, result: ConversationResult, scenario: Scenario
) -> CheckResult:
    """Score ``trainee_interruptions``: halved for each cut-off beyond ``max_count``."""
    if not _timed(result):
        return CheckResult(None, _NOT_VOICE)
    cut = [m.index for m in result.messages if m.role is Role.customer and m.meta.get("cut_off")]
    over = max(0, len(cut) - check.max_count)
    where = f" (turns {', '.join(map(str, cut))})" if cut else ""
    return CheckResult(
        round(0.5**over, 4),
        f"The trainee talked over the customer {len(cut)} time(s){where}; "
        f"{check.max_count} allowed.",
    )


def check_words_per_minute(
    check: WordsPerMinuteCheck, result: ConversationResult, scenario: Scenario
) -> CheckResult:
    """Score ``words_per_minute``: 1 inside the range, else bound / pace or pace / bound."""
    timed = [(m, s, e) for m, s, e in _timed(result) if m.role is Role.agent]
    seconds = sum(end - start for _, start, end in timed)
    if not timed or seconds <= 0:
        return CheckResult(None, _NOT_VOICE)
    words = sum(len(re.findall(r"[\w']+", m.text)) for m, _, _ in timed)
    pace = words / seconds * 60
    if pace < check.min_wpm:
        score = pace / check.min_wpm
    elif pace > check.max_wpm:
        score = check.max_wpm / pace
    else:
        score = 1.0
    verdict = "within" if score >= 1 else "outside"
    return CheckResult(
        round(score, 4),
        f"The trainee spoke {words} words in {seconds:.0f} s: {pace:.0f} words a minute, "
        f"{verdict} {check.min_wpm:g}-{check.max_wpm:g}.",
    )
