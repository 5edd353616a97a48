"""Agent personas: the YAML format, draft/production versions, the CLI, and the LLM agent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    SystemPromptPart,
    TextPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel
from typer.testing import CliRunner

from understudy.agents import persona_store
from understudy.agents.llm_agent import LLMAgent
from understudy.agents.resolve import resolve_agent
from understudy.cli.app import app
from understudy.domain.agent_persona import AgentPersona
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.domain.transcript import Role, TerminationReason
from understudy.errors import ContentError, NotFoundError
from understudy.llm.run import LLMRun
from understudy.llm.settings import LLMSettings
from understudy.storage.store import Store
from understudy.testing import run_one

pytestmark = pytest.mark.usefixtures("database")

AGENT_YAML = """\
# kind: agent
id: acme-support
name: Ava from Acme
model: test
memory: false
chat:
  prompt: You are Acme's support assistant.
  temperature: 0.2
  max_tokens: 200
  first_message: {first}
voice:
  - locale: en-US
    prompt: You are Acme's phone assistant.
    voice: alloy
    first_message: Thanks for calling Acme.
    silence_timeout_s: 8
  - locale: de-DE
    prompt: Du bist der Telefonassistent von Acme.
    first_message: Danke für Ihren Anruf.
"""

SCENARIO_YAML = """\
# kind: scenario
id: acme-chat
persona: calm
first_speaker: agent
goal:
  reason_for_call: I want a refund.
max_turns: 2
"""

runner = CliRunner()


def write_agent(folder: Path, first: str) -> Path:
    path = folder / "acme.yaml"
    path.write_text(AGENT_YAML.format(first=first))
    return path


def test_the_yaml_format_loads_with_chat_and_voice_per_locale(tmp_path: Path) -> None:
    stored = persona_store.import_agent(write_agent(tmp_path, "Hello!"))
    persona = stored.persona
    assert persona.chat is not None and persona.chat.max_tokens == 200
    voice = persona.voice_for("de-AT")
    assert voice is not None and voice.locale == "de-DE", "a locale falls back to its language"
    assert persona.voice_for("en-US").silence_timeout_s == 8  # type: ignore[union-attr]
    assert persona.voice[0].first_speaker is Role.agent and persona.voice[0].recording


def test_an_invalid_file_names_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: x\nname: X\nchat:\n  prompt: hi\n  temprature: 1\n")
    with pytest.raises(ContentError) as caught:
        persona_store.import_agent(path)
    problem = caught.value.problems[0]
    assert (problem.line, problem.field) == (5, "chat.temprature")
    with pytest.raises(ValueError, match="one voice configuration per locale"):
        AgentPersona.model_validate(
            {"id": "x", "name": "X", "voice": [{"prompt": "a"}, {"prompt": "b"}]}
        )


def test_publish_makes_the_draft_production_and_keeps_old_versions(tmp_path: Path) -> None:
    persona_store.import_agent(write_agent(tmp_path, "Hello from v1"))
    with pytest.raises(NotFoundError, match="no production version yet"):
        persona_store.load_version("acme-support", "production")
    first, created = persona_store.publish("acme-support")
    assert (first.label, created) == ("v1", True)
    again, created = persona_store.publish("acme-support")
    assert (again.label, created) == ("v1", False), "an unchanged draft makes no new version"
    persona_store.import_agent(write_agent(tmp_path, "Hello from v2"))
    assert persona_store.load_version("acme-support", "production").label == "v1"
    second, _ = persona_store.publish("acme-support")
    assert second.label == "v2"
    assert persona_store.load_version("acme-support", "1").persona.chat.first_message == (  # type: ignore[union-attr]
        "Hello from v1"
    )


def stress(scenario: Path, *extra: str) -> dict[str, object]:
    result = runner.invoke(
        app,
        [
            "stress-test",
            "--agent",
            "acme-support",
            "-n",
            "2",
            "--scenario",
            str(scenario),
            "--json",
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def first_agent_line(run_id: str) -> str:
    transcript = Store().transcripts(run_id)[0]
    return next(m.text for m in transcript.messages if m.role is Role.agent)


def test_agents_publish_changes_what_production_runs_and_old_runs_keep_their_version(
    tmp_path: Path,
) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(SCENARIO_YAML)
    assert (
        runner.invoke(app, ["agents", "import", str(write_agent(tmp_path, "Hi v1"))]).exit_code == 0
    )
    published = runner.invoke(app, ["agents", "publish", "acme-support"])
    assert "published acme-support v1" in published.output

    old = stress(scenario, "--version", "production")
    assert old["agent"]["version"] == "v1"  # type: ignore[index]
    edit = runner.invoke(
        app, ["agents", "edit", "acme-support", "--file", str(write_agent(tmp_path, "Hi v2"))]
    )
    assert edit.exit_code == 0, edit.output
    draft = stress(scenario)
    assert draft["agent"]["version"] == "draft", "a stress-test runs the draft by default"  # type: ignore[index]
    assert first_agent_line(str(draft["run_id"])) == "Hi v2"
    still_v1 = stress(scenario, "--version", "production")
    assert first_agent_line(str(still_v1["run_id"])) == "Hi v1", "production is v1 until publish"

    runner.invoke(app, ["agents", "publish", "acme-support"])
    new = stress(scenario, "--version", "production")
    assert new["agent"]["version"] == "v2"  # type: ignore[index]
    assert first_agent_line(str(new["run_id"])) == "Hi v2"

    old_run = Store().get_run(str(old["run_id"]))
    assert old_run.agent_version == "v1", "an older run still shows the version it used"
    assert "Hi v1" in old_run.agent_snapshot
    listing = runner.invoke(app, ["agents", "list"])
    assert "acme-support" in listing.output and "v2" in listing.output


def test_an_invalid_edit_keeps_the_draft(tmp_path: Path) -> None:
    persona_store.import_agent(write_agent(tmp_path, "Hi"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: acme-support\nname: Ava\n")
    result = runner.invoke(app, ["agents", "edit", "acme-support", "--file", str(bad)])
    assert result.exit_code == 2
    output = " ".join(result.output.split())
    assert "chat configuration or at least one voice" in output
    assert output.endswith("the draft was not changed")
    assert persona_store.load_version("acme-support").persona.chat is not None


def test_show_prints_versions_and_voice_configurations(tmp_path: Path) -> None:
    persona_store.import_agent(write_agent(tmp_path, "Hi"))
    persona_store.publish("acme-support")
    result = runner.invoke(app, ["agents", "show", "acme-support", "--version", "production"])
    assert result.exit_code == 0, result.output
    assert "v1 (production)" in result.output and "de-DE" in result.output
    raw = runner.invoke(app, ["agents", "show", "acme-support", "--yaml"])
    assert raw.stdout.startswith("# kind: agent")
    missing = runner.invoke(app, ["agents", "show", "nobody"])
    assert missing.exit_code == 2 and "no agent persona 'nobody'" in missing.output


async def test_the_llm_agent_uses_its_prompt_and_ends_on_its_signal() -> None:
    seen: list[list[ModelMessage]] = []

    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        seen.append(messages)
        return ModelResponse(parts=[TextPart("Your refund is done. [END completed]")])

    persona = AgentPersona.model_validate(
        {"id": "a", "name": "Ava", "chat": {"prompt": "Be brief.", "first_message": ""}}
    )
    agent = LLMAgent(persona, run=LLMRun(LLMSettings(cache=False)), llm_model=FunctionModel(answer))
    scenario = Scenario(id="s", persona="calm", goal=CustomerGoal(reason_for_call="refund"))
    result = await run_one(agent, scenario=scenario)
    assert result.termination_reason is TerminationReason.goal_met
    assert result.messages[1].text == "Your refund is done."
    system = seen[0][0]
    assert isinstance(system, ModelRequest) and isinstance(system.parts[0], SystemPromptPart)
    assert "You are Ava." in system.parts[0].content and "Be brief." in system.parts[0].content


async def test_memory_carries_earlier_conversations_with_the_same_contact() -> None:
    prompts: list[str] = []

    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        first = messages[0]
        assert isinstance(first, ModelRequest)
        prompts.append(str(first.parts[0].content))
        return ModelResponse(parts=[TextPart("Noted. [END completed]")])

    persona = AgentPersona.model_validate(
        {"id": "a", "name": "Ava", "memory": True, "chat": {"prompt": "Help."}}
    )
    memory: dict[str, list[str]] = {}
    scenario = Scenario(id="s", persona="calm", goal=CustomerGoal(reason_for_call="refund"))
    for _ in range(2):
        agent = LLMAgent(
            persona,
            run=LLMRun(LLMSettings(cache=False)),
            llm_model=FunctionModel(answer),
            contact="maya",
            memory=memory,
        )
        await run_one(agent, scenario=scenario)
    assert "Earlier conversations" not in prompts[0]
    assert "Earlier conversations with this customer" in prompts[1]
    assert "agent: Noted." in prompts[1]


def test_agent_persona_ids_resolve_to_llm_agents(tmp_path: Path) -> None:
    persona_store.import_agent(write_agent(tmp_path, "Hi"))
    factory, info = resolve_agent("acme-support")
    assert info.kind == "agent-persona" and info.version == "draft" and info.realtime
    assert isinstance(factory(), LLMAgent)


def test_edit_without_a_file_opens_the_editor_and_saves_its_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    persona_store.import_agent(write_agent(tmp_path, "Hi there"))
    monkeypatch.setenv("VISUAL", "sed -i 's/Hi there/Welcome back/'")
    result = runner.invoke(app, ["agents", "edit", "acme-support"])
    assert result.exit_code == 0, result.output
    draft = persona_store.draft_path("acme-support").read_text(encoding="utf-8")
    assert "Welcome back" in draft, "the editor's change should be saved as the draft"
