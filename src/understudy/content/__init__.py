"""Author-facing files -> domain objects, with errors that name file, line and field.

Also holds the built-in personas (package data) and the persona library lookup. The loader's
names are imported on first use, so importing a light submodule (``safe_paths``) does not load
YAML and pydantic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from understudy.lazy import lazy_exports

if TYPE_CHECKING:
    from understudy.content.loader import load_model, load_yaml_with_lines, parse_model

_WHERE = {
    "load_model": "understudy.content.loader",
    "load_yaml_with_lines": "understudy.content.loader",
    "parse_model": "understudy.content.loader",
}

__getattr__ = lazy_exports(globals(), _WHERE)

__all__ = ["load_model", "load_yaml_with_lines", "parse_model"]
