"""The live chat simulator of a flow page: type as the customer, see node, intent, confidence.

Both halves are ``understudy.runs.chat``: ``chat`` plays the lines typed here against the flow
(``/restart`` starts over, ``/quit`` ends), and "Replay this conversation" is ``plan_replay`` +
``replay``: a stored conversation's customer lines against the flow as it is now, stopping where
the flow answers differently.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

import understudy.runs.chat as flow_chat
from understudy.domain.transcript import ConversationResult, Message, Role
from understudy.engine.events import ConversationEnded, Event, MessageAdded
from understudy.errors import NotFoundError
from understudy.simulators.human import QUIT_COMMAND
from understudy.storage.store import Store
from understudy.teams.permissions import Action, authorize
from understudy.web.fields import RowId
from understudy.web.flow_files import flow_file
from understudy.web.templating import render

router = APIRouter()

REPLY_WAIT_S = 10.0
"""Longest wait for the flow's answer to a typed line, in seconds."""


@dataclass
class FlowChat:
    """One chat with a flow in progress."""

    token: str
    path: str
    queue: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    messages: list[Message] = field(default_factory=list)
    ended: str = ""
    task: asyncio.Task[ConversationResult] | None = None

    async def on_event(self, event: Event) -> None:
        """Keep every message, and why the chat ended."""
        if isinstance(event, MessageAdded):
            self.messages.append(event.message)
        elif isinstance(event, ConversationEnded):
            result = event.result
            self.ended = f"{result.termination_reason.value}: {result.detail}"


def _chats(request: Request) -> dict[str, FlowChat]:
    chats: dict[str, FlowChat] = request.app.state.flow_chats
    return chats


@router.post("/flow/chat", response_class=HTMLResponse)
async def start_chat(request: Request, path: str = Form(...)) -> HTMLResponse:
    """Start a chat with the flow (the flow speaks first when it opens the conversation).

    ``path`` is the flow's address (``web.flow_files``); any other path is a 404, not opened.
    """
    authorize(Action.RUN_STRESS_TEST)
    target = flow_chat.chat_target(str(flow_file(path).path))
    live = FlowChat(secrets.token_urlsafe(6), path)
    _chats(request)[live.token] = live
    live.task = asyncio.get_running_loop().create_task(
        flow_chat.chat(target, live.queue, observers=[live], on_restart=live.messages.clear)
    )
    await asyncio.sleep(0.05)
    return render(request, "flows/chat.html", {"chat": live})


@router.post("/flow/chat/{token}", response_class=HTMLResponse)
async def say(request: Request, token: str, text: str = Form(...)) -> HTMLResponse:
    """Send the customer's line and answer with the transcript once the flow has replied."""
    chat = _chats(request).get(token)
    if chat is None:
        raise NotFoundError(f"no chat {token!r} in this server (start a new one)")
    before = len(chat.messages)
    chat.queue.put_nowait(text.strip() or QUIT_COMMAND)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + REPLY_WAIT_S
    while loop.time() < deadline and not chat.ended:
        if any(m.role is Role.agent for m in chat.messages[before:]):
            break
        await asyncio.sleep(0.02)
    return render(request, "flows/chat.html", {"chat": chat})


@router.get("/runs/{run_id}/{index}/replay", response_class=HTMLResponse)
async def replay(request: Request, run_id: str, index: RowId) -> HTMLResponse:
    """Replay this conversation: its customer lines against the flow as it is now."""
    plan = flow_chat.plan_replay(Store(), run_id, index)
    replayed = await flow_chat.replay(plan)
    return render(
        request,
        "flows/replay.html",
        {
            "title": f"Replay of run {plan.run.id}, conversation {index}",
            "run": plan.run,
            "index": index,
            "result": replayed.result,
            "customer": replayed.customer,
            "changed": plan.changed,
        },
    )
