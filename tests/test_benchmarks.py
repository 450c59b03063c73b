"""benchmarks/instructions.py as the README runs it, short of valgrind's minutes: the workload
it counts runs, and a machine without valgrind is told what to install; benchmarks/engine_bench.py
measures the checkout `--root` names, not the installed package."""

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


def test_engine_bench_imports_the_checkout_it_is_given(tmp_path: Path) -> None:
    """A worktree's run must measure the worktree's code: with `--root`, its `bot` is imported
    (here a stand-in whose import says where it is, so the run stops there, in seconds)."""
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "__init__.py").write_text(
        "raise SystemExit('imported ' + __file__)\n", encoding="utf-8"
    )
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "engine_bench.py"), "--root", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert f"imported {tmp_path / 'bot' / '__init__.py'}" in done.stderr, done.stderr[-2000:]
