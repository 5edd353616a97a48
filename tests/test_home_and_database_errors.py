"""A bad home folder or database URL is a clear error, not a traceback."""

from __future__ import annotations

import sys

import pytest
from typer.testing import CliRunner

import understudy.cli.practice  # noqa: F401  (registers the commands)
from understudy.cli.app import app
from understudy.errors import ConfigError
from understudy.settings import home
from understudy.storage.db import open_database
from understudy.storage.store import Store

runner = CliRunner()


def test_an_unusable_home_folder_is_a_config_error_naming_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("UNDERSTUDY_HOME", "/proc/nope")
    with pytest.raises(ConfigError, match="/proc/nope"):
        home()
    result = runner.invoke(app, ["runs", "list"])
    assert result.exit_code == 2, "a bad home folder should exit 2"
    assert "/proc/nope" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("command", [["runs", "list"], ["attempts", "list"], ["report"]])
def test_a_malformed_database_url_is_a_config_error_in_every_command(
    monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.setenv("UNDERSTUDY_DATABASE_URL", "bogus")
    result = runner.invoke(app, command)
    assert result.exit_code == 2, f"{command} should exit 2, got {result.exit_code}"
    assert "'bogus'" in result.output, "the message should name the URL"
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    ("url", "module", "package"),
    [
        ("postgresql+psycopg2://user:secret@localhost/understudy", "psycopg2", "psycopg2-binary"),
        ("postgresql+psycopg://user:secret@localhost/understudy", "psycopg", "psycopg[binary]"),
    ],
)
def test_a_missing_database_driver_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, url: str, module: str, package: str
) -> None:
    # The test extra installs psycopg; a None entry makes importing the driver fail as if it
    # were not installed.
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(ConfigError) as caught:
        open_database(url)
    message = str(caught.value)
    assert f"pip install {package}" in message, "the install command should be given"
    assert "secret" not in message, "the password should not be printed"


def test_an_unwritable_sqlite_file_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"/proc/nope/x\.db"):
        Store("sqlite:////proc/nope/x.db")
    with pytest.raises(ConfigError, match=r"/proc/nope/x\.db"):
        open_database("sqlite:////proc/nope/x.db")
