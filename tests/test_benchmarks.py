"""benchmarks/instructions.py as the README runs it, short of valgrind's minutes: the workload
it counts runs, and a machine without valgrind is told what to install."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "instructions.py"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def test_the_counted_workloads_run() -> None:
    """What valgrind runs (`--inner WORKLOAD ROUNDS`): the warm-up round and one more."""
    for workload in ("questions", "conversations"):
        done = run("--inner", workload, "1")
        assert done.returncode == 0, done.stderr[-2000:]


def test_without_valgrind_it_says_what_to_install(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path)}  # (an empty folder: no valgrind on it)
    done = run(env=env)
    assert done.returncode != 0
    assert "apt-get install valgrind" in done.stderr
