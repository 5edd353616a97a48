"""A local server answering the Anthropic and Gemini model-list routes, for tests of the preflight.

:class:`ModelListServer` listens on 127.0.0.1 (loopback only, a free port) and answers what
``understudy.llm.preflight`` asks a provider before a run, in that provider's own shapes:

* ``dialect="anthropic"``: ``GET /v1/models`` (``data``, ``has_more``, ``first_id``,
  ``last_id``) and ``GET /v1/models/{id}`` (a model, an alias resolved through ``aliases``, or a
  404 ``not_found_error``); a request without the key (``x-api-key: <api_key>`` or
  ``Authorization: Bearer <api_key>``, as the client library sends it) gets the 401
  ``authentication_error``.
* ``dialect="google"``: ``GET /v1beta/models`` (``models`` with ``models/<id>`` names) and
  ``GET /v1beta/models/{id}`` (a model or a 404 ``NOT_FOUND``); a request without
  ``x-goog-api-key: <api_key>`` gets the 400 ``INVALID_ARGUMENT`` / ``API_KEY_INVALID`` answer.

Point the provider's own client at it with ``ANTHROPIC_BASE_URL`` or ``GOOGLE_GEMINI_BASE_URL``
set to ``base_url``. Every request path is kept in ``paths``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from understudy.llm.loopback import JSONHandler, LoopbackHTTP


@dataclass
class ModelListServer:
    """A loopback server speaking one provider's model-list routes.

    Attributes:
        dialect: ``anthropic`` or ``google``.
        models: model ids served.
        api_key: the only key accepted.
        aliases: alias -> model id (Anthropic resolves aliases when one model is asked for).
        paths: every request path, in order.
    """

    dialect: Literal["anthropic", "google"]
    models: list[str]
    api_key: str = "test-key"
    aliases: dict[str, str] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)
    _loopback: LoopbackHTTP | None = None

    @property
    def base_url(self) -> str:
        """The server's root URL, for ``ANTHROPIC_BASE_URL`` or ``GOOGLE_GEMINI_BASE_URL``."""
        assert self._loopback is not None, "start the server first (use it in a with block)"
        return self._loopback.root_url

    def _anthropic(self, path: str, key: str | None) -> tuple[int, object]:
        if key != self.api_key:
            error = {"type": "authentication_error", "message": "invalid x-api-key"}
            return 401, {"type": "error", "error": error}
        if path == "/v1/models":
            data = [self._anthropic_model(m) for m in self.models]
            first, last = (self.models[0], self.models[-1]) if self.models else (None, None)
            return 200, {"data": data, "has_more": False, "first_id": first, "last_id": last}
        if path.startswith("/v1/models/"):
            asked = unquote(path.removeprefix("/v1/models/"))
            found = self.aliases.get(asked, asked)
            if found in self.models:
                return 200, self._anthropic_model(found)
            error = {"type": "not_found_error", "message": f"model: {asked}"}
            return 404, {"type": "error", "error": error}
        return 404, {"type": "error", "error": {"type": "not_found_error", "message": path}}

    @staticmethod
    def _anthropic_model(model: str) -> dict[str, Any]:
        created = "2025-01-01T00:00:00Z"
        return {"type": "model", "id": model, "display_name": model, "created_at": created}

    def _google(self, path: str, key: str | None) -> tuple[int, object]:
        if key != self.api_key:
            reason = {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
            }
            message = "API key not valid. Please pass a valid API key."
            error = {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}
            return 400, {"error": {**error, "details": [reason]}}
        if path == "/v1beta/models":
            return 200, {"models": [self._google_model(m) for m in self.models]}
        if path.startswith("/v1beta/models/"):
            asked = unquote(path.removeprefix("/v1beta/models/"))
            if asked in self.models:
                return 200, self._google_model(asked)
            message = f"models/{asked} is not found for API version v1beta"
            return 404, {"error": {"code": 404, "message": message, "status": "NOT_FOUND"}}
        return 404, {"error": {"code": 404, "message": path, "status": "NOT_FOUND"}}

    @staticmethod
    def _google_model(model: str) -> dict[str, Any]:
        methods = ["generateContent", "countTokens"]
        return {"name": f"models/{model}", "displayName": model, "supportedActions": methods}

    def __enter__(self) -> ModelListServer:
        owner = self

        class Handler(JSONHandler):
            def do_GET(self) -> None:
                path = urlsplit(self.path).path.rstrip("/")
                owner.paths.append(path)
                if owner.dialect == "anthropic":
                    bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    key = self.headers.get("x-api-key") or bearer
                    status, body = owner._anthropic(path, key)
                else:
                    status, body = owner._google(path, self.headers.get("x-goog-api-key"))
                self.send_json(status, body)

        self._loopback = LoopbackHTTP(Handler)
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._loopback is not None:
            self._loopback.close()
