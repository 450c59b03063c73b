"""Reading a question against the conversation's last answer (`Context`).

A typed reply to "which one did you mean?" (a number, or words of one choice) picks that
choice. A fragment (那去年呢, 普惠的占多少, 投资多少, what about last year?) is read as the
last question with the fragment joined to it: the same topic with the new year, aspect or
named thing; its time words replace the last question's, and a fragment that moves to another
place, a personal case or a procedure is refused as any question would be. A complete new
question, one that answers on its own, is never bent by the old context.
"""

from __future__ import annotations

import itertools
import re

from rapidfuzz import fuzz

from bot.engine.answer import Answer, Lang
from bot.engine.context import Context
from bot.engine.dictionary import is_english_word
from bot.engine.frozen import evolve
from bot.engine.normalize import Normalized, Normalizer, fold
from bot.engine.query import Incoming
from bot.engine.render import Composer
from bot.engine.terms import char_runs

# a reply that refuses stays a refusal, whatever the context
REFUSALS = frozenset({"other_place", "personal", "procedure", "request"})
EXACT = 95.0  # a fragment that matches an example this well names its own topic (托位呢)
SHORT = 6  # characters of matching form (zh), or words (en): a fragment, not a question
_MARKER_ZH = re.compile(
    r"^(?:那么|那个|那|咁样|咁|噉|还有|另外|然后|再问|同埋|仲有|至于)|呢[?？!！。.\s]*$"
)
# a run of the last answer's words in a question nothing answers alone: 3 Chinese characters of
# its matching form, or 2 English words of 4 letters or more
ZH_RUN, EN_WORD = 3, 4
# a run of the last answer's words that the answer a short question gets alone lacks: the
# question follows (多少家企业参与了 after the trade-in answer)
LAST_RUN = 4
# characters of matching form: a question this short may follow too, by such a run
MEDIUM = 14
_WORD = re.compile(r"[a-z][a-z'-]+")
GIBBERISH = 5  # letters of a word no one knows, for a reply to be taken as nothing (asdfgh)
# a year counted from the last answer's, not from today (and the year before?, 上一年呢)
_YEAR_SHIFT = (
    (
        re.compile(
            r"上一年|前一年|再早一年|\bthe year before\b|\bthe previous year\b|\bthe year prior\b"
        ),
        -1,
    ),
    (re.compile(r"下一年|后一年|\bthe year after\b|\bthe following year\b"), 1),
)
# "how many X" asked, X one word (how many plots?)
_HOW_MANY_EN = re.compile(r"^\s*how many ([a-z-]{3,})\s*\??\s*$")
_MARKER_EN = re.compile(r"^(?:and|what about|how about|what of|also|then|plus|so)\b", re.I)


def _figure_of(word: str, text: str) -> bool:
    """Whether a text gives `word` a figure of its own: the figure right after it, and the
    word no item of a list (、 before it)."""
    return re.search(rf"(?<!、){re.escape(word)}\s?\d", text) is not None


def year_shift(text: str) -> int:
    """-1 for "the year before" the last answer's, 1 for the year after, else 0."""
    if "年" not in text and "year" not in text.lower():
        return 0  # (most questions: no folding)
    folded = fold(text)
    return next((shift for pattern, shift in _YEAR_SHIFT if pattern.search(folded)), 0)


# a plan or target asked (今年有什么计划, 目标呢, and the plan?)
ASKS_PLAN = re.compile(r"计划|目标|打算|规划|\bplans?\b|\btargets?\b|\bgoals?\b")
# ... whether it was met, or by how much it was beaten, asks of the year planned, not the plan
# (完成计划了吗, 比计划多了多少, did it meet the target)
_PLAN_MET = re.compile(r"完成|达到|达成|实现|超|比|\bmet\b|\breach|\bexceed|\bbeat|\bachiev")


def asks_plan(norm: Normalized) -> bool:
    """Whether a question asks a plan or target in its own words (目标呢, and the target?),
    not whether one was met."""
    folded = norm.folded
    return (
        ASKS_PLAN.search(folded) is not None
        and not norm.asks_done
        and _PLAN_MET.search(folded) is None
    )


def names_time(norm: Normalized) -> bool:
    """Whether a question names a time of its own (前年, 2023年, 目前)."""
    return bool(norm.years or norm.relative_years or norm.relative_months or norm.now)


class FollowUp:
    """Picks a clarify choice, tells a fragment from a new question, and builds the question a
    fragment stands for."""

    def __init__(
        self,
        normalizer: Normalizer,
        composer: Composer,
        ids: list[str],
        keywords: list[list[str]],
        general: frozenset[str],
        answers: list[str] | None = None,
        vocabulary: frozenset[str] = frozenset(),
        sure: float = 60.0,
        chat: frozenset[str] = frozenset(),
        latest: list[int] | None = None,
        *,
        plan_year: int | None = None,
        related: list[tuple[str, ...]] | None = None,
    ) -> None:
        self._normalizer = normalizer
        self._composer = composer
        self._index = {intent: i for i, intent in enumerate(ids)}
        self._ids = ids
        self._general = general  # greeting, help …: a fragment matching them says nothing
        self._vocabulary = vocabulary  # the words of the English examples and keywords
        self._sure = sure  # a score that answers by itself, not only by its lead over the rest
        self._chat = chat  # greeting, thanks, ok, bye: said to the bot, whatever the score
        self._latest = latest or [0] * len(ids)  # each intent's latest year of results
        self._plan_year = plan_year  # the report's plan (targets) year
        # each intent with those its answer offers (its buttons): a topic's family
        self._family = [
            frozenset({intent, *(related[i] if related else ())}) for i, intent in enumerate(ids)
        ]
        # an intent's distinctive keywords (held by at most two intents): a fragment naming
        # one of them names its own topic (托位有多少 after a question on schools)
        owners: dict[str, set[int]] = {}
        for i, kws in enumerate(keywords):
            for kw in kws:
                if kw:
                    owners.setdefault(kw, set()).add(i)
        self._keywords = [[kw for kw in kws if kw and len(owners[kw]) <= 2] for kws in keywords]
        self._all_keywords = [set(kws) for kws in keywords]
        self._answers = answers or [""] * len(ids)  # each intent's answers, folded
        # runs of LAST_RUN characters at most two answers show (企业参与, not 计划推动)
        owners_of: dict[str, set[int]] = {}
        for i, said in enumerate(self._answers):
            for run in char_runs(said, LAST_RUN):
                owners_of.setdefault(run, set()).add(i)
        # (kept as the few common runs: nearly every run is rare)
        self._common = frozenset(r for r, held in owners_of.items() if len(held) > 2)

    def indices(self, intents: tuple[str, ...]) -> list[int]:
        return [self._index[i] for i in intents if i in self._index]

    def pick(self, incoming: Incoming, context: Context) -> int | None:
        """The choice a reply to "which one did you mean?" picks: its number, or the one
        choice whose title the reply names."""
        choices = [self._index[c] for c in context.choices if c in self._index]
        if not choices:
            return None
        text = incoming.text.strip().rstrip("。.")
        if text.isdigit():
            n = int(text)
            return choices[n - 1] if 1 <= n <= len(choices) else None
        said = self._normalizer.text(text)
        if len(said) < 2:
            return None
        named = [
            i
            for i in choices
            if fuzz.partial_ratio(
                said, self._normalizer.text(self._composer.title(i, context.lang, "simplified"))
            )
            >= 90
        ]
        return named[0] if len(named) == 1 else None

    def wanted(self, incoming: Incoming, norm: Normalized, alone: Answer, context: Context) -> bool:
        """Whether to read the question against the context: a fragment (short, or starting
        like one: 那…, …呢, and …, what about …), not a refusal (which stands) nor a question
        that names a topic of its own and answers on its own."""
        if alone.decision == "fallback" and alone.reason in REFUSALS:
            return False
        if self._says_nothing(incoming, norm, alone):
            return False
        if norm.offtopic or norm.request:
            return False
        if norm.bare:
            return True  # sides of a topic only, long or short (增长多少，在全市排第几; `BARE_MAX`)
        text = incoming.text.strip()
        if incoming.lang == "en":
            marked = bool(_MARKER_EN.search(text))
            short = len(norm.text.split()) <= SHORT // 2
        else:
            marked = bool(_MARKER_ZH.search(text))
            short = len(norm.text) <= SHORT
        answered = [i for i in alone.intents if i not in self._general]
        if not (marked or short) and not (
            alone.decision == "fallback" and self._about_last(incoming, norm, context)
        ):
            return bool(
                answered
                and answered[0] not in context.intents
                and len(norm.text) <= MEDIUM
                and self._said_last_only(incoming, norm, context, answered[0])
            )
        if alone.decision != "answer" or not answered:
            return True
        if (
            marked
            and alone.score < EXACT
            and not self._new_topic(norm.text, answered[0], context, distinct=False)
        ):
            return True  # 营收呢, and the plan?: the marker says it follows
        if answered[0] not in context.intents and self._said_last_only(
            incoming, norm, context, answered[0]
        ):
            return True  # 多少家企业参与了 after the trade-in answer's 341家企业参与
        if incoming.lang == "en" and self._counted_in_last(incoming, context):
            return True  # how many plots? after the Lijiao answer's "13 plots"
        return not self._new_topic(norm.text, answered[0], context, said=marked)

    def weakly_alone(self, norm: Normalized, alone: Answer, context: Context) -> bool:
        """Whether a short question answers another topic only by its lead over the rest, not
        by a sure match, and names no word of that topic (来自几个国家和地区 after the algorithm
        contest: 44.5 for tourism; not 交通擠塞點搞掂咗幾個, which names traffic's 擠塞): it may
        still be about the last answer, if read with it that topic answers."""
        return (
            alone.decision == "answer"
            and alone.topical
            and alone.score < self._sure
            and len(norm.text) <= MEDIUM
            and not set(alone.intents) & set(context.intents)
            and bool(self.indices(context.intents))
            and not self._new_topic(
                norm.text, alone.intents[0], context, distinct=False, echoed=True
            )
        )

    def _says_nothing(self, incoming: Incoming, norm: Normalized, alone: Answer) -> bool:
        """A reply that asks nothing of the last answer: thanks, ok, bye (said to the bot),
        嗯 or 哦 (particles only), asdfgh (no word anyone knows); none asks a time."""
        if names_time(norm):
            return False
        if alone.decision == "answer" and alone.intents[:1] and alone.intents[0] in self._chat:
            return True  # (88, 886: figures that say goodbye)
        if norm.numbers:
            return False
        if (
            alone.decision == "answer"
            and not alone.topical
            and (
                alone.intents[0] in self._chat
                or alone.score >= EXACT  # (这是哪年的数 is near 数据是哪一年的: it may follow)
                or (
                    len(alone.candidates) > 1  # OK 明白: two replies in one
                    and all(c.intent in self._general for c in alone.candidates)
                )
            )
        ):
            return True
        if norm.bare or len(incoming.text) > MEDIUM:
            return False
        if incoming.lang == "en":
            words = _WORD.findall(fold(incoming.text))
            return (
                any(len(w) >= GIBBERISH for w in words)  # (yoy, qoq: abbreviations)
                and not any(w in self._vocabulary or is_english_word(w) for w in words)
            )
        return self._normalizer.says_nothing(incoming.text)

    def _said_last_only(
        self, incoming: Incoming, norm: Normalized, context: Context, other: str
    ) -> bool:
        """Whether words of a short question are in the last answer and not in the answer it
        gets alone: four Chinese characters in a row that at most two answers show (企业参与,
        not 计划推动), or two English words."""
        said = " ".join(self._answers[i] for i in self.indices(context.intents))
        alone = self._answers[self._index[other]] if other in self._index else ""
        if not said:
            return False
        if incoming.lang == "en":
            words = [w for w in _WORD.findall(fold(incoming.text)) if len(w) >= EN_WORD]
            pairs = [f"{a} {b}" for a, b in itertools.pairwise(words)]
            return any(p in said and p not in alone for p in pairs)
        runs = {
            run for text in (norm.text, fold(incoming.text)) for run in char_runs(text, LAST_RUN)
        }
        return any(r not in self._common and r in said and r not in alone for r in runs)

    def _counted_in_last(self, incoming: Incoming, context: Context) -> bool:
        """Whether an English question counts what the last answer counts: "how many X" where
        the last answer gives a figure of X (13 plots)."""
        asked = _HOW_MANY_EN.search(fold(incoming.text))
        if asked is None:
            return False
        said = " ".join(self._answers[i] for i in self.indices(context.intents))
        thing = asked.group(1)
        return re.search(rf"\d[\d,.]*\)?\s+(?:[a-z-]+\s+)?{re.escape(thing)}\b", said) is not None

    def _about_last(self, incoming: Incoming, norm: Normalized, context: Context) -> bool:
        """Whether a question nothing answers alone speaks of what the last answer says: a run
        of its words there (达到推荐标准的占几成, 江南中街嗰间有咩特别, 黄沙到太古仓嗰条系咩
        航线 after the answers that say them)."""
        said = " ".join(self._answers[i] for i in self.indices(context.intents))
        if not said:
            return False
        if incoming.lang == "en":
            words = [w for w in _WORD.findall(fold(incoming.text)) if len(w) >= EN_WORD]
            return any(f"{a} {b}" in said for a, b in itertools.pairwise(words))
        return any(run in said for run in char_runs(norm.text, ZH_RUN))

    def names_keyword_of(self, text: str, intent: str) -> bool:
        """Whether a (normalized) question names any keyword of `intent` (a Latin one as a
        whole word: pm is not in development)."""
        i = self._index.get(intent)
        return i is not None and any(
            re.search(rf"\b{re.escape(kw)}\b", text) if kw.isascii() else kw in text
            for kw in self._all_keywords[i]
        )

    def _new_topic(
        self,
        text: str,
        intent: str,
        context: Context,
        *,
        distinct: bool = True,
        said: bool = False,
        echoed: bool = False,
    ) -> bool:
        """The question answers `intent` (not the context's) and names one of its keywords
        (distinctive ones: held by at most two intents) that no intent of the context has."""
        i = self._index.get(intent)
        if i is None or intent in context.intents:
            return False
        before = set().union(
            *(self._all_keywords[self._index[c]] for c in context.intents if c in self._index)
        )
        # (with `said`, nor one the last answer gives a figure of: 优质学位呢 after the education
        # groups' 优质学位9万个; not 税收呢 after the GDP's list 一般公共预算收入、税收4项指标)
        # (with `echoed`, nor one the last answer says at all: 黄沙到太古仓嗰条系咩航线 after the
        # low-altitude routes, which name 太古仓)
        shown = (
            " ".join(self._answers[i] for i in self.indices(context.intents))
            if said or echoed
            else ""
        )
        own = self._keywords[i] if distinct else self._all_keywords[i]
        return any(
            kw in text
            and kw not in before
            and not (said and _figure_of(fold(kw), shown))
            and not (echoed and fold(kw) in shown)
            for kw in own
        )

    @staticmethod
    def joined(context: Context, incoming: Incoming) -> str:
        """The question a fragment stands for: the last one understood, then the fragment."""
        sep = " " if incoming.lang == "en" and context.lang == "en" else "，"
        return context.understood.rstrip("?？。.!！ ") + sep + incoming.text

    def titled(self, context: Context, incoming: Incoming) -> str:
        """The fragment joined to the name of the last answer's topic (社区卫生服务中心，占几成)."""
        first = self.indices(context.intents)[0]
        lang: Lang = "en" if incoming.lang == "en" and context.lang == "en" else "zh"
        sep = " " if lang == "en" else "，"
        return self._composer.title(first, lang, "simplified") + sep + incoming.text

    def in_family(self, answered: tuple[str, ...], last: tuple[str, ...]) -> bool:
        """Whether an answer is of the last answer's topics or those they offer (the childcare
        plan after the childcare places)."""
        family = frozenset().union(*(self._family[i] for i in self.indices(last)))
        return bool(family & set(answered))

    def merged(
        self, joined: Normalized, fragment: Normalized, context: Context, shift: int = 0
    ) -> Normalized:
        """The joined question's matching form, with the fragment's own time (or, without
        any, the last answer's years) and the fragment's scope (places, personal, procedure).
        A year counted from the last answer's (the year before) is that year's neighbour: of
        the years asked, else of the latest results the last answer gave (`shift`: see
        `year_shift`)."""
        if shift:
            base = set(context.years) or {
                self._latest[i] for i in self.indices(context.intents) if self._latest[i]
            }
            if base:
                fragment = evolve(
                    fragment,
                    years=frozenset(y + shift for y in base),
                    relative_years=frozenset(),
                    relative_months=frozenset(),
                    now=False,
                )
        time = fragment if names_time(fragment) else None
        carried = frozenset(context.years)
        if time is None and asks_plan(fragment):
            # (a plan asked, and the target?, is of the report's plan year, not of the last
            # answer's results)
            carried = frozenset({self._plan_year}) if self._plan_year else frozenset()
        return evolve(
            joined,
            places=fragment.places,
            personal=fragment.personal,
            offtopic=fragment.offtopic,
            procedure=fragment.procedure,
            request=fragment.request,
            asks_done=fragment.asks_done,
            details=joined.details | fragment.details,
            folded=fragment.folded,
            near=fragment.near,
            script=fragment.script,
            years=time.years if time else carried,
            relative_years=time.relative_years if time else frozenset(),
            relative_months=time.relative_months if time else frozenset(),
            now=time.now if time else False,
        )
