"""An agent persona's voice configuration sets up voice calls of a scenario naming it: who speaks
first, the first message, the time limit, the silence timeout and whether audio is stored.

The first tests read the settings; the others run voice calls in real time over the web app's
audio socket with the real engines (slow).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from understudy.agents import persona_store
from understudy.domain.persona import Persona
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.domain.transcript import Role
from understudy.errors import NotFoundError
from understudy.storage.attempt_store import AttemptStore
from understudy.storage.recordings import RecordingStore
from understudy.voice.engines import VoiceSetupError
from understudy.voice.line import PRESENCE_CHECK, line_settings
from understudy.voice.testing import FakePhone
from understudy.web import create_app
from voice_helpers import REPO, fixture_pcm, install_voice_scenario
from web_helpers import signed_in

FIRST_MESSAGE = "Thank you for calling Acme returns, this is Ava."

AGENT = """\
# kind: agent
id: acme-line
name: Ava from Acme
voice:
  - locale: en-US
    prompt: You are Acme's phone assistant.
    voice: en-gb
    first_speaker: {first_speaker}
    first_message: {first_message}
    max_duration_s: {max_duration_s}
    silence_timeout_s: {silence_timeout_s}
    recording: {recording}
  - locale: de-DE
    prompt: Du bist der Telefonassistent von Acme.
    first_speaker: customer
    max_duration_s: 90
"""


def add_agent(home: Path, **settings: Any) -> None:
    values = {
        "first_speaker": "agent",
        "first_message": FIRST_MESSAGE,
        "max_duration_s": 45,
        "silence_timeout_s": 10,
        "recording": "true",
        **settings,
    }
    path = home / "acme-line.yaml"
    home.mkdir(parents=True, exist_ok=True)
    path.write_text(AGENT.format(**values))
    persona_store.import_agent(path)


def scenario(**fields: Any) -> Scenario:
    return Scenario(
        id="line", persona="calm", goal=CustomerGoal(reason_for_call="A refund."), **fields
    )


def test_without_an_agent_persona_the_scenario_sets_the_line(understudy_home: Path) -> None:
    line = line_settings(scenario(time_limit_s=300), Persona(id="calm", name="Calm"))
    assert line.first_speaker is Role.customer and line.time_limit_s == 300
    assert line.silence_timeout_s is None and line.recording and not line.first_message


def test_the_agent_personas_configuration_for_the_callers_language_sets_the_line(
    understudy_home: Path,
) -> None:
    add_agent(understudy_home, recording="false", silence_timeout_s=7)
    british = Persona(id="c", name="C", language="en-GB")  # no en-GB configuration: en-US's
    line = line_settings(scenario(agent_persona="acme-line"), british)
    assert (line.first_speaker, line.first_message) == (Role.agent, FIRST_MESSAGE)
    assert line.time_limit_s == 45, "the shorter of max_duration_s and the scenario's limit"
    assert (line.silence_timeout_s, line.recording, line.agent_voice) == (7, False, "en-gb")
    german = line_settings(
        scenario(agent_persona="acme-line", time_limit_s=60),
        Persona(id="d", name="D", language="de-DE"),
    )
    assert german.first_speaker is Role.customer and german.time_limit_s == 60
    played = line.apply(scenario(agent_persona="acme-line"))
    assert played.first_speaker is Role.agent and played.time_limit_s == 45


def test_an_unknown_agent_persona_or_voice_is_refused(understudy_home: Path) -> None:
    with pytest.raises(NotFoundError, match="no agent persona 'nobody'"):
        line_settings(scenario(agent_persona="nobody"), Persona(id="c", name="C"))
    add_agent(understudy_home)
    text = (persona_store.draft_path("acme-line")).read_text().replace("voice: en-gb", "voice: xx")
    persona_store.save_draft("acme-line", text)
    with pytest.raises(VoiceSetupError, match="Unknown voice 'xx'"):
        line_settings(scenario(agent_persona="acme-line"), Persona(id="c", name="C"))
    served = line_settings(
        scenario(agent_persona="acme-line"), Persona(id="c", name="C"), espeak=False
    )
    assert served.agent_voice == "xx", "a speech server's voice names are its own"


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def voice_scenario_with_agent(home: Path) -> str:
    scenario_id = install_voice_scenario(home)
    path = home / "scenarios" / f"{scenario_id}.yaml"
    path.write_text(path.read_text() + "agent_persona: acme-line\n")
    return scenario_id


def start(client: TestClient, scenario_id: str) -> str:
    response = client.post(
        f"/scenarios/{scenario_id}/call", data={"trainee": "alice"}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"]).rsplit("/", 1)[1]


def until(ws: WebSocketTestSession, kind: str, timeout_s: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        message: dict[str, Any] = ws.receive_json()
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind} message within {timeout_s} s")


@pytest.mark.slow
@pytest.mark.usefixtures("in_repo")
def test_the_agent_opens_with_its_first_message_and_an_unrecorded_call_keeps_no_audio(
    understudy_home: Path,
) -> None:
    add_agent(understudy_home, recording="false")
    scenario_id = voice_scenario_with_agent(understudy_home)
    with signed_in(create_app()) as client:
        token = start(client, scenario_id)
        with (
            client.websocket_connect(f"/calls/{token}/ws") as ws,
            client.websocket_connect(f"/calls/{token}/audio") as audio,
        ):
            phone = FakePhone(audio)
            try:
                clock = until(ws, "clock")
                assert clock["remaining_s"] <= 45, "max_duration_s is the call's limit"
                first = until(ws, "message")
                assert (first["role"], first["text"]) == ("agent", FIRST_MESSAGE)
                answer = until(ws, "message")
                assert answer["role"] == "customer", "the customer answers the first message"
                phone.wait_for_customer(after=0.0)
                phone.say_and_wait(fixture_pcm(1))
                phone.wait_for_customer(after=time.monotonic())
                ws.send_json({"type": "end"})
                graded = until(ws, "graded")
            finally:
                phone.close()
        attempt_id = graded["attempt_id"]
        deadline = time.monotonic() + 20
        recording = RecordingStore().get(attempt_id)
        while (recording is None or not recording.turns) and time.monotonic() < deadline:
            time.sleep(0.2)
            recording = RecordingStore().get(attempt_id)
    assert recording is not None and recording.audio is None, "recording: false keeps no audio"
    first_turn = next(t for t in recording.turns if t.index == 1)
    assert first_turn.role == "agent" and first_turn.end_s > first_turn.start_s > 0
    record = AttemptStore().get(attempt_id)
    trainee = [m for m in record.messages if m.role is Role.agent]
    assert trainee[0].text == FIRST_MESSAGE and len(trainee) >= 2, "then the trainee's turn"


@pytest.mark.slow
@pytest.mark.usefixtures("in_repo")
def test_a_silent_line_gets_a_presence_check_then_the_call_ends(understudy_home: Path) -> None:
    add_agent(understudy_home, first_message='""', silence_timeout_s=3)
    scenario_id = voice_scenario_with_agent(understudy_home)
    with signed_in(create_app()) as client:
        token = start(client, scenario_id)
        with (
            client.websocket_connect(f"/calls/{token}/ws") as ws,
            client.websocket_connect(f"/calls/{token}/audio") as audio,
        ):
            phone = FakePhone(audio)
            connected = time.monotonic()
            try:
                phone.wait_for_customer(after=0.0, timeout=15)
                first_audio = phone.received[0][0] - connected
                assert 2.5 <= first_audio <= 8, f"the check came after {first_audio:.1f} s"
                ended = until(ws, "ended", timeout_s=20)
                graded = until(ws, "graded")
            finally:
                phone.close()
    assert ended["duration_s"] <= 20
    record = AttemptStore().get(graded["attempt_id"])
    silences = [e for e in record.events if e["kind"] == "silence"]
    assert [e["then"] for e in silences] == ["presence_check", "ended"], silences
    assert record.termination_reason == "silence_timeout", record.termination_reason
    assert not [m for m in record.messages if m.role is Role.customer], (
        "the agent opens: the customer waited for the trainee, and only asked "
        f"{PRESENCE_CHECK!r} aloud"
    )
