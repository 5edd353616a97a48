"""``understudy import tau2|abcd|bitext``: turn public data sets into understudy files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from understudy.cli.apps import import_app
from understudy.cli.common import console, user_errors

if TYPE_CHECKING:
    from understudy.content.importers import ImportReport

OUT_HELP = "Folder to write into (created if needed)."


def print_report(report: ImportReport, out: Path, *, show_skipped: int = 20) -> None:
    """Print what an import wrote (counts per kind) and what it skipped, with reasons."""
    counts = (
        ", ".join(f"{n} {kind}{'' if n == 1 else 's'}" for kind, n in report.counts.items())
        or "nothing"
    )
    console.print(f"Wrote {counts} to {escape(str(out))}", highlight=False)
    for note in report.notes:
        console.print(f"  {escape(note)}", highlight=False)
    if report.skipped:
        console.print(f"Skipped {len(report.skipped)}:", highlight=False)
        for item in report.skipped[:show_skipped]:
            console.print(f"  {escape(item.item)}: {escape(item.reason)}", highlight=False)
        if len(report.skipped) > show_skipped:
            console.print(f"  ... and {len(report.skipped) - show_skipped} more", highlight=False)
    else:
        console.print("Skipped nothing.")


@import_app.command("tau2")
def import_tau2_command(
    tasks: list[Path] = typer.Argument(
        ..., help="tau2 tasks.json files, or domain folders / the tau2 data folder."
    ),
    out: Path = typer.Option(..., "--out", "-o", help=OUT_HELP),
    domain: str | None = typer.Option(
        None, help="Domain name (default: the folder holding each tasks file)."
    ),
) -> None:
    """Import tau2-bench tasks as scenarios (and personas where a task describes one).

    Example: understudy import tau2 ../shared/data/tau2/retail/tasks.json --out imported/
    """
    from understudy.content.importers.base import run_importer

    with user_errors():
        report = run_importer("tau2", tasks, out, {"domain": domain})
    print_report(report, out)
    console.print(
        "Personas were written to "
        f"{escape(str(out / 'personas'))}; copy them to your library to use them by id "
        "(understudy personas list shows the library).",
        highlight=False,
    )


@import_app.command("abcd")
def import_abcd_command(
    guidelines: Path = typer.Argument(..., help="ABCD guidelines.json."),
    out: Path = typer.Option(..., "--out", "-o", help=OUT_HELP),
    subflow: str | None = typer.Option(
        None, help="Import one subflow, by name ('Initiate Refund') or key (refund_initiate)."
    ),
    ontology: Path | None = typer.Option(None, help="ontology.json (default: beside guidelines)."),
    samples: Path | None = typer.Option(
        None, help="abcd_sample.json (default: beside guidelines)."
    ),
) -> None:
    """Import ABCD subflows as assistant flow skeletons, with a scenario for each.

    Example: understudy import abcd ../shared/data/abcd/guidelines.json --out imported/
    """
    from understudy.content.importers.base import run_importer

    options = {"subflow": subflow, "ontology": ontology, "samples": samples}
    with user_errors():
        report = run_importer("abcd", [guidelines], out, options)
    print_report(report, out)


@import_app.command("bitext")
def import_bitext_command(
    csv_file: Path = typer.Argument(..., help="Bitext customer-support CSV."),
    out: Path = typer.Option(..., "--out", "-o", help=OUT_HELP),
    max_examples: int = typer.Option(40, min=1, help="Example phrases kept per intent."),
    max_openings: int = typer.Option(60, min=1, help="Opening lines kept per intent and style."),
    install: bool = typer.Option(
        False,
        "--install",
        help="Also copy opening_lines.yaml into $UNDERSTUDY_HOME/phrasing/, where the offline "
        "user simulator reads extra opening lines.",
    ),
) -> None:
    """Import Bitext requests as intent examples (for flows) and opening lines (for the
    simulator's phrasing bank).

    Example: understudy import bitext ../shared/data/bitext/customer_support_sample.csv
    --out imported/ --install
    """
    from understudy.content.importers.base import run_importer

    options = {"max_examples": max_examples, "max_openings": max_openings}
    with user_errors():
        report = run_importer("bitext", [csv_file], out, options)
    print_report(report, out)
    if install:
        with user_errors():
            target = install_opening_lines(out / "opening_lines.yaml", name=csv_file.stem)
        console.print(
            f"Installed the opening lines as {escape(str(target))}; the offline user simulator "
            "uses them from the next conversation (delete the file to stop).",
            highlight=False,
        )


@import_app.command("from")
def import_from_command(
    importer: str = typer.Argument(..., help="Importer name (understudy plugins lists them)."),
    sources: list[Path] = typer.Argument(..., help="Files or folders to import."),
    out: Path = typer.Option(..., "--out", "-o", help=OUT_HELP),
    option: list[str] = typer.Option(
        [], "--option", help="An importer option as KEY=VALUE (repeatable)."
    ),
) -> None:
    """Import with any registered importer, built in or from a plugin package.

    Example: understudy import from bitext customer_support.csv --out imported/
    --option max_examples=20
    """
    from understudy.content.importers.base import run_importer

    with user_errors():
        report = run_importer(importer, sources, out, parse_options(option))
    print_report(report, out)


def parse_options(pairs: list[str]) -> dict[str, str]:
    """Turn ``KEY=VALUE`` strings into a dict (``-`` in keys read as ``_``).

    Raises:
        ConfigError: a pair without ``=`` or with an empty key.
    """
    from understudy.errors import ConfigError

    options: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--option takes KEY=VALUE, got {pair!r}")
        options[key.strip().replace("-", "_")] = value
    return options


def install_opening_lines(source: Path, *, name: str) -> Path:
    """Copy an opening-lines file into the installed phrasing banks; return where it went.

    Args:
        source: a valid ``opening-lines`` file.
        name: file name (without ``.yaml``) in ``$UNDERSTUDY_HOME/phrasing/``; an installed
            bank of that name is replaced.

    Raises:
        ContentError: ``source`` is not a valid opening-lines file.
        ConfigError: the home folder cannot be used.
    """
    import shutil

    from understudy.content.importers.common import slug
    from understudy.content.loader import load_model
    from understudy.domain.phrasing import OpeningLines
    from understudy.simulators.offline.bank import phrasing_dir

    load_model(OpeningLines, source)
    folder = phrasing_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{slug(name)}.yaml"
    shutil.copyfile(source, target)
    return target
