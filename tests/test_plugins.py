"""Plugins: a package installed beside understudy adds a simulator and an agent kind through
entry points, and is used from the command line; a broken plugin breaks nothing else.

The plugin is a real distribution: a package folder and its ``.dist-info`` (METADATA and
``entry_points.txt``) on the ``PYTHONPATH`` of a child ``understudy`` process, which is how an
installed wheel looks to ``importlib.metadata``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from understudy.errors import ConfigError, NotFoundError
from understudy.registry import Registry
from understudy.storage.store import Store

PLUGIN_CODE = '''
"""A throwaway understudy plugin: a counting customer and a bot that adds up."""

import random
from typing import Any, ClassVar

from understudy.agents.resolve import AgentFactory, AgentInfo, AgentKind, AgentOptions
from understudy.domain.persona import Mood, Persona
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.engine.seams import (
    Agent,
    AgentTurn,
    ConversationState,
    CustomerTurn,
    UserSimulator,
)
from understudy.content.kinds import ContentKind
from understudy.content.loader import load_model
from understudy.registry import PluginOptions
from pydantic import BaseModel, ConfigDict


class CounterOptions(PluginOptions):
    start: int = 1


class CountingCustomer(UserSimulator):
    name = "counter"
    simulated_time = True
    Options: ClassVar[type[PluginOptions]] = CounterOptions

    def __init__(self, persona: Persona, scenario: Scenario, rng: random.Random,
                 start: int = 1) -> None:
        self.next = start + rng.randint(0, 2)

    async def respond(self, state: ConversationState) -> CustomerTurn:
        self.next += 1
        return CustomerTurn(text=f"plus {self.next}", mood=Mood.calm)


class AddingBot(Agent):
    name = "adder"

    def __init__(self, limit: int) -> None:
        self.total = 0
        self.limit = limit

    async def respond(self, state: ConversationState) -> AgentTurn:
        last = state.last_customer_message
        self.total += int(last.text.split()[-1]) if last else 0
        if self.total >= self.limit:
            return AgentTurn(text=f"Total {self.total}. Done.", ended=True, outcome="completed")
        return AgentTurn(text=f"Total so far {self.total}.")


class AdderOptions(AgentOptions):
    pass


class AdderKind(AgentKind):
    name = "adder"
    label = "adder://LIMIT"

    @classmethod
    def matches(cls, target: str) -> bool:
        return target.startswith("adder://")

    @classmethod
    def resolve(cls, target: str, options: Any) -> tuple[AgentFactory, AgentInfo]:
        limit = int(target.removeprefix("adder://"))
        scenario = Scenario(id="adding", persona="calm",
                            goal=CustomerGoal(reason_for_call="add numbers"))
        info = AgentInfo(kind="adder", ref=target, name=f"adder to {limit}",
                         generic_scenario=scenario)
        return (lambda: AddingBot(limit)), info


class Greeting(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str


GREETING = ContentKind(
    name="greeting",
    model=Greeting,
    load=lambda path: load_model(Greeting, path),
    detect=lambda data: set(data) == {"text"},
    description="a greeting",
)
'''

ENTRY_POINTS = """
[understudy.simulators]
counter = understudy_adder_plugin:CountingCustomer
vanished = understudy_adder_plugin.gone:Customer

[understudy.agents]
adder = understudy_adder_plugin:AdderKind

[understudy.graders]
exploding = understudy_adder_plugin.exploding:Grader

[understudy.kinds]
greeting = understudy_adder_plugin:GREETING
"""


def install_plugin(root: Path) -> Path:
    """Write the plugin package and its dist-info under ``root``; return ``root``."""
    package = root / "understudy_adder_plugin"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(PLUGIN_CODE), encoding="utf-8")
    (package / "exploding.py").write_text(
        'raise RuntimeError("this grader needs a GPU")\n', encoding="utf-8"
    )
    info = root / "understudy_adder_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: understudy-adder-plugin\nVersion: 0.1\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(ENTRY_POINTS, encoding="utf-8")
    (info / "top_level.txt").write_text("understudy_adder_plugin\n", encoding="utf-8")
    return root


@pytest.fixture
def plugin_path(tmp_path: Path) -> Path:
    return install_plugin(tmp_path / "site")


def understudy(plugin_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the ``understudy`` command in a child process that sees the plugin distribution."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(plugin_path), env.get("PYTHONPATH")]))
    env["COLUMNS"] = "200"
    return subprocess.run(
        [sys.executable, "-m", "understudy", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_a_plugin_simulator_and_agent_kind_play_a_stress_test(plugin_path: Path) -> None:
    args = ["stress-test", "--agent", "adder://20", "--simulator", "counter", "--persona", "calm"]
    done = understudy(plugin_path, *args, "-n", "4", "--seed", "3", "--json")
    assert done.returncode == 0, f"the plugin run should finish: {done.stderr}"
    report = json.loads(done.stdout)
    assert report["agent"]["kind"] == "adder", "the run records the plugin's agent kind"
    assert report["agent"]["name"] == "adder to 20"
    assert report["played"] == 4
    assert report["errors"] == [], "no conversation of the plugin run failed"
    completion = report["metrics"]["completion_rate"]
    assert completion["k"] == 4, f"every adding conversation reaches its total: {completion}"

    assert Store().get_run(report["run_id"]).simulator_kind == "counter"
    shown = understudy(plugin_path, "runs", "show", report["run_id"], "-k", "0", "--json")
    assert shown.returncode == 0, shown.stderr
    texts = [m["text"] for m in json.loads(shown.stdout)["messages"]]
    assert texts[0].startswith("plus "), f"the plugin customer opens the call: {texts}"
    assert texts[-1].endswith("Done."), f"the plugin bot ends it: {texts}"

    again = understudy(plugin_path, *args, "-n", "4", "--seed", "3", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["metrics"] == report["metrics"], (
        "a seeded run of a simulated-time plugin simulator repeats exactly"
    )


@pytest.mark.slow
def test_a_broken_plugin_does_not_break_the_cli(plugin_path: Path) -> None:
    listed = understudy(plugin_path, "personas", "list")
    assert listed.returncode == 0, f"other commands keep working: {listed.stderr}"
    assert "calm" in listed.stdout

    plugins = understudy(plugin_path, "plugins")
    assert plugins.returncode == 1, "a broken plugin makes `plugins` exit 1"
    out = plugins.stdout
    assert "counter" in out and "understudy-adder-plugin" in out
    assert "RuntimeError: this grader needs a GPU" in out, "the broken grader shows its error"
    assert "vanished" in out and "ModuleNotFoundError" in out
    assert "offline" in out, "built-ins are listed beside plugins"
    assert "greeting" in out

    good = plugin_path / "hello.yaml"
    good.write_text("# kind: greeting\ntext: Hello there\n", encoding="utf-8")
    bad = plugin_path / "typo.yaml"
    bad.write_text("# kind: greeting\ntext: Hi\ncolour: red\n", encoding="utf-8")
    checked = understudy(plugin_path, "validate", str(good), str(bad))
    assert checked.returncode != 0, "the file with an unknown field fails validation"
    assert "hello.yaml" in checked.stdout + checked.stderr
    assert "colour" in checked.stdout + checked.stderr, "a plugin kind's errors name the field"

    flow = Path(__file__).resolve().parents[1] / "examples" / "flows" / "refund.yaml"
    done = understudy(plugin_path, "stress-test", str(flow), "--simulator", "vanished", "-n", "2")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "vanished" in done.stderr and "failed to load" in done.stderr
    assert "ModuleNotFoundError" in done.stderr, "using a broken plugin names its error"


def test_an_unknown_option_is_refused_before_anything_is_built() -> None:
    from understudy.content.personas import resolve_persona
    from understudy.domain.scenario import CustomerGoal, Scenario
    from understudy.simulators import make_simulator

    scenario = Scenario(id="s", persona="calm", goal=CustomerGoal(reason_for_call="refund"))
    with pytest.raises(ConfigError) as caught:
        make_simulator(
            "offline",
            resolve_persona("calm"),
            scenario,
            __import__("random").Random(0),
            {"escalate_chanse": 0.5},
        )
    message = str(caught.value)
    assert "unknown option 'escalate_chanse'" in message
    assert "known options: escalate_chance, ask_repeat_scale, objection_chance, bank" in message


def test_a_bad_option_value_names_the_option() -> None:
    from understudy.graders.base import make_grader

    with pytest.raises(ConfigError, match=r"option 'temperature'.*known options: model"):
        make_grader("llm", {"temperature": "hot"})


def test_import_from_runs_a_registered_importer_with_checked_options(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from understudy.cli.app import app

    runner = CliRunner()
    bad = runner.invoke(
        app, ["import", "from", "tau2", "x.json", "-o", str(tmp_path), "--option", "colour=red"]
    )
    assert bad.exit_code != 0
    assert "unknown option 'colour'" in bad.output and "known options: domain" in bad.output
    unknown = runner.invoke(app, ["import", "from", "nosuch", "x.json", "-o", str(tmp_path)])
    assert "unknown importer 'nosuch'; known: abcd, bitext, tau2" in unknown.output


def test_a_registry_keeps_working_around_a_broken_entry() -> None:
    registry: Registry[object] = Registry("widget", "understudy.test-widgets")
    registry.add("good", "json:dumps")
    registry.add("bad", "understudy.no_such_module:thing")
    assert registry.names() == ["bad", "good"], "listing imports nothing"
    assert registry.get("good") is json.dumps
    with pytest.raises(NotFoundError, match=r"'bad'.*failed to load: ModuleNotFoundError"):
        registry.get("bad")
    assert list(registry.load_all()) == ["good"]
    assert set(registry.broken) == {"bad"}
    with pytest.raises(NotFoundError, match=r"unknown widget 'ugly'; known: bad, good"):
        registry.get("ugly")
