"""The domain package is plain data and rules: it reads no files and imports no I/O library.

Loading lives in ``understudy.content`` (files) and ``understudy.storage`` (the database); the
domain models are what they load into. Checked on the source, so an import inside a function
counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[1] / "src" / "understudy" / "domain"
ALLOWED = {"__future__", "re", "enum", "datetime", "typing", "pydantic"}
# Single modules allowed: URL parsing (its package also holds urllib.request, which is I/O), and
# the lazy-export helper the package's __init__ uses (no I/O, no other understudy import).
ALLOWED_MODULES = {"urllib.parse", "understudy.lazy"}
FILE_CALLS = {"open", "read_text", "read_bytes", "write_text", "write_bytes", "load_flow"}


def _imports(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_domain_modules_import_only_the_domain_and_plain_libraries() -> None:
    problems = []
    for path in sorted(DOMAIN.glob("*.py")):
        for name in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            root = name.split(".")[0]
            if root in ALLOWED or name in ALLOWED_MODULES or name.startswith("understudy.domain"):
                continue
            problems.append(f"{path.name} imports {name}")
    assert problems == [], "the domain should import no I/O or other understudy package"


def test_domain_modules_read_and_write_no_files() -> None:
    calls = []
    for path in sorted(DOMAIN.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in FILE_CALLS:
                    calls.append(f"{path.name}:{node.lineno} calls {name}")
    assert calls == [], "file reading belongs in understudy.content"
