"""Contacts in a real browser (Debian's Chromium): add a contact, Create Roleplay from it (the
dialog pre-filled, Persona mapping skipped), and see the roleplay on the contact's Roleplay tab.
Fails when Chromium is missing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from browser import (
    Server,
    chromium,
    js_errors,
    screenshot,
    sign_in,
    unlabelled_controls,
    wait_for,
)
from understudy.teams.permissions import Role
from web_helpers import PASSWORD, ensure_user

pytestmark = pytest.mark.slow


@pytest.fixture
def server(understudy_home: Path) -> Iterator[Server]:
    ensure_user("mo", Role.MEMBER)
    running = Server(understudy_home)
    running.start()
    yield running
    running.stop()


def _click(driver: Any, text: str, where: str = "main") -> None:
    """Click the link or button ``text`` once it is there (a page may still be loading)."""
    xpath = f"//{where}//*[self::a or self::button][normalize-space()='{text}']"
    WebDriverWait(driver, 15, ignored_exceptions=(StaleElementReferenceException,)).until(
        ec.element_to_be_clickable((By.XPATH, xpath))
    ).click()


def _step(driver: Any) -> str:
    return str(driver.find_element(By.CSS_SELECTOR, 'ol.steps li[aria-current="step"]').text)


def _continue_to(driver: Any, step: str) -> None:
    """Select Continue and wait for the next step's page (the form posts and reloads)."""
    _click(driver, "Continue")
    WebDriverWait(driver, 15, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: _step(d) == step
    )


def test_a_roleplay_created_from_a_contact_shows_on_its_roleplay_tab(server: Server) -> None:
    with chromium() as driver:
        sign_in(driver, server, "mo", PASSWORD)
        _click(driver, "Contacts", where="nav")
        _click(driver, "New contact")
        wait_for(driver, "#f-name")
        driver.find_element(By.ID, "f-name").send_keys("Dana Okafor")
        driver.find_element(By.ID, "f-company").send_keys("Northwind Foods")
        driver.find_element(By.ID, "f-role").send_keys("Head of Procurement")
        driver.find_element(By.ID, "f-notes").send_keys("Wants volume discounts.")
        Select(driver.find_element(By.ID, "f-persona")).select_by_value("impatient")
        assert unlabelled_controls(driver) == []
        _click(driver, "Save")
        saved = re.compile(r"/contacts/\d+$")
        WebDriverWait(driver, 15).until(lambda d: saved.search(d.current_url) is not None)
        assert "Head of Procurement at Northwind Foods" in driver.page_source
        _click(driver, "Roleplay")
        _click(driver, "Create Roleplay")
        wait_for(driver, "ol.steps")
        steps = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "ol.steps li")]
        assert steps == ["1. Details", "2. Personality", "3. Evaluation Instructions"]
        assert driver.find_element(By.ID, "f-name").get_attribute("value") == (
            "Roleplay with Dana Okafor"
        )
        driver.find_element(By.ID, "f-goal-reason_for_call").send_keys("A bigger order, cheaper.")
        screenshot(driver, "contacts-create-roleplay")
        _continue_to(driver, "2. Personality")
        _continue_to(driver, "3. Evaluation Instructions")
        _click(driver, "Start")
        WebDriverWait(driver, 15).until(lambda d: "/calls/" in d.current_url)
        driver.get(server.url + "/contacts")
        WebDriverWait(driver, 15).until(
            ec.element_to_be_clickable((By.LINK_TEXT, "Dana Okafor"))
        ).click()
        _click(driver, "Roleplay")
        wait_for(driver, "#roleplays")
        cells = [c.text for c in driver.find_elements(By.CSS_SELECTOR, "#roleplays tbody td")]
        assert cells[0] == "Roleplay with Dana Okafor", cells
        assert cells[1] in ("0", "1") and cells[2] == "To do" and cells[3] == "-", cells
        screenshot(driver, "contacts-roleplay-tab")
        assert js_errors(driver) == []
