"""The web app in a real browser (Debian's Chromium): what a user does with a mouse and keys.

Each test saves a screenshot in build/screenshots/. They fail when Chromium is missing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from browser import (
    Server,
    chromium,
    js_errors,
    screenshot,
    sign_in,
    unlabelled_controls,
    wait_for,
    wait_text,
)
from conftest import Database
from understudy.storage.attempt_store import AttemptStore
from web_helpers import PASSWORD, ensure_user

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("database")]


@pytest.fixture
def server(understudy_home: Path, database: Database) -> Iterator[Server]:
    """`understudy serve` on the test's UNDERSTUDY_HOME and database."""
    running = Server(understudy_home)
    running.start()
    yield running
    running.stop()


@pytest.fixture
def browser(server: Server) -> Iterator[webdriver.Chrome]:
    """Chromium signed in to ``server`` as an administrator."""
    ensure_user("admin")
    with chromium() as driver:
        sign_in(driver, server, "admin", PASSWORD)
        yield driver


def fill(driver: webdriver.Chrome, name: str, text: str) -> None:
    element = driver.find_element(By.NAME, name)
    element.clear()
    element.send_keys(text)


def click(driver: webdriver.Chrome, text: str) -> None:
    path = f"//button[normalize-space()='{text}'] | //a[normalize-space()='{text}']"
    driver.find_element(By.XPATH, path).click()


def test_create_a_persona(server: Server, browser: webdriver.Chrome, understudy_home: Path) -> None:
    browser.get(server.url + "/personas")
    assert "Maya" in browser.find_element(By.TAG_NAME, "table").text
    click(browser, "New persona")
    wait_for(browser, "#f-name")
    assert unlabelled_controls(browser) == [], "every form control has a label"
    fill(browser, "id", "rosa")
    fill(browser, "name", "Rosa")
    Select(browser.find_element(By.NAME, "mood")).select_by_value("frustrated")
    Select(browser.find_element(By.NAME, "mood_drift")).select_by_value("fast")
    fill(browser, "language", "Spanish")
    fill(browser, "backstory", "Rosa runs a bakery and was charged twice.")
    fill(browser, "knowledge.knows", "order_id: ORD-4242")
    click(browser, "Save persona")
    error = wait_for(browser, "#f-language-error")
    assert "language: expected a BCP 47 language tag such as en-US, got 'Spanish'" in error.text
    assert browser.find_element(By.NAME, "backstory").get_attribute("value").startswith("Rosa runs")
    fill(browser, "language", "en-IE")
    click(browser, "Save persona")
    wait_text(browser, "h1", "Rosa")
    click(browser, "Preview")
    # Her order number is drawn per conversation in the shape of ORD-4242.
    wait_text(browser, "#preview", "ORD-")
    screenshot(browser, "persona")
    assert yaml.safe_load((understudy_home / "personas" / "rosa.yaml").read_text())["mood"] == (
        "frustrated"
    )
    assert js_errors(browser) == []


def test_build_a_scenario_through_the_six_steps(
    server: Server, browser: webdriver.Chrome, understudy_home: Path
) -> None:
    browser.get(server.url + "/scenarios")
    click(browser, "New scenario")
    fill(browser, "name", "Double charge")
    fill(browser, "goal.reason_for_call", "You were charged twice for one order.")
    fill(browser, "opening_line", "Hi, you charged me twice!")
    fill(browser, "time_limit_s", "300")
    click(browser, "Continue")
    wait_text(browser, "[aria-current=step]", "Persona mapping")
    fill(browser, "persona_mapping.ecosystem", "retail")
    Select(browser.find_element(By.NAME, "persona")).select_by_value("maya")
    click(browser, "Continue")
    wait_text(browser, "[aria-current=step]", "Personality")
    trait = Select(browser.find_element(By.NAME, "personality.trait"))
    assert any("doubts claims" in o.text for o in trait.options), "options say what they do"
    trait.select_by_value("sceptical")
    click(browser, "Continue")
    wait_text(browser, "[aria-current=step]", "Evaluation Instructions")
    Select(browser.find_element(By.NAME, "rubric")).select_by_value("customer-service-call")
    click(browser, "Continue")
    wait_text(browser, "[aria-current=step]", "Instruction/frequency")
    fill(browser, "sessions_per_week", "3")
    click(browser, "Continue")
    wait_text(browser, "[aria-current=step]", "Participants")
    fill(browser, "participants", "alice")
    assert unlabelled_controls(browser) == []
    click(browser, "Start")
    wait_text(browser, "h1", "Double charge")
    screenshot(browser, "scenario")
    saved = yaml.safe_load((understudy_home / "scenarios" / "double-charge.yaml").read_text())
    assert (saved["persona"], saved["personality"], saved["sessions_per_week"]) == (
        "maya",
        {"trait": "sceptical"},
        3,
    )
    assert "alice" in browser.find_element(By.TAG_NAME, "body").text
    assert js_errors(browser) == []


def _start_call(server: Server, browser: webdriver.Chrome) -> None:
    browser.get(server.url + "/scenarios/practice-retail-return")
    click(browser, "Test session")
    wait_for(browser, "#trainee")
    click(browser, "Start call")
    wait_text(browser, "#status", "In session")
    wait_for(browser, "#turn-1")


def _say(browser: webdriver.Chrome, text: str, index: int) -> None:
    box = browser.find_element(By.ID, "reply")
    box.send_keys(text)
    box.send_keys(Keys.ENTER)
    wait_for(browser, f"#turn-{index}")


def test_a_chat_call_pause_continue_end_then_evaluation_and_transcript(
    server: Server, browser: webdriver.Chrome
) -> None:
    _start_call(server, browser)
    for n, line in enumerate(
        [
            "Hello, sorry to hear that. I can help.",
            "What is your order number?",
            "Thank you, one moment.",
        ]
    ):
        _say(browser, line, 2 * n + 2)
        wait_for(browser, f"#turn-{2 * n + 3}")
    click(browser, "Pause")
    wait_text(browser, "#status", "Paused")
    frozen = browser.find_element(By.ID, "elapsed").text
    time.sleep(2.2)
    assert browser.find_element(By.ID, "elapsed").text == frozen, "the clock stops while paused"
    assert not browser.find_element(By.ID, "reply").is_enabled()
    click(browser, "Continue")
    wait_text(browser, "#status", "In session")
    screenshot(browser, "call")
    click(browser, "End call")
    wait_text(browser, "#end-title", "End session?")
    click(browser, "Yes, end")
    wait_for(browser, "#done")
    wait_for(browser, "#attempt-link[href^='/attempts/']").click()
    wait_text(browser, "main", "Overall")
    assert "Generating results…" not in browser.page_source
    screenshot(browser, "evaluation")
    click(browser, "Transcript")
    wait_text(browser, "#turn-3", "3. Customer")
    assert "What is your order number?" in browser.find_element(By.TAG_NAME, "main").text
    assert js_errors(browser) == []


def test_a_dropped_websocket_reconnects_without_losing_a_turn(
    server: Server, browser: webdriver.Chrome
) -> None:
    _start_call(server, browser)
    _say(browser, "Hello, how can I help?", 2)
    wait_for(browser, "#turn-3")
    browser.execute_script("window.understudyCall.reconnect()")
    _say(browser, "Could you give me your order number?", 4)
    wait_for(browser, "#turn-5")
    texts = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".turn")]
    assert len(texts) == 5 and sum("order number?" in t for t in texts) == 1, texts


def test_killing_the_server_mid_call_keeps_the_turns_so_far(
    server: Server, browser: webdriver.Chrome
) -> None:
    _start_call(server, browser)
    _say(browser, "Hello there, how can I help you today?", 2)
    wait_for(browser, "#turn-3")
    server.kill()
    wait_text(browser, "#status", "Connecting…")
    attempt = AttemptStore().list_attempts()[0]
    stored = AttemptStore().get(attempt.id).messages
    assert [m.index for m in stored] == [1, 2, 3]
    assert stored[1].text == "Hello there, how can I help you today?"
    screenshot(browser, "killed")


def test_run_a_ten_conversation_stress_test_from_the_panel(
    server: Server, browser: webdriver.Chrome
) -> None:
    browser.get(server.url + "/flows")
    browser.find_element(By.PARTIAL_LINK_TEXT, "ABCD Initiate Refund").click()
    wait_for(browser, "#persona")
    wait_text(browser, "#history", "No runs of this flow yet.")
    Select(browser.find_element(By.ID, "persona")).select_by_value("typo-prone")
    browser.find_element(By.ID, "n-10").click()
    click(browser, "Run stress-test")
    wait_for(browser, "#scores", timeout=120)
    scores = browser.find_elements(By.CSS_SELECTOR, "#scores .score")
    assert [s.text.split(" ")[0] for s in scores] == ["Completion", "Fallback", "Off-topic"]
    colours = {s.get_attribute("class").split()[-1] for s in scores}
    assert colours <= {"green", "amber", "red"} and colours, colours
    assert " of 10 " in scores[0].text
    wait_text(browser, "#history", "typo-prone", timeout=30)
    rows = browser.find_elements(By.CSS_SELECTOR, "#history tbody tr")
    assert len(rows) == 1 and "typo-prone" in rows[0].text
    wait_for(browser, "#charts img", timeout=30)
    time.sleep(1.5)
    screenshot(browser, "stress")
    assert unlabelled_controls(browser) == []
    assert js_errors(browser) == []
