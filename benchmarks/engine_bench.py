"""Engine performance: per-question latency (median, p99), load time, resident memory.

    python benchmarks/engine_bench.py            # shipped content + 10,000 synthetic examples
    python benchmarks/engine_bench.py --root OTHER   # another checkout's code and content
Figures go to the README ("Performance"). Not a test: numbers vary with the machine.
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import resource
import statistics
import sys
import time
from datetime import date
from pathlib import Path


def _checkout() -> Path:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--root",
        type=Path,
        default=Path(__file__).resolve().parent.parent,
        help="the checkout (e.g. a git worktree) whose code and content are measured",
    )
    return Path(parser.parse_args().root).resolve()


# That checkout's `bot`, not the installed one: without this, a worktree's run of this script
# would measure the code `pip install -e` points at.
ROOT = _checkout()
sys.path.insert(0, str(ROOT))

import bot  # noqa: E402
from bot.engine import Context, Engine, fixed  # noqa: E402
from bot.engine.engine import EN_VIEWS, ZH_VIEWS  # noqa: E402
from bot.engine.match import Matcher  # noqa: E402
from bot.evaluate import load_cases, load_conversations  # noqa: E402

TODAY = date(2025, 6, 1)  # the frame the question sets were written in


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def time_questions(engine: Engine, questions: list[str], rounds: int) -> list[list[float]]:
    """Per round, each question's time (ms), in the questions' order."""
    times = []
    for _ in range(rounds):
        this = []
        for q in questions:
            t = time.perf_counter()
            engine.ask(q)
            this.append((time.perf_counter() - t) * 1000)
        times.append(this)
    return times


def time_followups(engine: Engine, rounds: int) -> list[list[float]]:
    """The follow-up turns of tests/eval/conversations.yaml, each asked with its context: per
    round, each follow-up's time (ms)."""
    conversations = load_conversations(ROOT / "tests" / "eval" / "conversations.yaml", TODAY)
    times = []
    for _ in range(rounds):
        this = []
        for turns in conversations:
            context: Context | None = None
            for n, case in enumerate(turns):
                t = time.perf_counter()
                answer = engine.ask(case.q, context)
                if n:
                    this.append((time.perf_counter() - t) * 1000)
                context = Context.after(answer, context)
        times.append(this)
    return times


def report(name: str, rounds: list[list[float]]) -> None:
    """Every timing as measured, and each question's best of its rounds: the second is what the
    question costs, without the machine's pauses (a busy neighbour, a collection, a slower
    clock), which on this machine move the first by ±30% from one run to the next."""
    every = [t for r in rounds for t in r]
    best = [min(ts) for ts in zip(*rounds, strict=True)]
    print(
        f"per question, {name}: median {statistics.median(every):.3f} ms, "
        f"p99 {percentile(every, 99):.3f} ms (n={len(every)}); "
        f"best of {len(rounds)} rounds per question: median {statistics.median(best):.3f} ms, "
        f"p99 {percentile(best, 99):.3f} ms"
    )


def machine_speed() -> float:
    """The best of 5 runs of a fixed pure-Python workload (ms): how fast this machine runs right
    now, printed beside the figures, since its speed drifts by half from one hour to the next."""
    data = [(i * 7919) % 10007 for i in range(20_000)]
    best = math.inf
    for _ in range(5):
        t = time.perf_counter()
        sorted(data)
        sum(i * i for i in data)
        "".join(str(i) for i in data[:5000]).count("7")
        best = min(best, (time.perf_counter() - t) * 1000)
    return best


def main() -> None:
    gc.freeze()  # as `python -m bot` does after its imports
    speed_before = machine_speed()
    t0 = time.perf_counter()
    engine = Engine.load(ROOT / "intents", ROOT / "data", clock=fixed(TODAY))
    load_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    Engine.load(ROOT / "intents", ROOT / "data")
    reload_ms = (time.perf_counter() - t0) * 1000
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    questions = [c.q for c in load_cases(ROOT / "tests" / "eval" / "questions.yaml")]
    time_questions(engine, questions[:50], 1)  # warm caches
    shipped = time_questions(engine, questions, 5)
    followups = time_followups(engine, 5)

    # 10,000 synthetic examples: real examples recombined, spread over the same intents.
    rng = random.Random(7)
    pool = engine.matchers["zh"].texts
    owners = engine.matchers["zh"].owners.tolist()
    synthetic = [
        (
            owners[i % len(owners)],
            "".join(
                rng.sample(
                    pool[i % len(pool)] + rng.choice(pool), k=min(12, len(pool[i % len(pool)]))
                )
            ),
        )
        for i in range(10_000)
    ]
    big = Matcher(
        synthetic,
        engine.intent_count,
        [[] for _ in range(engine.intent_count)],
        [frozenset()] * engine.intent_count,
        ZH_VIEWS,
    )
    # in place: the pipeline's steps read this same mapping
    engine.matchers.update(
        {
            "zh": big,
            "en": Matcher(
                [(0, "x")] + [(i, "y") for i in range(engine.intent_count)],
                engine.intent_count,
                [[] for _ in range(engine.intent_count)],
                [frozenset()] * engine.intent_count,
                EN_VIEWS,
            ),
        }
    )
    assert engine.pipeline.matchers["zh"] is big
    zh_questions = [q for q in questions if not q.isascii()]
    large = time_questions(engine, zh_questions, 3)

    print(f"code and content measured: {Path(bot.__file__).parent.parent}")
    print(
        f"content load + validation (first in this process; disk caches warm after the first run): {load_ms:.0f} ms"
    )
    print(f"content load + validation (again, as a /reload): {reload_ms:.0f} ms")
    print(f"peak resident memory after loading: {rss_mb:.0f} MB")
    print(
        f"machine speed (a fixed pure-Python workload, lower is faster): "
        f"{speed_before:.2f} ms before, {machine_speed():.2f} ms after"
    )
    report("shipped content", shipped)
    report("a follow-up read against the last answer", followups)
    report("10,000 synthetic examples", large)


if __name__ == "__main__":
    main()
