"""Helpers of the web app tests: signed-in test clients and reading what a page shows."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from understudy.errors import NotFoundError
from understudy.teams.accounts import Accounts, User
from understudy.teams.context import Actor, acting_as
from understudy.teams.permissions import Role
from understudy.web import create_app

PASSWORD = "correct horse battery"
"""The password of every user the tests add."""


def ensure_user(
    username: str = "admin", role: Role = Role.ADMIN, workspace: str = "default"
) -> User:
    """Return the user ``username``, adding them (to ``workspace``, created if new) if needed."""
    accounts = Accounts()
    try:
        return accounts.get(username)
    except NotFoundError:
        pass
    try:
        space = Actor("test-setup", Role.ADMIN, accounts.workspace_id(workspace), workspace)
        create = False
    except NotFoundError:
        space, create = Actor("test-setup", Role.ADMIN), True
    with acting_as(space):
        return accounts.add(
            username, PASSWORD, role=role, workspace=workspace, create_workspace=create
        )


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    """Sign ``client`` in through the login form; later requests send the CSRF header."""
    client.get("/login")
    token = client.cookies.get("csrftoken")
    assert token, "the login page sets the CSRF cookie"
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrftoken": token, "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, f"{username} signs in: {response.text[:300]}"
    client.headers["x-csrftoken"] = token
    return client


def signed_in(
    app: FastAPI | None = None,
    username: str = "admin",
    role: Role = Role.ADMIN,
    workspace: str = "default",
    **options: Any,
) -> TestClient:
    """A test client of ``app`` (a fresh one by default) signed in as ``username``.

    The user is added first when missing (an administrator of the default workspace unless
    told otherwise), so a test of any page needs only this line. ``options`` go to
    ``TestClient`` (e.g. ``raise_server_exceptions=False``).
    """
    ensure_user(username, role, workspace)
    return sign_in(TestClient(app if app is not None else create_app(), **options), username)


def client() -> TestClient:
    """A signed-in (administrator) test client of a fresh app."""
    return signed_in()


def field_errors(html: str) -> list[str]:
    """The error texts shown beside form controls, unescaped."""
    return [unescape(m) for m in re.findall(r'class="field-error"[^>]*>(.*?)</p>', html, re.S)]


def table_rows(html: str) -> list[list[str]]:
    """The body rows of the page's tables, as the text of each cell."""
    rows = []
    for body in re.findall(r"<tbody>(.*?)</tbody>", html, re.S):
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            rows.append([" ".join(unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in cells])
    return rows
