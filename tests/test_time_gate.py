"""Truthful on the day it is read: the time-dependent question sets, at pinned dates.

tests/eval/time_questions.yaml (written from the report alone, by an author who never saw the
intents) is run at a date inside the report's plan year and at one 21 months after the report;
tests/eval/time_holdout.yaml (another author, never used for tuning) after it. A case passes when
the answer has the report's figures and, where the period asked is not covered, says so first
(`missing`), or says that the report cannot tell whether a plan was met (`unknown_done`).
The floors sit a little under what was measured (see README, "Accuracy").
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.engine import Engine, fixed
from bot.evaluate import Report, evaluate, load_cases

EVAL = Path(__file__).resolve().parent / "eval"
INSIDE = date(2025, 6, 1)  # inside the plan year: 今年 = 2025
AFTER = date(2026, 12, 2)  # 21 months after the report: 今年 = 2026, the plan year is over
FLOORS = {
    ("time_questions.yaml", INSIDE): 0.94,
    ("time_questions.yaml", AFTER): 0.94,
    ("time_holdout.yaml", AFTER): 0.92,
}


def run(engine: Engine, name: str, day: date) -> Report:
    dated = Engine(engine.content, clock=fixed(day))
    return evaluate(dated, load_cases(EVAL / name, day))


@pytest.mark.parametrize(("name", "day"), sorted(FLOORS))
def test_time_dependent_questions(engine: Engine, name: str, day: date) -> None:
    report = run(engine, name, day)
    kinds = report.by_category()
    assert len(report.results) >= 80 and {"relative", "explicit", "done", "refuse"} <= set(kinds)
    failures = [f"{r.case.q!r}: {r.why}" for r in report.results if not r.passed]
    assert report.accuracy >= FLOORS[name, day], f"{name} at {day}: {failures}"
    # refusals never get figures, whatever the day
    assert kinds["refuse"][0] == kinds["refuse"][1], failures


def test_the_same_question_is_answered_as_the_day_allows(engine: Engine) -> None:
    """One question, two days: inside the plan year a target, after it what the report cannot
    say; a year it has no figures for is named in the first line."""
    inside = Engine(engine.content, clock=fixed(INSIDE))
    after = Engine(engine.content, clock=fixed(AFTER))
    q = "区级托育综合服务中心建成没有"
    a, b = inside.ask(q), after.ask(q)
    assert a.intent == b.intent and a.decision == "answer"
    assert "截至报告发布" in a.text.splitlines()[0] and "12345" in a.text
    assert "无法说明" in b.text.splitlines()[0] and "12345" in b.text
    assert "尚未" not in b.text
    c = after.ask("今年托位有多少")
    assert "2026" in c.text.splitlines()[0] and "10921" in c.text
    assert "2026" not in inside.ask("今年托位有多少").text
