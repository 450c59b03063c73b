"""The detail guard: a question asking what its answer does not give (奇安信大厦有多高, 游戏产业
营收具体多少, 几架无人机, 667家高新技术企业里面外资企业有多少家, 具体是哪几间) is refused, and the
thing's figures offered, instead of being answered with figures of something else.

`AskedDetail` reads the details of `intents/lexicon/details.yaml` (what words ask, what an answer
shows), and five things it works out from the answers themselves: the units its figures count
in, the parts of a group it names, whether it names some of the things it counts, the rates it
names and the longest list it gives. One step of the pipeline (`bot.engine.pipeline`).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Mapping, Sequence

from bot.content.load import LoadedIntent
from bot.content.schema import Detail, Lexicon
from bot.engine.answer import Answer
from bot.engine.guards import answer_texts
from bot.engine.normalize import Normalizer, fold, has_chinese
from bot.engine.pinyin import to_pinyin_codes
from bot.engine.query import Query
from bot.engine.render import Composer
from bot.engine.terms import char_runs
from bot.engine.words import alternation

# a rate asked by name (家庭医生签约率, 失业率); those any figure of growth or share answers are not
_RATE = re.compile(r"[\u4e00-\u9fff]{2}率")
_ANY_RATE = ("增长率", "增加率", "下降率", "完成率", "比率", "效率", "频率")

MULTI_PART_MAX = 3  # the best-ranked answers a question in several parts may be given

_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
# a calendar day in folded text: 3月5日, 3月5号, 5 march, march 5
_DAY = re.compile(
    rf"\d{{1,2}}\s*月\s*\d{{1,2}}\s*[日号]|\b\d{{1,2}}\s+(?:{_MONTHS})\b|\b(?:{_MONTHS})\s+\d{{1,2}}\b"
)


# 边 as which (边3个, 边两间), not in a word of place (旁边, 江边, 这边)
_NOT_BEFORE_BIAN = "[旁周江河路海岸身这那左右东南西北里外一两]"
# names asked for (都有哪些, 都有谁, 名单, 叫什么, 系边啲, which, who): stems of asking which
# ones, wider than the `names` detail's phrases, read only beside a count quoted
_NAMES_ASKED = re.compile(
    # (what comes before checked after the first character, as in `bot.engine.normalize`:
    # every alternative starts with a character, and the engine looks only where one is)
    rf"哪些|哪几|哪\d|哪[两二三四五六七八九十]|边(?<!{_NOT_BEFORE_BIAN}边)[\d两二三四五六七八九十]"
    r"|有谁|是谁|名单|清单|叫什么|叫啥|叫咩|叫乜|系边|边啲|边几"
    r"|都是什么|都是啥|都系咩|分别是什么|分别是啥|分别系咩|列一下|列出|列个|列下"
    r"|w(?<!\w.)hich\b|w(?<!\w.)ho\b|n(?<!\w.)ames?\b|l(?<!\w.)ist\b"
)
# the count of them, quoted before the asking words in Chinese (那68家都有哪些, 十二个…是哪些),
# after which / the in English (which 19 compounds); not a span of time (3个月) nor a year
_COUNT_ZH = re.compile(
    r"(\d+|[一二两三四五六七八九十百]+)\s*多?(?:个|件|家|所|条|名|间|项|支|座|位|宗)"
    r"(?!月|星期|小时|钟|百分)"
)
_COUNT_EN = re.compile(r"\b(?:which|the|those|these|all|of)\s+(\d{1,3})\s+['\"‘“]?[a-z]")
_DIGITS = {c: n for n, c in enumerate("零一二三四五六七八九")} | {"两": 2}
_CLAUSE_END = re.compile(r"[。；;，,？?！!\n]")


# what a count is measured in, asked (几架无人机, 多少套房, 几多人次) and shown after a figure
# (1023套); counters that fit anything counted (个, 家, 所, 间, 项, 条, 座, 处, 部: 几部烟感
# of 3.8万个) are not read (台 is: the report counts nothing in it, cars nor machines), and the units of one kind of thing are one class (人, 人次, 名, 位
# all count people; a figure's 场次, 家次, 人次 count times too)
_UNIT_CLASS = {
    "人": "people",
    "人次": "people",
    "名": "people",
    "位": "people",
    "游客": "people",
    "旅客": "people",
    "观众": "people",
    "市民": "people",
    "学生": "people",
    "员工": "people",
    "户": "households",
    "套": "flats",
    "辆": "vehicles",
    "台": "vehicles",  # (卖了多少台: cars and machines alike)
    "架": "aircraft",
    "站": "stations",
    "场": "events",
    "次": "times",
    "场次": "times",
    "家次": "times",
    "架次": "times",
    "张": "sheets",
    "棵": "trees",
    "株": "trees",
    "吨": "tonnes",
    "只": "animals",
    "种": "kinds",
    "栋": "buildings",
    "起": "incidents",
    "宗": "incidents",
    "幢": "buildings",
    "批": "batches",
    "届": "editions",
    "天": "days",
    "元": "money",  # (多少亿元: an amount, not told by a growth rate)
    "美元": "money",
}
_UNITS = "|".join(sorted(_UNIT_CLASS, key=len, reverse=True))
# (几个人 counts people; 起降点 is no 起 of incidents, 场地 no 场 of events, 排多少名 no people)
_NOT_BEFORE_UNIT = "[第哪边排这前过近头后每今]"
_UNIT_ASKED = re.compile(
    # (多少, 几多, 几 not after those: checked after the first character, so that the engine
    # looks for the pattern only where 多 or 几 is)
    rf"(?:多(?<!{_NOT_BEFORE_UNIT}多)(?<!排前多)少|几(?<!{_NOT_BEFORE_UNIT}几)(?<!排前几)(?:多|))"
    rf"\s*[万亿千百]?\s*个?({_UNITS})"
    r"(?<!天(?=然))"
    r"(?<!起(?=[降飞步点来码]))(?<!场(?=[地馆所景]))(?<!元(?=宇))"
)
_UNIT_SHOWN = re.compile(rf"[\d.一二两三四五六七八九十百千]+\s*[万亿千百余多]*\s*({_UNITS})")


# a part of a group the question quotes by its figure (667家高新技术企业里面外资企业有多少家,
# 119个无废细胞里学校有几个): the figure, the group, a word for "among", the part, the asking
_PART_OF = re.compile(
    r"(\d[\d.]*)\s*[万亿]?\s*(?![年岁月号日])([^\d?？!！]{1,14}?)"
    r"(?<![公千英这那哪家村城区市县镇街心屋手])"
    r"(?:里面|里头|里边|当中|之中|其中|入面|里)"
    r"[,，]?(?:(?:的|有|是)?([\u4e00-\u9fff]{2,10}?)(?:有|是|占|系)?(?:具体)?(?:多少|几多|几)"
    # (or the part after the asking words: …里面有多少是外资企业)
    r"|有?(?:多少|几多|几)[个家人名位间所]?(?:是|系|属于)([\u4e00-\u9fff]{2,10}))"
)
_DIGIT = re.compile(r"\d")
# a part asked with 其中 (其中低保金是多少)
_AMONG = re.compile(
    r"其中([\u4e00-\u9fff]{2,6}?)(?:的|嘅)?(?:占比|比例|是|有|占|系)?(?:多少|几多|几)"
)
_PART_FILLER = "的嘅有是占系具体一共共总大概各又还也"


def _parts_asked(text: str) -> list[tuple[str, str]]:
    """The figures a folded question quotes and the part of that group it asks about, by the
    words that tell the part apart (外资 of 外资企业 among 高新技术企业)."""
    asked: list[tuple[str, str]] = []
    if _DIGIT.search(text) is None:
        return asked
    for figure, group, before, after in _PART_OF.findall(text):
        part, group = (before or after).strip(_PART_FILLER), group.rstrip(",，")
        shared = 0
        while shared < min(len(part), len(group)) and part[-1 - shared] == group[-1 - shared]:
            shared += 1
        own = part[: len(part) - shared] if shared >= 2 else part
        if len(own) >= 2:
            asked.append((figure, own))
    return asked


# the same in English: the things counted (how many fires), shown by a figure a few words before
# them in the English answer (32 polluting sites, 1.9万 (19,000) person-times), or in the
# Chinese answer's units (3.23万人 are people, whatever the English says)
_COUNTED_CLASS = {
    "people": "people",
    "persons": "people",
    "person-times": "people",
    "visits": "people",
    "attendances": "people",
    "visitors": "people",
    "tourists": "people",
    "attendees": "people",
    "participants": "people",
    "residents": "people",
    "ppl": "people",
    "tenants": "people",
    "users": "people",
    "seekers": "people",
    "teams": "teams",
    "exhibitors": "exhibitors",
    "stores": "shops",
    "shops": "shops",
    "restaurants": "shops",
    "staff": "people",
    "employees": "people",
    "workers": "people",
    "members": "people",
    "complaints": "complaints",
    "stations": "stations",
    "fires": "fires",
    "deaths": "deaths",
    "accidents": "incidents",
    "flats": "homes",
    "apartments": "homes",
    "homes": "homes",
    "households": "homes",
    "families": "homes",
    "vehicles": "vehicles",
    "cars": "vehicles",
    "drones": "aircraft",
    "aircraft": "aircraft",
    "planes": "aircraft",
    "flights": "flights",
    "trees": "trees",
    "beds": "beds",
    "days": "days",
    "dramas": "works",
    "micro-dramas": "works",
    "films": "works",
    "movies": "works",
    "episodes": "works",
}
# the Chinese answer's classes that count the same things (a flat, a home and a household are
# one to an English speaker; 起 counts fires, 死亡3人 deaths)
_SAME_AS = {
    "homes": frozenset({"homes", "flats", "households"}),
    "fires": frozenset({"fires", "incidents"}),
    "deaths": frozenset({"deaths", "people"}),
}
_COUNTED_EN = "|".join(_COUNTED_CLASS)
# (the things asked are the last of a few words: "how many noise complaints did", not the
# aircraft of "how many aircraft landing points")
_COUNTED_ASKED = re.compile(
    rf"\bhow many (?:(?!(?:for|of|with|in|at|to|from|by|and|got|get)\b)[a-z-]+ ){{0,2}}?"
    rf"({_COUNTED_EN})\b"
    r"(?!\s+(?:landing|take-off|takeoff|charging|parking|service|services|points?|sites?"
    r"|centres?|centers?|stations?|routes?|lines?|platforms?)\b)"
)
_COUNTED_SHOWN = re.compile(
    rf"\d[\d,.]*(?:万|亿)?(?: \([\d,.]+\))?(?: [a-z-]+){{0,3}}? ({_COUNTED_EN})\b"
)


# a share asked beside a count (how many days …, as a percentage; 几多日…占几成)
_SHARE_ASKED = re.compile(r"比例|百分之|百分比|占比|几成|\bpercent|\bper cent\b|\bproportion\b")
_SHARE_SHOWN = re.compile(r"%|比例|占比")

_SENTENCE = re.compile(r"[。;；\n]")
_CLAUSE = re.compile(r"[。;；\n，,]")
RARE_OWNERS = 2  # answers that may show a run for it still to name a thing
NAME_RUNS = 2  # such runs a sentence shares with the question (five characters) to name it


def _units(pattern: re.Pattern[str], text: str) -> frozenset[str]:
    """The unit classes a pattern finds in a text (人次 counts people and times, 场次 events and
    times)."""
    found = pattern.findall(text)
    return (
        frozenset(_UNIT_CLASS[u] for u in found)
        | frozenset(
            _UNIT_CLASS[u[0]] for u in found if len(u) == 2 and u[1] == "次" and u[0] in _UNIT_CLASS
        )
        | frozenset("times" for u in found if u.endswith("次"))
    )


def _counted(pattern: re.Pattern[str], text: str) -> frozenset[str]:
    """The classes of things an English pattern finds counted in a text."""
    return frozenset(_COUNTED_CLASS[u] for u in pattern.findall(text))


NAMES = "names"  # the detail of which ones, by name
# names of many asked for (哪些, 哪几, 分别, which ones, list)
_MANY_NAMES = re.compile(
    r"哪些|哪几|边几|边啲|分别|都有谁|都叫什么|都叫咩|都叫乜|名单|列出|列一下|逐个|一一|\bwhich ones\b"
    r"|\blist\b|\bnames\b"
    r"|\bwhich (?!is\b|was\b|has\b|does\b)[a-z]{3,}s\b"
)
# the others of a group, by their count (另外四个叫啥, 其余8个是啥)
THE_REST = "the_rest"
_THE_REST = re.compile(
    r"(?:另外|其余|其他|剩下的?)(?:那)?[\d一二两三四五六七八九十]+(?:个|家|所|间|项|条|座)"
)
# when asked of the last answer's things with no other words (啥时候开业, when exactly?)
WHEN_DONE = "when_done"
_WHEN_ONLY = re.compile(r"什么时候|啥时候|几时|何时|\bwhen\b")
# where, asked of the last answer's things with no other words (喺邊, where is it?)
WHERE = "where"
# details an answer says in the clause that names the thing (not a figure in the next one)
_SAID_WITH_NAME = frozenset({WHEN_DONE, WHERE})
# What "done" a when-question asks (通车, 开业, 交楼) and an answer's clause says: opening for
# traffic, for business, handing over or going into use each also says it was finished, while
# finished (完工) says none of them (穗莞深城际琶洲支线几时通车: its clause says 基本完工).
DONE_KINDS = {
    "finished": ("建好", "建成", "起好", "完工", "竣工", "落成", "修好", "建完", "搞完", "投产"),
    "open": ("开业", "开张", "开门", "开园", "开馆", "营业", "开放", "开幕"),
    "traffic": ("通车", "开通", "贯通", "通行"),
    "handover": ("交楼", "交付", "入伙", "收楼"),
    "in_use": ("投用", "投入使用", "启用", "上线", "运营", "投运"),
    "school": ("开学", "招生", "开办"),
}
# words that say no "done" when these follow (营业收入, 开放测试, 运营中心, 开门红, 通行费)
_NOT_DONE_AFTER = {
    "营业": "收入|额",
    "开放": "测试|型|的|包容",
    "开门": "红",
    "运营": "中心|企业|商|管理|主体",
    "通行": "费|证",
}


def done_words(kinds: Mapping[str, Sequence[str]]) -> tuple[re.Pattern[str], dict[str, str]]:
    """The words of these kinds of "done" as one pattern (longest first, none before the words
    that make it no "done"), and each word's kind."""
    kind_of = {w: kind for kind, words in kinds.items() for w in words}
    pattern = re.compile(
        "|".join(
            re.escape(w) + (f"(?!{_NOT_DONE_AFTER[w]})" if w in _NOT_DONE_AFTER else "")
            for w in sorted(kind_of, key=len, reverse=True)
        )
    )
    return pattern, kind_of


_DONE_WORDS, _DONE_KIND_OF = done_words(DONE_KINDS)
# kinds of done that say it was finished too (not 招生: a school enrolling is not built)
_IMPLIES_FINISHED = frozenset(DONE_KINDS) - {"school"}


def done_kinds(text: str) -> frozenset[str]:
    """The kinds of "done" a folded text names (开业 -> open)."""
    return frozenset(_DONE_KIND_OF[w] for w in _DONE_WORDS.findall(text))


def says_done_asked(asked: frozenset[str], said: frozenset[str]) -> bool:
    """Whether what an answer says was or will be done is the kind a question asks when of."""
    if not asked:
        return True
    return bool(asked & (said | ({"finished"} if said & _IMPLIES_FINISHED else frozenset())))


# a thing's name asked (那所小学叫什么名字, 係咩名, 喺邊間學校): told only where the clause that
# names the thing, or one beside it, gives names (a list, a quoted name, one in brackets, 包括).
# (Which one, by its counter, only of the kinds of thing the report names: 邊間 alone is often
# asked of a name a clause gives without such marks, 江南中街社区卫生服务中心获…认证.)
_NAMED_KIND = r"[个间所家座条](?:学校|小学|中学|幼儿园|医院|企业|公司|路|桥)"
_NAME_ASKED = re.compile(
    r"叫什么|叫啥|叫咩|叫乜|什么名(?![额次单])|啥名(?![额次单])|咩名(?![额次单])|乜名(?![额次单])"
    rf"|名字|名称|哪{_NAMED_KIND}|边{_NAMED_KIND}"
)
_GIVES_NAMES = re.compile(r"、|等(?![待级候方])|“|《|\(|包括|如")


# English: an answer's sentences, its words, words too common to name a thing, and the words
# that say something is or will be done
_SENTENCE_EN = re.compile(r"(?<=[.;])\s+|\n")
_WORD_EN = re.compile(r"[a-z][a-z'’-]+")
_EN_FILLER = frozenset(
    {"the", "a", "an", "and", "of", "in", "on", "at", "to", "for", "will", "when", "is", "are"}
    | {"was", "be", "it", "its", "this", "that", "haizhu", "district"}
)
_DONE_EN = re.compile(
    r"\b(?:open(?:s|ed)?|complet(?:e|ed|ion)|finish(?:ed)?|done|handed over|in use|in service"
    r"|operational|operating|into operation|launched|opened to traffic|built in|topped out"
    r"|deliver(?:ed)?|by the end of|ready)\b"
)


# how many were added asked (新增了多少个长者饭堂): not told by a clause that gives only how many
# there are in all (共建成102个长者饭堂)
_ADDED_ASKED = re.compile(r"(?:新增|新建|新开)[^,，。;；?？!！]{0,3}?(?:多少|几多|几)")
_ADDED_SAID = re.compile(r"新增|新建|新开|增加|增长|新落地|新引进|落地|开设|提升|扩")
_ALL_SAID = re.compile(r"共建成|共有|累计|总共|合共|总数|全区共")


# ("where did that rank" asks a rank)
_WHERE_ONLY = re.compile(r"喺边|在哪|哪里|边度|\bwhere(?:'s| is| are| exactly| can| to)\b")
# names asked for with no other words (叫什么名字, 列一下, which ones): wider than the lexicon's
_NAMES_ONLY = re.compile(
    r"叫什么|叫咩|叫乜|什么名|咩名|名字|名称|名单|列一下|列出|哪几|边几|边啲"
    rf"|边(?<!{_NOT_BEFORE_BIAN}边)[\d两二三四五六七八九十]"
    r"|w(?<!\w.)hich ones\b|w(?<!\w.)hich \d+\b|n(?<!\w.)ames\b|l(?<!\w.)ist (?:them|their|the names)\b"
    r"|w(?<!\w.)hich (?!is\b|was\b|has\b|does\b)[a-z]{3,}s\b"
)

# the counters of things that have names (10个项目, 12家企业, 5块地): not a measure (平方米, %)
_COUNTERS = frozenset("个家所间项块条大种场支座处批宗件")


def _names_counted(li: LoadedIntent) -> bool:
    """Whether an answer names some of the things it counts (10个…项目: 趣丸科技总部大厦、…):
    a fact with a count and the names of items. A list of other things (公办初中、薄弱学校 of
    教育集团) names none of the 11 groups."""
    return any(
        f.value is not None and f.unit in _COUNTERS and f.items
        for rendered in li.answers.values()
        for f in rendered.facts
    )


def _longest_list(text: str) -> int:
    """How many items the longest list of a Chinese text names (between 、 in one clause)."""
    return max(part.count("、") + 1 for part in _CLAUSE_END.split(text))


def _counts_asked(text: str) -> list[int]:
    """The counts a folded question quotes of the things whose names it asks."""
    asked = _NAMES_ASKED.search(text)
    if asked is None:
        return []
    # (哪5个, 哪三间 quote the count in the asking words themselves)
    said = asked.group()
    counted = said[0] in "哪边" and said[1] not in "些几啲"
    before = text[: asked.end() + 4] if counted else text[: asked.start()]
    counts = [_number(m) for m in _COUNT_ZH.findall(before)]
    return counts + [int(m) for m in _COUNT_EN.findall(text)]


def _number(word: str) -> int:
    """Digits, or a Chinese numeral up to 百 (十二, 二十八, 一百): 0 when it is neither."""
    if word.isdigit():
        return int(word)
    if "百" in word:
        return 100 * _DIGITS.get(word.split("百")[0] or "一", 0)
    if "十" in word:
        tens, _, ones = word.partition("十")
        return 10 * (_DIGITS.get(tens, 0) if tens else 1) + _DIGITS.get(ones, 0)
    return _DIGITS.get(word, 0) if len(word) == 1 else 0


# which one of a series (第二批, 三期, 首届, 第135、136届, 12号线): a question naming one the answer never
# names asks of another (沥滘第二批复建房 after 首批1023套交楼; 第一届算法大赛 of the third's)
_ORDINAL = re.compile(
    # with 第: any series word (第二批, 第135、136届); without: 首 (首批, 首届), or a numeral right
    # before one (二期, 三届, 11号线); not a quantity (一批), a decimal (1.3批次), a plan period
    # (十四五期间)
    r"(?:(第)((?:[\d一二三四五六七八九十百]+、)*[\d一二三四五六七八九十百]+)(批|届|期|号线)"
    r"|()(首)(批|届|期)"
    r"|()(?<![\d.一二三四五六七八九十百])(?!一[批届])([\d一二三四五六七八九十]+)(批|届|期(?!间)|号线))"
    r"(?!次)"
)


# the same in English: line 12, phase 2, the third session, the 137th Canton Fair
_ORDINAL_EN = re.compile(
    r"\b(?:line|metro line) (\d{1,2})\b|\bphase (\d|one|two|three|i{1,3})\b"
    r"|\b(first|second|third|fourth|fifth|\d{1,3}(?:st|nd|rd|th)) (batch|session|edition|phase)\b"
)
_EN_NUMBER = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "one": 1,
              "two": 2, "three": 3, "i": 1, "ii": 2, "iii": 3}  # fmt: skip
_EN_SERIES = {"batch": "批", "session": "届", "edition": "届", "phase": "期"}
_SERIES_WORDS = ("批", "届", "期", "号线", "line", *_EN_SERIES)


def ordinals(text: str) -> frozenset[tuple[int, str]]:
    """The members of series a folded text names, as (number, series word): 首批 is (1, 批),
    line 12 (12, 号线), the third session (3, 届)."""
    out: set[tuple[int, str]] = set()
    # (every ordinal has one of these words: most texts have none, and `in` costs far less)
    if not any(word in text for word in _SERIES_WORDS):
        return frozenset()
    for line, phase, nth, series in _ORDINAL_EN.findall(text):
        word = line or phase or nth
        n = _EN_NUMBER.get(word) or int(re.sub(r"\D", "", word) or 0)
        if n:
            out.add((n, "号线" if line else "期" if phase else _EN_SERIES[series]))
    for m in _ORDINAL.finditer(text):
        numbers, unit = next((m.group(k + 1), m.group(k + 2)) for k in (1, 4, 7) if m.group(k + 2))
        for word in numbers.split("、"):
            n = 1 if word == "首" else _number(word)
            if n:
                out.add((n, unit))
    return frozenset(out)


def _shows(word: str, text: str) -> bool:
    """Whether an answer's folded text has `word`; an English word as a whole word, or its
    plural ("rent" is not in "rental", nor "tall" in "install"; "death" is in "deaths")."""
    if word not in text:
        return False
    return not word.isascii() or _whole_word(word).search(text) is not None


@functools.lru_cache(maxsize=4096)
def _whole_word(word: str) -> re.Pattern[str]:
    """An English word as a whole word or its plural (compiled once: answers are read at load
    against every detail's words)."""
    return re.compile(rf"(?<![a-z]){re.escape(word)}(?:e?s)?(?![a-z])")


RANK = "rank"
# a clause that speaks of a change (its rank is the change's: 增速均“领跑全市”)
_A_CHANGE = re.compile(r"增速|增幅|增长|增量|提高|提升|上升|幅度|growth|\bgrew\b|increase")
# a change asked (增长了多少, 有冇增长, did it grow)
_ASKS_CHANGE = re.compile(
    r"增长|增速|增幅|增加|减少|下降|上升|升了|升咗|升幅|升多少|升几多|涨|跌|变化|\bgrow|\bgrew\b|\brise|\brose\b|\bincrease"
    r"|\bdecrease|\bfall|\bfell\b|\bchange"
)
# a count asked with a counter and the thing counted (几家餐厅, 多少个站点, 几多间学校)
_COUNTED_THING = re.compile(
    r"(?:几多|多少|几)\s*(?:个|家|所|间|项|条|座|处|只|部|种|位|名|支|块)\s*([\u4e00-\u9fff]{2,4})"
)
_ASKS_AMOUNT = re.compile(r"(?:多少|几多|几)\s*(?:亿|万|元|钱)")
# a count with its counter (12家, 3个, 1.3万个): what a thing named beside it is counted by
_A_COUNT = re.compile(
    r"[\d一二两三四五六七八九十百千]+[\d.]*\s*[万亿千百]?\s*[余多]?(?:个|家|所|间|项|条|座|处|只|部|种|位|名|支|块)"
)
COUNT_BEFORE, COUNT_AFTER = 14, 10  # characters around a thing's name read for its count
_CHANGE_WORD = re.compile(r"增|降|涨|升|减|提高|grew|grow|rose|fell|up |down ")
FIGURE_NEAR = 8  # characters between a shown word and its figure (营收实现4484.44亿元)


PLACE_AFTER = 6  # characters after a place's name read as what it names (南海心沙|低空经济岛)
PLACE_START = 2  # where the question's words may start after it (琶洲|南学校 for 学校)


def _shows_figure(word: str, text: str) -> bool:
    """Whether a folded answer has `word` with a figure just after it (Chinese: 营收4484.44亿元)
    or just before it (English: 448.444 billion yuan of revenue), and not a figure of its change
    (总产值增长8.0%)."""
    if word not in text:
        return False
    return any(not _CHANGE_WORD.search(m.group(1) or "") for m in _with_figure(word).finditer(text))


@functools.lru_cache(maxsize=4096)
def _with_figure(word: str) -> re.Pattern[str]:
    """`word` with a figure near it (see `_shows_figure`), compiled once."""
    w = re.escape(word)
    if word.isascii():
        return re.compile(
            rf"\d[^.;]{{0,{2 * FIGURE_NEAR}}}\b{w}|\b{w}\b([^.;]{{0,{2 * FIGURE_NEAR}}})\d"
        )
    # (folded: ，；are ,;) and the words just after the figure (产值实现10%以上增长)
    return re.compile(rf"{w}([^,。;、\d]{{0,{FIGURE_NEAR}}}\d[\d.]*%?[^,。;、\d]{{0,4}})")


# a clause of an answer that says the report does not give something (报告未列出开设的学校名单,
# the report does not name the schools)
# (read on folded text, where ，；（） are ,;(); an English sentence ends at ". ")
_NOT_GIVEN_SAID = (
    *("未列出", "未提及", "没有给出", "未给出", "未说明", "没有说明", "不能把"),
    *("does not give", "does not list", "does not name", "does not say"),
    *("doesn't give", "doesn't list", "doesn't name", "doesn't say", "gives no", "names no"),
)
_NOT_GIVEN = re.compile(
    r"(?:[^,;()\n。.]|\.(?! ))*(?:"
    + "|".join(re.escape(w) for w in _NOT_GIVEN_SAID)
    + r")(?:[^,;()\n。.]|\.(?! ))*"
)


# names that hold a detail's word without giving it (the Greater Bay Area is no area)
_NAMES_OF_NO_DETAIL = re.compile(r"\bbay area\b", re.IGNORECASE)


def without_said_not_given(text: str) -> str:
    """A folded answer without the clauses that say what the report does not give."""
    if not any(w in text for w in _NOT_GIVEN_SAID):
        return text  # (most answers: the pattern is slow to find nothing)
    return _NOT_GIVEN.sub(" ", text)


def names_a_day(text: str) -> bool:
    """Whether folded text names a calendar day (3月5日, 5 March), not just a year or month."""
    return _DAY.search(text) is not None


class AskedDetail:
    """A detail the answer does not give (奇安信大厦建成后有多高, 趣丸科技营收多少): the report
    names the thing, not that detail, so its figures would answer another question. The answer
    is refused, and the thing's figures offered instead."""

    def __init__(
        self,
        composer: Composer,
        intents: list[LoadedIntent],
        details: Lexicon,
        normalizer: Normalizer,
    ) -> None:
        self._composer = composer
        self._normalizer = normalizer
        # (what an answer says the report does not give, it does not show: 未提及开学时间)
        shown = [
            _NAMES_OF_NO_DETAIL.sub(" ", without_said_not_given(text))
            for text in answer_texts(intents)
        ]
        self._texts = shown
        self._sounds = [to_pinyin_codes(text) for text in shown]
        # the longest list each answer gives (items between 、 in one clause)
        self._listed = [
            _longest_list(li.answers["zh"].text) if "zh" in li.answers else 0 for li in intents
        ]
        self._units_en = [
            _counted(_COUNTED_SHOWN, fold(li.answers["en"].text))
            if "en" in li.answers
            else frozenset()
            for li in intents
        ]
        self._units = [
            (_units(_UNIT_SHOWN, li.answers["zh"].text) if "zh" in li.answers else frozenset()) | en
            for li, en in zip(intents, self._units_en, strict=True)
        ]
        # each Chinese answer's sentences, and the runs of four characters at most RARE_OWNERS
        # answers show (a thing's name: 新滘西路, 新市头村)
        self._sentences = [
            _SENTENCE.split(fold(li.answers["zh"].text)) if "zh" in li.answers else []
            for li in intents
        ]
        owners: dict[str, set[int]] = {}
        for i, sentences in enumerate(self._sentences):
            for sentence in sentences:
                for run in char_runs(sentence):
                    owners.setdefault(run, set()).add(i)
        # (kept as the few common runs: nearly every run is rare)
        self._common_runs = frozenset(r for r, held in owners.items() if len(held) > RARE_OWNERS)
        # the runs of each intent's own keywords: its topic (保障性住房), never a thing's name
        self._topic_runs = [
            frozenset(run for kw in li.intent.keywords for run in char_runs(fold(kw)))
            for li in intents
        ]
        # what follows each of Haizhu's own places an answer names (南海心沙|低空经济岛)
        self._by_place = frozenset(n for n, d in details.details.items() if d.shows_place)
        places = alternation(fold(p) for p in details.inside if has_chinese(p))
        self._after_place = [
            [t[m.end() : m.end() + PLACE_AFTER] for m in places.finditer(t)]
            if places and self._by_place
            else []
            for t in shown
        ]
        self._details = details
        # each detail's words that show it, folded once
        self._shows_words = [
            (name, detail, tuple(fold(w) for w in detail.shows))
            for name, detail in details.details.items()
        ]
        self._shows_by_name = {name: (detail, words) for name, detail, words in self._shows_words}
        self._shows, self._shows_said = (
            [self._shown_in(text, figure) for text in shown]
            # (a change asked, 营收增长了多少, is shown by the word said of a change)
            for figure in (True, False)
        )
        # the names each answer's facts list (琶洲数字科技产业园): a name said plainly in a clause
        self._item_names = [
            frozenset(
                fold(item)
                for rendered in li.answers.values()
                for f in rendered.facts
                for item in f.items
                if len(item) >= 4
            )
            for li in intents
        ]
        # each Chinese answer's clauses, for the details shown where a thing asked is named (the
        # English answer names it in Chinese too, beside its English words for other things)
        self._clauses = [
            [
                c
                for c in _CLAUSE.split(without_said_not_given(fold(li.answers["zh"].text)))
                if c.strip()
            ]
            if "zh" in li.answers
            else []
            for li in intents
        ]
        self._clause_shows: dict[tuple[int, int, bool], frozenset[str]] = {}
        self._names_counted = [_names_counted(li) for li in intents]
        self._sentences_en = [
            [t for t in _SENTENCE_EN.split(fold(li.answers["en"].text)) if t.strip()]
            if "en" in li.answers
            else []
            for li in intents
        ]
        self._ordinals = [ordinals(fold(text)) for text in shown]
        # whether each answer gives a rank in a clause that speaks of no change (排名全市第二,
        # not 增速均“领跑全市”)
        self._ranks_level = [
            any(self._shows_detail(RANK, c, True) for c in clauses if not _A_CHANGE.search(c))
            for clauses in self._clauses
        ]
        self._defined = frozenset(details.details)
        self._with_figure = frozenset(n for n, d in details.details.items() if d.shows_figure)

    def _shown_in(self, text: str, figure: bool) -> frozenset[str]:
        """The details a text shows (with `figure`, a figure-shown detail by a figure)."""
        return frozenset(
            name
            for name, detail, words in self._shows_words
            if self._shows_any(detail, words, text, figure)
        )

    def _shows_detail(self, name: str, text: str, figure: bool) -> bool:
        """Whether a text shows one detail (as `_shown_in` would say)."""
        shown = self._shows_by_name.get(name)
        return shown is not None and self._shows_any(shown[0], shown[1], text, figure)

    @staticmethod
    def _shows_any(detail: Detail, words: tuple[str, ...], text: str, figure: bool) -> bool:
        return any(
            _shows_figure(w, text) if detail.shows_figure and figure else _shows(w, text)
            for w in words
        ) or bool(detail.shows_day and names_a_day(text))

    def _named_shows(
        self, i: int, runs: set[str], figure: bool, question: str
    ) -> frozenset[str] | None:
        """The details answer i shows in the clauses that name the thing asked (太古仓二期综合体
        几时开业: its clause says 封顶, while another clause's 开业 is 京东MALL's), or None when
        no clause names it: two runs of four characters of the question that at most two
        answers show and that are no words of the answer's own keywords. When is shown only
        of the kind of done the (folded) question names (开业 is not told by 封顶 nor 完工)."""
        named = self._named_clauses(i, runs)
        if named is None:
            return None
        out: frozenset[str] = frozenset()
        for j in named:
            key = (i, j, figure)
            shows = self._clause_shows.get(key)
            if shows is None:
                shows = self._clause_shows[key] = self._shown_in(self._clauses[i][j], figure)
            out |= shows
        if WHEN_DONE in out and not says_done_asked(
            done_kinds(question), done_kinds(",".join(self._clauses[i][j] for j in named))
        ):
            out -= {WHEN_DONE}
        return out

    def _names_given(self, text: str, offered: list[int]) -> bool:
        """Whether an offered answer gives names where it names the thing a question asks the
        name of (新开办1所公办小学 gives none); true when no clause names it."""
        runs = set(char_runs(text))
        for i in offered:
            named = self._named_clauses(i, runs, any_run=True)
            if named is None:
                return True
            clauses = self._clauses[i]
            if any(_GIVES_NAMES.search(",".join(clauses[max(j - 1, 0) : j + 2])) for j in named):
                return True
            # (大湾区首个游戏产业园琶洲数字科技产业园已入驻35家企业: a name of the facts' own)
            if any(name in clauses[j] for j in named for name in self._item_names[i]):
                return True
        return False

    def _named_done_en(self, i: int, asked: str) -> frozenset[str] | None:
        """In English, when is shown by the sentences of answer i that name the thing asked (two
        words in a row of the question's: "children's hospital") only if one says it is or will
        be done (open, completed); None when no sentence names it."""
        words = [w for w in _WORD_EN.findall(asked) if w not in _EN_FILLER]
        pairs = {f"{a} {b}" for a, b in itertools.pairwise(words)}
        named = [t for t in self._sentences_en[i] if any(p in t for p in pairs)]
        if not named:
            return None
        return frozenset({WHEN_DONE}) if any(_DONE_EN.search(t) for t in named) else frozenset()

    def _named_clauses(self, i: int, runs: set[str], any_run: bool = False) -> list[int] | None:
        """The clauses of answer i that name the thing asked (see `_named_shows`), or None;
        with `any_run`, any run of the question's names it, one of many answers or of the
        answer's keywords too (公办小学, the schools')."""
        rare = [
            run
            for run in runs
            if any_run or (run not in self._common_runs and run not in self._topic_runs[i])
        ]
        need = 1 if any_run else NAME_RUNS
        if len(rare) < need:
            return None
        named = [
            j
            for j, clause in enumerate(self._clauses[i])
            if sum(run in clause for run in rare) >= need
        ]
        return named or None

    def _placed(self, i: int, text: str) -> bool:
        """Whether answer i names a place of Haizhu's just before words of the question
        (低空经济岛在哪里: 南海心沙低空经济岛)."""
        return any(
            after[j : j + 2] in text for after in self._after_place[i] for j in range(PLACE_START)
        )

    def _names_rates(self, text: str, offered: list[int]) -> bool:
        """Whether an offered answer names every rate the question asks by name (家庭医生签约率,
        失业率: a rate no answer names is a detail the report does not give). The matching form
        has the lexicon's spelling (复盖率 -> 覆盖率); the rate's last character and 率 are enough
        (a slip before them, or one that sounds the same), and so is what it measures (达标 of
        达标率, where the answer gives 达标天数比例)."""
        if "率" not in text:
            return True
        rates = [r for r in _RATE.findall(text) if not r.endswith(_ANY_RATE)]
        return not rates or any(
            all(
                r[1:] in self._texts[i]
                or r[:2] in self._texts[i]
                or to_pinyin_codes(r) in self._sounds[i]  # 办节率: 办结率 with a slip
                for r in rates
            )
            for i in offered
        )

    def _other_parts(self, q: Query) -> list[int]:
        """Candidates for the other parts of a question that asks two things (城镇新增就业多少人？
        另外保障性租赁住房筹了几套？): the best-ranked few, as the parts are answered from. None
        for a question that asks one thing (a greeting is no part: 你好，趣丸科技营收多少; east and
        west in one clause are no two parts), nor for a follow-up joined to the question before
        it."""
        if q.followup or len(q.norm.clauses) < 2 or not self._normalizer.asks_two_things(q.norm):
            return []
        return [i for i, _ in q.ranked[:MULTI_PART_MAX]]

    def _units_counted(self, text: str, offered: list[int], q: Query) -> bool:
        """Whether the offered answers count in the units a question asks a count in (几架无人机,
        how many fires); for a question in several parts, any part's answer may."""
        units: frozenset[str] = frozenset()
        counted: frozenset[str] = frozenset()
        if "几" in text or "多少" in text:
            units = _units(_UNIT_ASKED, text)
        if "how many" in text:
            counted = _counted(_COUNTED_ASKED, text)
        if not units and not counted:
            return True
        if _SHARE_ASKED.search(q.norm.folded) and any(
            _SHARE_SHOWN.search(self._texts[i]) for i in offered
        ):
            # (how many days had good air, as a percentage: the share asked, which the answer
            # shows; a follow-up asks in its own words)
            return True
        runs = set(char_runs(text))
        shown = frozenset().union(
            *(self._units_of(i, runs) for i in offered + self._other_parts(q))
        )
        return units <= shown and all(shown & _SAME_AS.get(c, frozenset({c})) for c in counted)

    def _units_of(self, i: int, runs: set[str]) -> frozenset[str]:
        """The units answer i counts in; of the thing the question names when the answer names
        it too (新滘西路保障性住房项目能建多少套: the sentence with 新滘西路 counts no flats,
        though another counts 9017套): two runs of four characters of the question that at
        most one other answer shows, and that are no words of the answer's own keywords (its
        topic, 保障性住房), tell the thing."""
        sentences = self._sentences[i]
        if not sentences:
            return self._units[i]
        rare = [
            run for run in runs if run not in self._common_runs and run not in self._topic_runs[i]
        ]
        named = [s for s in sentences if sum(run in s for run in rare) >= NAME_RUNS]
        if not named:
            return self._units[i]
        return frozenset().union(*(_units(_UNIT_SHOWN, s) for s in named)) | self._units_en[i]

    def _parts_shown(self, text: str, offered: list[int]) -> bool:
        """Whether an answer that has the figure a question quotes also names the part of it
        asked (新增就业3.23万人里面高校毕业生有多少: the answer has 3.23万, not 高校毕业生), with a
        figure of its own (8955万救助资金里低保金多少: 低保金 is only listed)."""
        return all(
            any(_shows_figure(part, self._texts[i]) for i in offered if figure in self._texts[i])
            or not any(figure in self._texts[i] for i in offered)
            for figure, part in _parts_asked(text)
        )

    def _among_shown(self, text: str, offered: list[int]) -> bool:
        """Whether an offered answer gives a figure for the part asked with 其中 (其中低保金多少:
        the answer names 低保金 in a list, with no figure of its own; 其中普惠的占多少 has one)."""
        parts = [p.strip(_PART_FILLER) for p in _AMONG.findall(text)] if "其中" in text else []
        return all(
            len(part) < 2 or any(_shows_figure(part, self._texts[i]) for i in offered)
            for part in parts
        )

    def _counted_things_named(self, q: Query, offered: list[int]) -> bool:
        """Whether, in a follow-up, the things it counts are named by the answer (有几家餐厅 after
        the dining space's answer, which names no restaurant: a count it never makes; 多少家企业参
        与了 after the trade-in answer's 341家企业参与 is)."""
        if not q.followup:
            return True
        fragment = q.norm.folded
        things = [m[:2] for m in _COUNTED_THING.findall(fragment)]
        return all(any(t in self._texts[i] for i in offered) for t in things)

    def _thing_counted(self, q: Query, offered: list[int]) -> bool:
        """Whether, when a count of a thing is asked (几家米其林餐厅), an offered answer that names
        the thing only as one kind in a list (引进更多首店、旗舰店、米其林餐厅) counts it beside its
        name somewhere: a kind listed says nothing of how many. (Things named in a sentence of
        their own are counted in too many ways to read: 加装独立式烟感探测器…万个.)"""
        if q.followup:
            return True  # (`_counted_things_named` reads follow-ups)
        things = _COUNTED_THING.findall(q.norm.folded)
        if not things:
            return True
        for i in offered:
            text = self._texts[i]
            for thing in things:
                name = thing[:3]
                at = [m.start() for m in re.finditer(re.escape(name), text)]
                listed = all(
                    text[a - 1 : a] == "、" or "、" in text[a + len(name) : a + len(thing) + 3]
                    for a in at
                )
                if (
                    at
                    and listed
                    and not any(
                        _A_COUNT.search(text, max(0, a - COUNT_BEFORE), a)
                        or _A_COUNT.search(text, a, a + len(name) + COUNT_AFTER)
                        for a in at
                    )
                ):
                    return False
        return True

    def _added_given(self, asked: str, text: str, offered: list[int]) -> bool:
        """Whether, when how many were added is asked, the clauses of an offered answer that
        name the thing say an addition, not only how many there are in all. (Not read in a
        follow-up: its thing is often the last question's, 小巨人 after 高新技术企业.)"""
        if not _ADDED_ASKED.search(asked):
            return True
        runs = set(char_runs(text))
        for i in offered:
            named = self._named_clauses(i, runs, any_run=True)
            if named is None:
                return True
            said = ",".join(self._clauses[i][j] for j in named)
            if not _ALL_SAID.search(said) or _ADDED_SAID.search(_ALL_SAID.sub("", said)):
                return True
        return False

    def _ordinals_named(self, q: Query, offered: list[int]) -> bool:
        """Whether an offered answer names every member of a series the question names (of a
        series the answer names some member of: 第二期 of a thing with no phases is no concern)."""
        asked = ordinals(q.norm.folded)
        if not asked:
            return True
        return any(
            all(
                o in self._ordinals[i] or not any(u == o[1] for _, u in self._ordinals[i])
                for o in asked
            )
            for i in offered
        )

    def _lists_enough(self, text: str, offered: list[int]) -> bool:
        """Whether an offered answer lists as many names as a question asks for by count: "那68
        家都有哪些", "16名领军算法师都有谁", "which 19 compounds" want every name, and an
        answer that names two or three of them does not give them."""
        wanted = max((c for c in _counts_asked(text) if c >= 2), default=0)
        return not wanted or any(self._listed[i] >= wanted for i in offered)

    def __call__(self, q: Query) -> Answer | None:
        d = q.decision
        if d.kind == "fallback":
            return None
        # an answer must show the detail asked, and name the rate asked; of choices, the best
        # must (How big is Haizhu Wetland: the exhibitions' 展览面积 is no wetland's area, and
        # the wetland's answer, best of the two, gives none)
        offered = [d.best] if d.best is not None else [i for i, _ in d.candidates[:1]]
        clauses = ",".join(q.norm.clauses)  # (folded, with the asking words)
        details = q.norm.details
        # (details asked in the engine's own words, when the lexicon has them)
        if q.followup and _NAMES_ONLY.search(clauses):
            details = details | (self._defined & {NAMES})
        if q.followup and _WHEN_ONLY.search(clauses):
            details = details | (self._defined & {WHEN_DONE})
        if q.followup and _WHERE_ONLY.search(clauses):
            details = details | (self._defined & {WHERE})
        if _THE_REST.search(clauses):
            details = details | (self._defined & {THE_REST})
        # (a follow-up asking an amount itself, 总产值具体多少亿 after 总产值涨了多少, asks the level,
        # whatever the question it is joined to asked; 今年目标 after it asks the change's target)
        said = bool(
            details & self._with_figure
            and _ASKS_CHANGE.search(clauses)
            and not (q.followup and _ASKS_AMOUNT.search(q.norm.folded))
            # (增长了25.1%，那全年营收具体是多少亿: the change is quoted, the amount asked)
            and not any(
                _ASKS_AMOUNT.search(c) and not _ASKS_CHANGE.search(c) for c in q.norm.clauses
            )
        )
        shows = self._shows_said if said else self._shows
        if details & _SAID_WITH_NAME:
            # (when and where are said with the thing; a figure often in the next clause)
            runs = set(char_runs(q.norm.text))
            if q.lang == "en" and WHEN_DONE in details:
                narrowed = {i: self._named_done_en(i, clauses) for i in offered}
            else:
                narrowed = {i: self._named_shows(i, runs, not said, clauses) for i in offered}
            shows = [
                s - _SAID_WITH_NAME | (n & _SAID_WITH_NAME)
                if (n := narrowed.get(i)) is not None
                else s
                for i, s in enumerate(shows)
            ]
        if (
            NAMES not in details
            and _NAME_ASKED.search(clauses)
            and not self._names_given(q.norm.text, offered)
        ):
            details = details | {NAMES}
            shows = [s - {NAMES} for s in shows]
        # which ones of many (具体是哪几间, list their names) only an answer that names some of
        # the things it counts gives; one name (哪家企业, which company) any list of names does
        many = NAMES in details and (q.followup or _MANY_NAMES.search(clauses) is not None)
        if many:
            shows = [
                s if counted else s - {NAMES}
                for s, counted in zip(shows, self._names_counted, strict=True)
            ]
        if RANK in details and not _A_CHANGE.search(clauses):
            # a rank of a level (GDP排第几) is not told by a rank of growth (4项重要指标增速均
            # “领跑全市”): only clauses that speak of no change show it
            shows = [
                s - {RANK} | ({RANK} if self._ranks_level[i] else frozenset())
                if i in offered
                else s
                for i, s in enumerate(shows)
            ]
        placed = details & self._by_place
        if placed:
            shows = [
                s | placed if i in offered and self._placed(i, q.norm.text) else s
                for i, s in enumerate(shows)
            ]
        shown = (
            not details
            or any(details <= shows[i] for i in offered)
            # (a question in several parts: each detail shown by the answer of some part)
            or details <= frozenset().union(*(shows[i] for i in self._other_parts(q)))
        )
        if (
            shown
            and self._units_counted(clauses, offered, q)
            and self._names_rates(q.norm.text, offered)
            and self._lists_enough(clauses, offered)
            and self._parts_shown(clauses, offered)
            and self._among_shown(clauses, offered)
            and self._counted_things_named(q, offered)
            and self._thing_counted(q, offered)
            and self._ordinals_named(q, offered)
            and (q.followup or self._added_given(clauses, q.norm.text, offered))
        ):
            return None
        return self._composer.fallback(
            q.question,
            "detail",
            q.lang,
            q.script,
            q.norm.text,
            q.top_score,
            related=tuple(offered[:1]),
        )
