"""Public names of a package imported from their submodules on first use (PEP 562).

A package lists where each public name lives and sets ``__getattr__ = lazy_exports(globals(),
WHERE)``, so importing the package (or one of its submodules, for a constant) does not load every
other submodule, and with it the store, HTTP or ML libraries.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(namespace: dict[str, Any], where: Mapping[str, str]) -> Callable[[str], Any]:
    """Return a module ``__getattr__`` that imports each name of ``where`` on first use.

    Args:
        namespace: the package's ``globals()``; a loaded name is bound there, so later look-ups
            do not come back here.
        where: public name -> dotted module it is defined in.

    Raises:
        AttributeError: (from the returned function) for a name not in ``where``.
    """
    package = namespace["__name__"]

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(where[name]), name)
        namespace[name] = value
        return value

    return __getattr__
