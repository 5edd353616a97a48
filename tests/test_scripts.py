"""Script files played by `practice --script` and `chat --script`."""

from __future__ import annotations

from pathlib import Path

import pytest

from understudy.agents.trainee import read_script
from understudy.errors import ContentError
from understudy.simulators.human import read_customer_script


def test_blank_lines_and_comments_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "lines.txt"
    path.write_text("# the good trainee\nHello, how can I help?\n\n  Sure, one moment.  \n")
    assert read_script(path) == ["Hello, how can I help?", "Sure, one moment."]
    assert read_customer_script(path) == ["Hello, how can I help?", "Sure, one moment."]


def test_an_empty_or_missing_script_names_the_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing but a comment\n")
    with pytest.raises(ContentError, match="expected reply lines, got none") as caught:
        read_script(empty)
    assert caught.value.problems[0].path == empty
    with pytest.raises(ContentError, match="expected customer lines"):
        read_customer_script(empty)
    with pytest.raises(ContentError, match="cannot read script"):
        read_script(tmp_path / "missing.txt")
