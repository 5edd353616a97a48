"""Reading and rewriting scenario YAML files while keeping what their authors wrote.

Used by the scenario library (``content.scenario_library``): a rewrite keeps the field order,
the leading comment lines (such as ``# kind: scenario``) and every string exactly; comments
below the first field are not kept.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from understudy.content.loader import load_yaml, read_text
from understudy.content.safe_paths import check_id, documents_dir
from understudy.errors import ContentError, ContentProblem


def read_yaml(path: Path) -> tuple[str, dict[str, Any]]:
    """Return a scenario file's leading comment lines and its data.

    Raises:
        ContentError: the file is not a YAML mapping.
    """
    text = read_text(path)
    header = []
    for line in text.splitlines(keepends=True):
        if not line.startswith("#"):
            break
        header.append(line)
    data = load_yaml(text, path)
    if not isinstance(data, dict):
        raise ContentError([ContentProblem(path, None, "", "expected a YAML mapping of fields")])
    return "".join(header), data


class _Dumper(yaml.SafeDumper):
    """Writes multi-line strings as ``|`` blocks, keeping every character (trailing newlines)."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value.rstrip("\n") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def write_yaml(path: Path, header: str, data: dict[str, Any]) -> None:
    """Write ``data`` to ``path`` as YAML (field order kept) below the comment lines ``header``.

    Strings come back exactly as read (a folded ``>`` block may be written as a ``|`` block).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(header + text, encoding="utf-8")


def absolute_references(data: dict[str, Any], base: Path) -> bool:
    """Make the file references of scenario ``data`` work from the library, in place.

    ``persona`` and ``rubric``, when they name an existing file relative to ``base``, become
    absolute. Briefing documents must stay inside an allowed folder
    (``understudy.content.safe_paths.briefing_document``), so each one found is copied to
    ``documents_dir() / ID /`` (keeping its path below ``base``) and referred to there; one
    already in ``documents_dir()`` is referred to absolutely. Returns whether anything changed.
    """
    changed = False
    for key in ("persona", "rubric"):
        value = data.get(key)
        if isinstance(value, str) and not Path(value).is_absolute() and (base / value).is_file():
            data[key] = str((base / value).resolve())
            changed = True
    briefing = data.get("briefing")
    if isinstance(briefing, dict) and isinstance(briefing.get("documents"), list):
        documents = []
        for doc in briefing["documents"]:
            moved = _library_document(doc, base, str(data.get("id") or "scenario"))
            changed = changed or moved != doc
            documents.append(moved)
        briefing["documents"] = documents
    return changed


def _library_document(doc: Any, base: Path, scenario_id: str) -> Any:
    if not isinstance(doc, str):
        return doc
    source = (Path(doc) if Path(doc).is_absolute() else base / doc).resolve()
    library = documents_dir().resolve()
    if source.is_relative_to(library) or not source.is_file():
        return str(source)
    below = source.relative_to(base.resolve()) if source.is_relative_to(base.resolve()) else None
    target = library / check_id(scenario_id, "scenario id") / (below or Path(source.name))
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return str(target)
