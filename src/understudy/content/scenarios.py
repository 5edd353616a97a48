"""Finding scenarios and the persona a scenario names, as ``practice`` and ``stress-test`` do.

A scenario is given as a path to a YAML file or, failing that, by id: the file
``$UNDERSTUDY_HOME/scenarios/ID.yaml``. A scenario's ``persona`` (an id or a path relative to
the scenario file) is resolved by ``understudy.content.personas.resolve_persona`` with the
scenario's folder as ``base``.
"""

from __future__ import annotations

from pathlib import Path

from understudy.content.loader import load_model
from understudy.content.personas import resolve_persona
from understudy.content.safe_paths import is_safe_id
from understudy.domain.persona import Persona
from understudy.domain.scenario import Scenario
from understudy.errors import ContentError, ContentProblem, NotFoundError
from understudy.teams.context import workspace_home


def scenario_dir() -> Path:
    """Return the workspace's scenario folder (``$UNDERSTUDY_HOME/scenarios`` by default)."""
    return workspace_home() / "scenarios"


def scenario_path(ref: Path | str) -> Path:
    """Return the file of a scenario given by path, or by id from ``scenario_dir()``.

    Raises:
        NotFoundError: neither an existing file nor the id of a scenario in the user's folder.
    """
    path = Path(ref)
    if path.is_file():
        return path
    if is_safe_id(str(ref)):
        by_id = scenario_dir() / f"{ref}.yaml"
        if by_id.is_file():
            return by_id
    if str(ref).endswith((".yaml", ".yml", ".json")):
        raise NotFoundError(f"no scenario file {str(ref)!r}: file not found")
    raise NotFoundError(
        f"no scenario file {str(ref)!r} and no scenario with that id in {scenario_dir()} "
        "(give a path to a scenario YAML file)"
    )


def check_is_scenario(path: Path) -> None:
    """Raise a clear error when ``path`` holds another kind of file (a flow, a persona...).

    A file whose kind cannot be told is left to the scenario loader, whose field errors are
    then the most useful message.

    Raises:
        ContentError: the file is of another kind ("this file is a flow, not a scenario").
    """
    from understudy.content.kinds import detect_kind

    try:
        kind = detect_kind(path)
    except ContentError:
        return
    if kind.name != "scenario":
        article = "an" if kind.name[:1] in "aeiou" else "a"
        message = f"this file is {article} {kind.name}, not a scenario"
        if kind.name == "flow":
            message += " (to play customers against a flow, use `understudy stress-test FLOW`)"
        raise ContentError([ContentProblem(path, None, "", message)])


def load_scenario(ref: Path | str, *, checked: bool = False) -> tuple[Scenario, Path]:
    """Load a scenario from a YAML path, or by id from ``$UNDERSTUDY_HOME/scenarios``.

    Args:
        ref: a path to a scenario file, or the id of a scenario in the user's folder.
        checked: also check that its persona, briefing documents, rubric and agent persona exist
            (``understudy.content.scenario_checks``).

    Returns:
        ``(scenario, folder)``: the folder of the file, which its relative paths (persona,
        briefing documents) are resolved against.

    Raises:
        NotFoundError: neither a file nor a known id.
        ContentError: the file is invalid, is not a scenario, or (``checked``) names a missing
            persona, document, rubric or agent persona (each problem with file, line and field).
    """
    path = scenario_path(ref)
    check_is_scenario(path)
    if checked:
        from understudy.content.scenario_checks import load_checked_scenario

        return load_checked_scenario(path), path.resolve().parent
    return load_model(Scenario, path), path.resolve().parent


def scenario_persona(scenario: Scenario, base: Path | None, override: str | None = None) -> Persona:
    """Return the customer persona of ``scenario``, or ``override`` when given.

    The scenario's reference is resolved against ``base`` (its folder) first; an override (given
    by the user on the command line) against the current folder first, then ``base``.

    Raises:
        NotFoundError: unknown persona id or missing file.
        ContentError: the persona file is invalid.
    """
    if override is None:
        return resolve_persona(scenario.persona, base)
    path = Path(override)
    if path.is_file() or not override.endswith((".yaml", ".yml")):
        return resolve_persona(override)
    return resolve_persona(override, base)
