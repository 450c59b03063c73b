"""Next year's report is content, not code: a small fictional content set with two reports
(tests/fixtures/two_reports) loads, answers from the newer one, and reads its years and dates from
the reports' metadata."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from bot.engine import ContentError, Engine, fixed

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "two_reports"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    intents, data = tmp_path / "intents", tmp_path / "data"
    shutil.copytree(FIXTURE / "intents", intents)
    shutil.copytree(FIXTURE / "data", data)
    shutil.copytree(ROOT / "intents" / "lexicon", intents / "lexicon")  # the shipped words
    return intents, data


def at(dirs: tuple[Path, Path], day: date) -> Engine:
    return Engine.load(*dirs, clock=fixed(day))


def test_the_newer_report_answers_with_its_years_and_date(dirs: tuple[Path, Path]) -> None:
    engine = at(dirs, date(2026, 6, 1))
    assert engine.content.source.id == "example_2025_report"  # the newest is "the report"
    a = engine.ask("去年托位有多少")  # 2025: the newer report's results
    assert a.decision == "answer" and "6108" in a.text and "5001" in a.text
    assert "2025年实绩" in a.text and "2024年实绩" in a.text
    # each figure's report is named with its own date
    assert "2026年3月16日发布" in a.text and "2025年3月14日发布" in a.text
    assert "没有" not in a.text.splitlines()[0]  # 2025 is covered: no note

    plan = engine.ask("今年托位目标是多少")
    assert plan.intent == "places_plan" and "7003" in plan.text
    assert "2026年计划目标（截至报告发布尚未完成）" in plan.text


def test_what_the_reports_do_not_cover_comes_from_the_newest_metadata(
    dirs: tuple[Path, Path],
) -> None:
    engine = at(dirs, date(2027, 2, 1))
    a = engine.ask("今年托位有多少")  # 2027: beyond both reports
    first = a.text.splitlines()[0]
    assert "2027" in first and "2026年3月发布" in first
    assert "2025年实绩和2026年计划目标" in first
    plan = engine.ask("托位目标是多少")
    assert "2026年计划目标（2026年3月定下，报告无法说明是否完成）" in plan.text
    en = engine.ask("What is the childcare target?")
    assert "the report cannot say whether it was met" in en.text


def test_a_data_file_must_name_its_report_when_there_are_two(dirs: tuple[Path, Path]) -> None:
    care = dirs[1] / "care_2025.yaml"
    care.write_text(
        care.read_text(encoding="utf-8").replace("source: example_2025_report\n", ""),
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as exc:
        at(dirs, date(2026, 6, 1))
    assert any("which report does it quote" in p.message for p in exc.value.problems)


def test_a_plan_of_the_wrong_year_is_refused(dirs: tuple[Path, Path]) -> None:
    care = dirs[1] / "care_2025.yaml"
    text = care.read_text(encoding="utf-8").replace("    year: 2026\n", "    year: 2025\n")
    care.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as exc:
        at(dirs, date(2026, 6, 1))
    assert any("a plan of this report is for 2026" in str(p) for p in exc.value.problems)


def test_coverage_lists_chinese_numerals_and_core_commitments_under_their_sections(
    dirs: tuple[Path, Path],
) -> None:
    from bot.content.coverage import uncovered

    sources = dirs[1] / "sources"
    meta = sources / "example_2025.yaml"
    meta.write_text(
        meta.read_text(encoding="utf-8") + 'core_sections: ["一、(一)"]\n', encoding="utf-8"
    )
    text = sources / "example-2025.txt"
    body = text.read_text(encoding="utf-8")
    body = body.replace(
        "全区提供托位6108个,建成示例托育中心。",
        "全区提供托位6108个,建成示例托育中心。完成区属三个运动场馆升级改造。"
        "推进示例公园品质提升工程建设。",
    )
    text.write_text(
        body + "(二)城市建设\n新建道路4条。推进示例河涌整治工程全面开展。\n", encoding="utf-8"
    )
    gaps = {g.sentence: g for g in uncovered(at(dirs, date(2026, 6, 1)).content)}
    venues = gaps["完成区属三个运动场馆升级改造。"]
    assert venues.numbers == ("三",) and venues.section == "一、(一)" and venues.core
    park = gaps["推进示例公园品质提升工程建设。"]
    assert park.numbers == () and park.core  # a core commitment without a figure
    assert gaps["新建道路4条。"].section == "二、(二)" and not gaps["新建道路4条。"].core
    # outside the core sections, only sentences with figures are listed
    assert "推进示例河涌整治工程全面开展。" not in gaps
    assert not any(s.startswith(("(一)", "(二)", "一、", "二、")) for s in gaps)  # no headings
    assert "全区提供托位6108个,建成示例托育中心。" not in gaps  # a fact represents it
