"""The HTML report of a real 50-conversation run, opened in Debian's Chromium.

Checks what a reader would: the page opens from a file with no console errors and no network
request, every conversation is collapsible, and the charts carry the stored numbers. A missing
browser FAILS these tests (``.ci/run`` installs ``chromium`` and ``chromium-driver``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from typer.testing import CliRunner

from browser import SCREENSHOTS, chromium
from flow_variants import REFUND
from understudy.cli.app import app
from understudy.storage.store import Store

runner = CliRunner()


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    """Headless Debian Chromium logging the console and every network request."""
    with chromium(window="1100,1400", logs=("browser", "performance")) as driver:
        yield driver


def requested_urls(driver: webdriver.Chrome) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def labels(driver: webdriver.Chrome, chart: str) -> list[str]:
    marks = driver.find_elements(By.CSS_SELECTOR, f'figure[data-chart="{chart}"] [aria-label]')
    return [m.get_attribute("aria-label") or "" for m in marks]


@pytest.mark.slow
def test_report_of_a_50_conversation_run_opens_offline_and_matches_the_stored_metrics(
    browser: webdriver.Chrome, tmp_path: Path
) -> None:
    result = runner.invoke(
        app, ["stress-test", str(REFUND), "--persona", "typo-prone", "-n", "50", "--json"]
    )
    assert result.exit_code == 0, result.stderr
    run_id = json.loads(result.stdout)["run_id"]
    report = tmp_path / "report.html"
    done = runner.invoke(app, ["runs", "report", run_id, "--html", str(report)])
    assert done.exit_code == 0, done.stderr

    browser.get_log("performance")  # drop the start page's entries: only the report counts
    browser.get_log("browser")
    browser.get(report.as_uri())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "run-report.png"))

    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, f"the report logs no console errors: {errors}"
    # file: is the report itself; chrome: and about: are the browser's own pages, never network.
    local = ("file:", "data:", "about:", "chrome:", "blob:")
    remote = [u for u in requested_urls(browser) if not u.startswith(local)]
    assert not remote, f"the report makes no network request: {remote}"

    store = Store()
    run = store.get_run(run_id)
    stored = run.metrics
    assert stored is not None
    completion = stored["completion_rate"]
    row = browser.find_element(By.CSS_SELECTOR, 'tr[data-metric="completion_rate"]').text
    assert f"{completion['k']} / {completion['n']}" in row
    history = " ".join(labels(browser, "history"))
    assert f"k: {completion['k']}; n: 50" in history, "the history point is the stored rate"

    node_counts = [
        int(m.group(1))
        for m in re.finditer(r"count: (\d+)", " ".join(labels(browser, "fallback-nodes")))
    ]
    assert sum(node_counts) == stored["fallback_turn_rate"]["k"], (
        "fallback turns by node add up to the stored fallback turns"
    )

    conversations = browser.find_elements(By.CSS_SELECTOR, "section.run details")
    assert len(conversations) == 50, "every conversation is in the report"
    first = conversations[0]
    assert not first.find_element(By.CSS_SELECTOR, "table").is_displayed(), "collapsed at first"
    first.find_element(By.TAG_NAME, "summary").click()
    assert first.find_element(By.CSS_SELECTOR, "table").is_displayed()
    page = browser.find_element(By.TAG_NAME, "body").text
    assert "clean:" in page, "typo-prone noise is shown next to the clean text"
