"""A practice call by voice: pipecat's pipeline around the same ``PracticeCall`` as chat.

For each connection of the browser's audio socket, ``VoiceCall.run`` builds and runs::

    transport in -> mic gate -> Silero VAD -> Whisper STT -> PracticeBridge -> eSpeak TTS
        -> transport out -> audio recorder

- The trainee's speech is cut into turns by the VAD (a turn ends after ``STOP_SECS`` of
  silence); each transcribed turn is handed to the practice call as the trainee's reply
  (``say``), exactly as a typed chat line would be.
- Each customer line the engine produces (an engine observer: ``on_event``) is queued to the
  TTS; the engine's opening pause makes the customer wait a beat before its first line.
- Barge-in: when the VAD hears the trainee while the customer is speaking, the bridge
  interrupts, the customer's audio stops (pipecat's interruption clears the TTS and the output,
  and the browser drops what it had queued), and the transcript turn is marked as cut off with
  the words heard so far (a share of the words equal to the share of its audio played). Lines
  queued behind it are dropped with it: they are never spoken, and the call no longer waits
  for them (the silence timeout counts from the trainee's stop).
- While the call is paused the microphone is ignored.
- Both sides are recorded by pipecat's ``AudioBufferProcessor`` (stereo: trainee left, customer
  right); each second of it, and each turn's times, are written to disk as they come
  (``voice.spool``), so a killed server keeps what was said; when a connection ends, the
  audio so far is stored as one OGG/Opus file with each turn's start and end time
  (``storage.recordings``). A reconnecting browser continues the same call and recording.
- An angry, frustrated or impatient customer interrupts a trainee who talks on too long
  (``monologue_limit``): past the limit it says a short interjection over the trainee, logged
  as an ``interruption`` by the customer and an ``act`` ``interrupt()``.
- The event log gets ``speech_started`` / ``speech_stopped`` (VAD), ``transcribed``,
  ``interruption`` and ``latency`` (end of trainee speech to first customer audio, seconds).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import soundfile as sf
from pipecat.audio.vad.silero import SileroVADAnalyzer
from pipecat.audio.vad.vad_analyzer import VADParams
from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
    CancelFrame,
    EndFrame,
    Frame,
    InputAudioRawFrame,
    TranscriptionFrame,
    TTSSpeakFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineParams, PipelineWorker
from pipecat.processors.audio.audio_buffer_processor import AudioBufferProcessor
from pipecat.processors.audio.vad_processor import VADProcessor
from pipecat.processors.filters.function_filter import FunctionFilter
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.transports.base_transport import BaseTransport
from pipecat.workers.runner import WorkerRunner

from understudy.domain.persona import Mood, Persona
from understudy.domain.transcript import Message, Role
from understudy.engine.events import ConversationEnded, Event, MessageAdded
from understudy.storage.attempt_store import AttemptStore
from understudy.storage.recordings import RecordingStore, TurnTiming
from understudy.voice.line import PRESENCE_CHECK
from understudy.voice.serializer import SAMPLE_RATE
from understudy.voice.services import VoiceSettings, make_stt, make_tts
from understudy.voice.spool import RecordingSpool

logger = logging.getLogger(__name__)

STOP_SECS = 0.4
"""Seconds of silence that end a trainee's turn (the VAD's stop time). Shorter cuts a turn at
a breath; longer adds to the customer's response time (docs/voice.md)."""

START_SECS = 0.2
"""Seconds of speech before the VAD says the trainee started (pipecat's default)."""

AUDIO_FORMAT = "ogg/opus"

SPOOL_CHUNK_BYTES = SAMPLE_RATE * 2
"""Bytes of one side's audio after which the recorder hands the audio over to be spooled to
disk (one second: a killed server loses at most about that much; ``voice.spool``)."""

INTERJECTIONS = (
    "Sorry, can I just say something?",
    "Hang on, hang on.",
    "Can we get to the point, please?",
    "Wait, sorry, let me stop you there.",
)
"""What a customer says when it interrupts a trainee who talks too long."""


def monologue_limit(persona: Persona, seed: int | str) -> float | None:
    """Seconds of uninterrupted trainee speech after which the customer interrupts, or None.

    Only an angry or frustrated customer, or one with ``behaviour.patience`` under 0.35,
    interrupts: after ``8 + 22 * patience`` seconds (8 s for no patience at all), varied by
    up to 15% either way with the call's seed. understudy's own rule, not a measured one.

    Args:
        persona: the customer.
        seed: the call's seed (the same seed, the same limit).
    """
    patience = persona.behaviour.patience
    if persona.mood not in (Mood.angry, Mood.frustrated) and patience >= 0.35:
        return None
    rng = random.Random(f"monologue-{seed}")
    return (8.0 + 22.0 * patience) * rng.uniform(0.85, 1.15)


@dataclass
class _Spoken:
    """A line queued to the TTS, then spoken: the customer's, or the agent's first message."""

    index: int
    text: str
    start_s: float | None = None
    end_s: float | None = None
    role: Role = Role.customer


@dataclass
class VoiceCall:
    """The voice side of one practice call (see the module docstring).

    Args:
        say: hands a transcribed trainee turn to the practice call.
        paused: tells whether the call is paused (the microphone is then ignored).
        voice: the customer's eSpeak NG voice.
        store: where the event log goes.
        recordings: where the audio and turn timings go.
        talk_limit_s: seconds of trainee speech after which the customer interrupts
            (``monologue_limit``); None never interrupts.
        seed: seeds the choice of interjection.
        first_message: the agent's opening line, spoken in ``agent_voice`` when the trainee's
            first turn is this text (``voice.line``); "" for none.
        agent_voice: the eSpeak NG voice of ``first_message``.
        silence_timeout_s: seconds of silence on the trainee's turn after which the customer
            asks whether the trainee is still there; the same again ends the call
            (``end_call``). None: no timeout.
        recording: False stores no audio (the turn times still are).
        end_call: ends the call as ``silence_timeout`` (the silence timeout's second time).
        engines: the speech engines (config.yaml's ``voice:``, ``voice.services``).
    """

    say: Callable[[str], None]
    paused: Callable[[], bool]
    voice: str
    store: AttemptStore
    recordings: RecordingStore
    talk_limit_s: float | None = None
    seed: int | str = 0
    attempt_id: int | None = None
    first_message: str = ""
    agent_voice: str = "en-us"
    silence_timeout_s: float | None = None
    recording: bool = True
    end_call: Callable[[], None] | None = None
    engines: VoiceSettings = field(default_factory=VoiceSettings)
    turns: list[TurnTiming] = field(default_factory=list)
    chunks: list[bytes] = field(default_factory=list)
    durations: dict[str, float] = field(default_factory=dict)
    ended: bool = False
    _queue: deque[_Spoken] = field(default_factory=deque)
    _worker: PipelineWorker | None = None
    _offset_s: float = 0.0
    _run_started: float = 0.0
    _bot_speaking: _Spoken | None = None
    _trainee_started_s: float | None = None
    _trainee_stopped_s: float | None = None
    _awaiting_reply: bool = False
    _pending: list[str] = field(default_factory=list)
    _saving: set[asyncio.Future[None]] = field(default_factory=set)
    _messages: dict[int, Message] = field(default_factory=dict)
    _watch: asyncio.Task[None] | None = None
    _rng: random.Random | None = None
    _trainee_speaking: bool = False
    _quiet_since: float = 0.0
    _checked_presence: bool = False
    _silence: asyncio.Task[None] | None = None
    _spooled: RecordingSpool | None = None
    _spooled_chunks: int = 0

    def now_s(self) -> float:
        """Seconds into the recording (earlier connections' audio plus this one's time)."""
        if self._worker is None:
            return self._offset_s
        return self._offset_s + time.monotonic() - self._run_started

    async def on_event(self, event: Event) -> None:
        """Engine observer: speak each customer line; end the audio when the call ends."""
        if isinstance(event, MessageAdded):
            if self.attempt_id is None:
                self.attempt_id = int(event.conversation_id.removeprefix("attempt-"))
            message = event.message
            self._messages[message.index] = message
            if message.role is Role.customer:
                spoken = _Spoken(message.index, message.text)
                self._queue.append(spoken)
                if self._worker is not None:
                    await self._worker.queue_frame(TTSSpeakFrame(message.text))
            elif not self._pending and self.first_message and message.text == self.first_message:
                # The agent persona's first message: spoken for the trainee, in the agent's voice.
                spoken = _Spoken(message.index, message.text, role=Role.agent)
                self._queue.append(spoken)
                if self._worker is not None:
                    await self._worker.queue_frame(TTSSpeakFrame(message.text))
            else:
                self._record_trainee_turn(message.index)
        elif isinstance(event, ConversationEnded):
            self.ended = True
            if self._worker is not None:
                # After the lines still queued: the customer's goodbye is heard, then it ends.
                await self._worker.queue_frame(EndFrame())

    async def run(self, transport: BaseTransport) -> None:
        """Run the pipeline on one connection until it closes or the call ends, then store
        the audio recorded so far."""
        recorder = AudioBufferProcessor(
            sample_rate=SAMPLE_RATE,
            num_channels=2,
            auto_start_recording=True,
            buffer_size=SPOOL_CHUNK_BYTES,
        )
        bridge = PracticeBridge(self)
        voices = {self.first_message: self.agent_voice} if self.first_message else {}
        tts = make_tts(
            self.engines.tts,
            voice=self.voice,
            durations=self.durations,
            voices=voices,
            sample_rate=SAMPLE_RATE,
        )
        vad = SileroVADAnalyzer(params=VADParams(start_secs=START_SECS, stop_secs=STOP_SECS))
        pipeline = Pipeline(
            [
                transport.input(),
                FunctionFilter(filter=self._mic_open, filter_system_frames=True),
                VADProcessor(vad_analyzer=vad),
                make_stt(self.engines.stt, vad=vad),
                bridge,
                tts,
                transport.output(),
                *([recorder] if self.recording else []),
            ]
        )
        worker = PipelineWorker(
            pipeline,
            params=PipelineParams(
                audio_in_sample_rate=SAMPLE_RATE,
                audio_out_sample_rate=SAMPLE_RATE,
                enable_metrics=True,
            ),
            idle_timeout_secs=None,
            enable_rtvi=False,
        )

        async def on_audio_data(_: Any, audio: bytes, rate: int, channels: int) -> None:
            self.chunks.append(bytes(audio))
            self._spool_audio()

        async def on_disconnected(*_: Any) -> None:
            await worker.cancel()

        recorder.add_event_handler("on_audio_data", on_audio_data)
        transport.add_event_handler("on_client_disconnected", on_disconnected)

        self._worker = worker
        self._run_started = time.monotonic()
        self._quiet_since = self.now_s()
        if self.silence_timeout_s is not None:
            self._silence = asyncio.ensure_future(self._watch_silence(self.silence_timeout_s))
        for spoken in self._queue:
            if spoken.start_s is None:
                await worker.queue_frame(TTSSpeakFrame(spoken.text))
        if self.ended:
            await worker.queue_frame(EndFrame())
        runner = WorkerRunner(handle_sigint=False)
        await runner.add_workers(worker)
        try:
            await runner.run()
        finally:
            if self._silence is not None:
                self._silence.cancel()
                self._silence = None
            self._offset_s = self.now_s()
            self._worker = None
            self._bot_speaking = None
            # The socket's task may be cancelled as the browser leaves: the save goes on.
            saving = asyncio.ensure_future(self.save())
            self._saving.add(saving)
            saving.add_done_callback(self._saving.discard)
            await asyncio.shield(saving)

    def _spool(self) -> RecordingSpool | None:
        """The call's spool, once the attempt is known (``voice.spool``)."""
        if self.attempt_id is None or not self.recording:
            return None
        if self._spooled is None:
            self._spooled = RecordingSpool(self.attempt_id)
        return self._spooled

    def _spool_audio(self) -> None:
        """Append the audio not yet on disk (a second at a time: a small write, on the loop)."""
        spool = self._spool()
        if spool is not None:
            for chunk in self.chunks[self._spooled_chunks :]:
                spool.append_audio(chunk)
            self._spooled_chunks = len(self.chunks)

    def _add_turn(self, turn: TurnTiming) -> None:
        """Keep a turn's speech times, also on the transcript message (``meta["voice"]``), where
        the time-based rubric checks read them when the call is graded. Interjections (index 0)
        are not transcript turns and are left out."""
        if turn.index <= 0:
            return
        self.turns.append(turn)
        spool = self._spool()
        if spool is not None:
            spool.add_turn(turn)
        message = self._messages.get(turn.index)
        if message is not None:
            message.meta["voice"] = {"start_s": turn.start_s, "end_s": turn.end_s}
            if turn.cut_off:
                message.meta.update(cut_off=True, heard=turn.heard)

    async def save(self) -> None:
        """Store the audio recorded so far with the turn timings (a no-op before any audio);
        without ``recording``, the turn timings only."""
        if self.attempt_id is None or (self.recording and not self.chunks):
            return
        pcm = b"".join(self.chunks)
        seconds = len(pcm) / 4 / SAMPLE_RATE if self.recording else self._offset_s
        audio = await asyncio.to_thread(encode_ogg, pcm) if self.recording else None
        await asyncio.to_thread(
            self.recordings.save_audio,
            self.attempt_id,
            audio,
            audio_format=AUDIO_FORMAT,
            sample_rate=SAMPLE_RATE,
            channels=2,
            seconds=seconds,
            turns=sorted(self.turns, key=lambda t: t.index),
        )
        if self.ended and self._spooled is not None:
            await asyncio.to_thread(self._spooled.remove)  # stored for good

    async def _mic_open(self, frame: Frame) -> bool:
        return not (isinstance(frame, InputAudioRawFrame) and self.paused())

    async def log(self, kind: str, data: dict[str, Any], turn: int | None = None) -> None:
        """Append a voice event to the attempt's event log (seconds into the recording)."""
        if self.attempt_id is not None:
            at = round(self.now_s(), 3)
            await asyncio.to_thread(self.store.add_event, self.attempt_id, kind, turn, at, data)

    # Called by the bridge, on the pipeline's task.

    async def trainee_started(self) -> bool:
        """The VAD heard the trainee start; returns True when that cuts the customer off."""
        self._trainee_started_s = self.now_s() - START_SECS
        self._trainee_speaking = True
        self._checked_presence = False
        await self.log("speech_started", {"side": "trainee"})
        if self.talk_limit_s is not None and self._bot_speaking is None:
            self._watch = asyncio.ensure_future(self._interrupt_after(self.talk_limit_s))
        speaking = self._bot_speaking
        if speaking is None:
            return False
        cut_at = self.now_s()
        played = max(0.0, cut_at - (speaking.start_s or cut_at))
        total = self.durations.get(speaking.text, 0.0)
        words = speaking.text.split()
        share = min(1.0, played / total) if total > 0 else 0.0
        heard = " ".join(words[: round(len(words) * share)])
        speaking.end_s = cut_at
        self._bot_speaking = None
        self._add_turn(
            TurnTiming(
                index=speaking.index,
                role=speaking.role.value,
                start_s=round(speaking.start_s or cut_at, 3),
                end_s=round(cut_at, 3),
                cut_off=True,
                heard=heard,
            )
        )
        if self.attempt_id is not None and speaking.index > 0:
            await asyncio.to_thread(
                self.recordings.mark_cut_off, self.attempt_id, speaking.index, heard
            )
        await self.log(
            "interruption",
            {"by": "trainee", "heard": heard, "played_s": round(played, 3)},
            speaking.index,
        )
        # The interruption the bridge broadcasts next also drops the lines queued behind this
        # one: they will never start, so they must not wait in the queue as still to come
        # (``_line_busy`` would hold off the silence timeout for the rest of the call, the
        # next line's start would be taken as theirs, and a reconnect would speak them).
        # No await from here to the broadcast, so no line is queued in between.
        self._queue.clear()
        return True

    async def trainee_stopped(self) -> None:
        """The VAD heard the trainee stop (``STOP_SECS`` after the last word)."""
        self._trainee_stopped_s = self.now_s() - STOP_SECS
        self._trainee_speaking = False
        self._quiet_since = self.now_s()
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        await self.log("speech_stopped", {"side": "trainee"})

    async def transcribed(self, text: str, *, speculative: bool = False) -> None:
        """A trainee turn was transcribed: hand it to the practice call.

        Args:
            text: the turn's text.
            speculative: True when it was transcribed during the pause before the VAD's stop
                (``engines.OfflineWhisperSTT``); logged with the text.
        """
        text = text.strip()
        if not text:
            return
        await self.log("transcribed", {"text": text, "speculative": speculative})
        self._pending.append(text)
        self._awaiting_reply = True
        self.say(text)

    async def _interrupt_after(self, seconds: float) -> None:
        """Interject once the trainee has talked ``seconds`` without stopping."""
        await asyncio.sleep(max(0.0, seconds - START_SECS))
        if self._worker is None or self._bot_speaking is not None or self.paused():
            return
        if self._rng is None:
            self._rng = random.Random(f"interject-{self.seed}")
        text = self._rng.choice(INTERJECTIONS)
        self._queue.append(_Spoken(0, text))
        await self._worker.queue_frame(TTSSpeakFrame(text))
        talked = round(self.now_s() - (self._trainee_started_s or 0.0), 3)
        await self.log("interruption", {"by": "customer", "text": text, "trainee_talked_s": talked})
        await self.log("act", {"act": "interrupt()", "side": "customer"})

    def _record_trainee_turn(self, index: int) -> None:
        if not self._pending:
            return
        self._pending.pop(0)
        start = self._trainee_started_s if self._trainee_started_s is not None else self.now_s()
        end = self._trainee_stopped_s if self._trainee_stopped_s is not None else self.now_s()
        self._add_turn(
            TurnTiming(
                index=index, role=Role.agent.value, start_s=round(start, 3), end_s=round(end, 3)
            )
        )

    async def bot_started(self) -> None:
        """The first customer audio of a line went out."""
        spoken = next((s for s in self._queue if s.start_s is None), None)
        if spoken is None:
            return
        spoken.start_s = self.now_s()
        self._bot_speaking = spoken
        await self.log("speech_started", {"side": spoken.role.value}, spoken.index)
        if spoken.role is Role.agent:
            return
        if self._awaiting_reply and self._trainee_stopped_s is not None:
            self._awaiting_reply = False
            latency = spoken.start_s - self._trainee_stopped_s
            await self.log("latency", {"seconds": round(latency, 3)}, spoken.index)

    async def bot_stopped(self) -> None:
        """The customer's audio of a line finished playing."""
        spoken = self._bot_speaking
        if spoken is None:
            return
        spoken.end_s = self.now_s()
        self._bot_speaking = None
        self._quiet_since = spoken.end_s
        self._add_turn(
            TurnTiming(
                index=spoken.index,
                role=spoken.role.value,
                start_s=round(spoken.start_s or spoken.end_s, 3),
                end_s=round(spoken.end_s, 3),
            )
        )
        await self.log("speech_stopped", {"side": spoken.role.value}, spoken.index)

    def _line_busy(self) -> bool:
        """True while someone speaks or the customer's next line is still to come."""
        return (
            self._trainee_speaking
            or self._bot_speaking is not None
            or self._awaiting_reply
            or any(s.start_s is None for s in self._queue)
            or self.paused()
        )

    async def _watch_silence(self, timeout_s: float) -> None:
        """The silence timeout: a presence check after ``timeout_s`` of silence on the
        trainee's turn, then the end of the call after as long again."""
        while not self.ended:
            await asyncio.sleep(0.2)
            if self._line_busy():
                self._quiet_since = self.now_s()
                continue
            quiet = self.now_s() - self._quiet_since
            if quiet < timeout_s:
                continue
            if not self._checked_presence and self._worker is not None:
                self._checked_presence = True
                self._quiet_since = self.now_s()
                self._queue.append(_Spoken(0, PRESENCE_CHECK))
                await self._worker.queue_frame(TTSSpeakFrame(PRESENCE_CHECK))
                await self.log("silence", {"seconds": round(quiet, 3), "then": "presence_check"})
                await self.log("act", {"act": "check_presence()", "side": "customer"})
            elif self._checked_presence:
                await self.log("silence", {"seconds": round(quiet, 3), "then": "ended"})
                if self.end_call is not None:
                    self.end_call()
                return

    async def close(self) -> None:
        """Stop the pipeline of the current connection, if any (the audio so far is stored)."""
        if self._watch is not None:
            self._watch.cancel()
        if self._worker is not None:
            with contextlib.suppress(Exception):
                await self._worker.cancel()


class PracticeBridge(FrameProcessor):
    """The simulation glue inside the pipeline: VAD and transcripts in, interruptions out.

    Args:
        call: the voice call it reports to.
    """

    def __init__(self, call: VoiceCall) -> None:
        super().__init__()
        self.call = call

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        """Report speech starts and stops and transcripts; interrupt the customer on barge-in."""
        await super().process_frame(frame, direction)
        if isinstance(frame, VADUserStartedSpeakingFrame):
            await self.push_frame(frame, direction)
            if await self.call.trainee_started():
                await self.broadcast_interruption()  # type: ignore[no-untyped-call]
            return
        if isinstance(frame, VADUserStoppedSpeakingFrame):
            await self.call.trainee_stopped()
        elif isinstance(frame, TranscriptionFrame):
            result = frame.result if isinstance(frame.result, dict) else {}
            await self.call.transcribed(frame.text, speculative=result.get("speculative") is True)
        elif isinstance(frame, BotStartedSpeakingFrame):
            await self.call.bot_started()
        elif isinstance(frame, BotStoppedSpeakingFrame):
            await self.call.bot_stopped()
        elif isinstance(frame, CancelFrame | EndFrame):
            pass
        await self.push_frame(frame, direction)


def encode_ogg(pcm: bytes, sample_rate: int = SAMPLE_RATE, channels: int = 2) -> bytes:
    """Compress interleaved 16-bit PCM to OGG/Opus.

    Args:
        pcm: interleaved little-endian 16-bit samples.
        sample_rate: samples per second.
        channels: 2 for the call recording (trainee left, customer right).

    Returns:
        The OGG file's bytes.
    """
    samples = np.frombuffer(pcm, dtype="<i2").reshape(-1, channels)
    out = io.BytesIO()
    sf.write(out, samples, sample_rate, format="OGG", subtype="OPUS")
    return out.getvalue()


def decode_audio(data: bytes) -> tuple[np.ndarray[Any, np.dtype[np.float32]], int]:
    """Read a stored recording.

    Returns:
        Samples as float32 of shape (frames, channels) and the sample rate in Hz.
    """
    samples, rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
    return samples, int(rate)
