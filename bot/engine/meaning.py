"""What a term of the report means: "四上企业是什么意思", "what does 清四乱 mean".

The report ends with a glossary (名词解释); intents of topic `glossary` give its definitions.
The words that ask a meaning (是什么意思, 指什么, what does … mean) are fillers to the matcher,
so "四上企业是什么意思" and "四上企业有多少家" look alike to it: this step decides. A question that
asks a meaning and names a glossary term (a keyword of a definition; the matcher does not
know them as keywords) is answered with its definition; a question that asks none is never
answered by a definition (the firms' count, not what 四上 means). One step of the pipeline (`bot.engine.pipeline`), after the ranking steps.
"""

from __future__ import annotations

import re

from bot.engine.answer import Answer
from bot.engine.decide import Decision, decide
from bot.engine.query import Query

# words that ask what something means, in folded text
ASKS_MEANING = re.compile(
    r"什么意思|啥意思|咩意思|乜意思|乜嘢意思|是指什么|指的是什么|指什么|是指|什么是|何谓|定义|含义"
    r"|是什么(?:意思)?$|是啥$"
    r"|解释一下|係咩嚟|系咩嚟|系咩意思|是哪[两二三四五]|系边[两二三四五]"
    r"|\bwhat does\b.*\bmean\b|\bmeaning of\b|\bwhat is meant by\b|\bstand for\b"
)


class Meaning:
    """The step: see the module's docstring."""

    def __init__(self, terms: dict[str, int]) -> None:
        self._terms = {t: i for t, i in terms.items() if t}  # a term's matching form -> intent
        self._glossary = frozenset(self._terms.values())

        # (a Latin term as a whole word: one axis is not in "done axis")
        self._latin = [
            (re.compile(rf"\b{re.escape(t)}\b"), i) for t, i in self._terms.items() if t.isascii()
        ]
        self._chinese = [(t, i) for t, i in self._terms.items() if not t.isascii()]

    def _named(self, text: str) -> set[int]:
        named = {i for term, i in self._chinese if term in text}
        return named | {i for pattern, i in self._latin if pattern.search(text)}

    def __call__(self, q: Query) -> Answer | None:
        if not self._glossary:
            return None
        d = q.decision
        own = q.norm.folded
        # (a follow-up by its own words: 那个目标是什么 after a question on 四上企业 asks no
        # meaning of 四上)
        named = self._named(own if q.followup else q.norm.text)
        if named and ASKS_MEANING.search(own):
            terms = sorted(named)
            scores = q.matcher.score_intents(q.norm.text, terms, q.years, q.norm.numbers)
            best = max(terms, key=lambda i: (scores[i], -i))
            q.decision = Decision("answer", best, ((best, round(scores[best], 6)),))
            return None
        shown = {i for i, _ in d.candidates} | ({d.best} if d.best is not None else set())
        if shown & self._glossary:
            q.ranked = [(i, s) for i, s in q.ranked if i not in self._glossary]
            q.decision = decide(q.ranked, q.matcher.w)
        return None
