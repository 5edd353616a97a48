"""``understudy personas list | show ID | preview ID``: browse and sanity-check personas.

``persona_table`` builds the list's table from ``PERSONA_COLUMNS``; other command modules extend
the list by passing extra ``PersonaColumn`` entries (e.g. the scenarios that use a persona).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from understudy.cli.apps import personas_app
from understudy.cli.common import console, user_errors
from understudy.content.personas import builtin_persona_paths, load_all_personas, resolve_persona
from understudy.domain.persona import Persona
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.domain.transcript import Message, Role
from understudy.engine.seams import ConversationState
from understudy.simulators.offline import OfflineSimulator
from understudy.simulators.offline.understanding import slot_label


@dataclass(frozen=True)
class PersonaColumn:
    """One column of the persona list.

    Attributes:
        header: column title.
        value: the cell text for a persona and the file it came from.
        style: Rich style of the column.
        no_wrap: keep the cell on one line.
    """

    header: str
    value: Callable[[Persona, Path], str]
    style: str = ""
    no_wrap: bool = False


PERSONA_COLUMNS: list[PersonaColumn] = [
    PersonaColumn("id", lambda p, _: p.id, "bold cyan", no_wrap=True),
    PersonaColumn("name", lambda p, _: p.name),
    PersonaColumn("mood", lambda p, _: p.mood.value),
    PersonaColumn("drift", lambda p, _: p.mood_drift.value),
    PersonaColumn("language", lambda p, _: p.language),
    PersonaColumn("summary", lambda p, _: p.summary),
]
"""The default columns of ``personas list``."""


def persona_table(
    personas: Sequence[tuple[Persona, Path]], extra: Sequence[PersonaColumn] = ()
) -> Table:
    """Return the Rich table of ``personas list``.

    Args:
        personas: personas with the file each came from, in display order.
        extra: columns appended after ``PERSONA_COLUMNS``.
    """
    columns = [*PERSONA_COLUMNS, *extra]
    table = Table(title="Personas", show_lines=False)
    for column in columns:
        table.add_column(
            column.header, style=column.style or None, overflow="fold", no_wrap=column.no_wrap
        )
    for persona, path in personas:
        table.add_row(*(escape(column.value(persona, path)) for column in columns))
    return table


@personas_app.command("list")
def list_personas() -> None:
    """List built-in personas and the personas in your library."""
    with user_errors():
        personas = sorted(load_all_personas().values(), key=lambda item: item[0].id)
    console.print(persona_table(personas))
    console.print(f"{len(personas)} personas. Show one with: understudy personas show ID")


def _source(path: Path) -> str:
    builtins = {p.resolve() for p in builtin_persona_paths()}
    return "built-in" if path.resolve() in builtins else str(path)


@personas_app.command("show")
def show_persona(
    persona_id: str = typer.Argument(..., metavar="ID", help="Persona id or path."),
) -> None:
    """Show every field of one persona."""
    with user_errors():
        persona = resolve_persona(persona_id)
        path = load_all_personas().get(persona.id, (persona, Path(persona_id)))[1]
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


def preview_lines(persona: Persona, seed: int, intent: str | None = None) -> list[tuple[str, str]]:
    """Return three sample customer lines of ``persona``, as ``(situation, text)`` pairs.

    The situation names what the agent did and the customer's dialogue acts, e.g.
    ``asked for their order number -> inform``.

    The offline simulator plays a short generic call: it opens, answers a request for its first
    known fact (other than its name, when it has others), and reacts to a fallback.

    Args:
        persona: the persona to preview.
        seed: seeds the simulator, so a preview is reproducible.
        intent: phrasing-bank intent of the opening (e.g. ``get_refund``); generic when None.
    """
    scenario = Scenario(
        id="preview",
        persona=persona.id,
        goal=CustomerGoal(
            reason_for_call="You have a problem with a recent order and want it sorted out.",
            intent=intent,
        ),
    )
    simulator = OfflineSimulator(persona, scenario, random.Random(seed))
    known = [k for k in simulator.knowledge.known if k != "name"] or list(simulator.knowledge.known)
    label = slot_label(known[0]) if known else "order number"
    agent_lines = [
        f"Thanks. Could you give me your {label}, please?",
        "Sorry, I didn't quite get that. Could you rephrase?",
    ]
    situations = ["opening", f"asked for their {label}", "after a fallback"]
    state = ConversationState(conversation_id=f"preview-{seed}", scenario=scenario)
    out: list[tuple[str, str]] = []
    for i, situation in enumerate(situations):
        turn = simulator.step(state)
        acts = ", ".join(dict.fromkeys(a.type.value for a in turn.acts))
        out.append((f"{situation} -> {acts}", turn.text))
        state.messages.append(
            Message(index=len(state.messages) + 1, role=Role.customer, text=turn.text)
        )
        if i < len(agent_lines):
            state.messages.append(
                Message(index=len(state.messages) + 1, role=Role.agent, text=agent_lines[i])
            )
    return out


@personas_app.command("preview")
def preview_persona(
    persona_id: str = typer.Argument(..., metavar="ID", help="Persona id or path."),
    seed: int = typer.Option(0, "--seed", "-s", help="Random seed; the same seed, the same lines."),
    intent: str | None = typer.Option(
        None, "--intent", help="Opening intent from the phrasing bank, e.g. get_refund."
    ),
) -> None:
    """Print three sample customer lines in the persona's voice (offline simulator)."""
    with user_errors():
        persona = resolve_persona(persona_id)
    console.print(
        f"[bold]{escape(persona.name)}[/bold] ({escape(persona.id)}), "
        f"{persona.mood.value}, drift {persona.mood_drift.value}, seed {seed}"
    )
    for n, (situation, text) in enumerate(preview_lines(persona, seed, intent), start=1):
        console.print(f"  {n}. [dim]{escape(situation)}:[/dim] {escape(text)}", highlight=False)
