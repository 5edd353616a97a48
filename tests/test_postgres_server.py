"""The throwaway PostgreSQL cluster of a killed test session is reaped by the next session.

A subprocess starts a cluster the way the test session does, then is SIGKILLed: its server keeps
running (``pg_ctl`` detached it). The next ``reap_stale_clusters`` stops that server and removes
its folder, and leaves alone a cluster whose owner still runs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from postgres_server import OWNER_FILE, owner_alive, reap_stale_clusters

TESTS = Path(__file__).resolve().parent

START_AND_WAIT = """
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from postgres_server import PostgresServer
server = PostgresServer.start(Path(sys.argv[2]))
print(server.folder, flush=True)
time.sleep(600)
"""


@pytest.fixture
def parent() -> Iterator[Path]:
    # Not pytest's tmp_path: under root the server runs as "postgres", which must reach it.
    folder = Path(tempfile.mkdtemp(prefix="understudy-pg-test-"))
    folder.chmod(0o755)
    yield folder
    reap_stale_clusters(folder)
    for leftover in folder.iterdir():
        subprocess.run(["rm", "-rf", str(leftover)], check=False)
    folder.rmdir()


def _server_pid(folder: Path) -> int:
    return int((folder / "data" / "postmaster.pid").read_text().split()[0])


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _start_owner(parent: Path) -> tuple[subprocess.Popen[str], Path]:
    owner = subprocess.Popen(
        [sys.executable, "-c", START_AND_WAIT, str(TESTS), str(parent)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert owner.stdout is not None
    folder = Path(owner.stdout.readline().strip())
    assert folder.parent == parent, "the cluster was started"
    return owner, folder


def test_a_cluster_whose_session_was_killed_is_reaped(parent: Path) -> None:
    killed, stale = _start_owner(parent)
    alive, kept = _start_owner(parent)
    try:
        server = _server_pid(stale)
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=30)
        assert _running(server), "the server outlives its killed session"
        assert owner_alive(stale) is False and owner_alive(kept) is True

        assert reap_stale_clusters(parent) == [stale]

        assert not stale.exists(), "the stale cluster's folder is removed"
        deadline = time.monotonic() + 10
        while _running(server) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _running(server), "the stale cluster's server is stopped"
        assert (kept / OWNER_FILE).exists() and _running(_server_pid(kept)), (
            "a cluster whose session still runs is left alone"
        )
    finally:
        for process in (killed, alive):
            process.kill()
            process.wait(timeout=30)
            assert process.stdout is not None
            process.stdout.close()


def test_a_folder_without_an_owner_record_is_left_alone(parent: Path) -> None:
    unknown = parent / "understudy-pg-unknown"
    (unknown / "data").mkdir(parents=True)
    assert owner_alive(unknown) is None
    assert reap_stale_clusters(parent) == []
    assert unknown.exists()


def test_a_first_version_record_is_reaped_only_when_its_pid_is_gone(parent: Path) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait(timeout=30)
    dead = parent / "understudy-pg-legacy-dead"
    live = parent / "understudy-pg-legacy-live"
    for folder, pid in ((dead, gone.pid), (live, os.getpid())):
        folder.mkdir()
        (folder / "owner").write_text(f"{pid} 12345")
    assert owner_alive(dead) is False and owner_alive(live) is True
    assert reap_stale_clusters(parent) == [dead]
    assert live.exists()
