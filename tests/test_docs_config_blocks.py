"""The docs cannot drift from the code: config blocks load, and every schema field is documented.

``test_docs_examples.py`` covers the content files (blocks starting with ``# kind:``); this file
covers the ``config.yaml`` sections shown in the docs and the field tables of each kind's page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from understudy.cli.app import app
from understudy.llm.settings import load_llm_settings
from understudy.metrics.bands import load_bands
from understudy.storage.retention import load_retention

DOCS = Path(__file__).resolve().parents[1] / "docs"
FENCE = re.compile(r"^```[a-z]*\n(.*?)^```", re.M | re.S)

KIND_PAGES = {
    "persona": "personas.md",
    "scenario": "scenarios.md",
    "flow": "flows.md",
    "rubric": "rubrics.md",
    "agent": "agents.md",
}


def config_block(page: str, section: str) -> tuple[str, dict[str, Any]]:
    """Return the fenced block of ``page`` whose top-level key is ``section``, and its values."""
    blocks = [
        text
        for text in FENCE.findall((DOCS / page).read_text(encoding="utf-8"))
        if text.startswith(f"{section}:")
    ]
    assert len(blocks) == 1, f"{page} should show one `{section}:` block, found {len(blocks)}"
    data = yaml.safe_load(blocks[0])
    assert isinstance(data, dict) and set(data) == {section}, f"{page}: only `{section}:` expected"
    values = data[section]
    assert isinstance(values, dict) and values, f"{page}: the `{section}:` block sets nothing"
    return blocks[0], values


def write_config(home: Path, text: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.yaml").write_text(text, encoding="utf-8")


def test_the_retention_block_of_practice_md_loads_as_written(understudy_home: Path) -> None:
    text, values = config_block("practice.md", "retention")
    write_config(understudy_home, text)
    settings = load_retention()
    for key, value in values.items():
        expected = None if value in ("keep", None) else value
        assert getattr(settings, key) == expected, f"retention.{key} should load as {expected!r}"


def test_the_bands_block_of_stress_testing_md_loads_as_written(understudy_home: Path) -> None:
    text, values = config_block("stress-testing.md", "bands")
    write_config(understudy_home, text)
    bands = load_bands()
    for metric, thresholds in values.items():
        loaded = bands.thresholds[metric]
        for edge, number in thresholds.items():
            assert getattr(loaded, edge) == number, f"bands.{metric}.{edge} should be {number}"


def test_the_llm_block_of_llm_md_loads_as_written(understudy_home: Path) -> None:
    text, values = config_block("llm.md", "llm")
    write_config(understudy_home, text)
    settings = load_llm_settings()
    for key, value in values.items():
        assert getattr(settings, key) == value, f"llm.{key} should load as {value!r}"


def test_the_callable_block_of_agents_md_loads_as_written(understudy_home: Path) -> None:
    from understudy.agents.targets import CallableSettings, _config_section

    text, values = config_block("agents.md", "callable")
    write_config(understudy_home, text)
    settings = CallableSettings.model_validate(_config_section("callable"))
    for key, value in values.items():
        assert getattr(settings, key) == value, f"callable.{key} should load as {value!r}"
    assert settings == CallableSettings(), "the page shows the defaults"


def schema_properties(kind: str) -> list[str]:
    result = CliRunner().invoke(app, ["schema", kind])
    assert result.exit_code == 0, result.output
    properties = json.loads(result.stdout)["properties"]
    assert properties, f"the {kind} schema should list its fields"
    return list(properties)


@pytest.mark.parametrize(("kind", "page"), sorted(KIND_PAGES.items()))
def test_every_top_level_field_of_the_schema_has_a_row_in_its_docs_page(
    kind: str, page: str
) -> None:
    text = (DOCS / page).read_text(encoding="utf-8")
    # A field is documented when a table row's first cell names it (`field`, `field.x`, `field[]`).
    missing = [
        name
        for name in schema_properties(kind)
        if not re.search(rf"^\|[^|\n]*`{re.escape(name)}[`.\[]", text, re.M)
    ]
    assert not missing, f"docs/{page} should document the {kind} fields {missing} in a table"
