"""Property test of the web API over its OpenAPI schema: no request makes the server fail (5xx).

schemathesis generates requests for every operation in ``/openapi.json`` (paths, query
strings, form bodies), sent by a signed-in administrator with the CSRF header, against a home
with a scenario, a graded attempt and a stored run. Seeded (``derandomize``) and bounded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from understudy.web import create_app
from web_helpers import signed_in

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow

APP = create_app()
schema = schemathesis.openapi.from_dict(APP.openapi())


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Headers and cookies of a signed-in administrator."""
    monkeypatch.chdir(REPO)
    client = signed_in(APP)
    return {
        "headers": {"x-csrftoken": client.headers["x-csrftoken"]},
        "cookies": dict(client.cookies),
    }


@schema.parametrize()
@settings(
    max_examples=8,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_makes_the_server_fail(case: Any, session: dict[str, Any]) -> None:
    response = case.call(app=APP, headers=session["headers"], cookies=session["cookies"])
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:500]}"
    )
