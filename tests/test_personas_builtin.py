"""The built-in personas: present, valid, and each field filled in meaningfully."""

from __future__ import annotations

from understudy.content.personas import builtin_persona_paths, load_all_personas, resolve_persona
from understudy.domain.persona import Mood, MoodDrift
from understudy.simulators.offline.wording import Style

STRESS_TEST = {"impatient", "typo-prone", "non-native", "elderly"}
EXPECTED = STRESS_TEST | {"calm", "frustrated-cardholder", "maya"}


def test_every_builtin_persona_loads_and_its_file_name_is_its_id() -> None:
    paths = builtin_persona_paths()
    ids = {path.stem for path in paths}
    assert ids >= EXPECTED, f"missing built-ins: {EXPECTED - ids}"
    for path in paths:
        assert resolve_persona(path.stem).id == path.stem, f"{path.name}: id must match file name"


def test_every_builtin_uses_every_field() -> None:
    for persona, path in load_all_personas().values():
        where = path.name
        assert persona.name and persona.summary and persona.backstory, where
        assert persona.voice and persona.language, where
        assert persona.demographics.age is not None and persona.demographics.occupation, where
        assert persona.knowledge.knows and persona.knowledge.doesnt_know, where
        assert all(persona.personality.model_dump().values()), f"{where}: personality incomplete"
        assert persona.style_tags, f"{where}: style tags drive the wording"
        assert not persona.draft, where


def test_stress_test_personas_have_their_traits() -> None:
    impatient = resolve_persona("impatient")
    assert Style.from_persona(impatient).key == "terse"
    assert impatient.behaviour.patience < 0.3 and impatient.mood_drift is MoodDrift.fast
    assert resolve_persona("typo-prone").behaviour.typo_rate >= 0.2
    non_native = resolve_persona("non-native")
    assert Style.from_persona(non_native).key == "simple" and Style.from_persona(non_native).polite
    elderly = resolve_persona("elderly")
    assert Style.from_persona(elderly).verbose and elderly.behaviour.reassurance_seeking > 0.3
    calm = resolve_persona("calm")
    assert calm.mood is Mood.calm and calm.mood_drift is MoodDrift.slow


def test_maya_knows_her_order_and_not_the_refund_policy() -> None:
    maya = resolve_persona("maya")
    assert maya.name == "Maya" and maya.demographics.age == 34
    assert maya.knowledge.knows["order_id"] == "ORD-7711"
    assert maya.knowledge.knows["product"] == "espresso machine"
    assert maya.knowledge.knows["card"] == "Visa ending 4422"
    assert "$42.99" in maya.backstory
    assert set(maya.knowledge.doesnt_know) == {
        "refund policy",
        "account number",
        "supervisor's name",
    }
