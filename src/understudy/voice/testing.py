"""A fake telephone for voice calls: tests and benchmarks talk to the audio socket with it.

``FakePhone`` streams 16 kHz PCM to a voice call's audio socket (``/calls/TOKEN/audio``) in real
time, 20 ms at a time, silence unless a recorded line is being spoken (as a real microphone
would), and notes when each piece of the customer's audio arrived. It works with any socket
object that has ``send_bytes`` and ``receive`` (Starlette's test client's, for instance).
"""

from __future__ import annotations

import threading
import time
from typing import Any, Protocol

RATE = 16_000
CHUNK = 320  # samples: 20 ms


class AudioSocket(Protocol):
    """The two calls ``FakePhone`` makes on a WebSocket."""

    def send_bytes(self, data: bytes) -> None:
        """Send one binary message."""

    def receive(self) -> Any:
        """Receive one ASGI message (``bytes``, ``text`` or a close)."""


class FakePhone:
    """Both directions of the audio socket, each in its own thread.

    Args:
        ws: the connected ``/calls/TOKEN/audio`` socket.
    """

    def __init__(self, ws: AudioSocket) -> None:
        self.ws = ws
        self.received: list[tuple[float, int]] = []  # (arrival time, bytes)
        self.clears: list[float] = []
        self._speech = bytearray()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.speech_done = threading.Event()  # set once the current line has been sent
        self.speech_started_at = 0.0
        self.speech_ended_at = 0.0
        self._threads = [
            threading.Thread(target=self._send, daemon=True),
            threading.Thread(target=self._receive, daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def speak(self, pcm: bytes) -> None:
        """Start speaking ``pcm`` now (the microphone sends it, then silence again)."""
        with self._lock:
            self.speech_done.clear()
            self._speech = bytearray(pcm)
            self.speech_started_at = time.monotonic()

    def say_and_wait(self, pcm: bytes) -> None:
        """Speak ``pcm`` and return when it has all been sent."""
        self.speak(pcm)
        assert self.speech_done.wait(60), "the line should have been sent within a minute"

    def customer_audio_after(self, moment: float) -> float:
        """Seconds of customer audio that arrived after ``moment`` (a ``time.monotonic``)."""
        return sum(n for t, n in self.received if t > moment) / 2 / RATE

    def last_audio_at(self) -> float:
        """When the latest customer audio arrived (0 when none did)."""
        return self.received[-1][0] if self.received else 0.0

    def wait_for_customer(self, after: float, timeout: float = 30.0, quiet_s: float = 0.8) -> None:
        """Wait until customer audio arrived after ``after`` and then stopped for ``quiet_s``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            last = self.last_audio_at()
            if last > after and time.monotonic() - last > quiet_s:
                return
            time.sleep(0.05)
        raise AssertionError(f"the customer should have spoken within {timeout} s")

    def close(self) -> None:
        """Stop both threads."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)

    def _send(self) -> None:  # the microphone
        silence = bytes(CHUNK * 2)
        next_at = time.monotonic()
        while not self._stop.is_set():
            with self._lock:
                chunk = bytes(self._speech[: CHUNK * 2])
                del self._speech[: CHUNK * 2]
                if not chunk and not self.speech_done.is_set():
                    self.speech_ended_at = time.monotonic()
                    self.speech_done.set()
            try:
                self.ws.send_bytes(chunk.ljust(CHUNK * 2, b"\0") if chunk else silence)
            except Exception:
                return
            next_at += CHUNK / RATE
            time.sleep(max(0.0, next_at - time.monotonic()))

    def _receive(self) -> None:  # the loudspeaker
        while not self._stop.is_set():
            try:
                message = self.ws.receive()
            except Exception:
                return
            if message.get("type") == "websocket.close":
                return
            if message.get("bytes"):
                self.received.append((time.monotonic(), len(message["bytes"])))
            elif message.get("text") and "clear" in message["text"]:
                self.clears.append(time.monotonic())
