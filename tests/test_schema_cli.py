"""``understudy schema KIND`` prints the JSON Schema of the kind's pydantic model."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from understudy.cli.app import app
from understudy.content.kinds import KINDS


def test_persona_schema_lists_fields_and_forbids_unknown_keys() -> None:
    result = CliRunner().invoke(app, ["schema", "persona"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert schema["title"] == "Persona"
    assert {"id", "name", "mood", "mood_drift", "knowledge"} <= schema["properties"].keys()
    assert schema["required"] == ["id", "name"]
    assert schema["additionalProperties"] is False, "unknown keys should be errors in editors"
    assert schema["$schema"].startswith("https://json-schema.org/")


def test_every_registered_kind_has_a_schema() -> None:
    runner = CliRunner()
    for kind in KINDS:
        result = runner.invoke(app, ["schema", kind, "--indent", "0"])
        assert result.exit_code == 0, f"{kind}: {result.output}"
        assert "properties" in json.loads(result.stdout), f"{kind} schema should list fields"


def test_scenario_schema_documents_the_time_limit_default() -> None:
    schema = json.loads(CliRunner().invoke(app, ["schema", "scenario"]).stdout)
    assert schema["properties"]["time_limit_s"]["default"] == 600.0


def test_unknown_kind_lists_the_known_kinds() -> None:
    result = CliRunner().invoke(app, ["schema", "spaceship"])
    assert result.exit_code == 2
    assert "unknown kind 'spaceship'" in result.output
    assert "persona" in result.output and "scenario" in result.output
