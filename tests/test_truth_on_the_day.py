"""Every answer tells the truth on the day it is read, over every question set in the repository
(about 1,500 questions written by other authors): read 21 months after the report, no answer
says a plan is still undone unless it says "as of the report", and every Chinese answer with
figures names the report and its date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.content.templates import full_date
from bot.engine import Engine, fixed
from bot.evaluate import load_cases

ROOT = Path(__file__).resolve().parent.parent
# single-question sets (conversations are judged turn by turn elsewhere)
SETS = sorted(
    p
    for p in [*(ROOT / "tests" / "eval").glob("*.yaml"), *(ROOT / "benchmarks").glob("*.yaml")]
    if not p.name.startswith("conversations")
)
UNDONE = ("尚未", "未完成", "還沒", "还没", "not yet", "still to be")
AS_OF = ("截至报告", "截至報告", "as of the report")


@pytest.fixture(scope="module")
def answers(engine: Engine) -> list[tuple[str, str, str]]:
    later = Engine(engine.content, clock=fixed(date(2026, 12, 2)))
    out = []
    for path in SETS:
        for case in load_cases(path, date(2026, 12, 2)):
            a = later.ask(case.q)
            if a.decision == "answer":
                out.append((case.q, a.lang, a.text))
    return out


def test_enough_independent_questions_answered(answers: list[tuple[str, str, str]]) -> None:
    assert len(answers) >= 400


def test_no_plan_is_called_undone_without_as_of_the_report(
    answers: list[tuple[str, str, str]],
) -> None:
    wrong = [
        q
        for q, _, text in answers
        if any(w in text.lower() for w in UNDONE) and not any(a in text for a in AS_OF)
    ]
    assert wrong == []


def test_every_chinese_answer_with_figures_names_the_report_and_its_date(
    engine: Engine, answers: list[tuple[str, str, str]]
) -> None:
    day = full_date(engine.content.source.published, "zh")  # 2025年3月14日, either script
    figures = [
        (q, text)
        for q, lang, text in answers
        if lang == "zh" and any(ch.isdigit() for ch in text.replace("12345", ""))
    ]
    assert len(figures) >= 300
    missing = [
        q for q, text in figures if day not in text or not ("来源" in text or "來源" in text)
    ]
    assert missing == []
