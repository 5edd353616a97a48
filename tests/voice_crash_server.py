"""A web app process holding a voice call, for the killed-server test (test_voice_spool.py).

Run as ``python tests/voice_crash_server.py SCENARIO_ID`` with ``UNDERSTUDY_HOME`` set: it
starts a voice call of the scenario, speaks the first recorded trainee line, waits for the
customer's reply, prints ``READY ATTEMPT_ID`` and then waits to be killed.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from understudy.voice.testing import FakePhone
from understudy.web import create_app
from voice_helpers import REPO, fixture_pcm
from web_helpers import signed_in


def main() -> None:
    """Hold a call until killed."""
    os.chdir(REPO)
    scenario_id = sys.argv[1]
    with signed_in(create_app()) as client:
        response = client.post(
            f"/scenarios/{scenario_id}/call", data={"trainee": "alice"}, follow_redirects=False
        )
        token = str(response.headers["location"]).rsplit("/", 1)[1]
        with (
            client.websocket_connect(f"/calls/{token}/ws") as ws,
            client.websocket_connect(f"/calls/{token}/audio") as audio,
        ):
            phone = FakePhone(audio)
            phone.wait_for_customer(after=0.0)
            phone.say_and_wait(fixture_pcm(1))
            phone.wait_for_customer(after=time.monotonic())
            attempt_id = None
            while attempt_id is None:
                message = ws.receive_json()
                attempt_id = message.get("attempt_id")
            time.sleep(1.5)  # the last second of audio reaches the spool
            print(f"READY {attempt_id}", flush=True)
            time.sleep(600)


if __name__ == "__main__":
    main()
