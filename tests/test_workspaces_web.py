"""New workspace from the web app and the CLI: administrators only, checked by the library;
every problem beside its field; the new workspace starts with its own administrator."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from understudy.cli.app import app as cli_app
from understudy.errors import PermissionDenied
from understudy.teams.accounts import Accounts
from understudy.teams.context import acting_as
from understudy.teams.permissions import Role
from web_helpers import PASSWORD, ensure_user, field_errors, signed_in, table_rows

pytestmark = pytest.mark.usefixtures("database")

GOOD = {
    "slug": "acme",
    "name": "Acme Support",
    "admin": "eve",
    "admin_name": "Eve Hart",
    "password": PASSWORD,
}


def test_an_administrator_creates_a_workspace_whose_admin_signs_in_there() -> None:
    with signed_in(username="ada", follow_redirects=False) as client:
        page = client.get("/users").text
        assert 'href="/workspaces/new">New workspace</a>' in page, "in the admin navigation"
        done = client.post("/workspaces/new", data=GOOD)
        assert done.status_code == 303
        notice = client.get(done.headers["location"]).text
        assert "Workspace <strong>acme</strong> is ready" in notice
        assert [r[0] for r in table_rows(client.get("/users").text)] == ["ada"], "ada's only"
    assert Accounts().workspaces() == [("default", "Default"), ("acme", "Acme Support")]
    eve = Accounts().get("eve")
    assert (eve.role, eve.workspace, eve.display_name) == (Role.ADMIN, "acme", "Eve Hart")
    with signed_in(username="eve", workspace="acme") as client:
        assert "workspace acme" in client.get("/contacts").text
        assert [r[0] for r in table_rows(client.get("/users").text)] == ["eve"]


def test_every_problem_is_shown_beside_its_field_and_nothing_is_created() -> None:
    bad = {"slug": "Bad Slug", "name": "", "admin": "ada", "password": "short"}
    with signed_in(username="ada") as client:
        page = client.post("/workspaces/new", data=bad)
    assert page.status_code == 422
    assert field_errors(page.text) == [
        "slug: expected 1-64 lower-case letters, digits, '.', '_' or '-'",
        "admin: the username 'ada' is taken",
        "password: expected at least 8 characters",
    ]
    assert 'value="Bad Slug"' in page.text and 'value="short"' not in page.text
    assert [slug for slug, _ in Accounts().workspaces()] == ["default"]


def test_a_member_is_refused_by_the_library_not_only_by_a_hidden_link() -> None:
    with signed_in(username="ada") as client:
        client.post("/workspaces/new", data={**GOOD, "slug": "first", "admin": "fay"})
    with signed_in(username="mo", role=Role.MEMBER) as client:
        assert "New workspace" not in client.get("/contacts").text
        assert client.get("/workspaces/new").status_code == 403
        refused = client.post("/workspaces/new", data=GOOD)
        assert refused.status_code == 403 and "mo (member) may not create a workspace" in (
            refused.text
        )
    with acting_as(Accounts().get("mo").actor()), pytest.raises(PermissionDenied):
        Accounts().create_workspace("other", "", "zed", "a long enough one")
    assert [slug for slug, _ in Accounts().workspaces()] == ["default", "first"]


def test_the_cli_creates_a_workspace_for_administrators_only() -> None:
    ensure_user("ada", Role.ADMIN)
    ensure_user("mo", Role.MEMBER)
    runner = CliRunner()
    env = {"UNDERSTUDY_NEW_PASSWORD": "a long enough one"}
    made = runner.invoke(
        cli_app, ["--as", "ada", "workspaces", "create", "acme", "--admin", "eve"], env=env
    )
    assert made.exit_code == 0 and "created workspace acme with administrator eve" in made.output
    taken = runner.invoke(
        cli_app, ["--as", "ada", "workspaces", "create", "acme", "--admin", "ed"], env=env
    )
    assert taken.exit_code == 2 and "SLUG: a workspace 'acme' exists already" in taken.output
    refused = runner.invoke(
        cli_app, ["--as", "mo", "workspaces", "create", "b", "--admin", "bo"], env=env
    )
    assert refused.exit_code == 2 and "may not create a workspace" in refused.output


def test_an_administrator_name_too_long_is_a_located_problem_and_nothing_is_created() -> None:
    long_name = "E" * 201
    with signed_in(username="ada") as client:
        page = client.post("/workspaces/new", data={**GOOD, "admin_name": long_name})
    assert page.status_code == 422
    assert field_errors(page.text) == ["admin_name: expected at most 200 characters"]
    with signed_in(username="ada") as client:
        user = {"username": "bo", "password": PASSWORD, "display_name": long_name}
        refused = client.post("/users", data=user)
    assert refused.status_code == 422 and "at most 200 characters, got 201" in refused.text
    ensure_user("mo", Role.MEMBER)
    env = {"UNDERSTUDY_NEW_PASSWORD": "a long enough one"}
    args = ["--as", "ada", "workspaces", "create", "acme", "--admin", "eve"]
    made = CliRunner().invoke(cli_app, [*args, "--admin-name", long_name], env=env)
    assert made.exit_code == 2, made.output
    assert "--admin-name: expected at most 200 characters" in made.output
    added = CliRunner().invoke(
        cli_app, ["--as", "ada", "users", "add", "bo", "--name", long_name], env=env
    )
    assert added.exit_code == 2 and "at most 200 characters, got 201" in added.output
    assert [slug for slug, _ in Accounts().workspaces()] == ["default"]
    assert sorted(u.username for u in Accounts().users()) == ["ada", "mo"]
    done = CliRunner().invoke(cli_app, [*args, "--admin-name", "E" * 200], env=env)
    assert done.exit_code == 0, done.output
    assert Accounts().get("eve").display_name == "E" * 200
