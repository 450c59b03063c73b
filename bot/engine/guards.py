"""Scope guards: questions the report cannot answer get no figures.

`screen` turns away empty and over-long input before any work. After ranking, `OffTopic` refuses
subjects outside the report (weather, shopping ...), `Request` what is no question about the
district (a poem, a joke), `Procedure` how or where to do something (the report has no
procedures), `Personal` an asker's own case (my child, can I ...), `OtherPlace` another district
or city than the answer covers. Each guard is one step of the pipeline and can be read and
tested alone (a detail the answer does not give: bot.engine.detail; time notes:
bot.engine.when).
"""

from __future__ import annotations

import re
import string
import unicodedata

from bot.content.load import LoadedIntent
from bot.engine.answer import ABOUT_BOT, Answer
from bot.engine.dictionary import is_english_word
from bot.engine.frozen import evolve
from bot.engine.normalize import (
    NEAR,
    YEAR_AFTER_NAME,
    Normalizer,
    detect_script,
    fold,
    starts_clause,
)
from bot.engine.pinyin import to_exact_codes, to_pinyin_codes
from bot.engine.query import Incoming, Query
from bot.engine.render import Composer

MAX_QUESTION_CHARS = 500


def screen(incoming: Incoming, composer: Composer) -> Answer | None:
    """Empty or over-long input: a polite fallback before any normalising."""
    text = incoming.text
    if not text or not any(ch.isalnum() for ch in text):
        reason = "empty"
    elif len(text) > MAX_QUESTION_CHARS or (
        # NFKC can expand a character many times (the normaliser works on that form)
        not text.isascii() and len(unicodedata.normalize("NFKC", text)) > MAX_QUESTION_CHARS
    ):
        reason = "too_long"
    else:
        return None
    return composer.fallback(incoming.question, reason, incoming.lang, detect_script(text))


class OffTopic:
    """A subject the report does not cover, whatever the match."""

    def __init__(self, composer: Composer) -> None:
        self._composer = composer

    def __call__(self, q: Query) -> Answer | None:
        if not q.norm.offtopic:
            return None
        return self._composer.fallback(
            q.question, "low_score", q.lang, q.script, q.norm.text, q.top_score
        )


class Fragment:
    """A fragment with nothing before it (还有呢, 具体点, go on): it names no topic, so no
    figure can answer it; after an answer, bot.engine.followup reads it against that."""

    def __init__(self, composer: Composer) -> None:
        self._composer = composer

    def __call__(self, q: Query) -> Answer | None:
        if not q.norm.bare:
            return None
        return self._composer.fallback(
            q.question, "fragment", q.lang, q.script, q.norm.text, q.top_score
        )


class Request:
    """Something else than a question about the district: a poem, a joke, a translation."""

    def __init__(self, composer: Composer) -> None:
        self._composer = composer

    def __call__(self, q: Query) -> Answer | None:
        if not q.norm.request:
            return None
        return self._composer.fallback(
            q.question, "request", q.lang, q.script, q.norm.text, q.top_score
        )


class Procedure:
    """How or where to do something (公租房怎么申请, what documents): the report has no
    procedures, so no figures as if they answered; the topic's figures are offered instead."""

    def __init__(self, composer: Composer) -> None:
        self._composer = composer

    def __call__(self, q: Query) -> Answer | None:
        if not q.norm.procedure:
            return None
        d = q.decision
        best = d.best if d.best is not None else (d.candidates[0][0] if d.candidates else None)
        return self._composer.fallback(
            q.question,
            "procedure",
            q.lang,
            q.script,
            q.norm.text,
            q.top_score,
            related=() if best is None else (best,),
        )


class Personal:
    """The asker's own case (我家孩子能不能…), unless the answer is about the bot itself:
    "我可以问什么" has a personal marker but asks what the bot covers."""

    def __init__(self, composer: Composer, intents: list[LoadedIntent]) -> None:
        self._composer = composer
        self._general = frozenset(i for i, li in enumerate(intents) if li.intent.topic in ABOUT_BOT)

    def __call__(self, q: Query) -> Answer | None:
        if not q.norm.personal:
            return None
        d = q.decision
        if d.kind == "answer" and d.best in self._general:
            return None
        return self._composer.fallback(
            q.question, "personal", q.lang, q.script, q.norm.text, q.top_score
        )


def answer_texts(intents: list[LoadedIntent]) -> list[str]:
    """Each intent's answers in every language, folded, as one text: what the answer shows."""
    return [fold(" ".join(rendered.text for rendered in li.answers.values())) for li in intents]


def _as_name(place: str) -> str:
    """An English place as a name: tianhe, found in folded text, is Tianhe; gz is GZ; the
    city of guangzhou's is Guangzhou. Chinese names stay as they are, but for 嗰, which folding
    writes 𠮶 (以前住嘅嗰个区)."""
    if not place.isascii():
        return place.replace("𠮶", "嗰")
    place = place.removesuffix("'s").removesuffix("’s")
    return place.upper() if len(place) <= 3 else string.capwords(place)


class OtherPlace:
    """A place that the answered (or best candidate) intent does not cover: 番禺, 天河, 深圳 …
    A question that matches nothing above the floor covers none."""

    def __init__(
        self, composer: Composer, intents: list[LoadedIntent], normalizer: Normalizer
    ) -> None:
        self._composer = composer
        self._normalizer = normalizer
        self._places = [frozenset(p.lower() for p in li.intent.places) for li in intents]
        # each intent's answer, for the names it shows (广州市文化馆 in the tourism answer)
        self._answers = answer_texts(intents)
        # the Latin words of the answers, English examples and keywords: Haizhu's own names as
        # English writes them (pazhou, lijiao, kanglu), besides English words
        texts = [*self._answers]
        for li in intents:
            texts += [*li.intent.examples.en, *li.intent.keywords]
        self._own_words = frozenset(_LATIN_WORD.findall(fold(" ".join(texts))))
        # the names by kind (沥滘村, 三滘村) that answers, examples and keywords write, and how
        # they sound (沥教村 is 沥滘村 with a slip): two characters of name and the kind
        own = fold(" ".join([*texts, *(e for li in intents for e in li.intent.examples.zh)]))
        self._own_text = own
        named = [own[m.start() - 2 : m.end()] for m in _AREA_KIND.finditer(own)]
        self._own_sounds = frozenset(to_pinyin_codes(n) for n in named)

    def _named_areas(self, text: str) -> tuple[str, ...]:
        """Areas an English question names by a word nothing here uses, before "district",
        "city" …: "futian district", "nanshan city" (a place the lexicon does not list)."""
        if not text.isascii():
            return ()
        folded = fold(text)
        return tuple(
            f"{m.group(1)} {m.group(2)}"
            for m in _NAMED_AREA.finditer(folded)
            if m.group(1) not in self._own_words
            and not is_english_word(m.group(1))
            # (Honam district, Hai Zhu district: Haizhu's own names)
            and not self._normalizer.names_home(folded[max(0, m.start() - 4) : m.end(1)])
        )

    def _named_by_kind(self, q: Query) -> tuple[str, ...]:
        """Places a Chinese question asks about by their kind, with a name nothing here writes
        nor one that sounds like it: 华西村, 太和镇, 博罗县, 祖庙街道 (a town, village, county or
        street the lexicon does not list). Haizhu's own are in answers and examples or listed as
        inside; a clause that only tells where the asker comes from is not read, nor, in a
        follow-up, the last question it is joined to (番禺区有多少托位, refused, then 海珠呢)."""
        text = (
            q.norm.folded
            if q.followup
            else ",".join(self._normalizer.place_clauses(q.norm.clauses))
        )
        if not _AREA_KIND.search(text):
            return ()  # (most questions: no pass over Haizhu's names)
        text = self._normalizer.without_inside(text)
        names = []
        for m in _AREA_KIND.finditer(text):
            start = m.start()
            name = text[start - 2 : start]
            if name[1] in _NO_NAME_BEFORE or text[start - 1 : start + 1] in _AT_LARGE:
                continue  # 我们村, 城中村, 每个镇, 乡镇: no name
            if name[0] in _NOT_A_NAME or not _CJK_ONLY.fullmatch(name):
                continue  # 多少个古镇: one character is no name to tell
            if to_pinyin_codes(name + m.group()) in self._own_sounds:
                continue
            begin = start - 2
            while begin > max(0, start - AREA_NAME_MAX) and (
                _CJK_ONLY.fullmatch(text[begin - 1]) and text[begin - 1] not in _NOT_A_NAME
            ):
                begin -= 1
            names.append(text[begin : m.end()])
        return tuple(names)

    def _sounding_like(self, q: Query) -> tuple[str, ...]:
        """A district or city named with a slip that sounds like one the lexicon lists (天和区,
        番愚区, 广洲市; 天荷去年, 月秀那边): two characters that are no listed name but sound like
        one, before 区 or 市, or, with the same syllables exactly, starting a clause before a
        word of where or of a year (a name with no kind is told by where it stands: 增程 sounds
        like 增城 too), and that nothing here writes (试验区 sounds like 十堰, but the answers say
        it). Read as `_named_by_kind` reads: not in a clause that only tells of the asker, nor
        in the last question a follow-up is joined to; not when the question names Haizhu
        (海珠作为中心城区…), nor in words of a town at large (城区, 城市, 区域, 的区), nor a
        name of Haizhu's (官洲)."""
        normalizer = self._normalizer
        sounds, exact = normalizer.place_sounds, normalizer.place_exact_sounds
        folded = q.norm.folded
        heard = normalizer.place_exact_in
        if not any(
            to_pinyin_codes(folded[m.start() - 2 : m.start()]) in sounds
            for m in _DISTRICT_KIND.finditer(folded)
        ) and (heard is None or not heard.search(to_exact_codes(folded))):
            return ()  # (most questions: nothing sounds like a listed name)
        text = folded if q.followup else ",".join(normalizer.place_clauses(q.norm.clauses))
        if normalizer.names_home(text):
            return ()
        text = normalizer.without_inside(text)
        names = []
        for m in _DISTRICT_KIND.finditer(text):
            name = text[m.start() - 2 : m.end()]
            if (
                not _CJK_ONLY.fullmatch(name)
                or name[1] in _NO_NAME_BEFORE
                or name[1] == "城"  # 城区, 城市
                or text[m.end() : m.end() + 1] == "域"  # 区域
                or name[:2] in self._own_text
            ):
                continue
            listed = sounds.get(to_pinyin_codes(name[:2]))
            if listed is not None and listed != name[:2]:  # (a listed name is no slip)
                names.append(name)
        # (a code per character: the same positions)
        for m in heard.finditer(to_exact_codes(text)) if heard is not None else ():
            start = m.start()
            pair = text[start : start + 2]
            if (
                exact[m.group(1)] == pair
                or not _CJK_ONLY.fullmatch(pair)
                or pair[1] in _NO_NAME_BEFORE
                or pair in self._own_text
                or _DISTRICT_KIND.match(text, start + 2)  # (read above, with its kind)
            ):
                continue
            if starts_clause(text, start) and _SLIP_FOLLOWED.match(text, start + 2):
                names.append(pair)
        return tuple(names)

    def __call__(self, q: Query) -> Answer | None:
        if not q.norm.places:
            named = (
                self._named_areas(q.text)
                if q.lang == "en"
                else self._named_by_kind(q) or self._sounding_like(q)
            )
            if not named:
                return None
            q.norm = evolve(q.norm, places=named)
        allowed_in = q.decision.best
        if allowed_in is None and q.ranked and q.ranked[0][1] > q.matcher.w.floor:
            allowed_in = q.ranked[0][0]
        allowed = frozenset() if allowed_in is None else self._places[allowed_in]
        foreign = [p for p in q.norm.places if p not in allowed]
        if foreign and allowed_in is not None and not q.text.isascii():
            folded, shown = fold(q.text), self._answers[allowed_in]
            foreign = [p for p in foreign if not self._in_a_name_shown(p, folded, shown)]
        if not foreign:
            return None
        return self._composer.fallback(
            q.question,
            "other_place",
            q.lang,
            q.script,
            q.norm.text,
            q.top_score,
            places=list(dict.fromkeys(_as_name(p) for p in foreign)),
            # Haizhu's figures of the topic asked, when the question was sure of one
            related=(q.decision.best,) if q.decision.best is not None else (),
        )

    @staticmethod
    def _in_a_name_shown(place: str, folded: str, shown: str) -> bool:
        """The place begins a name the answer itself shows, as the question writes it on
        (广州市文化馆, 全市线下家电销售): the question is about that thing, which the answer
        gives for Haizhu. A name the report uses elsewhere is not enough (从化区温泉镇 is a
        partner town; its GDP is no answer's)."""
        start = folded.find(place)
        while start >= 0:
            name = folded[start : start + len(place) + NAME_TAIL]
            whole = len(name) == len(place) + NAME_TAIL and _CJK_ONLY.fullmatch(name)
            if whole and name in shown:
                return True
            start = folded.find(place, start + 1)
        return False


_LATIN_WORD = re.compile(r"[a-z]+")
_NAMED_AREA = re.compile(
    r"\b([a-z]{3,})(?:'s)? (district|city|county|province|prefecture|township|town)\b"
)

# a town, village, county or street named by its kind, after two Chinese characters of name
# (not a word the kind begins: 村民, 村委, 镇街, 县城, 县域, 街道办)
_AREA_KIND = re.compile(
    # (two characters before the kind, checked after its first: a pattern that starts with a
    # character is looked for only where that character is)
    r"街(?<=[\u4e00-\u9fff]{2}街)道(?![路办])|镇(?<=[\u4e00-\u9fff]{2}镇)(?![上里长政街])"
    r"|村(?<=[\u4e00-\u9fff]{2}村)(?![里委民长干镇])|县(?<=[\u4e00-\u9fff]{2}县)(?![城里长域级])"
)
# a district or city after two characters of its name
_DISTRICT_KIND = re.compile(r"[区市](?<=[\u4e00-\u9fff]{2}[区市])")
AREA_NAME_MAX = 4  # characters of name read before the kind
# a character just before the kind that makes it no name (我们村, 每个镇, 那个县, 去街道, 还是街道的) ...
_NO_NAME_BEFORE = frozenset("去到由从喺在个条们哋本该各全每有我这那哪边呢嗰啲的整进入出回来是者")
# ... and kinds said of no one place (乡镇, 城中村, 区县)
_AT_LARGE = frozenset(
    [
        "乡镇",
        "乡村",
        "城镇",
        "农村",
        "新村",
        "旧村",
        "古村",
        "小镇",
        "大镇",
        "重镇",
        "村镇",
        "市县",
        "区县",
        "州县",
        "省县",
        "山村",
        "渔村",
        "中村",
        "大村",
        "古镇",
    ]
)
# a character that begins no name, read further back (问下太和镇, 去华西村)
_NOT_A_NAME = frozenset(
    "区市省县镇的在去到从喺嘅住问下讲话说听同和与跟及或比这那哪边呢嗰啲我你他她们个了咗过想请"
)

NAME_TAIL = 2  # characters after a place word that, found with it in an answer, make a name
_CJK_ONLY = re.compile(r"[\u4e00-\u9fff]+")
# what tells two characters that sound like a district's name are that name with a slip, when no
# 区 or 市 follows (天荷去年GDP多少, 月秀那边托位有多少): they start a clause (or follow 那, 在,
# 问 …), and a word of where, or of a year, follows
_SLIP_FOLLOWED = re.compile(f"(?:{NEAR}|{YEAR_AFTER_NAME})")
