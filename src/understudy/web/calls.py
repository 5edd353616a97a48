"""The call page: briefing and documents, Start call, the live call over WebSocket.

A chat call exchanges typed lines over ``/calls/TOKEN/ws``. A voice call (a ``voice`` scenario,
or a ``hybrid`` one where the trainee picked voice) uses the same socket for captions, clock,
pause and end, plus ``/calls/TOKEN/audio`` for the microphone and the customer's voice
(``understudy.voice``, the optional extra).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from fastapi import APIRouter, Form, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse, RedirectResponse

from understudy.content import scenario_library as library
from understudy.content.scenarios import scenario_persona
from understudy.domain.scenario import Scenario, ScenarioMode
from understudy.errors import ConfigError, UnderstudyError
from understudy.graders.base import rubric_for
from understudy.practice.briefing import format_duration, load_documents
from understudy.simulators.languages import require_language
from understudy.teams.permissions import Action, authorize
from understudy.web.live import CallRegistry, LiveCall
from understudy.web.scenarios import current_user, test_session_problems
from understudy.web.templating import render

router = APIRouter()

CLOCK_PERIOD_S = 1.0
"""How often a connected browser gets the elapsed and remaining time, in seconds."""

MAX_SAY_CHARS = 8000
"""The longest reply a trainee may send, in characters (a few screens of chat; the offline
customer and the grader read every word, so an endless paste would stall the call)."""

COMMANDS = frozenset({"say", "pause", "continue", "end"})


def registry(request: Request | WebSocket) -> CallRegistry:
    """The app's live calls."""
    calls: CallRegistry = request.app.state.calls
    return calls


def _briefing(scenario_id: str) -> dict[str, Any]:
    entry = library.locate_id(scenario_id)
    scenario = entry.scenario
    base = entry.path.parent
    persona = scenario_persona(scenario, base)
    return {
        "s": scenario,
        "persona": persona,
        "documents": load_documents(scenario, base),
        "time_limit": format_duration(scenario.time_limit_s),
        "base": base,
    }


@router.get("/scenarios/{scenario_id}/call", response_class=HTMLResponse)
def briefing_page(request: Request, scenario_id: str) -> HTMLResponse:
    """The briefing (goal, persona summary, time limit), documents, and Start call."""
    context = _briefing(scenario_id)
    title = f"Practice: {context['s'].name or context['s'].id}"
    return render(
        request,
        "calls/briefing.html",
        {**context, "title": title, "trainee": current_user() or "trainee"},
    )


@router.post("/scenarios/{scenario_id}/call", response_model=None)
async def start_call(
    request: Request, scenario_id: str, trainee: str = Form(""), mode: str = Form("")
) -> HTMLResponse | RedirectResponse:
    """Start the call and open its page; refused like Test session when the scenario is
    incomplete, and with the install command when a voice call cannot run here."""
    authorize(Action.START_ATTEMPT)
    problems = test_session_problems(scenario_id)
    if problems:
        entry = library.locate_id(scenario_id)
        title = "Scenario is not valid for test session"
        context = {"title": title, "s": entry.scenario, "problems": problems}
        return render(request, "scenarios/invalid.html", context, 422)
    try:
        call = begin_call(request, scenario_id, trainee, mode)
    except ConfigError:
        raise  # shown as "Cannot do that" with the reason (a language not spoken)
    except UnderstudyError as exc:
        context = {"title": "Voice calls are not available", "message": str(exc)}
        return render(request, "error.html", context, 503)
    return RedirectResponse(f"/calls/{call.token}", status_code=303)


def call_mode(scenario: Scenario, picked: str) -> str:
    """The channel of a new call: the scenario's, or for a hybrid one the trainee's pick
    (``chat`` or ``voice``; voice when none was picked)."""
    if scenario.mode is ScenarioMode.hybrid:
        return "chat" if picked == "chat" else "voice"
    return "voice" if scenario.mode is ScenarioMode.voice else "chat"


def begin_call(request: Request, scenario_id: str, trainee: str, mode: str = "") -> LiveCall:
    """Start a live call of ``scenario_id`` for ``trainee`` (the login name when blank).

    Raises:
        VoiceUnavailable: a voice call without the voice extra or eSpeak NG.
        VoiceSetupError: the persona's voice is not installed.
        ConfigError: the persona speaks a language the offline simulator cannot speak.
    """
    context = _briefing(scenario_id)
    scenario = context["s"]
    # The offline customer speaks English only: another language is refused before the call.
    require_language("offline", context["persona"])
    return registry(request).start(
        scenario,
        context["base"],
        context["persona"],
        rubric_for(scenario),
        trainee.strip() or current_user() or "trainee",
        call_mode(scenario, mode),
    )


@router.get("/calls/{token}", response_class=HTMLResponse)
def call_page(request: Request, token: str) -> HTMLResponse:
    """The live call: status chip, times, chat, Pause/Continue, End call."""
    call = registry(request).get(token)
    if call is None:
        message = (
            "This call is no longer live (the server was restarted). Every turn said so far "
            "is stored: see Roleplay Training for its attempt."
        )
        return render(request, "error.html", {"title": "Call not found", "message": message}, 404)
    context = _briefing(call.scenario.id) if call.base else {}
    return render(
        request,
        "calls/call.html",
        {**context, "title": f"Practice: {call.scenario.name or call.scenario.id}", "call": call},
    )


@router.post("/calls/{token}/restart", response_model=None)
async def restart(request: Request, token: str) -> HTMLResponse | RedirectResponse:
    """Restart roleplay: a fresh call of the same scenario for the same trainee."""
    authorize(Action.START_ATTEMPT)
    call = registry(request).get(token)
    if call is None:
        return render(request, "error.html", {"title": "Call not found", "message": token}, 404)
    fresh = registry(request).start(
        call.scenario, call.base, call.persona, call.rubric, call.trainee_name, call.mode
    )
    return RedirectResponse(f"/calls/{fresh.token}", status_code=303)


async def _pump(websocket: WebSocket, queue: asyncio.Queue[dict[str, Any]]) -> None:
    while True:
        await websocket.send_json(await queue.get())


async def _tick(call: LiveCall, queue: asyncio.Queue[dict[str, Any]]) -> None:
    while True:
        queue.put_nowait(call.clock_state())
        if call.status in ("ended", "error"):
            return
        await asyncio.sleep(CLOCK_PERIOD_S)


def _command(text: str) -> dict[str, Any] | str:
    """A browser's message as a command, or what is wrong with it (never raises).

    A command is a JSON object with a known ``type``; a ``say`` carries at most
    ``MAX_SAY_CHARS`` characters of ``text``.
    """
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return "not JSON (or nested too deep)"
    if not isinstance(data, dict) or data.get("type") not in COMMANDS:
        return f"expected an object with type one of {', '.join(sorted(COMMANDS))}"
    if data["type"] == "say" and len(str(data.get("text", ""))) > MAX_SAY_CHARS:
        return f"a reply may have at most {MAX_SAY_CHARS} characters"
    return data


async def _receive_command(websocket: WebSocket) -> dict[str, Any] | str:
    """The next message of the browser as a command, or what is wrong with it.

    Raises:
        WebSocketDisconnect: the browser went away.
    """
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    text = message.get("text")
    if text is None:
        return "expected a text message"
    return _command(text)


@router.websocket("/calls/{token}/ws")
async def call_socket(websocket: WebSocket, token: str) -> None:
    """Replay the call so far, then stream it; receive say / pause / continue / end.

    Messages from the browser: ``{"type": "say", "text": ..., "id": ...}`` (``id`` makes a
    resend after a reconnect harmless), ``{"type": "pause"}``, ``{"type": "continue"}``,
    ``{"type": "end"}``. Anything else (not JSON, an unknown type, a reply over
    ``MAX_SAY_CHARS``) is answered ``{"type": "invalid", "detail": ...}`` and changes nothing.
    """
    await websocket.accept()
    call = registry(websocket).get(token)
    if call is None:
        await websocket.send_json({"type": "gone"})
        await websocket.close()
        return
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for message in call.events:
        queue.put_nowait(message)
    call.listeners.add(queue)
    tasks = [asyncio.create_task(_pump(websocket, queue)), asyncio.create_task(_tick(call, queue))]
    try:
        while True:
            data = await _receive_command(websocket)
            if isinstance(data, str):  # malformed: say so, and keep the call going
                await websocket.send_json({"type": "invalid", "detail": data})
                continue
            kind = data["type"]
            if kind == "say" and str(data.get("text", "")).strip():
                call.say(str(data["text"]), str(data.get("id", "")))
            elif kind == "pause":
                call.pause()
            elif kind == "continue":
                call.resume()
            elif kind == "end":
                call.end()
    except WebSocketDisconnect:
        pass
    finally:
        call.listeners.discard(queue)
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
                await task


@router.websocket("/calls/{token}/audio")
async def audio_socket(websocket: WebSocket, token: str) -> None:
    """The microphone in and the customer's voice out, for a voice call (see
    ``understudy.voice.serializer`` for the format); a reconnect continues the same call."""
    await websocket.accept()
    call = registry(websocket).get(token)
    if call is None or call.voice is None:
        await websocket.close(code=1008)
        return
    from pipecat.transports.websocket.fastapi import (
        FastAPIWebsocketParams,
        FastAPIWebsocketTransport,
    )

    from understudy.voice.serializer import SAMPLE_RATE, BrowserAudioSerializer

    transport = FastAPIWebsocketTransport(
        websocket,
        FastAPIWebsocketParams(
            audio_in_enabled=True,
            audio_out_enabled=True,
            audio_in_sample_rate=SAMPLE_RATE,
            audio_out_sample_rate=SAMPLE_RATE,
            serializer=BrowserAudioSerializer(),
            allowed_origins=[],
        ),
    )
    await call.voice.run(transport)
