"""The recorded trainee lines of the voice tests, word error rate, and a voice scenario."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import soundfile as sf
from rapidfuzz.distance import Levenshtein

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "voice"
RATE = 16_000


def script_lines() -> list[str]:
    """The trainee's lines, in the order of the fixture files."""
    text = (FIXTURES / "script.txt").read_text()
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def fixture_pcm(n: int) -> bytes:
    """Line ``n`` (1-based) of the script as 16 kHz mono 16-bit PCM."""
    samples, rate = sf.read(FIXTURES / f"trainee-{n}.ogg", dtype="int16")
    assert rate == RATE, f"trainee-{n}.ogg should be 16 kHz"
    return bytes(samples.tobytes())


def words(text: str) -> list[str]:
    """Lower-case words without punctuation, numbers spelled as written."""
    return re.sub(r"[^a-z0-9' ]", " ", text.lower()).split()


def word_error_rate(reference: list[str], hypothesis: list[str]) -> float:
    """Word-level edit distance over the reference's length, summed over pairs of texts."""
    errors = sum(
        Levenshtein.distance(words(r), words(h)) for r, h in zip(reference, hypothesis, strict=True)
    )
    return errors / sum(len(words(r)) for r in reference)


def install_voice_scenario(home: Path, mode: str = "voice") -> str:
    """Copy the retail-return practice scenario into the library as a ``mode`` scenario.

    Returns:
        The new scenario's id.
    """
    source = REPO / "examples" / "scenarios"
    target = home / "scenarios"
    target.mkdir(parents=True, exist_ok=True)
    for folder in ("practice-personas", "practice-docs"):
        shutil.copytree(source / folder, target / folder, dirs_exist_ok=True)
    scenario_id = f"practice-retail-return-{mode}"
    text = (source / "practice-retail-return.yaml").read_text()
    text = text.replace("id: practice-retail-return", f"id: {scenario_id}")
    text = text.replace("time_limit_s: 600", f"time_limit_s: 600\nmode: {mode}")
    (target / f"{scenario_id}.yaml").write_text(text)
    return scenario_id
