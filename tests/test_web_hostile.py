"""Hostile input over the web app: ids in URLs and garbage on the call's WebSocket.

Ids in a URL go through the same library guards as the command line
(``understudy.content.safe_paths``): whatever the id, the answer is a 4xx page, never a server
error and never a file outside the library. The call's WebSocket answers every malformed message
(not JSON, not an object, an unknown type, an endless reply, a binary frame, JSON nested past the
parser's depth) with ``{"type": "invalid"}`` and keeps the call going. Two hypothesis tests
(seeded, ``UNDERSTUDY_FUZZ_EXAMPLES`` examples) try any message on the socket's parser and any
id in a scenario URL.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_web_calls import REPO, start, until
from understudy.web import create_app
from understudy.web.calls import MAX_SAY_CHARS, _command
from web_helpers import signed_in

FUZZ_EXAMPLES = int(os.environ.get("UNDERSTUDY_FUZZ_EXAMPLES", "40"))
"""Examples per fuzz test (as in tests/test_loader_fuzz.py)."""

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
    client = signed_in(create_app(), raise_server_exceptions=False)
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
    client = signed_in(create_app(), raise_server_exceptions=False)
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


@pytest.mark.slow
def test_garbage_on_the_call_socket_is_answered_invalid_and_the_call_goes_on() -> None:
    with signed_in(create_app()) as client:
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


FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
COMMAND_LIKE = st.fixed_dictionaries(
    {"type": st.sampled_from(["say", "pause", "continue", "end", "SAY", ""]) | st.text()},
    optional={"text": JSON, "id": JSON},
)


@FUZZ
@given(raw=st.text() | JSON.map(json.dumps) | COMMAND_LIKE.map(json.dumps))
def test_the_call_socket_parser_answers_any_message_without_raising(raw: str) -> None:
    command = _command(raw)
    if isinstance(command, dict):
        assert command["type"] in {"say", "pause", "continue", "end"}
        assert len(str(command.get("text", ""))) <= MAX_SAY_CHARS
    else:
        assert command, "a refusal says why"


@pytest.mark.slow
@FUZZ
@given(scenario_id=st.text(st.characters(exclude_characters="/?#"), min_size=1, max_size=300))
def test_any_scenario_id_in_a_url_is_answered_without_a_server_error(scenario_id: str) -> None:
    client = signed_in(create_app(), raise_server_exceptions=False)
    response = client.get(f"/scenarios/{quote(scenario_id, safe='')}", follow_redirects=False)
    assert response.status_code < 500, (scenario_id, response.status_code)
