"""``understudy agents``: agent personas (LLM assistants) and their draft/production versions."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from understudy.cli.apps import agents_app
from understudy.cli.common import console, edit_text, err_console, user_errors


def _status(agent_id: str) -> tuple[str, str]:
    from understudy.agents import persona_store

    production = persona_store.production_version(agent_id)
    if production is None:
        return "-", "unpublished"
    draft = persona_store.load_version(agent_id, "draft")
    live = persona_store.load_version(agent_id, "production")
    changed = "draft has changes" if draft.content_hash != live.content_hash else "up to date"
    return f"v{production}", changed


@agents_app.command("list")
def list_agents() -> None:
    """List stored agent personas with their production version and draft state."""
    from understudy.agents import persona_store

    with user_errors():
        ids = persona_store.list_agents()
        if not ids:
            console.print("no agent personas yet; add one with `understudy agents import FILE`")
            return
        table = Table("id", "name", "production", "draft", "versions")
        for agent_id in ids:
            draft = persona_store.load_version(agent_id, "draft")
            production, state = _status(agent_id)
            count = len(persona_store.versions(agent_id))
            table.add_row(agent_id, escape(draft.persona.name), production, state, str(count))
        console.print(table)


@agents_app.command("show")
def show_agent(
    agent_id: str = typer.Argument(..., metavar="ID", help="Agent persona id."),
    version: str = typer.Option(
        "draft", "--version", help="draft, production, or a version number."
    ),
    as_yaml: bool = typer.Option(False, "--yaml", help="Print the stored YAML as is."),
) -> None:
    """Show one version of an agent persona (the draft by default)."""
    from understudy.agents import persona_store

    with user_errors():
        chosen = persona_store.load_version(agent_id, version)
        if as_yaml:
            typer.echo(chosen.snapshot, nl=False)
            return
        persona = chosen.persona
        production, state = _status(agent_id)
        label = chosen.label + (" (production)" if chosen.production else "")
        console.print(f"[bold]{escape(persona.name)}[/bold] ({persona.id}), {label}")
        if persona.description:
            console.print(escape(persona.description))
        console.print(f"production: {production} ({state}); memory: {persona.memory}")
        console.print(f"model: {persona.model or 'the llm.model setting'}")
        if persona.chat is not None:
            chat = persona.chat
            console.print(
                f"chat: model {chat.model or 'default'}, temperature {chat.temperature:g}, "
                f"max tokens {chat.max_tokens}, forward to voice {chat.forward_to_voice}"
            )
            console.print(f"  prompt: {escape(chat.prompt.strip()[:300])}")
        if persona.voice:
            table = Table(
                "locale",
                "voice",
                "first speaker",
                "first message",
                "model",
                "temp",
                "max s",
                "silence s",
                "recording",
                title="voice configurations",
            )
            for voice in persona.voice:
                table.add_row(
                    voice.locale,
                    voice.voice or "-",
                    voice.first_speaker.value,
                    escape(voice.first_message[:40]) or "-",
                    voice.model or "default",
                    f"{voice.temperature:g}",
                    f"{voice.max_duration_s:g}",
                    f"{voice.silence_timeout_s:g}",
                    "on" if voice.recording else "off",
                )
            console.print(table)
        published = persona_store.versions(agent_id)
        console.print("versions: " + (", ".join(f"v{n}" for n in published) or "none"))
        console.print(f"hash: {chosen.content_hash[:12]}")


@agents_app.command("import")
def import_agent(
    path: Path = typer.Argument(..., metavar="FILE", help="Agent persona YAML file."),
) -> None:
    """Store an agent persona file as the draft of its id (create or replace the draft)."""
    from understudy.agents import persona_store

    with user_errors():
        stored = persona_store.import_agent(path)
        persona = stored.persona
        console.print(
            f"imported {persona.id} ({escape(persona.name)}) as draft; stress-test it with "
            f"`understudy stress-test --agent {persona.id}`, publish it with "
            f"`understudy agents publish {persona.id}`"
        )


@agents_app.command("edit")
def edit_agent(
    agent_id: str = typer.Argument(..., metavar="ID", help="Agent persona id."),
    file: Path | None = typer.Option(
        None, "--file", "-f", help="Replace the draft with this file instead of opening $EDITOR."
    ),
) -> None:
    """Edit the draft (in $EDITOR, or from --file); an invalid draft is not saved."""
    from understudy.agents import persona_store

    with user_errors():
        path = persona_store.draft_path(agent_id)
        if file is not None:
            text = file.read_text(encoding="utf-8")
        else:
            edited = edit_text(path.read_text(encoding="utf-8"))
            if edited is None:
                console.print("no changes")
                return
            text = edited
    try:
        with user_errors():
            persona_store.save_draft(agent_id, text)
    except typer.Exit:
        err_console.print("the draft was not changed")
        raise
    console.print(f"saved the draft of {agent_id}")


@agents_app.command("publish")
def publish_agent(
    agent_id: str = typer.Argument(..., metavar="ID", help="Agent persona id."),
) -> None:
    """Make the draft the production version (`stress-test --version production` runs it)."""
    from understudy.agents import persona_store

    with user_errors():
        version, created = persona_store.publish(agent_id)
        if created:
            console.print(f"published {agent_id} {version.label}: it is now production")
        else:
            console.print(
                f"the draft of {agent_id} equals {version.label}; {version.label} is production"
            )
