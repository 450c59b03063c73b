"""From a normalised question to a decision: the ranking steps of the pipeline.

`Rank` scores the question in its language (an English question quoting Chinese names on both
example sets; words typed in pinyin on the Chinese examples' syllables), `Decide` applies the
thresholds, `prefer_named` lets a close answer the question names win over one whose example
matched all but its own topic word, `RankClauses` gives a rambling question's asking clause a
second chance, `ByFigure` answers a question that only quotes a report figure, `MultiPart` answers each of
several things asked at once, and `AnswerBoth` answers two intents that were both asked for.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from bot.engine.answer import Answer, Lang
from bot.engine.decide import Decision, Ranking, best_of, both_exact, decide
from bot.engine.dictionary import is_english_word
from bot.engine.frozen import evolve
from bot.engine.match import Matcher
from bot.engine.normalize import Normalizer, fold, has_chinese, split_scripts
from bot.engine.pinyin import syllable_codes
from bot.engine.query import Query

# A clause of a rambling question scored alone starts this much lower than the whole question,
# and must keep at least MIN_WINDOW characters after normalising (区里有没有计划 says nothing).
WINDOW_COST = 4.0
MIN_WINDOW = 4
MIN_NAMED_WINDOW = 3  # ... or this long when it holds a keyword
PINYIN_ONLY = (0.0, 1.0)  # the Chinese views' weights for a question typed in pinyin
# English words spell syllables too ("sushi guide", "mine shine"): a pinyin reading of fewer than
# PINYIN_WORDS syllables is heeded only at PINYIN_SURE or more, unless none of its words is English
PINYIN_WORDS = 6
PINYIN_SURE = 80.0
_WORDS = re.compile(r"[a-z]+")
_MEMO_MAX = 20_000


class PinyinReading:
    """The words of an English question that are pinyin ("xuewei", "zhangzhe fantang"), as the
    syllable codes of the Chinese view."""

    def __init__(self, normalizer: Normalizer, english_words: set[str]) -> None:
        self._normalizer = normalizer
        self._en_words = english_words  # of the English examples and keywords: no pinyin
        # a word -> its syllable codes as a pinyin word of the question, as syllables at all,
        # and whether it is surely pinyin (no word of English either)
        self._memo: dict[str, tuple[str | None, str | None, bool]] = {}

    def __call__(self, text: str, form: str = "") -> tuple[str, bool]:
        """The codes of the pinyin words that no example uses, empty unless there are at least
        two, or the one is surely pinyin and the question's matching form `form` is that word
        alone (the rest was grammar or Haizhu: "haizhu tuowei how many"; one could be an English
        word that happens to spell syllables); and whether each of them is surely pinyin, no
        English word (tuowei, xuewei, but not "sushi", "mine")."""
        memo = self._memo
        codes, syllables = [], []
        sure = True
        for w in _WORDS.findall(text.lower()):
            known = memo.get(w)
            if known is None:
                # every word that spells syllables, one-syllable and English ones too ("tian
                # he", "wo"), counts for the scope guard (a false alarm only loses the pinyin
                # reading); a pinyin word for the reading has two syllables or more and is no
                # word the examples or the lexicon use
                spelled = syllable_codes(w, 1)
                two = spelled is not None and len(spelled) >= 2 and len(w) >= 4
                pinyin = (
                    spelled
                    if two and w not in self._en_words and not self._normalizer.knows_english(w)
                    else None
                )
                known = (pinyin, spelled, pinyin is not None and not is_english_word(w))
                if len(memo) < _MEMO_MAX:
                    memo[w] = known
            if known[0] is not None:
                codes.append(known[0])
                sure = sure and known[2]
            if known[1] is not None:
                syllables.append(known[1])
        if not codes or (len(codes) < 2 and not (sure and len(form.split()) == 1)):
            return "", False
        if self._normalizer.pinyin_out_of_scope("".join(syllables)):
            return "", False
        return "".join(codes), sure


class Rank:
    """Ranks the intents for the question (only scores that can change a decision exactly)."""

    def __init__(
        self,
        matchers: Mapping[Lang, Matcher],
        normalizer: Normalizer,
        pinyin_reading: PinyinReading,
    ) -> None:
        self._matchers = matchers
        self._normalizer = normalizer
        self._pinyin_reading = pinyin_reading
        # a question typed in pinyin is matched on the Chinese examples' syllables alone
        self._pinyin_matcher = matchers["zh"].reweighted(PINYIN_ONLY)

    def __call__(self, q: Query) -> Answer | None:
        norm, matcher = q.norm, q.matcher
        floor, reach = matcher.w.floor, matcher.w.reach  # scores that cannot change a decision
        if q.lang == "en" and has_chinese(q.text):
            ranked = self._rank_mixed(q)
        else:
            if q.lang == "en" and has_chinese(norm.text):
                # an English question with a term of the lexicon (its Chinese form): the words
                # no example has go (托位 offer overall), for every step after; without such a
                # term they stay, as they tell a question about something else (the weather)
                known = matcher.known_words(norm.text)
                if known != norm.text:
                    q.norm = norm = evolve(norm, text=known)
            ranked = matcher.rank(norm.text, q.years, norm.numbers, floor=floor, reach=reach)
        codes, sure = self._pinyin_reading(q.text, norm.text) if q.lang == "en" else ("", False)
        if codes:
            # "tuowei zongshu have how many": the pinyin words against the Chinese examples,
            # heeded only when they answer (syllables alone say less than characters: "wo de
            # shouji bu neng kaiji" must not become a question about land)
            typed = self._pinyin_matcher.rank(
                codes, q.years, norm.numbers, floor=floor, reach=reach
            )
            # a few syllables must match nearly exactly, unless no word of them is English
            short = len(codes) < PINYIN_WORDS and not sure
            if decide(typed, matcher.w).kind == "answer" and (
                not short or typed[0][1] >= PINYIN_SURE
            ):
                ranked = best_of(ranked, typed)
        q.ranked = ranked
        return None

    def _rank_mixed(self, q: Query) -> Ranking:
        """An English question quoting Chinese names ("What is happening at 康鹭?"): the English
        words against the English examples, the Chinese words against the Chinese ones; each
        intent keeps its better score."""
        english, chinese = split_scripts(q.text)
        parts: tuple[tuple[Lang, str], ...] = (("en", english), ("zh", chinese))
        w = q.matcher.w
        return best_of(
            *(
                self._matchers[lang].rank(
                    self._normalizer.text(part),
                    q.years,
                    q.norm.numbers,
                    floor=w.floor,
                    reach=w.reach,
                )
                for lang, part in parts
                if part.strip()
            )
        )


def decide_step(q: Query) -> Answer | None:
    """Applies the thresholds to the ranking."""
    q.decision = decide(q.ranked, q.matcher.w)
    return None


# `prefer_named`: a best this sure, and a runner-up this close to it
NAMED_MIN = 60.0
NAMED_NEAR = 5.0
SWAPPED_NEAR = 30.0  # ... and this close when the two differ in one character of the topic word
FOLLOW_NEAR = 20.0  # a follow-up's runner-up that its own words name, this close, answers


def prefer_named(q: Query) -> Answer | None:
    """An answer whose topic the question never names, just ahead of one whose keyword it does
    (去年海珠新增咗几多个托位: an example of school places differs only in 学位), gives way to it:
    the example matched everything but the word that says what is asked."""
    d, ranked = q.decision, q.ranked
    if d.kind != "answer" or len(ranked) < 2 or ranked[0][0] != d.best:
        return None
    if ranked[0][1] < NAMED_MIN:
        return None
    matcher, text = q.matcher, q.norm.text
    if q.followup:
        # a follow-up's own word for a side of the topic (封顶几多个 after the projects started)
        # names what it asks, whatever the last question named
        own = matcher.keyword_owners(q.norm.folded)
        if own and d.best not in own:
            scores = matcher.score_intents(text, sorted(own), q.years, q.norm.numbers)
            best = max(scores, key=lambda i: (scores[i], -i))
            if scores[best] >= ranked[0][1] - FOLLOW_NEAR:
                q.decision = Decision("answer", best, d.candidates)
                return None
    named = matcher.keyword_owners(text)
    if not named:
        return None
    if d.best in named:
        _prefer_longer_keyword(q, named)
        return None
    # compared before the year penalty: a year neither answer has (去年 read on a later day)
    # must not keep the named topic out
    missed = matcher.year_penalty(q.years)
    top = ranked[0][1] + missed[d.best]
    reach = [i for i, score in ranked[1:] if score + missed[i] >= top - SWAPPED_NEAR and i in named]
    if not reach:
        return None
    said = matcher.keywords_in(text)
    example = matcher.best_example(text, d.best)
    left_out = [
        k
        for k in matcher.keywords_of(d.best, example)
        if not any(k in word or word in k for word in said)  # 托育点 for 托育 is not left out
    ]
    near = [i for i, score in ranked[1:] if score + missed[i] >= top - NAMED_NEAR and i in reach]
    if near and left_out:  # its example holds a word of its own that the question left out
        q.decision = Decision("answer", near[0], d.candidates)
        return None
    # ... further off, when the example holds the question's topic word with its first
    # character changed (托育新举措 matched 教育有什么新举措 on 育新举措; 竣工 matched 动工): it
    # matched all but the kind of thing asked
    for i in reach:
        if any(_one_apart_in(w, example) for w in matcher.keywords_of(i, text)):
            q.decision = Decision("answer", i, d.candidates)
            return None
    # ... or when the example is the question with its topic word swapped for the example's own
    # (火灾 go down for 学位 go down: did the school places go down?)
    for i in reach:
        if any(
            _without(example, k) == _without(text, w)
            for w in matcher.keywords_of(i, text)
            for k in left_out
        ):
            q.decision = Decision("answer", i, d.candidates)
            return None
    return None


def _without(text: str, word: str) -> str:
    """The text without a word, spaces closed up."""
    return "".join(text.replace(word, " ", 1).split())


def prefer_rarest_named(q: Query) -> None:
    """Of the answers a which-one question would offer, the one named by the rarest keyword the
    question says (高中学位有什么计划: 高中, held by few examples, over 学位, held by many) says
    what kind of thing is asked: it answers. Not when two are named by words as rare, nor when
    none is named."""
    d, matcher, text = q.decision, q.matcher, q.norm.text
    rarity: dict[int, int] = {}
    for i, _ in d.candidates:
        words = matcher.keywords_of(i, text)
        if words:
            rarity[i] = min(matcher.example_frequency(w) for w in words)
    if len(rarity) < 2:
        return  # (one named: the which-one question stands, as the ranking found it close)
    best = min(rarity, key=lambda i: rarity[i])
    if sorted(rarity.values())[:2].count(rarity[best]) > 1:
        return
    q.decision = Decision("answer", best, d.candidates)


def _one_apart_in(word: str, text: str) -> bool:
    """Whether text holds, instead of a two-character word, the word with its first character
    changed (教育 for 托育, 动工 for 竣工: what kind of thing; not 数据 for 数字)."""
    if len(word) != 2 or word in text:
        return False
    return any(text[j] != word[0] and text[j + 1] == word[1] for j in range(len(text) - 1))


def _prefer_longer_keyword(q: Query, named: set[int]) -> None:
    """Of two answers both named and close, the one whose keyword holds the other's (游戏企业
    over 企业: 海珠有多少家游戏企业 asks the game firms, not all firms) says more of what is
    asked."""
    d, matcher, text = q.decision, q.matcher, q.norm.text
    assert d.best is not None
    mine = matcher.keywords_of(d.best, text)
    if not mine:
        return
    top = q.ranked[0][1]
    for i, score in q.ranked[1:]:
        if i not in named or score < top - NAMED_NEAR:
            continue
        theirs = matcher.keywords_of(i, text)
        if all(any(k != t and k in t for t in theirs) for k in mine):
            q.decision = Decision("answer", i, d.candidates)
            return


class RankClauses:
    """A question that does not answer as a whole: its clauses are ranked alone, a little lower
    ("我家住在江南西，孩子明年上小学，想问下今年新增多少学位", "hk parent here, how many nursery
    seats in haizhu altogether?")."""

    def __init__(self, normalizer: Normalizer) -> None:
        self._normalizer = normalizer

    def __call__(self, q: Query) -> Answer | None:
        norm, matcher = q.norm, q.matcher
        refused = norm.offtopic or norm.personal  # a fallback whatever the match
        if q.decision.kind == "answer" or refused:
            return None
        # a form shorter than MIN_WINDOW says too little, unless it names a keyword with more
        # (海珠区一共有多少个托位 after a scene: 个托位; a keyword alone is one word of a clause),
        # or is a keyword and the only clause that asks (我喺瑞宝住，海珠区有几多托位: 托位)
        forms = self._normalizer.windows(norm, 1, earlier=not q.followup)
        windows = [
            w
            for w in forms
            if len(w) >= MIN_WINDOW
            or (len(w) >= MIN_NAMED_WINDOW and matcher.keywords_in(w))
            or (len(forms) == 1 and w in matcher.keywords_in(w))
        ]
        if q.lang == "en":  # as the whole question is read (`Rank`)
            windows = [matcher.known_words(w) if has_chinese(w) else w for w in windows]
        if windows:
            at = matcher.w.floor + WINDOW_COST
            clauses = [
                matcher.rank(w, q.years, norm.numbers, floor=at, reach=matcher.w.reach)
                for w in windows
            ]
            q.ranked = best_of(q.ranked, *([(i, s - WINDOW_COST) for i, s in r] for r in clauses))
            q.decision = decide(q.ranked, matcher.w)
        return None


def by_figure(q: Query) -> Answer | None:
    """A question that only quotes a report figure ("3395是什么意思") is about the intents whose
    answers show it: the one, or which of them (best scored first)."""
    norm, matcher, decision = q.norm, q.matcher, q.decision
    if not norm.about_figure:
        return None
    owners = matcher.showing(norm.numbers)
    if not owners or (decision.kind == "answer" and decision.best in owners):
        return None
    scores = matcher.score_intents(norm.text, owners, q.years, norm.numbers)
    owners.sort(key=lambda i: -scores[i])
    picked = [(i, round(scores[i], 6)) for i in owners[: matcher.w.max_candidates]]
    q.ranked = picked
    if len(picked) == 1:
        q.decision = Decision("answer", picked[0][0], tuple(picked))
    else:
        q.decision = Decision("clarify", None, tuple(picked))
    return None


def prefer_context(q: Query) -> Answer | None:
    """A follow-up that hesitates between candidates (复建房交了几套: two housing intents) is
    about the one the conversation was on, when one of them is (or a follow-up that answers
    nothing well is, when that one is still near: 营收呢 after 区属国企资产规模)."""
    d = q.decision
    if not q.followup or d.kind == "answer":
        return None
    floor = q.matcher.w.clarify
    near = [(i, s) for i, s in q.ranked if i in q.before and s >= floor]
    if len(near) == 1:
        q.decision = Decision("answer", near[0][0], d.candidates or tuple(near))
    return None


YEAR_NEAR = 10.0  # points below the best within which a later year decides (past the report)


class PreferAskedYear:
    """A follow-up that changes the year (那去年呢 after a question on this year's target) is
    about an intent that has that year, when one of the close candidates has it and the best
    has not, and the question names it by a keyword or its answer says what the question names
    of the best's topic (咁前年呢 after the GDP in Cantonese is no question on R&D, whose answer
    never says 地区生产总值)."""

    def __init__(self, years: list[frozenset[int]], texts: list[str]) -> None:
        self._years = years
        self._texts = texts  # each intent's answers, folded
        self._last = max((y for ys in years for y in ys), default=0)

    def __call__(self, q: Query) -> Answer | None:
        if not q.followup:
            if q.asked and q.ranked:
                self._after_the_report(q)
            return None
        if not q.years or not q.ranked:
            return None
        best = q.decision.best if q.decision.best is not None else q.ranked[0][0]
        if self._years[best] & q.years:
            return None
        # close to the best: 那前年是多少 after GDP is no question on R&D, whose only figures
        # are 2023's
        floor = max(q.matcher.w.clarify, q.ranked[0][1] - YEAR_NEAR)
        named = [fold(k) for k in q.matcher.keywords_of(best, q.norm.text)]
        owners = q.matcher.keyword_owners(q.norm.text) if named else set()
        covering = [
            (i, s)
            for i, s in q.ranked[:3]
            if s >= floor
            and self._years[i] & q.years
            and (not named or i in owners or any(k in self._texts[i] for k in named))
        ]
        if covering:
            q.decision = Decision(
                "answer", covering[0][0], q.decision.candidates or tuple(covering)
            )
        return None

    def _after_the_report(self, q: Query) -> None:
        """Years past every year the report covers (后年GDP能增长多少): the report's latest
        figures are its plan's, so of two close candidates the one with the later year."""
        if q.decision.kind != "answer" or q.decision.best is None:
            return
        if min(q.asked) <= self._last:
            return
        w = q.matcher.w
        floor = max(w.answer, q.ranked[0][1] - YEAR_NEAR)
        best = q.decision.best
        latest = max(self._years[best], default=0)
        later = [
            (i, s)
            for i, s in q.ranked[:3]
            if s >= floor and max(self._years[i], default=0) > latest
        ]
        if later:
            q.decision = Decision("answer", later[0][0], q.decision.candidates)


PART_TOPICLESS = 6  # characters (words in English): a part this short may name no topic


# a comparison (比去年少了多少, 相比, compared with): one topic's figures set side by side
_COMPARED = re.compile(r"(?<!占)比(?!例|率|重|赛)|相比|比较|\bcompared\b|\bthan\b")


def _short(text: str) -> bool:
    """Short enough to be a part without a topic of its own (目标, 增速多少, the target)."""
    return len(text.split() if text.isascii() else text) <= PART_TOPICLESS


class MultiPart:
    """A question asking for several things at once ("托位和长者饭堂各有多少", "托位比学位多吗"):
    each part is ranked alone; when two or three of them answer, each with another intent, all
    of them are answered (with their years and status) instead of one."""

    def __init__(
        self,
        normalizer: Normalizer,
        fact_years: frozenset[int],
        max_answers: int = 3,
        general: frozenset[int] = frozenset(),
    ) -> None:
        self._normalizer = normalizer
        self._fact_years = fact_years
        self._max = max_answers
        # intents about the bot itself (thanks, greeting) answer no part: 好了多少 is no thanks
        self._general = general

    def __call__(self, q: Query) -> Answer | None:
        # a follow-up joined to the last question has two clauses, but asks one thing
        if q.followup or not self._normalizer.asks_two_things(q.norm):
            return None
        w = q.matcher.w
        # the question as a whole must be near something: parts of a question about nothing
        # the report covers should not find figures one word at a time
        if q.top_score < w.clarify:
            return None
        parts = self._normalizer.parts(q.norm)
        if not parts:
            return None
        answered: list[tuple[int, float]] = []
        before = ""
        compared = _COMPARED.search(q.norm.folded) is not None
        # (after thanks or a greeting, one part that asks something is enough)
        needed = 1 if q.decision.best in self._general else 2
        for n, (text, words) in enumerate(parts):
            if len(answered) + len(parts) - n < needed:
                break  # too few parts left for two answers: the rest need no ranking
            # a part that names a year is asked for that year (去年实际增长几多，今年目标几多)
            years = self._normalizer.years_in(words, q.today.year) & self._fact_years
            # in a comparison, a part of nothing but a side of some topic (今年新增学位比去年少了
            # 多少个) is the same topic's: not ranked alone first (少了 alone is the fires that fell)
            leans = bool(before) and compared and self._normalizer.leans(words)
            found = None if leans else self._answers(q, text, years or q.years)
            if found is None and before and _short(text):
                # a part with no topic of its own is about the one before (固投增速去年几多，
                # 今年目标几多: the target of fixed-asset investment)
                # (the part before as said, or without its side of the topic: growth actual)
                for topic in dict.fromkeys((before, self._normalizer.topic(before))):
                    joined = f"{topic} {text}" if q.lang == "en" else topic + text
                    found = self._answers(q, joined, years or q.years)
                    if found is not None:
                        break
            if found is None and leans:
                found = self._answers(q, text, years or q.years)
            if found is not None and found[0] not in self._general | dict(answered).keys():
                answered.append(found)
            before = text
        if len(answered) == 1 and q.decision.best in self._general:
            # (thanks! and what about childcare places?: the one part that asks something)
            q.decision = Decision("answer", answered[0][0], tuple(answered))
            q.also = ()
            return None
        if len(answered) < 2:
            return None
        best = q.decision.best if q.decision.kind == "answer" else None
        if best is not None:
            # the question as a whole answers: its answer stays first, and only when a part
            # asks for it too are the other parts added
            if best not in dict(answered):
                return None
            answered.sort(key=lambda item: item[0] != best)
        chosen = answered[: self._max]
        q.decision = Decision("answer", chosen[0][0], tuple(chosen))
        q.also = tuple(i for i, _ in chosen[1:])
        return None

    @staticmethod
    def _answers(q: Query, text: str, years: frozenset[int]) -> tuple[int, float] | None:
        """The intent a part answers on its own, confidently (a short part matches loosely):
        at `w.answer` and `w.margin` clear; scores below that, or further below the best, need
        not be exact (fewer examples scored)."""
        w = q.matcher.w
        ranked = q.matcher.rank(
            text, years, q.norm.numbers, floor=w.answer - w.margin, reach=w.margin
        )
        d = decide(ranked, w)
        top = d.candidates[0][1] if d.candidates else 0.0
        if d.kind == "answer" and d.best is not None and top >= w.answer:
            return d.best, top
        return None


class AddAskedYear:
    """A question asking of two years (经济增速去年几多今年目标几多) answered by an intent with
    figures of one: the intent that answers it ranked for the other year alone is answered too,
    when it is sure (the 2024 growth beside the 2025 targets), rather than a note that the
    report has no figure for that year."""

    def __init__(self, years: Sequence[frozenset[int]], max_answers: int = 3) -> None:
        self._years = years
        self._max = max_answers

    def __call__(self, q: Query) -> Answer | None:
        d = q.decision
        if d.kind != "answer" or d.best is None or q.followup or len(q.years) < 2:
            return None
        chosen = [d.best, *q.also]
        covered = frozenset().union(*(self._years[i] for i in chosen))
        missing = q.years - covered
        if not missing or len(chosen) >= self._max or not covered:
            return None
        w = q.matcher.w
        # (the intents answered already rank high again: the rest decide)
        ranked = q.matcher.rank(
            q.norm.text,
            missing,
            q.norm.numbers,
            limit=len(chosen) + 2,
            floor=w.answer - w.margin,
            reach=w.margin,
        )
        rest = [(i, score) for i, score in ranked if i not in chosen]
        again = decide(rest, w)
        if (
            again.kind == "answer"
            and again.best is not None
            and self._years[again.best] & missing
            and rest[0][1] >= w.answer
        ):
            q.also = (*q.also, again.best)
            q.decision = Decision("answer", d.best, (*d.candidates, rest[0]))
        return None


class AnswerBoth:
    """Two near-equal intents that were both asked for ("托位数和普惠占比分别是多少"), or a name
    that two intents hold word for word (海灏国际大厦: topped out, finished): both are answered
    instead of asking which."""

    def __init__(self, normalizer: Normalizer) -> None:
        self._normalizer = normalizer

    def __call__(self, q: Query) -> Answer | None:
        d = q.decision
        if d.kind == "clarify" and (
            ((q.followup or self._named(q, d)) and self._normalizer.asks_two_things(q.norm))
            or both_exact(d, q.matcher.w)
        ):
            q.decision = Decision("answer", d.candidates[0][0], d.candidates)
            q.also = (d.candidates[1][0],)
        elif (
            d.kind == "clarify" and not q.followup and not self._normalizer.asks_two_things(q.norm)
        ):
            prefer_rarest_named(q)
        return None

    @staticmethod
    def _named(q: Query, d: Decision) -> bool:
        """Whether the question names either of the two by a keyword (叫什么名 在哪 asks two
        things and names neither)."""
        return bool(q.matcher.keyword_owners(q.norm.text) & {i for i, _ in d.candidates[:2]})


class GeneralOnlyWhenSure:
    """An intent about the bot itself (greeting, thanks, where the answers come from) answers
    only a confident match: 海珠区区长是谁 shares 是谁 with 你是谁 and 比前年多吗 a little with
    多谢, but neither asks about the bot. Below `w.answer` such a match is no answer. Between
    two of them there is nothing to ask when the question is made of their examples (好的: an
    example of "ok", and inside 好的谢谢; OK 明白, one of each): the one with the question as
    an example answers, else the first; when it is not (不是, 真的吗, 好的还有呢), neither is asked,
    and there is no answer."""

    def __init__(self, general: frozenset[int], normalizer: Normalizer) -> None:
        self._general = general
        self._normalizer = normalizer
        self._pieces: dict[int, frozenset[str]] = {}  # per matcher: its general examples

    def _made_of_replies(self, q: Query) -> bool:
        pieces = self._pieces.get(id(q.matcher))
        if pieces is None:
            m = q.matcher
            pieces = self._pieces[id(m)] = frozenset(
                t.replace(" ", "")
                for t, o in zip(m.texts, m.owners.tolist(), strict=True)
                if o in self._general
            )
        text = q.norm.text.replace(" ", "")
        longest = max(map(len, pieces), default=0)
        ends = [True] + [False] * len(text)  # ends[k]: text[:k] is made of pieces
        for k in range(1, len(text) + 1):
            ends[k] = any(ends[j] and text[j:k] in pieces for j in range(max(0, k - longest), k))
        return ends[-1]

    def __call__(self, q: Query) -> Answer | None:
        d = q.decision
        if (
            d.kind == "clarify"
            and len(d.candidates) >= 2
            and {i for i, _ in d.candidates} <= self._general
        ):
            if not self._made_of_replies(q):
                q.decision = Decision("fallback", None, ())  # (不是: neither is asked)
                return None
            two = [i for i, _ in d.candidates[:2]]
            said = [i for i in two if q.matcher.best_example(q.norm.text, i) == q.norm.text]
            q.decision = Decision("answer", (said or two)[0], d.candidates)
            return None
        top = q.ranked[0][0] if q.ranked else None
        if d.kind == "fallback" and top in self._general and self._made_of_replies(q):
            # (cool thanks, perfect thanks: two replies, each an example, matched below the bar)
            q.decision = Decision("answer", top, d.candidates)
            return None
        if d.kind != "answer" or d.best not in self._general:
            return None
        if self._normalizer.asks_figure(q.norm.folded):
            q.decision = Decision("fallback", None, ())  # (how much in fines? is no "fine")
            return None
        if top == d.best and q.ranked[0][1] >= q.matcher.w.answer:
            return None
        if top == d.best and self._made_of_replies(q):
            return None
        q.decision = Decision("fallback", None, ())
        return None
