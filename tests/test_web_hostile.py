"""Hostile input over the web app: ids in URLs and garbage on the call's WebSocket.

Ids in a URL go through the same library guards as the command line
(``understudy.content.safe_paths``): whatever the id, the answer is a 4xx page, never a server
error and never a file outside the library. The call's WebSocket answers every malformed message
(not JSON, not an object, an unknown type, an endless reply, a binary frame, JSON nested past the
parser's depth) with ``{"type": "invalid"}`` and keeps the call going.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from test_web_calls import REPO, start, until
from understudy.web import create_app
from understudy.web.calls import MAX_SAY_CHARS

HOSTILE_IDS = ["...", ".hidden", "victim%00", "~victim", "a" * 300, "%2e%2e", "C:%5Cvictim"]

PAGES = [
    "/scenarios/{id}",
    "/scenarios/{id}/edit",
    "/scenarios/{id}/call",
    "/scenarios/{id}/delete",
    "/scenarios/{id}/tags",
    "/personas/{id}",
    "/personas/{id}/edit",
    "/personas/{id}/preview",
    "/agents/{id}",
]


@pytest.fixture(autouse=True)
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the checkout, so ./examples/scenarios is found as `understudy serve` would."""
    monkeypatch.chdir(REPO)


@pytest.mark.parametrize("page", PAGES)
def test_a_hostile_id_in_a_url_is_a_4xx_page_never_a_server_error(
    page: str, understudy_home: Path
) -> None:
    understudy_home.mkdir(parents=True, exist_ok=True)
    secret = understudy_home / "victim.yaml"
    secret.write_text("id: victim\nsecret: do-not-show\n")
    client = TestClient(create_app(), raise_server_exceptions=False)
    for hostile in HOSTILE_IDS:
        response = client.get(page.format(id=hostile), follow_redirects=False)
        assert 400 <= response.status_code < 500, (hostile, response.status_code)
        assert "do-not-show" not in response.text
    assert secret.read_text() == "id: victim\nsecret: do-not-show\n"


OUTSIDE = """\
id: outside
persona: calm
goal:
  reason_for_call: a scenario file that is in no library, beside the server
"""


@pytest.mark.parametrize("page", ["/scenarios/{id}", "/scenarios/{id}/call"])
def test_a_file_name_sent_as_an_id_never_opens_a_file_beside_the_server(
    page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "outside.yaml").write_text(OUTSIDE)
    monkeypatch.chdir(tmp_path)  # where `understudy serve` was started
    client = TestClient(create_app(), raise_server_exceptions=False)
    response = client.get(page.format(id="outside.yaml"), follow_redirects=False)
    assert response.status_code == 404, response.status_code
    assert "beside the server" not in response.text


GARBAGE: list[tuple[str, Any]] = [
    ("text", "not json"),
    ("text", "null"),
    ("text", "[1, 2, 3]"),
    ("text", '"say"'),
    ("text", json.dumps({"text": "no type"})),
    ("text", json.dumps({"type": "rm -rf /"})),
    ("text", json.dumps({"type": "say", "text": "x" * (MAX_SAY_CHARS + 1)})),
    ("text", "[" * 100_000 + "]" * 100_000),
    ("bytes", b"\x00\xff binary"),
]


def test_garbage_on_the_call_socket_is_answered_invalid_and_the_call_goes_on() -> None:
    with TestClient(create_app()) as client:
        token = start(client)
        with client.websocket_connect(f"/calls/{token}/ws") as ws:
            seen: list[dict[str, Any]] = []
            for kind, payload in GARBAGE:
                if kind == "bytes":
                    ws.send_bytes(payload)
                else:
                    ws.send_text(payload)
                invalid = until(ws, "invalid", seen)
                assert invalid["detail"], f"{payload!r:.40} is explained"
            ws.send_json({"type": "say", "text": "Hi, I'd like to return a blender.", "id": "1"})
            while True:  # the customer still answers: the call survived every message
                reply = until(ws, "message", seen)
                if reply["role"] == "customer" and reply["index"] > 1:
                    break
            ws.send_json({"type": "end"})
            until(ws, "ended", seen)
    stored = [m for m in seen if m["type"] == "message" and m["role"] == "trainee"]
    assert all(len(m["text"]) <= MAX_SAY_CHARS for m in stored), "no endless reply was stored"
