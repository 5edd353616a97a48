"""The one content hash and the one snapshot format of stored content.

Every run and attempt keeps what it used (persona, scenarios, flow, webhook settings) as a
*snapshot* and identifies it by a *content hash*, so editing a file later never rewrites
history and a stored hash can be compared with the hash of the file today.

- ``snapshot``: canonical JSON text: the content dumped with ``mode="json"`` (every field,
  defaults included, so it loads back as it was), keys sorted, no spaces, UTF-8 kept as is. A
  model is a JSON object, a list of models a JSON list (a run's or an attempt's scenarios are
  always stored as a list).
- ``content_hash``: the SHA-256 (hex) of the same canonical JSON with unset optional fields
  (``None``) left out, so adding a new optional field to a model does not change the hash of
  content that does not use it. A single item hashes as itself (not as a one-item list), so the
  same persona gets the same hash from a stress-test run and from a practice attempt.
- ``text_hash``: the SHA-256 of a text as written (a file's fingerprint: agent persona
  versions, phrasing banks).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

Item = BaseModel | dict[str, Any]
"""A model, or content already dumped to JSON types (a dict)."""


def _canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _without_none(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _without_none(v) for k, v in data.items() if v is not None}
    if isinstance(data, list):
        return [_without_none(v) for v in data]
    return data


def snapshot(content: Item | Sequence[Item]) -> str:
    """Return ``content`` as canonical JSON text, the stored snapshot format.

    Args:
        content: a model or dict (stored as a JSON object), or a sequence of them (a JSON list).
    """
    if isinstance(content, BaseModel):
        return _canonical(content.model_dump(mode="json"))
    if isinstance(content, dict):
        return _canonical(content)
    return _canonical(
        [i.model_dump(mode="json") if isinstance(i, BaseModel) else i for i in content]
    )


def text_hash(text: str) -> str:
    """Return the SHA-256 hex digest (64 characters) of ``text`` encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_hash(*items: Item) -> str:
    """Return the content hash of ``items``: SHA-256 hex of their canonical JSON, ``None`` left out.

    Args:
        *items: one model or dict (hashed as a JSON object) or several (hashed as a JSON list).
    """
    dumped = [
        i.model_dump(mode="json", exclude_none=True)
        if isinstance(i, BaseModel)
        else _without_none(i)
        for i in items
    ]
    return text_hash(_canonical(dumped[0] if len(dumped) == 1 else dumped))
