"""The live chat simulator of a flow page: type as the customer, see node, intent, confidence.

The same engine a stress-test uses plays the conversation: ``HumanCustomer`` (lines from this
page) against the flow's agent from ``resolve_agent``. "Replay this conversation" plays the
customer lines of a stored conversation against the flow as it is now (``ReplayCustomer``) and
stops where the flow answers differently.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from understudy.agents.resolve import AgentInfo, resolve_agent
from understudy.content.loader import load_model
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import Message, Role
from understudy.engine.clock import ManualClock
from understudy.engine.events import ConversationEnded, Event, MessageAdded
from understudy.engine.loop import run_conversation
from understudy.errors import ConfigError, NotFoundError
from understudy.runs.rerun import stored_scenarios
from understudy.simulators.human import QUIT_COMMAND, HumanCustomer, ReplayCustomer
from understudy.storage.store import Store
from understudy.web.templating import render

router = APIRouter()

REPLY_WAIT_S = 10.0
"""Longest wait for the flow's answer to a typed line, in seconds."""

CHAT_TIME_LIMIT_S = 24 * 3600.0
"""A typed chat is bounded by turns, not time: a person may stop to read the flow."""


def chat_scenario(info: AgentInfo) -> Scenario:
    """The scenario a chat with a flow plays: its default scenario, else a generic one.

    Raises:
        ConfigError: the flow names no default scenario and has no generic one.
    """
    if info.default_scenario is not None:
        return load_model(Scenario, info.default_scenario)
    if info.generic_scenario is not None:
        return info.generic_scenario
    raise ConfigError("the flow names no default scenario")


@dataclass
class FlowChat:
    """One chat with a flow in progress."""

    token: str
    path: str
    queue: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    messages: list[Message] = field(default_factory=list)
    ended: str = ""
    task: asyncio.Task[object] | None = None

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
    """Start a chat with the flow (the flow speaks first when it opens the conversation)."""
    factory, info = resolve_agent(path)
    if info.kind != "flow":
        raise ConfigError(f"the chat simulator plays assistant flows; {path!r} is a {info.kind}")
    scenario = chat_scenario(info).model_copy(update={"time_limit_s": CHAT_TIME_LIMIT_S})
    chat = FlowChat(secrets.token_urlsafe(6), path)
    _chats(request)[chat.token] = chat
    chat.task = asyncio.get_running_loop().create_task(
        run_conversation(
            HumanCustomer(chat.queue),
            factory(),
            scenario,
            conversation_id=f"chat-{chat.token}",
            observers=[chat],
        )
    )
    await asyncio.sleep(0.05)
    return render(request, "flows/chat.html", {"chat": chat})


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
async def replay(request: Request, run_id: str, index: int) -> HTMLResponse:
    """Replay this conversation: its customer lines against the flow as it is now."""
    store = Store()
    run = store.get_run(run_id)
    row, stored = store.get_conversation(run.id, index)
    if run.agent_kind != "flow":
        raise ConfigError(f"run {run.id} did not play a flow")
    factory, info = resolve_agent(run.agent_ref)
    scenarios = stored_scenarios(run)
    scenario = next((s for s in scenarios if s.id == row.scenario_id), scenarios[0])
    customer = ReplayCustomer(stored.messages)
    result = await run_conversation(
        customer,
        factory(),
        scenario,
        conversation_id="replay",
        clock=ManualClock(),
        seed=stored.seed,
    )
    return render(
        request,
        "flows/replay.html",
        {
            "title": f"Replay of run {run.id}, conversation {index}",
            "run": run,
            "index": index,
            "result": result,
            "customer": customer,
            "changed": info.content_hash != run.agent_hash,
        },
    )
