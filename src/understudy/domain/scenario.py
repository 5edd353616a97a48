"""What a call is about: the customer's goal, the opening line, objections and how it ends.

A scenario refers to its persona by id, so editing a persona changes every scenario that uses it.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from understudy.domain.base import Origin, StrictModel
from understudy.domain.persona import Persona, Personality
from understudy.domain.transcript import Role


class ScenarioMode(StrEnum):
    """Channel of a practice call: chat, voice, or hybrid (the trainee picks per attempt)."""

    chat = "chat"
    voice = "voice"
    hybrid = "hybrid"


class CustomerGoal(StrictModel):
    """The customer's side of the task.

    Attributes:
        reason_for_call: why the customer calls, in their words or as an instruction.
        intent: optional intent key (e.g. ``get_refund``) that picks opening phrasings from the
            phrasing bank and lets flows know what the customer wants.
        known_info: facts the customer can give, as slot name -> value (``order_id: "3348917502"``).
        unknown_info: things the customer does not know; asked for one, they say so.
        task_instructions: how the customer should behave in this task.
        success_conditions: natural-language conditions for success (e.g. tau2 ``nl_assertions``).
    """

    reason_for_call: str
    intent: str | None = None
    known_info: dict[str, str] = Field(default_factory=dict)
    unknown_info: list[str] = Field(default_factory=list)
    task_instructions: str = ""
    success_conditions: list[str] = Field(default_factory=list)


class ExitCondition(StrictModel):
    """A goal-specific way for the call to end, checked after every turn.

    The condition is met when the agent has said something matching one of ``agent_says`` (fuzzy
    match, so wording may vary) and, if ``customer_confirms`` is set, the customer then agreed
    (an ``affirm`` or ``thank`` act, or a confirming phrase from a human).

    Attributes:
        id: short name, e.g. ``refund_promised``.
        description: e.g. "promised a refund and confirmed".
        agent_says: phrases, any of which counts.
        customer_confirms: whether the customer must confirm after the agent's phrase.
        reason: termination reason recorded when met (default ``goal_met``).
    """

    id: str
    description: str = ""
    agent_says: list[str] = Field(default_factory=list, min_length=1)
    customer_confirms: bool = False
    reason: str = "goal_met"


class Briefing(StrictModel):
    """What the trainee reads before a call.

    Attributes:
        goal: what the trainee should achieve.
        persona_summary: who they will talk to, in a sentence or two.
        documents: paths of text or Markdown files (relative to the scenario file) shown in full.
    """

    goal: str = ""
    persona_summary: str = ""
    documents: list[str] = Field(default_factory=list)


class Policy(StrictModel):
    """What the trainee may and may not do in this scenario, checked by the offline grader.

    Write it from the scenario's briefing documents (e.g. a returns policy), so the grade holds
    a trainee to the same rules the briefing gives them.

    Attributes:
        must_not_offer: remedies the policy does not allow (e.g. ``store credit``); offering one
            fails the resolution.
        must_not_process: things the customer may ask about but the trainee must not act on
            unless asked (e.g. ``vacuum cleaner``); acting on one makes the resolution partial.
        confirm_before_acting: the trainee must get the customer's yes before acting; acting
            without it makes the resolution partial.
        verify_before_promising: a promise of the remedy before the caller is verified makes the
            resolution partial.
    """

    must_not_offer: list[str] = Field(default_factory=list)
    must_not_process: list[str] = Field(default_factory=list)
    confirm_before_acting: bool = True
    verify_before_promising: bool = True


class PersonaMapping(StrictModel):
    """Where the scenario's persona sits in a market, and optionally the real profile behind it.

    All fields are optional labels for trainers; the simulator does not read them.

    Attributes:
        ecosystem: the market or ecosystem, e.g. ``retail``, ``SaaS``.
        vertical: the industry vertical, e.g. ``fashion``, ``healthcare``.
        profile_url: optional address of a public profile that grounds the persona in a real
            person (a label only: understudy never fetches it).
    """

    ecosystem: str = ""
    vertical: str = ""
    profile_url: str | None = None


class Scenario(StrictModel):
    """A call to simulate or practise.

    Attributes:
        id: stable identifier.
        name: display name.
        type: scenario type, e.g. ``customer_service``, ``sales_discovery``.
        persona: id of the persona that plays the customer.
        first_speaker: who opens (default: the customer).
        opening_line: the customer's scripted first line; generated when empty.
        goal: the customer's goal and knowledge for this task.
        objections: push-back lines the customer may raise.
        off_topic_questions: off-topic questions the customer may wander into.
        exit_conditions: goal-specific endings, checked after each turn.
        max_turns: customer turns at most, then the call ends with ``max_turns``.
        time_limit_s: wall-clock limit of the call in seconds (default 600, i.e. 10 minutes).
        mode: chat, voice or hybrid.
        show_mood: whether a trainee may see the customer's mood during the call.
        rubric: id of the rubric that grades practice attempts.
        evaluation_instructions: extra guidance for the grader.
        policy: what the trainee may and may not do, for the offline grader's policy checks.
        tuning: free-text guidance such as tone or extra product knowledge.
        tags: labels for filtering.
        sessions_per_week: expected practice frequency when assigned.
        deadline: optional date by which assigned trainees should have an attempt.
        instructions: shown to anyone joining the session.
        origin: where the scenario came from (hand-written, imported, generated, duplicated).
        persona_mapping: optional ecosystem, vertical and profile address of the persona.
        created_by: who created the scenario (set by ``understudy scenarios add``/``duplicate``).
        created_at: the date it was created (set by ``understudy scenarios add``/``duplicate``).
        personality: this scenario's personality settings (trait, emotional state,
            communication style, decision making, voice character); each one set replaces the
            persona's for calls of this scenario, the others keep the persona's.
        agent_persona: id of the agent persona whose role the trainee plays; on a voice call
            its voice configuration for the customer's language sets the line up (first
            speaker, first message, time limit, silence timeout, recording:
            ``understudy.voice.line``).
    """

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    name: str = ""
    type: str = "customer_service"
    persona: str
    first_speaker: Role = Role.customer
    opening_line: str = ""
    goal: CustomerGoal
    objections: list[str] = Field(default_factory=list)
    off_topic_questions: list[str] = Field(default_factory=list)
    exit_conditions: list[ExitCondition] = Field(default_factory=list)
    max_turns: int = Field(default=30, ge=1, le=1000)
    time_limit_s: float = Field(default=600.0, gt=0)
    mode: ScenarioMode = ScenarioMode.chat
    show_mood: bool = True
    briefing: Briefing = Field(default_factory=Briefing)
    rubric: str | None = None
    evaluation_instructions: str = ""
    policy: Policy = Field(default_factory=Policy)
    tuning: str = ""
    tags: list[str] = Field(default_factory=list)
    sessions_per_week: int | None = Field(default=None, ge=0)
    deadline: date | None = None
    instructions: str = ""
    origin: Origin = Field(default_factory=Origin)
    persona_mapping: PersonaMapping | None = None
    created_by: str | None = None
    created_at: date | None = None
    personality: Personality | None = None
    agent_persona: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_-]*$")

    def customer_persona(self, persona: Persona) -> Persona:
        """Return ``persona`` with this scenario's personality settings laid over its own."""
        if self.personality is None:
            return persona
        overrides = self.personality.model_dump(exclude_none=True)
        if not overrides:
            return persona
        merged = persona.personality.model_copy(update=overrides)
        return persona.model_copy(update={"personality": merged})
