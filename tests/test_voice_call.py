"""Voice practice calls end to end: recorded trainee audio through VAD, STT, the simulator and
TTS over the web app's audio socket, then what the attempt stored.

These run the real engines (Silero VAD, Whisper tiny.en, eSpeak NG) in real time, so they are
slow; a missing engine fails them.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from understudy.storage.attempt_store import AttemptStore
from understudy.storage.recordings import RecordingStore
from understudy.voice.call import decode_audio
from understudy.voice.spool import spool_dir
from understudy.voice.testing import FakePhone as Phone
from understudy.web import create_app
from voice_helpers import REPO, fixture_pcm, install_voice_scenario, script_lines, words
from voice_helpers import word_error_rate as wer
from web_helpers import signed_in

pytestmark = pytest.mark.slow

TRAINEE_WER_MAX = 0.25
"""The word error rate docs/voice.md states for the trainee's recorded lines (measured: 0.10)."""

BARGE_IN_STOP_S = 2.0
"""Customer audio stops within this many seconds of the trainee starting to speak over it: the
bound docs/voice.md states. Usually well under 0.8 s; a CI run has shown 1.55 s while a
speculative transcription held both cores."""


@pytest.fixture(autouse=True)
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def start_voice_call(client: TestClient, scenario_id: str) -> str:
    response = client.post(
        f"/scenarios/{scenario_id}/call", data={"trainee": "alice"}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"]).rsplit("/", 1)[1]


def until(ws: WebSocketTestSession, kind: str, timeout_s: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        message: dict[str, Any] = ws.receive_json()
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind} message within {timeout_s} s")


def test_recorded_trainee_audio_makes_a_graded_attempt_with_audio_and_timings(
    understudy_home: Path,
) -> None:
    scenario_id = install_voice_scenario(understudy_home)
    lines = script_lines()[:3]
    with signed_in(create_app()) as client:
        token = start_voice_call(client, scenario_id)
        with (
            client.websocket_connect(f"/calls/{token}/ws") as ws,
            client.websocket_connect(f"/calls/{token}/audio") as audio,
        ):
            phone = Phone(audio)
            try:
                phone.wait_for_customer(after=0.0)
                for n in range(1, len(lines) + 1):
                    phone.say_and_wait(fixture_pcm(n))
                    phone.wait_for_customer(after=time.monotonic())
                ws.send_json({"type": "end"})
                graded = until(ws, "graded")
            finally:
                phone.close()
        attempt_id = graded["attempt_id"]
        # The audio is stored when the audio socket closes, after the grade.
        deadline = time.monotonic() + 20
        recording = RecordingStore().get(attempt_id)
        while (recording is None or recording.audio is None) and time.monotonic() < deadline:
            time.sleep(0.2)
            recording = RecordingStore().get(attempt_id)
    record = AttemptStore().get(attempt_id)
    trainee = [m.text for m in record.messages if m.role.value == "agent" and m.text]
    assert len(trainee) == len(lines), f"one trainee turn per recorded line, got {trainee}"
    assert wer(lines, trainee) <= TRAINEE_WER_MAX, f"transcribed {trainee}"
    assert record.grade is not None, "the attempt is graded"
    assert recording is not None and recording.mode == "voice"
    assert recording.audio is not None, "the call's audio is stored"
    samples, rate = decode_audio(recording.audio)
    assert rate == 16_000 and samples.shape[1] == 2, "stereo: trainee left, customer right"
    assert samples.shape[0] / rate >= 15, "the recording covers the call"
    assert abs(samples[:, 0]).max() > 0.05 and abs(samples[:, 1]).max() > 0.05, "both sides"
    timed = {(t.role, t.index) for t in recording.turns}
    for message in record.messages[:-1]:
        assert (message.role.value, message.index) in timed, f"turn {message.index} has times"
    assert "voice" in record.messages[1].meta, "turn times reach the transcript (rubric checks)"
    for turn in recording.turns:
        assert 0 <= turn.start_s < turn.end_s <= recording.audio_seconds + 0.5
    latencies = [e["seconds"] for e in record.events if e["kind"] == "latency"]
    assert len(latencies) >= len(lines) - 1, "the response time of each reply is logged"
    transcribed = [e for e in record.events if e["kind"] == "transcribed"]
    assert len(transcribed) == len(lines), transcribed
    # The turns are transcribed during the pause before the VAD's stop (the pauses inside a
    # line start a transcription too, and it is dropped when the trainee speaks again).
    assert any(e["speculative"] for e in transcribed), transcribed
    assert not list(spool_dir().glob(f"attempt-{attempt_id}.*")), "the ended call's spool is gone"
    # Logged as a positive time; how fast it is belongs to benchmarks/bench_voice.py (a loaded
    # machine has shown 13 s for the first reply while Whisper warms up).
    assert all(0 < s < 120 for s in latencies), latencies


def test_trainee_speaking_over_the_customer_stops_it_and_the_transcript_marks_the_cut(
    understudy_home: Path,
) -> None:
    scenario_id = install_voice_scenario(understudy_home)
    with signed_in(create_app()) as client:
        token = start_voice_call(client, scenario_id)
        with (
            client.websocket_connect(f"/calls/{token}/ws") as ws,
            client.websocket_connect(f"/calls/{token}/audio") as audio,
        ):
            phone = Phone(audio)
            try:
                # Wait for the opening line to be under way, then talk over it.
                deadline = time.monotonic() + 20
                while phone.customer_audio_after(0.0) < 1.5 and time.monotonic() < deadline:
                    time.sleep(0.02)
                assert phone.customer_audio_after(0.0) >= 1.5, "the customer started speaking"
                phone.speak(fixture_pcm(4))
                started = phone.speech_started_at
                time.sleep(3.0)
                last_before_reply = max(
                    (t for t, _ in phone.received if t < started + 2.5), default=0.0
                )
                assert last_before_reply - started <= BARGE_IN_STOP_S, (
                    f"customer audio went on {last_before_reply - started:.2f} s after the "
                    f"trainee started (at most {BARGE_IN_STOP_S})"
                )
                assert phone.clears, "the browser was told to drop queued customer audio"
                phone.speech_done.wait(10)
                ws.send_json({"type": "end"})
                graded = until(ws, "graded")
            finally:
                phone.close()
    record = AttemptStore().get(graded["attempt_id"])
    opening = record.messages[0]
    assert opening.role.value == "customer"
    assert opening.meta.get("cut_off") is True, "the cut-off turn is marked"
    heard = words(str(opening.meta.get("heard", "")))
    assert heard and len(heard) < len(words(opening.text)), "part of the line was heard"
    assert heard == words(opening.text)[: len(heard)], "what was heard is the line's start"
    cuts = [e for e in record.events if e["kind"] == "interruption"]
    assert cuts and cuts[0]["by"] == "trainee"


def test_a_dropped_audio_socket_reconnects_and_the_call_and_recording_go_on(
    understudy_home: Path,
) -> None:
    scenario_id = install_voice_scenario(understudy_home)
    with signed_in(create_app()) as client:
        token = start_voice_call(client, scenario_id)
        with client.websocket_connect(f"/calls/{token}/ws") as ws:
            with client.websocket_connect(f"/calls/{token}/audio") as audio:
                phone = Phone(audio)
                try:
                    phone.wait_for_customer(after=0.0)
                    phone.say_and_wait(fixture_pcm(1))
                    phone.wait_for_customer(after=time.monotonic())
                finally:
                    phone.close()
            # The browser lost the audio socket: it connects again, the call goes on.
            with client.websocket_connect(f"/calls/{token}/audio") as audio:
                phone = Phone(audio)
                try:
                    phone.say_and_wait(fixture_pcm(2))
                    phone.wait_for_customer(after=time.monotonic())
                    ws.send_json({"type": "end"})
                    graded = until(ws, "graded")
                finally:
                    phone.close()
        # The first connection's audio was stored when it dropped; wait for the second's.
        deadline = time.monotonic() + 20
        recording = RecordingStore().get(graded["attempt_id"])
        while time.monotonic() < deadline and (
            recording is None or all(t.index != 4 for t in recording.turns)
        ):
            time.sleep(0.2)
            recording = RecordingStore().get(graded["attempt_id"])
    record = AttemptStore().get(graded["attempt_id"])
    trainee = [m.text for m in record.messages if m.role.value == "agent" and m.text]
    assert len(trainee) == 2 and "return now" in trainee[1].lower(), trainee
    assert recording is not None and recording.audio is not None
    samples, rate = decode_audio(recording.audio)
    assert samples.shape[0] / rate >= 15, "both connections' audio is in the one recording"
    agent_turns = sorted(t.index for t in recording.turns if t.role == "agent")
    assert agent_turns[:2] == [2, 4], "turn times from both connections"
