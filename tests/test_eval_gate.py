"""Accuracy gate on the evaluation set (tests/eval/questions.yaml, written apart from the intents).

The bars sit a little under what was measured when they were set (see README, "Accuracy"), so a
change that makes the bot worse fails here. The issue's targets are the goal, not these floors.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import Engine
from bot.evaluate import Report, evaluate, load_cases

EVAL = Path(__file__).resolve().parent / "eval" / "questions.yaml"
FLOORS = {
    "schools": 0.90,
    "childcare": 0.90,
    "projects": 0.93,
    "other": 0.92,
    "traditional": 0.93,
    "typo": 0.88,
    "english": 0.85,
    "offtopic": 0.95,
    "otherplace": 1.0,  # never answer another place's question with Haizhu figures
    "personal": 0.90,
}


@pytest.fixture(scope="module")
def report(engine: Engine) -> Report:
    return evaluate(engine, load_cases(EVAL))


def test_eval_set_is_big_and_varied() -> None:
    cases = load_cases(EVAL)
    assert len(cases) >= 300
    assert sum(c.oos for c in cases) >= 50


@pytest.mark.parametrize("category", sorted(FLOORS))
def test_category_accuracy(report: Report, category: str) -> None:
    ok, total = report.by_category()[category]
    assert total > 0
    failures = [r.case.q for r in report.results if r.case.category == category and not r.passed]
    assert ok / total >= FLOORS[category], f"{category}: {ok}/{total}; failures: {failures}"
