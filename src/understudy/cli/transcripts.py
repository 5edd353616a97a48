"""Rendering stored transcripts and grades: attempts (practice) and conversations (runs).

``transcript_renderable`` and ``grade_renderable`` are shared by ``understudy practice`` (after
the call) and ``understudy attempts show`` (``--json`` output comes from ``attempt_json``);
``print_conversation`` is ``understudy runs show RUN -k K``, with moods, dialogue acts, the text
before noise, fallbacks and flow nodes.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from understudy.domain.grade import Grade
from understudy.domain.transcript import ConversationResult, Message, Role
from understudy.practice.briefing import format_duration

if TYPE_CHECKING:
    from understudy.storage.attempt_store import AttemptRecord


def percent(score: float | None) -> str:
    """Format a 0..1 score as a percentage, ``n/a`` for None."""
    return "n/a" if score is None else f"{round(score * 100):d}%"


def grade_renderable(grade: Grade) -> RenderableType:
    """Return a table of criteria (score, weight, rationale, evidence) and the overall score."""
    table = Table(show_lines=True, expand=False)
    table.add_column("criterion", style="bold")
    table.add_column("score", justify="right")
    table.add_column("weight", justify="right")
    table.add_column("rationale and evidence")
    for c in grade.criteria:
        label = c.id + (" (fatal)" if c.fatal else "")
        score = percent(c.score)
        if c.passed is False:
            score = f"[red]{score}[/red]"
        elif c.passed:
            score = f"[green]{score}[/green]"
        if c.overridden_by:
            score += f"\n[dim]set by {escape(c.overridden_by)}[/dim]"
        if len(c.pass_scores) > 1:
            score += f"\n[dim]passes {' / '.join(percent(s) for s in c.pass_scores)}[/dim]"
        if c.needs_review:
            score += "\n[yellow]passes disagree: coach review[/yellow]"
        body = escape(c.rationale)
        for e in c.evidence:
            body += f'\n[dim]turn {e.turn} ({e.role.value}):[/dim] "{escape(e.quote)}"'
        table.add_row(label, score, f"{c.weight:g}", body)
    overall = Text(f"Overall: {percent(grade.overall)}", style="bold")
    if grade.fatal_failed:
        overall.append(f"  (failed fatal criterion: {', '.join(grade.fatal_failed)})", style="red")
    if grade.to_review:
        overall.append(f"  (for coach review: {', '.join(grade.to_review)})", style="yellow")
    overall.append(f"  · rubric {grade.rubric_id} · grader {grade.grader}", style="dim")
    return Group(table, overall)


def transcript_renderable(messages: list[Message]) -> RenderableType:
    """Return the transcript with numbered turns, times and the customer's mood."""
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(justify="right", style="dim")
    table.add_column(style="dim")
    table.add_column(style="bold")
    table.add_column()
    for m in messages:
        who = "customer" if m.role is Role.customer else "agent"
        text = escape(m.text) if m.text else "[dim](ended the call)[/dim]"
        if m.role is Role.customer and m.mood is not None:
            text += f" [dim]({m.mood.value})[/dim]"
        table.add_row(str(m.index), format_duration(m.at_s), who, text)
    return table


def attempt_header(record: AttemptRecord) -> Text:
    """Return the one-paragraph summary of an attempt."""
    text = Text()
    text.append(f"Attempt {record.id}", style="bold")
    text.append(f" (#{record.number} of {record.trainee} on {record.scenario_id})\n")
    text.append(f"persona {record.persona_id} · started {record.started_at:%Y-%m-%d %H:%M} UTC")
    text.append(f" · {format_duration(record.duration_s)} · {record.status}")
    text.append(f" · ended: {record.termination_reason}")
    if record.detail:
        text.append(f" ({record.detail})")
    text.append(f"\nevaluation: {record.evaluation_status}")
    return text


def attempt_json(record: AttemptRecord) -> str:
    """Return the attempt as JSON: the record plus ``effective_grade`` (overrides applied)."""
    data: dict[str, Any] = record.model_dump(mode="json")
    effective = record.effective_grade()
    data["effective_grade"] = effective.model_dump(mode="json") if effective else None
    return json.dumps(data, indent=2, ensure_ascii=False)


def print_conversation(
    console: Console, run_id: str, index: int, result: ConversationResult
) -> None:
    """Print conversation ``index`` of run ``run_id``: its ending, then each turn annotated."""
    console.print(
        f"[bold]run {run_id} conversation {index}[/bold] (seed {result.seed}): "
        f"{result.termination_reason.value}: {escape(result.detail)}",
        highlight=False,
    )
    if result.error:
        console.print(f"[red]error[/red]: {escape(result.error)}", highlight=False, soft_wrap=True)
    for m in result.messages:
        if m.role is Role.customer:
            mood = m.mood.value if m.mood else "?"
            acts = ", ".join(str(a) for a in m.acts) or "-"
            console.print(
                f"[bold cyan]{m.index:>3} customer[/bold cyan] "
                f"[dim]\\[{mood}; {escape(acts)}][/dim] {escape(m.text)}",
                highlight=False,
                soft_wrap=True,
            )
            if m.noisy:
                console.print(
                    f"             [dim]clean: {escape(m.clean_text or '')}[/dim]", soft_wrap=True
                )
        else:
            flags = []
            if m.fell_back:
                flags.append("[yellow]fallback[/yellow]")
            node = m.meta.get("node")
            if node:
                flags.append(f"[dim]node {escape(str(node))}[/dim]")
            intent = m.meta.get("intent")
            if intent:
                flags.append(f"[dim]intent {escape(str(intent))}[/dim]")
            shown = f" {' '.join(flags)}" if flags else ""
            console.print(
                f"[bold magenta]{m.index:>3} agent[/bold magenta]{shown} {escape(m.text)}",
                highlight=False,
                soft_wrap=True,
            )
