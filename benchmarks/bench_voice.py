"""Voice calls on this machine: response time, speech engines' speed and accuracy, memory.

Prints:
- speech-to-text (Whisper tiny.en, int8, 2 threads, decoded as in calls): model load time,
  word error rate and
  real-time factor on the recorded trainee lines (tests/fixtures/voice) and on the trainee lines
  of examples/scripts/practice-retail-return-good.txt spoken by eSpeak NG;
- text-to-speech (eSpeak NG): first-call time and real-time factor on the scenario's customer
  lines;
- response time: from the end of the trainee's speech to the first customer audio, p50 and
  p90, over voice calls played through the web app's audio socket in real time (three
  exchanges each, with the recorded lines);
- peak resident memory of this process.

A real-time factor is processing seconds per second of audio (below 1 is faster than real time).

Run: python benchmarks/bench_voice.py [--calls 3]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "voice"
GOOD_SCRIPT = REPO / "examples" / "scripts" / "practice-retail-return-good.txt"
RATE = 16_000


def words(text: str) -> list[str]:
    """Lower-case words without punctuation."""
    return re.sub(r"[^a-z0-9' ]", " ", text.lower()).split()


def wer(references: list[str], hypotheses: list[str]) -> float:
    """Word error rate summed over pairs of texts."""
    from rapidfuzz.distance import Levenshtein

    pairs = zip(references, hypotheses, strict=True)
    errors = sum(Levenshtein.distance(words(r), words(h)) for r, h in pairs)
    return errors / sum(len(words(r)) for r in references)


def fixture_lines() -> list[str]:
    """The recorded trainee lines' script."""
    text = (FIXTURES / "script.txt").read_text()
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def fixture_audio(n: int) -> np.ndarray:
    """Recorded line ``n`` as float32 samples at 16 kHz."""
    samples, _ = sf.read(FIXTURES / f"trainee-{n}.ogg", dtype="float32")
    return np.asarray(samples, dtype=np.float32)


def speech_to_text() -> None:
    """Whisper: load time, WER and real-time factor."""
    import soxr

    from understudy.voice.engines import BEAM_SIZE, synthesize, whisper_model

    started = time.perf_counter()
    model = whisper_model()
    print(f"speech-to-text model load: {time.perf_counter() - started:.2f} s")
    good = [
        line.strip()
        for line in GOOD_SCRIPT.read_text().splitlines()
        if line.strip() and not line.startswith(("#", "/"))
    ]
    sets = {
        "recorded trainee lines (tests/fixtures/voice)": [
            (line, fixture_audio(n)) for n, line in enumerate(fixture_lines(), 1)
        ],
    }
    spoken = []
    for line in good:
        pcm, rate = synthesize(line)
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768
        spoken.append((line, soxr.resample(samples, rate, RATE).astype(np.float32)))
    sets["good trainee script spoken by eSpeak NG (en-us)"] = spoken
    for name, pairs in sets.items():
        heard, seconds, audio_s = [], 0.0, 0.0
        for _, samples in pairs:
            started = time.perf_counter()
            segments, _ = model.transcribe(
                samples,
                language="en",
                beam_size=BEAM_SIZE,
                without_timestamps=True,
                condition_on_previous_text=False,
            )
            heard.append(" ".join(s.text for s in segments))
            seconds += time.perf_counter() - started
            audio_s += len(samples) / RATE
        refs = [line for line, _ in pairs]
        print(
            f"speech-to-text on {name}: WER {wer(refs, heard):.3f} over "
            f"{sum(len(words(r)) for r in refs)} words, real-time factor {seconds / audio_s:.3f}"
        )


def text_to_speech() -> None:
    """eSpeak NG: first call and real-time factor."""
    import yaml

    from understudy.voice.engines import synthesize

    scenario = yaml.safe_load((REPO / "examples/scenarios/practice-retail-return.yaml").read_text())
    lines = [scenario["opening_line"], *scenario["objections"], scenario["goal"]["reason_for_call"]]
    started = time.perf_counter()
    synthesize("Hello.")
    print(f"text-to-speech first call: {time.perf_counter() - started:.3f} s")
    seconds = audio_s = 0.0
    for line in lines * 3:
        started = time.perf_counter()
        pcm, rate = synthesize(line)
        seconds += time.perf_counter() - started
        audio_s += len(pcm) / 2 / rate
    print(f"text-to-speech real-time factor: {seconds / audio_s:.4f} ({audio_s:.0f} s of speech)")


def voiced_seconds(samples: np.ndarray) -> float:
    """Seconds from the start of ``samples`` to the last sample above 2% of full scale."""
    loud = np.nonzero(np.abs(samples) > 0.02)[0]
    return float(loud[-1] + 1) / RATE if len(loud) else 0.0


def response_times(calls: int) -> list[float]:
    """Play ``calls`` voice calls of three exchanges; return each reply's response time."""
    from understudy.voice.testing import FakePhone
    from understudy.web import create_app

    sys.path.insert(0, str(REPO / "tests"))
    from voice_helpers import install_voice_scenario
    from web_helpers import signed_in

    scenario_id = install_voice_scenario(Path(os.environ["UNDERSTUDY_HOME"]))
    latencies: list[float] = []
    for _ in range(calls):
        with signed_in(create_app()) as client:  # the web app needs a signed-in user
            response = client.post(
                f"/scenarios/{scenario_id}/call", data={"trainee": "bench"}, follow_redirects=False
            )
            token = response.headers["location"].rsplit("/", 1)[1]
            with (
                client.websocket_connect(f"/calls/{token}/ws") as ws,
                client.websocket_connect(f"/calls/{token}/audio") as audio,
            ):
                phone = FakePhone(audio)
                try:
                    phone.wait_for_customer(after=0.0)
                    for n in range(1, 4):
                        samples = fixture_audio(n)
                        pcm = (samples * 32767).astype("<i2").tobytes()
                        phone.speak(pcm)
                        speech_end = phone.speech_started_at + voiced_seconds(samples)
                        phone.speech_done.wait(30)
                        phone.wait_for_customer(after=speech_end)
                        first = min(t for t, _ in phone.received if t > speech_end)
                        latencies.append(first - speech_end)
                    ws.send_json({"type": "end"})
                finally:
                    phone.close()
    return latencies


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3, help="voice calls to time (3 replies each)")
    args = parser.parse_args()
    os.environ["UNDERSTUDY_HOME"] = tempfile.mkdtemp(prefix="understudy-bench-voice-")
    os.chdir(REPO)
    print(f"CPU cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}")
    speech_to_text()
    text_to_speech()
    latencies = response_times(args.calls)
    p50 = statistics.median(latencies)
    p90 = statistics.quantiles(latencies, n=10)[-1] if len(latencies) > 1 else latencies[0]
    print(
        f"end of trainee speech -> first customer audio over {len(latencies)} replies: "
        f"p50 {p50:.2f} s, p90 {p90:.2f} s (aim: under 1.0 s)"
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
