"""Sign-in for the web app: signed session cookies, CSRF tokens, and the acting user per request.

- **Sessions**: Starlette's ``SessionMiddleware`` keeps ``{"user": username}`` in a cookie
  signed with itsdangerous (HttpOnly, SameSite=Lax, 14 days). The key is
  ``UNDERSTUDY_SECRET_KEY`` or a random key made once and kept in ``$UNDERSTUDY_HOME/web-secret``
  (readable by its owner only), so restarting the server keeps people signed in.
- **CSRF**: ``asgi-csrf`` (double-submit: a signed ``csrftoken`` cookie that every unsafe
  request must repeat in the ``csrftoken`` form field or the ``x-csrftoken`` header). Every
  form carries the field; htmx sends the header from ``hx-headers`` on ``<body>``.
- **Who acts**: ``SignedInMiddleware`` loads the signed-in user on every request and WebSocket
  and binds them as the actor (``teams.context.acting_as``) for the whole request, so the
  library's permission checks and workspace filters apply. A request with no valid session is
  sent to ``/login`` (a WebSocket is closed with code 1008).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.types import ASGIApp, Receive, Scope, Send

from understudy.errors import NotFoundError
from understudy.settings import home
from understudy.teams.context import acting_as

SECRET_ENV = "UNDERSTUDY_SECRET_KEY"
SESSION_COOKIE = "understudy_session"
SESSION_MAX_AGE_S = 14 * 24 * 3600
"""Signed-in sessions last 14 days."""

PUBLIC_PATHS = ("/login", "/static/")
"""Paths served without a signed-in user (the sign-in page and the stylesheet and scripts)."""

CSRF_FAILED = (
    "This form could not be accepted: its security token is missing or out of date (CSRF "
    "check). Reload the page and submit it again."
)


def secret_key() -> str:
    """Return the key that signs session and CSRF cookies.

    ``UNDERSTUDY_SECRET_KEY`` when set; otherwise the content of ``$UNDERSTUDY_HOME/web-secret``,
    created with 32 random bytes (mode 0600) the first time.
    """
    from_env = os.environ.get(SECRET_ENV)
    if from_env:
        return from_env
    path: Path = home() / "web-secret"
    if not path.exists():
        key = secrets.token_urlsafe(32)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(key)
    return path.read_text().strip()


def _is_public(path: str) -> bool:
    return path == "/login" or any(path.startswith(p) for p in PUBLIC_PATHS if p.endswith("/"))


class SignedInMiddleware:
    """Bind the signed-in user as the actor for each request; send others to ``/login``.

    Runs inside ``SessionMiddleware`` (it reads ``scope["session"]``).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or _is_public(scope["path"]):
            await self.app(scope, receive, send)
            return
        user = _signed_in_user(scope)
        if user is None:
            await _refuse(scope, receive, send)
            return
        scope.setdefault("state", {})["user"] = user
        with acting_as(user.actor()):
            await self.app(scope, receive, send)


def _signed_in_user(scope: Scope) -> Any:
    from understudy.teams.accounts import Accounts

    username = scope.get("session", {}).get("user")
    if not isinstance(username, str):
        return None
    try:
        user = Accounts().get(username)
    except NotFoundError:
        return None
    return None if user.disabled else user


async def _refuse(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008, "reason": "sign in first"})
        return
    from starlette.responses import PlainTextResponse, RedirectResponse

    target = scope["path"] + (
        ("?" + scope["query_string"].decode()) if scope["query_string"] else ""
    )
    location = "/login?next=" + quote(target, safe="")
    headers = dict(scope.get("headers") or [])
    if b"hx-request" in headers:
        response: Any = PlainTextResponse("sign in first", 401, headers={"HX-Redirect": location})
    elif scope["method"] in ("GET", "HEAD"):
        response = RedirectResponse(location, status_code=303)
    else:
        response = PlainTextResponse("sign in first: " + location, 401)
    await response(scope, receive, send)


class CsrfMiddleware:
    """``asgi-csrf`` around the app, signed with ``secret_key``; failures get a clear 403."""

    def __init__(self, app: ASGIApp, secret: str) -> None:
        from asgi_csrf import asgi_csrf_decorator

        wrap = asgi_csrf_decorator(
            signing_secret=secret,
            always_protect={"/login", "/logout"},
            send_csrf_failed=_csrf_failed,
        )
        self.app = wrap(app)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


async def _csrf_failed(scope: Scope, send: Send, message_id: Any) -> None:
    body = CSRF_FAILED.encode()
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [(b"content-type", b"text/plain; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": body})


def csrf_token(scope: Scope) -> str:
    """Return the request's CSRF token (set as a cookie on the response when new)."""
    getter = scope.get("csrftoken")
    return str(getter()) if callable(getter) else ""
