"""Helpers of the web app tests: a test client and reading what a page shows."""

from __future__ import annotations

import re
from html import unescape

from fastapi.testclient import TestClient

from understudy.web import create_app


def client() -> TestClient:
    """A test client of a fresh app (state comes from the test's UNDERSTUDY_HOME)."""
    return TestClient(create_app())


def field_errors(html: str) -> list[str]:
    """The error texts shown beside form controls, unescaped."""
    return [unescape(m) for m in re.findall(r'class="field-error"[^>]*>(.*?)</p>', html, re.S)]


def table_rows(html: str) -> list[list[str]]:
    """The body rows of the page's tables, as the text of each cell."""
    rows = []
    for body in re.findall(r"<tbody>(.*?)</tbody>", html, re.S):
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            rows.append([" ".join(unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in cells])
    return rows
