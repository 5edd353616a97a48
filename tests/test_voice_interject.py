"""An impatient customer interrupts a trainee who talks on too long (voice calls)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from understudy.domain.persona import Behaviour, Mood, Persona
from understudy.storage.attempt_store import AttemptStore
from understudy.voice.call import monologue_limit
from understudy.voice.testing import FakePhone
from understudy.web import create_app
from voice_helpers import REPO, fixture_pcm, install_voice_scenario
from web_helpers import signed_in


@pytest.fixture(autouse=True)
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def test_only_angry_frustrated_or_impatient_customers_interrupt_and_the_limit_is_seeded() -> None:
    calm = Persona(id="c", name="C", mood=Mood.calm, behaviour=Behaviour(patience=0.7))
    assert monologue_limit(calm, 1) is None
    angry = calm.model_copy(update={"mood": Mood.angry})
    limit = monologue_limit(angry, 1)
    assert limit is not None and (8 + 22 * 0.7) * 0.85 <= limit <= (8 + 22 * 0.7) * 1.15
    assert monologue_limit(angry, 1) == limit, "the same seed, the same limit"
    hasty = Persona(id="h", name="H", behaviour=Behaviour(patience=0.0))
    assert monologue_limit(hasty, 2) is not None and monologue_limit(hasty, 2) <= 8 * 1.15


@pytest.mark.slow
def test_an_impatient_customer_talks_over_a_long_monologue(understudy_home: Path) -> None:
    scenario_id = install_voice_scenario(understudy_home)
    persona = understudy_home / "scenarios" / "practice-personas" / "daiki-johnson.yaml"
    persona.write_text(persona.read_text().replace("patience: 0.7", "patience: 0.0"))
    monologue = fixture_pcm(1) + fixture_pcm(2) + fixture_pcm(3)  # about 17 s without a pause
    with signed_in(create_app()) as client:
        response = client.post(
            f"/scenarios/{scenario_id}/call", data={"trainee": "al"}, follow_redirects=False
        )
        token = response.headers["location"].rsplit("/", 1)[1]
        with (
            client.websocket_connect(f"/calls/{token}/ws") as ws,
            client.websocket_connect(f"/calls/{token}/audio") as audio,
        ):
            phone = FakePhone(audio)
            try:
                phone.wait_for_customer(after=0.0)
                phone.speak(monologue)
                started = phone.speech_started_at
                assert phone.speech_done.wait(40)
                ended = phone.speech_ended_at
                over = [t for t, _ in phone.received if started + 2 < t < ended]
                assert over, "the customer spoke while the trainee was still talking"
                assert over[0] - started <= 8 * 1.15 + 2.5, "within its limit (+ STT slack)"
                ws.send_json({"type": "end"})
                while ws.receive_json()["type"] != "graded":
                    pass
            finally:
                phone.close()
    attempt = AttemptStore().list_attempts()[0]
    events = AttemptStore().get(attempt.id).events
    by_customer = [e for e in events if e["kind"] == "interruption" and e["by"] == "customer"]
    assert len(by_customer) == 1, "one interjection per monologue"
    assert any(e["kind"] == "act" and e.get("act") == "interrupt()" for e in events)
    time.sleep(0.1)
