"""Every documented example in docs/*.md that starts with ``# kind: KIND`` loads and validates.

A fenced ```yaml block whose first line is ``# kind: persona`` (or scenario, flow, rubric,
agent) is written to a temporary file and loaded by that kind's loader from
``understudy.content.kinds``, so the docs cannot drift from the code.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from understudy.content.kinds import KINDS

DOCS = Path(__file__).resolve().parents[1] / "docs"
_BLOCK = re.compile(r"^```ya?ml[ \t]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
_MARKER = re.compile(r"^#\s*kind:\s*([A-Za-z0-9_-]+)\s*$")


def documented_examples() -> list[tuple[str, int, str, str]]:
    """Return ``(doc file, line, kind, yaml text)`` for every marked block in docs/*.md."""
    found = []
    for doc in sorted(DOCS.glob("*.md")):
        text = doc.read_text(encoding="utf-8")
        for match in _BLOCK.finditer(text):
            body = match.group(1)
            first = body.splitlines()[0] if body.strip() else ""
            marker = _MARKER.match(first.strip())
            if marker:
                line = text.count("\n", 0, match.start()) + 1
                found.append((doc.name, line, marker.group(1).lower(), body))
    return found


EXAMPLES = documented_examples()


def test_docs_have_persona_and_scenario_examples() -> None:
    kinds = {kind for _doc, _line, kind, _body in EXAMPLES}
    assert {"persona", "scenario"} <= kinds, (
        f"docs should show a persona and a scenario, got {kinds}"
    )


@pytest.mark.parametrize(
    ("doc", "line", "kind", "body"), EXAMPLES, ids=[f"{d}:{n}" for d, n, _k, _b in EXAMPLES]
)
def test_documented_example_validates(
    doc: str, line: int, kind: str, body: str, tmp_path: Path
) -> None:
    assert kind in KINDS, f"{doc}:{line} declares kind {kind!r}, not one of {sorted(KINDS)}"
    path = tmp_path / f"example-{line}.yaml"
    path.write_text(body, encoding="utf-8")
    model = KINDS[kind].load(path)
    assert isinstance(model, KINDS[kind].model), f"{doc}:{line} should load as a {kind}"
