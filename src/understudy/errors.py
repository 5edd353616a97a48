"""The exceptions understudy raises.

::

    UnderstudyError
     ├── ContentError        an author-facing file is invalid (names file, line, field)
     ├── NotFoundError       an id or path that names nothing (lists what does exist)
     ├── ConversationInterrupted  a side stops one conversation on purpose (e.g. a token budget)
     ├── ConfigError         a setting or option that cannot be used
     └── PermissionDenied    the acting user's role may not do that (teams.permissions)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class UnderstudyError(Exception):
    """Base class of every error understudy raises on purpose."""


@dataclass(frozen=True)
class ContentProblem:
    """One problem in an author-facing file.

    Attributes:
        path: the file, or None for content that did not come from a file.
        line: 1-based line number, or None when the position is unknown.
        field: dotted path of the field, e.g. ``behaviour.typo_rate``; empty for the whole file.
        message: what is wrong, phrased as "expected X, got Y" where possible.
    """

    path: Path | None
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = str(self.path) if self.path is not None else "<input>"
        if self.line is not None:
            where += f":{self.line}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class ContentError(UnderstudyError):
    """An author-facing file (persona, scenario, flow, rubric) could not be loaded.

    Attributes:
        problems: every problem found, each naming file, line and field.
    """

    def __init__(self, problems: list[ContentProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class NotFoundError(UnderstudyError):
    """A name (persona id, run id, ...) that matches nothing; the message lists known names."""


class ConfigError(UnderstudyError):
    """A setting or command-line option that cannot be used as given."""


class ConversationInterrupted(UnderstudyError):
    """Raised by a simulator or agent to stop its conversation on purpose, not as a failure.

    The engine ends the conversation with termination reason ``interrupted`` and the exception's
    message as the detail (not ``error``), so metrics can leave it out rather than count it as a
    broken bot. ``understudy.llm.usage.BudgetExhausted`` is one.
    """


class PermissionDenied(UnderstudyError):
    """The acting user's role may not do what was asked; nothing was written.

    The message names the user, their role, the action and why (``teams.permissions``).
    """
