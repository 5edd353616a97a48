"""Start-up: ``understudy --help`` and ``understudy personas list`` load no database, HTTP or ML
library (each command imports what it needs when it runs), so the CLI answers at once; an offline
run does not even read the LLM settings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from understudy.cli.app import app

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


def test_an_offline_run_ignores_the_llm_section_of_the_config(understudy_home: Path) -> None:
    understudy_home.mkdir(parents=True, exist_ok=True)
    (understudy_home / "config.yaml").write_text("llm:\n  no_such_setting: 1\n")
    flow = str(Path(__file__).resolve().parents[1] / "examples" / "flows" / "refund.yaml")
    offline = CliRunner().invoke(app, ["stress-test", flow, "-n", "2", "--json"])
    assert offline.exit_code == 0, f"an offline run should not read llm: {offline.output}"
    llm = CliRunner().invoke(app, ["stress-test", flow, "-n", "2", "--simulator", "llm"])
    assert llm.exit_code == 2, "a run that needs a model still reports a bad llm: section"
    assert "no_such_setting" in llm.output
