"""Speech engines chosen in config.yaml (``voice:``): offline by default, an OpenAI-compatible
server when named, its key from the environment. No real service is ever called: the services
are built without connecting, and a fake server on loopback answers the audio API."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import Response
from typer.testing import CliRunner

from understudy.cli.app import app
from understudy.errors import ConfigError
from understudy.voice.bot_client import speech_pcm, transcribe
from understudy.voice.services import load_voice_settings, make_stt, make_tts

OPENAI_ENGINES = """\
voice:
  stt:
    engine: openai
    base_url: http://127.0.0.1:{port}/v1
    model: whisper-large-v3
    api_key_env: UNDERSTUDY_TEST_STT_KEY
  tts:
    engine: openai
    base_url: http://127.0.0.1:{port}/v1
    model: kokoro
    voice: af_heart
"""


def write_config(home: Path, text: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.yaml").write_text(text)


def build_tts(settings: object) -> object:
    return make_tts(
        settings.tts,  # type: ignore[attr-defined]
        voice=None,
        durations={},
        voices={},
        sample_rate=16_000,
    )


def test_without_a_voice_section_the_offline_engines_are_built(understudy_home: Path) -> None:
    from understudy.voice.engines import EspeakTTS, OfflineWhisperSTT

    settings = load_voice_settings()
    assert (settings.stt.engine, settings.tts.engine) == ("whisper", "espeak")
    assert isinstance(make_stt(settings.stt), OfflineWhisperSTT)
    assert isinstance(build_tts(settings), EspeakTTS)


def test_an_openai_compatible_server_is_built_with_the_key_from_the_environment(
    understudy_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipecat.services.openai.stt import OpenAISTTService
    from pipecat.services.openai.tts import OpenAITTSService

    monkeypatch.setenv("UNDERSTUDY_TEST_STT_KEY", "sk-from-env")
    write_config(understudy_home, OPENAI_ENGINES.format(port=9))
    settings = load_voice_settings()
    stt = make_stt(settings.stt)
    assert isinstance(stt, OpenAISTTService)
    assert stt._client.api_key == "sk-from-env"
    assert str(stt._client.base_url).startswith("http://127.0.0.1:9/v1")
    tts = build_tts(settings)
    assert isinstance(tts, OpenAITTSService)
    assert tts._settings.voice == "af_heart" and tts._settings.model == "kokoro"


def test_a_missing_key_variable_names_the_config_line(
    understudy_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("UNDERSTUDY_TEST_STT_KEY", raising=False)
    write_config(understudy_home, OPENAI_ENGINES.format(port=9))
    with pytest.raises(ConfigError, match=r"config.yaml:6: voice.stt.api_key_env: .*not set"):
        load_voice_settings()
    result = CliRunner().invoke(app, ["stress-test", "--agent", "ws://127.0.0.1:9/ws", "-n", "1"])
    assert result.exit_code == 2
    assert "config.yaml:6" in result.stderr and "UNDERSTUDY_TEST_STT_KEY" in result.stderr
    served = CliRunner().invoke(app, ["serve", "--port", "9"])
    assert served.exit_code == 2 and "config.yaml:6" in served.stderr, "the web app refuses too"


def test_an_unknown_engine_or_openai_without_a_key_is_refused(understudy_home: Path) -> None:
    write_config(understudy_home, "voice:\n  stt:\n    engine: deepgram\n")
    with pytest.raises(ConfigError, match=r"config.yaml:3: voice.stt.engine: "):
        load_voice_settings()
    write_config(understudy_home, "voice:\n  tts:\n    engine: openai\n")
    with pytest.raises(ConfigError, match=r"config.yaml:2: voice.tts: .*api_key_env"):
        load_voice_settings()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def fake_speech_server() -> Iterator[tuple[int, list[str]]]:
    """An OpenAI-compatible audio API on loopback: a fixed transcript, a 1 s tone as speech."""
    seen: list[str] = []
    api = FastAPI()

    @api.post("/v1/audio/transcriptions")
    async def transcriptions(request: Request) -> dict[str, str]:
        form = await request.form()
        seen.append(f"stt {form['model']} {request.headers['authorization']}")
        await form.close()
        return {"text": "your refund is on its way"}

    @api.post("/v1/audio/speech")
    async def speech(request: Request) -> Response:
        body = await request.json()
        seen.append(f"tts {body['model']} {body['voice']} {body['input']}")
        tone = (np.sin(np.arange(24_000) / 24_000 * 2 * np.pi * 220) * 8000).astype("<i2")
        return Response(tone.tobytes(), media_type="audio/pcm")

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(api, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield port, seen
    finally:
        server.should_exit = True
        thread.join(10)


def test_a_voice_bot_stress_test_speaks_and_listens_through_the_configured_server(
    understudy_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    fake_speech_server: tuple[int, list[str]],
) -> None:
    port, seen = fake_speech_server
    monkeypatch.setenv("UNDERSTUDY_TEST_STT_KEY", "sk-local")
    write_config(understudy_home, OPENAI_ENGINES.format(port=port))
    settings = load_voice_settings()
    pcm = speech_pcm("Hello, I would like a refund.", "", settings.tts)
    assert len(pcm) == 2 * 16_000, "one second of the server's 24 kHz speech, at 16 kHz"
    heard = transcribe(np.zeros(16_000, dtype=np.float32), settings.stt)
    assert heard == "your refund is on its way"
    assert seen == [
        "tts kokoro af_heart Hello, I would like a refund.",
        "stt whisper-large-v3 Bearer sk-local",
    ]
