"""Draft a persona from a one-line description with a model (``personas generate --llm``).

Same contract as the offline generator (``understudy.content.generation.PersonaGenerator``): the
result is a valid ``Persona`` with ``draft=True`` and ``origin`` "generated from <description>".
The model fills :class:`PersonaDraft` (structured output); understudy then builds the persona,
deriving the id from the name and a digest of the description and seed, and replacing a language
tag that is not BCP 47 with ``en-US``; last, whatever the description states (age, gender,
language, occupation, mood and temperament words, stated values, facts the customer lacks) is
laid over the draft (``generation.description.honour_description``), so the model cannot
contradict it. The seed goes with the call, so the replay cache returns the
same draft for the same description, model and seed.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field, ValidationError

from understudy.content.generation.description import honour_description
from understudy.content.ids import slugify
from understudy.domain.base import Origin
from understudy.domain.persona import (
    Behaviour,
    Demographics,
    Knowledge,
    Mood,
    MoodDrift,
    Persona,
    Personality,
)
from understudy.llm import require_llm

if TYPE_CHECKING:
    from pydantic_ai.models import Model

    from understudy.llm.run import LLMRun


class PersonaDraft(BaseModel):
    """What the model fills in; understudy adds id, draft flag and origin."""

    name: str = Field(description="first and last name")
    summary: str = Field(description="one line: who they are and why they call")
    age: int | None = Field(default=None, ge=0, le=120)
    gender: str | None = None
    occupation: str | None = None
    location: str | None = None
    mood: Mood = Mood.calm
    mood_drift: MoodDrift = MoodDrift.medium
    language: str = Field(default="en-US", description="BCP 47 tag, e.g. en-US")
    backstory: str = Field(description="a short paragraph")
    knows: dict[str, str] = Field(
        default_factory=dict, description="facts the customer can give: slot name -> value"
    )
    doesnt_know: list[str] = Field(
        default_factory=list, description="things the customer does not know"
    )
    trait: str | None = None
    communication_style: str | None = None
    decision_making: str | None = None
    behaviour: Behaviour = Field(default_factory=Behaviour)
    style_tags: list[str] = Field(default_factory=list)


SYSTEM_PROMPT = (
    "You design realistic simulated customers for testing contact-centre assistants. From a "
    "one-line description, fill in a persona: a plausible name, a short backstory consistent "
    "with the description, facts the customer knows (as slot name -> value, e.g. order_id), "
    "things they do not know, their mood and how fast it drifts, and behaviour numbers between "
    "0 and 1 (typo_rate, verbosity, patience, off_topic_tendency, non_native_level, "
    "reassurance_seeking) that match the description."
)


class LLMPersonaGenerator:
    """``PersonaGenerator`` backed by a model.

    Args:
        model: ``provider:model``; the ``llm.model`` setting when None.
        run: the run that accounts for the call; a new one when None.
        llm_model: a ready pydantic-ai model (tests).

    Raises:
        ConfigError: the ``llm`` extra is missing.
    """

    name = "llm"

    def __init__(
        self, *, model: str | None = None, run: LLMRun | None = None, llm_model: Model | None = None
    ) -> None:
        require_llm("LLM persona generation")
        from understudy.llm.run import LLMRun

        self.model_name = model
        self.run = run if run is not None else LLMRun()
        self.llm_model = llm_model

    async def generate(self, description: str, *, seed: int | None = None) -> Persona:
        """Draft a persona from ``description``.

        Raises:
            ValueError: the description is empty.
            LLMError: the model call failed.
        """
        from pydantic_ai import Agent as ModelAgent

        text = " ".join(description.split())
        if not text:
            raise ValueError("expected a one-line description of the customer, got an empty string")
        model = self.run.model(self.model_name, "generate", model=self.llm_model)
        agent = ModelAgent(model, output_type=PersonaDraft, system_prompt=SYSTEM_PROMPT)
        answer = await agent.run(
            f"Description: {text}", model_settings={"seed": seed or 0, "temperature": 0.7}
        )
        draft = answer.output
        digest = hashlib.sha256(f"{seed}|{text}".encode()).hexdigest()[:6]
        name = draft.name.strip() or "Customer"
        fields = {
            "id": f"{slugify(name, 'persona')}-{digest}",
            "name": name,
            "summary": draft.summary or text,
            "demographics": Demographics(
                age=draft.age,
                gender=draft.gender,
                occupation=draft.occupation,
                location=draft.location,
            ),
            "mood": draft.mood,
            "mood_drift": draft.mood_drift,
            "language": draft.language,
            "backstory": draft.backstory,
            "knowledge": Knowledge(knows=draft.knows, doesnt_know=draft.doesnt_know),
            "personality": Personality(
                trait=draft.trait,
                emotional_state=draft.mood.value,
                communication_style=draft.communication_style,
                decision_making=draft.decision_making,
            ),
            "behaviour": draft.behaviour,
            "style_tags": draft.style_tags,
            "draft": True,
            "origin": Origin(kind="generated", source=text),
        }
        try:
            persona = Persona.model_validate(fields)
        except ValidationError:
            fields["language"] = "en-US"
            persona = Persona.model_validate(fields)
        # The model's draft is corrected to what the description states (age, language,
        # occupation, mood, drift, stated values, facts the customer lacks).
        return honour_description(persona, text)
