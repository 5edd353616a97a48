"""Generating personas from one line, offline: valid, distinct, mood and drift follow the words."""

from __future__ import annotations

import re
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


# Each description, written for this test, with what it states. Keys: age (exact) or ages
# (inclusive range), gender, language, occupation, mood, drift, situation facts that must be
# known (with a stated value or None for any), facts that must not be known, words the
# backstory must contain, behaviour flags.
STATED: list[tuple[str, dict[str, object]]] = [
    (
        "cheerful elderly man whose parcel never arrived",
        {"ages": (66, 84), "gender": "male", "mood": Mood.happy, "knows": {"order_id": None}},
    ),
    (
        "80 years old widow who lost her order number",
        {"age": 80, "gender": "female", "lacks": ["order_id"], "story": ["lost her order"]},
    ),
    (
        "father whose daughter's laptop is broken",
        {"gender": "male", "knows": {"device": "laptop"}, "story": ["His daughter's laptop"]},
    ),
    (
        "calm but impatient nurse asking about a refund that is two weeks late",
        {"occupation": "nurse", "mood": Mood.calm, "drift": MoodDrift.fast},
    ),
    (
        "Spanish-speaking bakery owner who was overcharged $42.99",
        {"language": "es", "occupation": "bakery owner", "knows": {"charge_amount": "$42.99"}},
    ),
    (
        "teenager whose router stopped working",
        {"ages": (15, 19), "occupation": "student", "knows": {"device": "router"}},
    ),
    (
        "Mexican mechanic whose English is not perfect and whose card was declined",
        {"language": "en", "occupation": "mechanic", "non_native": True},
    ),
    (
        "happy student who hates phone menus",
        {"mood": Mood.happy, "drift": MoodDrift.fast, "story": ["hates phone menus"]},
    ),
    (
        "terse lawyer in her 40s who wants to cancel a gym membership",
        {"ages": (40, 49), "gender": "female", "occupation": "lawyer", "terse": True},
    ),
    (
        "chatty frustrated retired nurse whose flight to Lisbon was cancelled",
        {
            "ages": (60, 84),
            "occupation": "retired nurse",
            "mood": Mood.frustrated,
            "knows": {"destination": "Lisbon"},
            "chatty": True,
        },
    ),
    (
        "furious 35-year-old plumber charged twice on the card ending 4417",
        {
            "age": 35,
            "occupation": "plumber",
            "mood": Mood.angry,
            "drift": MoodDrift.fast,
            "knows": {"card_last_four": "4417"},
            "story": ["charged twice"],
        },
    ),
    (
        "patient and polite software developer with a broken printer who has called three times",
        {
            "occupation": "software developer",
            "mood": Mood.calm,
            "drift": MoodDrift.slow,
            "knows": {"device": "printer"},
            "story": ["called three times"],
        },
    ),
    (
        "anxious grandmother who speaks only French and cannot find her booking reference",
        {
            "ages": (66, 84),
            "gender": "female",
            "language": "fr",
            "mood": Mood.confused,
            "lacks": ["booking_reference"],
        },
    ),
    (
        "confused first time buyer in his twenties whose blender never arrived",
        {
            "ages": (20, 29),
            "gender": "male",
            "mood": Mood.confused,
            "knows": {"item": "a blender"},
        },
    ),
    (
        "friendly Brazilian pharmacist who wants to cancel her streaming subscription",
        {"language": "pt-BR", "occupation": "pharmacist", "mood": Mood.happy},
    ),
    (
        "irate 52-year-old truck driver whose order ORD-88812 arrived damaged",
        {"age": 52, "occupation": "truck driver", "knows": {"order_id": "ORD-88812"}},
    ),
    (
        "easygoing retired librarian who makes lots of typos and has a question about a fee",
        {"occupation": "retired librarian", "drift": MoodDrift.slow, "typos": True},
    ),
    (
        "stressed young mum whose card was declined at the supermarket",
        {"ages": (18, 26), "gender": "female", "mood": Mood.frustrated},
    ),
    (
        "Australian accountant in his 60s who was double charged for his internet bill",
        {"ages": (60, 69), "gender": "male", "language": "en-AU", "occupation": "accountant"},
    ),
    (
        "speaks only Portuguese, lost luggage",
        {"language": "pt", "story": ["lost luggage"]},
    ),
    (
        "angry customer: package never arrived",
        {"mood": Mood.angry, "knows": {"order_id": None}, "story": ["package never arrived"]},
    ),
    (
        "calm accountant, the router keeps dropping",
        {"occupation": "accountant", "knows": {"device": "router"}, "story": ["router keeps"]},
    ),
    (
        "cheerful German engineer who speaks German and whose smart TV keeps restarting",
        {"language": "de-DE", "occupation": "engineer", "knows": {"device": "smart TV"}},
    ),
]


def _check_stated(persona: Persona, stated: dict[str, object], where: str) -> None:
    demo = persona.demographics
    if "age" in stated:
        assert demo.age == stated["age"], where
    if "ages" in stated:
        low, high = stated["ages"]  # type: ignore[misc]
        assert demo.age is not None and low <= demo.age <= high, f"{where}: age {demo.age}"
    if "gender" in stated:
        assert demo.gender == stated["gender"], where
    if "language" in stated:
        tag = str(stated["language"])
        assert persona.language == tag or persona.language.startswith(tag + "-"), (
            f"{where}: {persona.language}"
        )
    if "occupation" in stated:
        assert demo.occupation == stated["occupation"], f"{where}: {demo.occupation}"
    if "mood" in stated:
        assert persona.mood is stated["mood"], f"{where}: {persona.mood}"
    if "drift" in stated:
        assert persona.mood_drift is stated["drift"], f"{where}: {persona.mood_drift}"
    knows = persona.knowledge.knows
    for key, value in dict(stated.get("knows", {})).items():  # type: ignore[call-overload]
        assert key in knows, f"{where}: {key} missing from {knows}"
        if value is not None:
            assert knows[key] == value, f"{where}: {key}={knows[key]}"
            assert str(value) in persona.backstory, f"{where}: backstory lacks {value}"
    for key in stated.get("lacks", []):  # type: ignore[attr-defined]
        assert key not in knows, f"{where}: knows {key} though the description says it is lost"
        label = str(key).replace("_id", " number").replace("_", " ")
        assert any(label in d for d in persona.knowledge.doesnt_know), where
    for words in stated.get("story", []):  # type: ignore[attr-defined]
        assert str(words) in persona.backstory, f"{where}: {persona.backstory}"
    behaviour = persona.behaviour
    if stated.get("non_native"):
        assert behaviour.non_native_level > 0, where
    if stated.get("terse"):
        assert behaviour.verbosity < 0.5 and "terse" in persona.style_tags, where
    if stated.get("chatty"):
        assert behaviour.verbosity > 0.5 and "verbose" in persona.style_tags, where
    if stated.get("typos"):
        assert behaviour.typo_rate > 0, where


def _no_contradiction(persona: Persona, description: str) -> None:
    """What the draft invents never contradicts itself or the description."""
    demo = persona.demographics
    story = persona.backstory
    assert f"{demo.age}-year-old" in story, "the backstory gives the persona's age"
    wrong = {"female": r"\b(He|His|his|him)\b", "male": r"\b(She|Her|her)\b"}[str(demo.gender)]
    assert not re.search(wrong, story), f"pronouns fit the gender: {story}"
    low = description.lower()
    if not re.search(r"twice|double", low):
        assert "twice" not in story, f"no double charge is invented: {story}"
    words = persona.style_tags
    assert not ("terse" in words and "verbose" in words)
    style = persona.personality.communication_style or ""
    assert not ("short sentences" in style and "long turns" in style), style
    for amount in re.findall(r"[$£€]\d[\d.,]*", description):
        assert amount in persona.knowledge.knows.values(), f"{amount} is a known fact"
    assert (
        persona.language.startswith("en")
        or "speak" in low
        or re.search(r"brazilian|german|french|mexican", low)
    ), "a language other than English only when the description says so"


@pytest.mark.parametrize(("description", "stated"), STATED, ids=[s[0][:40] for s in STATED])
def test_a_description_s_stated_facts_become_the_persona_s_over_many_seeds(
    description: str, stated: dict[str, object]
) -> None:
    for seed in range(12):
        persona = generate_persona(description, seed=seed)
        where = f"{description!r} seed {seed}"
        _check_stated(persona, stated, where)
        _no_contradiction(persona, description)


async def test_the_llm_draft_is_corrected_to_what_the_description_states() -> None:
    from understudy.llm.persona_generation import LLMPersonaGenerator
    from understudy.llm.run import LLMRun
    from understudy.llm.settings import LLMSettings
    from understudy.testing import FakeModel

    contradicting = {
        "name": "Rosa Delgado",
        "summary": "A customer",
        "age": 34,
        "gender": "male",
        "occupation": "chef",
        "mood": "happy",
        "mood_drift": "slow",
        "language": "en-US",
        "backstory": "Rosa has a billing question.",
        "knows": {"order_number": "ORD-1", "charge_amount": "$10.00"},
        "doesnt_know": [],
        "behaviour": {"verbosity": 0.9},
    }
    for description, stated in STATED:
        generator = LLMPersonaGenerator(
            run=LLMRun(LLMSettings(cache=False)), llm_model=FakeModel(default=contradicting)
        )
        persona = await generator.generate(description, seed=1)
        checked = {k: v for k, v in stated.items() if k not in ("knows", "story")}
        if str(stated.get("occupation", "")) not in description.lower():
            checked.pop("occupation", None)  # the offline default ("student"), not stated
        # Stated values are kept under the draft's own keys when it has one of the kind.
        knows = dict(stated.get("knows", {}))  # type: ignore[call-overload]
        for key in ("charge_amount", "order_id", "card_last_four"):
            if knows.get(key):
                assert knows[key] in persona.knowledge.knows.values(), description
        _check_stated(persona, checked, f"LLM draft for {description!r}")
