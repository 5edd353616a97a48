"""``understudy practice`` and ``understudy attempts ...``: practice calls in the terminal.

Thin: parses options, calls ``understudy.practice`` and the attempt store, renders with Rich.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.rule import Rule
from rich.table import Table

from understudy.cli.apps import app, attempts_app
from understudy.cli.common import console, err_console, is_narrow, user_errors
from understudy.errors import ConfigError
from understudy.practice.briefing import OPENING_PAUSE_S, format_duration

if TYPE_CHECKING:
    from understudy.domain.scenario import Scenario
    from understudy.storage.attempt_records import AttemptSummary


def show_assignment(out: Console, scenario: Scenario, trainee: str) -> None:
    """Print the trainee's assignment of ``scenario``, if any: deadline and coach instructions."""
    from understudy.storage.assignments import AssignmentStore

    session = AssignmentStore().active(trainee, scenario.id)
    if session is None or not session.assigned:
        return
    who = f" by {escape(session.assigned_by)}" if session.assigned_by else ""
    line = f"[bold]Assigned{who}[/] (session {session.id}, {session.status})"
    if session.deadline:
        line += f", deadline {session.deadline.isoformat()}"
    if session.per_week:
        line += f", {session.this_week}/{session.per_week} this week"
    out.print(line, highlight=False)
    if session.instructions and session.instructions != scenario.instructions:
        out.print(f"[bold]Instructions:[/] {escape(session.instructions)}", highlight=False)


@app.command()
def practice(
    scenario_ref: str = typer.Argument(..., metavar="SCENARIO", help="Scenario YAML file."),
    persona: str | None = typer.Option(None, "--persona", help="Persona id or file to use."),
    trainee: str = typer.Option(
        os.environ.get("USER", "trainee"), "--trainee", help="Who is practising."
    ),
    script: Path | None = typer.Option(
        None, "--script", help="Play the trainee from a file of lines (one reply per line)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the stored attempt as JSON."),
    rubric: str | None = typer.Option(None, "--rubric", help="Rubric id or file."),
    seed: int = typer.Option(0, "--seed", help="Seed of the customer's random choices."),
    grader: str = typer.Option("offline", "--grader", help="Grader to score the attempt."),
    simulator: str = typer.Option("offline", "--simulator", help="User simulator kind."),
    model: str | None = typer.Option(
        None, "--model", help="Model of the LLM simulator and grader (provider:model)."
    ),
    no_cache: bool = typer.Option(False, "--no-cache", help="Bypass the LLM replay cache."),
    page: bool = typer.Option(False, "--page", help="Show briefing documents in a pager."),
    opening_pause: float = typer.Option(
        OPENING_PAUSE_S, "--opening-pause", help="Seconds before the customer's first line."
    ),
) -> None:
    """Practise a call: you are the agent, an AI customer calls. Type /end to end the call."""
    import asyncio

    from understudy.agents.trainee import END_COMMAND, TraineeAgent, read_script
    from understudy.cli.llm_options import practice_llm
    from understudy.cli.practice_display import TerminalDisplay, show_briefing
    from understudy.cli.stdin import start_stdin_pump
    from understudy.cli.transcripts import attempt_json, grade_renderable
    from understudy.content.scenarios import load_scenario, scenario_persona
    from understudy.graders.base import make_grader, rubric_for
    from understudy.practice import load_documents, run_practice
    from understudy.storage.attempt_store import AttemptStore

    with user_errors():
        scenario, base = load_scenario(scenario_ref)
        customer = scenario_persona(scenario, base, persona)
        chosen_rubric = rubric_for(scenario, rubric)
        llm = practice_llm(customer, scenario, seed, simulator, grader, model, no_cache)
        chosen_grader = make_grader(grader, **llm.grader_options)
        lines = read_script(script) if script is not None else None
        documents = load_documents(scenario, base)
        out = err_console if as_json else console
        show_briefing(out, scenario, customer, documents, page=page and lines is None)
        show_assignment(out, scenario, trainee)
        out.print(Rule(f"Call with {customer.name}"))
        display = TerminalDisplay(
            out, scenario, echo_trainee=lines is not None, customer_name=customer.name
        )
        store = AttemptStore()

        async def call() -> int:
            agent = TraineeAgent()
            if lines is None:
                start_stdin_pump(agent.submit, asyncio.get_running_loop(), at_end=END_COMMAND)
            outcome = await run_practice(
                scenario,
                customer,
                agent,
                trainee_name=trainee,
                rubric=chosen_rubric,
                store=store,
                seed=seed,
                script=lines,
                opening_pause_s=opening_pause,
                observers=[display],
                grader=chosen_grader,
                simulator=llm.simulator,
            )
            if llm.run is not None:
                await llm.run.aclose()
            return outcome.attempt_id

        try:
            attempt_id = asyncio.run(call())
        except KeyboardInterrupt:
            err_console.print("\nCall interrupted; the transcript so far is kept as interrupted.")
            raise typer.Exit(130) from None
        record = store.get(attempt_id)
        if as_json:
            typer.echo(attempt_json(record))
            return
        grade = record.effective_grade()
        if grade is not None:
            out.print(Rule("Evaluation"))
            out.print(grade_renderable(grade))
        out.print(f"Attempt {attempt_id} stored: understudy attempts show {attempt_id}")


@attempts_app.command("list")
def list_attempts(
    participant: str | None = typer.Option(
        None,
        "--participant",
        "--trainee",
        help="Only this participant's attempts (administrators; others see their own).",
    ),
    scenario: str | None = typer.Option(None, "--scenario", help="Only this scenario id."),
    as_json: bool = typer.Option(False, "--json", help="Print the attempts as a JSON list."),
) -> None:
    """List practice attempts, newest first.

    With user accounts, administrators see everyone's (and may pick one --participant), like
    the Participant filter of Roleplay Training; everyone else sees their own.
    """
    from understudy.storage.attempt_store import AttemptStore

    with user_errors():
        rows = AttemptStore().participant_attempts(participant, scenario)
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in rows], indent=2))
        return
    if not rows:
        console.print("No attempts yet. Start one with: understudy practice SCENARIO")
        return
    console.print(attempts_table(rows, console.width))


def attempts_table(rows: Sequence[AttemptSummary], width: int | None = None) -> Table:
    """Return the table of ``attempts list``.

    Args:
        rows: the attempts, newest first.
        width: terminal width in columns; below ``NARROW_WIDTH`` the attempt number, how the
            call ended and the evaluation status are left out, and the start time is shorter.
    """
    from understudy.cli.transcripts import percent

    narrow = is_narrow(width)
    table = Table(
        box=box.SIMPLE_HEAD if narrow else box.HEAVY_HEAD, pad_edge=not narrow, expand=narrow
    )
    table.add_column("id", no_wrap=True, justify="right")
    table.add_column("trainee", overflow="fold", ratio=1 if narrow else None)
    table.add_column("scenario", overflow="fold", ratio=2 if narrow else None)
    if not narrow:
        table.add_column("#", no_wrap=True, justify="right")
    table.add_column("started" if narrow else "started (UTC)", no_wrap=True)
    table.add_column("length", no_wrap=True, justify="right")
    if not narrow:
        table.add_column("ended", overflow="fold")
    table.add_column("status", overflow="fold")
    if not narrow:
        table.add_column("evaluation", overflow="fold")
    table.add_column("score", no_wrap=True, justify="right")
    for r in rows:
        cells = [str(r.id), escape(r.trainee), escape(r.scenario_id)]
        if not narrow:
            cells.append(str(r.number))
        cells.append(f"{r.started_at:%m-%d %H:%M}" if narrow else f"{r.started_at:%Y-%m-%d %H:%M}")
        cells.append(format_duration(r.duration_s))
        if not narrow:
            cells.append(r.termination_reason)
        cells.append(r.status)
        if not narrow:
            cells.append(r.evaluation_status)
        cells.append(percent(r.overall))
        table.add_row(*cells)
    return table


@attempts_app.command("show")
def show_attempt(
    attempt_id: int = typer.Argument(..., metavar="ID"),
    as_json: bool = typer.Option(False, "--json", help="Print the attempt as JSON."),
    html_file: Path | None = typer.Option(
        None, "--html", help="Also write a self-contained HTML report (chart per criterion)."
    ),
) -> None:
    """Show an attempt: its Evaluation (grade per criterion) and its Transcript."""
    from understudy.cli.transcripts import attempt_json
    from understudy.storage.attempt_store import AttemptStore

    with user_errors():
        record = AttemptStore().get(attempt_id)
        if html_file is not None:
            _write_attempt_html(record, html_file)
    if as_json:
        typer.echo(attempt_json(record))
        return
    _print_attempt(console, record)


def _print_attempt(out: Console, record: object) -> None:
    from understudy.cli.transcripts import (
        attempt_header,
        grade_renderable,
        percent,
        transcript_renderable,
    )
    from understudy.storage.attempt_store import AttemptRecord

    assert isinstance(record, AttemptRecord)
    out.print(attempt_header(record))
    out.print(Rule("Evaluation"))
    grade = record.effective_grade()
    if grade is None:
        out.print(f"Not graded ({record.evaluation_status}).")
    else:
        out.print(grade_renderable(grade))
    for review in record.reviews:
        overrides = ", ".join(f"{k}={v:g}" for k, v in review.overrides.items())
        line = f"[bold]{escape(review.coach)}[/] ({review.created_at:%Y-%m-%d %H:%M}): "
        line += escape(review.note) + (
            f" [dim]overrides {escape(overrides)}[/]" if overrides else ""
        )
        out.print(line)
    for earlier in record.earlier_grades:  # grades replaced by `attempts regrade`
        out.print(
            f"[dim]earlier grade {earlier.number}: {percent(earlier.overall)} "
            f"({escape(earlier.rubric_id)}, {escape(earlier.grader)}, "
            f"{earlier.graded_at:%Y-%m-%d %H:%M}, {earlier.reviews} review(s))[/]"
        )
    out.print(Rule("Transcript"))
    out.print(transcript_renderable(record.messages))


def parse_override(raw: str) -> tuple[str, float]:
    """Parse ``CRITERION=SCORE`` (score 0..1, or a percentage such as ``80%``).

    Raises:
        ConfigError: malformed text.
    """
    name, sep, value = raw.partition("=")
    if not sep or not name.strip():
        raise ConfigError(f"expected CRITERION=SCORE, got {raw!r}")
    text = value.strip()
    try:
        score = float(text.rstrip("%")) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise ConfigError(f"expected a number after '=', got {text!r}") from None
    return name.strip(), score


@attempts_app.command("regrade")
def regrade_attempt(
    attempt_id: int = typer.Argument(..., metavar="ID"),
    rubric: str | None = typer.Option(None, "--rubric", help="Rubric id or file."),
    grader: str = typer.Option("offline", "--grader", help="Grader to score the attempt."),
    model: str | None = typer.Option(
        None, "--model", help="Model of the LLM grader (provider:model); with --grader llm."
    ),
) -> None:
    """Grade a stored attempt again (e.g. an interrupted one, or with another rubric)."""
    import asyncio

    from understudy.cli.transcripts import grade_renderable
    from understudy.practice import regrade
    from understudy.storage.attempt_store import AttemptStore

    with user_errors():
        store = AttemptStore()
        grade = asyncio.run(regrade(store, attempt_id, rubric, grader, model=model))
    console.print(grade_renderable(grade))


@attempts_app.command("review")
def review_attempt(
    attempt_id: int = typer.Argument(..., metavar="ID"),
    coach: str = typer.Option(..., "--coach", help="Who reviews."),
    note: str = typer.Option("", "--note", help="Feedback for the trainee."),
    override: list[str] = typer.Option(
        [], "--override", help="CRITERION=SCORE (0..1 or a percentage); repeatable."
    ),
) -> None:
    """Add a coach review to an attempt, optionally overriding criterion scores."""
    from understudy.cli.transcripts import percent
    from understudy.practice import review as add_review
    from understudy.storage.attempt_store import AttemptStore

    with user_errors():
        overrides = dict(parse_override(item) for item in override)
        record = add_review(AttemptStore(), attempt_id, coach, note, overrides)
    grade = record.effective_grade()
    score = f"; overall now {percent(grade.overall)}" if grade else ""
    console.print(f"Review by {escape(coach)} added to attempt {attempt_id}{score}.")


def _write_attempt_html(record: object, path: Path) -> None:
    """Write ``attempts show --html``: needs the 'reports' extra."""
    try:
        from understudy.reports.practice_html import attempt_report_html
    except ImportError as exc:
        raise ConfigError(str(exc)) from None
    from understudy.storage.attempt_store import AttemptRecord

    assert isinstance(record, AttemptRecord)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(attempt_report_html(record), encoding="utf-8")
    err_console.print(f"wrote {path}", highlight=False)
