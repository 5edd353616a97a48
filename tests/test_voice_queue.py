"""The customer's lines queued on a voice call when the trainee cuts the customer off (barge-in).

Pipecat's interruption drops every line queued behind the cut-off one, so the call must not wait
for them. These drive ``VoiceCall`` the way ``PracticeBridge`` does (the VAD's and the output's
speech starts and stops), with a stand-in for the pipeline that notes what is sent to the TTS.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from pipecat.frames.frames import Frame, TTSSpeakFrame

from understudy.domain.persona import Persona
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.domain.transcript import Message, Role
from understudy.engine.events import MessageAdded
from understudy.storage.attempt_store import AttemptStore
from understudy.storage.recordings import RecordingStore
from understudy.voice.call import VoiceCall
from understudy.voice.line import PRESENCE_CHECK


class Pipeline:
    """Stands in for the pipeline worker: keeps the text of each line sent to the TTS."""

    def __init__(self) -> None:
        self.spoken: list[str] = []
        self._queued = asyncio.Event()

    async def queue_frame(self, frame: Frame) -> None:
        if isinstance(frame, TTSSpeakFrame):
            self.spoken.append(frame.text)
            self._queued.set()

    async def sent(self, text: str) -> None:
        """Return once ``text`` has been sent to the TTS."""
        while text not in self.spoken:
            self._queued.clear()
            await self._queued.wait()


def new_call(**settings: object) -> tuple[VoiceCall, Pipeline, list[str]]:
    scenario = Scenario(id="q", persona="calm", goal=CustomerGoal(reason_for_call="A refund."))
    store = AttemptStore()
    attempt_id = store.start_attempt("kim", scenario, Persona(id="calm", name="Calm"))
    said: list[str] = []
    call = VoiceCall(
        say=said.append,
        paused=lambda: False,
        voice="en-us",
        store=store,
        recordings=RecordingStore(),
        attempt_id=attempt_id,
        recording=False,
        **settings,  # type: ignore[arg-type]
    )
    pipeline = Pipeline()
    call._worker = pipeline  # type: ignore[assignment]
    call._run_started = time.monotonic()
    return call, pipeline, said


async def add(call: VoiceCall, index: int, role: Role, text: str) -> None:
    message = Message(index=index, role=role, text=text)
    await call.on_event(MessageAdded(f"attempt-{call.attempt_id}", message, 0.0))


async def cut_off_with_a_line_queued_behind(call: VoiceCall) -> None:
    await add(call, 1, Role.customer, "Hi, I ordered a lamp and it arrived broken.")
    await add(call, 2, Role.customer, "I would like my money back, please.")
    await call.bot_started()  # line 1's audio goes out; line 2 waits behind it
    assert await call.trainee_started(), "the trainee cut line 1 off"
    await call.trainee_stopped()


async def test_a_line_dropped_behind_a_cut_off_one_does_not_hold_off_the_silence_timeout(
    understudy_home: Path,
) -> None:
    ended: list[bool] = []
    call, pipeline, _ = new_call(silence_timeout_s=0.4, end_call=lambda: ended.append(True))
    await cut_off_with_a_line_queued_behind(call)  # the trainee only coughed: no words
    watch = asyncio.ensure_future(call._watch_silence(0.4))
    try:
        try:
            await asyncio.wait_for(pipeline.sent(PRESENCE_CHECK), timeout=5)
        except TimeoutError:
            pytest.fail(f"the silence after the cut went unnoticed; sent: {pipeline.spoken}")
        await call.bot_started()
        await call.bot_stopped()
        await asyncio.wait_for(watch, timeout=5)
    finally:
        watch.cancel()
    assert ended == [True], "a second silence ended the call"
    events = AttemptStore().get(call.attempt_id or 0).events
    silences = [e["then"] for e in events if e["kind"] == "silence"]
    assert silences == ["presence_check", "ended"], silences
    assert [e["by"] for e in events if e["kind"] == "interruption"] == ["trainee"]


async def test_the_next_line_after_a_cut_gets_its_own_speech_times(understudy_home: Path) -> None:
    call, _, said = new_call()
    await cut_off_with_a_line_queued_behind(call)
    await call.transcribed("Sorry, go on.")
    await add(call, 3, Role.agent, said[0])
    await add(call, 4, Role.customer, "The lamp is broken.")
    await call.bot_started()
    await call.bot_stopped()
    assert not call._line_busy(), "nothing is left to come on the line"
    timed = {t.index: t for t in call.turns}
    assert sorted(timed) == [1, 3, 4], "line 2 was never spoken, so it has no times"
    assert timed[1].cut_off and not timed[4].cut_off
    assert timed[4].start_s >= timed[1].end_s
    assert "voice" in call._messages[4].meta and "voice" not in call._messages[2].meta
    events = AttemptStore().get(call.attempt_id or 0).events
    started = [e["turn"] for e in events if e["kind"] == "speech_started" and e["turn"]]
    assert started == [1, 4], "the customer's speech starts are logged on the lines spoken"
