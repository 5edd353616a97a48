"""Printing a practice call in a terminal: the briefing, then the call as an engine observer.

Customer turns are printed as they arrive, each followed by a status line with the elapsed and
remaining time and, when the scenario allows it, the customer's mood. In interactive mode the
trainee's own lines are already on screen (typed), so only a prompt is printed; in script mode
they are printed too.
"""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from understudy.domain.persona import Mood, Persona
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import Role
from understudy.engine.events import ConversationEnded, Event, MessageAdded, MoodChanged
from understudy.practice.briefing import Document, format_duration

PROMPT = "You> "
"""The prompt printed when the trainee's reply is expected."""

_MOOD_STYLE = {
    Mood.happy: "green",
    Mood.calm: "cyan",
    Mood.confused: "yellow",
    Mood.frustrated: "dark_orange",
    Mood.angry: "red",
}


def status_line(elapsed_s: float, limit_s: float, mood: Mood | None, show_mood: bool) -> str:
    """Return the status line, e.g. ``0:42 elapsed · 9:18 left · mood: calm``."""
    text = f"{format_duration(elapsed_s)} elapsed · {format_duration(limit_s - elapsed_s)} left"
    if show_mood and mood is not None:
        text += f" · mood: {mood.value}"
    return text


class TerminalDisplay:
    """Prints the call as it happens.

    Args:
        console: where to print.
        scenario: the scenario (time limit, ``show_mood``).
        echo_trainee: print the trainee's lines (script mode); otherwise print a prompt.
        customer_name: label of the customer's lines.
    """

    def __init__(
        self,
        console: Console,
        scenario: Scenario,
        *,
        echo_trainee: bool,
        customer_name: str = "Customer",
    ) -> None:
        self.console = console
        self.scenario = scenario
        self.echo_trainee = echo_trainee
        self.customer_name = customer_name
        self.mood: Mood | None = None

    async def on_event(self, event: Event) -> None:
        """Print messages, mood changes and the ending."""
        if isinstance(event, MoodChanged):
            self.mood = event.new
        elif isinstance(event, MessageAdded):
            message = event.message
            if message.role is Role.customer:
                self.mood = message.mood or self.mood
                self.console.print(
                    f"[bold magenta]{escape(self.customer_name)}:[/] {escape(message.text)}"
                )
                line = status_line(
                    event.at_s, self.scenario.time_limit_s, self.mood, self.scenario.show_mood
                )
                style = _MOOD_STYLE.get(self.mood, "dim") if self.mood else "dim"
                self.console.print(f"[dim]\\[{escape(line)}][/dim]", style=style)
                if not self.echo_trainee:
                    self.console.print(PROMPT, end="", markup=False, highlight=False)
            elif self.echo_trainee and message.text:
                self.console.print(f"[bold blue]You:[/] {escape(message.text)}")
        elif isinstance(event, ConversationEnded):
            result = event.result
            if not self.echo_trainee:
                self.console.print()
            self.console.print(
                f"[bold]Call ended:[/] {result.termination_reason.value} "
                f"({escape(result.detail)}) after {format_duration(result.duration_s)}"
            )


def briefing_renderable(
    scenario: Scenario, persona: Persona, documents: list[Document], *, with_documents: bool = True
) -> RenderableType:
    """Return the briefing as a Rich renderable (a panel, then each document)."""
    lines = Text()
    lines.append(scenario.name or scenario.id, style="bold")
    lines.append("\n\n")
    goal = scenario.briefing.goal or "Help the customer with their request."
    lines.append("Your goal: ", style="bold")
    lines.append(goal + "\n")
    summary = scenario.briefing.persona_summary or persona.summary or persona.name
    lines.append("Customer: ", style="bold")
    lines.append(f"{persona.name}: {summary}\n" if summary != persona.name else f"{summary}\n")
    lines.append("Time limit: ", style="bold")
    lines.append(f"{format_duration(scenario.time_limit_s)} (minutes:seconds)\n")
    if scenario.show_mood:
        lines.append("You will see the customer's mood during the call.\n")
    if scenario.instructions:
        lines.append("Instructions: ", style="bold")
        lines.append(scenario.instructions + "\n")
    if documents:
        names = ", ".join(d.path.name for d in documents)
        lines.append("Documents: ", style="bold")
        lines.append(names + "\n")
    lines.append("\nType your replies; type /end to end the call.", style="dim")
    from rich.markdown import Markdown  # loads a Markdown parser: only when shown

    parts: list[RenderableType] = [Panel(lines, title="Briefing", expand=False)]
    if with_documents:
        for doc in documents:
            body: RenderableType = Markdown(doc.text) if doc.is_markdown else Text(doc.text)
            parts.append(Panel(body, title=doc.path.name, expand=False))
    return Group(*parts)


def show_briefing(
    console: Console,
    scenario: Scenario,
    persona: Persona,
    documents: list[Document],
    *,
    page: bool = False,
) -> None:
    """Print the briefing; with ``page``, show the documents through the pager."""
    from rich.markdown import Markdown

    console.print(briefing_renderable(scenario, persona, documents, with_documents=not page))
    if page:
        for doc in documents:
            with console.pager():
                console.print(Markdown(doc.text) if doc.is_markdown else Text(doc.text))
