"""A persona in a language the offline simulator cannot speak is flagged, never played in English;
the LLM simulator is told to speak it."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic_ai.messages import ModelRequest, SystemPromptPart
from typer.testing import CliRunner

from understudy.cli.app import app
from understudy.domain.persona import Persona
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.domain.transcript import ConversationResult
from understudy.errors import ConfigError
from understudy.llm.run import LLMRun
from understudy.llm.settings import LLMSettings
from understudy.simulators import make_simulator
from understudy.simulators.languages import language_problem
from understudy.storage.attempt_store import AttemptStore
from understudy.storage.store import Store
from understudy.testing import FakeModel, ScriptedAgent, run_one

pytestmark = pytest.mark.usefixtures("database")

REPO = Path(__file__).resolve().parents[1]
FLOW = REPO / "examples" / "flows" / "refund.yaml"
runner = CliRunner()
SCENARIO = Scenario(
    id="refund",
    persona="lucia",
    goal=CustomerGoal(reason_for_call="get a refund for a broken kettle"),
)


def spanish(tmp_path: Path, language: str = "es-MX") -> Path:
    path = tmp_path / "lucia.yaml"
    path.write_text(
        "id: lucia\nname: Lucia Reyes\nmood: calm\n"
        f"language: {language}\nbackstory: Bought a kettle that broke.\n"
    )
    return path


def scenario_file(tmp_path: Path, persona: Path) -> Path:
    path = tmp_path / "refund.yaml"
    data = {
        "id": "refund-es",
        "persona": persona.name,
        "goal": {"reason_for_call": "You want a refund for a broken kettle."},
    }
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


async def llm_call(
    persona: Persona,
    scenario: Scenario,
    model: FakeModel,
    agent_lines: list[str],
    seed: int = 1,
    **options: Any,
) -> ConversationResult:
    """One conversation of the LLM simulator, played by ``model``, against ``agent_lines``."""
    simulator = make_simulator(
        "llm",
        persona,
        scenario,
        random.Random(seed),
        run=LLMRun(LLMSettings(cache=False)),
        llm_model=model,
        **options,
    )
    return await run_one(ScriptedAgent(agent_lines), scenario=scenario, simulator=simulator)


@pytest.mark.parametrize("tag", ["en", "en-US", "en-GB", "en-IE", "en-IN"])
def test_english_in_any_region_is_spoken_offline(tag: str) -> None:
    persona = Persona(id="p", name="P", language=tag)
    assert language_problem("offline", persona) is None
    make_simulator("offline", persona, SCENARIO, random.Random(0))


@pytest.mark.parametrize("tag", ["es-MX", "fr-FR", "de", "ja-JP", "pt-BR"])
def test_another_language_is_refused_by_the_offline_simulator(tag: str) -> None:
    persona = Persona(id="p", name="P", language=tag)
    with pytest.raises(ConfigError) as caught:
        make_simulator("offline", persona, SCENARIO, random.Random(0))
    message = str(caught.value)
    assert tag in message and "offline simulator cannot speak" in message
    assert "English (en" in message, "the message lists the languages it speaks"
    assert "--simulator llm" in message, "and says what to do instead"


def test_validate_warns_on_the_language_line_and_on_the_scenario_persona_line(
    tmp_path: Path,
) -> None:
    persona = spanish(tmp_path)
    scenario = scenario_file(tmp_path, persona)
    result = runner.invoke(app, ["validate", str(persona), str(scenario)], env={"COLUMNS": "300"})
    assert result.exit_code == 0, "a Spanish persona is valid (the LLM simulator speaks it)"
    err = " ".join(result.stderr.split())
    assert f"warning {persona}:4: language: persona 'lucia' speaks Spanish (es-MX)" in err, err
    assert f"warning {scenario}:2: persona: persona 'lucia' speaks Spanish" in err, err
    assert "it speaks English (en, any region" in err
    assert "--simulator llm" in err
    english = spanish(tmp_path, "en-GB")
    quiet = runner.invoke(app, ["validate", str(english)])
    assert quiet.exit_code == 0 and "warning" not in quiet.stderr


def test_stress_test_refuses_before_the_first_conversation(tmp_path: Path) -> None:
    persona = spanish(tmp_path)
    result = runner.invoke(app, ["stress-test", str(FLOW), "--persona", str(persona), "-n", "3"])
    assert result.exit_code == 2, result.output
    assert "Spanish (es-MX)" in result.output and "--simulator llm" in result.output
    assert Store().list_runs() == [], "no run and no conversation was started"


def test_practice_refuses_before_the_call(tmp_path: Path) -> None:
    persona = spanish(tmp_path)
    scenario = scenario_file(tmp_path, persona)
    script = tmp_path / "lines.txt"
    script.write_text("Hello, how can I help?\n/end\n")
    result = runner.invoke(app, ["practice", str(scenario), "--script", str(script)])
    assert result.exit_code == 2, result.output
    assert "Spanish (es-MX)" in result.output and "--simulator llm" in result.output
    assert AttemptStore().list_attempts() == [], "no attempt was recorded"


def test_generate_warns_when_the_draft_speaks_another_language() -> None:
    result = runner.invoke(app, ["personas", "generate", "calm accountant who speaks only French"])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(result.stdout)["language"].startswith("fr")
    assert "offline simulator cannot speak" in " ".join(result.stderr.split())


async def test_the_llm_simulator_is_told_to_speak_the_persona_language() -> None:
    persona = Persona(id="lucia", name="Lucia Reyes", language="es-MX")
    model = FakeModel("Hola, quiero un reembolso.", default="Gracias. [END goal_met]")
    result = await llm_call(persona, SCENARIO, model, ["How can I help?"])
    assert result.messages[0].text.startswith("Hola"), "the model's Spanish line is played as is"
    system = [
        str(part.content)
        for message in model.requests[0]
        if isinstance(message, ModelRequest)
        for part in message.parts
        if isinstance(part, SystemPromptPart)
    ]
    assert any("speak Spanish (es-MX) in every message" in s for s in system), system


async def test_lines_understudy_adds_to_a_model_turn_are_in_the_persona_language() -> None:
    persona = Persona(id="lucia", name="Lucia Reyes", language="es-MX")
    scenario = SCENARIO.model_copy(update={"max_turns": 2})
    invented = FakeModel("Hola.", default="Mi correo es otra@persona.org. Por favor, rápido.")
    result = await llm_call(
        persona, scenario, invented, ["Which email do you use?"] * 2, max_regenerations=0
    )
    line = result.messages[2].text
    assert "otra@persona.org" not in line and "Por favor" in line
    assert "no tengo esa información" in line and "Sorry" not in line, line
    agreeing = FakeModel("Hola.", default="Sí, tiene razón, fue mi culpa.")
    result = await llm_call(
        persona, scenario, agreeing, ["You are probably using it wrong."], seed=2
    )
    answer = result.messages[2].text
    assert answer.startswith("No, no lo creo."), answer
    assert "I don't think so" not in answer


async def test_a_language_without_such_lines_gets_none_rather_than_english() -> None:
    persona = Persona(id="aiko", name="Aiko Ito", language="ja-JP")
    scenario = SCENARIO.model_copy(update={"max_turns": 2})
    reply = "メールは other@example.org です。急いでください。"
    invented = FakeModel("こんにちは。", default=reply)
    result = await llm_call(
        persona, scenario, invented, ["Which email do you use?"] * 2, max_regenerations=0
    )
    line = result.messages[2].text
    assert "other@example.org" not in line and "Sorry" not in line, line
    assert "急いでください" in line, "the rest of the line is kept"
