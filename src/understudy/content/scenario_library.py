"""The scenario library: reusable scenarios a trainer lists, adds, duplicates, tags and deletes.

The library is the folder ``$UNDERSTUDY_HOME/scenarios`` (``content.scenarios.scenario_dir``),
one ``ID.yaml`` per scenario, so ``understudy practice ID`` and ``understudy assign ID`` find a
library scenario by id. Listing also reads other folders (by default ``./examples/scenarios``);
only library copies are changed or deleted by id.

Files are copied as written (comments kept); when a copy must change a field (``created_at``,
tags, a new id), the YAML is rewritten with its other fields and its leading comment lines
(such as ``# kind: scenario``) kept. References relative to the original file (a persona file,
briefing documents, a rubric file) are made absolute in the copy, so it stays playable.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from understudy.content.kinds import load_any
from understudy.content.loader import load_model, load_yaml, read_text
from understudy.content.safe_paths import is_safe_id, library_file
from understudy.content.scenario_files import absolute_references, read_yaml, write_yaml
from understudy.content.scenarios import check_is_scenario, scenario_dir
from understudy.domain.scenario import Scenario
from understudy.errors import ConfigError, ContentError, ContentProblem, NotFoundError
from understudy.teams.permissions import Action, authorize

EXAMPLES_DIR = Path("examples") / "scenarios"
"""Also read by ``scenarios list`` when it exists (relative to the current folder)."""

SCENARIO_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class LibraryEntry:
    """One scenario found by ``list_scenarios``.

    Attributes:
        scenario: the scenario, valid field by field.
        path: its file.
        in_library: whether the file is in ``$UNDERSTUDY_HOME/scenarios`` (editable by id).
    """

    scenario: Scenario
    path: Path
    in_library: bool


@dataclass
class Listing:
    """What ``list_scenarios`` found: the scenarios, and files that failed to load."""

    entries: list[LibraryEntry] = field(default_factory=list)
    problems: list[ContentProblem] = field(default_factory=list)


def default_dirs() -> list[Path]:
    """Return the folders listed by default: the library, then ``./examples/scenarios``."""
    dirs = [scenario_dir()]
    if EXAMPLES_DIR.is_dir():
        dirs.append(EXAMPLES_DIR)
    return dirs


def library_path(scenario_id: str) -> Path:
    """Return where the scenario ``scenario_id`` lives (or would live) in the library.

    Raises:
        ConfigError: ``scenario_id`` is not a safe id (``understudy.content.ids``).
    """
    return library_file(scenario_dir(), scenario_id, what="scenario id")


def _in_library(path: Path) -> bool:
    return path.resolve().parent == scenario_dir().resolve()


def _is_scenario_data(data: Any) -> bool:
    return isinstance(data, dict) and "goal" in data and "persona" in data


def list_scenarios(dirs: Sequence[Path] | None = None) -> Listing:
    """Read the scenario files directly inside ``dirs`` (default: ``default_dirs()``).

    Files that are not scenarios (no ``goal`` and ``persona`` keys, e.g. personas kept beside
    them) are skipped; scenario files that fail to load are reported in ``problems``. When two
    folders hold the same id, the first folder wins (the library comes first by default).
    """
    listing = Listing()
    seen: set[str] = set()
    for folder in default_dirs() if dirs is None else dirs:
        if not folder.is_dir():
            continue
        paths = sorted(p for p in folder.iterdir() if p.suffix in SCENARIO_SUFFIXES)
        for path in paths:
            try:
                data = load_yaml(read_text(path), path)
            except ContentError:
                data = {"goal": None, "persona": None}
            if not _is_scenario_data(data):
                continue
            try:
                scenario = load_model(Scenario, path)
            except ContentError as exc:
                listing.problems.extend(exc.problems)
                continue
            if scenario.id in seen:
                continue
            seen.add(scenario.id)
            listing.entries.append(LibraryEntry(scenario, path, _in_library(path)))
    return listing


def filter_entries(
    entries: Iterable[LibraryEntry],
    *,
    tag: str | None = None,
    persona: str | None = None,
    kind: str | None = None,
) -> list[LibraryEntry]:
    """Keep the entries with ``tag`` among their tags, using ``persona``, of type ``kind``.

    Comparisons ignore case; None lets everything through.
    """

    def fits(entry: LibraryEntry) -> bool:
        s = entry.scenario
        if tag is not None and tag.lower() not in {t.lower() for t in s.tags}:
            return False
        if persona is not None and s.persona.lower() != persona.lower():
            return False
        return kind is None or s.type.lower() == kind.lower()

    return [e for e in entries if fits(e)]


def locate(ref: str, dirs: Sequence[Path] | None = None) -> LibraryEntry:
    """Return the scenario given by a file path, or by id in the library, then in ``dirs``.

    Raises:
        NotFoundError: no file and no scenario with that id (lists where it looked).
        ContentError: the file is not a valid scenario.
    """
    path = Path(ref)
    if not _is_file(path) and is_safe_id(ref):
        path = library_path(ref)
    if _is_file(path):
        check_is_scenario(path)
        return LibraryEntry(load_model(Scenario, path), path, _in_library(path))
    for entry in list_scenarios(dirs).entries:
        if entry.scenario.id == ref:
            return entry
    where = ", ".join(str(d) for d in (default_dirs() if dirs is None else dirs))
    raise NotFoundError(
        f"no scenario file {ref!r} and no scenario with that id in {where} "
        "(see `understudy scenarios list`)"
    )


def _is_file(path: Path) -> bool:
    """``path.is_file()``, False for a name the system cannot even look up (too long...)."""
    try:
        return path.is_file()
    except OSError:
        return False


def locate_id(scenario_id: str, dirs: Sequence[Path] | None = None) -> LibraryEntry:
    """Return the scenario with this id: in the library, else in ``dirs`` (never a file path).

    For ids sent by a web page or any other remote caller, where ``locate``'s file-path branch
    would open any file the server can read.

    Raises:
        ConfigError: not a safe id (``understudy.content.safe_paths``).
        NotFoundError: no scenario with that id.
        ContentError: the library file is not a valid scenario.
    """
    path = library_path(scenario_id)
    if path.is_file():
        check_is_scenario(path)
        return LibraryEntry(load_model(Scenario, path), path, True)
    for entry in list_scenarios(dirs).entries:
        if entry.scenario.id == scenario_id:
            return entry
    raise NotFoundError(f"no scenario {scenario_id!r} (see `understudy scenarios list`)")


def library_entry(scenario_id: str) -> LibraryEntry:
    """Return the library copy of ``scenario_id``, for commands that change or delete it.

    Raises:
        NotFoundError: the library has no such scenario (the message says to add it first
            when the id is found elsewhere, e.g. in ``./examples/scenarios``).
        ContentError: the library file is not a valid scenario.
    """
    path = library_path(scenario_id)
    if path.is_file():
        check_is_scenario(path)
        return LibraryEntry(load_model(Scenario, path), path, True)
    for entry in list_scenarios().entries:
        if entry.scenario.id == scenario_id:
            raise NotFoundError(
                f"scenario {scenario_id!r} is not in your library but in {entry.path}; "
                f"add a copy first: understudy scenarios add {entry.path}"
            )
    raise NotFoundError(
        f"no scenario {scenario_id!r} in your library {scenario_dir()} "
        "(see `understudy scenarios list`)"
    )


def add_scenario(
    source: Path, *, created_by: str | None = None, today: date | None = None, force: bool = False
) -> Path:
    """Validate ``source`` and copy it into the library as ``ID.yaml``.

    Validation is that of ``understudy validate`` (``content.kinds.load_any``): fields, then
    the persona, briefing documents, rubric and agent persona must exist. The copy gets
    ``created_by`` and ``created_at`` (``today``) when the file has none, and absolute file
    references.

    Returns:
        The library file.

    Raises:
        NotFoundError: ``source`` is not a file.
        ContentError: it is not a valid, playable scenario (file, line, field).
        ConfigError: the library already has that id and ``force`` is false.
    """
    authorize(Action.CREATE_SCENARIO)
    created_by = _creator(created_by)
    if not source.is_file():
        raise NotFoundError(f"no scenario file {str(source)!r}: file not found")
    check_is_scenario(source)
    kind, model = load_any(source)
    if not isinstance(model, Scenario):
        raise ConfigError(f"{source} is {kind.description}, not a scenario")
    target = library_path(model.id)
    if target.exists() and target.resolve() == source.resolve():
        raise ConfigError(f"{source} is already in the library")
    if target.exists() and not force:
        raise ConfigError(
            f"the library already has a scenario {model.id!r} ({target}); pass --force to "
            "replace it, or duplicate it under another id"
        )
    header, data = read_yaml(source)
    changed = absolute_references(data, source.resolve().parent)
    if changed or model.created_at is None or (model.created_by is None and created_by):
        if created_by:
            data.setdefault("created_by", created_by)
        data.setdefault("created_at", today or date.today())
        write_yaml(target, header, data)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    load_model(Scenario, target)
    return target


def duplicate_scenario(
    ref: str,
    new_id: str,
    *,
    name: str | None = None,
    created_by: str | None = None,
    today: date | None = None,
) -> Path:
    """Copy the scenario ``ref`` (id or file) into the library under ``new_id``.

    The copy keeps every field but ``id``, ``name`` (``name``, else the original's name with
    " (copy)"), ``origin`` (kind ``duplicated``, source naming the original and its own
    origin), ``created_by`` and ``created_at`` (``today``). File references become absolute.

    Returns:
        The new library file.

    Raises:
        NotFoundError: ``ref`` is neither a file nor a known scenario id.
        ConfigError: ``new_id`` is not a valid id or is taken in the library.
        ContentError: the copy would be invalid.
    """
    authorize(Action.CREATE_SCENARIO)
    created_by = _creator(created_by)
    entry = locate(ref)
    target = library_path(new_id)
    if target.exists():
        raise ConfigError(f"the library already has a scenario {new_id!r} ({target})")
    header, data = read_yaml(entry.path)
    original = entry.scenario
    data["id"] = new_id
    data["name"] = name if name is not None else f"{original.name or original.id} (copy)"
    source = f"scenario {original.id}"
    if original.origin.kind != "hand-written":
        source += f" ({original.origin.describe()})"
    data["origin"] = {"kind": "duplicated", "source": source}
    data.pop("created_by", None)
    if created_by:
        data["created_by"] = created_by
    data["created_at"] = today or date.today()
    absolute_references(data, entry.path.resolve().parent)
    try:
        Scenario.model_validate(data)
    except ValueError as exc:
        raise ConfigError(f"cannot duplicate as {new_id!r}: {exc}".replace("\n", "; ")) from exc
    write_yaml(target, header, data)
    return target


def normalize_tags(tags: Iterable[str]) -> list[str]:
    """Return ``tags`` stripped, without blanks and duplicates (ignoring case), sorted.

    Of tags differing only in case, the first spelling is kept.
    """
    kept: dict[str, str] = {}
    for tag in tags:
        tag = tag.strip()
        if tag:
            kept.setdefault(tag.lower(), tag)
    return sorted(kept.values(), key=lambda t: (t.lower(), t))


def edit_tags(path: Path, add: Sequence[str] = (), remove: Sequence[str] = ()) -> list[str]:
    """Add and remove tags of the scenario file ``path``; return its new tags.

    The other fields and the leading comment lines are kept; tags end up unique (ignoring
    case) and sorted. Removing a tag the scenario lacks is not an error.

    Raises:
        ContentError: the file is not a scenario mapping, or the result does not validate.
    """
    authorize(Action.EDIT_SCENARIO)
    header, data = read_yaml(path)
    current = data.get("tags") or []
    if not isinstance(current, list):
        raise ContentError([ContentProblem(path, None, "tags", "expected a list of strings")])
    drop = {t.strip().lower() for t in remove}
    tags = [t for t in normalize_tags([*map(str, current), *add]) if t.lower() not in drop]
    data["tags"] = tags
    write_yaml(path, header, data)
    load_model(Scenario, path)
    return tags


def delete_scenario(scenario_id: str) -> Path:
    """Delete the library copy of ``scenario_id`` and return the removed file.

    Callers check assignments first (``understudy scenarios delete`` refuses without
    ``--force`` while sessions are assigned); attempts keep their own snapshot of the scenario.

    Raises:
        NotFoundError: not in the library (see ``library_entry``).
        PermissionDenied: the acting user did not create it (only its creator may delete a
            scenario, ``teams.permissions``).
    """
    entry = library_entry(scenario_id)
    authorize(Action.DELETE_SCENARIO, owner=entry.scenario.created_by)
    entry.path.unlink()
    return entry.path


def save_scenario_text(path: Path, text: str, *, new: bool) -> Path:
    """Write a validated scenario's YAML ``text`` to its library file ``path``.

    Callers validate first (the web form does, exactly as ``understudy validate``).

    Args:
        path: the library file (``library_path(id)``).
        text: the YAML text.
        new: True for a new scenario (``Action.CREATE_SCENARIO``), False for an edit
            (``Action.EDIT_SCENARIO``).

    Raises:
        PermissionDenied: the acting user may not create (or edit) scenarios.
    """
    authorize(Action.CREATE_SCENARIO if new else Action.EDIT_SCENARIO)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _creator(given: str | None) -> str | None:
    """The acting user's name when one is bound (nobody records another as creator)."""
    from understudy.teams.context import current_actor

    actor = current_actor()
    return actor.name if actor is not None else given
