"""``understudy personas list | show | preview`` through Typer's test runner."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from understudy.cli.app import app
from understudy.content.personas import builtin_persona_paths
from understudy.settings import persona_dir

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_list_shows_every_builtin_with_its_mood_and_drift() -> None:
    code, out = run("personas", "list")
    assert code == 0, out
    for needle in ("impatient", "typo-prone", "non-native", "elderly", "calm", "maya", "Maya"):
        assert needle in out, f"{needle!r} should be listed"
    row = next(line for line in out.splitlines() if " maya " in line)
    assert "frustrated" in row and "medium" in row and "en-US" in row, row
    count = len(builtin_persona_paths())
    assert f"{count} personas." in out, f"the list should end with the count of {count} built-ins"


def test_list_includes_the_users_own_personas() -> None:
    folder = persona_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "night-owl.yaml").write_text(
        "id: night-owl\nname: Nia\nsummary: Calls at 3 a.m.\nmood: happy\nmood_drift: slow\n",
        encoding="utf-8",
    )
    code, out = run("personas", "list")
    assert code == 0 and "night-owl" in out and "Calls at 3 a.m." in out, out


def test_show_prints_every_field_of_maya() -> None:
    code, out = run("personas", "show", "maya")
    assert code == 0, out
    for needle in (
        "ORD-7711",
        "espresso machine",
        "Visa ending 4422",
        "refund policy",
        "supervisor's name",
        "shimmer",
        "frustrated (drift medium)",
        "built-in",
    ):
        assert needle in out, f"show should include {needle!r}"


def test_show_unknown_id_fails_with_the_known_ids() -> None:
    code, out = run("personas", "show", "nobody")
    assert code == 2
    assert "no persona with id 'nobody'" in out and "impatient" in out


def test_preview_prints_three_lines_in_the_personas_voice() -> None:
    code, out = run("personas", "preview", "maya", "--seed", "4")
    assert code == 0, out
    lines = [line for line in out.splitlines() if line.strip()[:2] in {"1.", "2.", "3."}]
    assert len(lines) == 3, out
    assert re.search(r"ORD-\d{4}", out), "Maya gives her order number (drawn per call) when asked"


def test_preview_is_reproducible_and_seed_dependent() -> None:
    a, b = (
        run("personas", "preview", "typo-prone", "--seed", "1"),
        run("personas", "preview", "typo-prone", "--seed", "1"),
    )
    assert a == b, "the same seed gives the same preview"
    others = {run("personas", "preview", "typo-prone", "--seed", str(s))[1] for s in range(5)}
    assert len(others) > 1, "different seeds give different previews"


def test_preview_of_a_persona_file(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("id: x\nname: Xan\nknowledge:\n  knows:\n    email: x@example.com\n")
    code, out = run("personas", "preview", str(path), "--intent", "get_refund")
    assert code == 0 and "x@example.com" in out, out


def test_preview_of_a_persona_in_another_language_shows_no_english_lines(tmp_path: Path) -> None:
    path = tmp_path / "lucia.yaml"
    path.write_text("id: lucia\nname: Lucia Reyes\nlanguage: es-MX\n")
    code, out = run("personas", "preview", str(path))
    assert code == 2, out
    assert "Spanish (es-MX)" in " ".join(out.split()) and "none is shown" in " ".join(out.split())
