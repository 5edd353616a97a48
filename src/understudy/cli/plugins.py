"""``understudy plugins``: what each extension point offers, built in or from plugin packages."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from understudy.cli.apps import app
from understudy.cli.common import console

if TYPE_CHECKING:
    from understudy.registry import Registry


def registries() -> list[tuple[str, Registry[object]]]:
    """Return ``(title, registry)`` for every extension point, in display order."""
    from understudy.agents.resolve import AGENTS
    from understudy.content.importers.base import IMPORTERS
    from understudy.content.kinds import CONTENT_KINDS
    from understudy.graders.base import GRADERS
    from understudy.simulators import SIMULATORS

    found: list[tuple[str, Registry[object]]] = [
        ("user simulators", SIMULATORS),  # type: ignore[list-item]
        ("agent kinds", AGENTS),  # type: ignore[list-item]
        ("graders", GRADERS),  # type: ignore[list-item]
        ("importers", IMPORTERS),  # type: ignore[list-item]
        ("content kinds", CONTENT_KINDS),  # type: ignore[list-item]
    ]
    return found


@app.command("plugins")
def plugins_command() -> None:
    """List user simulators, agent kinds, graders, importers and content kinds.

    Each entry shows where it comes from (built in, or the package that installed it). A plugin
    that fails to load is listed with its error; the rest keep working. The exit status is 1
    when a plugin is broken.

    Example: understudy plugins
    """
    broken = 0
    for title, registry in registries():
        loaded = registry.load_all()
        table = Table(title=f"{title} ({registry.group})", title_justify="left")
        table.add_column("name")
        table.add_column("from")
        table.add_column("status")
        for name in registry.names():
            source = escape(registry.source(name))
            if name in loaded:
                table.add_row(escape(name), source, "ok")
            else:
                broken += 1
                error = registry.broken[name].error
                table.add_row(escape(name), source, f"[red]broken[/red]: {escape(error)}")
        console.print(table)
    if broken:
        console.print(f"{broken} plugin(s) failed to load; the others work.", highlight=False)
        raise typer.Exit(1)
