"""Webhook agents: a real HTTP bot on 127.0.0.1, stress-tested end to end; failures end one
conversation with ``error``, never the batch."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from understudy.agents.resolve import resolve_agent
from understudy.agents.webhook import WebhookAgent, WebhookError, WebhookOptions, json_path
from understudy.cli.app import app
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.domain.transcript import Message, Role
from understudy.engine.seams import ConversationState
from understudy.storage.store import Store

Handler = Callable[[dict[str, Any]], tuple[int, str]]

SCENARIO_YAML = """\
# kind: scenario
id: webhook-refund
persona: calm
goal:
  reason_for_call: I want a refund for my order.
  intent: get_refund
  known_info:
    order_id: "3348917502"
exit_conditions:
  - id: refunded
    agent_says: ["your refund is on its way"]
max_turns: 8
"""


def refund_bot(request: dict[str, Any]) -> tuple[int, str]:
    """A Rasa-shaped bot: asks for the order number, then refunds."""
    sender, message = request["sender"], request["message"]
    if "3348917502" in message.replace(" ", ""):
        reply = [{"recipient_id": sender, "text": "Thanks! Your refund is on its way."}]
    else:
        reply = [{"recipient_id": sender, "text": "Hi! What is your order number?"}]
    return 200, json.dumps(reply)


class BotServer:
    """A real HTTP server on 127.0.0.1 in a thread, answering with ``handler``."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        owner = self

        class RequestHandler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                owner.requests.append(body)
                owner.headers.append(dict(self.headers))
                status, text = owner.handler(body)
                data = text.encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (timeout test)

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 64

        self.server = Server(("127.0.0.1", 0), RequestHandler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/webhooks/rest/webhook"


@pytest.fixture
def bot() -> Iterator[Callable[[Handler], BotServer]]:
    servers: list[BotServer] = []

    def start(handler: Handler) -> BotServer:
        server = BotServer(handler)
        server.thread.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.server.shutdown()
        server.server.server_close()


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "webhook-refund.yaml"
    path.write_text(SCENARIO_YAML)
    return path


def state(text: str, conversation_id: str = "c7") -> ConversationState:
    scenario = Scenario(id="s", persona="calm", goal=CustomerGoal(reason_for_call="x"))
    message = Message(index=1, role=Role.customer, text=text)
    return ConversationState(conversation_id=conversation_id, scenario=scenario, messages=[message])


def test_a_webhook_bot_is_stress_tested_end_to_end(
    bot: Callable[[Handler], BotServer], scenario_file: Path
) -> None:
    server = bot(refund_bot)
    result = CliRunner().invoke(
        app,
        [
            "stress-test",
            "--agent",
            server.url,
            "-n",
            "4",
            "--scenario",
            str(scenario_file),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["agent"]["kind"] == "http"
    assert report["metrics"]["completion_rate"]["k"] == 4, "every conversation should finish"
    senders = {r["sender"] for r in server.requests}
    assert senders == {"c0", "c1", "c2", "c3"}, "the conversation id is sent as the sender"
    run = Store().get_run(report["run_id"])
    assert run.agent_kind == "http" and run.agent_ref == server.url


@pytest.mark.slow
def test_a_webhook_bot_on_two_workers_gets_no_more_conversations_at_once_than_asked(
    bot: Callable[[Handler], BotServer], scenario_file: Path
) -> None:
    lock = threading.Lock()
    in_flight: set[str] = set()
    peak = [0]

    def slow_refund_bot(request: dict[str, Any]) -> tuple[int, str]:
        with lock:  # a conversation counts from its first request to its last
            in_flight.add(request["sender"])
            peak[0] = max(peak[0], len(in_flight))
        time.sleep(0.005)
        status, text = refund_bot(request)
        if "refund is on its way" in text:
            with lock:
                in_flight.discard(request["sender"])
        return status, text

    server = bot(slow_refund_bot)
    args = ["stress-test", "--agent", server.url, "-n", "64", "-c", "2", "--workers", "2"]
    result = CliRunner().invoke(app, [*args, "--scenario", str(scenario_file), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["metrics"]["completion_rate"]["k"] == 64
    assert peak[0] <= 2, f"{peak[0]} conversations at once against the bot; -c 2 asked for 2"


def test_500s_timeouts_and_malformed_json_end_only_those_conversations(
    bot: Callable[[Handler], BotServer], scenario_file: Path, understudy_home: Path
) -> None:
    def flaky(request: dict[str, Any]) -> tuple[int, str]:
        sender = request["sender"]
        if sender == "c1":
            return 500, '{"error": "internal"}'
        if sender == "c2":
            time.sleep(1.5)
        if sender == "c3":
            return 200, "<html>not json"
        return refund_bot(request)

    server = bot(flaky)
    understudy_home.mkdir(parents=True, exist_ok=True)
    (understudy_home / "config.yaml").write_text(
        "webhook:\n  timeout_s: 0.3\n  retries: 1\n  backoff_s: 0\n"
    )
    result = CliRunner().invoke(
        app,
        [
            "stress-test",
            "--agent",
            server.url,
            "-n",
            "5",
            "--scenario",
            str(scenario_file),
            "--json",
        ],
    )
    assert result.exit_code == 1, "a batch with errored conversations exits 1 but finishes"
    report = json.loads(result.stdout)
    errors = {e["index"]: e["error"] for e in report["errors"]}
    assert set(errors) == {1, 2, 3}, f"only the misbehaving conversations fail: {errors}"
    assert "HTTP 500" in errors[1] and "after 2 attempts" in errors[1]
    assert "no complete answer within timeout_s=0.3 s" in errors[2]
    assert "malformed JSON" in errors[3] and "not json" in errors[3]
    assert report["metrics"]["completion_rate"]["k"] == 2, "the healthy conversations finish"


async def test_is_fallback_reported_by_the_bot_wins_over_phrases(
    bot: Callable[[Handler], BotServer],
) -> None:
    server = bot(lambda r: (200, json.dumps([{"text": "Hmm, ok.", "is_fallback": True}])))
    agent = WebhookAgent(WebhookOptions(url=server.url))
    turn = await agent.respond(state("blah"))
    await agent.aclose()
    assert turn.fell_back, "the bot said it fell back"


async def test_fallback_phrases_and_patterns_detect_a_black_box_fallback(
    bot: Callable[[Handler], BotServer],
) -> None:
    server = bot(lambda r: (200, json.dumps([{"text": "Sorry, I didn't get that."}])))
    agent = WebhookAgent(WebhookOptions(url=server.url))
    assert (await agent.respond(state("blah"))).fell_back
    await agent.aclose()
    custom = bot(lambda r: (200, json.dumps([{"text": "Pardon? Say again."}])))
    agent = WebhookAgent(WebhookOptions(url=custom.url, fallback_patterns=[r"\bpardon\b"]))
    assert (await agent.respond(state("blah"))).fell_back
    await agent.aclose()


async def test_json_paths_headers_and_request_fields_are_configurable(
    bot: Callable[[Handler], BotServer],
) -> None:
    server = bot(lambda r: (200, json.dumps({"data": {"replies": ["One.", "Two."]}, "done": True})))
    options = WebhookOptions(
        url=server.url,
        sender_field="session.id",
        message_field="input.text",
        reply_path="data.replies[*]",
        end_path="done",
        headers={"Authorization": "Bearer token-1"},
    )
    agent = WebhookAgent(options)
    turn = await agent.respond(state("hello"))
    await agent.aclose()
    assert turn.text == "One.\nTwo." and turn.ended
    assert server.requests[0] == {"session": {"id": "c7"}, "input": {"text": "hello"}}
    assert server.headers[0]["Authorization"] == "Bearer token-1"


async def test_a_reply_without_text_at_the_path_is_a_clear_error(
    bot: Callable[[Handler], BotServer],
) -> None:
    server = bot(lambda r: (200, json.dumps({"answer": "hi"})))
    agent = WebhookAgent(WebhookOptions(url=server.url))
    with pytest.raises(WebhookError, match=r"no reply at '\[\*\]\.text'"):
        await agent.respond(state("hello"))
    await agent.aclose()


def test_json_path_reads_keys_indexes_and_wildcards() -> None:
    data = {"choices": [{"message": {"content": "a"}}, {"message": {"content": "b"}}]}
    assert json_path(data, "choices[0].message.content") == ["a"]
    assert json_path(data, "choices[*].message.content") == ["a", "b"]
    assert json_path(data, "choices[5].message") == []
    assert json_path([{"text": "x"}, {"image": "y"}], "[*].text") == ["x"]


def test_http_targets_resolve_to_webhook_agents_on_the_system_clock() -> None:
    factory, info = resolve_agent("http://127.0.0.1:9/webhook")
    assert info.kind == "http" and info.realtime
    assert isinstance(factory(), WebhookAgent)


def test_an_unreachable_webhook_is_reported_with_its_url(scenario_file: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "stress-test",
            "--agent",
            "http://127.0.0.1:9/none",
            "-n",
            "1",
            "--scenario",
            str(scenario_file),
            "--json",
        ],
    )
    report = json.loads(result.stdout)
    assert result.exit_code == 1
    assert "webhook http://127.0.0.1:9/none failed" in report["errors"][0]["error"]
    assert report["errors"][0]["error"].count("connection failed") == 1
