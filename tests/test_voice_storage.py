"""What a voice attempt stores beside the chat record, and how retention purges its audio."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from typer.testing import CliRunner

import understudy.cli.retention  # noqa: F401  (registers the commands)
from test_retention import START, stored_attempt
from understudy.cli.apps import app
from understudy.storage.attempt_store import AttemptStore
from understudy.storage.recordings import RecordingStore, TurnTiming
from understudy.storage.retention import RetentionSettings, apply_retention

pytestmark = pytest.mark.usefixtures("database")

TURNS = [
    TurnTiming(index=1, role="customer", start_s=1.0, end_s=2.5, cut_off=True, heard="Hi"),
    TurnTiming(index=2, role="agent", start_s=2.4, end_s=4.0),
]


def recorded_attempt(at: datetime) -> int:
    """A stored attempt with a recording made at ``at``."""
    attempt = stored_attempt(at)
    RecordingStore(now=lambda: at).save_audio(
        attempt,
        b"OggS fake audio",
        audio_format="ogg/opus",
        sample_rate=16_000,
        channels=2,
        seconds=4.0,
        turns=TURNS,
    )
    return attempt


def test_recording_keeps_mode_audio_and_turn_times() -> None:
    attempt = recorded_attempt(START)
    recording = RecordingStore().get(attempt)
    assert recording is not None and recording.mode == "voice"
    assert recording.audio == b"OggS fake audio" and recording.audio_seconds == 4.0
    assert recording.turns == TURNS


def test_a_hybrid_attempt_records_the_channel_picked() -> None:
    attempt = stored_attempt(START)
    assert RecordingStore().get(attempt) is None, "a plain chat attempt has no recording row"
    RecordingStore().set_mode(attempt, "chat")
    recording = RecordingStore().get(attempt)
    assert recording is not None and recording.mode == "chat" and recording.audio is None


def test_cut_off_turn_is_marked_with_what_was_heard() -> None:
    attempt = stored_attempt(START)
    RecordingStore().mark_cut_off(attempt, 1, "Hi")
    first = AttemptStore().get(attempt).messages[0]
    assert first.meta == {"cut_off": True, "heard": "Hi"} and first.text == "Hi"


def test_retention_purges_audio_past_its_days_and_nothing_else() -> None:
    old = recorded_attempt(START)
    recent = recorded_attempt(START + timedelta(days=80))
    settings = RetentionSettings(event_log_days=None)
    report = apply_retention(settings, now=START + timedelta(days=100))
    assert report.removed == {"event_log": 0, "transcripts": 0, "grades": 0, "audio": 1}
    purged, kept = RecordingStore().get(old), RecordingStore().get(recent)
    assert purged is not None and purged.audio is None, "audio older than 90 days is removed"
    assert purged.audio_purged_at == START + timedelta(days=100)
    assert purged.turns == TURNS and purged.mode == "voice", "turn times and channel stay"
    assert kept is not None and kept.audio == b"OggS fake audio", "newer audio stays"
    record = AttemptStore().get(old)
    assert len(record.messages) == 2 and record.grade is not None and len(record.events) == 2
    again = apply_retention(settings, now=START + timedelta(days=100))
    assert again.removed["audio"] == 0, "purged audio is not counted twice"


def test_retention_apply_reports_audio_recordings_removed() -> None:
    recorded_attempt(START)
    out = CliRunner().invoke(
        app, ["retention", "apply", "--now", "2026-06-01"], env={"COLUMNS": "200"}
    )
    assert out.exit_code == 0, out.output
    row = next(line for line in out.output.splitlines() if "audio recordings" in line)
    assert " 1 " in row, f"one recording's audio should be reported removed: {row}"


def test_deleting_an_attempt_deletes_its_recording() -> None:
    attempt = recorded_attempt(START)
    removed = AttemptStore().delete_attempt(attempt)
    assert removed["recordings"] == 1 and RecordingStore().get(attempt) is None
