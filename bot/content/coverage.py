"""Coverage view for content maintainers: report sentences with figures that data/ leaves out.

Splits the report's sections into sentences; a figure in a sentence is covered when some fact
whose quote overlaps that sentence carries it. Gaps are then visible and chosen, not accidental.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.content.load import Content, split_sections, squash
from bot.content.templates import format_number

CORE_SECTIONS = (
    "一、(一)",
    "一、(四)",
    "一、(五)",
    "一、(六)",
    "二",
    "二、(一)",
    "二、(四)",
    "二、(五)",
)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_SENTENCE = re.compile(r"[^。;；]+[。;；]?")


@dataclass(frozen=True, slots=True)
class Gap:
    section: str
    sentence: str
    numbers: tuple[str, ...]
    core: bool


def uncovered(content: Content) -> list[Gap]:
    sections = split_sections(content.source_text)
    facts = list(content.facts.values())
    gaps: list[Gap] = []
    for key, text in sections.items():
        if "、" not in key:
            continue
        for sentence in _SENTENCE.findall(text):
            numbers = [n for n in _NUMBER.findall(sentence) if not re.fullmatch(r"20\d\d", n)]
            if not numbers:
                continue
            shown: set[str] = set()
            for fact in facts:
                quote = squash(fact.quote)
                if (
                    quote in sentence
                    or sentence.rstrip("。;；") in quote
                    or _overlap(quote, sentence)
                ):
                    for q in fact.quantities().values():
                        shown.add(format_number(q.value))
                        if q.written:
                            shown.update(_NUMBER.findall(q.written))
                    shown.update(_NUMBER.findall(fact.quote))
            missing = tuple(n for n in dict.fromkeys(numbers) if n not in shown)
            if missing:
                gaps.append(Gap(key, sentence, missing, key in CORE_SECTIONS))
    return gaps


def _overlap(quote: str, sentence: str) -> bool:
    return len(quote) >= 12 and (quote[:12] in sentence or quote[-12:] in sentence)


def format_gaps(gaps: list[Gap]) -> str:
    if not gaps:
        return "every sentence with a figure is represented in data/"
    lines = []
    for core in (True, False):
        chosen = [g for g in gaps if g.core == core]
        if not chosen:
            continue
        lines.append("core sections (schools, childcare, projects):" if core else "other sections:")
        for g in chosen:
            lines.append(f"  {g.section}  [{', '.join(g.numbers)}]  {g.sentence[:90]}")
    lines.append(
        f"{len(gaps)} sentence(s) with figures not in data/ ({sum(g.core for g in gaps)} in core sections)"
    )
    return "\n".join(lines)
