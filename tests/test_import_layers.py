"""Import layers: which parts of understudy may import which, checked on the source's syntax trees.

Rules (from the design's shape of the code):

* ``understudy.engine`` and ``understudy.domain`` import no storage, web, terminal or HTTP
  library, and no front end: the loop only emits events; observers do the I/O.
* Production code never imports ``understudy.testing`` (the fakes ship for tests; the manual
  clock lives in ``understudy.engine.clock``).
* ``understudy.cli`` imports no storage tables and no SQLAlchemy: it calls the store and the
  workflow libraries (``understudy.runs``, ``understudy.practice``) and renders what they return.
* ``understudy.runs`` and ``understudy.practice`` are libraries: no terminal library, no CLI.

Imports under ``if TYPE_CHECKING:`` are left out: they are annotations, never loaded at run time.
Imports inside functions count (a lazy import is still a dependency).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "understudy"

STORAGE = ("sqlalchemy", "alembic", "understudy.storage")
WEB = ("fastapi", "starlette", "uvicorn", "understudy.web")
TERMINAL = ("rich", "typer", "click", "understudy.cli")
HTTP = ("httpx", "requests", "aiohttp", "urllib.request")


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(node: ast.AST, package: str) -> Iterator[tuple[int, str]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for other in child.orelse:
                yield from _imports(other, package)
            continue
        if isinstance(child, ast.Import):
            for alias in child.names:
                yield child.lineno, alias.name
        elif isinstance(child, ast.ImportFrom):
            if child.level:  # relative import: resolve against the module's package
                base = package.rsplit(".", child.level - 1)[0] if child.level > 1 else package
                module = f"{base}.{child.module}" if child.module else base
            else:
                module = child.module or ""
            yield child.lineno, module
            for alias in child.names:  # `from understudy import testing`
                yield child.lineno, f"{module}.{alias.name}"
        else:
            yield from _imports(child, package)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Every module ``path`` imports at run time, with its line number."""
    package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
    return list(_imports(ast.parse(path.read_text(encoding="utf-8")), package))


def modules(*packages: str) -> list[Path]:
    """The source files of ``understudy.<package>`` (a package folder or a single module)."""
    found: list[Path] = []
    for name in packages:
        folder = SRC / name
        found += sorted(folder.rglob("*.py")) if folder.is_dir() else [SRC / f"{name}.py"]
    return found


def violations(paths: list[Path], banned: tuple[str, ...]) -> list[str]:
    out = []
    for path in paths:
        for line, module in imports_of(path):
            if any(module == b or module.startswith(b + ".") for b in banned):
                out.append(f"{path.relative_to(SRC.parent)}:{line} imports {module}")
    return out


@pytest.mark.parametrize("layer", ["engine", "domain"])
def test_engine_and_domain_import_no_storage_web_terminal_or_http(layer: str) -> None:
    found = violations(modules(layer), STORAGE + WEB + TERMINAL + HTTP)
    assert not found, f"understudy.{layer} must only emit events and hold data:\n" + "\n".join(
        found
    )


def test_production_code_never_imports_the_testing_fakes() -> None:
    production = [
        p
        for p in SRC.rglob("*.py")
        if p.relative_to(SRC).parts[0] != "testing.py" and p.name != "testing.py"
    ]
    found = violations(production, ("understudy.testing", "understudy.llm.testing"))
    assert not found, "the fakes are for tests (use understudy.engine.clock):\n" + "\n".join(found)


def test_cli_imports_no_storage_tables() -> None:
    found = violations(modules("cli"), ("understudy.storage.tables", "sqlalchemy"))
    assert not found, "the CLI calls the store, never its tables:\n" + "\n".join(found)


@pytest.mark.parametrize("library", ["runs", "practice"])
def test_workflow_libraries_import_no_terminal_code(library: str) -> None:
    found = violations(modules(library), TERMINAL)
    assert not found, f"understudy.{library} is a library; rendering lives in cli/:\n" + "\n".join(
        found
    )


def test_the_checker_sees_imports_at_all() -> None:
    loop = SRC / "engine" / "loop.py"
    assert any(m == "understudy.engine.clock" for _, m in imports_of(loop)), (
        "the checker should see the loop's own imports, or every rule above passes vacuously"
    )


def test_the_checker_sees_lazy_relative_and_from_imports_and_skips_type_checking() -> None:
    sample = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    import httpx\n"
        "def f():\n"
        "    import rich.console\n"
        "    from ..storage import store\n"
        "    from understudy import testing\n"
    )
    found = list(_imports(sample, "understudy.engine"))
    assert (5, "rich.console") in found, "an import inside a function counts"
    assert (6, "understudy.storage.store") in found, "a relative import is resolved"
    assert (7, "understudy.testing") in found, "`from package import module` names the module"
    assert not any(module == "httpx" for _, module in found), "TYPE_CHECKING imports are skipped"
