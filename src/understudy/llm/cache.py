"""The replay cache: every LLM answer stored under a key, so a re-run replays exactly, for free.

Key: the SHA-256 hex digest of a canonical JSON document (sorted keys, no spaces) holding

- ``v``: the key format version (1);
- ``model``: the model string as given (``openai:gpt-4o-mini``) plus the provider's base URL;
- ``messages``: the request's messages, as pydantic-ai serialises them, with volatile fields
  (``timestamp``, ``run_id``, ``conversation_id``, ``metadata``) removed;
- ``settings``: the model settings (temperature, max tokens, **seed**...);
- ``output``: the request's output mode and tool schemas (structured output changes the answer).

The seed is part of the settings: each conversation seeds every call from its own seeded random
generator, so two conversations of a batch never share an entry, while re-running the batch with
the same seed hits every entry. Entries live in ``$UNDERSTUDY_HOME/cache/llm/<k[:2]>/<k>.json``;
deleting the folder empties the cache. Writes go to a temporary file and are renamed into place, so
concurrent runs never read half an entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from understudy.settings import home

KEY_VERSION = 1
VOLATILE_KEYS = frozenset({"timestamp", "run_id", "conversation_id", "metadata"})


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def cache_key(
    model: str, messages: Any, settings: dict[str, Any] | None, output: Any = None
) -> str:
    """Return the cache key (64 hex characters) of one model call.

    Args:
        model: the model string, plus anything that changes which server answers.
        messages: the messages as JSON-compatible data (pydantic-ai's serialised form).
        settings: the model settings, including ``seed``.
        output: the output mode and tool schemas as JSON-compatible data.
    """
    document = {
        "v": KEY_VERSION,
        "model": model,
        "messages": _strip(messages),
        "settings": settings or {},
        "output": _strip(output),
    }
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ReplayCache:
    """Entries on disk, one JSON file per key.

    Args:
        folder: where entries live; ``$UNDERSTUDY_HOME/cache/llm`` by default.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder if folder is not None else home() / "cache" / "llm"
        self.hits = 0
        self.misses = 0

    def path_for(self, key: str) -> Path:
        """Return the file that holds (or would hold) the entry of ``key``."""
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> bytes | None:
        """Return the stored answer for ``key``, or None (counted as a hit or a miss)."""
        try:
            data = self.path_for(key).read_bytes()
        except OSError:
            self.misses += 1
            return None
        self.hits += 1
        return data

    def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key`` atomically (write a temporary file, then rename)."""
        target = self.path_for(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
