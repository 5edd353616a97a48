"""An example voice bot to stress-test: a small pipecat pipeline that answers from simple rules.

It runs offline with understudy's voice engines (Silero VAD, Whisper tiny.en, eSpeak NG) and
serves pipecat's WebSocket protocol (``ProtobufFrameSerializer``, 16 kHz 16-bit mono PCM) on
``ws://HOST:PORT/ws``, one call per connection::

    transport in -> Silero VAD -> Whisper STT -> RulesBot -> eSpeak TTS -> transport out

Run it, then stress-test it from another terminal::

    python examples/voice_bot/bot.py --port 8765
    understudy stress-test --agent ws://127.0.0.1:8765/ws \
        --scenario examples/voice_bot/scenario.yaml -n 3

The rules (``reply_to``): a refund or a return asks for the order number; an order number (any
number) confirms the refund; thanks or goodbye ends the call (the bot says goodbye and hangs
up); opening hours are answered; anything else is a fallback ("Sorry, I didn't get that...").
``--greeting TEXT`` makes the bot speak first when a caller connects.
"""

from __future__ import annotations

import argparse
import re
from typing import Any

from fastapi import FastAPI, WebSocket
from pipecat.audio.vad.silero import SileroVADAnalyzer
from pipecat.audio.vad.vad_analyzer import VADParams
from pipecat.frames.frames import EndFrame, Frame, TranscriptionFrame, TTSSpeakFrame
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineParams, PipelineWorker
from pipecat.processors.audio.vad_processor import VADProcessor
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.serializers.protobuf import ProtobufFrameSerializer
from pipecat.transports.websocket.fastapi import FastAPIWebsocketParams, FastAPIWebsocketTransport
from pipecat.workers.runner import WorkerRunner

from understudy.voice import require_voice
from understudy.voice.engines import EspeakTTS, OfflineWhisperSTT, whisper_model

RATE = 16_000

ASK_ORDER = "I can help with that. What is your order number?"
CONFIRM = "Thank you. Your refund is on its way to your original payment method. Anything else?"
HOURS = "We are open from nine to five, Monday to Friday."
GOODBYE = "You're welcome. Goodbye!"
FALLBACK = "Sorry, I didn't get that. Could you say that again?"
_NUMBER = re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|zero|hundred|thousand)\b")


def reply_to(text: str) -> tuple[str, bool]:
    """The bot's answer to a caller's transcribed turn, and whether it then hangs up."""
    said = text.lower()
    if re.search(r"\b(bye|goodbye|that's all|that is all|thank you|thanks)\b", said) and not (
        _NUMBER.search(said)
    ):
        return GOODBYE, True
    if _NUMBER.search(said) or "order number" in said:
        return CONFIRM, False
    if re.search(r"\b(refund|return|money back)\b", said):
        return ASK_ORDER, False
    if re.search(r"\b(hours|open)\b", said):
        return HOURS, False
    return FALLBACK, False


class RulesBot(FrameProcessor):
    """Answers each transcribed caller turn with ``reply_to``; hangs up after a goodbye."""

    def __init__(self) -> None:
        super().__init__()
        self.worker: PipelineWorker | None = None

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        """Turn a transcription into a spoken reply; pass every other frame on."""
        await super().process_frame(frame, direction)
        if isinstance(frame, TranscriptionFrame) and frame.text.strip():
            answer, hang_up = reply_to(frame.text)
            await self.push_frame(TTSSpeakFrame(answer))
            if hang_up and self.worker is not None:
                await self.worker.queue_frame(EndFrame())  # after the goodbye is spoken
            return
        await self.push_frame(frame, direction)


def create_app(greeting: str | None = None) -> FastAPI:
    """The bot's web app: ``/ws`` takes one call per connection."""
    require_voice()
    whisper_model()  # load the model once, before the first call
    app = FastAPI(title="understudy example voice bot")

    @app.websocket("/ws")
    async def call(websocket: WebSocket) -> None:
        await websocket.accept()
        transport = FastAPIWebsocketTransport(
            websocket,
            FastAPIWebsocketParams(
                audio_in_enabled=True,
                audio_out_enabled=True,
                audio_in_sample_rate=RATE,
                audio_out_sample_rate=RATE,
                serializer=ProtobufFrameSerializer(),
                allowed_origins=[],
            ),
        )
        bot = RulesBot()
        pipeline = Pipeline(
            [
                transport.input(),
                VADProcessor(vad_analyzer=SileroVADAnalyzer(params=VADParams(stop_secs=0.5))),
                OfflineWhisperSTT(),
                bot,
                EspeakTTS(voice="en-gb", sample_rate=RATE),
                transport.output(),
            ]
        )
        worker = PipelineWorker(
            pipeline,
            params=PipelineParams(audio_in_sample_rate=RATE, audio_out_sample_rate=RATE),
            idle_timeout_secs=None,
            enable_rtvi=False,
        )
        bot.worker = worker

        async def on_disconnected(*_: Any) -> None:
            await worker.cancel()

        transport.add_event_handler("on_client_disconnected", on_disconnected)
        if greeting:
            await worker.queue_frame(TTSSpeakFrame(greeting))
        runner = WorkerRunner(handle_sigint=False)
        await runner.add_workers(worker)
        await runner.run()

    return app


def main() -> None:
    """Serve the bot: ``python examples/voice_bot/bot.py [--host H] [--port P] [--greeting T]``."""
    import uvicorn

    parser = argparse.ArgumentParser(description="understudy's example voice bot")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--greeting", default=None, help="what the bot says when a call starts")
    args = parser.parse_args()
    uvicorn.run(create_app(args.greeting), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
