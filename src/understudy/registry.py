"""One extension mechanism: a registry per seam, filled by built-ins and plugins alike.

Seams and their entry-point groups:

==================  ==========================  ============================================
registry            entry-point group           an entry is
==================  ==========================  ============================================
``SIMULATORS``      ``understudy.simulators``   a ``UserSimulator`` subclass
``AGENTS``          ``understudy.agents``       an ``AgentKind`` subclass (targets it resolves)
``GRADERS``         ``understudy.graders``      a ``Grader`` subclass
``IMPORTERS``       ``understudy.importers``    an ``Importer`` subclass
``KINDS``           ``understudy.kinds``        a ``ContentKind`` (an author-facing file kind)
==================  ==========================  ============================================

(the registries live beside their seams: ``understudy.simulators``, ``understudy.agents.resolve``,
``understudy.graders.base``, ``understudy.content.importers``, ``understudy.content.kinds``).

Built-ins register exactly as plugins do: by a ``"module:attribute"`` reference that is imported
the first time the entry is used, so listing names imports nothing. A third-party package adds an
entry in its ``pyproject.toml``::

    [project.entry-points."understudy.simulators"]
    dice = "my_package.dice:dice_simulators"

Each plugin is loaded on its own: one that fails to import (or is not the right kind of object)
is kept in ``Registry.broken`` with its error and never breaks the other entries or the CLI
(``understudy plugins`` lists the broken ones). An unknown name fails with the known names.

Capabilities are class attributes of the entries (``UserSimulator.simulated_time``,
``AgentKind.realtime`` / ``versioned`` / ``rerunnable``, ``needs_model``), and options are a
pydantic model per entry, ``Options`` (subclass ``PluginOptions``: unknown keys are errors),
validated by ``Registry.options`` before anything is built.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import import_module
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from understudy.errors import ConfigError, NotFoundError

T = TypeVar("T")
P = TypeVar("P", bound="Plugin")

log = logging.getLogger(__name__)

BUILT_IN = "built-in"
"""The ``source`` of entries registered by understudy itself."""


class PluginOptions(BaseModel):
    """Base of every entry's ``Options``: unknown keys are errors; any Python value is allowed.

    Options are what a caller may set by name (from a command line, a config file or a web
    form); a field whose type is not JSON (an ``LLMRun``, a ready pydantic-ai model) is for
    library callers.
    """

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)


class Plugin:
    """Base of registered classes: a name, capabilities and options as class attributes.

    Attributes:
        name: the registry name (e.g. ``offline``).
        Options: the entry's options model; ``PluginOptions`` (none) by default.
        needs_model: the entry is LLM-backed: its options take ``model`` (``provider:model``)
            and ``run`` (the run's ``understudy.llm.run.LLMRun``), and building one needs the
            ``llm`` extra.
    """

    name: ClassVar[str] = "plugin"
    Options: ClassVar[type[PluginOptions]] = PluginOptions
    needs_model: ClassVar[bool] = False


def parse_reference(ref: str) -> tuple[str, str]:
    """Split ``"package.module:attribute"`` into its module and attribute path.

    Raises:
        ValueError: no ``:`` or an empty side.
    """
    module, _, attribute = ref.partition(":")
    if not module or not attribute:
        raise ValueError(f"a plugin reference is 'module:attribute', got {ref!r}")
    return module, attribute


def load_reference(ref: str) -> object:
    """Import ``"package.module:attribute"`` (the attribute may be dotted) and return it.

    Raises:
        ImportError, AttributeError, ValueError: the reference cannot be loaded.
    """
    module, attribute = parse_reference(ref)
    value: object = import_module(module)
    for part in attribute.split("."):
        value = getattr(value, part)
    return value


@dataclass
class _Entry(Generic[T]):
    ref: str | None
    value: T | None
    source: str


@dataclass(frozen=True)
class BrokenPlugin:
    """A plugin that could not be loaded.

    Attributes:
        group: its entry-point group.
        name: its entry name.
        source: the distribution that declared it.
        error: ``ExceptionType: message``.
    """

    group: str
    name: str
    source: str
    error: str


class Registry(Generic[T]):
    """Named entries of one seam, built-in or from plugins (see the module docstring).

    Args:
        kind: what the entries are, for messages (e.g. ``user simulator``).
        group: the entry-point group third-party packages register under.
        check: validates a loaded entry (e.g. "is a UserSimulator subclass"); raises
            ``TypeError`` for a wrong one, which marks the plugin broken.
    """

    def __init__(self, kind: str, group: str, check: Callable[[object], T] | None = None) -> None:
        self.kind = kind
        self.group = group
        self._check = check
        self._entries: dict[str, _Entry[T]] = {}
        self._plugins_found = False
        self._broken: dict[str, BrokenPlugin] = {}

    # --- registering --------------------------------------------------------------------------

    def add(self, name: str, entry: T | str, *, source: str = BUILT_IN) -> None:
        """Register ``entry`` under ``name``, replacing any entry of that name.

        Args:
            name: the registry name.
            entry: the entry, or a ``"module:attribute"`` reference imported on first use.
            source: who registered it (``built-in``, or a distribution's name).
        """
        if isinstance(entry, str):
            self._entries[name] = _Entry(entry, None, source)
        else:
            self._entries[name] = _Entry(None, entry, source)
        self._broken.pop(name, None)

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator: register the decorated object under ``name``."""

        def wrap(entry: T) -> T:
            self.add(name, entry)
            return entry

        return wrap

    def _find_plugins(self) -> None:
        """Add every entry point of ``group`` (not loaded yet); built-ins keep their names."""
        if self._plugins_found:
            return
        self._plugins_found = True
        from importlib.metadata import entry_points

        for ep in entry_points(group=self.group):
            if ep.name in self._entries:
                log.warning("%s plugin %r ignored: the name is built in", self.kind, ep.name)
                continue
            source = ep.dist.name if ep.dist is not None else "unknown package"
            self._entries[ep.name] = _Entry(ep.value, None, source)

    # --- looking up ---------------------------------------------------------------------------

    def names(self) -> list[str]:
        """Return every registered name, sorted, without importing any entry (broken ones too)."""
        self._find_plugins()
        return sorted(self._entries)

    def source(self, name: str) -> str:
        """Return who registered ``name`` (``built-in`` or a distribution name).

        Raises:
            NotFoundError: unknown name.
        """
        self._find_plugins()
        if name not in self._entries:
            raise self._unknown(name)
        return self._entries[name].source

    def _load(self, name: str) -> T | None:
        entry = self._entries[name]
        if entry.value is not None:
            return entry.value
        if name in self._broken:
            return None
        assert entry.ref is not None
        try:
            value = load_reference(entry.ref)
            entry.value = self._check(value) if self._check is not None else value  # type: ignore[assignment]
        except Exception as exc:  # one broken plugin must not break the rest
            error = f"{type(exc).__name__}: {exc}"
            self._broken[name] = BrokenPlugin(self.group, name, entry.source, error)
            log.warning("could not load %s plugin %r (%s): %s", self.kind, name, entry.ref, error)
            return None
        return entry.value

    def get(self, name: str) -> T:
        """Return the entry named ``name``, importing it if needed.

        Raises:
            NotFoundError: unknown name, or a plugin that failed to load (the message gives
                its error); the message lists the known names.
        """
        self._find_plugins()
        if name not in self._entries:
            raise self._unknown(name)
        value = self._load(name)
        if value is None:
            broken = self._broken[name]
            raise NotFoundError(
                f"the {self.kind} plugin {name!r} (from {broken.source}) failed to load: "
                f"{broken.error}; working: {', '.join(self.working()) or 'none'}"
            )
        return value

    def load_all(self) -> dict[str, T]:
        """Import every entry and return those that loaded, by name (see ``broken``)."""
        loaded: dict[str, T] = {}
        for name in self.names():
            value = self._load(name)
            if value is not None:
                loaded[name] = value
        return loaded

    def working(self) -> list[str]:
        """Return the names of entries that load, sorted (imports every entry)."""
        return sorted(self.load_all())

    @property
    def broken(self) -> dict[str, BrokenPlugin]:
        """The plugins that failed to load so far, by name (``load_all`` tries every one)."""
        return dict(self._broken)

    def _unknown(self, name: str) -> NotFoundError:
        known = ", ".join(self.names()) or "none"
        return NotFoundError(f"unknown {self.kind} {name!r}; known: {known}")


class PluginRegistry(Registry[type[P]], Generic[P]):
    """A registry of ``Plugin`` classes: options are validated before anything is built."""

    def options(self, name: str, options: Mapping[str, Any] | None = None) -> PluginOptions:
        """Validate ``options`` against the ``Options`` of the entry ``name``.

        Args:
            name: the registry name.
            options: option values by name (None: no options).

        Raises:
            NotFoundError: unknown name.
            ConfigError: an unknown option (the message lists the known ones) or a bad value
                (the message names the option and says what is wrong).
        """
        model = self.get(name).Options
        try:
            return model.model_validate(dict(options or {}))
        except ValidationError as exc:
            known = ", ".join(model.model_fields) or "none"
            problems = []
            for problem in exc.errors():
                field = ".".join(str(p) for p in problem["loc"]) or "options"
                if problem["type"] == "extra_forbidden":
                    problems.append(f"unknown option {field!r}")
                else:
                    problems.append(f"option {field!r}: {problem['msg']}")
            raise ConfigError(
                f"{self.kind} {name!r}: {'; '.join(problems)}; known options: {known}"
            ) from exc

    def keyword_options(
        self, name: str, options: Mapping[str, Any] | PluginOptions | None = None
    ) -> dict[str, Any]:
        """Validate ``options`` and return the ones given, as keyword arguments for ``name``.

        Options left out keep the entry's own defaults (only fields set are returned).

        Raises:
            NotFoundError, ConfigError: see ``options``.
        """
        valid = self.options(name, set_options(options))
        return {field: getattr(valid, field) for field in valid.model_fields_set}


def set_options(options: Mapping[str, Any] | PluginOptions | None) -> dict[str, Any]:
    """Return the options given: a mapping as is, a validated ``Options`` as its fields set."""
    if isinstance(options, PluginOptions):
        return {field: getattr(options, field) for field in options.model_fields_set}
    return dict(options or {})


def plugin_class(base: type[Any]) -> Callable[[object], Any]:
    """Return a ``check`` for ``Registry`` accepting subclasses of ``base`` only."""

    def check(value: object) -> Any:
        if not (isinstance(value, type) and issubclass(value, base)):
            raise TypeError(f"{value!r} is not a subclass of {base.__module__}.{base.__name__}")
        return value

    return check
