"""Cross-checks of ``understudy validate``: unknown personas, documents, rubrics and agent personas
named with their lines; imported content that runs as written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from understudy.cli.app import app
from understudy.content.scenarios import load_scenario
from understudy.errors import ContentError
from understudy.practice.briefing import load_documents

REPO = Path(__file__).resolve().parents[1]


RETAIL = REPO / "examples" / "scenarios" / "practice-retail-return.yaml"


runner = CliRunner()


def cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _scenario_copy(tmp_path: Path, **changes: object) -> Path:
    data = yaml.safe_load(RETAIL.read_text(encoding="utf-8"))
    data.update(changes)
    shutil.copytree(RETAIL.parent / "practice-personas", tmp_path / "practice-personas")
    shutil.copytree(RETAIL.parent / "practice-docs", tmp_path / "practice-docs")
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_validate_reports_unknown_persona_document_and_rubric_with_lines(tmp_path: Path) -> None:
    path = _scenario_copy(
        tmp_path,
        persona="nobody",
        rubric="no-such-rubric",
        briefing={"documents": ["practice-docs/missing.md"]},
    )
    code, _, err = cli("validate", str(path))
    assert code == 2, "a scenario practice cannot play is invalid"
    lines = path.read_text(encoding="utf-8").splitlines()
    persona_line = next(i for i, t in enumerate(lines, 1) if t.startswith("persona:"))
    assert f"{path}:{persona_line}: persona: no persona with id 'nobody'" in err, err
    assert "briefing.documents.0: document not found" in err, err
    assert "rubric: no rubric with id 'no-such-rubric'" in err, err
    code, _, err = cli("assign", str(path), "--trainee", "sam")
    assert code == 2 and "no persona with id 'nobody'" in err, "assign checks too"


AGENT = """\
# kind: agent
id: acme-line
name: Ava from Acme
voice:
  - locale: en-US
    prompt: You are Acme's phone assistant.
    first_speaker: agent
"""


def test_validate_reports_an_unknown_agent_persona_with_its_line(
    tmp_path: Path, understudy_home: Path
) -> None:
    path = _scenario_copy(tmp_path, mode="voice", agent_persona="ghost-line")
    code, _, err = cli("validate", str(path))
    assert code == 2, "a voice call of it would be refused"
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(i for i, t in enumerate(lines, 1) if t.startswith("agent_persona:"))
    assert (
        f"{path}:{line}: agent_persona: no agent persona with id 'ghost-line'; "
        "known agent personas: none"
    ) in " ".join(err.split()), err
    agent = tmp_path / "acme-line.yaml"
    agent.write_text(AGENT, encoding="utf-8")
    assert cli("agents", "import", str(agent))[0] == 0
    code, _, err = cli("validate", str(path))
    assert code == 2 and "known agent personas: acme-line" in err, err
    path.write_text(path.read_text().replace("ghost-line", "acme-line"), encoding="utf-8")
    code, out, err = cli("validate", str(path))
    assert code == 0 and "ok" in out, err


def test_valid_example_scenarios_still_validate() -> None:
    paths = sorted((REPO / "examples" / "scenarios").glob("*.yaml"))
    code, _, err = cli("validate", *map(str, paths))
    assert code == 0, err


def test_missing_briefing_document_names_its_path(tmp_path: Path) -> None:
    path = _scenario_copy(tmp_path, briefing={"documents": ["practice-docs/missing.md"]})
    scenario, base = load_scenario(path)
    with pytest.raises(ContentError) as caught:
        load_documents(scenario, base)
    text = str(caught.value)
    assert "<input>" not in text and str(base / "practice-docs" / "missing.md") in text, text


def test_abcd_scenarios_know_only_values_the_flow_accepts(
    shared_data: Path, tmp_path: Path
) -> None:
    from understudy.content.flows import load_flow
    from understudy.content.importers.abcd import import_abcd
    from understudy.domain.flow import CollectNode

    import_abcd(shared_data / "abcd" / "guidelines.json", tmp_path, subflow="search_results")
    [flow_path] = sorted((tmp_path / "flows").glob("*search_results*.yaml"))
    flow = load_flow(flow_path)
    scenario, _ = load_scenario(flow_path.parent / str(flow.default_scenario))
    for node in flow.nodes.values():
        if isinstance(node, CollectNode) and node.choices:
            values = [c.value for c in node.choices]
            assert scenario.goal.known_info[node.slot] in values, (
                f"{node.slot}={scenario.goal.known_info[node.slot]!r} is not one of {values}"
            )
