"""The grader seam, its registry, and the rubric library.

A grader scores a finished conversation against a rubric: ``await grader.grade(result, rubric,
scenario)`` returns a ``Grade``. Graders are ``Grader`` subclasses registered in ``GRADERS``
exactly as plugins are (entry-point group ``understudy.graders``, see ``understudy.registry``);
``offline`` (rule-based) and ``llm`` (the ``llm`` extra) are built in. A grader is built as
``cls(**options)``, the options checked against its ``Options`` model first.

Rubrics are looked up by id among the built-ins (``understudy/graders/rubrics/*.yaml``) and the
user's library (``$UNDERSTUDY_HOME/rubrics/*.yaml``, which overrides by file name), or given as a
path to a YAML file.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

from understudy.content.loader import load_model
from understudy.domain.grade import Grade
from understudy.domain.rubric import Rubric
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import ConversationResult
from understudy.errors import NotFoundError
from understudy.registry import Plugin, PluginOptions, PluginRegistry, plugin_class, set_options

DEFAULT_RUBRICS = {
    "customer_service": "customer-service-call",
    "sales_discovery": "sales-discovery-call",
    "sales": "sales-discovery-call",
}
"""Scenario type -> rubric id used when the scenario names no rubric."""


class Grader(Plugin, ABC):
    """Grades a finished conversation against a rubric. Subclasses implement ``grade``.

    Attributes:
        name: registry name, recorded on every grade.
    """

    name: ClassVar[str] = "grader"

    @abstractmethod
    async def grade(self, result: ConversationResult, rubric: Rubric, scenario: Scenario) -> Grade:
        """Return the grade of ``result``.

        Args:
            result: the finished conversation (transcript, termination reason, duration).
            rubric: the criteria to score.
            scenario: the scenario practised (exit conditions, evaluation instructions).
        """


GRADERS: PluginRegistry[Grader] = PluginRegistry(
    "grader", "understudy.graders", plugin_class(Grader)
)
GRADERS.add("offline", "understudy.graders.offline:OfflineGrader")
GRADERS.add("llm", "understudy.graders.llm:LLMGrader")


def make_grader(
    kind: str = "offline", options: Mapping[str, Any] | PluginOptions | None = None, /, **more: Any
) -> Grader:
    """Build a grader by registry name.

    Args:
        kind: registry name (``offline``, ``llm``...).
        options: the grader's options (checked against its ``Options`` model), or already
            validated ones.
        **more: further options, by keyword.

    Raises:
        NotFoundError: unknown kind (the message lists the known ones).
        ConfigError: an unknown or invalid option (the message lists the known ones).
    """
    given = {**set_options(options), **more}
    return GRADERS.get(kind)(**GRADERS.keyword_options(kind, given))


def builtin_rubric_paths() -> list[Path]:
    """Return the built-in rubric files, sorted by name."""
    folder = resources.files("understudy.graders") / "rubrics"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".yaml"))


def user_rubric_paths() -> list[Path]:
    """Return the rubric files of the workspace's library (``$UNDERSTUDY_HOME/rubrics``)."""
    from understudy.teams.context import workspace_home

    return sorted((workspace_home() / "rubrics").glob("*.yaml"))


def load_rubric(ref: str) -> Rubric:
    """Return the rubric named by ``ref``: an id (user library first, then built-ins) or a path.

    Raises:
        NotFoundError: no rubric has that id (the message lists the known ids).
        ContentError: the file is invalid (names file, line and field).
    """
    if ref.endswith((".yaml", ".yml")) and Path(ref).exists():
        return load_model(Rubric, Path(ref))
    paths = [*user_rubric_paths(), *builtin_rubric_paths()]
    for path in paths:
        if path.stem == ref:
            return load_model(Rubric, path)
    known = ", ".join(sorted({p.stem for p in paths})) or "none"
    raise NotFoundError(f"no rubric with id {ref!r}; known rubrics: {known}")


def rubric_for(scenario: Scenario, override: str | None = None) -> Rubric:
    """Return the rubric for a practice attempt: ``override``, the scenario's, or by type.

    Raises:
        NotFoundError: the named rubric does not exist.
    """
    ref = override or scenario.rubric or DEFAULT_RUBRICS.get(scenario.type, "customer-service-call")
    return load_rubric(ref)
