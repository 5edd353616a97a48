"""Voice calls without the voice extra, voices by name, and hybrid scenarios' channel pick."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import pytest

from understudy.storage.recordings import RecordingStore
from understudy.voice import ESPEAK_COMMAND, INSTALL_COMMAND, VoiceUnavailable, require_voice
from understudy.voice.engines import VOICE_ALIASES, VoiceSetupError, check_voice, installed_voices
from understudy.web import create_app
from voice_helpers import REPO, install_voice_scenario
from web_helpers import signed_in


@pytest.fixture(autouse=True)
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def test_without_the_extra_voice_fails_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "pipecat", None)
    with pytest.raises(VoiceUnavailable, match=r"pip install 'understudy\[voice\]'"):
        require_voice()
    assert INSTALL_COMMAND == "pip install 'understudy[voice]'"


def test_without_espeak_voice_fails_with_the_apt_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(VoiceUnavailable, match=ESPEAK_COMMAND):
        require_voice()


def test_a_voice_scenario_without_the_extra_shows_the_install_command(
    understudy_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario_id = install_voice_scenario(understudy_home)
    monkeypatch.setitem(sys.modules, "faster_whisper", None)
    with signed_in(create_app()) as client:
        page = client.post(f"/scenarios/{scenario_id}/call", data={"trainee": "alice"})
    assert page.status_code == 503
    assert "pip install &#39;understudy[voice]&#39;" in page.text, page.text


def test_persona_voice_names_select_installed_voices_or_fail_listing_them() -> None:
    assert check_voice(None) == "en-us"
    assert check_voice("en-gb+f3") == "en-gb+f3"
    assert check_voice("Nova") == VOICE_ALIASES["nova"], "cloud voice names map to eSpeak voices"
    with pytest.raises(VoiceSetupError) as error:
        check_voice("klingon")
    message = str(error.value)
    assert "klingon" in message and "en-us" in message and "alloy" in message
    assert "en-us" in installed_voices() and "en-gb" in installed_voices()


def until(ws: Any, kind: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        message: dict[str, Any] = ws.receive_json()
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind} message")


def test_hybrid_scenario_lets_the_trainee_pick_chat_and_the_attempt_records_it(
    understudy_home: Path,
) -> None:
    scenario_id = install_voice_scenario(understudy_home, mode="hybrid")
    with signed_in(create_app()) as client:
        briefing = client.get(f"/scenarios/{scenario_id}/call")
        assert 'name="mode" value="voice"' in briefing.text
        assert 'name="mode" value="chat"' in briefing.text
        started = client.post(
            f"/scenarios/{scenario_id}/call",
            data={"trainee": "alice", "mode": "chat"},
            follow_redirects=False,
        )
        token = started.headers["location"].rsplit("/", 1)[1]
        page = client.get(f"/calls/{token}")
        assert 'data-mode="chat"' in page.text
        with client.websocket_connect(f"/calls/{token}/ws") as ws:
            first = until(ws, "message")
            ws.send_json({"type": "end"})
            until(ws, "graded")
    recording = RecordingStore().get(first["attempt_id"])
    assert recording is not None and recording.mode == "chat" and recording.audio is None
