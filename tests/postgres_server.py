"""A throwaway PostgreSQL server for the test suite.

``PostgresServer.start()`` runs ``initdb`` into a fresh temporary folder and starts ``postgres``
on a Unix socket in that folder (no TCP port, so nothing else on the machine can collide with
it), with trust authentication, durability switched off (fsync, full-page writes: a test
cluster is thrown away) and a time zone far from UTC (``SERVER_TIME_ZONE``). ``stop()`` stops
it and removes the folder.

PostgreSQL refuses to run as root; under root the server runs as the ``postgres`` account
(which Debian's package creates) through ``runuser``. The binaries are looked up on ``PATH``,
then in Debian's ``/usr/lib/postgresql/<version>/bin``; ``scripts/install-system-deps.sh``
installs them when missing.

A cluster outlives a test session that is killed (SIGKILL, an out-of-memory kill), since
``pg_ctl`` detaches the server. So each cluster folder records its owner (``owner.json``: the
pid of the process that started it, and when), and ``start()`` first reaps the clusters whose
owner is gone (``reap_stale_clusters``): it stops their server and removes their folder. Folders
without an ``owner.json`` record (an older run, or one still being set up) are left alone.

Setting ``UNDERSTUDY_TEST_POSTGRES_URL`` to a server URL whose user may create databases uses
that server instead of starting one.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine

from understudy.storage.store import owner_alive as process_owner_alive

EXTERNAL_URL_VARIABLE = "UNDERSTUDY_TEST_POSTGRES_URL"
SUPERUSER = "understudy"
SERVER_TIME_ZONE = "Asia/Kathmandu"
"""UTC+05:45 with no daylight saving: a moment read back in the server's zone, not in UTC, is off
by an amount no test can mistake for rounding."""
INSTALL_HINT = "run scripts/install-system-deps.sh (Debian/Ubuntu: apt-get install postgresql)"
FOLDER_PREFIX = "understudy-pg-"
OWNER_FILE = "owner.json"
"""In a cluster folder: ``{"owner_pid": ..., "recorded_at": epoch seconds}``, the process that
owns the cluster and when it recorded itself."""
LEGACY_OWNER_FILE = "owner"
"""The first version's record ("PID START"), still read so its leftovers are reaped."""


class PostgresUnavailable(RuntimeError):
    """The test server could not be found or started; the message says why and what to do."""


def find_binaries() -> Path:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres``.

    Raises:
        PostgresUnavailable: none was found on PATH or in /usr/lib/postgresql/*/bin.
    """
    on_path = shutil.which("pg_ctl")
    candidates = [Path(on_path).resolve().parent] if on_path else []
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    for folder in [*candidates, *debian]:
        if all((folder / name).is_file() for name in ("initdb", "pg_ctl", "postgres")):
            return folder
    raise PostgresUnavailable(
        f"PostgreSQL server binaries (initdb, pg_ctl) not found; {INSTALL_HINT}"
    )


def _run_as() -> str | None:
    """The account the server runs as: "postgres" under root (PostgreSQL refuses root)."""
    return "postgres" if os.geteuid() == 0 else None


def _owner_record(pid: int) -> str:
    return json.dumps({"owner_pid": pid, "recorded_at": time.time()})


def owner_alive(folder: Path) -> bool | None:
    """Whether the process that started the cluster in ``folder`` still runs (``pid`` alive and
    not a newer process that reused it: ``storage.store.owner_alive``).

    A folder from the first version of this module has ``owner`` ("PID ..."): its owner is
    gone only when no process has that pid (a reused pid keeps it, the safe side).

    Returns None when the folder has no owner record (then nobody can tell).
    """
    try:
        record = json.loads((folder / OWNER_FILE).read_text())
        pid, since = int(record["owner_pid"]), datetime.fromtimestamp(record["recorded_at"], UTC)
    except (OSError, ValueError, TypeError, KeyError):
        return _legacy_owner_alive(folder)
    return process_owner_alive(pid, since)


def _legacy_owner_alive(folder: Path) -> bool | None:
    try:
        pid = int((folder / LEGACY_OWNER_FILE).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return process_owner_alive(pid, datetime.now(UTC))  # any process with that pid counts


def stale_clusters(parent: Path) -> Iterator[Path]:
    """Cluster folders in ``parent`` whose owner process is gone."""
    for folder in sorted(parent.glob(f"{FOLDER_PREFIX}*")):
        if folder.is_dir() and owner_alive(folder) is False:
            yield folder


def reap_stale_clusters(parent: Path | None = None) -> list[Path]:
    """Stop the server of every stale cluster in ``parent`` (default: the temporary folder)
    and remove the folder; returns the folders removed."""
    parent = Path(tempfile.gettempdir()) if parent is None else parent
    reaped = []
    for folder in stale_clusters(parent):
        with contextlib.suppress(PostgresUnavailable):
            _stop_cluster(folder, find_binaries(), _run_as())
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            reaped.append(folder)
    return reaped


def _stop_cluster(folder: Path, binaries: Path, run_as: str | None) -> None:
    data = folder / "data"
    if not (data / "postmaster.pid").exists():
        return
    command = [str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]
    if run_as:
        command = ["runuser", "-u", run_as, "--", *command]
    with contextlib.suppress(subprocess.SubprocessError, OSError):
        subprocess.run(command, capture_output=True, timeout=60)


@dataclass
class PostgresServer:
    """One running server; ``url(database)`` gives a SQLAlchemy URL for a database on it."""

    base_url: str
    folder: Path | None = None
    binaries: Path | None = None
    run_as: str | None = None
    _admin: Engine | None = field(default=None, repr=False)

    @classmethod
    def start(cls, parent: Path | None = None) -> PostgresServer:
        """Start a server (or use ``UNDERSTUDY_TEST_POSTGRES_URL``) and wait until it answers.

        The cluster folder is made in ``parent`` (default: the temporary folder), after the
        stale clusters there are reaped.

        Raises:
            PostgresUnavailable: the binaries are missing or the server did not come up; the
                message includes the server's log.
        """
        external = os.environ.get(EXTERNAL_URL_VARIABLE)
        if external:
            server = cls(base_url=external)
            server._wait()
            return server
        binaries = find_binaries()
        run_as = _run_as()
        if run_as:
            try:
                pwd.getpwnam(run_as)
            except KeyError as exc:
                raise PostgresUnavailable(
                    "running as root and there is no 'postgres' account to run the server as; "
                    + INSTALL_HINT
                ) from exc
        reap_stale_clusters(parent)
        folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX, dir=parent))
        (folder / OWNER_FILE).write_text(_owner_record(os.getpid()))
        server = cls(
            base_url=f"postgresql+psycopg://{SUPERUSER}@/postgres?host={folder}",
            folder=folder,
            binaries=binaries,
            run_as=run_as,
        )
        try:
            server._init_and_start()
            server._wait()
        except BaseException:
            server.stop()
            raise
        return server

    def _command(self, *args: str) -> list[str]:
        assert self.binaries is not None
        command = [str(self.binaries / args[0]), *args[1:]]
        return ["runuser", "-u", self.run_as, "--", *command] if self.run_as else command

    def _init_and_start(self) -> None:
        assert self.folder is not None
        if self.run_as:
            entry = pwd.getpwnam(self.run_as)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        data = self.folder / "data"
        log = self.folder / "server.log"
        subprocess.run(
            self._command(
                "initdb", "-D", str(data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
                "--locale=C", "--no-sync",
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )  # fmt: skip
        options = (
            f"-c listen_addresses='' -c unix_socket_directories='{self.folder}' "
            "-c fsync=off -c full_page_writes=off -c synchronous_commit=off "
            "-c max_connections=200 -c shared_buffers=32MB "
            f"-c timezone={SERVER_TIME_ZONE}"
        )
        started = subprocess.run(
            self._command("pg_ctl", "-D", str(data), "-l", str(log), "-o", options, "-w", "start"),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if started.returncode != 0:
            detail = log.read_text(errors="replace") if log.exists() else started.stderr
            raise PostgresUnavailable(f"the PostgreSQL test server did not start:\n{detail}")

    def _wait(self) -> None:
        deadline = time.monotonic() + 30
        while True:
            try:
                with self.admin().connect() as connection:
                    connection.execute(text("SELECT 1"))
                return
            except Exception as exc:
                if time.monotonic() > deadline:
                    raise PostgresUnavailable(
                        f"PostgreSQL at {self.base_url} does not answer: {exc}"
                    ) from exc
                time.sleep(0.2)

    def url(self, database: str) -> str:
        """A SQLAlchemy URL of ``database`` on this server."""
        return make_url(self.base_url).set(database=database).render_as_string(hide_password=False)

    def admin(self) -> Engine:
        """An autocommit engine on the server's maintenance database (CREATE/DROP DATABASE)."""
        if self._admin is None:
            self._admin = create_engine(self.base_url, isolation_level="AUTOCOMMIT")
        return self._admin

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create database ``name`` (a copy of ``template`` when given); returns its URL."""
        copy = f' TEMPLATE "{template}"' if template else ""
        with self.admin().connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name``, closing any connection still open to it."""
        with self.admin().connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def stop(self) -> None:
        """Stop the server this object started and remove its folder (an external one is kept)."""
        if self._admin is not None:
            self._admin.dispose()
            self._admin = None
        if self.folder is None:
            return
        if self.binaries is not None:
            _stop_cluster(self.folder, self.binaries, self.run_as)
        shutil.rmtree(self.folder, ignore_errors=True)
