"""Make the recorded trainee audio the voice tests use (tests/fixtures/voice/).

Each line of ``tests/fixtures/voice/script.txt`` is spoken once by eSpeak NG (voice
``en-us+m3``, a different voice from the customer's default) and stored as 16 kHz mono
OGG/Opus, ``trainee-N.ogg`` for line N. The files are committed: run this again only after
editing the script.

Usage: python scripts/make_voice_fixtures.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from understudy.voice.engines import synthesize

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "voice"
VOICE = "en-us+m3"
RATE = 16_000


def main() -> None:
    """Write one OGG file per script line."""
    lines = [
        line.strip()
        for line in (FIXTURES / "script.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for n, line in enumerate(lines, 1):
        pcm, rate = synthesize(line, VOICE)
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768
        resampled = soxr.resample(samples, rate, RATE)
        path = FIXTURES / f"trainee-{n}.ogg"
        sf.write(path, resampled, RATE, format="OGG", subtype="OPUS")
        print(f"{path.name}: {len(resampled) / RATE:.1f} s  {line}")


if __name__ == "__main__":
    main()
