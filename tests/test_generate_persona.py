"""Generating personas from one line, offline: valid, distinct, mood and drift follow the words."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from understudy.cli.app import app
from understudy.content.generation import OfflinePersonaGenerator, generate_persona
from understudy.content.loader import load_model
from understudy.domain.persona import Mood, MoodDrift, Persona

# (description, expected mood, expected drift or None when any drift is fine)
CASES: list[tuple[str, Mood, MoodDrift | None]] = [
    ("furious truck driver whose delivery never arrived", Mood.angry, MoodDrift.fast),
    ("livid small business owner who was overcharged on every invoice", Mood.angry, MoodDrift.fast),
    ("rude and hostile customer demanding a manager", Mood.angry, MoodDrift.fast),
    (
        "impatient retired teacher who was double charged and hates phone menus",
        Mood.frustrated,
        MoodDrift.fast,
    ),
    ("annoyed nurse whose internet keeps dropping", Mood.frustrated, None),
    ("fed up student whose refund is two weeks late", Mood.frustrated, None),
    ("stressed father whose card was declined abroad", Mood.frustrated, None),
    ("confused elderly woman who cannot log in to the app", Mood.confused, None),
    ("overwhelmed first time buyer unsure how to track a package", Mood.confused, None),
    ("anxious 72-year-old grandfather worried about a fraud alert", Mood.confused, None),
    ("cheerful regular customer who wants to upgrade her plan", Mood.happy, None),
    ("friendly and patient librarian asking about a late delivery", Mood.happy, MoodDrift.slow),
    ("enthusiastic loyal member booking a flight", Mood.happy, None),
    ("calm accountant checking a fee on his bill", Mood.calm, None),
    ("patient engineer whose router stopped working", Mood.calm, MoodDrift.slow),
    ("polite and relaxed pharmacist cancelling a gym membership", Mood.calm, MoodDrift.slow),
    ("easygoing chef changing a hotel reservation", Mood.calm, MoodDrift.slow),
    ("chatty pensioner who makes lots of typos", Mood.calm, None),
    ("customer who was charged twice for one order", Mood.frustrated, None),
    (
        "non-native speaker whose English is not perfect asking about a refund",
        Mood.frustrated,
        None,
    ),
]


@pytest.mark.parametrize(("description", "mood", "drift"), CASES, ids=[c[0][:30] for c in CASES])
def test_mood_and_drift_follow_the_words(
    description: str, mood: Mood, drift: MoodDrift | None
) -> None:
    persona = generate_persona(description, seed=1)
    assert persona.mood is mood, f"{description!r} should give mood {mood}, got {persona.mood}"
    if drift is not None:
        assert persona.mood_drift is drift, f"{description!r} should drift {drift}"


def test_twenty_descriptions_give_twenty_valid_distinct_personas() -> None:
    personas = [generate_persona(d, seed=3) for d, _m, _d in CASES]
    for persona in personas:
        again = Persona.model_validate(persona.model_dump(mode="json"))
        assert again == persona, "a generated persona should round-trip through validation"
        assert persona.draft, "generated personas are drafts until reviewed"
        assert persona.backstory and persona.knowledge.knows and persona.knowledge.doesnt_know
        assert persona.demographics.age and persona.demographics.occupation
        assert persona.personality.communication_style
    assert len({p.id for p in personas}) == 20, "ids should be distinct"
    assert len({p.backstory for p in personas}) == 20, "backstories should be distinct"


def test_same_seed_same_draft_other_seed_other_draft() -> None:
    text = "impatient retired teacher who was double charged and hates phone menus"
    assert generate_persona(text, seed=7) == generate_persona(text, seed=7)
    assert generate_persona(text, seed=7).name != generate_persona(text, seed=8).name or (
        generate_persona(text, seed=7).knowledge != generate_persona(text, seed=8).knowledge
    )


def test_words_shape_the_situation_and_demographics() -> None:
    persona = generate_persona(
        "impatient retired teacher who was double charged and hates phone menus", seed=7
    )
    assert persona.demographics.occupation == "retired teacher"
    assert persona.demographics.age is not None and persona.demographics.age >= 60
    assert "charge_amount" in persona.knowledge.knows, "double charged gives a billing story"
    assert "charged" in persona.backstory and "hates phone menus" in persona.backstory
    assert persona.origin.kind == "generated"
    assert persona.origin.describe().startswith('generated from "impatient retired teacher')
    stated = generate_persona("72-year-old plumber with a broken boiler app", seed=1)
    assert stated.demographics.age == 72
    assert stated.demographics.occupation == "plumber"


def test_behaviour_follows_the_words() -> None:
    typo = generate_persona("chatty student who makes lots of typos", seed=1)
    assert typo.behaviour.typo_rate > 0 and typo.behaviour.verbosity > 0.5
    assert "verbose" in typo.style_tags
    foreign = generate_persona("non-native speaker whose English is not perfect", seed=1)
    assert foreign.behaviour.non_native_level > 0 and "simple_grammar" in foreign.style_tags


def test_empty_description_is_refused() -> None:
    with pytest.raises(ValueError, match="one-line description"):
        generate_persona("   ")


async def test_offline_generator_has_the_async_generator_shape() -> None:
    generated = await OfflinePersonaGenerator().generate("calm accountant", seed=2)
    assert generated == generate_persona("calm accountant", seed=2)


def test_cli_generate_prints_yaml_and_saves_to_the_library(understudy_home: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["personas", "generate", "furious truck driver", "--seed", "5", "--save"]
    )
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(result.stdout)
    assert data["mood"] == "angry" and data["draft"] is True
    saved = load_model(Persona, understudy_home / "personas" / f"{data['id']}.yaml")
    assert saved.mood is Mood.angry
    again = runner.invoke(
        app, ["personas", "generate", "furious truck driver", "--seed", "5", "--save"]
    )
    assert again.exit_code == 2, "saving over an existing persona needs --force"
    assert "already exists" in again.output
