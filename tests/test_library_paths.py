"""Ids typed on the command line (or sent by the web app) never reach outside their library.

Each library command that turns an id into a file (scenarios delete, edit, tag, duplicate;
personas edit; agents edit, publish, show) is tried with a family of hostile ids: parent
references, absolute paths, nested paths, hidden names, a NUL byte. Beside each library folder
sits a victim file that such an id would reach; it must be left exactly as it was, nothing new
may appear outside the libraries, and the command exits 2 with a message saying what an id is.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from understudy.cli.app import app
from understudy.content.safe_paths import check_id, is_safe_id, library_file
from understudy.errors import ConfigError

SCENARIO = "id: {id}\npersona: calm\ngoal:\n  reason_for_call: refund\n"
AGENT = "# kind: agent\nid: {id}\nname: Ava\nmodel: test\nchat:\n  prompt: Help.\n"

HOSTILE = [
    "../outside/victim",
    "../../outside/victim",
    "..",
    "../outside",
    "/tmp/understudy-victim",
    "sub/victim",
    ".hidden",
    "victim\x00",
    "~/victim",
    "C:\\victim",
    "a" * 300,
]

runner = CliRunner()


@pytest.fixture
def home(understudy_home: Path) -> Path:
    (understudy_home / "scenarios").mkdir(parents=True)
    (understudy_home / "scenarios" / "refund.yaml").write_text(SCENARIO.format(id="refund"))
    outside = understudy_home / "outside"
    outside.mkdir()
    (outside / "victim.yaml").write_text(SCENARIO.format(id="victim"))
    (outside / "victim").mkdir()
    (outside / "victim" / "draft.yaml").write_text(AGENT.format(id="victim"))
    return understudy_home


LIBRARIES = {"scenarios", "personas", "agents"}


def snapshot(home: Path) -> dict[str, bytes]:
    """Every file under ``home`` outside the library folders (the database aside)."""
    return {
        str(p.relative_to(home)): p.read_bytes()
        for p in sorted(home.rglob("*"))
        if p.is_file()
        and p.relative_to(home).parts[0] not in LIBRARIES
        and not p.name.startswith("understudy.db")
    }


COMMANDS = [
    ["scenarios", "delete", "{id}", "--yes", "--force"],
    ["scenarios", "edit", "{id}"],
    ["scenarios", "tag", "{id}", "--add", "pwned"],
    ["scenarios", "duplicate", "refund", "{id}"],
    ["personas", "edit", "{id}"],
    ["agents", "edit", "{id}", "--file", "{agent_file}"],
    ["agents", "publish", "{id}"],
    ["agents", "show", "{id}"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
@pytest.mark.parametrize("hostile", HOSTILE[:6], ids=range(6))
def test_hostile_ids_never_touch_files_outside_the_library(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str], hostile: str
) -> None:
    monkeypatch.setenv("EDITOR", "true")
    monkeypatch.chdir(tmp_path)  # no hostile id is also a file relative to here
    agent_file = tmp_path / "agent.yaml"
    agent_file.write_text(AGENT.format(id="victim"))
    before = snapshot(home)
    args = [part.format(id=hostile, agent_file=agent_file) for part in command]
    outcome = runner.invoke(app, args)
    assert outcome.exit_code != 0, f"{args} was accepted:\n{outcome.output}"
    assert snapshot(home) == before, f"{args} changed or made a file outside the libraries"
    assert not Path("/tmp/understudy-victim.yaml").exists()


@pytest.mark.parametrize("command", COMMANDS[:4] + COMMANDS[5:7], ids=lambda c: " ".join(c[:2]))
def test_a_parent_reference_is_refused_with_a_clear_message(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    agent_file = tmp_path / "agent.yaml"
    agent_file.write_text(AGENT.format(id="victim"))
    args = [part.format(id="../outside/victim", agent_file=agent_file) for part in command]
    outcome = runner.invoke(app, args)
    assert outcome.exit_code == 2, outcome.output
    assert "invalid" in outcome.output and "'..'" in outcome.output, outcome.output


@pytest.mark.parametrize("value", HOSTILE)
def test_the_library_guard_refuses_every_hostile_id(value: str, tmp_path: Path) -> None:
    assert not is_safe_id(value)
    with pytest.raises(ConfigError, match="invalid scenario id"):
        check_id(value, "scenario id")


@pytest.mark.parametrize("value", ["refund", "refund-v2", "Refund_2.draft", "a1"])
def test_ordinary_ids_are_accepted(value: str, tmp_path: Path) -> None:
    assert library_file(tmp_path, value) == tmp_path / f"{value}.yaml"


def test_a_symbolic_link_out_of_the_library_is_refused(tmp_path: Path) -> None:
    library = tmp_path / "library"
    library.mkdir()
    (tmp_path / "elsewhere.yaml").write_text("x")
    (library / "linked.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    with pytest.raises(ConfigError, match="outside"):
        library_file(library, "linked")


BRIEFED = (
    "# kind: scenario\nid: briefed\npersona: calm\ngoal:\n  reason_for_call: refund\n"
    "briefing:\n  goal: Refund politely.\n  documents:\n    - {doc}\n"
)


def outside_documents(tmp_path: Path) -> list[str]:
    secret = tmp_path / "secret.md"
    secret.write_text("the admin password")
    (tmp_path / "scenario" / "linked.md").symlink_to(secret)
    return ["../secret.md", str(secret), "linked.md", "sub/../../secret.md"]


def test_briefing_documents_outside_the_allowed_folders_are_refused(tmp_path: Path) -> None:
    from understudy.content.scenario_checks import load_checked_scenario
    from understudy.content.scenarios import load_scenario
    from understudy.errors import ContentError
    from understudy.practice.briefing import load_documents

    (tmp_path / "scenario").mkdir()
    for doc in outside_documents(tmp_path):
        path = tmp_path / "scenario" / "briefed.yaml"
        path.write_text(BRIEFED.format(doc=doc), encoding="utf-8")
        with pytest.raises(ContentError) as caught:
            load_checked_scenario(path)
        problem = caught.value.problems[0]
        assert (problem.line, problem.field) == (9, "briefing.documents.0"), str(caught.value)
        assert "outside the scenario's folder" in problem.message
        outcome = runner.invoke(app, ["validate", str(path)])
        assert outcome.exit_code == 2 and "briefing.documents.0" in outcome.output
        scenario, base = load_scenario(path)
        with pytest.raises(ContentError, match="outside"):
            load_documents(scenario, base)


def test_documents_in_the_scenario_folder_or_the_documents_folder_are_read(
    tmp_path: Path, understudy_home: Path
) -> None:
    from understudy.content.safe_paths import documents_dir
    from understudy.content.scenarios import load_scenario
    from understudy.practice.briefing import load_documents

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "policy.md").write_text("Refunds within 30 days.")
    shared = documents_dir() / "shared.md"
    shared.parent.mkdir(parents=True)
    shared.write_text("Be kind.")
    for doc, text in [("docs/policy.md", "Refunds"), (str(shared), "Be kind")]:
        path = tmp_path / "briefed.yaml"
        path.write_text(BRIEFED.format(doc=doc), encoding="utf-8")
        scenario, base = load_scenario(path)
        assert text in load_documents(scenario, base)[0].text


def test_adding_a_scenario_copies_its_documents_into_the_documents_folder(
    tmp_path: Path, understudy_home: Path
) -> None:
    from understudy.content.safe_paths import documents_dir
    from understudy.content.scenario_checks import load_checked_scenario

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "policy.md").write_text("Refunds within 30 days.")
    path = tmp_path / "briefed.yaml"
    path.write_text(BRIEFED.format(doc="docs/policy.md"), encoding="utf-8")
    outcome = runner.invoke(app, ["scenarios", "add", str(path)])
    assert outcome.exit_code == 0, outcome.output
    copy = load_checked_scenario(understudy_home / "scenarios" / "briefed.yaml")
    assert copy.briefing.documents == [str(documents_dir() / "briefed" / "docs" / "policy.md")]
    (tmp_path / "docs" / "policy.md").unlink()
    assert Path(copy.briefing.documents[0]).read_text() == "Refunds within 30 days.", (
        "the library copy no longer depends on the original folder"
    )


@pytest.mark.parametrize(
    ("command", "relative"),
    [(["scenarios", "edit", "refund"], "scenarios/refund.yaml")],
)
def test_an_invalid_edit_leaves_the_file_as_it_was_and_keeps_the_draft(
    home: Path, tmp_path: Path, command: list[str], relative: str
) -> None:
    import sys

    editor = tmp_path / "editor.py"
    editor.write_text("import sys\nopen(sys.argv[1], 'a').write('max_turns: lots\\n')\n")
    target = home / relative
    before = target.read_bytes()
    outcome = CliRunner().invoke(
        app, command, env={"EDITOR": f"{sys.executable} {editor}", "VISUAL": ""}
    )
    assert outcome.exit_code == 2, outcome.output
    assert f"{target}:5" in outcome.output.replace("\n", ""), "problems name the real file"
    assert target.read_bytes() == before, "an invalid edit is not saved"
    rejected = target.with_name(target.name + ".rejected")
    assert rejected.read_text().endswith("max_turns: lots\n"), "the edit is kept for the user"
    assert not target.with_name(target.name + ".editing").exists()
    assert runner.invoke(app, ["validate", str(target)]).exit_code == 0
