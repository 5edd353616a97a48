"""Start-up: ``understudy --help`` and ``understudy personas list`` load no database, HTTP or ML
library (each command imports what it needs when it runs), so the CLI answers at once."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = (
    "sqlalchemy",
    "alembic",
    "httpx",
    "httpcore",
    "pydantic_ai",
    "openai",
    "anthropic",
    "sklearn",
    "numpy",
    "scipy",
    "pandas",
    "altair",
    "fastapi",
    "starlette",
    "uvicorn",
)

PROBE = """
import sys
from typer.testing import CliRunner
from understudy.cli.app import app
result = CliRunner().invoke(app, sys.argv[1:])
assert result.exit_code == 0, result.output
print(" ".join(sorted({m.split(".")[0] for m in sys.modules})))
"""


@pytest.mark.parametrize("args", [["--help"], ["personas", "list"]], ids=" ".join)
def test_command_loads_no_database_http_or_ml_library(args: list[str]) -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True
    )
    loaded = set(out.stdout.split())
    assert "understudy" in loaded, "the probe should report the modules it loaded"
    heavy = sorted(loaded & set(HEAVY))
    assert not heavy, f"`understudy {' '.join(args)}` should not import {heavy}"
