"""Golden output: a fixed stress-test and a fixed practice call give the stored output exactly.

Taken before the workflow code was restructured into ``understudy.runs`` and
``understudy.practice``, so a move that changes what a user sees (a transcript character, a
metric, a grade rationale) fails here. The workloads are described in
``tests/golden/golden_workloads.py``; the expected output is ``tests/golden/stress.json`` and
``tests/golden/practice.json``.

When behaviour changes ON PURPOSE (a better simulator, wording, grading check...), regenerate
the files with ``python tests/golden/regen.py``, read the diff, and commit it together with the
change that caused it, saying why in the commit message. Never regenerate to make a refactor pass.
"""

from __future__ import annotations

import difflib
import json
import sys
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent / "golden"
sys.path.insert(0, str(GOLDEN))

from golden_workloads import WORKLOADS  # noqa: E402
from regen import render  # noqa: E402


@pytest.mark.parametrize("name", sorted(WORKLOADS))
def test_workload_output_matches_its_golden_file(name: str) -> None:
    expected = (GOLDEN / f"{name}.json").read_text(encoding="utf-8")
    actual = render(WORKLOADS[name]())
    if actual != expected:
        diff = difflib.unified_diff(
            expected.splitlines(), actual.splitlines(), "golden", "now", lineterm="", n=2
        )
        shown = "\n".join(list(diff)[:80])
        pytest.fail(
            f"{name}: output differs from tests/golden/{name}.json (if the change is intended, "
            f"run `python tests/golden/regen.py` and commit the diff):\n{shown}"
        )
    assert json.loads(actual), "the golden output should not be empty"
