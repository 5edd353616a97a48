"""Rewrite the golden files from the current code: ``python tests/golden/regen.py``.

Run it only when behaviour changes on purpose (a better simulator, a new grading check), look at
the diff of ``tests/golden/*.json`` and commit it with the change that caused it, saying why.
Each file is written in a fresh temporary ``UNDERSTUDY_HOME`` so no user state leaks in.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from golden_workloads import WORKLOADS  # noqa: E402


def render(data: object) -> str:
    """The golden file text of ``data``: indented, sorted keys, trailing newline."""
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    """Play every workload in a temporary home and write its golden file."""
    for name, play in WORKLOADS.items():
        with tempfile.TemporaryDirectory() as home:
            os.environ["UNDERSTUDY_HOME"] = home
            os.environ.pop("UNDERSTUDY_DATABASE_URL", None)
            text = render(play())
            from understudy.storage.db import dispose_all

            dispose_all()
        (HERE / f"{name}.json").write_text(text, encoding="utf-8")
        print(f"wrote {HERE / f'{name}.json'}")


if __name__ == "__main__":
    main()
