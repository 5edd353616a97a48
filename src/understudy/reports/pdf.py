"""PDF from an HTML report: the system's Chromium prints the file, offline.

Chromium (Debian: ``apt-get install chromium``) is found as ``chromium``, ``chromium-browser`` or
``google-chrome`` on the ``PATH``, or at ``$UNDERSTUDY_CHROMIUM``. The HTML report has no scripts
and no external resources, so what prints is what the browser shows.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from understudy.errors import ConfigError

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
"""Executables tried, in order, when ``$UNDERSTUDY_CHROMIUM`` is not set."""

TIMEOUT_S = 120.0
"""Seconds the browser may take to print one report."""


def find_chromium() -> str:
    """Return the Chromium executable to print with.

    Raises:
        ConfigError: none found; the message says how to install one.
    """
    configured = os.environ.get("UNDERSTUDY_CHROMIUM")
    if configured:
        return configured
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise ConfigError(
        "--pdf needs Chromium: install it (Debian/Ubuntu: apt-get install chromium) or set "
        "UNDERSTUDY_CHROMIUM to the browser's path"
    )


def html_to_pdf(html_file: Path, pdf_file: Path) -> None:
    """Print ``html_file`` to ``pdf_file`` with headless Chromium (A4/Letter per the locale).

    Raises:
        ConfigError: no Chromium, or it failed or produced no PDF (its error output is quoted).
    """
    browser = find_chromium()
    pdf_file.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="understudy-pdf-") as profile:
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf_file.resolve()}",
            html_file.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ConfigError(f"could not print {html_file} with {browser}: {exc}") from exc
    if done.returncode != 0 or not pdf_file.is_file() or pdf_file.stat().st_size == 0:
        tail = (done.stderr or "").strip().splitlines()[-3:]
        raise ConfigError(f"{browser} did not print {html_file} to PDF: {' '.join(tail)}")
