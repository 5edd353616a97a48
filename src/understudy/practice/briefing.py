"""The briefing a trainee reads before a practice call: goal, persona, documents, time limit.

Documents are text or Markdown files listed in ``scenario.briefing.documents``, with paths
relative to the scenario file. The CLI renders them (``understudy.cli.practice_display``); the web
app shows them beside the call.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from understudy.content.safe_paths import briefing_document
from understudy.errors import ConfigError, ContentError, ContentProblem

if TYPE_CHECKING:
    from understudy.domain.scenario import Scenario

OPENING_PAUSE_S = 1.5
"""Seconds the customer waits before the opening line, so it does not land before the trainee
has looked up from the briefing (by design, like a real call)."""


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
        field = f"briefing.documents.{i}"
        try:
            path = briefing_document(ref, base if base is not None else Path.cwd())
        except ConfigError as exc:
            raise ContentError([ContentProblem(Path(ref), None, field, str(exc))]) from exc
        try:
            docs.append(Document(path, path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
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
