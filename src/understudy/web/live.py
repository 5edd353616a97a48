"""Live practice calls held by the web app: one library ``PracticeCall`` per call.

A ``LiveCall`` drives the practice library's ``PracticeCall`` (``start_practice``): WebSocket
messages become ``say``, ``pause``, ``resume`` and ``end``; ``finish`` grades the attempt. Every
engine event is recorded by the library (each turn committed as it happens) and kept here as a
JSON-ready list, so a browser that reconnects gets every turn again, then the new ones.

A voice call (``mode="voice"``) also has a ``VoiceCall`` (``understudy.voice``, the optional
extra): the browser's audio socket runs it, transcribed speech comes in through ``say`` and the
customer's lines go out as speech. Attempts of voice and hybrid scenarios record the channel
used (``storage.recordings``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from understudy.agents.trainee import TraineeAgent
from understudy.domain.persona import Persona
from understudy.domain.rubric import Rubric
from understudy.domain.scenario import Scenario
from understudy.engine.events import ConversationEnded, Event, MessageAdded, MoodChanged
from understudy.practice.call import PracticeCall, start_practice
from understudy.storage.attempt_store import AttemptStore
from understudy.storage.recordings import RecordingStore

if TYPE_CHECKING:
    from understudy.voice.call import VoiceCall
    from understudy.voice.line import LineSettings

logger = logging.getLogger(__name__)

Practice = Callable[..., Awaitable[Any]]


@dataclass
class LiveCall:
    """One practice call in progress (or just finished) in this server process.

    Attributes:
        token: the call's address part, ``/calls/TOKEN``.
        scenario: the scenario practised.
        base: the scenario's folder (for documents).
        persona: the customer.
        rubric: the rubric grading it, if any.
        trainee_name: who practises.
        session_id: the practice session the attempt belongs to, if known.
        status: ``connecting``, ``in_session``, ``paused``, ``ended`` or ``error``.
        attempt_id: the stored attempt, once created.
        events: every message sent to browsers so far, in order.
        mode: ``chat`` or ``voice``.
        voice: the voice side of a voice call (None for chat).
    """

    token: str
    scenario: Scenario
    base: Path | None
    persona: Persona
    rubric: Rubric | None
    trainee_name: str
    status: str = "connecting"
    attempt_id: int | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    practice: PracticeCall | None = None
    trainee: TraineeAgent = field(default_factory=TraineeAgent)
    listeners: set[asyncio.Queue[dict[str, Any]]] = field(default_factory=set)
    task: asyncio.Task[None] | None = None
    seen_client_ids: set[str] = field(default_factory=set)
    mode: str = "chat"
    voice: VoiceCall | None = None

    def elapsed_s(self) -> float:
        """Seconds of call time so far (paused time excluded)."""
        return max(0.0, self.practice.elapsed_s) if self.practice is not None else 0.0

    def clock_state(self) -> dict[str, Any]:
        """The status chip and timer values a browser shows."""
        limit = self.scenario.time_limit_s
        elapsed = min(self.elapsed_s(), limit) if self.status != "ended" else self._final()
        return {
            "type": "clock",
            "status": self.status,
            "elapsed_s": round(elapsed, 1),
            "remaining_s": round(max(0.0, limit - elapsed), 1),
        }

    def _final(self) -> float:
        ended = [e for e in self.events if e["type"] == "ended"]
        return float(ended[-1]["duration_s"]) if ended else self.elapsed_s()

    def publish(self, message: dict[str, Any]) -> None:
        """Keep ``message`` for reconnecting browsers and send it to the connected ones."""
        if message["type"] != "clock":
            self.events.append(message)
        for queue in list(self.listeners):
            queue.put_nowait(message)

    async def on_event(self, event: Event) -> None:
        """Observer of the engine: turn events into browser messages (and speech)."""
        if self.voice is not None:
            await self.voice.on_event(event)
        if isinstance(event, MessageAdded):
            if self.attempt_id is None:
                self.attempt_id = int(event.conversation_id.removeprefix("attempt-"))
            m = event.message
            if self.status == "connecting":
                self.status = "in_session"
            self.publish(
                {
                    "type": "message",
                    "index": m.index,
                    "role": m.role.value,
                    "text": m.text,
                    "at_s": round(event.at_s, 1),
                    "mood": m.mood.value if m.mood and self.scenario.show_mood else None,
                    "attempt_id": self.attempt_id,
                }
            )
        elif isinstance(event, MoodChanged) and self.scenario.show_mood:
            self.publish({"type": "mood", "mood": event.new.value})
        elif isinstance(event, ConversationEnded):
            result = event.result
            self.status = "ended"
            self.publish(
                {
                    "type": "ended",
                    "reason": result.termination_reason.value,
                    "detail": result.detail,
                    "duration_s": round(result.duration_s, 1),
                    "attempt_id": self.attempt_id,
                }
            )

    def say(self, text: str, client_id: str = "") -> None:
        """Queue the trainee's reply (once per ``client_id``: a resend after a reconnect)."""
        if client_id and client_id in self.seen_client_ids:
            return
        if client_id:
            self.seen_client_ids.add(client_id)
        if self.status in ("ended", "error"):
            return
        self.trainee.submit(text)

    def pause(self) -> None:
        """Stop the clock: elapsed time and the time limit stand still."""
        if self.status == "in_session" and self.practice is not None:
            self.practice.pause()
            self.status = "paused"
            self.publish(self.clock_state())

    def resume(self) -> None:
        """Start the clock again."""
        if self.status == "paused" and self.practice is not None:
            self.practice.resume()
            self.status = "in_session"
            self.publish(self.clock_state())

    def end(self) -> None:
        """End the call as the trainee (``/end``)."""
        self.resume()
        if self.practice is not None and self.status not in ("ended", "error"):
            self.practice.end()

    def end_on_silence(self) -> None:
        """End the call as ``silence_timeout`` (the voice line's silence timeout)."""
        self.resume()
        if self.practice is not None and self.status not in ("ended", "error"):
            self.practice.end_on_silence()


class CallRegistry:
    """The live calls of this server process, by token.

    Args:
        practice: starts a practice call (``start_practice``; tests may pass a failing one).
    """

    def __init__(self, practice: Practice = start_practice) -> None:
        self.calls: dict[str, LiveCall] = {}
        self.practice = practice

    def start(
        self,
        scenario: Scenario,
        base: Path | None,
        persona: Persona,
        rubric: Rubric | None,
        trainee_name: str,
        mode: str = "chat",
    ) -> LiveCall:
        """Start a call in a background task and return it (the customer speaks first).

        Args:
            scenario: the scenario practised.
            base: the scenario's folder (for documents).
            persona: the customer.
            rubric: the rubric grading it, if any.
            trainee_name: who practises.
            mode: ``chat`` or ``voice`` (a voice call needs the voice extra).

        Raises:
            VoiceUnavailable: a voice call without the voice extra or eSpeak NG.
            VoiceSetupError: the persona's voice (or the agent persona's) is not installed.
            NotFoundError: the scenario's ``agent_persona`` is not stored.
        """
        line = None
        if mode == "voice":
            from understudy.voice.line import line_settings
            from understudy.voice.services import load_voice_settings

            espeak = load_voice_settings().tts.engine == "espeak"
            line = line_settings(scenario, persona, espeak=espeak)
            scenario = line.apply(scenario)
        call = LiveCall(secrets.token_urlsafe(8), scenario, base, persona, rubric, trainee_name)
        call.mode = mode
        if line is not None:
            call.voice = _voice_call(call, line)
            if line.first_message and line.first_speaker.value == "agent":
                call.say(line.first_message)  # the agent's opening turn, spoken for it
        self.calls[call.token] = call
        call.task = asyncio.get_running_loop().create_task(self._run(call))
        return call

    async def _run(self, call: LiveCall) -> None:
        try:
            call.practice = await self.practice(
                call.scenario,
                call.persona,
                trainee_name=call.trainee_name,
                rubric=call.rubric,
                store=AttemptStore(),
                trainee=call.trainee,
                seed=call.token,
                observers=[call],
            )
            call.attempt_id = call.practice.attempt_id
            if call.voice is not None:
                call.voice.attempt_id = call.attempt_id
            if call.scenario.mode.value != "chat":
                await asyncio.to_thread(RecordingStore().set_mode, call.attempt_id, call.mode)
            outcome = await call.practice.finish()
        except Exception:
            logger.exception("practice call %s failed", call.token)
            call.status = "error"
            call.publish({"type": "error", "message": "There was an issue with the roleplay."})
            return
        call.attempt_id = outcome.attempt_id
        call.publish({"type": "graded", "attempt_id": outcome.attempt_id})

    def get(self, token: str) -> LiveCall | None:
        """Return the live call ``token``, or None (e.g. after a server restart)."""
        return self.calls.get(token)

    async def close(self) -> None:
        """Cancel every running call (server shutdown); recorded turns stay stored."""
        for call in self.calls.values():
            if call.voice is not None:
                await call.voice.close()
            if call.practice is not None and not call.practice.done:
                await call.practice.cancel()
            if call.task is not None and not call.task.done():
                call.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await call.task


def _voice_call(call: LiveCall, line: LineSettings) -> VoiceCall:
    from understudy.voice import require_voice

    require_voice()
    from understudy.voice.call import VoiceCall, monologue_limit
    from understudy.voice.engines import check_voice
    from understudy.voice.services import load_voice_settings

    engines = load_voice_settings()
    voice = call.persona.voice
    return VoiceCall(
        say=call.say,
        paused=lambda: call.status == "paused",
        voice=check_voice(voice) if engines.tts.engine == "espeak" else voice or "",
        engines=engines,
        store=AttemptStore(),
        recordings=RecordingStore(),
        talk_limit_s=monologue_limit(call.persona, call.token),
        seed=call.token,
        first_message=line.first_message,
        agent_voice=line.agent_voice,
        silence_timeout_s=line.silence_timeout_s,
        recording=line.recording,
        end_call=call.end_on_silence,
    )
