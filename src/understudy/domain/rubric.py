"""Rubrics: how a practice attempt is scored, criterion by criterion.

A rubric is a YAML file (``# kind: rubric``; format in ``docs/rubrics.md``) with criteria; each
criterion has a weight, an optional ``fatal`` flag and one or more checks. A check is one rule of a
well-defined kind that the offline grader evaluates on the transcript:

``says``
    an agent turn matches one of ``phrases`` (fuzzy, ``understudy.matching``), optionally only in
    the first or last agent turns, and in at least ``min_count`` distinct turns.
``avoids``
    no agent turn matches any of ``phrases`` (forbidden wording).
``asks_before_disclosing``
    the agent asked for identity (``ask_phrases``) before its first turn that discloses account
    details (``disclose_phrases``).
``empathy_after_complaint``
    every customer complaint is answered, in the next agent turn, with empathy (``phrases``).
``confirms_resolution``
    the agent checked that the issue is resolved (``phrases``) and the customer confirmed.
``exit_condition_met``
    an exit condition of the scenario (``condition``, or any) was met.
``within_budget``
    the call stayed within ``max_agent_turns`` and/or ``max_seconds``.
``greets``
    the first agent turn greets and offers help (half for a bare greeting).
``closes``
    the last agent turn closes politely (half for a bare "bye"); not applicable when the call
    ended before the trainee had a turn after the customer's last message.
``stays_professional``
    no agent sentence blames, talks down to, mocks or dismisses the customer (recognised from
    meaning, plus any extra ``phrases``).
``resolves_within_policy``
    the scenario's exit condition was met within the scenario's ``policy`` (no forbidden offer,
    the customer's yes before acting, no promise before verification, nothing processed that
    was only asked about).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from understudy.domain.base import StrictModel

IDENTITY_QUESTIONS = [
    "your email",
    "email address",
    "zip code",
    "postcode",
    "verify your identity",
    "confirm your identity",
    "your full name",
    "your name and",
    "date of birth",
    "security question",
    "last four digits",
    "account number",
]
"""Default phrases of an agent asking for identity (``asks_before_disclosing``)."""

ACCOUNT_DISCLOSURES = [
    "your order",
    "the order was",
    "order number",
    "your account",
    "your balance",
    "your card ending",
    "on file",
    "was delivered",
    "your address is",
    "your payment method",
    "you paid",
]
"""Default phrases of an agent disclosing account details (``asks_before_disclosing``)."""

EMPATHY_PHRASES = [
    "i'm sorry",
    "i am sorry",
    "so sorry",
    "sorry to hear",
    "i apologize",
    "i apologise",
    "my apologies",
    "i understand",
    "i can understand",
    "that must be",
    "i can see why",
    "that sounds frustrating",
    "i hear you",
]
"""Default empathy phrases (``empathy_after_complaint``)."""

COMPLAINT_PHRASES = [
    "doesn't work",
    "does not work",
    "not working",
    "broken",
    "ridiculous",
    "unacceptable",
    "frustrated",
    "frustrating",
    "annoyed",
    "disappointed",
    "angry",
    "upset",
    "terrible",
    "still waiting",
    "nobody helped",
    "charged twice",
]
"""Default phrases that make a customer turn a complaint, besides ``complain``/``object`` acts."""

RESOLUTION_CHECKS = [
    "anything else",
    "does that resolve",
    "does that solve",
    "is that all",
    "have i answered",
    "does that help",
    "does that work for you",
    "is that okay",
    "can you confirm",
    "shall i go ahead",
    "would you like me to proceed",
    "do you want me to proceed",
]
"""Default phrases of an agent checking the resolution (``confirms_resolution``)."""


class SaysCheck(StrictModel):
    """The agent said something matching one of ``phrases``.

    Attributes:
        kind: ``says``.
        phrases: any of these counts; wording may vary (fuzzy match).
        first_agent_turns: look only at the first N agent turns (e.g. 1 for a greeting).
        last_agent_turns: look only at the last N agent turns (e.g. 2 for a closing).
        min_count: distinct agent turns that must match for a full score; fewer give a
            proportional score.
        threshold: fuzzy match threshold, 0-100 (default 85, see ``understudy.matching``).
    """

    kind: Literal["says"]
    phrases: list[str] = Field(min_length=1)
    first_agent_turns: int | None = Field(default=None, ge=1)
    last_agent_turns: int | None = Field(default=None, ge=1)
    min_count: int = Field(default=1, ge=1)
    threshold: float = Field(default=85.0, ge=0, le=100)


class AvoidsCheck(StrictModel):
    """No agent turn matched a forbidden phrase.

    Attributes:
        kind: ``avoids``.
        phrases: forbidden wording.
        threshold: fuzzy match threshold, 0-100.
    """

    kind: Literal["avoids"]
    phrases: list[str] = Field(min_length=1)
    threshold: float = Field(default=90.0, ge=0, le=100)


class AsksBeforeDisclosingCheck(StrictModel):
    """The agent asked for identity (or a slot) before disclosing account details.

    Attributes:
        kind: ``asks_before_disclosing``.
        ask_phrases: what asking for identity sounds like (default ``IDENTITY_QUESTIONS``).
        disclose_phrases: what disclosing account details sounds like (default
            ``ACCOUNT_DISCLOSURES``).
        threshold: fuzzy match threshold, 0-100.
    """

    kind: Literal["asks_before_disclosing"]
    ask_phrases: list[str] = Field(default_factory=lambda: list(IDENTITY_QUESTIONS))
    disclose_phrases: list[str] = Field(default_factory=lambda: list(ACCOUNT_DISCLOSURES))
    threshold: float = Field(default=90.0, ge=0, le=100)


class EmpathyAfterComplaintCheck(StrictModel):
    """Each customer complaint was answered with empathy in the agent's next turn.

    A customer turn is a complaint when it carries a ``complain`` or ``object`` act, or matches
    ``complaint_phrases``. Not applicable when the customer never complained.

    Attributes:
        kind: ``empathy_after_complaint``.
        phrases: empathy wording (default ``EMPATHY_PHRASES``).
        complaint_phrases: complaint wording (default ``COMPLAINT_PHRASES``).
        threshold: fuzzy match threshold, 0-100.
    """

    kind: Literal["empathy_after_complaint"]
    phrases: list[str] = Field(default_factory=lambda: list(EMPATHY_PHRASES))
    complaint_phrases: list[str] = Field(default_factory=lambda: list(COMPLAINT_PHRASES))
    threshold: float = Field(default=90.0, ge=0, le=100)


class ConfirmsResolutionCheck(StrictModel):
    """The agent checked the resolution with the customer, and the customer confirmed.

    Full score when an agent turn matches ``phrases`` and a later customer turn confirms (an
    ``affirm``/``thank`` act or a confirming word); half when the customer did not confirm.

    Attributes:
        kind: ``confirms_resolution``.
        phrases: wording of the check (default ``RESOLUTION_CHECKS``).
        threshold: fuzzy match threshold, 0-100.
    """

    kind: Literal["confirms_resolution"]
    phrases: list[str] = Field(default_factory=lambda: list(RESOLUTION_CHECKS))
    threshold: float = Field(default=85.0, ge=0, le=100)


class ExitConditionMetCheck(StrictModel):
    """An exit condition of the scenario was met.

    Not applicable when the scenario has no exit conditions.

    Attributes:
        kind: ``exit_condition_met``.
        condition: id of the exit condition; None means any of them.
    """

    kind: Literal["exit_condition_met"]
    condition: str | None = None


class WithinBudgetCheck(StrictModel):
    """The call stayed within a budget of agent turns and/or seconds.

    Over budget, the score is budget / actual (so twice the budget scores 0.5).

    Attributes:
        kind: ``within_budget``.
        max_agent_turns: agent turns allowed.
        max_seconds: call duration allowed, in seconds.
    """

    kind: Literal["within_budget"]
    max_agent_turns: int | None = Field(default=None, ge=1)
    max_seconds: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _some_budget(self) -> WithinBudgetCheck:
        if self.max_agent_turns is None and self.max_seconds is None:
            raise ValueError("expected max_agent_turns or max_seconds, got neither")
        return self


class GreetsCheck(StrictModel):
    """The first agent turn greets the customer and offers help.

    1 for a greeting with a courtesy or offer of help ("Good morning, thanks for calling"), 0.5
    for a bare greeting ("Hi."), 0 for none.

    Attributes:
        kind: ``greets``.
    """

    kind: Literal["greets"]


class ClosesCheck(StrictModel):
    """The trainee's last turn closes the call politely.

    1 for a polite close in any words, 0.5 for a bare "Bye.", 0 for none or a hostile last line;
    not applicable when the call ended (exit condition, customer left) after a customer turn,
    so the trainee had no turn to close.

    Attributes:
        kind: ``closes``.
    """

    kind: Literal["closes"]


class StaysProfessionalCheck(StrictModel):
    """No agent sentence blames, talks down to, mocks or dismisses the customer.

    Attributes:
        kind: ``stays_professional``.
        phrases: extra forbidden wording, matched fuzzily like ``avoids``.
        threshold: fuzzy match threshold for ``phrases``, 0-100.
    """

    kind: Literal["stays_professional"]
    phrases: list[str] = Field(default_factory=list)
    threshold: float = Field(default=90.0, ge=0, le=100)


class ResolvesWithinPolicyCheck(StrictModel):
    """The scenario's exit condition was met, within the scenario's ``policy``.

    0 when no exit condition was met or a remedy the policy forbids was offered; 0.5 when it was
    met but a step was broken (acted before the customer's yes, promised before verifying,
    processed something only asked about); 1 otherwise. Not applicable when the scenario has no
    exit conditions.

    Attributes:
        kind: ``resolves_within_policy``.
        condition: id of the exit condition; None means any of them.
    """

    kind: Literal["resolves_within_policy"]
    condition: str | None = None


class TalkRatioCheck(StrictModel):
    """Voice calls: the trainee's share of the talking time stays within a range.

    Talking time is the sum of each side's turn durations (start to end of its audio). 1 within
    ``[min_share, max_share]``; outside, the score falls linearly to 0 at a share of 0 or 1. Not
    applicable to calls without turn times (chat).

    Attributes:
        kind: ``talk_ratio``.
        min_share: lowest acceptable trainee share, 0..1 (default 0.3).
        max_share: highest acceptable trainee share, 0..1 (default 0.7: a trainee who talks more
            than twice as much as the customer is not listening).
    """

    kind: Literal["talk_ratio"]
    min_share: float = Field(default=0.3, ge=0, le=1)
    max_share: float = Field(default=0.7, ge=0, le=1)


class LongSilencesCheck(StrictModel):
    """Voice calls: no long silence after the customer finishes speaking.

    A silence is the gap from the end of a customer turn to the start of the trainee's next
    turn. 1 with no gap longer than ``max_silence_s``; each longer gap halves the score. Not
    applicable without turn times.

    Attributes:
        kind: ``long_silences``.
        max_silence_s: longest acceptable gap in seconds (default 5: the "dead air" limit
            contact-centre coaching commonly uses; set your own).
    """

    kind: Literal["long_silences"]
    max_silence_s: float = Field(default=5.0, gt=0)


class TraineeInterruptionsCheck(StrictModel):
    """Voice calls: the trainee seldom talks over the customer.

    Counts the customer turns cut off by the trainee (barge-in). 1 up to ``max_count``; each
    one more halves the score. Not applicable without turn times.

    Attributes:
        kind: ``trainee_interruptions``.
        max_count: interruptions allowed (default 0).
    """

    kind: Literal["trainee_interruptions"]
    max_count: int = Field(default=0, ge=0)


class WordsPerMinuteCheck(StrictModel):
    """Voice calls: the trainee speaks at a comfortable pace.

    Pace is the trainee's transcribed words over its talking time. 1 within
    ``[min_wpm, max_wpm]``; outside, the score is the ratio of the nearer bound to the pace (or
    of the pace to it), so half or twice the range scores 0.5. Not applicable without turn times.

    Attributes:
        kind: ``words_per_minute``.
        min_wpm: slowest acceptable pace (default 110).
        max_wpm: fastest acceptable pace (default 180; the defaults bracket the 140-160 words a
            minute usually recommended for phone calls, with a margin; set your own).
    """

    kind: Literal["words_per_minute"]
    min_wpm: float = Field(default=110.0, gt=0)
    max_wpm: float = Field(default=180.0, gt=0)


class BuildsRapportCheck(StrictModel):
    """Sales: the rep greets and builds rapport in the first turns.

    1 for a greeting and some rapport (thanks for the time, how are you, something about the
    prospect's day) in the first ``first_agent_turns`` rep turns; 0.5 for a greeting that goes
    straight to business; 0 for no greeting there.

    Attributes:
        kind: ``builds_rapport``.
        first_agent_turns: how many of the rep's first turns count.
    """

    kind: Literal["builds_rapport"]
    first_agent_turns: int = Field(default=2, ge=1)


class AsksOpenQuestionsCheck(StrictModel):
    """Sales: the rep asks open discovery questions.

    Open questions about the prospect's situation, needs, process, past attempts, timing or who
    decides, at most one per rep turn (stacked questions count once); yes/no questions, single
    facts ("how many staff?"), leading questions and small talk do not count. 1 for ``min_count``
    or more, 0.5 for fewer but some, 0 for none.

    Attributes:
        kind: ``asks_open_questions``.
        min_count: open questions for a full score.
    """

    kind: Literal["asks_open_questions"]
    min_count: int = Field(default=3, ge=1)


class PlaysBackNeedsCheck(StrictModel):
    """Sales: the rep plays the prospect's needs back in its own words.

    1 when a playback ("so what I'm hearing is...", "would it be fair to say...") names at least
    ``min_needs`` things the prospect said; 0.5 for one; 0 for a summary phrase that plays
    nothing back, or none; not applicable when the prospect left on her own before it would come.

    Attributes:
        kind: ``plays_back_needs``.
        min_needs: points of the prospect's the playback must name for a full score.
    """

    kind: Literal["plays_back_needs"]
    min_needs: int = Field(default=2, ge=1)


class AgreesNextStepCheck(StrictModel):
    """Sales: a concrete next step (what and when) that the prospect agrees to.

    1 for a demo, call or proposal at a set time the prospect agrees to; 0.5 for a vague step
    ("I'll follow up at some point") or one she did not agree to; 0 for none; not applicable
    when the prospect left on her own before it would come.

    Attributes:
        kind: ``agrees_next_step``.
    """

    kind: Literal["agrees_next_step"]


class AvoidsPressureCheck(StrictModel):
    """Sales: the rep never presses the prospect to decide.

    0 for pressing for a decision or signature on the call, an offer that expires, invented
    scarcity, "trust me", "everyone is switching", going around the decision maker, or a second
    push after a no, in any words (and any of ``phrases``); 0.5 for one nudge to decide sooner,
    dropped at the prospect's no; 1 otherwise. Sentences that rule pressure out ("there's
    nothing to decide today") do not count.

    Attributes:
        kind: ``avoids_pressure``.
        phrases: extra pressing wording, matched fuzzily.
        threshold: fuzzy match threshold for ``phrases``, 0-100.
    """

    kind: Literal["avoids_pressure"]
    phrases: list[str] = Field(default_factory=list)
    threshold: float = Field(default=90.0, ge=0, le=100)


class StaysConciseCheck(StrictModel):
    """Sales: a focused call, within budget and without monologues.

    Over the turn or time budget: 0 (the labelling guide's rule). Within it: 0.5 when a
    rep turn runs over ``max_words`` words or the rep says more than ``max_share`` of all the
    words (monologues that crowd the prospect out), else 1.

    Attributes:
        kind: ``stays_concise``.
        max_agent_turns: the rep's turn budget (None: no turn budget).
        max_seconds: the time budget (None: none).
        max_words: the longest rep turn that is not a monologue.
        max_share: the rep's largest share of all words spoken (0..1).
    """

    kind: Literal["stays_concise"]
    max_agent_turns: int | None = Field(default=None, ge=1)
    max_seconds: float | None = Field(default=None, gt=0)
    max_words: int = Field(default=100, ge=1)
    max_share: float = Field(default=0.8, gt=0, le=1)


Check = Annotated[
    SaysCheck
    | AvoidsCheck
    | AsksBeforeDisclosingCheck
    | EmpathyAfterComplaintCheck
    | ConfirmsResolutionCheck
    | ExitConditionMetCheck
    | WithinBudgetCheck
    | GreetsCheck
    | ClosesCheck
    | StaysProfessionalCheck
    | ResolvesWithinPolicyCheck
    | TalkRatioCheck
    | LongSilencesCheck
    | TraineeInterruptionsCheck
    | WordsPerMinuteCheck
    | BuildsRapportCheck
    | AsksOpenQuestionsCheck
    | PlaysBackNeedsCheck
    | AgreesNextStepCheck
    | AvoidsPressureCheck
    | StaysConciseCheck,
    Field(discriminator="kind"),
]
"""One check; the ``kind`` key picks the model."""


class Criterion(StrictModel):
    """One scored aspect of a call.

    Attributes:
        id: short name, e.g. ``identity_verification`` (used by coach overrides).
        description: what a good attempt does, shown beside the score.
        weight: relative weight in the overall score (default 1).
        fatal: a failed fatal criterion (score below ``pass_mark``) makes the overall score 0.
        pass_mark: the score, 0..1, at or above which the criterion counts as passed.
        checks: the rules, averaged into the criterion's score (0..1).
    """

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
    description: str = ""
    weight: float = Field(default=1.0, ge=0)
    fatal: bool = False
    pass_mark: float = Field(default=0.5, ge=0, le=1)
    checks: list[Check] = Field(min_length=1)


class Rubric(StrictModel):
    """A set of weighted criteria that grades an attempt.

    Attributes:
        id: stable identifier, e.g. ``customer-service-call``.
        name: display name.
        description: what kind of call it grades.
        criteria: the criteria, in display order; ids must be unique.
    """

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    name: str = ""
    description: str = ""
    criteria: list[Criterion] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Rubric:
        seen: set[str] = set()
        for criterion in self.criteria:
            if criterion.id in seen:
                raise ValueError(f"expected unique criterion ids, got {criterion.id!r} twice")
            seen.add(criterion.id)
        return self

    def criterion(self, criterion_id: str) -> Criterion | None:
        """Return the criterion with ``criterion_id``, or None."""
        return next((c for c in self.criteria if c.id == criterion_id), None)
