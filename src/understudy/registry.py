"""One registry per extension point; built-ins register exactly as plugins do.

Third-party packages add entries through entry points (groups ``understudy.simulators``,
``understudy.agents``, ``understudy.graders``), each loaded on its own so one broken plugin cannot
break the others. An unknown name fails with the list of known names.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Generic, TypeVar

from understudy.errors import NotFoundError

F = TypeVar("F", bound=Callable[..., object])

log = logging.getLogger(__name__)


class Registry(Generic[F]):
    """Named factories of one kind.

    Args:
        kind: what the entries are, for messages (e.g. "user simulator").
        group: entry-point group that third-party packages register under.
    """

    def __init__(self, kind: str, group: str) -> None:
        self.kind = kind
        self.group = group
        self._entries: dict[str, F] = {}
        self._loaded_plugins = False
        self.broken: dict[str, str] = {}

    def register(self, name: str) -> Callable[[F], F]:
        """Decorator: register a factory under ``name``."""

        def wrap(factory: F) -> F:
            self._entries[name] = factory
            return factory

        return wrap

    def add(self, name: str, factory: F) -> None:
        """Register ``factory`` under ``name`` (replacing any entry of that name)."""
        self._entries[name] = factory

    def _load_plugins(self) -> None:
        if self._loaded_plugins:
            return
        self._loaded_plugins = True
        for ep in entry_points(group=self.group):
            try:
                self._entries.setdefault(ep.name, ep.load())
            except Exception as exc:  # one broken plugin must not break the rest
                self.broken[ep.name] = f"{type(exc).__name__}: {exc}"
                log.warning("could not load %s plugin %r: %s", self.kind, ep.name, exc)

    def names(self) -> list[str]:
        """Return the registered names, sorted."""
        self._load_plugins()
        return sorted(self._entries)

    def get(self, name: str) -> F:
        """Return the factory named ``name``.

        Raises:
            NotFoundError: unknown name; the message lists the known ones.
        """
        self._load_plugins()
        if name not in self._entries:
            known = ", ".join(self.names()) or "none"
            hint = f" (failed to load: {self.broken[name]})" if name in self.broken else ""
            raise NotFoundError(f"unknown {self.kind} {name!r}{hint}; known: {known}")
        return self._entries[name]
