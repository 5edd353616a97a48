"""Voice stress-tests: ``stress-test --agent ws://...`` against bots that talk, on loopback.

The example bot (examples/voice_bot/bot.py: Silero VAD, Whisper tiny.en, eSpeak NG, answering
from rules) runs in its own process; the stress-test speaks each customer line through eSpeak NG
and transcribes the bot's audio with Whisper. Two hand-made WebSocket servers stand for a bot
whose connection drops and one that talks over the customer. Real engines, real time: slow.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from understudy.cli.app import app
from understudy.metrics.voice import percentile, voice_metrics
from understudy.storage.store import Store
from voice_helpers import REPO

pytestmark = pytest.mark.slow

BOT = REPO / "examples" / "voice_bot" / "bot.py"
SCENARIO = REPO / "examples" / "voice_bot" / "scenario.yaml"
runner = CliRunner()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, "the example bot exited"
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"the example bot did not listen on {port} within {timeout_s} s")


@pytest.fixture
def example_bot(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    log = tmp_path / "bot.log"
    with log.open("wb") as errors:
        process = subprocess.Popen(
            [sys.executable, str(BOT), "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    try:
        wait_for_port(port, process)
        yield f"ws://127.0.0.1:{port}/ws"
    finally:
        process.terminate()
        process.wait(timeout=20)


def stress(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["stress-test", *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_batch_against_the_example_voice_bot_stores_transcripts_and_latencies(
    understudy_home: Path, example_bot: str
) -> None:
    code, out, err = stress(
        "--agent", example_bot, "--scenario", str(SCENARIO), "-n", "2", "--seed", "3", "--json"
    )
    assert code == 0, err + out
    report = json.loads(out)
    store = Store()
    transcripts = store.transcripts(report["run_id"])
    assert len(transcripts) == 2
    for result in transcripts:
        bot = [m for m in result.messages if m.role.value == "agent"]
        assert bot, "the bot's replies are transcribed"
        assert "order number" in bot[0].text.lower(), f"heard {bot[0].text!r}"
        assert all(m.meta["voice"]["latency_s"] is not None for m in bot)
    assert report["metrics"]["completion_rate"]["k"] == 2, "the bot confirmed both refunds"
    voice = report["voice"]
    assert voice["replies"] == sum(
        1 for r in transcripts for m in r.messages if m.role.value == "agent"
    )
    assert 0 < voice["latency_p50_s"] <= voice["latency_p90_s"] < 10
    assert voice["interruptions"] == 0
    # Stored with the run: `runs show` reads them back.
    shown = runner.invoke(app, ["runs", "show", report["run_id"], "--json"])
    assert shown.exit_code == 0, shown.stderr
    assert json.loads(shown.stdout)["voice"] == voice
    text = runner.invoke(app, ["runs", "show", report["run_id"]]).stdout
    assert "response latency p50" in text and f"{voice['latency_p50_s']:.2f} s" in text


class FakeBot:
    """A WebSocket server on loopback, in its own thread, running ``handler`` per connection."""

    def __init__(self, handler: Callable[[Any], Awaitable[None]]) -> None:
        self.port = free_port()
        self.handler = handler
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Future[None] | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        assert self._ready.wait(10)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def _run(self) -> None:
        from websockets.asyncio.server import serve

        async def main() -> None:
            self._stop = self._loop.create_future()
            async with serve(self.handler, "127.0.0.1", self.port):
                self._ready.set()
                await self._stop

        self._loop.run_until_complete(main())

    def close(self) -> None:
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set_result, None)
        self._thread.join(10)
        self._loop.close()


def test_a_dropped_bot_connection_ends_that_conversation_with_a_reason_not_the_batch(
    understudy_home: Path,
) -> None:
    async def drop_after_a_second(ws: Any) -> None:
        for _ in range(50):  # a second of the customer's audio, then the line goes dead
            await ws.recv()
        ws.transport.abort()

    bot = FakeBot(drop_after_a_second)
    try:
        code, out, _err = stress(
            "--agent", bot.url, "--scenario", str(SCENARIO), "-n", "2", "--json"
        )
    finally:
        bot.close()
    assert code == 1, "finished, with conversation errors"
    report = json.loads(out)
    assert report["status"] == "finished" and report["played"] == 2
    assert len(report["errors"]) == 2
    for error in report["errors"]:
        assert "the connection dropped" in error["error"], error
        assert bot.url in error["error"], "the reason names the bot"
    assert Store().get_run(report["run_id"]).status == "finished"


def test_a_bot_talking_over_the_customer_counts_as_an_interruption(
    understudy_home: Path,
) -> None:
    from pipecat.frames.frames import OutputAudioRawFrame
    from pipecat.serializers.protobuf import ProtobufFrameSerializer

    from understudy.voice.bot_client import speech_pcm

    line = speech_pcm("Sorry, we are closed today. Goodbye.", "en-gb")
    serializer = ProtobufFrameSerializer()

    async def talk_over_then_hang_up(ws: Any) -> None:
        heard = 0
        while heard < 25:  # half a second into the customer's line
            frame = await serializer.deserialize(await ws.recv())
            heard += bool(frame is not None and any(getattr(frame, "audio", b"")))

        async def drain() -> None:  # go on reading the microphone, as a bot does
            with contextlib.suppress(Exception):
                async for _ in ws:
                    pass

        reading = asyncio.create_task(drain())
        for at in range(0, len(line), 640):
            frame = OutputAudioRawFrame(
                audio=line[at : at + 640], sample_rate=16000, num_channels=1
            )
            await ws.send(await serializer.serialize(frame))
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.3)
        await ws.close(1000, "goodbye")
        await reading

    bot = FakeBot(talk_over_then_hang_up)
    try:
        code, out, err = stress(
            "--agent", bot.url, "--scenario", str(SCENARIO), "-n", "1", "--json"
        )
    finally:
        bot.close()
    assert code == 0, err + out
    report = json.loads(out)
    assert report["voice"]["interruptions"] == 1
    assert report["voice"]["latency_p50_s"] is None, "no latency when the bot did not wait"
    result = Store().transcripts(report["run_id"])[0]
    reply = result.messages[-1]
    assert reply.role.value == "agent" and "closed today" in reply.text.lower(), reply.text
    assert reply.meta["voice"]["talked_over"] is True
    assert result.termination_reason.value == "agent_ended", "the bot hung up"


def test_voice_metrics_sum_up_the_replies_timings() -> None:
    assert percentile([3.0, 1.0, 2.0, 4.0], 0.5) == 2.0
    assert percentile([3.0, 1.0, 2.0, 4.0], 0.9) == 4.0
    assert voice_metrics([]) is None
    metrics = voice_metrics(
        [
            {"latency_s": 0.8, "talked_over": False, "longest_silence_s": 0.8, "long_silences": 0},
            {"latency_s": None, "talked_over": True, "longest_silence_s": 0.0, "long_silences": 0},
            {"latency_s": 3.5, "talked_over": False, "longest_silence_s": 3.5, "long_silences": 1},
        ]
    )
    assert metrics is not None
    assert (metrics.replies, metrics.interruptions, metrics.long_silences) == (3, 1, 1)
    assert (metrics.latency_p50_s, metrics.latency_p90_s, metrics.longest_silence_s) == (
        0.8,
        3.5,
        3.5,
    )


def test_a_bot_that_speaks_first_is_heard_before_the_customer_answers(
    understudy_home: Path, tmp_path: Path
) -> None:
    from pipecat.frames.frames import OutputAudioRawFrame
    from pipecat.serializers.protobuf import ProtobufFrameSerializer

    from understudy.voice.bot_client import speech_pcm

    greeting = speech_pcm("Hello, how can I help you today?", "en-gb")
    confirm = speech_pcm("Your refund is on its way.", "en-gb")
    serializer = ProtobufFrameSerializer()

    async def say(ws: Any, pcm: bytes) -> None:
        for at in range(0, len(pcm), 640):
            frame = OutputAudioRawFrame(audio=pcm[at : at + 640], sample_rate=16000, num_channels=1)
            await ws.send(await serializer.serialize(frame))
            await asyncio.sleep(0.02)

    async def greet_then_confirm(ws: Any) -> None:
        await say(ws, greeting)
        voiced = quiet = 0
        while voiced < 25 or quiet < 30:  # the customer spoke, then stopped for 0.6 s
            frame = await serializer.deserialize(await ws.recv())
            if frame is not None and any(getattr(frame, "audio", b"")):
                voiced, quiet = voiced + 1, 0
            else:
                quiet += 1
        await say(ws, confirm)
        await asyncio.sleep(2.0)  # the customer's reply to this is not awaited: goal met
        await ws.close(1000)

    scenario = tmp_path / "greeted.yaml"
    scenario.write_text(
        SCENARIO.read_text().replace("persona: calm", "persona: calm\nfirst_speaker: agent")
    )
    bot = FakeBot(greet_then_confirm)
    try:
        code, out, err = stress(
            "--agent", bot.url, "--scenario", str(scenario), "-n", "1", "--json"
        )
    finally:
        bot.close()
    assert code == 0, err + out
    result = Store().transcripts(json.loads(out)["run_id"])[0]
    roles = [m.role.value for m in result.messages]
    assert roles[:3] == ["agent", "customer", "agent"], roles
    assert "help" in result.messages[0].text.lower(), result.messages[0].text
    assert "refund" in result.messages[2].text.lower(), result.messages[2].text
    latency = result.messages[2].meta["voice"]["latency_s"]
    assert 0.5 <= latency < 3, "the bot answered after the 0.6 s it waited for the customer"
    assert result.termination_reason.value == "goal_met"


def test_a_bad_voice_bot_option_in_config_names_the_file_and_line(understudy_home: Path) -> None:
    understudy_home.mkdir(parents=True, exist_ok=True)
    (understudy_home / "config.yaml").write_text("voice_bot:\n  reply_timeout_s: -1\n")
    code, _out, err = stress("--agent", "ws://127.0.0.1:9/ws", "-n", "1")
    assert code == 2
    assert "config.yaml:2" in err and "voice_bot.reply_timeout_s" in err, err
