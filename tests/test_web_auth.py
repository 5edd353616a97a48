"""Signing in to the web app: login, logout, CSRF on every form, and the first-run hint."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from understudy.content.scenario_library import list_scenarios
from understudy.web import create_app
from web_helpers import PASSWORD, ensure_user, sign_in, signed_in

pytestmark = pytest.mark.usefixtures("database")


def test_without_an_account_the_login_page_says_how_to_create_the_first_admin() -> None:
    client = TestClient(create_app())
    page = client.get("/personas", follow_redirects=True)
    assert page.url.path == "/login"
    assert "No account exists yet" in page.text
    assert "understudy users add NAME --role admin" in page.text


def test_a_page_without_signing_in_redirects_to_login_and_back_after() -> None:
    ensure_user("ada")
    client = TestClient(create_app())
    response = client.get("/scenarios?tag=x", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fscenarios%3Ftag%3Dx"
    client.get("/login")
    token = client.cookies["csrftoken"]
    data = {"username": "ada", "password": PASSWORD, "csrftoken": token, "next": "/scenarios?tag=x"}
    done = client.post("/login", data=data, follow_redirects=False)
    assert done.headers["location"] == "/scenarios?tag=x"
    assert "Signed in as <strong>ada</strong>" in client.get("/scenarios").text


def test_a_wrong_password_is_refused_and_next_never_leaves_the_site() -> None:
    ensure_user("ada")
    client = TestClient(create_app())
    client.get("/login")
    token = client.cookies["csrftoken"]
    bad = client.post("/login", data={"username": "ada", "password": "nope", "csrftoken": token})
    assert bad.status_code == 401
    assert "Wrong username or password" in bad.text
    data = {"username": "ada", "password": PASSWORD, "csrftoken": token, "next": "//evil.test/x"}
    done = client.post("/login", data=data, follow_redirects=False)
    assert done.headers["location"] == "/"


def test_a_form_without_the_csrf_token_is_refused_and_nothing_is_written() -> None:
    client = signed_in()
    del client.headers["x-csrftoken"]
    form = {"id": "x-scenario", "name": "X", "persona": "impatient", "goal.reason_for_call": "r"}
    refused = client.post("/scenarios/new", data=form)
    assert refused.status_code == 403
    assert "security token is missing or out of date" in refused.text
    assert all(e.scenario.id != "x-scenario" for e in list_scenarios().entries)


def test_every_page_form_carries_the_csrf_token_and_htmx_sends_the_header() -> None:
    client = signed_in()
    token = client.cookies["csrftoken"]
    page = client.get("/scenarios/new").text
    assert f'name="csrftoken" value="{token}"' in page
    assert f'hx-headers=\'{{"x-csrftoken": "{token}"}}\'' in page


def test_logout_ends_the_session() -> None:
    client = signed_in()
    assert client.get("/personas").status_code == 200
    client.post("/logout")
    assert client.get("/personas", follow_redirects=False).status_code == 303


def test_a_disabled_user_is_signed_out_on_the_next_request() -> None:
    from understudy.teams.accounts import Accounts
    from understudy.teams.context import acting_as

    admin = ensure_user("ada")
    ensure_user("bob", workspace="default")
    client = sign_in(TestClient(create_app()), "bob")
    assert client.get("/personas").status_code == 200
    with acting_as(admin.actor()):
        Accounts().disable("bob")
    assert client.get("/personas", follow_redirects=False).status_code == 303


def test_a_websocket_without_a_session_is_closed() -> None:
    import pytest
    from starlette.websockets import WebSocketDisconnect

    ensure_user("ada")
    client = TestClient(create_app())
    with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect("/calls/x/ws"):
        pass
    assert closed.value.code == 1008


def test_an_administrator_adds_re_roles_and_disables_users_on_the_users_page() -> None:
    from understudy.teams.accounts import Accounts
    from understudy.teams.permissions import Role

    client = signed_in()
    page = client.get("/users")
    assert page.status_code == 200 and ">Users</a>" in page.text, "admins get the Users page"
    added = client.post(
        "/users", data={"username": "bob", "password": "long enough pw", "role": "read-only"}
    )
    assert added.status_code == 200 and "<td>bob</td>" in added.text
    short = client.post("/users", data={"username": "cy", "password": "short", "role": "member"})
    assert short.status_code == 422 and "at least 8 characters" in short.text
    client.post("/users/bob", data={"role": "member"})
    assert Accounts().get("bob").role is Role.MEMBER
    client.post("/users/bob", data={"disabled": "yes"})
    assert Accounts().get("bob").disabled
    bob = TestClient(create_app())
    bob.get("/login")
    token = bob.cookies["csrftoken"]
    data = {"username": "bob", "password": "long enough pw", "csrftoken": token}
    assert bob.post("/login", data=data).status_code == 401, "a disabled user cannot sign in"
