"""One content hash for personas, scenarios and other models, so stored hashes compare.

The hash is the SHA-256 (hex) of the models dumped as canonical JSON: ``mode="json"``, sorted
keys, no spaces, UTF-8 kept as is, unset optional fields (``None``) left out, so adding a new
optional field to a model does not change the hash of content that does not use it. A single
model hashes as itself (not as a one-item list), so the same persona gets the same hash from a
stress-test run and from a practice attempt.
"""

from __future__ import annotations

import hashlib
import json

from pydantic import BaseModel


def model_hash(*models: BaseModel) -> str:
    """Return the SHA-256 hex digest of ``models`` as canonical JSON.

    Args:
        *models: one model (hashed as its JSON object) or several (hashed as a JSON list).
    """
    dumped = [m.model_dump(mode="json", exclude_none=True) for m in models]
    data = dumped[0] if len(dumped) == 1 else dumped
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
