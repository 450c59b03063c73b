"""Engine cost in machine instructions per question: a figure that does not drift.

    python benchmarks/instructions.py                 # this checkout
    python benchmarks/instructions.py --root OTHER    # another checkout, e.g. a git worktree

Timings on a shared 2-core machine move by ±30% from one run to the next (engine_bench.py
prints the machine's speed beside them for that reason), which hides any change worth less
than that. This counts instead the instructions the CPU executes, with valgrind's callgrind
(Debian package `valgrind`; not a Python dependency): the same code on the same questions gives
the same count to within a fraction of a percent, so two versions of the engine compare
exactly, the second one run right after the first or a week later.

What is counted: the 399 questions of tests/eval/questions.yaml, and separately the follow-up
turns of tests/eval/conversations.yaml (each conversation asked from its start, with its
context), both after a warm-up round, as engine_bench.py times them. The load and the warm-up
are taken out by running each workload for 1 and for 3 rounds and halving the difference.
Each of the four runs takes a minute or two under valgrind; two run at a time.

Instructions are no milliseconds: they leave out cache misses and the machine's speed. Use
them to compare versions; engine_bench.py says what a question costs on this machine.
"""

from __future__ import annotations

import argparse
import gc
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

TODAY = date(2025, 6, 1)  # the frame the question sets were written in
HERE = Path(__file__).resolve()
_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def inner(root: Path, workload: str, rounds: int) -> None:
    """Run in valgrind: load the engine of `root`, warm it, ask the workload `rounds` times."""
    sys.path.insert(0, str(root))
    from bot.engine import Context, Engine, fixed
    from bot.evaluate import load_cases, load_conversations

    evals = HERE.parent.parent / "tests" / "eval"
    engine = Engine.load(root / "intents", root / "data", clock=fixed(TODAY))
    gc.collect()
    gc.freeze()  # as a long-running bot would after loading: no rescans of the engine
    questions = [c.q for c in load_cases(evals / "questions.yaml")]
    conversations = load_conversations(evals / "conversations.yaml", TODAY)

    def ask_all() -> None:
        if workload == "questions":
            for q in questions:
                engine.ask(q)
            return
        for turns in conversations:
            context: Context | None = None
            for case in turns:
                context = Context.after(engine.ask(case.q, context), context)

    for _ in range(1 + rounds):  # the first is the warm-up
        ask_all()


def count(root: Path, workload: str, rounds: int) -> int:
    """Instructions of one run of `inner` under callgrind."""
    out = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            str(HERE),
            "--inner",
            workload,
            str(rounds),
            "--root",
            str(root),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    found = _COLLECTED.search(out.stderr)
    if found is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{out.stderr[-2000:]}")
    return int(found.group(1))


def asks(workload: str) -> int:
    """How many questions one round of the workload asks (follow-ups: every turn, the first
    ones too, as they build the context the follow-ups read)."""
    sys.path.insert(0, str(HERE.parent.parent))
    from bot.evaluate import load_cases, load_conversations

    evals = HERE.parent.parent / "tests" / "eval"
    if workload == "questions":
        return len(load_cases(evals / "questions.yaml"))
    return sum(len(turns) for turns in load_conversations(evals / "conversations.yaml", TODAY))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=HERE.parent.parent)
    parser.add_argument("--inner", nargs=2, metavar=("WORKLOAD", "ROUNDS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(args.root.resolve(), args.inner[0], int(args.inner[1]))
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    root = args.root.resolve()
    runs = [(w, n) for w in ("questions", "conversations") for n in (1, 3)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        counts = dict(zip(runs, pool.map(lambda run: count(root, *run), runs), strict=True))
    for workload, label in (("questions", "a question"), ("conversations", "a conversation turn")):
        per_round = (counts[workload, 3] - counts[workload, 1]) / 2
        n = asks(workload)
        print(f"{label}: {per_round / n / 1e6:.3f} million instructions (mean of {n}; {root})")


if __name__ == "__main__":
    main()
