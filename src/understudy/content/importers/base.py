"""The importer seam and its registry: outside data sets -> understudy files.

An importer is an ``Importer`` subclass registered in ``IMPORTERS`` (entry-point group
``understudy.importers``, see ``understudy.registry``), as the built-ins ``tau2``, ``abcd`` and
``bitext`` are. ``run_importer(name, sources, out, options)`` validates the options against the
importer's ``Options`` model, then calls ``Importer.run``; ``understudy import from NAME`` does
that from the command line for any registered importer.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from understudy.content.importers.common import ImportReport
from understudy.registry import Plugin, PluginOptions, PluginRegistry, plugin_class, set_options


class Importer(Plugin):
    """Reads files of an outside format and writes understudy files.

    Attributes:
        name: registry name (``tau2``...).
        description: one line for help texts.
        Options: the importer's options (unknown keys are errors).
    """

    description: ClassVar[str] = ""

    @classmethod
    @abstractmethod
    def run(cls, sources: Sequence[Path], out: Path, options: Any) -> ImportReport:
        """Import ``sources`` into the folder ``out``.

        Args:
            sources: the files (or folders) given by the user.
            out: the folder to write into (created if needed).
            options: the validated ``Options`` of the importer.

        Returns:
            What was written and what was skipped, with reasons.

        Raises:
            UnderstudyError: a subclass naming the file and what is wrong with it.
        """


IMPORTERS: PluginRegistry[Importer] = PluginRegistry(
    "importer", "understudy.importers", plugin_class(Importer)
)
IMPORTERS.add("tau2", "understudy.content.importers.builtin:Tau2Importer")
IMPORTERS.add("abcd", "understudy.content.importers.builtin:AbcdImporter")
IMPORTERS.add("bitext", "understudy.content.importers.builtin:BitextImporter")


def run_importer(
    name: str,
    sources: Sequence[Path],
    out: Path,
    options: Mapping[str, Any] | PluginOptions | None = None,
) -> ImportReport:
    """Run the importer ``name`` on ``sources``, writing into ``out``.

    Raises:
        NotFoundError: unknown importer (the message lists the known ones).
        ConfigError: an unknown or invalid option (the message lists the known ones).
        UnderstudyError: what the importer raises for a bad file.
    """
    cls = IMPORTERS.get(name)
    return cls.run(list(sources), out, IMPORTERS.options(name, set_options(options)))
