"""Each role in a real browser (Debian's Chromium): sign in, and see only what the role may do.

An administrator (ada), a full member (mo, who created the scenario) and a read-only seat
(rita) sign in through the login form of `understudy serve`. Fails when Chromium is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from browser import Server, chromium, js_errors, screenshot, sign_in
from understudy.content import scenario_library
from understudy.teams.accounts import Accounts
from understudy.teams.context import acting_as
from understudy.teams.permissions import Role
from web_helpers import PASSWORD, ensure_user

pytestmark = pytest.mark.slow

SCENARIO = "team-practice"


@pytest.fixture
def server(understudy_home: Path) -> Iterator[Server]:
    ensure_user("ada", Role.ADMIN)
    ensure_user("mo", Role.MEMBER)
    ensure_user("rita", Role.READ_ONLY)
    with acting_as(Accounts().get("mo").actor()):
        scenario_library.duplicate_scenario("practice-retail-return", SCENARIO)
    running = Server(understudy_home)
    running.start()
    yield running
    running.stop()


def _texts(driver: object, css: str) -> list[str]:
    return [e.text.strip() for e in driver.find_elements(By.CSS_SELECTOR, css)]  # type: ignore[attr-defined]


EXPECT = {
    #        Users nav, New scenario, Report, Edit, Delete, Participant column, /users allowed
    "ada": (True, True, True, True, False, True, True),
    "mo": (False, True, True, True, True, False, False),
    "rita": (False, False, False, False, False, False, False),
}


def test_each_role_signs_in_and_sees_what_it_may_do(server: Server) -> None:
    for name, expected in EXPECT.items():
        users_nav, new, report, edit, delete, participant, users_page = expected
        with chromium() as driver:
            sign_in(driver, server, name, PASSWORD)
            assert f"Signed in as {name}" in driver.find_element(By.CSS_SELECTOR, ".signed-in").text
            assert ("Users" in _texts(driver, "nav.sidebar a")) == users_nav, name
            driver.get(server.url + "/scenarios")
            buttons = _texts(driver, "main .toolbar a.button")
            assert ("New scenario" in buttons, "Report" in buttons) == (new, report), name
            driver.get(server.url + f"/scenarios/{SCENARIO}")
            actions = _texts(driver, "main .toolbar a.button")
            assert ("Edit" in actions, "Delete" in actions) == (edit, delete), (name, actions)
            driver.get(server.url + "/sessions")
            headers = [h.lower() for h in _texts(driver, "thead th")]
            assert ("participant" in headers) == participant, (name, headers)
            driver.get(server.url + "/users")
            heading = driver.find_element(By.CSS_SELECTOR, "main h1").text
            assert (heading == "Users") == users_page, (name, heading)
            if not users_page:
                assert "may not manage users" in driver.find_element(By.CSS_SELECTOR, "main").text
            screenshot(driver, f"teams-{name}")
            assert js_errors(driver) == [], name
            driver.find_element(By.XPATH, "//button[normalize-space()='Sign out']").click()
            # The click submits a form: wait for the navigation instead of racing it.
            WebDriverWait(driver, 15).until(lambda d: "/login" in d.current_url)
