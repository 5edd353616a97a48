"""A voice call's recording is written as it goes: a server killed mid-call keeps the audio
and turn times said so far, stored when the web app starts again. Real engines, real time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from understudy.storage.recordings import RecordingStore
from understudy.voice.call import decode_audio
from understudy.voice.spool import RecordingSpool, spool_dir
from understudy.web import create_app
from voice_helpers import REPO, install_voice_scenario
from web_helpers import signed_in

pytestmark = pytest.mark.slow


def test_a_killed_server_keeps_the_call_recorded_so_far(understudy_home: Path) -> None:
    scenario_id = install_voice_scenario(understudy_home)
    with signed_in(create_app()):
        pass  # the database and the administrator exist before the server process starts
    server = subprocess.Popen(
        [sys.executable, str(REPO / "tests" / "voice_crash_server.py"), scenario_id],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "UNDERSTUDY_HOME": str(understudy_home)},
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()  # blocks until the call has had one exchange
        assert line.startswith("READY"), f"the call server said {line!r}"
        attempt_id = int(line.split()[1])
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=20)
        if server.stdout is not None:
            server.stdout.close()
    spool = RecordingSpool(attempt_id)
    assert spool.audio_path.exists(), "the audio was on disk when the server died"
    recording = RecordingStore().get(attempt_id)
    assert recording is None or recording.audio is None, "nothing was stored the usual way"
    with signed_in(create_app()):  # the web app starts again: the recording is recovered
        pass
    recording = RecordingStore().get(attempt_id)
    assert recording is not None and recording.audio is not None
    samples, rate = decode_audio(recording.audio)
    assert samples.shape[0] / rate >= 8, "the opening line, the trainee's line and the reply"
    assert abs(samples[:, 0]).max() > 0.05 and abs(samples[:, 1]).max() > 0.05, "both sides"
    timed = {(t.role, t.index) for t in recording.turns}
    assert {("customer", 1), ("agent", 2)} <= timed, recording.turns
    assert not list(spool_dir().glob(f"attempt-{attempt_id}.*")), "the spool is cleared"


def test_the_spool_keeps_the_last_times_of_each_turn_and_skips_a_torn_line(
    tmp_path: Path,
) -> None:
    from understudy.storage.recordings import TurnTiming

    spool = RecordingSpool(7, tmp_path)
    spool.append_audio(b"\x01\x00" * 6)  # three stereo frames
    spool.append_audio(b"\x02\x00")  # half a frame: the crash came mid-write
    spool.add_turn(TurnTiming(index=1, role="customer", start_s=0.5, end_s=3.0))
    spool.add_turn(TurnTiming(index=1, role="customer", start_s=0.5, end_s=2.0, cut_off=True))
    with spool.turns_path.open("a") as out:
        out.write('{"index": 2, "role": "ag')  # the crash tore the last line
    assert spool.audio() == b"\x01\x00" * 6, "whole frames only"
    turns = spool.turns()
    assert [(t.index, t.end_s, t.cut_off) for t in turns] == [(1, 2.0, True)]
    spool.remove()
    assert not spool.audio_path.exists() and not spool.turns_path.exists()
