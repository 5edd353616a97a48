"""``understudy runs report RUN [RUN...] --html FILE [--pdf FILE]``: a shareable report."""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer

from understudy.cli.apps import runs_app
from understudy.cli.common import console, user_errors
from understudy.errors import ConfigError


@runs_app.command("report")
def report_runs(
    runs: list[str] = typer.Argument(..., metavar="RUN...", help="Run ids, prefixes or 'last'."),
    html_file: Path | None = typer.Option(
        None, "--html", help="Write a self-contained HTML report (opens with no network)."
    ),
    pdf_file: Path | None = typer.Option(
        None, "--pdf", help="Write the report as PDF (printed by the system's Chromium)."
    ),
) -> None:
    """Write the report of one or more runs: metrics with intervals and bands, charts (score per
    persona, history of the flow, fallbacks by node, where customers leave) and every
    conversation with moods, acts and noisy vs clean text.

    Needs the 'reports' extra (pip install 'understudy[reports]'); --pdf also needs Chromium.
    Exit code 2 on an unknown run, a missing extra or a failed print.
    """
    from understudy.storage.store import Store

    with user_errors(2):
        if html_file is None and pdf_file is None:
            raise ConfigError("say where to write the report: --html FILE and/or --pdf FILE")
        try:
            from understudy.reports.html import run_report_html
        except ImportError as exc:
            raise ConfigError(str(exc)) from None
        document = run_report_html(Store(), runs)
        if html_file is not None:
            html_file.parent.mkdir(parents=True, exist_ok=True)
            html_file.write_text(document, encoding="utf-8")
            console.print(f"wrote {html_file}", highlight=False)
        if pdf_file is not None:
            from understudy.reports.pdf import html_to_pdf

            with tempfile.TemporaryDirectory(prefix="understudy-report-") as folder:
                source = html_file or Path(folder) / "report.html"
                if html_file is None:
                    source.write_text(document, encoding="utf-8")
                html_to_pdf(source, pdf_file)
            console.print(f"wrote {pdf_file}", highlight=False)
