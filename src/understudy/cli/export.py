"""``understudy export runs|conversations|attempts``: stored history as CSV, JSONL or Parquet."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from understudy.cli.apps import app
from understudy.cli.common import err_console, user_errors
from understudy.errors import ConfigError


class What(StrEnum):
    """What to export."""

    runs = "runs"
    conversations = "conversations"
    attempts = "attempts"


class Format(StrEnum):
    """Export formats."""

    csv = "csv"
    jsonl = "jsonl"
    parquet = "parquet"
    openai = "openai"


@app.command("export")
def export_command(
    what: What = typer.Argument(..., help="runs, conversations or attempts."),
    fmt: Format = typer.Option(
        Format.csv,
        "--format",
        "-f",
        help="csv, jsonl, parquet; openai: conversations as chat messages (JSONL).",
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="File to write (default: standard output; needed for parquet)."
    ),
    run: list[str] | None = typer.Option(
        None, "--run", help="Only this run (id, prefix or 'last'); repeatable."
    ),
    flow: str | None = typer.Option(None, "--flow", help="Only runs of this flow (name or path)."),
    persona: str | None = typer.Option(None, "--persona", help="Only runs of this persona id."),
    trainee: str | None = typer.Option(None, "--trainee", help="attempts: only this trainee."),
    scenario: str | None = typer.Option(None, "--scenario", help="attempts: only this scenario."),
    customer_as_assistant: bool = typer.Option(
        False,
        "--customer-as-assistant",
        help="openai: the customer speaks as 'assistant' (to train a customer model).",
    ),
) -> None:
    """Export stored history with stable, documented columns (docs/exports.md).

    Runs oldest first; conversations by run, then index; attempts by id. Exit code 2 on a bad
    combination (e.g. --format openai for runs, parquet without --out or pyarrow).
    """
    from understudy.reports import export
    from understudy.storage.attempt_store import AttemptStore
    from understudy.storage.store import Store

    with user_errors(2):
        if fmt is Format.openai and what is not What.conversations:
            raise ConfigError(
                "--format openai exports conversations: understudy export "
                "conversations --format openai"
            )
        if fmt is Format.parquet and out is None:
            raise ConfigError("--format parquet writes a binary file: give it with --out FILE")
        if what is What.attempts:
            records = export.attempt_records(AttemptStore(), trainee, scenario)
            columns = export.ATTEMPT_COLUMNS
        else:
            store = Store()
            if run:
                rows = [store.get_run(ref) for ref in run]
            else:
                rows = store.list_runs(flow=flow, persona=persona)[::-1]
            if fmt is Format.openai:
                records = export.openai_records(
                    store, rows, customer_as_assistant=customer_as_assistant
                )
                columns = ()
            elif what is What.runs:
                records, columns = export.run_records(store, rows), export.RUN_COLUMNS
            else:
                records = export.conversation_records(store, rows)
                columns = export.CONVERSATION_COLUMNS
        if fmt is Format.parquet:
            assert out is not None
            out.parent.mkdir(parents=True, exist_ok=True)
            export.write_parquet(records, columns, out)
        else:
            text = (
                export.to_csv(records, columns)
                if fmt is Format.csv
                else export.to_jsonl(records, columns or None)
            )
            if out is None:
                typer.echo(text, nl=False)
            else:
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_text(text, encoding="utf-8")
        if out is not None:
            err_console.print(f"wrote {len(records)} {what.value} to {out}", highlight=False)
