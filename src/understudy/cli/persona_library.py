"""``understudy personas new|edit|generate``: grow the persona library."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from understudy.cli.apps import personas_app
from understudy.cli.common import console, edit_validated, err_console, is_narrow, user_errors
from understudy.cli.personas import PersonaColumn, print_persona_list
from understudy.domain.moods import Mood, MoodDrift
from understudy.errors import ConfigError

if TYPE_CHECKING:
    from understudy.domain.persona import Persona


@personas_app.command("new")
def new_command(
    name: str = typer.Option(..., prompt="Name", help="Display name, e.g. Maya."),
    persona_id: str = typer.Option(
        "", "--id", help="Id (lower-case, dashes); default: from the name."
    ),
    summary: str = typer.Option("", prompt="One-line summary", help="Shown in lists."),
    mood: Mood = typer.Option(Mood.calm, prompt="Mood", help="Initial mood."),
    drift: MoodDrift = typer.Option(MoodDrift.medium, prompt="Mood drift", help="How fast."),
    language: str = typer.Option("en-US", prompt="Language (BCP 47)", help="e.g. en-GB."),
    age: int | None = typer.Option(None, min=0, max=120, help="Age in years."),
    occupation: str | None = typer.Option(None, help="Occupation."),
    backstory: str = typer.Option("", help="A paragraph about who they are."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing persona file."),
) -> None:
    """Create a persona in your library ($UNDERSTUDY_HOME/personas/ID.yaml).

    Prompts for what is not given as an option. Edit the file afterwards with
    `understudy personas edit ID` to fill knowledge, personality and behaviour.
    """
    from understudy.content.importers.common import slug
    from understudy.content.library import save_persona
    from understudy.domain.base import Origin
    from understudy.domain.persona import Demographics, Persona

    with user_errors():
        try:
            persona = Persona(
                id=persona_id or slug(name),
                name=name,
                summary=summary,
                mood=mood,
                mood_drift=drift,
                language=language,
                demographics=Demographics(age=age, occupation=occupation),
                backstory=backstory,
                origin=Origin(kind="hand-written"),
            )
        except ValueError as exc:
            raise ConfigError(str(exc).replace("\n", "; ")) from exc
        path = save_persona(persona, overwrite=force)
    console.print(f"Created {escape(str(path))}", highlight=False)


@personas_app.command("edit")
def edit_command(persona_id: str = typer.Argument(..., help="Persona id.")) -> None:
    """Open a persona's YAML in $EDITOR, then validate it.

    A built-in persona is first copied into your library (your copy overrides the built-in).
    Problems are reported with file, line and field; run the command again to fix them.
    """
    from understudy.content.library import library_copy
    from understudy.content.loader import load_model
    from understudy.domain.persona import Persona

    with user_errors():
        path, copied = library_copy(persona_id)
    if copied:
        console.print(f"Copied the built-in persona to {escape(str(path))}", highlight=False)
    if not edit_validated(path, lambda draft: load_model(Persona, draft)):
        err_console.print(f"Try again with: understudy personas edit {persona_id}")
        raise typer.Exit(2)
    persona = load_model(Persona, path)
    if persona.id != path.stem:
        err_console.print(
            f"[yellow]warning[/yellow] the id inside is {persona.id!r} but the file is "
            f"{path.name}; lookups by id use the file name first",
            highlight=False,
        )
    console.print(f"{escape(str(path))} is valid.", highlight=False)


@personas_app.command("generate")
def generate_command(
    description: str = typer.Argument(..., help='One line, e.g. "furious retired teacher".'),
    seed: int | None = typer.Option(None, help="Same description and seed: same persona."),
    save: bool = typer.Option(False, "--save", help="Save the draft to your library."),
    force: bool = typer.Option(False, "--force", help="With --save: overwrite."),
    llm: bool = typer.Option(False, "--llm", help="Draft it with a model instead of offline."),
    model: str | None = typer.Option(None, "--model", help="With --llm: provider:model."),
) -> None:
    """Draft a persona from a one-line description, offline; prints its YAML.

    Mood and drift follow the words ("furious" -> angry, "patient" -> slow drift); name, age
    and the facts it knows are invented from the seed. The draft is marked `draft: true`
    until you review it.
    """
    from understudy.content.generation import generate_persona
    from understudy.content.importers.common import to_yaml
    from understudy.content.library import save_persona
    from understudy.simulators.languages import language_problem

    with user_errors():
        try:
            if llm:
                from understudy.cli.llm_options import generate_with_llm

                persona = generate_with_llm(description, seed, model)
            else:
                persona = generate_persona(description, seed=seed)
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc
        typer.echo(to_yaml(persona), nl=False)
        problem = language_problem("offline", persona)
        if problem:
            err_console.print(
                f"[yellow]warning[/yellow] {escape(problem)}; play it with --simulator llm",
                highlight=False,
            )
        if save:
            path: Path = save_persona(persona, overwrite=force)
            err_console.print(f"Saved {escape(str(path))}", highlight=False)


def _usage_columns(usage: dict[str, list[str]]) -> list[PersonaColumn]:
    def used_by(persona: Persona, _path: Path) -> str:
        ids = usage.get(persona.id, [])
        if len(ids) > 3:
            return f"{', '.join(ids[:3])} +{len(ids) - 3}"
        return ", ".join(ids) or "-"

    def used_count(persona: Persona, _path: Path) -> str:
        return str(len(usage.get(persona.id, []))) if usage.get(persona.id) else "-"

    return [
        PersonaColumn("used by", used_by, wide_only=True, ratio=1),
        PersonaColumn("scenarios", used_count, no_wrap=True),
        PersonaColumn(
            "origin",
            lambda p, _: p.origin.describe() + (" (draft)" if p.draft else ""),
            wide_only=True,
        ),
    ]


def _wide_and_narrow(columns: list[PersonaColumn]) -> list[PersonaColumn]:
    # The scenario count stands in for "used by" on narrow terminals only.
    if not is_narrow(console.width):
        return [c for c in columns if c.header != "scenarios"]
    return columns


# ``personas list`` with the "used by" and origin columns replaces the plain list command of
# ``understudy.cli.personas`` (same name, same table, two more columns and ``--scenarios``).
personas_app.registered_commands[:] = [
    info for info in personas_app.registered_commands if info.name != "list"
]


@personas_app.command("list")
def list_command(
    scenarios: list[Path] = typer.Option(
        [],
        "--scenarios",
        help="Scenario folder to scan for 'used by' (repeatable; default ./examples/scenarios).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the personas as a JSON list."),
) -> None:
    """List built-in personas and your library, with the scenarios that use each and its origin.

    A persona file that cannot be loaded is listed as broken (with its first problem) and
    every problem is printed as a warning; the other personas are listed as usual.
    """
    from understudy.content.library import default_scenario_dirs, scenario_usage

    missing = [folder for folder in scenarios if not folder.is_dir()]
    if missing:
        with user_errors():
            names = ", ".join(str(folder) for folder in missing)
            raise ConfigError(f"--scenarios: no such folder: {names}")
    usage = scenario_usage(scenarios or default_scenario_dirs())
    if as_json:
        _print_personas_json(usage)
        return
    print_persona_list(_wide_and_narrow(_usage_columns(usage)))


def _print_personas_json(usage: dict[str, list[str]]) -> None:
    """``personas list --json``: every persona (id, name, mood, drift, language, origin, used
    by, file) and every broken file with its problems."""
    from understudy.content.personas import load_persona_library

    with user_errors():
        library = load_persona_library()
    personas = sorted(library.personas.values(), key=lambda item: item[0].id)
    out = {
        "personas": [
            {
                "id": p.id,
                "name": p.name,
                "mood": p.mood.value,
                "mood_drift": p.mood_drift.value,
                "language": p.language,
                "origin": p.origin.describe(),
                "draft": p.draft,
                "used_by": usage.get(p.id, []),
                "path": str(path),
            }
            for p, path in personas
        ],
        "broken": [
            {"path": str(b.path), "problems": [str(x) for x in b.error.problems]}
            for b in library.broken
        ],
    }
    typer.echo(json.dumps(out, indent=2))
