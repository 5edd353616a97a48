"""``understudy scenarios ...``: the scenario library a trainer manages.

Thin: parses options, calls ``understudy.content.scenario_library`` and the assignment store,
renders with Rich.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from understudy.cli.apps import scenarios_app
from understudy.cli.common import (
    console,
    edit_validated,
    err_console,
    is_narrow,
    user_errors,
)
from understudy.errors import ConfigError

if TYPE_CHECKING:
    from understudy.content import scenario_library as library
    from understudy.domain.base import Origin


def current_user() -> str | None:
    """Return who acts (``teams.context.acting_name``), recorded as ``created_by``."""
    from understudy.teams.context import acting_name

    return acting_name()


def participants() -> Counter[str]:
    """Return scenario id -> number of active assigned sessions (one per trainee)."""
    from understudy.storage.assignments import AssignmentStore

    return Counter(s.scenario_id for s in AssignmentStore().sessions() if s.assigned)


def persona_label(ref: str) -> str:
    """Return a persona reference as shown in tables: the id, or a file's name without suffix."""
    return Path(ref).stem if ref.endswith((".yaml", ".yml")) else ref


def scenarios_table(
    entries: list[library.LibraryEntry], counts: Counter[str], width: int | None = None
) -> Table:
    """Return the table of ``scenarios list``.

    Args:
        entries: the scenarios.
        counts: scenario id -> participants (trainees with an active assignment).
        width: terminal width in columns; below ``NARROW_WIDTH`` the name is left out (see
            ``scenarios show``) and long cells fold, so the table fits 80 columns.
    """
    narrow = is_narrow(width)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1, 0, 0), expand=narrow)
    table.add_column("scenario", overflow="fold", ratio=6)
    table.add_column("type", overflow="fold", ratio=3, min_width=8)
    table.add_column("persona", overflow="fold", ratio=3)
    table.add_column("ppl", justify="right", no_wrap=True)
    table.add_column("/wk", justify="right", no_wrap=True)
    table.add_column("by", overflow="fold", ratio=2)
    table.add_column("tags", overflow="fold", ratio=4)
    table.add_column("created", no_wrap=True, min_width=10)
    for entry in entries:
        s = entry.scenario
        title = escape(s.id) + ("" if entry.in_library else "*")
        if s.name and s.name != s.id and not narrow:
            title += f"\n[dim]{escape(s.name)}[/]"
        table.add_row(
            title,
            escape(s.type.replace("_", " ")),
            escape(persona_label(s.persona)),
            str(counts.get(s.id, 0)),
            "-" if s.sessions_per_week is None else str(s.sessions_per_week),
            escape(s.created_by or "-"),
            escape(", ".join(s.tags) or "-"),
            s.created_at.isoformat() if s.created_at else "-",
        )
    return table


@scenarios_app.command("list")
def list_command(
    tag: str | None = typer.Option(None, "--tag", help="Only scenarios with this tag."),
    persona: str | None = typer.Option(None, "--persona", help="Only this persona id."),
    kind: str | None = typer.Option(None, "--type", help="Only this scenario type."),
    dirs: list[Path] | None = typer.Option(
        None,
        "--dir",
        help="Folder to list; repeatable (default: the library and ./examples/scenarios).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the scenarios as a JSON list."),
) -> None:
    """List scenarios: type, persona, participants, frequency, creator, tags, creation date.

    Participants ("ppl") counts the trainees with an active assignment; "/wk" is the expected
    sessions per week. Scenarios marked * are files outside the library: add them to manage them.
    """
    from understudy.content import scenario_library as library

    with user_errors():
        listing = library.list_scenarios(dirs or None)
        entries = library.filter_entries(listing.entries, tag=tag, persona=persona, kind=kind)
        counts = participants()
    if as_json:
        typer.echo(json.dumps([_entry_json(e, counts) for e in entries], indent=2))
        return
    for problem in listing.problems:
        err_console.print(f"[yellow]skipped[/yellow] {escape(str(problem))}", highlight=False)
    if not entries:
        console.print(
            "No scenarios. Add one with: understudy scenarios add FILE"
            if not listing.entries
            else "No scenario matches these filters."
        )
        return
    console.print(scenarios_table(entries, counts, console.width))
    if not all(e.in_library for e in entries):
        console.print("[dim]* a file outside the library: `scenarios add FILE` to manage it[/]")


def _entry_json(entry: library.LibraryEntry, counts: Counter[str]) -> dict[str, object]:
    s = entry.scenario
    return {
        "id": s.id,
        "name": s.name,
        "type": s.type,
        "persona": s.persona,
        "participants": counts.get(s.id, 0),
        "sessions_per_week": s.sessions_per_week,
        "created_by": s.created_by,
        "tags": list(s.tags),
        "created_at": s.created_at.isoformat() if s.created_at else None,
        "path": str(entry.path),
        "in_library": entry.in_library,
    }


def origin_text(origin: Origin) -> str:
    """Return where a scenario came from, e.g. ``duplicated from scenario refund-basic``."""
    text = origin.describe()
    if origin.source and origin.source not in text:
        text = f"{origin.kind} from {origin.source}"
    return text


@scenarios_app.command("show")
def show_command(ref: str = typer.Argument(..., metavar="ID|FILE")) -> None:
    """Show a scenario: details, persona mapping, frequency, participants, and whether it is valid.

    Valid means ready for practice: its persona, briefing documents, rubric and agent persona
    all exist.
    """
    from understudy.content import scenario_library as library
    from understudy.content.scenario_checks import scenario_problems

    with user_errors():
        entry = library.locate(ref)
        counts = participants()
    s = entry.scenario
    rows: list[tuple[str, str]] = [
        ("id", s.id),
        ("name", s.name or "-"),
        ("type", s.type),
        ("persona", s.persona),
    ]
    if s.persona_mapping is not None:
        m = s.persona_mapping
        mapping = " / ".join(x for x in (m.ecosystem, m.vertical) if x) or "-"
        rows.append(("persona mapping", mapping + (f" ({m.profile_url})" if m.profile_url else "")))
    rows += [
        ("reason for call", s.goal.reason_for_call),
        ("participants", str(counts.get(s.id, 0))),
        ("per week", "-" if s.sessions_per_week is None else str(s.sessions_per_week)),
        ("deadline", s.deadline.isoformat() if s.deadline else "-"),
        ("tags", ", ".join(s.tags) or "-"),
        ("created by", s.created_by or "-"),
        ("created", s.created_at.isoformat() if s.created_at else "-"),
        ("origin", origin_text(s.origin)),
        ("file", str(entry.path) + ("" if entry.in_library else " (not in the library)")),
    ]
    if s.instructions:
        rows.append(("instructions", s.instructions))
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for label, value in rows:
        table.add_row(label, escape(value))
    console.print(table)
    problems = scenario_problems(s, entry.path)
    if problems:
        console.print("[red]Not valid for practice:[/]")
        for problem in problems:
            console.print(f"  {escape(str(problem))}", highlight=False)
    else:
        console.print(f"[green]Valid for practice:[/] understudy practice {escape(s.id)}")
    from understudy.cli.scenario_reports import print_reports

    with user_errors():
        print_reports(s)


@scenarios_app.command("add")
def add_command(
    file: Path = typer.Argument(..., help="Scenario YAML file."),
    by: str | None = typer.Option(None, "--by", help="Who created it (default: your login)."),
    force: bool = typer.Option(False, "--force", help="Replace a library scenario with the id."),
) -> None:
    """Validate a scenario file and copy it into the library ($UNDERSTUDY_HOME/scenarios)."""
    from understudy.content import scenario_library as library

    with user_errors():
        path = library.add_scenario(file, created_by=by or current_user(), force=force)
    console.print(f"Added {escape(path.stem)}: {escape(str(path))}", highlight=False)


@scenarios_app.command("duplicate")
def duplicate_command(
    ref: str = typer.Argument(..., metavar="ID|FILE"),
    new_id: str = typer.Argument(..., metavar="NEW_ID"),
    name: str | None = typer.Option(None, "--name", help="Name of the copy."),
    by: str | None = typer.Option(None, "--by", help="Who created it (default: your login)."),
) -> None:
    """Copy a scenario into the library under a new id; its origin names the original."""
    from understudy.content import scenario_library as library

    with user_errors():
        path = library.duplicate_scenario(ref, new_id, name=name, created_by=by or current_user())
    console.print(f"Duplicated {escape(ref)} as {escape(new_id)}: {escape(str(path))}")


@scenarios_app.command("edit")
def edit_command(scenario_id: str = typer.Argument(..., metavar="ID")) -> None:
    """Open a library scenario in $EDITOR, then validate it (problems with file, line, field)."""
    from understudy.content import scenario_library as library
    from understudy.content.scenario_checks import load_checked_scenario

    with user_errors():
        entry = library.library_entry(scenario_id)
    if not edit_validated(entry.path, load_checked_scenario):
        err_console.print(f"Try again with: understudy scenarios edit {scenario_id}")
        raise typer.Exit(2)
    scenario = load_checked_scenario(entry.path)
    if scenario.id != entry.path.stem:
        err_console.print(
            f"[yellow]warning[/yellow] the id inside is {scenario.id!r} but the file is "
            f"{entry.path.name}; lookups by id use the file name",
            highlight=False,
        )
    console.print(f"{escape(str(entry.path))} is valid.", highlight=False)


@scenarios_app.command("tag")
def tag_command(
    ref: str = typer.Argument(..., metavar="ID|FILE"),
    add: list[str] | None = typer.Option(None, "--add", help="Tag to add; repeatable."),
    remove: list[str] | None = typer.Option(None, "--remove", help="Tag to remove; repeatable."),
) -> None:
    """Add or remove tags of a library scenario (or a file); tags stay unique and sorted."""
    from understudy.content import scenario_library as library

    with user_errors():
        if not add and not remove:
            raise ConfigError("give --add TAG or --remove TAG")
        path = Path(ref) if Path(ref).is_file() else library.library_entry(ref).path
        tags = library.edit_tags(path, add or [], remove or [])
    shown = ", ".join(tags) or "none"
    console.print(f"Tags of {escape(path.stem)}: {escape(shown)}", highlight=False)


@scenarios_app.command("delete")
def delete_command(
    scenario_id: str = typer.Argument(..., metavar="ID"),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
    force: bool = typer.Option(
        False, "--force", help="Delete even while sessions are assigned (they and attempts stay)."
    ),
) -> None:
    """Delete a scenario from the library (library copies only; attempts keep their snapshot)."""
    from understudy.content import scenario_library as library

    with user_errors():
        entry = library.library_entry(scenario_id)
        assigned = participants().get(scenario_id, 0)
        if assigned and not force:
            raise ConfigError(
                f"scenario {scenario_id!r} is assigned in {assigned} session(s); unassign them "
                "(`understudy attempts sessions --scenario ID`) or pass --force"
            )
    if not yes:
        typer.confirm(
            f"Delete {entry.path}? This cannot be undone.", abort=True, err=True, default=False
        )
    with user_errors():
        path = library.delete_scenario(scenario_id)
    console.print(f"Deleted {escape(str(path))}", highlight=False)
