"""Grid-search the decision thresholds on half of the evaluation set; report both halves.

Tuning on one half (even positions) and reporting the other (odd positions) shows how much of a
setting's accuracy is fitted to the questions it was chosen on.
    python benchmarks/tune.py [tests/eval/questions.yaml]
"""

from __future__ import annotations

import dataclasses
import itertools
import sys
from pathlib import Path

from bot.engine import Engine
from bot.engine.decide import Weights
from bot.evaluate import evaluate, load_cases

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "eval" / "questions.yaml"
    cases = load_cases(path)
    dev, held = cases[0::2], cases[1::2]
    engine = Engine.load(ROOT / "intents", ROOT / "data")
    grid = {
        "answer": [56.0, 60.0, 66.0],
        "margin": [0.5, 1.0, 2.0, 3.0],
        "answer_low": [42.0, 46.0, 50.0],
        "gap": [2.0, 3.5, 5.0, 8.0],
        "clarify": [44.0],
    }
    results = []
    for values in itertools.product(*grid.values()):
        w = dataclasses.replace(Weights(), **dict(zip(grid, values, strict=True)))
        for m in engine.matchers.values():
            m.w = w
        results.append((evaluate(engine, dev).accuracy, evaluate(engine, held).accuracy, values))
    results.sort(reverse=True)
    print("dev    held-out  " + "  ".join(grid))
    for dev_acc, held_acc, values in results[:10]:
        print(f"{dev_acc:.3f}  {held_acc:.3f}     {values}")
    default = Weights()
    for m in engine.matchers.values():
        m.w = default
    print(
        f"current defaults: dev {evaluate(engine, dev).accuracy:.3f} held-out {evaluate(engine, held).accuracy:.3f}"
    )


if __name__ == "__main__":
    main()
