"""Time: which years a question asks about, and what the report can say of them today.

Relative words (今年, 去年, 上个月, last year) are offsets from today's date, which comes from
the engine's clock; what the report covers comes from its metadata (`Source.results_year`,
`plan_year`, `published`). `ResolveTime` runs before ranking: the years asked, and those of
them that some fact has (only those may steer the match). `TimeNote` runs after the decision:
the first line of an answer says plainly what the report does not have for the period asked,
and, for "was it done?", what it can and cannot tell on the day the answer is read. A follow-up
that asks the topic just answered for a year the report has no figures of (那前年呢 after the
GDP) is told so, with no figures: the asker has just read the latest ones.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from bot.content import LoadedIntent
from bot.content.schema import Fact, Source
from bot.engine import messages
from bot.engine.answer import Answer, Lang
from bot.engine.decide import Decision
from bot.engine.detail import DONE_KINDS, done_words
from bot.engine.followup import ASKS_PLAN
from bot.engine.guards import answer_texts
from bot.engine.normalize import Normalized, Normalizer, fold
from bot.engine.query import Query
from bot.engine.render import Composer

# which ones (哪几个), not how many
_WHICH = re.compile(r"[哪边]几")
# how many things (几个村, 几家企业): a list of their names counts them
_HOW_MANY_OF = re.compile(r"(?<![哪边])几[个家所间条项座套批处]|\bhow many\b")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{3,}")
NAMED_RUN = 3  # characters of the question a fact must say to be the thing asked (奇安信)
# words of a name, read two characters at a time (海灏 of 海灏大厦, f5 of 康鹭F57), and the words
# that say something was or will be done, by kind
_NAME_WORD = re.compile(r"[\u4e00-\u9fffa-z0-9]{2,}")
# (the kinds a when-question reads, and started, topped out, achieved)
_DONE_SAID = {
    **DONE_KINDS,
    "started": ("动工", "开工", "施工", "开建", "动土"),
    "topped": ("封顶",),
    "achieved": ("完成", "实现", "超额"),
}
_FACT_CLAUSE = re.compile(r"[,，;；。]")
_DONE_WORD, _KIND_OF = done_words(_DONE_SAID)
# words of asking whether (了吗, 未, 有冇): no part of a name
_WHETHER = re.compile(
    r"有没有|有冇|是否|是不是|系咪|了没有|了没|了吗|未|冇|没有|没|吗|呢|啊|嘛|咗|了|去年|今年|已经|到底"
)
# a year asked as what something is compared with (比前年提高多少): the change is the answer's
_AGAINST = re.compile(r"(?<!占)比(?!例|率|重)|相比|较|\bthan\b|\bcompared\b|\bversus\b|\bvs\b")
BASE_AFTER = 8  # characters after a comparison word read for the year compared with (比前年)
# a change stated (提升1.6个百分点, 增长5.4%): what a year compared with is answered by
_A_CHANGE = re.compile(r"(?:提升|提高|增长|下降|减少|增加|增幅|降幅)了?\s*[\d.]+|[\d.]+个?百分点")


def asked_years(norm: Normalized, today: date) -> frozenset[int]:
    """The years written out and those the relative words name, counted from `today`."""
    years = set(norm.years)
    years.update(today.year + n for n in norm.relative_years)
    months = today.year * 12 + today.month - 1
    years.update((months + n) // 12 for n in norm.relative_months)
    return frozenset(years)


def plan_over(year: int, today: date) -> bool:
    """Whether a plan for `year` has run its course by `today`."""
    return today > date(year, 12, 31)


class ResolveTime:
    """Sets the years asked (`q.asked`) and the years that steer the match (`q.years`: only
    years some fact has; "2026年托位有多少" is matched as "托位有多少")."""

    def __init__(self, fact_years: frozenset[int]) -> None:
        self._fact_years = fact_years

    def __call__(self, q: Query) -> Answer | None:
        q.asked = asked_years(q.norm, q.today)
        q.years = q.asked & self._fact_years
        return None


class TimeNote:
    """The first line of an answer when the report cannot give what was asked for the period
    asked: years it has no figures for, a plan year that is over, a plan whether it was met."""

    def __init__(
        self,
        intents: list[LoadedIntent],
        report: Source,
        composer: Composer,
        normalizer: Normalizer | None = None,
    ) -> None:
        self._normalizer = normalizer  # (what asks for a figure: the lexicon's `figure_asks`)
        # per intent and related intent: whether the related one's answer says the intent's
        # keywords (fixed once the content is loaded)
        self._says_topic: dict[tuple[int, int], bool] = {}
        self._facts = [
            tuple({f.id: f for r in li.answers.values() for f in r.facts}.values())
            for li in intents
        ]
        self._report = report
        self._composer = composer
        self._texts = answer_texts(intents)
        # what each fact says of itself (folded label and quote), for the facts a question names
        index = {li.intent.id: i for i, li in enumerate(intents)}
        # each intent's related ones (its buttons) that have a plan, by the plan's years
        self._planned = [
            [
                (j, frozenset(f.year for f in self._facts[j] if f.status == "plan"))
                for j in (index[r] for r in li.intent.related if r in index)
            ]
            for li in intents
        ]
        self._says = {
            f.id: fold(f"{f.label or ''} {f.quote}") for facts in self._facts for f in facts
        }

    def __call__(self, q: Query) -> Answer | None:
        d = q.decision
        if d.kind != "answer" or d.best is None:
            return None
        if not (q.asked or q.norm.now or q.norm.asks_done):
            return None  # nothing asked of time: nothing to say
        answered = (d.best, *q.also)
        facts = [f for i in answered for f in self._facts[i]]
        if not facts:
            return None  # (ok, thanks: no figures, no time to speak of)
        facts = self._asked_of(q, answered, facts)
        have = {f.year for f in facts}
        r = self._report
        if (
            q.own_time
            and q.asked
            and not (q.asked & have)
            and set(answered) <= q.before
            and not _AGAINST.search(q.norm.folded)
        ):
            dated = self._dated(q, answered)
            if dated is not None:  # 今年呢 after the 2024 GDP: the 2025 targets
                q.decision = Decision("answer", dated, d.candidates)
                q.also = ()
                return self(q)
            return self._composer.fallback(
                q.question,
                "no_period",
                q.lang,
                q.script,
                q.norm.text,
                q.top_score,
                related=(d.best,),
                fields={
                    "years": messages.years_text(sorted(q.asked), q.lang),
                    "published": messages.month(r.published, q.lang),
                    "results_year": str(r.results_year),
                    "plan_year": str(r.plan_year),
                },
            )
        if (
            not q.followup
            and q.asked
            and not (q.asked & have)
            and ASKS_PLAN.search(q.norm.folded)
            and not _AGAINST.search(q.norm.folded)
        ):
            # a plan asked first of a year the answer has no figures of (今年托育打算做什么):
            # a candidate with that year's figures of the same topic, or its plan, when there is
            dated = self._dated(q, answered)
            if dated is not None:  # (read once more below, not asked again: no loop)
                q.decision = Decision("answer", dated, d.candidates)
                q.also = ()
                facts = self._asked_of(q, (dated,), list(self._facts[dated]))
        named = self._named_in(q, facts)
        said_done = q.norm.asks_done and self.done_said(q.norm.folded, facts)
        lines = self.lines(facts, q.asked, q.norm, q.today, q.lang, named, said_done)
        if lines:
            q.note = "\n".join(lines) + "\n"
        return None

    def _asked_of(self, q: Query, answered: tuple[int, ...], facts: list[Fact]) -> list[Fact]:
        """The facts of what the question names: those whose label or quote says a keyword of
        any answer's that the question says (2024年的研发经费 names the 2023 R&D figures, not
        the 2024 patents the same answer gives); all of them when none does."""
        # (a follow-up by its own words: 今年推进几多条轨道交通 after 旧年边条地铁线通车 asks the
        # rail plan, not the metro line the question it is joined to named)
        text = q.norm.folded if q.followup else q.norm.text
        named = [fold(k) for i in answered for k in q.matcher.keywords_of(i, text)]
        if not named:
            return facts
        said = [f for f in facts if any(k in self._says[f.id] for k in named)]
        return said or facts

    def _named_in(self, q: Query, facts: list[Fact]) -> list[Fact]:
        """The facts that say a run of three characters of the question (奇安信大厦封顶了吗: the
        2024 fact that names 奇安信大厦, not the 2025 plan of other buildings)."""
        if not q.norm.asks_done:
            return []
        runs = {
            m.group()[i : i + NAMED_RUN]
            for m in _HAN_RUN.finditer(q.norm.folded)
            for i in range(len(m.group()) - NAMED_RUN + 1)
        }
        return [f for f in facts if any(run in self._says[f.id] for run in runs)]

    def done_said(self, question: str, facts: Sequence[Fact]) -> bool:
        """Whether a result says that what the question names was done the way it asks (京东MALL
        开业了吗: 京东MALL正式开业; 海灏大厦封顶冇: 海灏国际大厦 among those topped out) and no plan
        says it is still to be done so (华新广场开业 is a 2025 plan): the report's own answer,
        with no first line calling it a plan. What it names: two characters in a row of the
        question's words, those of doing and asking whether aside."""
        asked = {_KIND_OF[w] for w in _DONE_WORD.findall(question)}
        if not asked:
            return False
        rest = _WHETHER.sub(" ", _DONE_WORD.sub(" ", question))
        pairs = {w[i : i + 2] for w in _NAME_WORD.findall(rest) for i in range(len(w) - 1)}

        def says(f: Fact) -> bool:
            # in one clause: the name and the doing (江南文商旅融合圈… 京东MALL正式开业 says no
            # opening of 江南西二期)
            return any(
                {_KIND_OF[w] for w in _DONE_WORD.findall(clause)} & asked
                and any(p in clause for p in pairs)
                for clause in _FACT_CLAUSE.split(self._says[f.id])
            )

        return any(says(f) for f in facts if f.status == "result") and not any(
            says(f) for f in facts if f.status == "plan"
        )

    def _dated(self, q: Query, answered: tuple[int, ...]) -> int | None:
        """A candidate with figures of a year asked, ranked near enough to answer, whose answer
        says what the question names of the topic answered (the 2025 targets say 地区生产总值,
        the GDP's keyword; the 2023 R&D figures do not); or, for a plan asked, a related one."""
        floor = min(q.matcher.w.answer_low, q.matcher.w.clarify)
        named = q.matcher.keywords_of(answered[0], q.norm.text)
        for i, score in q.ranked:
            if i in answered or score < floor or not q.asked & {f.year for f in self._facts[i]}:
                continue
            if any(fold(k) in self._texts[i] for k in named):
                return i
        # or, when it asks a plan and names nothing of the answer's (今年有什么计划 after the
        # childcare places), the plan for that year among the answer's related ones (its
        # buttons: the childcare plan), best scored first
        own = q.norm.folded
        if not ASKS_PLAN.search(own) or q.matcher.keywords_of(answered[0], own):
            return None  # (今年税收目标多少 asks the tax's: no 2025 figure of it)
        # (one that says the topic's own words: the childcare plan after the childcare places,
        # not the rivers' targets after the air quality, which has none)
        planned = [
            j
            for j, years in self._planned[answered[0]]
            if years & q.asked and self._says_topic_of(q, answered[0], j)
        ]
        if not planned:
            return None
        scores = q.matcher.score_intents(q.norm.text, planned, q.years, q.norm.numbers)
        return max(planned, key=lambda i: (scores[i], -i))

    def _says_topic_of(self, q: Query, i: int, j: int) -> bool:
        """Whether answer j says a keyword of intent i (computed once per pair)."""
        said = self._says_topic.get((i, j))
        if said is None:
            said = self._says_topic[(i, j)] = bool(q.matcher.keywords_of(i, self._texts[j]))
        return said

    def _bases(self, folded: str, today: date) -> frozenset[int]:
        """The years a question names just after a comparison word (比前年, 相比2023年, than
        2023): what something is compared with."""
        if self._normalizer is None:
            return frozenset()
        return frozenset().union(
            *(
                self._normalizer.years_in(folded[m.end() : m.end() + BASE_AFTER], today.year)
                for m in _AGAINST.finditer(folded)
            )
        )

    def lines(
        self,
        facts: list[Fact],
        asked: frozenset[int],
        norm: Normalized,
        today: date,
        lang: Lang,
        named: Sequence[Fact] = (),
        said_done: bool = False,
    ) -> list[str]:
        """The first lines: years the report has no figures for, a plan whose outcome it cannot
        tell. Whether something was done is not asked of a plan when the facts the question
        names (`named`) are all results, or one of them says it was done as asked
        (`said_done`): the report says it was done."""
        r = self._report
        have = {f.year for f in facts}
        plans = {f.year for f in facts if f.status == "plan"}
        results = {f.year for f in facts if f.status == "result"}
        years = set(asked)
        if norm.now and not asked:
            years.add(today.year)  # (去年…到底完成了多少 asks 2024's actual figure, not today's)
        fields = {
            "published": messages.month(r.published, lang),
            "results_year": r.results_year,
            "plan_year": r.plan_year,
        }
        out: list[str] = []
        if self._normalizer is not None and self._normalizer.asks_figure(
            _WHICH.sub(" ", norm.folded)
        ):
            # a figure asked of a year whose facts give none (2025年新增就业目标是多少: the
            # 2025 plan says what will be done, with no number); things counted by their names
            # count too (涉及几个村: 三滘村、东风村)
            names = _HOW_MANY_OF.search(norm.folded) is not None
            have = {f.year for f in facts if f.value is not None or f.values or (names and f.items)}
        missing = sorted(y for y in years if y not in have)
        if missing and len(missing) < len(years):
            # the year a change is measured from (去年空气质量比前年好了多少: 2023), when the
            # other year is given: its figures say the change (提升1.6个百分点)
            given = [f for f in facts if f.year not in missing]
            if any(_A_CHANGE.search(self._says[f.id]) for f in given):
                missing = [y for y in missing if y not in self._bases(norm.folded, today)]
        beyond = [y for y in missing if y not in (r.results_year, r.plan_year)]
        if beyond:
            text = messages.years_text(missing, lang)
            out.append(messages.NOT_IN_REPORT[lang].format(years=text, **fields))
        elif missing:
            text = messages.years_text(missing, lang)
            out.append(messages.NOT_FOR_THIS[lang].format(years=text))
        done_by_report = said_done or (bool(named) and all(f.status == "result" for f in named))
        done_plans = plans
        if norm.asks_done and done_plans and not done_by_report:
            text = messages.years_text(sorted(done_plans), lang)
            if all(plan_over(y, today) for y in done_plans):
                out.append(messages.DONE_UNKNOWN[lang].format(years=text, **fields))
            else:
                out.append(messages.DONE_AS_OF_REPORT[lang].format(years=text, **fields))
        else:
            # asked for a plan year that is over, or for the state of things in a plan year
            # (目前, 上半年, 实际): the report has its targets, not its results
            unmet = sorted(
                y
                for y in years & plans
                if y not in results and (plan_over(y, today) or norm.now or norm.relative_months)
            )
            if unmet:
                out.append(messages.PLAN_ONLY[lang].format(years=messages.years_text(unmet, lang)))
        return out
