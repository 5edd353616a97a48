"""Author-facing files -> domain objects, with errors that name file, line and field.

Also holds the built-in personas (package data) and the persona library lookup.
"""

from understudy.content.loader import load_model, load_yaml_with_lines, parse_model

__all__ = ["load_model", "load_yaml_with_lines", "parse_model"]
