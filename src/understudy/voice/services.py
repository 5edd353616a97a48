"""Which speech engines voice calls use: config.yaml's ``voice:`` section.

Offline engines are the default (Whisper tiny.en and eSpeak NG, ``voice.engines``). A team with a
speech server, local or in the cloud, names it instead; each engine is one of pipecat's
services::

    voice:
      stt:
        engine: openai            # whisper (default, offline) | openai
        base_url: http://127.0.0.1:8000/v1
        model: whisper-1
        api_key_env: STT_API_KEY  # the environment variable holding the key
      tts:
        engine: openai            # espeak (default, offline) | openai
        base_url: http://127.0.0.1:8880/v1
        model: kokoro
        voice: af_heart           # when the persona names no voice
        api_key_env: TTS_API_KEY

``openai`` is any server speaking the OpenAI audio API (``/audio/transcriptions``,
``/audio/speech``): OpenAI itself (no ``base_url``), or a local Whisper or TTS server that offers
the same API. The key is never written in the file: ``api_key_env`` names the environment
variable that holds it, and a missing variable is a ``ConfigError`` naming config.yaml's line.
Without ``base_url`` (OpenAI's own service) ``api_key_env`` is required.
"""

from __future__ import annotations

import os
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from understudy.errors import ConfigError
from understudy.settings import config_path, load_config, load_config_with_lines

OPENAI_TTS_RATE = 24_000
"""Samples per second of the OpenAI speech API's raw PCM."""


class SpeechService(BaseModel):
    """One speech engine (``voice.stt`` or ``voice.tts``).

    Attributes:
        engine: ``whisper`` / ``espeak`` (offline, the defaults) or ``openai``.
        base_url: the server's API root (``http(s)://.../v1``); None is OpenAI's service.
        model: the server's model name; the engine's default when None.
        api_key_env: name of the environment variable holding the API key.
        voice: (text-to-speech) the voice when the persona names none.
    """

    model_config = ConfigDict(extra="forbid")

    engine: str
    base_url: str | None = Field(default=None, pattern=r"^https?://")
    model: str | None = None
    api_key_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    voice: str | None = None


class STTChoice(SpeechService):
    """The speech-to-text engine."""

    engine: Literal["whisper", "openai"] = "whisper"


class TTSChoice(SpeechService):
    """The text-to-speech engine."""

    engine: Literal["espeak", "openai"] = "espeak"


class VoiceSettings(BaseModel):
    """config.yaml's ``voice:`` section (see the module docstring)."""

    model_config = ConfigDict(extra="forbid")

    stt: STTChoice = Field(default_factory=STTChoice)
    tts: TTSChoice = Field(default_factory=TTSChoice)


def _where(*keys: str) -> str:
    """``config.yaml:LINE`` of the deepest of ``keys`` found, or the file's path."""
    path = config_path()
    lines = load_config_with_lines()[1]
    for depth in range(len(keys), 0, -1):
        line = lines.get(keys[:depth])
        if line:
            return f"{path}:{line}"
    return str(path)


def load_voice_settings() -> VoiceSettings:
    """Read and check the ``voice:`` section of config.yaml (defaults when there is none).

    Raises:
        ConfigError: an unknown key or engine, a malformed value, or an ``api_key_env``
            variable that is not set (the message names the file and line).
    """
    section = load_config().get("voice")
    if section is None:
        return VoiceSettings()
    try:
        settings = VoiceSettings.model_validate(section)
    except ValidationError as exc:
        problem = exc.errors()[0]
        keys = tuple(str(p) for p in problem["loc"])
        message = problem["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{_where('voice', *keys)}: voice.{'.'.join(keys)}: {message}") from exc
    for side in ("stt", "tts"):
        choice: SpeechService = getattr(settings, side)
        if choice.engine != "openai":
            continue
        if choice.api_key_env is None and choice.base_url is None:
            raise ConfigError(
                f"{_where('voice', side)}: voice.{side}: OpenAI's service needs its key: name "
                "the environment variable holding it with api_key_env (or give the base_url "
                "of a local server)"
            )
        if choice.api_key_env is not None and not os.environ.get(choice.api_key_env):
            raise ConfigError(
                f"{_where('voice', side, 'api_key_env')}: voice.{side}.api_key_env: the "
                f"environment variable {choice.api_key_env} is not set"
            )
    return settings


def api_key(choice: SpeechService) -> str:
    """The engine's API key from the environment ("none" for a keyless local server)."""
    return os.environ.get(choice.api_key_env or "", "") or "none"


def make_stt(choice: STTChoice, *, vad: Any = None) -> Any:
    """Build the pipecat speech-to-text service ``choice`` names (no connection is made).

    Args:
        choice: the engine.
        vad: the pipeline's VAD analyzer; the offline Whisper engine reads its state to
            transcribe a turn speculatively during a pause (``engines.OfflineWhisperSTT``).
    """
    if choice.engine == "openai":
        from pipecat.services.openai.stt import OpenAISTTService
        from pipecat.transcriptions.language import Language

        settings = OpenAISTTService.Settings(
            model=choice.model or "whisper-1", language=Language.EN
        )
        return OpenAISTTService(
            api_key=api_key(choice), base_url=choice.base_url, settings=settings
        )
    from understudy.voice.engines import OfflineWhisperSTT

    return OfflineWhisperSTT(vad=vad)


def make_tts(
    choice: TTSChoice,
    *,
    voice: str | None,
    durations: dict[str, float],
    voices: dict[str, str],
    sample_rate: int,
) -> Any:
    """Build the pipecat text-to-speech service ``choice`` names (no connection is made).

    Args:
        choice: the engine.
        voice: the persona's voice (eSpeak NG's name for ``espeak``, checked by
            ``engines.check_voice``; the server's name for ``openai``), None for the default.
        durations: filled with each spoken text's length in seconds (eSpeak NG only).
        voices: texts spoken in another voice (the agent persona's first message).
        sample_rate: the pipeline's output rate (eSpeak NG's audio is resampled to it;
            OpenAI's speech is 24 kHz, resampled by the transport).
    """
    if choice.engine == "openai":
        from pipecat.services.openai.tts import OpenAITTSService

        settings = OpenAITTSService.Settings(
            model=choice.model or "tts-1", voice=voice or choice.voice or "alloy", language=None
        )
        return OpenAITTSService(
            api_key=api_key(choice),
            base_url=choice.base_url,
            sample_rate=OPENAI_TTS_RATE,
            settings=settings,
        )
    from understudy.voice.engines import DEFAULT_VOICE, EspeakTTS

    return EspeakTTS(
        voice=voice or choice.voice or DEFAULT_VOICE,
        durations=durations,
        voices=voices,
        sample_rate=sample_rate,
    )
