"""The scenario library (list, show, add, duplicate, edit, tag, delete) and attempts delete."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

import understudy.cli.app  # noqa: F401  (registers every command)
from understudy.cli.apps import app
from understudy.content.loader import load_model
from understudy.content.scenario_checks import load_checked_scenario
from understudy.domain.scenario import Scenario
from understudy.storage.attempt_store import AttemptStore
from understudy.storage.attempts import (
    AttemptEventRow,
    AttemptGradeRow,
    CoachReviewRow,
)
from understudy.storage.db import open_database
from understudy.storage.messages import MessageRow

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "scenarios"
RETAIL = EXAMPLES / "practice-retail-return.yaml"
POOR = REPO / "examples" / "scripts" / "practice-retail-return-poor.txt"

MINIMAL = """\
# kind: scenario
# A comment that should survive copies.
id: {id}
name: {name}
type: {type}
persona: {persona}
goal:
  reason_for_call: Your parcel is three days late.
tags: [{tags}]
"""


def run(*args: str, input: str | None = None, width: int = 200) -> Result:
    return CliRunner().invoke(app, list(args), input=input, env={"COLUMNS": str(width)})


def write_scenario(
    folder: Path,
    scenario_id: str,
    *,
    name: str = "Late parcel",
    kind: str = "customer_service",
    persona: str = "calm",
    tags: str = "shipping",
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{scenario_id}.yaml"
    text = MINIMAL.format(id=scenario_id, name=name, type=kind, persona=persona, tags=tags)
    path.write_text(text, encoding="utf-8")
    return path


def add(path: Path, *extra: str) -> Result:
    result = run("scenarios", "add", str(path), "--by", "lee", *extra)
    assert result.exit_code == 0, result.output
    return result


def test_add_copies_a_valid_scenario_into_the_library(
    tmp_path: Path, understudy_home: Path
) -> None:
    source = write_scenario(tmp_path, "late-parcel")
    result = add(source)
    copy = understudy_home / "scenarios" / "late-parcel.yaml"
    assert copy.is_file() and "late-parcel" in result.output, "add copies to the library"
    scenario = load_model(Scenario, copy)
    assert scenario.created_by == "lee", "the creator is recorded"
    assert scenario.created_at == date.today(), "the creation date is recorded"
    assert copy.read_text(encoding="utf-8").startswith("# kind: scenario\n# A comment"), (
        "the leading comments are kept"
    )
    again = run("scenarios", "add", str(source))
    assert again.exit_code == 2 and "already has" in again.output, "an id is not overwritten"
    assert run("scenarios", "add", str(source), "--force").exit_code == 0


def test_add_keeps_relative_references_working_from_the_library(understudy_home: Path) -> None:
    add(RETAIL)
    copy = understudy_home / "scenarios" / "practice-retail-return.yaml"
    scenario = load_checked_scenario(copy)
    assert Path(scenario.persona).is_absolute(), "a persona file is referred to absolutely"
    assert all(Path(d).is_file() for d in scenario.briefing.documents), "documents still found"


def test_add_refuses_invalid_or_unplayable_files_with_file_line_and_field(
    tmp_path: Path, understudy_home: Path
) -> None:
    missing = write_scenario(tmp_path, "ghost", persona="nobody-by-that-name")
    result = run("scenarios", "add", str(missing))
    assert result.exit_code == 2, "a scenario naming an unknown persona is refused"
    assert "ghost.yaml:6" in result.output and "persona" in result.output, result.output
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: b\npersona: calm\ngoal:\n  reason_for_call: x\nmax_turns: zero\n")
    result = run("scenarios", "add", str(broken))
    assert result.exit_code == 2 and "broken.yaml:5" in result.output, result.output
    assert "max_turns" in result.output, "the field is named"
    assert not (understudy_home / "scenarios").exists() or not any(
        (understudy_home / "scenarios").iterdir()
    ), "nothing is copied when validation fails"


def test_list_shows_library_and_given_folders_and_filters(
    tmp_path: Path, understudy_home: Path
) -> None:
    add(write_scenario(tmp_path / "a", "late-parcel", tags="shipping, vip"))
    add(
        write_scenario(
            tmp_path / "a",
            "upsell",
            name="Upsell the plan",
            kind="sales_discovery",
            persona="impatient",
            tags="sales",
        )
    )
    listed = run("scenarios", "list", "--dir", str(understudy_home / "scenarios"))
    assert listed.exit_code == 0, listed.output
    for text in ("late-parcel", "upsell", "Upsell the plan", "sales discovery", "lee"):
        assert text in listed.output, f"the list should show {text!r}"
    assert date.today().isoformat() in listed.output, "the creation date is shown"

    by_tag = run("scenarios", "list", "--tag", "VIP")
    assert "late-parcel" in by_tag.output and "upsell" not in by_tag.output, "tag filter"
    by_persona = run("scenarios", "list", "--persona", "impatient")
    assert "upsell" in by_persona.output and "late-parcel" not in by_persona.output
    by_type = run("scenarios", "list", "--type", "sales_discovery")
    assert "upsell" in by_type.output and "late-parcel" not in by_type.output, "type filter"
    none = run("scenarios", "list", "--tag", "nothing-has-this")
    assert "No scenario matches" in none.output

    examples = run("scenarios", "list", "--dir", str(EXAMPLES))
    assert "practice-retail-return*" in examples.output, "files outside the library are marked"
    assert "upsell" not in examples.output, "--dir replaces the default folders"


def test_list_counts_participants_and_fits_80_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    add(RETAIL)
    for trainee in ("sam", "ana"):
        assigned = run("assign", "practice-retail-return", "--trainee", trainee, "--per-week", "2")
        assert assigned.exit_code == 0, assigned.output
    listed = run("scenarios", "list", width=80)
    assert listed.exit_code == 0, listed.output
    too_long = [line for line in listed.output.splitlines() if len(line) > 80]
    assert not too_long, f"every line should fit 80 columns: {too_long}"
    row = next(line for line in listed.output.splitlines() if "practice-retail" in line)
    assert " 2 " in row, f"two participants are counted: {row!r}"
    assert "refund-sofia" in listed.output, "./examples/scenarios is listed by default"


def test_show_prints_details_and_validity(tmp_path: Path) -> None:
    path = write_scenario(tmp_path, "mapped")
    text = path.read_text(encoding="utf-8") + (
        "persona_mapping:\n  ecosystem: retail\n  vertical: fashion\n"
        "  profile_url: https://profiles.example.org/jo\nsessions_per_week: 3\n"
    )
    path.write_text(text, encoding="utf-8")
    add(path)
    shown = run("scenarios", "show", "mapped")
    assert shown.exit_code == 0, shown.output
    for text in (
        "retail / fashion",
        "profiles.example.org/jo",
        "Late parcel",
        "Valid for practice",
    ):
        assert text in shown.output, f"show should include {text!r}"
    broken = write_scenario(tmp_path / "b", "broken", persona="nobody-by-that-name")
    shown = run("scenarios", "show", str(broken))
    assert shown.exit_code == 0 and "Not valid for practice" in shown.output, shown.output
    assert run("scenarios", "show", "no-such-scenario").exit_code == 2


def test_duplicate_keeps_content_with_new_id_and_origin(understudy_home: Path) -> None:
    result = run(
        "scenarios", "duplicate", str(RETAIL), "retail-hard", "--name", "Harder", "--by", "ana"
    )
    assert result.exit_code == 0, result.output
    copy = understudy_home / "scenarios" / "retail-hard.yaml"
    original = load_model(Scenario, RETAIL)
    duplicate = load_checked_scenario(copy)
    assert (duplicate.id, duplicate.name) == ("retail-hard", "Harder")
    assert duplicate.origin.kind == "duplicated"
    assert "practice-retail-return" in (duplicate.origin.source or ""), "origin names the source"
    assert duplicate.created_by == "ana" and duplicate.created_at == date.today()
    changed = {"id", "name", "origin", "created_by", "created_at", "persona", "briefing"}
    assert duplicate.model_dump(exclude=changed) == original.model_dump(exclude=changed), (
        "every other field is copied as is"
    )
    assert Path(duplicate.persona).name == Path(original.persona).name, "same persona file"
    again = run("scenarios", "duplicate", "retail-hard", "retail-hard")
    assert again.exit_code == 2 and "already has" in again.output, "ids stay unique"
    bad = run("scenarios", "duplicate", "retail-hard", "bad id!")
    assert bad.exit_code == 2 and "bad id!" in bad.output, "a new id must be a valid id"


def test_tag_adds_and_removes_preserving_other_fields(
    tmp_path: Path, understudy_home: Path
) -> None:
    add(write_scenario(tmp_path, "late-parcel", tags="shipping"))
    copy = understudy_home / "scenarios" / "late-parcel.yaml"
    before = load_model(Scenario, copy)
    result = run(
        "scenarios", "tag", "late-parcel", "--add", "vip", "--add", "Billing", "--add", "vip",
        "--add", "SHIPPING", "--remove", "missing",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    after = load_model(Scenario, copy)
    assert after.tags == ["Billing", "shipping", "vip"], "tags are unique and sorted"
    assert after.model_dump(exclude={"tags"}) == before.model_dump(exclude={"tags"})
    assert copy.read_text(encoding="utf-8").startswith("# kind: scenario\n")
    run("scenarios", "tag", "late-parcel", "--remove", "vip", "--remove", "billing")
    assert load_model(Scenario, copy).tags == ["shipping"], "removal ignores case"
    assert run("scenarios", "tag", "late-parcel").exit_code == 2, "a tag change is required"


def test_edit_validates_after_the_editor_and_reports_line_and_field(
    tmp_path: Path, understudy_home: Path
) -> None:
    add(write_scenario(tmp_path, "late-parcel"))
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys\nopen(sys.argv[1], 'a').write('max_turns: lots\\n')\n", encoding="utf-8"
    )
    env = {"EDITOR": f"{sys.executable} {editor}", "VISUAL": "", "COLUMNS": "200"}
    copy = understudy_home / "scenarios" / "late-parcel.yaml"
    line = len(copy.read_text(encoding="utf-8").splitlines()) + 1
    result = CliRunner().invoke(app, ["scenarios", "edit", "late-parcel"], env=env)
    assert result.exit_code == 2, result.output
    assert f"late-parcel.yaml:{line}" in result.output and "max_turns" in result.output, (
        result.output
    )
    editor.write_text("import sys\n", encoding="utf-8")
    copy.write_text(copy.read_text(encoding="utf-8").replace("max_turns: lots\n", ""))
    result = CliRunner().invoke(app, ["scenarios", "edit", "late-parcel"], env=env)
    assert result.exit_code == 0 and "is valid" in result.output, result.output
    example = CliRunner().invoke(app, ["scenarios", "edit", "refund-sofia-li-tau2"], env=env)
    assert example.exit_code == 2, "only library scenarios are edited by id"


def test_delete_refuses_outside_the_library_and_while_assigned(
    tmp_path: Path, understudy_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    outside = run("scenarios", "delete", "refund-sofia-li-tau2", "--yes")
    assert outside.exit_code == 2 and "not in your library" in outside.output, outside.output
    assert (EXAMPLES / "refund-sofia-li-tau2.yaml").is_file(), "example files are never deleted"

    add(write_scenario(tmp_path, "late-parcel"))
    copy = understudy_home / "scenarios" / "late-parcel.yaml"
    assert run("assign", "late-parcel", "--trainee", "sam").exit_code == 0
    refused = run("scenarios", "delete", "late-parcel", "--yes")
    assert refused.exit_code == 2 and "assigned" in refused.output and copy.is_file()

    kept = run("scenarios", "delete", "late-parcel", "--force", input="n\n")
    assert kept.exit_code != 0 and copy.is_file(), "declining the confirmation keeps the file"
    deleted = run("scenarios", "delete", "late-parcel", "--force", input="y\n")
    assert deleted.exit_code == 0 and not copy.exists(), deleted.output
    assert "late-parcel" not in run("scenarios", "list").output


def practise(trainee: str) -> dict[str, Any]:
    args = ["practice", str(RETAIL), "--script", str(POOR), "--json", "--trainee", trainee]
    result = CliRunner().invoke(app, [*args, "--opening-pause", "0"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def rows_of(attempt_id: int) -> dict[str, int]:
    counts = {}
    with open_database()() as db:
        for name, table in (
            ("messages", MessageRow),
            ("events", AttemptEventRow),
            ("grades", AttemptGradeRow),
            ("reviews", CoachReviewRow),
        ):
            counts[name] = db.query(table).filter(table.attempt_id == attempt_id).count()
    return counts


def test_attempts_delete_removes_that_attempt_and_nothing_else() -> None:
    first, second = practise("sam"), practise("sam")
    review = ["attempts", "review", str(first["id"]), "--coach", "lee", "--note", "Verify."]
    assert run(*review).exit_code == 0
    assert all(rows_of(first["id"]).values()), "the attempt has messages, events, grades, reviews"
    kept_before = rows_of(second["id"])

    declined = run("attempts", "delete", str(first["id"]), input="n\n")
    assert declined.exit_code != 0 and rows_of(first["id"])["messages"], "confirmation is asked"
    result = run("attempts", "delete", str(first["id"]), "--yes")
    assert result.exit_code == 0 and "Deleted attempt" in result.output, result.output
    assert not any(rows_of(first["id"]).values()), "everything of the attempt is gone"
    assert rows_of(second["id"]) == kept_before, "the other attempt is untouched"
    assert [a.id for a in AttemptStore().list_attempts()] == [second["id"]]

    run("attempts", "delete", str(second["id"]), "--yes")
    (session,) = AttemptStore().list_sessions(trainee="sam")
    assert session.attempts == 0 and session.status == "To do", "the session status follows"
    missing = run("attempts", "delete", str(second["id"]), "--yes")
    assert missing.exit_code == 2 and "no attempt" in missing.output


def test_old_scenario_files_stay_valid_without_the_new_fields() -> None:
    scenario = load_model(Scenario, RETAIL)
    assert scenario.persona_mapping is None and scenario.created_at is None
    assert scenario.created_by is None, "the new fields are optional"
