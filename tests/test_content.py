"""Content as shipped is true to the report, and broken content is reported as path:line: message.

The first tests re-check data/ independently of the loader (raw YAML against the source text), so a
bug in the loader cannot hide a wrong figure.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.content.load import ContentError, load_content, parse_written
from tests.conftest import DATA, INTENTS

SOURCE = re.sub(r"\s+", "", (DATA / "sources" / "haizhu-2024-plan-report.txt").read_text("utf-8"))
FACTS = [
    (path.name, fact)
    for path in sorted(DATA.glob("*.yaml"))
    for fact in yaml.safe_load(path.read_text("utf-8"))["facts"]
]


def test_there_are_facts_for_every_core_topic() -> None:
    files = {name for name, _ in FACTS}
    assert {"education.yaml", "childcare.yaml", "projects.yaml", "urban.yaml"} <= files
    assert len(FACTS) >= 150


@pytest.mark.parametrize(("name", "fact"), FACTS, ids=[f["id"] for _, f in FACTS])
def test_fact_is_verbatim_and_its_numbers_are_in_its_quote(
    name: str, fact: dict[str, object]
) -> None:
    quote = re.sub(r"\s+", "", str(fact["quote"]))
    assert quote in SOURCE, f"{name}: {fact['id']} quote not in the report"
    numbers = []
    if "value" in fact:
        numbers.append((fact["value"], fact.get("written")))
    for q in dict(fact.get("values") or {}).values():  # type: ignore[call-overload]
        numbers.append((q["value"], q.get("written")))
    for value, written in numbers:
        if written:
            assert str(written) in quote
            assert parse_written(str(written)) == pytest.approx(float(value))  # type: ignore[arg-type]
        else:
            shown = str(int(value)) if float(value) == int(float(value)) else str(value)  # type: ignore[arg-type]
            assert re.search(rf"(?<![\d.]){re.escape(shown)}(?!\d|\.\d)", quote), (
                fact["id"],
                shown,
            )
    for item in fact.get("items") or []:  # type: ignore[attr-defined]
        assert re.sub(r"\s+", "", item) in quote


def test_plans_come_from_part_two_and_results_from_part_one() -> None:
    for _, fact in FACTS:
        part = str(fact["section"])[0]
        assert (fact["status"], part) in {("result", "一"), ("plan", "二")}, fact["id"]
        if fact["status"] == "plan":
            assert fact["year"] == 2025


def test_fact_ids_are_unique() -> None:
    ids = [f["id"] for _, f in FACTS]
    assert len(ids) == len(set(ids))


def test_shipped_content_loads_without_errors() -> None:
    content = load_content(INTENTS, DATA)
    assert len(content.intents) >= 40


def _break(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def _problems(intents: Path, data: Path) -> list[str]:
    with pytest.raises(ContentError) as exc:
        load_content(intents, data)
    return [str(p) for p in exc.value.problems]


def _line_of(path: Path, needle: str) -> int:
    for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(needle)


def test_wrong_quote_names_file_line_and_key(content_copy: tuple[Path, Path]) -> None:
    intents, data = content_copy
    path = data / "education.yaml"
    _break(path, "新增公办中小学学位3395个", "新增公办中小学学位3396个")
    line = _line_of(path, "3396")
    problems = _problems(intents, data)
    assert any(
        p.startswith(f"{path}:{line}:") and ".quote: not found verbatim" in p for p in problems
    ), problems


def test_number_not_in_quote(content_copy: tuple[Path, Path]) -> None:
    intents, data = content_copy
    path = data / "education.yaml"
    _break(path, "value: 3395", "value: 3396")
    assert any(
        "education.yaml" in p and "3396 does not occur in the quote" in p
        for p in _problems(intents, data)
    )


def test_schema_error_names_the_key(content_copy: tuple[Path, Path]) -> None:
    intents, data = content_copy
    path = data / "childcare.yaml"
    _break(path, "status: result", "status: done")
    problems = _problems(intents, data)
    assert any(
        re.match(rf"{re.escape(str(path))}:\d+: facts\[\d+\]\.status: ", p) for p in problems
    ), problems


def test_yaml_syntax_error_has_a_line(content_copy: tuple[Path, Path]) -> None:
    intents, data = content_copy
    path = intents / "schools.yaml"
    path.write_text(path.read_text("utf-8") + "\n  - id: [unclosed\n", "utf-8")
    assert any(p.startswith(f"{path}:") and "YAML syntax" in p for p in _problems(intents, data))


def test_template_errors(content_copy: tuple[Path, Path]) -> None:
    intents, data = content_copy
    (intents / "zz_broken.yaml").write_text(
        """intents:
  - id: broken_one
    topic: test
    title: {zh: 坏的, en: Broken}
    examples: {zh: [坏的例子]}
    answer:
      zh: "2024年有{{ f.no_such_fact | n }}"
      en: "{{ f.edu_school_places_2024 | num }} places"
  - id: broken_two
    topic: test
    title: {zh: 坏的二, en: Broken two}
    examples: {zh: [坏的例子二]}
    answer:
      zh: "共有3395个学位"
      en: "{{ ''.__class__.__mro__ }}"
    related: [nowhere]
  - id: broken_three
    topic: test
    title: {zh: 坏的三, en: Broken three}
    examples: {zh: [坏的例子三]}
    answer:
      zh: "{{ f.edu_school_places_2024.value + f.edu_school_places_2024.unit }}"
      en: "{{ 1 // 0 }}"
""",
        "utf-8",
    )
    text = "\n".join(_problems(intents, data))
    assert "unknown fact 'no_such_fact'" in text
    assert "does not say '2024'" in text
    assert "3395 typed into the template" in text
    assert "related intent 'nowhere' does not exist" in text
    assert "answer.en" in text and "broken_two" in text
    assert "TypeError" in text and "ZeroDivisionError" in text and "broken_three" in text


def test_plan_must_read_as_plan(content_copy: tuple[Path, Path]) -> None:
    intents, data = content_copy
    (intents / "zz_plan.yaml").write_text(
        """intents:
  - id: plan_as_done
    topic: test
    title: {zh: 学位, en: Places}
    examples: {zh: [学位]}
    answer:
      zh: "2025年新增了优质学位{{ f.edu_quality_places_2025 | n }}。"
      en: "In 2025 Haizhu added {{ f.edu_quality_places_2025 | num }} places.\\nIt will do more."
""",
        "utf-8",
    )
    text = "\n".join(_problems(intents, data))
    assert "answer.zh: uses a 2025 plan fact but does not read as a plan" in text
    # en has "will" on another line, but its 2025 line itself still reads as done
    assert "answer.en: a line about 2025 does not read as a plan" in text


def test_duplicate_ids(content_copy: tuple[Path, Path]) -> None:
    intents, data = content_copy
    src = (data / "education.yaml").read_text("utf-8")
    (data / "zz_copy.yaml").write_text(src, "utf-8")
    assert any("duplicate fact id" in p for p in _problems(intents, data))


@pytest.mark.parametrize(
    ("written", "value"),
    [("9万", 90000), ("3.8万", 38000), ("十", 10), ("两", 2), ("十二", 12), ("二十", 20)],
)
def test_parse_written(written: str, value: float) -> None:
    assert parse_written(written) == value


def test_template_problems_name_the_answer_line(content_copy: tuple[Path, Path]) -> None:
    intents, data = content_copy
    path = intents / "zz_lines.yaml"
    path.write_text(
        """intents:
  - id: lines_one
    topic: test
    title: {zh: 行号, en: Lines}
    examples: {zh: [行号例子]}
    answer:
      zh: "2024年新增学位{{ f.edu_school_places_2024 | n }}。"
      en: "{{ f.no_such_fact | num }} places"
  - id: lines_two
    topic: test
    title: {zh: 行号二, en: Lines two}
    examples: {zh: [行号例子二]}
    answer:
      zh: "新增学位3395个"
      en: "In 2024 Haizhu added {{ f.edu_school_places_2024 | num }} places."
""",
        "utf-8",
    )
    problems = _problems(intents, data)
    assert f"{path}:8: intents[0].answer.en: unknown fact 'no_such_fact' (lines_one)" in problems
    assert any(p.startswith(f"{path}:14: intents[1].answer.zh: figure(s) 3395") for p in problems)
    assert any(
        p.startswith(f"{path}:13: intents[1].answer: zh and en must draw on the same facts")
        for p in problems
    ), problems


def test_duplicate_fact_names_both_lines(content_copy: tuple[Path, Path]) -> None:
    intents, data = content_copy
    original = data / "education.yaml"
    copy = data / "zz_copy.yaml"
    copy.write_text(
        "facts:\n"
        + "\n".join(
            line
            for line in original.read_text("utf-8").splitlines()
            if line.startswith("    ") or line.startswith("  - ")
        )
        + "\n",
        "utf-8",
    )
    first = _line_of(original, "- id: edu_school_places_2024")
    again = _line_of(copy, "- id: edu_school_places_2024")
    assert (
        f"{copy}:{again}: duplicate fact id 'edu_school_places_2024' (also in {original}:{first})"
        in _problems(intents, data)
    )


def test_anchors_and_merge_keys_keep_lines(content_copy: tuple[Path, Path]) -> None:
    intents, data = content_copy
    base = """topic: test
facts:
  - &places
    id: zz_places_a
    section: 一、(六)
    year: 2024
    status: result
    quote: 新增公办中小学学位3395个
    value: 3395
    unit: 个
  - <<: *places
    id: zz_places_b
"""
    merged = data / "zz_merged.yaml"
    merged.write_text(base + "    value: 3396\n", "utf-8")
    invalid = data / "zz_merged_invalid.yaml"
    invalid.write_text(base.replace("zz_places_", "zz_other_") + "    status: done\n", "utf-8")
    problems = _problems(intents, data)
    assert (
        f"{merged}:13: facts[1].value: 3396 does not occur in the quote (zz_places_b)" in problems
    )
    assert any(p.startswith(f"{invalid}:13: facts[1].status: ") for p in problems), problems


# what a figure means beside it: for how long or how often it held, a first, a record
_QUALIFIERS = re.compile(
    r"连续[一两二三四五六七八九十\d]+[年届次]|全国首[个批家]?|全省首[个批家]?|全市首[个批家]?"
    r"|[全国省市]唯一|创历史新高|[居排名]+全市第[一二三]"
)


def test_an_answer_keeps_what_its_facts_quotes_say_of_their_figures(engine) -> None:  # type: ignore[no-untyped-def]
    """连续两年上榜 is not 上榜: a Chinese answer that shows a fact keeps the quote's words for
    how long it held, a first or a record (the Pazhou zone's Forbes listing once dropped 连续两年)."""
    from bot.engine.guards import answer_texts

    intents = engine._intents
    dropped = [
        (li.intent.id, m.group(0))
        for li, text in zip(intents, answer_texts(intents), strict=True)
        for quote in {f.quote for r in li.answers.values() for f in r.facts}
        for m in _QUALIFIERS.finditer(quote)
        if m.group(0) not in text
    ]
    assert not dropped, dropped
