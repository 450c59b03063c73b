"""A question that no intent's examples answer, but that quotes words only one or two answers
show (住宿餐饮业去年增长咗几多: the GDP answer lists the sectors' growth; 三普不可移动文物复查率:
the heritage answer gives it; "growth of real estate development": the English GDP answer), is
about the intent whose answer shows them. Chinese is read in runs of characters, English in
pairs of neighbouring words without the grammar words.

The examples say how people ask about a topic; an answer says everything it gives, and people
ask about any of it, often in the report's own words. Runs of four characters that at most two
answers show are looked for in the question; the intent that holds the most of them, and
clearly more than any other, answers. Only when the examples left the question unanswered: a
confident match is never overruled (sets where it was measured lost more than they gained).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterator

from bot.content.load import LoadedIntent
from bot.engine.answer import Answer
from bot.engine.decide import Decision
from bot.engine.normalize import EN_GRAMMAR, fold
from bot.engine.query import Query

RUN = 4  # characters: shorter runs are words many answers share (增长, 海珠区)
# English: pairs of neighbouring words, grammar words left out ("real estate development" holds
# two pairs the GDP answer alone shows)
_WORD = re.compile(r"[a-z]+")
_GRAMMAR = EN_GRAMMAR | {"per", "this", "haizhu", "district"}
MAX_OWNERS = 2  # answers that may show a run for it still to point somewhere
MIN_HITS = 2  # runs the question must share with the answer (a word of five characters)
_HAN = re.compile(r"[\u4e00-\u9fff]+")


def _pairs(text: str) -> Iterator[str]:
    """Neighbouring content words of an English text, as "word word"."""
    words = [w for w in _WORD.findall(text.lower()) if w not in _GRAMMAR and len(w) > 2]
    for a, b in itertools.pairwise(words):
        yield f"{a} {b}"


def char_runs(text: str, n: int = RUN) -> Iterator[str]:
    """Every run of n Chinese characters in a row of a text (within its runs of characters)."""
    for chunk in _HAN.findall(text):
        for start in range(len(chunk) - n + 1):
            yield chunk[start : start + n]


def _runs(text: str) -> Iterator[str]:
    # a list's comma joins what it lists: 体育、娱乐用品类 is read as 体育娱乐用品类
    return char_runs(text.replace("、", ""))


class ByAnswerWords:
    """The step: see the module's docstring."""

    def __init__(self, intents: list[LoadedIntent]) -> None:
        self._owners = {
            "zh": self._index(intents, "zh", lambda text: _runs(fold(text))),
            "en": self._index(intents, "en", _pairs),
        }

    @staticmethod
    def _index(
        intents: list[LoadedIntent], lang: str, pieces: Callable[[str], Iterator[str]]
    ) -> dict[str, tuple[int, ...]]:
        """Each piece of the answers in `lang` that at most MAX_OWNERS answers show."""
        owners: dict[str, set[int]] = {}
        for i, li in enumerate(intents):
            rendered = li.answers.get(lang)
            if rendered is None:
                continue
            for piece in pieces(rendered.text):
                owners.setdefault(piece, set()).add(i)
        return {p: tuple(sorted(held)) for p, held in owners.items() if len(held) <= MAX_OWNERS}

    def __call__(self, q: Query) -> Answer | None:
        if q.followup or q.decision.kind == "answer":
            return None
        owners = self._owners[q.lang]
        hits: Counter[int] = Counter()
        for piece in _runs(fold(q.text)) if q.lang == "zh" else _pairs(q.text):
            hits.update(owners.get(piece, ()))
        ranked = hits.most_common(2)
        if not ranked or ranked[0][1] < MIN_HITS:
            return None
        if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
            return None  # two answers show as much: no telling which
        best = ranked[0][0]
        norm = q.norm
        score = q.matcher.score_intents(norm.text, [best], q.years, norm.numbers).get(best, 0.0)
        q.decision = Decision("answer", best, ((best, round(score, 6)),))
        return None
