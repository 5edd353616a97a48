"""The phrasing bank of the offline user simulator: built-in lines plus installed banks.

The built-in bank (``data/phrasing_bank.json``) holds real customer requests per intent and
style (bitext) and caller wording (Harper Valley); see ``data/SOURCES.md``. Users extend it by
installing ``opening-lines`` files (``understudy.domain.phrasing.OpeningLines``) in
``$UNDERSTUDY_HOME/phrasing/``, e.g. with ``understudy import bitext CSV --out DIR --install``
(docs/phrasing.md).
"""

from __future__ import annotations

import hashlib
import json
import warnings
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from understudy.content.hashing import text_hash
from understudy.domain.phrasing import DIGIT
from understudy.errors import UnderstudyError
from understudy.settings import home

PHRASING_FOLDER = "phrasing"
"""Folder under the understudy home holding installed opening-lines banks (``*.yaml``)."""


@cache
def builtin_phrasing_bank() -> dict[str, Any]:
    """Return the built-in phrasing bank (``data/phrasing_bank.json``), loaded once per process.

    See ``data/SOURCES.md`` for its sources and licences and ``scripts/build_phrasing_bank.py``
    for how it is made.
    """
    path = resources.files("understudy.simulators.offline") / "data" / "phrasing_bank.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def phrasing_dir() -> Path:
    """Return the folder of installed opening-lines banks, ``$UNDERSTUDY_HOME/phrasing``.

    The folder is not created here (``understudy import bitext --install`` creates it).
    """
    return home() / PHRASING_FOLDER


def _bank_files() -> tuple[tuple[str, int, int], ...]:
    """Return ``(path, mtime in ns, size)`` of every installed bank, sorted by path."""
    try:
        folder = phrasing_dir()
    except UnderstudyError:  # no usable home folder: nothing can be installed
        return ()
    if not folder.is_dir():
        return ()
    found = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            stat = path.stat()
        except OSError:
            continue
        found.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(found)


@lru_cache(maxsize=8)
def _merged_bank(files: tuple[tuple[str, int, int], ...]) -> dict[str, Any]:
    """Merge the installed banks ``files`` into a copy of the built-in bank.

    Lines are added per intent and style after the built-in ones, without duplicates. A line
    holding a digit is left out: it would state a value (an order number, an amount) the
    customer was not given. A file that is not a valid ``opening-lines`` file is skipped with a
    warning naming its problems, so one broken file does not stop every conversation.
    """
    from understudy.content.loader import load_model
    from understudy.domain.phrasing import OpeningLines

    builtin = builtin_phrasing_bank()
    if not files:
        return builtin
    merged = dict(builtin)
    intents: dict[str, dict[str, list[str]]] = {
        name: {style: list(lines) for style, lines in styles.items()}
        for name, styles in builtin.get("intents", {}).items()
    }
    for name, _mtime, _size in files:
        try:
            bank = load_model(OpeningLines, name)
        except UnderstudyError as exc:
            warnings.warn(f"phrasing bank {name} skipped: {exc}", stacklevel=2)
            continue
        for intent, styles in bank.intents.items():
            target = intents.setdefault(intent, {})
            for style, lines in styles.items():
                have = target.setdefault(style.value, [])
                have.extend(line for line in lines if line not in have and not DIGIT.search(line))
    merged["intents"] = intents
    return merged


def phrasing_bank() -> dict[str, Any]:
    """Return the phrasing bank: the built-in one plus the installed opening-lines banks.

    Installed banks are the ``*.yaml`` files of ``phrasing_dir()`` (``# kind: opening-lines``,
    docs/phrasing.md), merged in file-name order. The merged bank is cached by the folder's file
    names, modification times and sizes: a newly installed or edited bank is seen by the next
    conversation, and an unchanged folder is not read again (one folder listing per call; the
    simulator calls this once per conversation, not per turn).

    Returns:
        ``{"caller": {...}, "intents": {intent: {style: [lines]}}}``; do not modify it.
    """
    return _merged_bank(_bank_files())


def _file_sha256(path: str) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


@lru_cache(maxsize=8)
def _bank_hash(files: tuple[tuple[str, int, int], ...]) -> str:
    """sha256 of the merged bank of ``files`` as canonical JSON (sorted keys)."""
    return text_hash(json.dumps(_merged_bank(files), sort_keys=True, ensure_ascii=False))


def phrasing_snapshot() -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the phrasing bank as it is now, and a record of what it was made from.

    A batch takes this once and hands the bank to every simulator it makes (the
    ``OfflineOptions.bank`` option), so a bank installed or edited while the batch plays changes
    no conversation of it; the record is stored with the run (``runs.simulator_info``).

    Returns:
        ``(bank, record)``: the bank as ``phrasing_bank()`` returns it (do not modify it), and
        ``{"phrasing_banks": [{"file": name, "sha256": hex}], "phrasing_hash": hex}``: the
        installed ``*.yaml`` files by file name, in merge order, with the sha256 of their bytes,
        and the sha256 of the merged bank (built-in lines included) as canonical JSON, which is
        what decides the wording of a conversation.
    """
    files = _bank_files()
    bank = _merged_bank(files)
    banks = []
    for name, _mtime, _size in files:
        digest = _file_sha256(name)
        if digest is not None:
            banks.append({"file": Path(name).name, "sha256": digest})
    return bank, {"phrasing_banks": banks, "phrasing_hash": _bank_hash(files)}
