"""Compose what the asker reads: an intent's answer with its footer, a clarifying question, a
fallback, in the asker's language and script.

The templates were rendered from the report's facts when the content loaded (bot.content); here
each answer gets its footer (years, result/plan status, report and sections), the answers of
intents asked for together are joined, and simplified text becomes traditional for a question in
traditional characters. The texts most questions get are composed at build time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from bot.content.load import LoadedIntent
from bot.content.schema import Fact, Source
from bot.content.templates import full_date
from bot.engine import messages
from bot.engine.answer import ABOUT_BOT, Answer, Candidate, Lang, Related, Script
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


def footer(
    facts: tuple[Fact, ...], sources: Mapping[str, Source], lang: str, past_year: int
) -> str:
    """Years and status of the facts an answer used, as they stand in `past_year`'s following
    year (a plan for a year up to `past_year` has run its course), and the reports and sections
    they come from, with each report's date."""
    if not facts:
        return ""
    statuses: list[str] = []
    for year, status, sid in sorted({(f.year, f.status, f.source) for f in facts}):
        if status == "result":
            statuses.append(messages.RESULT[lang].format(year=year))
        elif year <= past_year:
            published = messages.month(sources[sid].published, lang)
            statuses.append(messages.PLAN_OVER[lang].format(year=year, published=published))
        else:
            statuses.append(messages.PLAN_RUNNING[lang].format(year=year))
    by_source: dict[str, list[str]] = {}
    for f in facts:
        sections = by_source.setdefault(f.source, [])
        if f.section not in sections:
            sections.append(f.section)
    lines = [
        messages.SOURCE_LINE[lang].format(
            title=sources[sid].title_en if lang == "en" else sources[sid].title,
            published=full_date(sources[sid].published, lang),
            sections=("、" if lang == "zh" else ", ").join(sections),
        )
        for sid, sections in by_source.items()
    ]
    unique = list(dict.fromkeys(statuses))
    if lang == "en":
        return f"[{'; '.join(unique)}]\nSource: {'; '.join(lines)}"
    return f"【{'；'.join(unique)}】\n来源：{'；'.join(lines)}"


@dataclass(frozen=True, slots=True)
class _Prepared:
    """An intent's answers as rendered at load (no footer), the facts they used, per language."""

    text: dict[str, str]
    facts: dict[str, tuple[Fact, ...]]
    sources: tuple[str, ...]  # sections


_Composed = tuple[str, tuple[Related, ...], tuple[str, ...]]  # text, follow-ups, sections


class Composer:
    """Builds every `Answer` the engine returns, from the loaded intents and the report."""

    def __init__(
        self,
        intents: list[LoadedIntent],
        sources: Mapping[str, Source],
        report: Source,
        today: date,
    ) -> None:
        self._intents = intents
        self._sources = sources
        self._index = {li.intent.id: i for i, li in enumerate(intents)}
        self._prepared = [self._prepare(li) for li in intents]
        plan_years = [
            f.year
            for p in self._prepared
            for fs in p.facts.values()
            for f in fs
            if f.status == "plan"
        ]
        # footers differ only in which plan years are over: at most a few distinct ones
        self._past_range = (min(plan_years, default=0) - 1, max(plan_years, default=0))
        self._covers = {
            lang: {
                "title": report.title,
                "published": full_date(report.published, lang),
                "results_year": report.results_year,
                "plan_year": report.plan_year,
            }
            for lang in ("zh", "en")
        }
        self.localize = lru_cache(maxsize=4096)(_localize)
        self._composed: dict[tuple[int, tuple[int, ...], str, str, str, int], _Composed] = {}
        past = self.past_year(today)
        for i in range(len(intents)):
            for lang, script in PRECOMPOSED:
                self._composed[i, (), lang, script, "", past] = self._compose(
                    i, (), lang, script, "", past
                )

    def past_year(self, today: date) -> int:
        """The last year that is over on `today`, within the plan years the content has."""
        low, high = self._past_range
        return max(low, min(high, today.year - 1))

    def intent_id(self, i: int) -> str:
        return self._intents[i].intent.id

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
        today: date,
        note: str = "",
        also: tuple[int, ...] = (),
    ) -> Answer:
        """Intent i's answer (and those of `also`, asked for together), `note` first, with the
        footer as it reads on `today`."""
        past = self.past_year(today)
        key = (i, also, lang, script, note, past)
        parts = self._composed.get(key)
        if parts is None:
            parts = self._compose(i, also, lang, script, note, past)
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
            topical=self._intents[i].intent.topic not in ABOUT_BOT,
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
        related: tuple[int, ...] = (),
        fields: Mapping[str, str] | None = None,
    ) -> Answer:
        """Why the bot cannot answer, what it covers, and where to ask instead; `related`:
        intents whose figures are offered (a how-to question's topic); `fields`: the words of
        the reason's message (the years asked)."""
        head = messages.FALLBACK[reason][lang].format(
            places=("、" if lang == "zh" else " or ").join(places or []), **(fields or {})
        )
        parts = [head]
        if reason in {"low_score", "empty", "none_of_these", "request", "fragment"}:
            parts.append(self.covers(lang))
        if related:
            parts.append(messages.RELATED_FIGURES[lang])
        if reason != "procedure":  # its own text names 12345 and the website
            parts.append(messages.HOTLINE[lang])
        return Answer(
            question=question,
            decision="fallback",
            text=self.localize("\n".join(parts), script),
            lang=lang,
            script=script,
            score=score,
            candidates=candidates if reason == "low_score" else (),
            related=tuple(
                Related(self._intents[i].intent.id, self.title(i, lang, script)) for i in related
            ),
            normalized=normalized,
            reason=reason,
        )

    def covers(self, lang: Lang) -> str:
        """What the bot answers from, and what one may ask."""
        return messages.COVERS[lang].format(**self._covers[lang])

    def is_composed(self, i: int, lang: Lang, script: Script, today: date) -> bool:
        """Whether intent i's plain answer in this language and script is ready for `today`."""
        return (i, (), lang, script, "", self.past_year(today)) in self._composed

    @staticmethod
    def _prepare(li: LoadedIntent) -> _Prepared:
        sections: list[str] = []
        for rendered in li.answers.values():
            sections += [f.section for f in rendered.facts]
        return _Prepared(
            {lang: r.text for lang, r in li.answers.items()},
            {lang: r.facts for lang, r in li.answers.items()},
            tuple(dict.fromkeys(sections)),
        )

    def _text(self, i: int, lang: str, past: int) -> str:
        prepared = self._prepared[i]
        foot = footer(prepared.facts[lang], self._sources, lang, past)
        return prepared.text[lang] + ("\n\n" + foot if foot else "")

    def _compose(
        self, i: int, also: tuple[int, ...], lang: Lang, script: Script, note: str, past: int
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
        text = "\n\n".join([self._text(i, lang, past), *(self._text(j, lang, past) for j in also)])
        sources = tuple(
            dict.fromkeys(
                [*prepared.sources, *(s for j in also for s in self._prepared[j].sources)]
            )
        )
        return self.localize(note + text, script), related, sources


def _localize(text: str, script: Script) -> str:
    return to_traditional(text) if script == "traditional" else text
