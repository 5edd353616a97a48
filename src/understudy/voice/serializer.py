"""The browser's audio over a WebSocket, as pipecat frames.

The call page sends the microphone as binary messages of 16-bit little-endian mono PCM at
``SAMPLE_RATE`` Hz and plays binary messages of the same format; a text message
``{"type": "clear"}`` tells it to drop the customer audio it has queued (the trainee barged in).
Everything else about the call (captions, clock, pause, end) goes over the call's JSON socket.
"""

from __future__ import annotations

import json

from pipecat.frames.frames import (
    Frame,
    InputAudioRawFrame,
    InterruptionFrame,
    OutputAudioRawFrame,
)
from pipecat.serializers.base_serializer import FrameSerializer

SAMPLE_RATE = 16_000
"""Samples per second of the audio both ways (Whisper's rate)."""


class BrowserAudioSerializer(FrameSerializer):
    """Raw PCM both ways, plus a ``clear`` message on an interruption."""

    async def serialize(self, frame: Frame) -> str | bytes | None:
        """Customer audio as bytes, an interruption as ``{"type": "clear"}``, else nothing."""
        if isinstance(frame, OutputAudioRawFrame):
            return bytes(frame.audio)
        if isinstance(frame, InterruptionFrame):
            return json.dumps({"type": "clear"})
        return None

    async def deserialize(self, data: str | bytes) -> Frame | None:
        """Microphone bytes as an input audio frame; text messages are ignored."""
        if isinstance(data, bytes) and len(data) >= 2:
            usable = len(data) - len(data) % 2
            return InputAudioRawFrame(audio=data[:usable], sample_rate=SAMPLE_RATE, num_channels=1)
        return None
