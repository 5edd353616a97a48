"""Ids made from free text: lower-case ASCII letters and digits joined by hyphens."""

from __future__ import annotations

import re

_NOT_ID = re.compile(r"[^a-z0-9]+")


def slugify(text: str, fallback: str = "") -> str:
    """Return ``text`` as an id: lower case, runs of other characters as one ``-``.

    Args:
        text: any text, e.g. ``"Maya O'Brien"`` -> ``"maya-o-brien"``.
        fallback: returned when nothing usable remains (e.g. ``"persona"``).
    """
    return _NOT_ID.sub("-", text.lower()).strip("-") or fallback
