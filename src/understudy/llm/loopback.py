"""The plumbing the fake model servers share: a JSON HTTP server on 127.0.0.1, in a thread.

:class:`LoopbackHTTP` serves a request-handler class on 127.0.0.1 at a free port from a daemon
thread until :meth:`LoopbackHTTP.close`; :class:`JSONHandler` is the handler base that answers in
JSON, keeps connections alive and writes no access log. Used by
``understudy.llm.testing.ChatServer`` and ``understudy.llm.testing_providers.ModelListServer``;
loopback only, never another host.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # a batch opens many connections at once


class JSONHandler(BaseHTTPRequestHandler):
    """A request handler answering JSON over keep-alive HTTP/1.1, without an access log."""

    protocol_version = "HTTP/1.1"  # keep-alive: clients reuse their connections

    def log_message(self, format: str, *args: Any) -> None:
        return

    def send_bytes(self, status: int, data: bytes, headers: dict[str, str] | None = None) -> None:
        """Answer ``status`` with ``data`` as an ``application/json`` body.

        Args:
            status: the HTTP status code.
            data: the body, sent as is (it may be malformed JSON on purpose).
            headers: extra response headers, sent before ``Content-Type``.
        """
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_json(self, status: int, body: object) -> None:
        """Answer ``status`` with ``body`` encoded as JSON."""
        self.send_bytes(status, json.dumps(body).encode())


class LoopbackHTTP:
    """A threaded HTTP server on 127.0.0.1 (a free port), serving from a daemon thread.

    Args:
        handler: the request-handler class, one instance per request.
    """

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self._server = _Server(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:<port>``, without a trailing slash."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def close(self) -> None:
        """Stop serving, close the socket and wait (up to 5 s) for the thread to end."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
