"""Coverage view for content maintainers: what the report says that data/ leaves out.

Each report's text is read line by line under its headings (一、… / (六)…), so every sentence is
filed under the section it sits in and no heading is glued to a sentence. A sentence is covered
when some fact's quote overlaps it. Listed: sentences whose figures (Arabic, or Chinese numerals
with a measure word: 三个运动场馆) no fact carries; and, in a report's core sections (its
metadata's `core_sections`), every commitment no fact represents even without a figure. Gaps
are then visible and chosen, not accidental.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot.content.load import Content, squash
from bot.content.schema import Fact
from bot.content.templates import format_number

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_CN_NUMBER = re.compile(r"[一二两三四五六七八九十百千万]+(?=[个项所家条座批场片类大])")
_SENTENCE = re.compile(r"[^。;；]+[。;；]?")
_PART = re.compile(r"^\s*([一二三四五六七八九十])、")
_SUB = re.compile(r"^\s*\(([一二三四五六七八九十]+)\)")
_MIN_COMMITMENT = 15  # characters: shorter ones are a paragraph's lead-in (城中村综合改造提速奋进)
_END = ("附件", "名 词 解 释", "名词解释")
# a sentence that commits to something (an action, not a description)
_COMMITS = re.compile(
    r"建成|建设|推动|推进|加快|力争|打造|完成|实施|新增|开工|动工|竣工|封顶|开业|开园|交付|启动|落地|实现|提升|改造"
)


@dataclass(frozen=True, slots=True)
class Gap:
    section: str
    sentence: str
    numbers: tuple[str, ...]  # figures no fact carries; empty for a commitment without one
    core: bool
    source: str = ""


def sentences(text: str) -> Iterator[tuple[str, str]]:
    """(section key, squashed sentence) for the body of a report, headings left out."""
    part, key = "", ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith(_END):
            return
        if m := _PART.match(line):
            part = key = m.group(1)
            continue
        if part and (m := _SUB.match(line)):
            key = f"{part}、({m.group(1)})"
            rest = stripped[m.end() - (len(line) - len(line.lstrip())) :]
            # "(一)经济发展稳中向好,…" is a heading line: nothing after it to file
            if len(rest) < 40 or "。" not in rest:
                continue
            stripped = rest
        if not key:
            continue
        for sentence in _SENTENCE.findall(squash(stripped)):
            if sentence.strip("。;；"):
                yield key, sentence


def _numbers(sentence: str) -> list[str]:
    arabic = [n for n in _NUMBER.findall(sentence) if not re.fullmatch(r"20\d\d", n)]
    # 一 alone is an article as often as a number (一批企业, 一个平台)
    return arabic + [n for n in _CN_NUMBER.findall(sentence) if n != "一"]


def uncovered(content: Content) -> list[Gap]:
    gaps: list[Gap] = []
    for sid, source in sorted(content.sources.items()):
        facts = [f for f in content.facts.values() if f.source == sid]
        core = set(source.core_sections)
        for key, sentence in sentences(content.texts[sid]):
            numbers = _numbers(sentence)
            overlapping = [f for f in facts if _represents(f, sentence)]
            shown: set[str] = set()
            for fact in overlapping:
                for q in fact.quantities().values():
                    shown.add(format_number(q.value))
                    if q.written:
                        shown.add(q.written)
                        shown.update(_NUMBER.findall(q.written))
                shown.update(_numbers(fact.quote))
            missing = tuple(n for n in dict.fromkeys(numbers) if n not in shown)
            if missing:
                gaps.append(Gap(key, sentence, missing, key in core, sid))
            elif (
                not overlapping
                and key in core
                and not numbers
                and len(sentence) >= _MIN_COMMITMENT
                and _COMMITS.search(sentence)
            ):
                gaps.append(Gap(key, sentence, (), True, sid))
    return gaps


def _represents(fact: Fact, sentence: str) -> bool:
    quote = squash(fact.quote)
    return (
        quote in sentence
        or sentence.rstrip("。;；") in quote
        or (len(quote) >= 12 and (quote[:12] in sentence or quote[-12:] in sentence))
    )


def format_gaps(gaps: list[Gap]) -> str:
    if not gaps:
        return "every sentence with a figure, and every core commitment, is represented in data/"
    lines = []
    for core in (True, False):
        chosen = [g for g in gaps if g.core == core]
        if not chosen:
            continue
        lines.append("core sections (schools, childcare, projects):" if core else "other sections:")
        for g in chosen:
            figures = f"[{', '.join(g.numbers)}]" if g.numbers else "[no figure]"
            lines.append(f"  {g.section}  {figures}  {g.sentence[:90]}")
    core_n = sum(g.core for g in gaps)
    no_figure = sum(not g.numbers for g in gaps)
    lines.append(
        f"{len(gaps)} sentence(s) not in data/ ({core_n} in core sections, {no_figure} of them "
        "commitments without a figure)"
    )
    return "\n".join(lines)
