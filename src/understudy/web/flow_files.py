"""Which flow files the web app may open, how they are addressed, and adding one by upload.

The web app never opens a server path it is sent. A flow is addressed by its place in one of
the flow folders:

* ``examples/flows/<file>`` and ``flows/<file>``: those folders of the folder the server runs in
  (shared by every workspace; the server's operator puts files there);
* ``home/<file>``: the ``flows`` folder of the signed-in user's workspace
  (``workspace_home() / "flows"``), where flows added through the web app are saved;
* an absolute path listed, one per line, in the workspace's ``web-flows.txt`` (an allow-list
  only someone with a shell on the server can write; the web app reads it, never writes it).

``flow_file(ref)`` turns an address into the file. Anything else (``..`` that climbs out, an
absolute path not on the allow-list, a symbolic link resolving outside its folder, a file that
is not ``.yaml``/``.yml``/``.json``, a NUL byte, an over-long address) is a ``NotFoundError``
(404) raised before any file is opened, with the same message whether or not such a file
exists.

``add_uploaded_flow(name, raw)`` is "Add a flow": the uploaded file's bytes are validated as
``understudy validate`` would, as if saved to ``home/<name>``, and written there only if valid
and not already taken. Its ``intents_from`` and ``default_scenario`` entries must resolve inside
the workspace's folder, so an uploaded flow cannot make the server read a file elsewhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from understudy.content.flows import parse_flow
from understudy.content.kinds import declared_kind
from understudy.content.loader import decode_text, load_yaml_with_lines
from understudy.content.safe_paths import check_id
from understudy.domain.flow import Flow
from understudy.errors import ConfigError, ContentError, ContentProblem, NotFoundError
from understudy.teams.context import workspace_home

SHARED_DIRS = (Path("examples") / "flows", Path("flows"))
"""Flow folders of the folder the server runs in, addressed by these relative paths."""

HOME_PREFIX = "home"
"""Address prefix of the workspace's own flow folder."""

SUFFIXES = (".yaml", ".yml", ".json")
"""File suffixes a flow may have."""

MAX_REF_CHARS = 1024
"""Longest flow address accepted, in characters."""

MAX_UPLOAD_BYTES = 1024 * 1024
"""Largest flow file accepted by "Add a flow", in bytes."""


@dataclass(frozen=True)
class FlowFile:
    """A flow file the web app may open.

    Attributes:
        ref: its address (``examples/flows/refund.yaml``, ``home/mine.yaml``, or an allow-listed
            absolute path).
        path: the file, resolved (symbolic links followed); runs are recorded under this path.
    """

    ref: str
    path: Path


def allow_list_file() -> Path:
    """Return the workspace's ``web-flows.txt`` (absolute flow paths allowed outside folders)."""
    return workspace_home() / "web-flows.txt"


def home_flows() -> Path:
    """Return the workspace's flow folder (not created here)."""
    return workspace_home() / "flows"


def _roots() -> list[tuple[str, Path]]:
    roots = [(folder.as_posix(), folder) for folder in SHARED_DIRS]
    return [*roots, (HOME_PREFIX, home_flows())]


def _resolved(path: Path) -> Path | None:
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return None


def _allowed_extra() -> dict[Path, str]:
    listed = allow_list_file()
    if not listed.is_file():
        return {}
    out: dict[Path, str] = {}
    for line in listed.read_text(encoding="utf-8", errors="replace").splitlines():
        entry = line.strip()
        resolved = _resolved(Path(entry)) if entry and Path(entry).is_absolute() else None
        if resolved is not None and resolved.suffix in SUFFIXES:
            out[resolved] = entry
    return out


def _refused(ref: str) -> NotFoundError:
    shown = ref if len(ref) <= 120 else ref[:117] + "..."
    folders = ", ".join(f"{prefix}/" for prefix, _ in _roots())
    return NotFoundError(
        f"no flow {shown!r} in the flow folders; a flow is addressed by its place in {folders} "
        "(see the Flows page), and files elsewhere on the server are not opened"
    )


def flow_file(ref: str) -> FlowFile:
    """Return the flow file addressed by ``ref``, if the web app may open it.

    Nothing is opened or read here (only the file's metadata, once it is known to be inside a
    flow folder).

    Raises:
        NotFoundError: ``ref`` names no flow file inside a flow folder (see the module docs).
    """
    if not ref or len(ref) > MAX_REF_CHARS or "\0" in ref or "\\" in ref:
        raise _refused(ref)
    path = Path(ref)
    if path.is_absolute():
        resolved = _resolved(path)
        if resolved is None or resolved not in _allowed_extra() or not resolved.is_file():
            raise _refused(ref)
        return FlowFile(ref, resolved)
    for prefix, folder in _roots():
        if not ref.startswith(prefix + "/"):
            continue
        rest = ref[len(prefix) + 1 :]
        root, target = _resolved(folder), _resolved(folder / rest)
        if root is None or target is None or not target.is_relative_to(root) or target == root:
            raise _refused(ref)
        if target.suffix not in SUFFIXES or not target.is_file():
            raise _refused(ref)
        return FlowFile(ref, target)
    raise _refused(ref)


def flow_files() -> list[FlowFile]:
    """Every flow file of the flow folders, then the allow-listed ones (each file once)."""
    found: list[FlowFile] = []
    for prefix, folder in _roots():
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix not in SUFFIXES:
                continue
            try:
                found.append(flow_file(f"{prefix}/{path.name}"))
            except NotFoundError:
                continue  # a link escaping its folder, or not a file
    for resolved, entry in _allowed_extra().items():
        if resolved.is_file():
            found.append(FlowFile(entry, resolved))
    seen: set[Path] = set()
    out = []
    for item in found:
        if item.path not in seen:
            seen.add(item.path)
            out.append(item)
    return out


REFERENCE_FOLDERS = ("flows", "scenarios")
"""Folders of the workspace an uploaded flow's ``intents_from``/``default_scenario`` may name."""


def _confined_references(data: Any, lines: dict[Any, int], path: Path) -> list[ContentProblem]:
    """Problems for ``intents_from``/``default_scenario`` entries outside the content folders.

    An uploaded flow may name files in its workspace's ``flows`` and ``scenarios`` folders only
    (``REFERENCE_FOLDERS``): not the workspace folder at large, which for the ``default``
    workspace is ``UNDERSTUDY_HOME`` itself and so holds the other workspaces, the config and
    the web app's secret.
    """
    if not isinstance(data, dict):
        return []
    home = workspace_home()
    folders = [(home / name).resolve() for name in REFERENCE_FOLDERS]
    entries: list[tuple[tuple[str | int, ...], Any]] = []
    if "default_scenario" in data:
        entries.append((("default_scenario",), data["default_scenario"]))
    included = data.get("intents_from")
    if isinstance(included, list):
        entries.extend((("intents_from", i), value) for i, value in enumerate(included))
    problems = []
    for loc, value in entries:
        if not isinstance(value, str):
            continue  # the model reports the wrong type
        target = _resolved(path.parent / value) if "\0" not in value else None
        if target is None or not any(target.is_relative_to(f) for f in folders):
            line = lines.get(loc, lines.get(loc[:1]))
            message = (
                f"{value!r} is outside your workspace's flows and scenarios folders; a flow added "
                "through the web app may only name files inside them (put them there first, or "
                "add the flow on the server)"
            )
            problems.append(ContentProblem(path, line, ".".join(map(str, loc)), message))
    return problems


def add_uploaded_flow(filename: str, raw: bytes) -> tuple[FlowFile, Flow]:
    """Validate an uploaded flow file and save it as ``home/<filename>``.

    Args:
        filename: the uploaded file's name (its last part is kept; it must be a safe id ending
            in ``.yaml``, ``.yml`` or ``.json``).
        raw: the file's bytes (at most ``MAX_UPLOAD_BYTES``).

    Returns:
        The saved flow file and the flow.

    Raises:
        ConfigError: a bad file name, a file too large, or a flow of that name already added.
        ContentError: the file is not a valid flow, or names files outside the workspace folder;
            every problem names the file, line and field. Nothing is written then.
    """
    name = Path(filename.replace("\\", "/")).name
    stem, suffix = os.path.splitext(name)
    if suffix not in SUFFIXES:
        raise ConfigError(f"a flow file ends in .yaml, .yml or .json; got {name!r}")
    check_id(stem, "flow file name")
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ConfigError(f"{name} is larger than {MAX_UPLOAD_BYTES:,} bytes; is it a flow?")
    folder = home_flows()
    target = folder / name
    text = decode_text(raw, target)
    declared = declared_kind(text)
    if declared not in (None, "flow"):
        message = f"expected a flow file ('# kind: flow'), got kind {declared!r}"
        raise ContentError([ContentProblem(target, 1, "", message)])
    data, lines = load_yaml_with_lines(text, target)
    outside = _confined_references(data, lines, target)
    if outside:
        raise ContentError(outside)
    flow = parse_flow(data, lines, target)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError as exc:
        raise ConfigError(
            f"a flow file {name!r} is already in your flows; rename the file to add it again"
        ) from exc
    with os.fdopen(descriptor, "wb") as out:
        out.write(raw)
    return flow_file(f"{HOME_PREFIX}/{name}"), flow
