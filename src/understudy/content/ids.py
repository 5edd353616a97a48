"""Ids made from free text: lower-case ASCII letters and digits joined by hyphens."""

from __future__ import annotations

import re
from functools import cache


@cache
def _not_id(keep: str) -> re.Pattern[str]:
    return re.compile(f"[^a-z0-9{re.escape(keep)}]+")


def slugify(text: str, fallback: str = "", *, keep: str = "") -> str:
    """Return ``text`` as an id: lower case, runs of other characters as one ``-``.

    Args:
        text: any text, e.g. ``"Maya O'Brien"`` -> ``"maya-o-brien"``.
        fallback: returned when nothing usable remains (e.g. ``"persona"``).
        keep: other characters kept as they are (the importers keep ``_``:
            ``"Order_ID 7"`` -> ``"order_id-7"``); they are stripped from the ends like ``-``.
    """
    return _not_id(keep).sub("-", text.lower()).strip("-" + keep) or fallback
