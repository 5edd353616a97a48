"""A persona's sample lines as sound: what the customer will sound like in a voice call.

``render_lines`` speaks each line with the persona's voice (``engines.check_voice``) and joins
them with a short pause; ``write_audio`` saves that as WAV, FLAC or OGG/Opus by the file's
extension. ``personas preview ID --audio FILE`` and the web app's persona Preview use them.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import soundfile as sf

from understudy.domain.persona import Persona
from understudy.voice.engines import VoiceSetupError, check_voice, synthesize

GAP_S = 0.6
"""Silence between two sample lines, in seconds."""

FORMATS = {".wav": ("WAV", "PCM_16"), ".flac": ("FLAC", "PCM_16"), ".ogg": ("OGG", "OPUS")}
"""File extension -> (soundfile format, subtype)."""


def render_lines(persona: Persona, lines: Sequence[str]) -> tuple[np.ndarray, int]:
    """Speak ``lines`` in the persona's voice, one after another.

    Returns:
        16-bit mono samples and their sample rate in Hz.

    Raises:
        VoiceSetupError: the persona's voice is not installed (the message lists those that
            are) or eSpeak NG is missing.
    """
    voice = check_voice(persona.voice)
    parts: list[np.ndarray] = []
    rate = 0
    for line in lines:
        pcm, rate = synthesize(line, voice)
        if parts:
            parts.append(np.zeros(int(GAP_S * rate), dtype=np.int16))
        parts.append(np.frombuffer(pcm, dtype="<i2"))
    samples = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)
    return samples, rate


def encode(samples: np.ndarray, rate: int, suffix: str) -> bytes:
    """Encode mono samples as the file type of ``suffix`` (``.wav``, ``.flac`` or ``.ogg``).

    Raises:
        VoiceSetupError: another suffix (the message lists the ones supported).
    """
    try:
        kind, subtype = FORMATS[suffix.lower()]
    except KeyError:
        known = ", ".join(FORMATS)
        what = suffix or "a file without extension"
        raise VoiceSetupError(f"cannot write {what}: use {known}") from None
    if kind == "OGG" and rate not in (8000, 12000, 16000, 24000, 48000):
        import soxr

        samples = soxr.resample(samples.astype(np.float32) / 32768, rate, 24000)
        samples = (np.clip(samples, -1, 1) * 32767).astype(np.int16)
        rate = 24000
    out = io.BytesIO()
    sf.write(out, samples, rate, format=kind, subtype=subtype)
    return out.getvalue()


def write_audio(persona: Persona, lines: Sequence[str], path: Path) -> float:
    """Write the persona's lines as sound to ``path``; return its length in seconds.

    Raises:
        VoiceSetupError: unknown voice, missing eSpeak NG or an unsupported file extension.
    """
    samples, rate = render_lines(persona, lines)
    path.write_bytes(encode(samples, rate, path.suffix))
    return len(samples) / rate if rate else 0.0
