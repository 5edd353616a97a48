"""Import a script of ``scripts/`` as a module, for the tests of what it builds."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def load_script(name: str) -> ModuleType:
    """Return ``scripts/<name>.py`` imported as the module ``name``, once per test process.

    The module is registered in ``sys.modules`` before it runs (its dataclasses look themselves
    up there), and later calls return that same module. ``scripts/`` joins ``sys.path``, as it
    does for ``python scripts/NAME.py``, so a script imports the modules beside it
    (``act_training``).
    """
    if name in sys.modules:
        return sys.modules[name]
    if str(SCRIPTS) not in sys.path:
        sys.path.append(str(SCRIPTS))
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec and spec.loader, f"no script {name}.py in {SCRIPTS}"
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
