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

Setting ``UNDERSTUDY_TEST_POSTGRES_URL`` to a server URL whose user may create databases uses
that server instead of starting one.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine

EXTERNAL_URL_VARIABLE = "UNDERSTUDY_TEST_POSTGRES_URL"
SUPERUSER = "understudy"
SERVER_TIME_ZONE = "Asia/Kathmandu"
"""UTC+05:45 with no daylight saving: a moment read back in the server's zone, not in UTC, is off
by an amount no test can mistake for rounding."""
INSTALL_HINT = "run scripts/install-system-deps.sh (Debian/Ubuntu: apt-get install postgresql)"


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


@dataclass
class PostgresServer:
    """One running server; ``url(database)`` gives a SQLAlchemy URL for a database on it."""

    base_url: str
    folder: Path | None = None
    binaries: Path | None = None
    run_as: str | None = None
    _admin: Engine | None = field(default=None, repr=False)

    @classmethod
    def start(cls) -> PostgresServer:
        """Start a server (or use ``UNDERSTUDY_TEST_POSTGRES_URL``) and wait until it answers.

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
        run_as = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError as exc:
                raise PostgresUnavailable(
                    "running as root and there is no 'postgres' account to run the server as; "
                    + INSTALL_HINT
                ) from exc
            run_as = "postgres"
        folder = Path(tempfile.mkdtemp(prefix="understudy-pg-"))
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
        data = self.folder / "data"
        if (data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.SubprocessError, OSError):
                subprocess.run(
                    self._command("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop"),
                    capture_output=True,
                    timeout=60,
                )
        shutil.rmtree(self.folder, ignore_errors=True)
