"""What every importer shares: the report of what was written and skipped, and YAML output."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from understudy.content.ids import slugify


@dataclass(frozen=True)
class Skipped:
    """One item an importer did not turn into a file.

    Attributes:
        item: what it was, e.g. ``tau2/retail task 17``.
        reason: why, e.g. ``no reason for call in the task``.
    """

    item: str
    reason: str


@dataclass
class ImportReport:
    """What an import wrote and skipped.

    Attributes:
        written: paths of the files written, in order.
        skipped: items not imported, each with its reason.
        counts: number of files written per kind (``scenario``, ``persona``, ``flow``...).
        notes: remarks worth showing the user (e.g. personas reused across tasks).
    """

    written: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def wrote(self, kind: str, path: Path) -> None:
        """Record that a file of ``kind`` was written at ``path``."""
        self.written.append(path)
        self.counts[kind] = self.counts.get(kind, 0) + 1

    def skip(self, item: str, reason: str) -> None:
        """Record that ``item`` was skipped because of ``reason``."""
        self.skipped.append(Skipped(item, reason))

    def merge(self, other: ImportReport) -> None:
        """Add another report's files, skips, counts and notes to this one."""
        self.written.extend(other.written)
        self.skipped.extend(other.skipped)
        self.notes.extend(other.notes)
        for kind, n in other.counts.items():
            self.counts[kind] = self.counts.get(kind, 0) + n


class _Dumper(yaml.SafeDumper):
    """Writes multi-line strings as ``|`` blocks so imported instructions stay readable."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        value = "\n".join(line.rstrip() for line in value.splitlines())
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


class _ExactDumper(yaml.SafeDumper):
    """Writes multi-line strings as ``|`` blocks where YAML can hold them exactly."""


def _exact_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # PyYAML falls back to a quoted scalar when a block cannot hold the value as it is.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_ExactDumper.add_representer(str, _exact_str)


def to_yaml(data: BaseModel | dict[str, Any], *, header: str = "", exact: bool = False) -> str:
    """Render a model (without fields left at their defaults) or a mapping as YAML.

    Args:
        data: a pydantic model or plain data.
        header: comment lines put on top (without the ``#``), e.g. the source and licence.
        exact: keep every string as it is (for snapshots that must load back equal); by default
            trailing spaces of multi-line strings are dropped so they print as ``|`` blocks.
    """
    plain = (
        data.model_dump(mode="json", exclude_defaults=True) if isinstance(data, BaseModel) else data
    )
    dumper = _ExactDumper if exact else _Dumper
    text = yaml.dump(plain, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)
    comments = "".join(f"# {line}\n".replace("# \n", "#\n") for line in header.splitlines())
    return comments + text


def write_yaml(path: Path, data: BaseModel | dict[str, Any], *, header: str = "") -> Path:
    """Write ``data`` as YAML to ``path`` (creating folders); return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_yaml(data, header=header), encoding="utf-8")
    return path


def slug(text: str) -> str:
    """Return ``text`` as an imported id: ``content.ids.slugify`` keeping ``_``, ``x`` if empty.

    Lower-case letters, digits and ``_``; other runs become ``-`` (``"Order_ID 7"`` ->
    ``"order_id-7"``). The importers and ``understudy import`` name files and ids with it.
    """
    return slugify(text, "x", keep="_")
