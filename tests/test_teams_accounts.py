"""User accounts: the first administrator, password hashes, roles, disabling, and `--as`."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

import understudy.cli.users  # noqa: F401  (registers the commands)
from understudy.cli.apps import app
from understudy.errors import ConfigError, PermissionDenied
from understudy.storage.accounts import UserRow
from understudy.storage.db import open_database
from understudy.teams.accounts import Accounts, accounts_exist
from understudy.teams.context import acting_as
from understudy.teams.permissions import Role

pytestmark = pytest.mark.usefixtures("database")

PASSWORD = "correct horse battery"


def cli(*args: str, password: str | None = None) -> tuple[int, str]:
    stdin = f"{password}\n{password}\n" if password is not None else None
    result = CliRunner().invoke(app, list(args), input=stdin, env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_the_first_administrator_needs_no_as_and_then_only_an_admin_adds_users() -> None:
    assert not accounts_exist()
    code, out = cli("users", "add", "ada", "--role", "admin", password=PASSWORD)
    assert code == 0, out
    assert "added ada (admin) to workspace default" in out
    code, out = cli("users", "add", "bob", password=PASSWORD)
    assert code == 2, "a second account without --as is refused"
    assert "say who you are" in out and "--as" in out
    code, out = cli("--as", "ada", "users", "add", "bob", "--role", "read-only", password=PASSWORD)
    assert code == 0, out
    code, out = cli("--as", "bob", "users", "add", "cy", password=PASSWORD)
    assert code == 2, "a read-only user cannot add users"
    assert "bob (read-only) may not manage users" in out
    code, out = cli("--as", "ada", "users", "list", "--json")
    listed = json.loads(out)
    assert [(u["username"], u["role"]) for u in listed] == [("ada", "admin"), ("bob", "read-only")]


def test_only_an_argon2_hash_of_the_password_is_stored() -> None:
    Accounts().add("ada", PASSWORD, role=Role.ADMIN)
    with open_database()() as db:
        stored = db.scalars(select(UserRow.password_hash)).one()
    assert stored.startswith("$argon2id$"), "the hash is Argon2id (PHC string)"
    assert PASSWORD not in stored
    assert Accounts().authenticate("ada", PASSWORD) is not None
    assert Accounts().authenticate("ada", "wrong password") is None
    assert Accounts().authenticate("nobody", PASSWORD) is None


def test_bad_names_short_passwords_and_taken_names_are_refused() -> None:
    with pytest.raises(ConfigError, match="at least 8 characters"):
        Accounts().add("ada", "short", role=Role.ADMIN)
    with pytest.raises(ConfigError, match="is not valid"):
        Accounts().add("Ada Lovelace", PASSWORD, role=Role.ADMIN)
    admin = Accounts().add("ada", PASSWORD, role=Role.ADMIN)
    with acting_as(admin.actor()), pytest.raises(ConfigError, match="is taken"):
        Accounts().add("ada", PASSWORD)


def test_set_role_and_disable_through_the_cli() -> None:
    Accounts().add("ada", PASSWORD, role=Role.ADMIN)
    with acting_as(Accounts().get("ada").actor()):
        Accounts().add("bob", PASSWORD)
    code, out = cli("--as", "ada", "users", "set-role", "bob", "read-only")
    assert (code, out.strip()) == (0, "bob is now read-only")
    code, out = cli("--as", "ada", "users", "set-role", "bob", "boss")
    assert code == 2 and "unknown role 'boss'; expected one of admin, member, read-only" in out
    code, out = cli("--as", "ada", "users", "disable", "bob")
    assert (code, out.strip()) == (0, "bob is disabled")
    assert Accounts().authenticate("bob", PASSWORD) is None, "a disabled user cannot sign in"
    code, out = cli("--as", "bob", "users", "list")
    assert code == 2 and "--as bob: the account is disabled" in out
    code, out = cli("--as", "ada", "users", "disable", "ada")
    assert code == 2 and "cannot disable your own account" in out
    code, out = cli("--as", "ada", "users", "disable", "bob", "--enable")
    assert (code, out.strip()) == (0, "bob is enabled")


def test_an_unknown_as_user_is_a_clear_error() -> None:
    Accounts().add("ada", PASSWORD, role=Role.ADMIN)
    code, out = cli("--as", "zed", "users", "list")
    assert code == 2
    assert "--as zed: no user 'zed'" in out


def test_an_admin_cannot_manage_another_workspace() -> None:
    ada = Accounts().add("ada", PASSWORD, role=Role.ADMIN)
    with acting_as(ada.actor()):
        other = Accounts().add(
            "eve", PASSWORD, role=Role.ADMIN, workspace="acme", create_workspace=True
        )
    assert other.workspace == "acme"
    with acting_as(ada.actor()), pytest.raises(PermissionDenied, match="another workspace"):
        Accounts().set_role("eve", Role.MEMBER)
    with acting_as(ada.actor()):
        assert [u.username for u in Accounts().users()] == ["ada"], "each workspace lists its own"
