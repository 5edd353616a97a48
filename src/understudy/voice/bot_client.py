"""A voice bot as the agent under test: the customer speaks to it over a WebSocket, it answers
in audio (``stress-test --agent ws://HOST:PORT/PATH``).

The connection speaks pipecat's WebSocket protocol: each message is one frame encoded by
pipecat's ``ProtobufFrameSerializer`` (the serializer of its WebSocket transports), audio as
16-bit mono PCM. One connection per conversation:

- the microphone side sends ``SAMPLE_RATE`` Hz audio in 20 ms frames, in real time, all the
  time: silence, or the customer's line spoken by eSpeak NG in the persona's voice (a bot's VAD
  needs the silence after the speech to tell that the customer stopped);
- each piece of the bot's audio is noted with the moment it arrived; a 20 ms piece whose RMS
  level is at least ``speech_level`` of full scale counts as speech;
- the bot's reply starts with its first speech after the customer began the line and ends once
  it has been quiet for ``end_of_reply_s``; its audio is transcribed by the offline Whisper
  model (``voice.engines.whisper_model``) and becomes the agent's turn.

Timings (seconds) go on the agent message's ``meta["voice"]`` and are summed up per run by
``understudy.metrics.voice``:

- ``latency_s``: from the end of the customer's speech to the bot's first speech (None when the
  bot started while the customer was still talking);
- ``talked_over``: the bot started speaking before the customer had finished (an interruption
  by the bot);
- ``customer_speech_s`` / ``bot_speech_s``: length of the line and of the reply, first to last
  speech;
- ``longest_silence_s`` and ``long_silences``: the longest stretch nobody spoke in this
  exchange (the wait for the reply, or a pause inside it) and how many such stretches lasted at
  least ``long_silence_s``.

Failures end that conversation (the engine turns them into an ``error`` ending), never the
batch: the bot cannot be reached (``VoiceBotError`` naming the URL), it says nothing within
``reply_timeout_s`` of the end of the customer's line, or the connection drops (closed with
another code than a normal closure, or closed before any reply). A bot that closes normally
after speaking hung up: the turn is returned with ``ended``.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from understudy.engine.seams import Agent, AgentTurn, ConversationState
from understudy.errors import UnderstudyError
from understudy.matching import best_match
from understudy.redaction import redact_text, redact_url
from understudy.voice.services import (
    OPENAI_TTS_RATE,
    STTChoice,
    TTSChoice,
    VoiceSettings,
    api_key,
)

SAMPLE_RATE = 16_000
"""Samples per second of the customer's audio (the rate Whisper reads)."""

FRAME_S = 0.02
"""Seconds of audio per message the customer side sends."""

PRE_ROLL_S = 0.3
"""Seconds of the bot's audio before its first speech that are transcribed with the reply."""

NORMAL_CLOSURES = (1000, 1001)
"""WebSocket close codes of a bot that hung up (normal closure, going away)."""


class VoiceBotError(UnderstudyError):
    """The voice bot could not be reached, stayed silent or dropped the connection."""


class VoiceBotOptions(BaseModel):
    """How to talk to a voice bot (config.yaml's ``voice_bot:`` section; unknown keys are errors).

    Attributes:
        url: the bot's WebSocket address (``ws://`` or ``wss://``).
        voice: the customer's eSpeak NG voice; None speaks in the persona's ``voice``.
        connect_timeout_s: seconds to open the connection.
        reply_timeout_s: seconds after the end of the customer's line (or after connecting,
            when the bot opens) within which the bot must start speaking.
        end_of_reply_s: seconds of quiet from the bot that end its reply.
        speech_level: RMS level, as a share of full scale, above which 20 ms of the bot's
            audio counts as speech.
        long_silence_s: a stretch of silence at least this long counts as a long silence.
        fallback_phrases: fuzzy phrases that mark a reply as a fallback re-prompt.
        fallback_patterns: regular expressions (case-insensitive) that do the same.
    """

    model_config = ConfigDict(extra="forbid")

    url: str = Field(pattern=r"^wss?://")
    voice: str | None = None
    connect_timeout_s: float = Field(default=10.0, gt=0)
    reply_timeout_s: float = Field(default=15.0, gt=0)
    end_of_reply_s: float = Field(default=1.2, gt=0)
    speech_level: float = Field(default=0.01, gt=0, lt=1)
    long_silence_s: float = Field(default=3.0, gt=0)
    fallback_phrases: list[str] = Field(
        default_factory=lambda: [
            "sorry, I didn't get that",
            "I didn't understand",
            "could you rephrase",
            "can you say that again",
            "I'm not sure I understand",
        ]
    )
    fallback_patterns: list[str] = Field(default_factory=list)


@dataclass
class _Piece:
    """A piece of the bot's audio: when it arrived, its samples, whether it is speech."""

    at: float
    samples: np.ndarray[Any, np.dtype[np.int16]]
    rate: int
    speech: bool

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate


def speech_pcm(text: str, voice: str, engine: TTSChoice | None = None) -> bytes:
    """The customer's line spoken by the text-to-speech engine (eSpeak NG by default), as
    ``SAMPLE_RATE`` Hz 16-bit mono PCM, in this thread."""
    import soxr

    if engine is not None and engine.engine == "openai":
        from openai import OpenAI

        with OpenAI(api_key=api_key(engine), base_url=engine.base_url) as client:
            pcm = client.audio.speech.create(
                model=engine.model or "tts-1",
                voice=voice or engine.voice or "alloy",
                input=text,
                response_format="pcm",
            ).content
        rate = OPENAI_TTS_RATE
    else:
        from understudy.voice.engines import synthesize

        pcm, rate = synthesize(text, voice)
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768
    if rate != SAMPLE_RATE:
        samples = soxr.resample(samples, rate, SAMPLE_RATE)
    return bytes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())


def transcribe(
    samples: np.ndarray[Any, np.dtype[np.float32]], engine: STTChoice | None = None
) -> str:
    """Transcribe ``SAMPLE_RATE`` Hz float samples with the speech-to-text engine (the offline
    Whisper model by default), in this thread."""
    if engine is not None and engine.engine == "openai":
        import io

        import soundfile as sf
        from openai import OpenAI

        wav = io.BytesIO()
        sf.write(wav, samples, SAMPLE_RATE, format="WAV", subtype="PCM_16")
        with OpenAI(api_key=api_key(engine), base_url=engine.base_url) as client:
            result = client.audio.transcriptions.create(
                model=engine.model or "whisper-1", file=("reply.wav", wav.getvalue()), language="en"
            )
        return str(result.text).strip()
    from understudy.voice.engines import whisper_model

    segments, _ = whisper_model().transcribe(
        samples, language="en", beam_size=5, condition_on_previous_text=False
    )
    return " ".join(s.text.strip() for s in segments).strip()


def is_speech(samples: np.ndarray[Any, np.dtype[np.int16]], level: float) -> bool:
    """True when the RMS of 16-bit ``samples`` is at least ``level`` of full scale."""
    if len(samples) == 0:
        return False
    rms = float(np.sqrt(np.mean((samples.astype(np.float32) / 32768) ** 2)))
    return rms >= level


class VoiceBotAgent(Agent):
    """A voice bot behind a WebSocket, one connection per conversation (see the module
    docstring).

    Args:
        options: address, timings, fallback detection.
        voice: the customer's voice (eSpeak NG's, ``engines.check_voice``, or the configured
            engine's), unless ``options.voice`` names one.
        engines: the speech engines (config.yaml's ``voice:``); the offline ones when None.
    """

    name = "voice"

    def __init__(
        self,
        options: VoiceBotOptions,
        voice: str = "en-us",
        engines: VoiceSettings | None = None,
    ) -> None:
        from pipecat.serializers.protobuf import ProtobufFrameSerializer

        self.options = options
        self.voice = options.voice or voice
        self.engines = engines or VoiceSettings()
        self._serializer = ProtobufFrameSerializer()
        self._patterns = [re.compile(p, re.IGNORECASE) for p in options.fallback_patterns]
        self._ws: Any = None
        self._tasks: list[asyncio.Task[None]] = []
        self._outgoing = bytearray()
        self._line_sent = asyncio.Event()
        self._line_sent.set()
        self._voiced_from: float | None = None
        self._voiced_until = 0.0
        self._pieces: list[_Piece] = []
        self._last_speech_at = 0.0
        self._closed = asyncio.Event()
        self._close_code: int | None = None
        self._close_reason = ""
        self._started = 0.0

    @property
    def shown_url(self) -> str:
        """The URL as printed and stored (credentials masked)."""
        return redact_url(self.options.url)

    async def respond(self, state: ConversationState) -> AgentTurn:
        """Speak the customer's last line to the bot and return its transcribed reply.

        When the transcript is empty (the bot opens), only listens for its greeting.

        Raises:
            VoiceBotError: see the module docstring.
        """
        if self._ws is None:
            await self._connect()
        last = state.last_customer_message
        if last is None:
            start = end = self._now()
            spoke = 0.0
        else:
            await self._wait_bot_quiet()
            self._ensure_open("before the customer spoke")
            start, end = await self._speak(last.text)
            spoke = max(0.0, end - start)
        return await self._listen(start, end, spoke)

    async def aclose(self) -> None:
        """Hang up: stop sending and close the connection."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()
            self._ws = None

    def _now(self) -> float:
        return time.monotonic() - self._started

    def _error(self, message: str) -> VoiceBotError:
        return VoiceBotError(
            redact_text(f"voice bot {self.shown_url}: {message}", self.options.url)
        )

    async def _connect(self) -> None:
        from websockets.asyncio.client import connect

        try:
            self._ws = await connect(
                self.options.url,
                open_timeout=self.options.connect_timeout_s,
                max_size=None,
                ping_interval=None,
            )
        except (OSError, TimeoutError, Exception) as exc:
            raise self._error(f"cannot connect: {type(exc).__name__}: {exc}") from exc
        self._started = time.monotonic()
        self._tasks = [
            asyncio.create_task(self._send_loop()),
            asyncio.create_task(self._receive_loop()),
        ]

    async def _send_loop(self) -> None:
        """The microphone: a 20 ms frame every 20 ms, speech when there is some, else silence."""
        from pipecat.frames.frames import OutputAudioRawFrame

        size = int(SAMPLE_RATE * FRAME_S) * 2
        silence = bytes(size)
        next_at = time.monotonic()
        while not self._closed.is_set():
            chunk = bytes(self._outgoing[:size])
            del self._outgoing[:size]
            now = self._now()
            if chunk:
                if is_speech(np.frombuffer(chunk, dtype="<i2"), 0.005):
                    if self._voiced_from is None:
                        self._voiced_from = now
                    self._voiced_until = now + FRAME_S
                chunk = chunk.ljust(size, b"\0")
            elif not self._line_sent.is_set():
                self._line_sent.set()
            frame = OutputAudioRawFrame(
                audio=chunk or silence, sample_rate=SAMPLE_RATE, num_channels=1
            )
            payload = await self._serializer.serialize(frame)
            try:
                await self._ws.send(payload)
            except Exception:
                return
            next_at += FRAME_S
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    async def _receive_loop(self) -> None:
        """The loudspeaker: note each piece of the bot's audio and when it arrived."""
        from pipecat.frames.frames import InputAudioRawFrame
        from websockets.exceptions import ConnectionClosed

        try:
            async for message in self._ws:
                if not isinstance(message, bytes):
                    continue
                try:
                    frame = await self._serializer.deserialize(message)
                except Exception:  # not a pipecat frame: ignored, as pipecat's transports do
                    continue
                if not isinstance(frame, InputAudioRawFrame) or frame.num_channels != 1:
                    continue
                samples = np.frombuffer(frame.audio, dtype="<i2")
                now = self._now()
                speech = is_speech(samples, self.options.speech_level)
                self._pieces.append(_Piece(now, samples, frame.sample_rate, speech))
                if speech:
                    self._last_speech_at = now + len(samples) / frame.sample_rate
            self._close_code = self._ws.close_code
            self._close_reason = self._ws.close_reason or ""
        except ConnectionClosed as exc:
            received = exc.rcvd
            self._close_code = received.code if received is not None else 1006
            self._close_reason = received.reason if received is not None else str(exc)
        except Exception as exc:
            self._close_code, self._close_reason = 1006, f"{type(exc).__name__}: {exc}"
        finally:
            self._closed.set()

    def _closing_words(self) -> str:
        code = self._close_code if self._close_code is not None else 1006
        reason = f" ({self._close_reason})" if self._close_reason else ""
        kind = "closed the connection" if code in NORMAL_CLOSURES else "the connection dropped"
        return f"{kind}, code {code}{reason}"

    def _ensure_open(self, when: str) -> None:
        if self._closed.is_set():
            raise self._error(f"{self._closing_words()} {when}")

    async def _wait_bot_quiet(self) -> None:
        """Let the bot finish what it is saying before the customer speaks (bounded)."""
        deadline = time.monotonic() + self.options.reply_timeout_s
        while time.monotonic() < deadline and not self._closed.is_set():
            if self._now() - self._last_speech_at >= self.options.end_of_reply_s:
                return
            await asyncio.sleep(0.05)

    async def _speak(self, text: str) -> tuple[float, float]:
        """Send the customer's line; return when its speech started and ended (seconds)."""
        pcm = await asyncio.to_thread(speech_pcm, text, self.voice, self.engines.tts)
        self._voiced_from = None
        self._line_sent.clear()
        self._outgoing.extend(pcm)
        closed = asyncio.ensure_future(self._closed.wait())
        sent = asyncio.ensure_future(self._line_sent.wait())
        line_s = len(pcm) / 2 / SAMPLE_RATE
        try:
            await asyncio.wait(
                {closed, sent},
                timeout=line_s + self.options.reply_timeout_s,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            closed.cancel()
            sent.cancel()
        if not self._line_sent.is_set() and not self._closed.is_set():
            raise self._error(
                f"the bot stopped taking the customer's audio ({line_s:.1f} s line not sent "
                f"within {line_s + self.options.reply_timeout_s:.1f} s)"
            )
        start = self._voiced_from if self._voiced_from is not None else self._now()
        return start, max(start, self._voiced_until)

    async def _listen(self, start: float, end: float, spoke: float) -> AgentTurn:
        """Wait for the bot's reply to a line spoken from ``start`` to ``end``; transcribe it."""
        options = self.options
        first: _Piece | None = None
        while first is None:
            first = next((p for p in self._pieces if p.speech and p.at >= start), None)
            if first is not None:
                break
            if self._closed.is_set():
                raise self._error(f"{self._closing_words()} before the bot said anything")
            if self._now() - end > options.reply_timeout_s:
                raise self._error(
                    f"no speech from the bot within reply_timeout_s={options.reply_timeout_s:g} s "
                    "of the end of the customer's line"
                )
            await asyncio.sleep(0.02)
        while True:  # the reply ends after end_of_reply_s of quiet, or when the bot hangs up
            if (
                self._closed.is_set()
                or self._now() - self._last_speech_at >= options.end_of_reply_s
            ):
                break
            await asyncio.sleep(0.02)
        if self._closed.is_set() and self._close_code not in NORMAL_CLOSURES:
            raise self._error(f"{self._closing_words()} during the bot's reply")
        # A little of what came before the first speech: a soft first sound may sit under the
        # speech level, and Whisper reads a word better with its onset.
        reply = [p for p in self._pieces if p.at >= first.at - PRE_ROLL_S]
        self._pieces = []
        text, timing = await self._reply_text(reply, first, start, end, spoke)
        ended = self._closed.is_set()
        fell_back = bool(text) and (
            any(p.search(text) for p in self._patterns)
            or best_match(options.fallback_phrases, text) is not None
        )
        meta: dict[str, Any] = {"voice": timing}
        if ended:
            meta["hung_up"] = self._closing_words()
        return AgentTurn(text=text, fell_back=fell_back, ended=ended, meta=meta)

    async def _reply_text(
        self, reply: list[_Piece], first: _Piece, start: float, end: float, spoke: float
    ) -> tuple[str, dict[str, Any]]:
        import soxr

        speech = [p for p in reply if p.speech]
        last = speech[-1]
        gaps: list[float] = []
        if first.at >= end:
            gaps.append(first.at - end)
        previous_end = first.at + first.seconds
        for piece in speech[1:]:
            gaps.append(max(0.0, piece.at - previous_end))
            previous_end = piece.at + piece.seconds
        used = [p for p in reply if p.at <= last.at + PRE_ROLL_S and p.rate == first.rate]
        rate = first.rate
        heard = np.concatenate([p.samples for p in used]).astype(np.float32) / 32768
        if rate != SAMPLE_RATE:
            heard = soxr.resample(heard, rate, SAMPLE_RATE)
        samples: np.ndarray[Any, np.dtype[np.float32]] = np.asarray(heard, dtype=np.float32)
        text = await asyncio.to_thread(transcribe, samples, self.engines.stt)
        long_gaps = [g for g in gaps if g >= self.options.long_silence_s]
        timing = {
            "latency_s": round(first.at - end, 3) if first.at >= end else None,
            "talked_over": first.at < end,
            "customer_speech_s": round(spoke, 3),
            "bot_speech_s": round(last.at + last.seconds - first.at, 3),
            "longest_silence_s": round(max(gaps), 3) if gaps else 0.0,
            "long_silences": len(long_gaps),
            "bot_started_s": round(first.at, 3),
            "customer_ended_s": round(end, 3),
        }
        return text, timing
