"""The briefing a trainee reads before a practice call: goal, persona, documents, time limit.

Documents are text or Markdown files listed in ``scenario.briefing.documents``, with paths
relative to the scenario file. They are shown in full (Markdown rendered), or through the
terminal's pager with ``page=True``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.console import Console, Group, RenderableType
from rich.markdown import Markdown
from rich.panel import Panel
from rich.text import Text

from understudy.domain.persona import Persona
from understudy.domain.scenario import Scenario
from understudy.errors import ContentError, ContentProblem


@dataclass(frozen=True)
class Document:
    """An attached briefing document.

    Attributes:
        path: where it was read from.
        text: its content.
    """

    path: Path
    text: str

    @property
    def is_markdown(self) -> bool:
        """True for ``.md`` / ``.markdown`` files."""
        return self.path.suffix.lower() in {".md", ".markdown"}


def load_documents(scenario: Scenario, base: Path | None) -> list[Document]:
    """Read the scenario's briefing documents.

    Args:
        scenario: the scenario.
        base: the folder of the scenario file (relative paths are resolved against it); the
            current folder when None.

    Raises:
        ContentError: a document cannot be read (names its path and the scenario field).
    """
    docs = []
    for i, ref in enumerate(scenario.briefing.documents):
        path = Path(ref)
        if not path.is_absolute() and base is not None:
            path = base / path
        try:
            docs.append(Document(path, path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            field = f"briefing.documents.{i}"
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise ContentError(
                [ContentProblem(path, None, field, f"cannot read briefing document: {reason}")]
            ) from exc
    return docs


def format_duration(seconds: float) -> str:
    """Format seconds as ``M:SS`` (or ``H:MM:SS`` from an hour), e.g. ``10:00``."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


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
    console.print(briefing_renderable(scenario, persona, documents, with_documents=not page))
    if page:
        for doc in documents:
            with console.pager():
                console.print(Markdown(doc.text) if doc.is_markdown else Text(doc.text))
