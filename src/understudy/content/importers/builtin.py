"""The built-in importers, registered in ``IMPORTERS`` as plugins are (``importers.base``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import Field

from understudy.content.importers.base import Importer
from understudy.content.importers.common import ImportReport
from understudy.errors import ConfigError
from understudy.registry import PluginOptions


def _one(name: str, sources: Sequence[Path]) -> Path:
    if len(sources) != 1:
        raise ConfigError(f"the {name} importer reads one file, got {len(sources)}")
    return sources[0]


class Tau2Options(PluginOptions):
    """Options of the ``tau2`` importer.

    Attributes:
        domain: the tau2 domain (default: the folder holding each tasks file).
    """

    domain: str | None = None


class Tau2Importer(Importer):
    """tau2-bench task files (or domain folders) -> scenarios and personas."""

    name = "tau2"
    description = "tau2-bench tasks.json files or folders -> scenarios and personas"
    Options = Tau2Options

    @classmethod
    def run(cls, sources: Sequence[Path], out: Path, options: Any) -> ImportReport:
        """Import each tasks file, or the first ``tasks*.json`` of each folder (see tau2)."""
        from understudy.content.importers.tau2 import import_tau2, import_tau2_folder

        report = ImportReport()
        for path in sources:
            if path.is_dir():
                files = sorted(path.glob("tasks*.json"), key=lambda p: (p.name != "tasks.json", p))
                if files:
                    report.merge(import_tau2(files[0], out, domain=options.domain))
                else:
                    report.merge(import_tau2_folder(path, out))
            else:
                report.merge(import_tau2(path, out, domain=options.domain))
        return report


class AbcdOptions(PluginOptions):
    """Options of the ``abcd`` importer (see ``understudy.content.importers.abcd``)."""

    subflow: str | None = None
    ontology: Path | None = None
    samples: Path | None = None


class AbcdImporter(Importer):
    """ABCD guidelines.json subflows -> assistant flow skeletons and scenarios."""

    name = "abcd"
    description = "ABCD guidelines.json -> assistant flow skeletons and scenarios"
    Options = AbcdOptions

    @classmethod
    def run(cls, sources: Sequence[Path], out: Path, options: Any) -> ImportReport:
        """Import one guidelines file."""
        from understudy.content.importers.abcd import import_abcd

        return import_abcd(
            _one(cls.name, sources),
            out,
            subflow=options.subflow,
            ontology_path=options.ontology,
            samples_path=options.samples,
        )


class BitextOptions(PluginOptions):
    """Options of the ``bitext`` importer.

    Attributes:
        max_examples: example phrases kept per intent.
        max_openings: opening lines kept per intent and style.
    """

    max_examples: int = Field(default=40, ge=1)
    max_openings: int = Field(default=60, ge=1)


class BitextImporter(Importer):
    """The Bitext customer-support CSV -> intent examples and opening lines."""

    name = "bitext"
    description = "Bitext customer-support CSV -> intent examples and opening lines"
    Options = BitextOptions

    @classmethod
    def run(cls, sources: Sequence[Path], out: Path, options: Any) -> ImportReport:
        """Import one CSV file."""
        from understudy.content.importers.bitext import import_bitext

        return import_bitext(
            _one(cls.name, sources),
            out,
            max_examples=options.max_examples,
            max_openings=options.max_openings,
        )
