"""A voice call in a real browser: Debian's Chromium with a fake microphone fed from a WAV file.

The WAV holds the recorded trainee lines with pauses between them; Chromium plays it into the
page's microphone (``--use-file-for-fake-audio-capture``) and grants the permission itself
(``--use-fake-ui-for-media-stream``). Fails when Chromium, the voice extra or eSpeak NG is
missing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from selenium import webdriver
from selenium.webdriver.common.by import By

from browser import (
    Server,
    chromium,
    js_errors,
    screenshot,
    sign_in,
    unlabelled_controls,
    wait_for,
    wait_text,
)
from understudy.storage.attempt_store import AttemptStore
from understudy.storage.recordings import RecordingStore
from voice_helpers import RATE, fixture_pcm, install_voice_scenario
from web_helpers import PASSWORD, ensure_user

pytestmark = pytest.mark.slow

PAUSES_S = (9.0, 7.0, 7.0, 7.0)
"""Silence before each recorded line in the fake microphone: the customer's opening line (after
its beat), then each reply, fit in it."""


def microphone_wav(path: Path) -> Path:
    """Write the fake microphone's WAV: silence, line 1, silence, line 2, silence, line 3..."""
    parts: list[np.ndarray] = []
    for n, pause in enumerate(PAUSES_S, 1):
        parts.append(np.zeros(int(pause * RATE), dtype=np.int16))
        if n <= 3:
            parts.append(np.frombuffer(fixture_pcm(n), dtype=np.int16))
    sf.write(path, np.concatenate(parts), RATE, subtype="PCM_16")
    return path


@pytest.fixture
def server(understudy_home: Path) -> Iterator[Server]:
    running = Server(understudy_home)
    running.start()
    yield running
    running.stop()


def click(driver: webdriver.Chrome, text: str) -> None:
    path = f"//button[normalize-space()='{text}'] | //a[normalize-space()='{text}']"
    driver.find_element(By.XPATH, path).click()


def test_a_voice_call_of_three_exchanges_is_stored_with_audio_and_transcript(
    server: Server, understudy_home: Path, tmp_path: Path
) -> None:
    scenario_id = install_voice_scenario(understudy_home)
    wav = microphone_wav(tmp_path / "microphone.wav")
    flags = (
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={wav}%noloop",
        "--autoplay-policy=no-user-gesture-required",
    )
    ensure_user("admin")
    with chromium(flags=flags) as browser:
        sign_in(browser, server, "admin", PASSWORD)
        browser.get(f"{server.url}/scenarios/{scenario_id}/call")
        assert "Start call asks for your microphone" in browser.page_source
        click(browser, "Start call")
        wait_text(browser, "#mic", "Microphone on", timeout=30)
        wait_text(browser, "#status", "In session", timeout=30)
        assert not browser.find_element(By.ID, "composer").is_displayed(), "no typing by voice"
        # Three trainee turns (even numbers: the customer speaks first), each answered.
        wait_for(browser, "#turn-7", timeout=90)
        captions = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".turn.agent")]
        assert len(captions) >= 3 and "return now" in captions[1].lower(), captions
        assert browser.find_element(By.ID, "elapsed").text != "0:00", "the timer runs"
        screenshot(browser, "voice-call")
        assert unlabelled_controls(browser) == []
        click(browser, "End call")
        click(browser, "Yes, end")
        wait_for(browser, "#done", timeout=30)
        wait_text(browser, "#mic", "Microphone off", timeout=30)
        errors = js_errors(browser)
    assert errors == [], errors
    attempt = AttemptStore().list_attempts()[0]
    record = AttemptStore().get(attempt.id)
    trainee = [m.text for m in record.messages if m.role.value == "agent" and m.text]
    assert len(trainee) >= 3 and "return" in trainee[1].lower(), trainee
    deadline = time.monotonic() + 20
    recording = RecordingStore().get(attempt.id)
    while (recording is None or recording.audio is None) and time.monotonic() < deadline:
        time.sleep(0.2)
        recording = RecordingStore().get(attempt.id)
    assert recording is not None and recording.mode == "voice" and recording.audio
    assert recording.audio_seconds > 20, "the recording covers the call"
