"""Hostile HTTP bots on 127.0.0.1: replies capped in size and time, redirects reported, empty
replies refused, and credentials in the URL never printed or stored.

Each bot here is a real HTTP server in a thread that misbehaves on purpose: it announces or sends a
huge body, sleeps, drips a byte at a time, never answers, or redirects.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from understudy.agents.webhook import WebhookAgent, WebhookError, WebhookOptions
from understudy.cli.app import app
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.domain.transcript import Message, Role
from understudy.engine.seams import ConversationState
from understudy.redaction import redact_url
from understudy.settings import home

Behaviour = Callable[[BaseHTTPRequestHandler], None]
OK_BODY = json.dumps([{"text": "Thanks! Your refund is on its way."}]).encode()


class Bot:
    """A threaded HTTP server whose POST handler is ``behaviour``; released at teardown."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.release = threading.Event()
        self.requests: list[dict[str, str]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                owner.requests.append(dict(self.headers))
                with contextlib.suppress(OSError):  # the client hung up, as it should
                    behaviour(self)

        class Server(ThreadingHTTPServer):
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/hook"

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[[Behaviour], Bot]]:
    bots: list[Bot] = []

    def start(behaviour: Behaviour) -> Bot:
        bots.append(Bot(behaviour))
        return bots[-1]

    yield start
    for made in bots:
        made.close()


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes, **headers: str) -> None:
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    if "Content_Length" not in headers:
        handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def state() -> ConversationState:
    scenario = Scenario(id="s", persona="calm", goal=CustomerGoal(reason_for_call="x"))
    message = Message(index=1, role=Role.customer, text="I want a refund")
    return ConversationState(conversation_id="c0", scenario=scenario, messages=[message])


async def failure(url: str, **options: Any) -> tuple[str, float]:
    agent = WebhookAgent(WebhookOptions(url=url, retries=0, **options))
    started = time.monotonic()
    try:
        with pytest.raises(WebhookError) as caught:
            await agent.respond(state())
    finally:
        await agent.aclose()
    return str(caught.value), time.monotonic() - started


def huge_announced(handler: BaseHTTPRequestHandler) -> None:
    send(handler, 200, b"[", Content_Length=str(10**9))


def huge_chunked(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    chunk = b"x" * 4096
    for _ in range(100):
        handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    handler.wfile.write(b"0\r\n\r\n")


def huge_json(handler: BaseHTTPRequestHandler) -> None:
    send(handler, 200, json.dumps([{"text": "a" * 50_000}]).encode())


@pytest.mark.parametrize("behaviour", [huge_announced, huge_chunked, huge_json])
async def test_replies_larger_than_the_cap_are_refused_naming_the_limit(
    serve: Callable[[Behaviour], Bot], behaviour: Behaviour
) -> None:
    bot = serve(behaviour)
    message, elapsed = await failure(bot.url, max_reply_bytes=20_000, timeout_s=5)
    assert "max_reply_bytes=20,000" in message, message
    assert elapsed < 3


async def test_a_reply_within_the_cap_is_read(serve: Callable[[Behaviour], Bot]) -> None:
    bot = serve(lambda h: send(h, 200, OK_BODY))
    agent = WebhookAgent(WebhookOptions(url=bot.url, max_reply_bytes=len(OK_BODY)))
    turn = await agent.respond(state())
    await agent.aclose()
    assert turn.text == "Thanks! Your refund is on its way."


def slow_headers(handler: BaseHTTPRequestHandler) -> None:
    handler.server_release.wait(10)  # type: ignore[attr-defined]


def drip(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", "1000")
    handler.end_headers()
    for _ in range(1000):  # a byte every 0.1 s: each read is quick, the whole is not
        handler.wfile.write(b" ")
        handler.wfile.flush()
        if handler.server_release.wait(0.1):  # type: ignore[attr-defined]
            return


def half_headers(handler: BaseHTTPRequestHandler) -> None:
    handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
    handler.wfile.flush()
    handler.server_release.wait(10)  # type: ignore[attr-defined]


@pytest.mark.parametrize("behaviour", [slow_headers, drip, half_headers])
async def test_a_reply_slower_than_timeout_s_is_cut_off_in_time(
    serve: Callable[[Behaviour], Bot], behaviour: Behaviour
) -> None:
    bot = serve(behaviour)
    bot.server.RequestHandlerClass.server_release = bot.release  # type: ignore[attr-defined]
    message, elapsed = await failure(bot.url, timeout_s=0.6)
    assert "within timeout_s=0.6 s" in message, message
    assert elapsed < 0.6 + 1.0, f"cut off after {elapsed:.2f} s"


async def test_a_server_that_never_accepts_is_cut_off_in_time() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)  # the connection is queued by the kernel, never served
        host, port = listener.getsockname()
        message, elapsed = await failure(f"http://{host}:{port}/hook", timeout_s=0.5)
    assert "timeout_s=0.5" in message and elapsed < 1.5


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_redirects_are_reported_as_redirects_and_not_followed(
    serve: Callable[[Behaviour], Bot], status: int
) -> None:
    target = serve(lambda h: send(h, 200, OK_BODY))
    location = target.url.replace("http://", "http://bob:hunter2@")
    bot = serve(lambda h: send(h, status, b"", Location=location))
    message, _ = await failure(bot.url)
    assert f"redirected (HTTP {status}" in message
    assert redact_url(location) in message and "hunter2" not in message
    assert target.requests == [], "a redirect is not followed"


@pytest.mark.parametrize("body", [b"[]", b"[]\n"])
async def test_an_empty_reply_list_is_a_no_reply_error(
    serve: Callable[[Behaviour], Bot], body: bytes
) -> None:
    bot = serve(lambda h: send(h, 200, body))
    message, _ = await failure(bot.url)
    assert "no reply" in message


@pytest.mark.parametrize(
    ("userinfo", "query", "secret"),
    [
        ("bob:hunter2@", "", "hunter2"),
        ("", "?token=tok-5ecret&lang=en", "tok-5ecret"),
        ("api:k3y-abc@", "?api_key=k3y-abc", "k3y-abc"),
    ],
)
@pytest.mark.parametrize("status", [200, 500])
def test_credentials_in_the_url_are_never_printed_or_stored(
    serve: Callable[[Behaviour], Bot],
    tmp_path: Path,
    userinfo: str,
    query: str,
    secret: str,
    status: int,
) -> None:
    bot = serve(lambda h: send(h, status, OK_BODY))
    url = bot.url.replace("http://", f"http://{userinfo}") + query
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "id: s\npersona: calm\ngoal:\n  reason_for_call: refund\nmax_turns: 2\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    args = ["stress-test", "--agent", url, "-n", "2", "--scenario", str(scenario)]
    shown = [runner.invoke(app, args), runner.invoke(app, [*args, "--json"])]
    assert shown[0].exit_code == (0 if status == 200 else 1), shown[0].output
    run_id = json.loads(shown[1].stdout)["run_id"]
    shown += [
        runner.invoke(app, ["runs", "show", run_id]),
        runner.invoke(app, ["runs", "show", run_id, "--conversation", "0"]),
        runner.invoke(app, ["runs", "list"]),
    ]
    for outcome in shown:
        assert secret not in outcome.output, f"secret printed:\n{outcome.output}"
    assert "***" in shown[1].stdout, "the URL is shown, masked"
    for path in home().rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), f"secret stored in {path}"
    if userinfo:
        assert bot.requests[0].get("Authorization", "").startswith("Basic "), (
            "the credentials are still used for the request"
        )


def test_redact_url_masks_userinfo_and_secret_query_values() -> None:
    assert redact_url("https://u:p@h.example:81/a?b=1&access_token=x") == (
        "https://***@h.example:81/a?b=1&access_token=***"
    )
    assert redact_url("http://127.0.0.1:5005/hook") == "http://127.0.0.1:5005/hook"


def test_a_bad_fallback_pattern_in_config_names_file_line_and_field(
    understudy_home: Path, tmp_path: Path
) -> None:
    understudy_home.mkdir(parents=True, exist_ok=True)
    config = understudy_home / "config.yaml"
    config.write_text("webhook:\n  timeout_s: 5\n  fallback_patterns: ['(unclosed']\n")
    scenario = tmp_path / "s.yaml"
    scenario.write_text("id: s\npersona: calm\ngoal:\n  reason_for_call: refund\n")
    outcome = CliRunner().invoke(
        app, ["stress-test", "--agent", "http://127.0.0.1:9/hook", "--scenario", str(scenario)]
    )
    assert outcome.exit_code == 2, outcome.output
    text = " ".join(outcome.output.split())
    assert f"{config}:3: webhook.fallback_patterns" in text, text
    assert "'(unclosed' is not a regular expression" in text
