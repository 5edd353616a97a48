"""Reading the Harper Valley calls: merged turns, the caller's scenario, clear errors."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from understudy.content.importers.harper_valley import clean_transcript, load_calls, scenario_for
from understudy.domain.scenario import ScenarioMode
from understudy.domain.transcript import Role
from understudy.errors import ContentError


def test_turns_merge_segments_of_one_speaker_and_drop_tags(shared_data: Path) -> None:
    calls = load_calls(shared_data / "harper_valley" / "calls.jsonl")
    assert len(calls) == 60
    for call in calls:
        turns = call.turns()
        speakers = [t.speaker for t in turns]
        assert all(a != b for a, b in itertools.pairwise(speakers)), call.id
        assert all(t.text and "[" not in t.text for t in turns), call.id


def test_scenario_holds_the_card_values_but_the_reason_does_not(shared_data: Path) -> None:
    calls = load_calls(shared_data / "harper_valley" / "calls.jsonl")
    transfer = next(c for c in calls if c.task_type == "transfer money")
    scenario = scenario_for(transfer)
    known = scenario.goal.known_info
    assert known["name"] == transfer.caller_name
    assert known["amount"] == str(transfer.task["transfer amount"])
    assert known["amount"] not in scenario.goal.reason_for_call, "the amount is told when asked"
    assert scenario.mode is ScenarioMode.voice and scenario.first_speaker is Role.agent
    balance = next(c for c in calls if c.task_type == "check balance")
    assert scenario_for(balance).goal.unknown_info == ["account balance"]


def test_a_broken_line_names_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "calls.jsonl"
    path.write_text('{"id": "a", "task_type": "pay bill", "turns": []}\n{"id": "b"}\n')
    with pytest.raises(ContentError) as error:
        load_calls(path)
    assert f"{path}:2: task_type: field is missing" in str(error.value)


def test_clean_transcript_drops_noise_tags() -> None:
    assert clean_transcript("[noise] Hi my name is [laughter] Linda") == "hi my name is linda"
