"""The chat call page over WebSocket, and the sessions and attempt pages it leads to."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from understudy.storage.attempt_store import AttemptStore
from understudy.web import create_app
from understudy.web.live import CallRegistry
from web_helpers import signed_in, table_rows

pytestmark = pytest.mark.usefixtures("database")

REPO = Path(__file__).resolve().parents[1]
SCENARIO = "practice-retail-return"


@pytest.fixture(autouse=True)
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the checkout, so ./examples/scenarios is found as `understudy serve` would."""
    monkeypatch.chdir(REPO)


def start(client: TestClient, scenario: str = SCENARIO) -> str:
    response = client.post(
        f"/scenarios/{scenario}/call", data={"trainee": "alice"}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"]).rsplit("/", 1)[1]


def until(ws: WebSocketTestSession, kind: str, seen: list[dict[str, Any]]) -> dict[str, Any]:
    while True:
        message = ws.receive_json()
        seen.append(message)
        if message["type"] == kind:
            return message


def until_customer_or_end(ws: WebSocketTestSession, seen: list[dict[str, Any]]) -> dict[str, Any]:
    while True:
        message = ws.receive_json()
        seen.append(message)
        if message["type"] == "ended" or (
            message["type"] == "message" and message["role"] == "customer"
        ):
            return message


def test_briefing_page_shows_goal_customer_time_limit_and_documents() -> None:
    page = signed_in(create_app()).get(f"/scenarios/{SCENARIO}/call")
    assert page.status_code == 200
    assert "Start call" in page.text and "<dt>Time limit</dt><dd>10:00</dd>" in page.text
    assert "<h2>Documents</h2>" in page.text, "the scenario's documents open beside the call"


def test_a_call_three_turns_pause_continue_end_then_evaluation_and_transcript() -> None:
    app = create_app()
    with signed_in(app) as client:
        token = start(client)
        page = client.get(f"/calls/{token}")
        assert "Initializing…" in page.text and "End session?" in page.text
        seen: list[dict[str, Any]] = []
        with client.websocket_connect(f"/calls/{token}/ws") as ws:
            first = until(ws, "message", seen)
            assert first["role"] == "customer" and first["at_s"] >= 1.5, "customer first, a beat"
            for n, line in enumerate(
                [
                    "Hello, I can help with that.",
                    "Could you give me your order number?",
                    "Thanks, let me check.",
                ]
            ):
                ws.send_json({"type": "say", "text": line, "id": f"r{n}"})
                mine = until(ws, "message", seen)
                assert (mine["role"], mine["text"]) == ("agent", line)
                until(ws, "message", seen)
            stored = AttemptStore().get(first["attempt_id"]).messages
            assert len(stored) == 7, "every turn is committed as it happens, before the end"
            call = app.state.calls.get(token)
            ws.send_json({"type": "pause"})
            paused = until(ws, "clock", seen)
            while paused["status"] != "paused":
                paused = until(ws, "clock", seen)
            frozen = call.elapsed_s()
            time.sleep(0.4)
            assert call.elapsed_s() == frozen, "the clock stands still while paused"
            ws.send_json({"type": "continue"})
            ws.send_json({"type": "end"})
            ended = until(ws, "ended", seen)
            until(ws, "graded", seen)
        assert ended["reason"] == "trainee_ended"
        assert any(m["type"] == "mood" for m in seen), "the scenario shows the mood"
        attempt = ended["attempt_id"]
        evaluation = client.get(f"/attempts/{attempt}")
        assert evaluation.status_code == 200
        assert "Generating results…" not in evaluation.text
        rows = table_rows(evaluation.text)
        assert len(rows) >= 3 and all(r[2] for r in rows), "criteria with score and weight"
        assert f"/attempts/{attempt}?tab=transcript#turn-" in evaluation.text, "quotes link turns"
        transcript = client.get(f"/attempts/{attempt}?tab=transcript")
        assert 'id="turn-3"' in transcript.text and "Could you give me your order number?" in (
            transcript.text
        )
        sessions = client.get("/sessions")
        row = next(r for r in table_rows(sessions.text) if r[1] == "alice")
        assert row[2:4] == ["1", "Completed"]


def test_a_reconnect_replays_every_turn_and_a_resent_reply_counts_once() -> None:
    app = create_app()
    with signed_in(app) as client:
        token = start(client)
        seen: list[dict[str, Any]] = []
        with client.websocket_connect(f"/calls/{token}/ws") as ws:
            until(ws, "message", seen)
            ws.send_json({"type": "say", "text": "Hi there.", "id": "x1"})
            until(ws, "message", seen)
            until(ws, "message", seen)
        replay: list[dict[str, Any]] = []
        with client.websocket_connect(f"/calls/{token}/ws") as ws:
            for _ in range(3):
                until(ws, "message", replay)
            ws.send_json({"type": "say", "text": "Hi there.", "id": "x1"})
            ws.send_json({"type": "end"})
            until(ws, "ended", replay)
        texts = [m["text"] for m in replay if m["type"] == "message"]
        assert texts[:3] == [m["text"] for m in seen if m["type"] == "message"]
        assert texts.count("Hi there.") == 1, "the resend after reconnecting was dropped"


def test_the_time_limit_ends_the_call(understudy_home: Path) -> None:
    data = yaml.safe_load((REPO / "examples/scenarios" / f"{SCENARIO}.yaml").read_text())
    data.update(id="quick", time_limit_s=2.5, persona="maya")
    data["briefing"]["documents"] = []
    folder = understudy_home / "scenarios"
    folder.mkdir(parents=True)
    (folder / "quick.yaml").write_text(yaml.safe_dump(data))
    with signed_in(create_app()) as client:
        token = start(client, "quick")
        with client.websocket_connect(f"/calls/{token}/ws") as ws:
            ended = until(ws, "ended", [])
    assert ended["reason"] == "time_limit"


def test_the_exit_condition_ends_the_call(understudy_home: Path) -> None:
    data = yaml.safe_load((REPO / "examples/scenarios" / f"{SCENARIO}.yaml").read_text())
    persona = REPO / "examples/scenarios" / data["persona"]
    data.update(id="exit", time_limit_s=60, persona=str(persona))
    data["briefing"]["documents"] = []
    folder = understudy_home / "scenarios"
    folder.mkdir(parents=True)
    (folder / "exit.yaml").write_text(yaml.safe_dump(data))
    lines = [
        "I will refund it to your original payment method, okay?",
        "Is there anything else I can help you with?",
        "Thank you for calling, goodbye!",
        "Goodbye!",
    ]
    with signed_in(create_app()) as client:
        token = start(client, "exit")
        seen: list[dict[str, Any]] = []
        with client.websocket_connect(f"/calls/{token}/ws") as ws:
            for n, line in enumerate(lines):
                message = until_customer_or_end(ws, seen)
                if message["type"] == "ended":
                    break
                ws.send_json({"type": "say", "id": str(n), "text": line})
            ended = seen[-1] if seen[-1]["type"] == "ended" else until(ws, "ended", seen)
    assert ended["reason"] == "goal_met", [m.get("text") for m in seen if m["type"] == "message"]


def test_a_server_side_failure_offers_restart_roleplay() -> None:
    async def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("database went away")

    app = create_app()
    app.state.calls = CallRegistry(practice=broken)
    with signed_in(app) as client:
        token = start(client)
        with client.websocket_connect(f"/calls/{token}/ws") as ws:
            error = until(ws, "error", [])
        assert error["message"] == "There was an issue with the roleplay."
        assert "Restart roleplay" in client.get(f"/calls/{token}").text
        again = client.post(f"/calls/{token}/restart", follow_redirects=False)
        assert again.status_code == 303 and again.headers["location"] != f"/calls/{token}"


def test_an_unknown_call_says_its_turns_are_stored() -> None:
    response = signed_in(create_app()).get("/calls/nope")
    assert response.status_code == 404 and "is stored" in response.text


def test_new_session_walks_four_steps_then_starts_a_call(understudy_home: Path) -> None:
    form = {
        "name": "My refund practice",
        "type": "customer_service",
        "mode": "chat",
        "goal.reason_for_call": "You want a refund.",
        "persona": "maya",
        "trainee": "bob",
        "show_mood": "1",
    }
    with signed_in(create_app()) as client:
        step4 = client.post("/sessions/new", data={**form, "go": "4"})
        assert '<li aria-current="step">4. Evaluation Instructions</li>' in step4.text
        assert "Instruction/frequency" not in step4.text, "a session has four steps"
        response = client.post("/sessions/new", data={**form, "go": "save"}, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/calls/")
        assert (understudy_home / "scenarios" / "my-refund-practice.yaml").exists()


def test_coach_review_and_delete_chat() -> None:
    with signed_in(create_app()) as client:
        token = start(client)
        with client.websocket_connect(f"/calls/{token}/ws") as ws:
            until(ws, "message", [])
            ws.send_json({"type": "end"})
            attempt = until(ws, "ended", [])["attempt_id"]
            until(ws, "graded", [])
        record = AttemptStore().get(attempt)
        assert record.grade is not None
        criterion = record.grade.criteria[0].id
        bad = client.post(
            f"/attempts/{attempt}/review",
            data={"coach": "kim", "note": "ok", f"override.{criterion}": "7"},
        )
        assert bad.status_code == 422 and "expected a score between 0 and 1" in bad.text
        client.post(
            f"/attempts/{attempt}/review",
            data={"coach": "kim", "note": "Good opening", f"override.{criterion}": "0.9"},
        )
        reviewed = AttemptStore().get(attempt)
        assert [(r.coach, r.note, r.overrides) for r in reviewed.reviews] == [
            ("kim", "Good opening", {criterion: 0.9})
        ]
        page = client.get(f"/attempts/{attempt}")
        assert "Good opening" in page.text and "Delete chat?" in page.text
        history = client.get(page.url.path.replace(f"/attempts/{attempt}", "/sessions"))
        assert history.status_code == 200
        deleted = client.post(f"/attempts/{attempt}/delete", follow_redirects=False)
        assert deleted.status_code == 303 and deleted.headers["location"].startswith("/sessions/")
        assert client.get(f"/attempts/{attempt}").status_code == 404


def test_a_customer_in_a_language_the_simulator_cannot_speak_is_refused_before_the_call(
    understudy_home: Path,
) -> None:
    (understudy_home / "personas").mkdir(parents=True, exist_ok=True)
    (understudy_home / "personas" / "lucia.yaml").write_text(
        "id: lucia\nname: Lucia Reyes\nlanguage: es-MX\n"
    )
    (understudy_home / "scenarios").mkdir(parents=True, exist_ok=True)
    scenario = {
        "id": "refund-es",
        "name": "Refund in Spanish",
        "persona": "lucia",
        "goal": {"reason_for_call": "You want a refund for a broken kettle."},
    }
    (understudy_home / "scenarios" / "refund-es.yaml").write_text(yaml.safe_dump(scenario))
    client = signed_in(create_app())
    response = client.post(
        "/scenarios/refund-es/call", data={"trainee": "alice"}, follow_redirects=False
    )
    assert response.status_code == 400, response.text
    assert "Spanish (es-MX)" in response.text and "cannot speak" in response.text
    assert AttemptStore().list_attempts() == [], "no attempt was started"
