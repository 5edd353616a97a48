"""Start-up times of the CLI, each in a fresh process, as a user sees them.

Run from the repository root::

    python benchmarks/bench_startup.py            # median of 5 runs each
    python benchmarks/bench_startup.py --runs 9

Prints the median and best wall time and the median CPU time (user + system) of ``understudy
--help``, ``understudy personas list`` and a 10-conversation offline stress-test of the refund
example (storing into a temporary ``UNDERSTUDY_HOME``), and which database, HTTP or ML libraries
``--help`` loaded (none is the aim). Aims on a 2-core machine: ``--help`` under 0.3 s, the
stress-test under 1.5 s wall. Figures: docs/startup.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FLOW = REPO / "examples" / "flows" / "refund.yaml"
COMMANDS = {
    "--help": ["--help"],
    "personas list": ["personas", "list"],
    "stress-test -n 10 (offline)": [
        "stress-test",
        str(FLOW),
        "--persona",
        "typo-prone",
        "-n",
        "10",
        "--seed",
        "1",
        "--json",
    ],
}
HEAVY = ("sqlalchemy", "httpx", "pydantic_ai", "sklearn", "numpy", "scipy", "altair")


def wall(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run ``python -m understudy ARGS`` once; return its wall and CPU (user + system) seconds.

    CPU time hardly depends on what else the machine runs, so it compares runs taken under
    different loads; wall time is what the user waits.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "understudy", *args],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def heavy_on_help(env: dict[str, str]) -> list[str]:
    """Return the heavy libraries ``understudy --help`` imports (should be none)."""
    probe = (
        "import sys, runpy\nsys.argv=['understudy','--help']\n"
        "try:\n    runpy.run_module('understudy', run_name='__main__')\nexcept SystemExit:\n"
        "    pass\nprint(' '.join(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    loaded = set(out.stderr.split())
    return sorted(loaded & set(HEAVY))


def main() -> None:
    """Time each command ``--runs`` times and print median and best."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per command (default 5)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "UNDERSTUDY_HOME": home}
        env.pop("UNDERSTUDY_DATABASE_URL", None)
        wall(["personas", "list"], env)  # warm the file cache and byte-code
        for label, command in COMMANDS.items():
            runs = [wall(command, env) for _ in range(args.runs)]
            times = [w for w, _ in runs]
            cpu = statistics.median(c for _, c in runs)
            print(
                f"{label:30} median {statistics.median(times):6.3f} s   "
                f"best {min(times):6.3f} s   CPU {cpu:6.3f} s   ({args.runs} runs)"
            )
        heavy = heavy_on_help(env)
        print(f"--help imports: {', '.join(heavy) if heavy else 'no database, HTTP or ML library'}")
    print(
        f"load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())} (cores: {os.cpu_count()})"
    )


if __name__ == "__main__":
    main()
