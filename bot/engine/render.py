"""Compose what the asker reads: an intent's answer with its footer, a clarifying question, a
fallback, in the asker's language and script.

The templates were rendered from the report's facts when the content loaded (bot.content); here
each answer gets its footer (years, result/plan status, report and sections), the answers of
intents asked for together are joined, and simplified text becomes traditional for a question in
traditional characters. The texts most questions get are composed at build time.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from bot.content.load import LoadedIntent
from bot.content.schema import Fact, Source
from bot.engine import messages
from bot.engine.answer import Answer, Candidate, Lang, Related, Script
from bot.engine.decide import Decision
from bot.engine.normalize import to_traditional

# (language, script) pairs whose answers are composed at build time: a first question in
# traditional characters should not wait ~60 µs for a conversion
PRECOMPOSED: tuple[tuple[Lang, Script], ...] = (
    ("zh", "simplified"),
    ("zh", "traditional"),
    ("en", "simplified"),
)
_MAX_COMPOSED = 4096  # notes name odd years: few distinct ones occur


def footer(facts: tuple[Fact, ...], report: Source, lang: str) -> str:
    """Years, result/plan status and source sections of the facts an answer used."""
    if not facts:
        return ""
    kinds = sorted({(f.year, f.status) for f in facts})
    sections = list(dict.fromkeys(f.section for f in facts))
    if lang == "en":
        status = "; ".join(
            f"{year} plan (a target, not yet achieved)" if st == "plan" else f"{year} result"
            for year, st in kinds
        )
        return (
            f"[{status}]\nSource: {report.title_en} (published {report.published}), "
            f"section {', '.join(sections)}"
        )
    status = "；".join(
        f"{year}年计划目标（尚未完成）" if st == "plan" else f"{year}年实绩" for year, st in kinds
    )
    return f"【{status}】\n来源：《{report.title}》{'、'.join(sections)}"


@dataclass(frozen=True, slots=True)
class _Prepared:
    """An intent's answers, ready to show: text with footer, per language."""

    text: dict[str, str]
    sources: tuple[str, ...]


_Composed = tuple[str, tuple[Related, ...], tuple[str, ...]]  # text, follow-ups, sections


class Composer:
    """Builds every `Answer` the engine returns, from the loaded intents and the report."""

    def __init__(self, intents: list[LoadedIntent], report: Source) -> None:
        self._intents = intents
        self._index = {li.intent.id: i for i, li in enumerate(intents)}
        self._prepared = [self._prepare(li, report) for li in intents]
        self.localize = lru_cache(maxsize=4096)(_localize)
        self._composed: dict[tuple[int, tuple[int, ...], str, str, str], _Composed] = {}
        for i in range(len(intents)):
            for lang, script in PRECOMPOSED:
                self._composed[i, (), lang, script, ""] = self._compose(i, (), lang, script, "")

    def title(self, i: int, lang: Lang, script: Script) -> str:
        title = self._intents[i].intent.title
        return self.localize(title.en if lang == "en" else title.zh, script)

    def candidates(self, decision: Decision, lang: Lang, script: Script) -> tuple[Candidate, ...]:
        return tuple(
            Candidate(self._intents[i].intent.id, self.title(i, lang, script), s)
            for i, s in decision.candidates
        )

    def answer(
        self,
        i: int,
        question: str,
        lang: Lang,
        script: Script,
        score: float,
        candidates: tuple[Candidate, ...],
        normalized: str,
        note: str = "",
        also: tuple[int, ...] = (),
    ) -> Answer:
        """Intent i's answer (and those of `also`, asked for together), `note` first."""
        key = (i, also, lang, script, note)
        parts = self._composed.get(key)
        if parts is None:
            parts = self._compose(i, also, lang, script, note)
            if len(self._composed) < _MAX_COMPOSED:
                self._composed[key] = parts
        text, related, sources = parts
        return Answer(
            question=question,
            decision="answer",
            text=text,
            lang=lang,
            script=script,
            intent=self._intents[i].intent.id,
            score=score,
            candidates=candidates,
            related=related,
            normalized=normalized,
            sources=sources,
        )

    def clarify(
        self,
        question: str,
        lang: Lang,
        script: Script,
        score: float,
        candidates: tuple[Candidate, ...],
        normalized: str,
    ) -> Answer:
        """Which of these did you mean? (numbered, so a number picks one)"""
        lines = [messages.CLARIFY[lang]]
        lines += [f"{n}. {c.title}" for n, c in enumerate(candidates, 1)]
        return Answer(
            question=question,
            decision="clarify",
            text=self.localize("\n".join(lines), script),
            lang=lang,
            script=script,
            score=score,
            candidates=candidates,
            normalized=normalized,
        )

    def fallback(
        self,
        question: str,
        reason: str,
        lang: Lang,
        script: Script,
        normalized: str = "",
        score: float = 0.0,
        candidates: tuple[Candidate, ...] = (),
        places: list[str] | None = None,
    ) -> Answer:
        """Why the bot cannot answer, what it covers, and where to ask instead."""
        head = messages.FALLBACK[reason][lang].format(places="、".join(places or []))
        parts = [head]
        if reason in {"low_score", "empty", "none_of_these"}:
            parts.append(messages.COVERS[lang])
        parts.append(messages.HOTLINE[lang])
        return Answer(
            question=question,
            decision="fallback",
            text=self.localize("\n".join(parts), script),
            lang=lang,
            script=script,
            score=score,
            candidates=candidates if reason == "low_score" else (),
            normalized=normalized,
            reason=reason,
        )

    def is_composed(self, i: int, lang: Lang, script: Script) -> bool:
        """Whether intent i's plain answer in this language and script is ready."""
        return (i, (), lang, script, "") in self._composed

    @staticmethod
    def _prepare(li: LoadedIntent, report: Source) -> _Prepared:
        text: dict[str, str] = {}
        sections: list[str] = []
        for lang, rendered in li.answers.items():
            foot = footer(rendered.facts, report, lang)
            text[lang] = rendered.text + ("\n\n" + foot if foot else "")
            sections += [f.section for f in rendered.facts]
        return _Prepared(text, tuple(dict.fromkeys(sections)))

    def _compose(
        self, i: int, also: tuple[int, ...], lang: Lang, script: Script, note: str
    ) -> _Composed:
        """An answer's text, follow-ups and sources: the same for every question it answers,
        so `answer` keeps them."""
        li = self._intents[i]
        prepared = self._prepared[i]
        answered = {li.intent.id, *(self._intents[j].intent.id for j in also)}
        related = tuple(
            Related(r, self.title(self._index[r], lang, script))
            for r in li.intent.related
            if r not in answered
        )
        text = "\n\n".join([prepared.text[lang], *(self._prepared[j].text[lang] for j in also)])
        sources = tuple(
            dict.fromkeys(
                [*prepared.sources, *(s for j in also for s in self._prepared[j].sources)]
            )
        )
        return self.localize(note + text, script), related, sources


def _localize(text: str, script: Script) -> str:
    return to_traditional(text) if script == "traditional" else text
