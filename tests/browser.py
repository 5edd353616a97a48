"""Real-browser test harness: Debian's Chromium driven by Selenium, against `understudy serve`.

The browser is the system's ``/usr/bin/chromium`` with ``/usr/bin/chromedriver`` (Debian
packages ``chromium`` and ``chromium-driver``; ``.ci/run`` installs them). A missing browser
FAILS the tests that need it, it never skips them. Screenshots go to ``build/screenshots/``
(git-ignored).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS = REPO / "build" / "screenshots"
INSTALL_HINT = "apt-get install -y chromium chromium-driver (scripts/install-system-deps.sh)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``understudy serve`` in a child process, on a free loopback port."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        # The test's database comes along: its home's SQLite file, or UNDERSTUDY_DATABASE_URL.
        env = {**os.environ, "UNDERSTUDY_HOME": str(self.home)}
        command = [sys.executable, "-m", "understudy", "serve", "--port", str(self.port)]
        self.process = subprocess.Popen(command, cwd=REPO, env=env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/login", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise AssertionError("understudy serve did not answer within 30 s")

    def kill(self) -> None:
        """Kill the server abruptly (SIGKILL), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def require_chromium() -> None:
    """Fail (never skip) when Debian's Chromium or its driver is missing."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(f"browser tests need {', '.join(missing)}: {INSTALL_HINT}", pytrace=False)


@contextmanager
def chromium(
    window: str = "1280,900",
    logs: tuple[str, ...] = ("browser",),
    flags: tuple[str, ...] = (),
) -> Iterator[webdriver.Chrome]:
    """A headless Chromium with a fresh profile.

    Args:
        window: window size in CSS pixels, "width,height".
        logs: Chromium log types to keep: "browser" (the page's console), "performance"
            (DevTools network events, to see every request the page makes).
        flags: more command-line flags (a fake microphone, for instance).
    """
    require_chromium()
    profile = tempfile.mkdtemp(prefix="understudy-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--window-size={window}",
        f"--user-data-dir={profile}",
        *flags,
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", dict.fromkeys(logs, "ALL"))
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def sign_in(driver: webdriver.Chrome, server: Server, username: str, password: str) -> None:
    """Sign in through the login form, as a person would, and wait for the first page."""
    driver.get(server.url + "/login")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.XPATH, "//button[normalize-space()='Sign in']").click()
    WebDriverWait(driver, 15).until(lambda d: "/login" not in d.current_url)


def screenshot(driver: webdriver.Chrome, name: str) -> Path:
    """Save a full-window screenshot under build/screenshots/ and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def js_errors(driver: webdriver.Chrome) -> list[str]:
    """JavaScript errors the page logged (SEVERE entries), e.g. uncaught exceptions.

    Network entries are left out: a form answered with 422 (errors beside fields) is logged
    as a failed load, which is not a script error.
    """
    return [
        e["message"]
        for e in driver.get_log("browser")
        if e["level"] == "SEVERE" and e.get("source") != "network"
    ]


def wait_for(driver: webdriver.Chrome, css: str, timeout: float = 15) -> WebElement:
    """Wait until an element matching ``css`` is visible and return it."""
    located = ec.visibility_of_element_located((By.CSS_SELECTOR, css))
    element: WebElement = WebDriverWait(driver, timeout).until(located)
    return element


def wait_text(driver: webdriver.Chrome, css: str, text: str, timeout: float = 15) -> None:
    """Wait until the element ``css`` contains ``text``."""
    located = ec.text_to_be_present_in_element((By.CSS_SELECTOR, css), text)
    # An htmx swap can replace the element between finding and reading it; Chromium then answers
    # "Node with given id does not belong to the document", which is worth another look.
    WebDriverWait(driver, timeout, ignored_exceptions=(WebDriverException,)).until(located)


def unlabelled_controls(driver: webdriver.Chrome) -> list[str]:
    """Form controls (not hidden) without a label, by name: every control must have one."""
    script = """
    return [...document.querySelectorAll('input, select, textarea')]
      .filter(e => e.type !== 'hidden')
      .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
      .map(e => e.name || e.id);
    """
    result: list[str] = driver.execute_script(script)
    return result
