"""``understudy graders evaluate``: how far a grader agrees with human labels."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape
from rich.table import Table

from understudy.cli.apps import graders_app
from understudy.cli.common import console, user_errors
from understudy.errors import ConfigError

if TYPE_CHECKING:
    from understudy.graders.base import Grader
    from understudy.graders.evaluation import Case, EvaluationReport


def _figure(value: float | None, percent: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:.0%}" if percent else f"{value:.2f}"


def report_table(report: EvaluationReport, title: str) -> Table:
    """Render an evaluation report as a table: one row per criterion, then overall."""
    table = Table(title=title, title_justify="left")
    passes = any(row.pass_agreement is not None for row in report.criteria)
    columns = ["criterion", "calls", "scored", "exact", "MAE", "kappa (quadratic)"]
    for column in [*columns, *(["passes agree"] if passes else [])]:
        table.add_column(column, justify="left" if column == "criterion" else "right")
    for row in report.criteria:
        cells = [
            escape(row.criterion),
            str(row.n),
            str(row.scored),
            _figure(row.exact, percent=True),
            _figure(row.mae),
            _figure(row.kappa),
        ]
        if passes:
            cells.append(_figure(row.pass_agreement, percent=True))
        table.add_row(*cells, style="bold" if row.criterion == "overall" else None)
    return table


def _coach_cases() -> list[Case]:
    from understudy.domain.transcript import ConversationResult, TerminationReason
    from understudy.graders.base import load_rubric
    from understudy.graders.evaluation import coach_case
    from understudy.storage.attempt_store import AttemptStore

    store = AttemptStore()
    cases = []
    for summary in store.list_attempts():
        record = store.get(summary.id)
        if record.grade is None or not record.reviews:
            continue
        overrides: dict[str, float] = {}
        for review in record.reviews:
            overrides.update(review.overrides)
        try:
            reason = TerminationReason(record.termination_reason)
        except ValueError:
            reason = TerminationReason.interrupted
        result = ConversationResult(
            conversation_id=f"attempt-{record.id}",
            messages=record.messages,
            termination_reason=reason,
            detail=record.detail,
            duration_s=record.duration_s,
        )
        rubric = load_rubric(record.grade.rubric_id)
        scenario = store.scenario_snapshot(record.id)
        cases.append(coach_case(record.id, result, scenario, rubric, record.grade, overrides))
    return cases


async def _run(
    cases: list[Case], grader: str, model: str | None, passes: int | None = None
) -> EvaluationReport:
    from understudy.components import model_options, needs_model
    from understudy.graders.base import GRADERS, make_grader
    from understudy.graders.evaluation import evaluate

    run = None
    options: dict[str, Any] = {}
    try:
        if needs_model(GRADERS, grader):
            from understudy.llm.run import LLMRun

            run = LLMRun()
            options = model_options(GRADERS, grader, model, run)  # checks the model first
            if passes is not None:
                options["passes"] = passes
        made: Grader = make_grader(grader, **options)
        return await evaluate(cases, made)
    finally:
        if run is not None:
            await run.aclose()


@graders_app.command("evaluate")
def evaluate_command(
    labels: Path | None = typer.Argument(
        None, metavar="LABELS", help="Labelled-calls file (docs/grader-labelling.md)."
    ),
    coach_reviews: bool = typer.Option(
        False, "--coach-reviews", help="Use the coach reviews stored with practice attempts."
    ),
    grader: str = typer.Option("offline", "--grader", help="Grader to measure."),
    model: str | None = typer.Option(
        None, "--model", help="Model of the LLM grader (provider:model); with --grader llm."
    ),
    passes: int | None = typer.Option(
        None,
        "--passes",
        min=1,
        max=5,
        help="Grading passes per call for the LLM grader (default: the llm.grader_passes "
        "setting); with 2 or more, the report shows how often the passes agreed.",
    ),
    show_disagreements: bool = typer.Option(
        False, "--disagreements", help="List every criterion where the grader disagrees."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Measure a grader against human labels: agreement, MAE, kappa, ranking accuracy."""
    import asyncio

    from understudy.components import needs_model
    from understudy.graders.base import GRADERS
    from understudy.graders.evaluation import load_labelled_set

    with user_errors():
        if (labels is None) == (not coach_reviews):
            raise ConfigError("give a LABELS file or --coach-reviews (one of them)")
        if model is not None and not needs_model(GRADERS, grader):
            raise ConfigError("--model applies to the LLM grader: add --grader llm")
        if passes is not None and not needs_model(GRADERS, grader):
            raise ConfigError("--passes applies to the LLM grader: add --grader llm")
        if labels is not None:
            cases, source = load_labelled_set(labels), str(labels)
        else:
            cases, source = _coach_cases(), "coach reviews"
            if not cases:
                raise ConfigError(
                    "no reviewed attempts yet: add one with `understudy attempts review ID`"
                )
        report = asyncio.run(_run(cases, grader, model, passes))
    if as_json:
        console.print_json(json.dumps(asdict(report)))
        return
    title = f"Grader {report.grader} against {source} ({report.calls} calls)"
    console.print(report_table(report, escape(title)))
    ranking = _figure(report.ranking, percent=True)
    console.print(f"Pairwise ranking accuracy: {ranking} over {report.pairs} pairs")
    if report.fatal_exemplary:
        failed = ", ".join(report.fatal_exemplary)
        console.print(f"[red]Exemplary calls failing a fatal criterion:[/] {escape(failed)}")
    else:
        console.print("Exemplary calls failing a fatal criterion: none")
    overall = report.overall.pass_agreement
    if overall is not None:
        console.print(
            f"Grading passes agreed on {_figure(overall, percent=True)} of the criteria graded; "
            "the others are flagged for coach review with each grade."
        )
    if show_disagreements:
        for d in report.disagreements:
            console.print(
                f"{escape(d.call)} {escape(d.criterion)}: label {_figure(d.label)}, "
                f"grader {_figure(d.score)}. {escape(d.rationale)}",
                highlight=False,
            )
