"""Start-up: ``understudy --help`` and ``understudy personas list`` load no database, HTTP or ML
library (each command imports what it needs when it runs), so the CLI answers at once; help does
not even load pydantic, YAML, asyncio, the persona library, the models or the engine; an offline
run does not read the LLM settings."""

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
print(" ".join(sorted(m for m in sys.modules if m.startswith("understudy."))))
"""

DEFERRED = ("yaml", "asyncio", "rapidfuzz", "numpy")
"""Loaded by the commands that parse content or run conversations, not to show help."""

DEFERRED_OWN = (
    "understudy.content.loader",
    "understudy.content.personas",
    "understudy.domain.persona",
    "understudy.domain.scenario",
    "understudy.engine",
    "understudy.metrics",
    "understudy.simulators",
    "understudy.graders",
    "understudy.runs",
    "understudy.storage.db",
)
"""The persona library, the models and the engine: loaded by the commands that use them."""


def _loaded(args: list[str]) -> tuple[set[str], set[str]]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True
    )
    top, own = [*out.stdout.splitlines(), "", ""][:2]
    return set(top.split()), set(own.split())


@pytest.mark.parametrize("args", [["--help"], ["personas", "list"]], ids=" ".join)
def test_command_loads_no_database_http_or_ml_library(args: list[str]) -> None:
    loaded, _ = _loaded(args)
    assert "understudy" in loaded, "the probe should report the modules it loaded"
    heavy = sorted(loaded & set(HEAVY))
    assert not heavy, f"`understudy {' '.join(args)}` should not import {heavy}"


@pytest.mark.parametrize(
    "args", [["--help"], ["personas", "--help"], ["stress-test", "--help"]], ids=" ".join
)
def test_help_loads_no_model_persona_library_or_engine(args: list[str]) -> None:
    loaded, own = _loaded(args)
    assert "typer" in loaded and "understudy.cli.stress" in own, "the probe saw the commands"
    # Typer itself validates option values with pydantic once a command's options are parsed,
    # so only the top-level help (answered before any option is parsed) goes without it.
    deferred = {*DEFERRED, "pydantic"} if args == ["--help"] else set(DEFERRED)
    early = sorted(loaded & deferred)
    assert not early, f"`understudy {' '.join(args)}` should not import {early}"
    early_own = sorted(m for m in own if m.startswith(DEFERRED_OWN))
    assert not early_own, f"`understudy {' '.join(args)}` should not import {early_own}"


def test_personas_list_loads_the_built_in_personas() -> None:
    _, own = _loaded(["personas", "list"])
    assert {"understudy.content.personas", "understudy.domain.persona"} <= own


def test_an_offline_run_ignores_the_llm_section_of_the_config(understudy_home: Path) -> None:
    understudy_home.mkdir(parents=True, exist_ok=True)
    (understudy_home / "config.yaml").write_text("llm:\n  no_such_setting: 1\n")
    flow = str(Path(__file__).resolve().parents[1] / "examples" / "flows" / "refund.yaml")
    offline = CliRunner().invoke(app, ["stress-test", flow, "-n", "2", "--json"])
    assert offline.exit_code == 0, f"an offline run should not read llm: {offline.output}"
    llm = CliRunner().invoke(app, ["stress-test", flow, "-n", "2", "--simulator", "llm"])
    assert llm.exit_code == 2, "a run that needs a model still reports a bad llm: section"
    assert "no_such_setting" in llm.output
