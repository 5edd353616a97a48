"""A script that plays a batch on worker processes: the guarded example of docs/scale.md runs,
and the same script without ``if __name__ == "__main__":`` fails with a message naming the
guard (each worker imports the script again)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_PYTHON_BLOCK = re.compile(r"^ *```python\n(.*?)^ *```", re.MULTILINE | re.DOTALL)


def _documented_script() -> str:
    text = (ROOT / "docs" / "scale.md").read_text(encoding="utf-8")
    blocks = [b for b in _PYTHON_BLOCK.findall(text) if "workers=" in b]
    assert len(blocks) == 1, "docs/scale.md shows one script playing on workers"
    lines = blocks[0].splitlines()
    indent = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
    return "\n".join(line[indent:] for line in lines).replace("n=1000", "n=4")


def _run(script: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "play_batch.py"
    path.write_text(script, encoding="utf-8")
    env = {**os.environ, "UNDERSTUDY_HOME": str(tmp_path / "home")}
    env.pop("UNDERSTUDY_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, str(path)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_documented_script_plays_on_two_workers(tmp_path: Path) -> None:
    script = _documented_script()
    assert 'if __name__ == "__main__":' in script
    done = _run(script, tmp_path)
    assert done.returncode == 0, done.stderr
    run_id, played = done.stdout.split()[:2]
    assert run_id != "None", "the run was stored"
    assert played == "conversations=4", done.stdout


def test_the_same_script_without_the_guard_names_the_guard(tmp_path: Path) -> None:
    script = _documented_script().replace('if __name__ == "__main__":\n    main()', "main()")
    assert 'if __name__ == "__main__":' not in script
    failed = _run(script, tmp_path)
    assert failed.returncode != 0
    assert "WorkersFailed" in failed.stderr
    assert 'guard its entry point with `if __name__ == "__main__":`' in failed.stderr
