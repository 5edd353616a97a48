"""``understudy personas list | show ID | preview ID``: browse and sanity-check personas.

``persona_table`` builds the list's table from ``PERSONA_COLUMNS``; other command modules extend
the list by passing extra ``PersonaColumn`` entries (e.g. the scenarios that use a persona).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from understudy.cli.apps import personas_app
from understudy.cli.common import console, err_console, is_narrow, user_errors

if TYPE_CHECKING:
    from understudy.content.personas import BrokenPersona
    from understudy.domain.persona import Persona


@dataclass(frozen=True)
class PersonaColumn:
    """One column of the persona list.

    Attributes:
        header: column title.
        value: the cell text for a persona and the file it came from.
        style: Rich style of the column.
        no_wrap: keep the cell on one line.
        wide_only: left out of the compact list on narrow terminals.
        ratio: share of the spare width (Rich ``ratio``); None for a natural width.
    """

    header: str
    value: Callable[[Persona, Path], str]
    style: str = ""
    no_wrap: bool = False
    wide_only: bool = False
    ratio: int | None = None


PERSONA_COLUMNS: list[PersonaColumn] = [
    PersonaColumn("id", lambda p, _: p.id, "bold cyan", no_wrap=True),
    PersonaColumn("name", lambda p, _: p.name, wide_only=True),
    PersonaColumn("mood", lambda p, _: p.mood.value, no_wrap=True),
    PersonaColumn("drift", lambda p, _: p.mood_drift.value, wide_only=True),
    PersonaColumn("language", lambda p, _: p.language, wide_only=True),
    PersonaColumn("summary", lambda p, _: p.summary, ratio=1, wide_only=True),
]
"""The default columns of ``personas list``."""

COMPACT_SUMMARY = PersonaColumn(
    "who", lambda p, _: f"{p.name}: {p.summary}" if p.summary else p.name, ratio=1
)
"""On narrow terminals, name and summary share one column."""


def persona_table(
    personas: Sequence[tuple[Persona, Path]],
    extra: Sequence[PersonaColumn] = (),
    *,
    width: int | None = None,
    broken: Sequence[BrokenPersona] = (),
) -> Table:
    """Return the Rich table of ``personas list``.

    Args:
        personas: personas with the file each came from, in display order.
        extra: columns appended after ``PERSONA_COLUMNS``.
        width: terminal width in columns; below ``NARROW_WIDTH`` the compact list leaves out
            ``wide_only`` columns and shows name and summary together.
        broken: persona files that failed to load, listed last as broken (file and problem).
    """
    narrow = is_narrow(width)
    columns = [*PERSONA_COLUMNS, *extra]
    if narrow:
        columns = [c for c in columns if not c.wide_only]
        columns.insert(2 if len(columns) > 1 else len(columns), COMPACT_SUMMARY)
    table = Table(
        title="Personas", show_lines=False, box=box.SIMPLE_HEAD if narrow else box.HEAVY_HEAD
    )
    for column in columns:
        table.add_column(
            column.header,
            style=column.style or None,
            overflow="fold",
            no_wrap=column.no_wrap,
            ratio=column.ratio,
        )
    for persona, path in personas:
        table.add_row(*(escape(column.value(persona, path)) for column in columns))
    text_column = next(
        (i for i, c in enumerate(columns) if c.header in ("who", "summary")), len(columns) - 1
    )
    for item in broken:
        cells = [""] * len(columns)
        cells[0] = escape(item.path.stem)
        first = item.error.problems[0] if item.error.problems else None
        where = f"line {first.line}" if first and first.line else "file"
        field = f" {first.field}:" if first and first.field else ""
        reason = f"{where}:{field} {first.message}" if first else str(item.error)
        cells[text_column] = f"[red]broken[/red] {escape(reason)}"
        table.add_row(*cells)
    return table


def report_broken(broken: Sequence[BrokenPersona]) -> None:
    """Print a warning per problem of each broken persona file (file, line and field)."""
    for item in broken:
        for problem in item.error.problems:
            err_console.print(
                f"[yellow]warning[/yellow] skipped persona file: {escape(str(problem))}",
                highlight=False,
            )


def print_persona_list(extra: Sequence[PersonaColumn] = ()) -> None:
    """Print ``personas list``: valid personas by id, then broken files, then a count line."""
    from understudy.content.personas import load_persona_library

    with user_errors():
        library = load_persona_library()
    personas = sorted(library.personas.values(), key=lambda item: item[0].id)
    report_broken(library.broken)
    console.print(persona_table(personas, extra, width=console.width, broken=library.broken))
    note = f", {len(library.broken)} broken file(s)" if library.broken else ""
    console.print(f"{len(personas)} personas{note}. Show one with: understudy personas show ID")


@personas_app.command("list")
def list_personas() -> None:
    """List built-in personas and the personas in your library."""
    print_persona_list()


def _source(path: Path) -> str:
    from understudy.content.personas import builtin_persona_paths

    builtins = {p.resolve() for p in builtin_persona_paths()}
    return "built-in" if path.resolve() in builtins else str(path)


@personas_app.command("show")
def show_persona(
    persona_id: str = typer.Argument(..., metavar="ID", help="Persona id or path."),
) -> None:
    """Show every field of one persona."""
    from understudy.content.personas import find_persona

    with user_errors():
        persona, path = find_persona(persona_id)
    p = persona
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")

    def row(label: str, value: object) -> None:
        if value not in (None, "", [], {}):
            table.add_row(label, escape(str(value)))

    row("id", p.id)
    row("name", p.name)
    row("summary", p.summary)
    demo = p.demographics.model_dump(exclude_none=True)
    row("demographics", ", ".join(f"{k} {v}" for k, v in demo.items()))
    row("mood", f"{p.mood.value} (drift {p.mood_drift.value})")
    row("language", p.language)
    row("voice", p.voice)
    row("backstory", p.backstory)
    row("knows", "; ".join(f"{k}: {v}" for k, v in p.knowledge.knows.items()) or "nothing")
    row("doesn't know", ", ".join(p.knowledge.doesnt_know) or "nothing listed")
    for field, value in p.personality.model_dump(exclude_none=True).items():
        row(field.replace("_", " "), value)
    behaviour = p.behaviour.model_dump()
    row("behaviour", ", ".join(f"{k.replace('_', ' ')} {v:g}" for k, v in behaviour.items()))
    row("style tags", ", ".join(p.style_tags))
    row("draft", "yes" if p.draft else None)
    row("origin", p.origin.describe())
    row("file", _source(path))
    console.print(table)


@personas_app.command("preview")
def preview_persona(
    persona_id: str = typer.Argument(..., metavar="ID", help="Persona id or path."),
    seed: int = typer.Option(0, "--seed", "-s", help="Random seed; the same seed, the same lines."),
    intent: str | None = typer.Option(
        None, "--intent", help="Opening intent from the phrasing bank, e.g. get_refund."
    ),
    audio: Path | None = typer.Option(
        None,
        "--audio",
        help="Also speak the lines in the persona's voice into this file (.wav, .flac or .ogg; "
        "needs the voice extra).",
    ),
) -> None:
    """Print three sample customer lines in the persona's voice (offline simulator)."""
    from understudy.content.personas import resolve_persona
    from understudy.simulators.offline.preview import check_intent, preview_lines

    with user_errors():
        persona = resolve_persona(persona_id)
        check_intent(intent)
        lines = preview_lines(persona, seed, intent)
        if audio is not None:
            from understudy.voice import require_voice

            require_voice()
            from understudy.voice.preview import write_audio

            seconds = write_audio(persona, [text for _, text in lines], audio)
    console.print(
        f"[bold]{escape(persona.name)}[/bold] ({escape(persona.id)}), "
        f"{persona.mood.value}, drift {persona.mood_drift.value}, seed {seed}"
    )
    for n, (situation, text) in enumerate(lines, start=1):
        console.print(f"  {n}. [dim]{escape(situation)}:[/dim] {escape(text)}", highlight=False)
    if audio is not None:
        console.print(f"Spoken into {escape(str(audio))} ({seconds:.1f} s).", highlight=False)
