"""One loader for config.yaml: parsed once, re-read when it changes, errors with file and line."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import understudy.cli.practice  # noqa: F401  (registers the commands)
from understudy.errors import ContentError
from understudy.llm.settings import load_llm_settings
from understudy.metrics.bands import load_bands
from understudy.settings import load_config, load_config_with_lines
from understudy.storage.retention import load_retention


def write_config(understudy_home: Path, body: str) -> Path:
    understudy_home.mkdir(parents=True, exist_ok=True)
    path = understudy_home / "config.yaml"
    path.write_text(body)
    return path


def test_config_is_parsed_once_and_reread_when_it_changes(understudy_home: Path) -> None:
    path = write_config(understudy_home, "llm:\n  model: test\n")
    assert load_config() == {"llm": {"model": "test"}}
    load_config()["llm"]["model"] = "mutated"
    assert load_llm_settings().model == "test", "callers cannot change the cached copy"
    time.sleep(0.01)
    path.write_text("llm:\n  model: openai:gpt-4o\nretention:\n  event_log_days: 5\n")
    assert load_llm_settings().model == "openai:gpt-4o", "an edited file is read again"
    assert load_retention().event_log_days == 5
    _, lines = load_config_with_lines()
    assert lines[("retention", "event_log_days")] == 4


def test_a_broken_config_file_names_file_and_line_for_every_reader(understudy_home: Path) -> None:
    write_config(understudy_home, "bands:\n  completion_rate: {green: 0.9\n")
    for reader in (load_bands, load_llm_settings, load_retention):
        with pytest.raises(ContentError) as caught:
            reader()
        assert "config.yaml:" in str(caught.value), f"{reader.__name__} should name the file"


def test_the_agent_sections_come_from_the_shared_loader(understudy_home: Path) -> None:
    from understudy.agents.targets import _config_section

    write_config(understudy_home, "webhook:\n  timeout_s: 3\ncallable:\n  memory_mb: 512\n")
    assert _config_section("webhook") == {"timeout_s": 3}
    assert _config_section("callable") == {"memory_mb": 512}
