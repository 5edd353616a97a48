"""Script files: the lines one side of a conversation plays, for demos, tests and reproductions.

One line per turn; blank lines and lines starting with ``#`` are skipped. Used by
``understudy practice --script`` (the trainee's replies) and ``understudy chat --script`` (the
customer's lines).
"""

from __future__ import annotations

from pathlib import Path

from understudy.errors import ContentError, ContentProblem


def read_script(path: Path | str, what: str = "lines") -> list[str]:
    """Return the lines of a script file, stripped, without blanks and ``#`` comments.

    Args:
        path: the file (UTF-8 text).
        what: what the lines are, for the error message (e.g. ``reply lines``).

    Raises:
        ContentError: the file cannot be read or holds no line (names the file).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError([ContentProblem(path, None, "", f"cannot read script: {exc}")]) from exc
    lines = [line.strip() for line in text.splitlines()]
    kept = [line for line in lines if line and not line.startswith("#")]
    if not kept:
        raise ContentError([ContentProblem(path, None, "", f"expected {what}, got none")])
    return kept
