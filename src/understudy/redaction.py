"""Keep secrets written into URLs out of everything understudy prints or stores.

A webhook URL may carry credentials: ``https://user:password@bot.example/hook`` (HTTP basic
authentication) or a token in the query string (``?token=...``). Only the HTTP request uses the
real URL; run records, agent snapshots, error texts and terminal output use ``redact_url``'s form,
``https://***@bot.example/hook?token=***``.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"

SECRET_QUERY_KEYS = re.compile(
    r"(^|[_-])(key|apikey|token|secret|password|passwd|pwd|auth|signature|sig|code)$",
    re.IGNORECASE,
)
"""Query-string keys whose values are masked (``api_key``, ``access_token``, ``sig``...)."""


def redact_url(url: str) -> str:
    """Return ``url`` with its user-info and secret-looking query values replaced by ``***``.

    Args:
        url: any URL; text that is not a URL comes back unchanged.

    Returns:
        The URL as safe to print and store, e.g. ``https://***@host/path?token=***&lang=en``.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return re.sub(r"//[^/@\s]*@", f"//{MASK}@", url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{netloc.rpartition('@')[2]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        masked = [(k, MASK if SECRET_QUERY_KEYS.search(k) else v) for k, v in pairs]
        if masked != pairs:
            query = urlencode(masked, safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_text(text: str, *urls: str) -> str:
    """Replace every occurrence of each of ``urls`` (and any user-info in URLs) in ``text``.

    Args:
        text: an error message or other text that may quote a URL.
        urls: the real URLs that may appear in it.
    """
    for url in urls:
        if url:
            text = text.replace(url, redact_url(url))
    return re.sub(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@", rf"\1{MASK}@", text)
