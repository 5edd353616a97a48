"""When the machine fails understudy: a damaged database, one from a newer release, a full disk,
a read-only database, an unusable home folder. Each is one paragraph saying what to do, exit code
2, no traceback, and nothing stored before is lost.

The real command runs in a subprocess (``python -m understudy.cli``-style, through ``main``). A
full disk and a read-only database are produced by SQLite itself, through a ``sitecustomize``
module that sets ``PRAGMA max_page_count`` (SQLite then fails with SQLITE_FULL, "database or disk
is full", the error of a full disk) or ``PRAGMA query_only`` (SQLITE_READONLY) on every
connection. A run on a real 900 kB tmpfs gave the same message and exit code (see
docs/hardening.md). A genuinely read-only home (every folder 0555, every file 0444) and a missing
home in a read-only folder are produced with file modes; as root (CI) the CLI runs through
``setpriv`` without the capabilities that let root ignore them, and a probe first checks that the
folder really refuses writes, so the tests fail rather than pass vacuously where that is not so.
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FLOW = REPO / "examples" / "flows" / "refund.yaml"

SITE = """
import os
from sqlalchemy import event
from sqlalchemy.engine import Engine

PRAGMA = os.environ.get("UNDERSTUDY_TEST_PRAGMA")

@event.listens_for(Engine, "connect")
def _machine(dbapi_connection, _record):
    if PRAGMA:
        dbapi_connection.execute(f"PRAGMA {PRAGMA}")
"""

pytestmark = pytest.mark.slow


def understudy(
    home: Path,
    *args: str,
    pragma: str = "",
    site: Path | None = None,
    prefix: Sequence[str] = (),
) -> tuple[int, str]:
    """Run the CLI (as ``understudy`` does) in a subprocess; ``prefix`` is a command it runs
    under (e.g. ``setpriv ...``). Returns the exit code and stderr."""
    env = {**os.environ, "UNDERSTUDY_HOME": str(home)}
    env.pop("UNDERSTUDY_DATABASE_URL", None)
    if pragma and site is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")])
        env["UNDERSTUDY_TEST_PRAGMA"] = pragma
    code = "import sys; from understudy.cli.app import main; sys.argv[0] = 'understudy'; main()"
    done = subprocess.run(
        [*prefix, sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    return done.returncode, done.stderr


def fresh_database(home: Path) -> Path:
    code, err = understudy(home, "runs", "list")
    assert code == 0, err
    return home / "understudy.db"


def assert_one_paragraph(err: str, *words: str) -> None:
    assert "Traceback" not in err, err
    text = " ".join(err.split())
    for word in words:
        assert word in text, text


@pytest.fixture
def site(tmp_path: Path) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(textwrap.dedent(SITE))
    return folder


@pytest.mark.parametrize("damage", ["random bytes", "text", "truncated"])
def test_a_damaged_database_is_explained_and_left_as_it_was(tmp_path: Path, damage: str) -> None:
    home = tmp_path / "home"
    database = fresh_database(home)
    if damage == "random bytes":
        database.write_bytes(random.Random(7).randbytes(16384))
    elif damage == "text":
        database.write_text("these are not the runs you are looking for\n" * 200)
    else:
        raw = database.read_bytes()
        database.write_bytes(raw[:100] + b"\xff" * 100 + raw[200 : len(raw) // 2])
    before = database.read_bytes()
    code, err = understudy(home, "runs", "list")
    assert code == 2, err
    assert_one_paragraph(err, "is damaged", "Move it aside", "run the command again")
    assert database.read_bytes() == before, "a damaged database is not changed"


def test_a_database_from_a_newer_release_is_refused_untouched(tmp_path: Path) -> None:
    home = tmp_path / "home"
    database = fresh_database(home)
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    code, err = understudy(home, "stress-test", str(FLOW), "-n", "2")
    assert code == 2, err
    assert_one_paragraph(err, "newer release", "9999_from_the_future", "pip install -U")
    with sqlite3.connect(database) as connection:
        version = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        runs = connection.execute("SELECT count(*) FROM runs").fetchone()[0]
    assert (version, runs) == ([("9999_from_the_future",)], 0), "the schema is left as it was"


def test_a_full_disk_mid_run_keeps_what_was_stored_and_the_run_is_closed(
    tmp_path: Path, site: Path
) -> None:
    home = tmp_path / "home"
    database = fresh_database(home)
    with sqlite3.connect(database) as connection:
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
    code, err = understudy(
        home,
        "stress-test",
        str(FLOW),
        "-n",
        "200",
        pragma=f"max_page_count={pages + 40}",
        site=site,
    )
    assert code == 2, err
    assert_one_paragraph(err, "The disk is full", "Free some space", "UNDERSTUDY_HOME")
    with sqlite3.connect(database) as connection:
        stored = connection.execute("SELECT count(*) FROM conversations").fetchone()[0]
    assert 0 < stored < 200, f"conversations recorded before the disk filled stay ({stored})"
    code, err = understudy(home, "runs", "list")  # space again: the next start tidies up
    assert code == 0, err
    with sqlite3.connect(database) as connection:
        statuses = [row[0] for row in connection.execute("SELECT status FROM runs")]
        after = connection.execute("SELECT count(*) FROM conversations").fetchone()[0]
    # "failed" (with the error) when the closing write still fitted in what the last, refused
    # group commit left free; "interrupted" when the next start tidied the run up. Either way
    # the run is closed and `runs resume` finishes it.
    assert statuses in (["failed"], ["interrupted"]), statuses
    assert after == stored, "nothing stored was lost"


def test_a_read_only_database_is_explained(tmp_path: Path, site: Path) -> None:
    home = tmp_path / "home"
    fresh_database(home)
    code, err = understudy(
        home, "stress-test", str(FLOW), "-n", "2", pragma="query_only=ON", site=site
    )
    assert code == 2, err
    assert_one_paragraph(err, "read-only", "UNDERSTUDY_HOME")


@pytest.mark.parametrize("where", ["under a file", "a file"])
def test_an_unusable_home_folder_is_explained(tmp_path: Path, where: str) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    home = blocker / "home" if where == "under a file" else blocker
    code, err = understudy(home, "stress-test", str(FLOW), "-n", "2")
    assert code == 2, err
    assert_one_paragraph(err, "UNDERSTUDY_HOME", str(blocker))


DROP_ROOT_POWERS = [
    "setpriv",
    "--bounding-set=-dac_override,-dac_read_search",
    "--inh-caps=-dac_override,-dac_read_search",
    "--",
]
"""Run a command as root without the two capabilities that let root ignore file modes, so a
0555 folder refuses it as it refuses any user (``setpriv`` is in util-linux, on every Debian). It
stays uid 0, so it still reads the checkout and the virtual environment wherever they are. As a
user other than root, the file modes alone refuse it."""


def understudy_without_root_powers(home: Path, *args: str) -> tuple[int, str]:
    """Run the CLI (as ``understudy`` does) unable to write into read-only folders, even as root."""
    return understudy(home, *args, prefix=DROP_ROOT_POWERS if os.geteuid() == 0 else ())


def make_read_only(top: Path) -> None:
    for folder, _dirs, files in os.walk(top):
        for name in files:
            Path(folder, name).chmod(0o444)
        Path(folder).chmod(0o555)


def make_writable(top: Path) -> None:
    for folder, _dirs, files in os.walk(top):
        Path(folder).chmod(0o755)
        for name in files:
            Path(folder, name).chmod(0o644)


def assert_really_read_only(folder: Path) -> None:
    """The mechanism works here: a process started like the CLI cannot create a file in it."""
    prefix = DROP_ROOT_POWERS if os.geteuid() == 0 else []
    probe = folder / "probe"
    done = subprocess.run([*prefix, "touch", str(probe)], capture_output=True, timeout=30)
    assert done.returncode != 0 and not probe.exists(), "the folder must refuse writes"


def test_a_really_read_only_home_is_explained_and_nothing_stored_is_lost(tmp_path: Path) -> None:
    home = tmp_path / "home"
    code, err = understudy(home, "stress-test", str(FLOW), "-n", "2", "--seed", "3")
    assert code == 0, err
    with sqlite3.connect(home / "understudy.db") as connection:
        before = connection.execute("SELECT id, status FROM runs").fetchall()
        stored = connection.execute("SELECT count(*) FROM conversations").fetchone()[0]
    snapshot = (home / "understudy.db").read_bytes()
    make_read_only(home)
    try:
        assert_really_read_only(home)
        code, err = understudy_without_root_powers(home, "stress-test", str(FLOW), "-n", "2")
        assert code == 2, err
        assert_one_paragraph(err, "read-only", "UNDERSTUDY_HOME", "is kept")
        assert len(err.strip().splitlines()) <= 6, err
        assert (home / "understudy.db").read_bytes() == snapshot, "the database is untouched"
    finally:
        make_writable(home)
    with sqlite3.connect(home / "understudy.db") as connection:
        assert connection.execute("SELECT id, status FROM runs").fetchall() == before
        assert connection.execute("SELECT count(*) FROM conversations").fetchone()[0] == stored
    assert before and stored > 0


def test_a_missing_home_in_a_read_only_folder_is_explained(tmp_path: Path) -> None:
    parent = tmp_path / "parent"
    parent.mkdir()
    (parent / "kept.txt").write_text("left alone")
    make_read_only(parent)
    try:
        assert_really_read_only(parent)
        home = parent / "home"
        code, err = understudy_without_root_powers(home, "stress-test", str(FLOW), "-n", "2")
        assert code == 2, err
        assert_one_paragraph(err, str(home), "UNDERSTUDY_HOME", "Permission denied")
        assert not home.exists()
    finally:
        make_writable(parent)
    assert (parent / "kept.txt").read_text() == "left alone"
