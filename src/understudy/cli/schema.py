"""``understudy schema KIND``: print the JSON Schema of a file format, for editors."""

from __future__ import annotations

import json

import typer
from rich.markup import escape

from understudy.cli.apps import app
from understudy.cli.common import err_console


def schema_for(kind: str) -> dict[str, object]:
    """Return the JSON Schema of the model registered for ``kind`` (``understudy.content.kinds``).

    Raises:
        KeyError: unknown kind.
    """
    from understudy.content.kinds import all_kinds

    model = all_kinds()[kind].model
    schema = model.model_json_schema()
    schema.setdefault("$schema", "https://json-schema.org/draft/2020-12/schema")
    schema.setdefault("title", model.__name__)
    return schema


@app.command("schema")
def schema_command(
    kind: str = typer.Argument(..., help="persona, scenario, flow, rubric..."),
    indent: int = typer.Option(2, min=0, help="JSON indentation (0: one line)."),
) -> None:
    """Print the JSON Schema of a file kind, e.g. for an editor's YAML language server.

    Example: understudy schema persona > persona.schema.json
    """
    from understudy.content.kinds import all_kinds

    name = kind.lower()
    kinds = all_kinds()
    if name not in kinds:
        known = ", ".join(kinds)
        err_console.print(f"[red]error[/red] unknown kind {escape(kind)!r}; known kinds: {known}")
        raise typer.Exit(2)
    text = json.dumps(schema_for(name), indent=indent or None, ensure_ascii=False)
    typer.echo(text)
