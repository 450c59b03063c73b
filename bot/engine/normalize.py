"""Question -> normalised text: the same steps for citizens' questions and intent examples.

Steps: NFKC (full/half width), lower case, traditional -> simplified (OpenCC), synonyms (longest
variant first), politeness fillers and particles, punctuation and spaces. Also detects the asker's
language and script, the years a question mentions, other places and personal-case markers.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import opencc
import rapidfuzz
import spellchecker
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.content.diskcache import DiskCache
from bot.content.schema import Lexicon
from bot.engine import dictionary as _dictionary
from bot.engine import opencc_keys
from bot.engine import words as _words
from bot.engine.dictionary import is_english_word
from bot.engine.pinyin import spelled, syllable_codes, to_exact_codes, to_pinyin_codes
from bot.engine.segment import Segmented, segmenter
from bot.engine.words import Words, factored
from bot.engine.words import alternation as _alternation

_T2S = opencc.OpenCC("t2s")
_S2T = opencc.OpenCC("s2t")


# what t2s may change (`bot.engine.opencc_keys`): a text with none of it is left as it is
_T2S_CHANGES = opencc_keys.changes()
_T2S_PHRASES = _alternation(_T2S_CHANGES[1]) if _T2S_CHANGES else None

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_LATIN = re.compile(r"[a-z]")
# radicals, enclosed and compatibility ideographs: symbols that NFKC maps to Chinese characters
_NFKC_TO_HAN = re.compile(
    "[\u2e80-\u2fdf\u3200-\u33ff\uf900-\ufaff\U0001f200-\U0001f2ff\U0002f800-\U0002fa1f]"
)
_LATIN_WORD = re.compile(r"[a-z]{2,}")
_THREE_LETTERS = re.compile(r"[a-z](?:[^a-z]*[a-z]){2}")
# Many patterns here check what comes before a match only after its first character, (?<![\d.])
# written as \d(?<![\d.]\d): the same matches, but a pattern that starts with a character (or
# with alternatives that each do) lets the regex engine skip to where that character is, instead
# of trying the whole pattern at every position of the text.
# Punctuation and spaces, but not the point of a decimal figure (6.18 stays 6.18).
_PUNCT_OR_SPACE = re.compile(r"(?:[^\w.]|_|(?<!\d)\.|\.(?!\d))+")
# Between examples normalised together: neither a word character nor a space, so no step's
# lookaround reads across it, and no lexicon entry contains it.
_SEPARATOR = "\uf8ff"
_PUNCT_OR_SPACE_KEEP_SEPARATOR = re.compile(r"(?:[^\w.\uf8ff]|_|(?<!\d)\.|\.(?!\d))+")
# A space with no Latin letter or digit on one side (also at either end of a text).
_SPACE_NOT_BETWEEN_WORDS = re.compile(r" (?:(?<![a-z0-9] )|(?![a-z0-9]))")
# Calendar years people ask about (2000-2039); 2049 is the name of a long-term plan, not a year asked.
# A number followed by a unit is a quantity, not a year: 托位超过2000个.
_NOT_A_YEAR_AFTER = (
    r"(?!\d|\.\d|\s*(?:[个多余人万亿元套所家间条宗项平米公里亩%]|places|people|yuan))"
)
_YEAR = re.compile(r"(2(?<![\d.]2)0[0-3][0-9])" + _NOT_A_YEAR_AFTER)
# words that join or compare the things a question asks for (two or three at once)
_PART_SPLIT = re.compile(
    r"以及|同埋|还有|加上|还是|和|同|与|跟|及|比|、|&|\b(?:and|or|versus|vs|than|as well as)\b"
)
# the asker in a clause, not as the frame of a question (我想问, 我想知道)
_ASKED_BY = (  # (after my/our and a few words: the asker asks for someone else)
    r" (?:\w+ ){0,2}?(?:wants|would like|wanted|asked me|asks me|has asked me)"
    r"(?: (?:me )?to (?:know|ask))?"
)
_FRAMED = re.compile(
    r"我(?:的|个|嘅)?[^\s,，。?？!！]{1,4}?(?:想知道|想问|想了解|叫我问|让我问)"
    # (my/our as whole words, each alternative first)
    rf"|m(?<!\w.)y{_ASKED_BY}|o(?<!\w.)ur{_ASKED_BY}"
)
_NOT_TO_KNOW = r"\b(?! (?:want|would like) to know)"
_FIRST_PERSON = re.compile(
    r"我(?!想问|想知道|想了解|想请教|问|听说|听讲|看到|见到|路过|发现|留意到|区)"  # (我区: the district)
    # (i, me, my, we, our, us as whole words)
    rf"|i(?<!\w.){_NOT_TO_KNOW}|m(?<!\w.)(?:e|y){_NOT_TO_KNOW}|w(?<!\w.)e{_NOT_TO_KNOW}"
    rf"|o(?<!\w.)ur{_NOT_TO_KNOW}|u(?<!\w.)s{_NOT_TO_KNOW}"
)
# a move told (刚从深圳搬到海珠, 从番禺过来): where someone comes from, a story like one in the first
# person
_MOVED_FROM = re.compile(
    r"从(?!化)[^,，。;；]{1,8}?(?:搬|过来|过嚟|来到)|\bmoved? (?:here )?from\b"
)
# where someone lives or works (我住晓港公园附近, I live near Canton Tower)
_LIVES_WORDS = (
    r"住(?![房宅建院])|返工|上班|返学|读书|\b(?:live|lives|living|work|works|grew up|was born)\b"
)
_LIVES = re.compile(_LIVES_WORDS + r"|\b(?:study|studies)\b")
# a clause that starts with where one lives or works, its asker unsaid (住晓港公园附近，…)
_LIVES_FIRST = re.compile(r"\s*(?:住(?![房宅建院])|返工|上班|返学|\b(?:live|living|work)\b)")
# a clause that tells where someone lives or works (喺荔湾返工住沙园), or of a pairing or of what
# Haizhu built there (海珠跟花都结对帮扶, 海珠在清远搞了反向飞地, Haizhu is paired with Huadu): no
# place asked about in it
_TELLS_OF_SOMEONE = re.compile(
    _LIVES_WORDS + r"|打工|结对|帮扶|对口|协作|合作|共建|援建|搞了|建了|设立|设了|成立"
    r"|\b(?:working|paired|twinned|set up|built|cooperat\w*)\b"
)
# a clause that asks to be told without a question word (想问番禺新增学位, 我想查黄埔的…)
# (with something after it: 石基村街坊想问, a frame before the question, asks nothing)
_WANTS_TO_KNOW = re.compile(
    r"(?:想问|请问|想了解|想查|想知道|问一下|查一下|问下)(?:一?下)?(?!一?下)[^\s,，:：]{2}"
)
# a clause that tells where someone moves to (想搬去花都): the place is asked about
_MOVING_TO = re.compile(r"搬去|搬到|\bmov(?:e|ing) to\b")
# a place said not to be asked (是海珠不是越秀, Haizhu, not Tianhe): just after the negation
_NOT_BEFORE = re.compile(
    r"(?:(?<!是)不是|唔系|并非|而非|\bnot|\brather than|\binstead of)\s*[(（]?\s*$"
)
# a clause that compares (海珠同番禺比, 海珠比天河托位多吗)
_COMPARES = re.compile(
    r"比(?![例重率])|[高低快慢多少]于|[快慢多少]过|[哪边]个[^,，?？]{0,6}多|差多少|几倍"
    r"|\bcompared?\b|\bthan\b|\bversus\b|\bvs\b"
)
# where Haizhu went to attract investment (海珠去日本招商, 赴欧美推介, trips to Japan): the place
# is no place asked about
_TRIP = re.compile(
    r"(?:去|赴|到)[^,，。?？]{1,14}?(?:招商|推介|考察|参展|办展|引资)"
    r"|\b(?:investment|promotion|promotional|business|trade|roadshow)[a-z ]{0,20}?"
    r"\b(?:trips?|missions?|visits?) to [a-z ]{2,30}"
)
# a place that says where people or firms who come to Haizhu are from (外地人在海珠找工作, 海外游客来
# 海珠, 日本企业在海珠落地, 北京来的专家); not 天河人才, 番禺的企业有多少
# kinds of place Haizhu has none of (it has 街道 and 村, no county, town or district of its own)
_KINDS_ELSEWHERE = ("县", "镇")
# what is asked of a place, in English (a figure's topic)
_TOPIC_EN = re.compile(
    r"\b(?:gdp|revenue|investment|childcare|canteens?|school places|jobs|parks?|population|tax"
    r"|growth|output|budget)\b"
)  # (a year before it: `_YEAR`)
_YEAR_EN = re.compile(r"\b(?:19|20)\d\d\b|\b(?:last|this|next) year\b")
# the words that bring a question someone asks (…老板问, 同事问下, Dallas wants to know)
_ASKS_VERB = re.compile(
    r"(?:想|要)?(?<![访顾学疑提])(?:问|問)(?![题題])(?:一句|一下|下)?|想知道?|想了解"
    r"|\b(?:asks?|asked|wants? to know|would like to know|wonders?|wondering)\b"
)
_FROM_BEFORE = re.compile(
    r"(?:的)?(?:人(?![口均才数次员])|游客|客商|客人|企业|公司|同胞|专家)?[^,，。?？]{0,6}?"
    r"(?:在海珠|来海珠|到海珠|落户海珠|入驻海珠)|来的|过来"
    r"|(?:的)?(?:人|朋友|街坊)(?:想知|想问|想了解|问)"  # (香港人想知海珠…)
)
# the asker's kin or property with words between (我两岁的女儿, my 2 year old daughter, 我在三滘村
# 的房子): a personal marker, as 我女儿 and "my daughter" in the lexicon are
# (not the asker asking or having heard: 我知道…的孩子托位, 我想问…, 我看到…)
_MY_KIN = (
    r" (?:[\w-]+ ){1,3}?(?:daughter|son|kid|child|baby|toddler|boy|girl|grandson|granddaughter)s?\b"
)
_MY_PROPERTY = (
    r" (?:[\w-]+ ){1,2}?(?:company|shop|business|firm|startup|restaurant|store|factory|band"
    r"|flat|apartment|house)\b"
)
_KIN = re.compile(
    r"我(?!知道|想知|想问|想了解|问|听|看到|见到)(?:家|们家|屋企|哋)?[^\s,，。?？!！]{1,14}?"
    r"(?:的|嘅|个|個)小?(?:女儿|儿子|孩子|孩|宝宝|仔|女|囡|孙子|孙女|孙|外孙女?|侄子|侄女|外甥女?)"
    r"|我(?:在|喺)[^\s,，。?？!！]{1,8}?(?:的|嘅|那套|嗰套|那间|嗰间)(?:房子|屋|铺|店|回迁房|复建房|安置房|厂|档口)"
    # (my/our as whole words, each alternative first)
    rf"|m(?<!\w.)y{_MY_KIN}|o(?<!\w.)ur{_MY_KIN}|m(?<!\w.)y{_MY_PROPERTY}|o(?<!\w.)ur{_MY_PROPERTY}"
)
# the asker's family told of without 我 (外婆, 阿仔, 细佬; Dad … he, my wife … she): a personal case
# when a clause asks what they would get or may do, not of the district (细佬想入公立学校，区里学位
# 够唔够 asks the district's)
_KIN_TOLD = re.compile(
    r"(?:外婆|外公|奶奶|爷爷|阿嫲|阿嬷|阿爷|阿婆|老豆|老窦|阿爸|阿妈|老爸|老妈|老婆|老公(?!园)|儿子"
    r"|(?<![妇男])女儿(?!童)|阿仔|阿女|个仔|细路仔|宝宝|囡囡|细佬|家姐|本公司)"
    # (people in general are no one's case: 宝宝们, 阿婆阿伯们, 爷爷奶奶们)
    r"(?![^,，。?？!！\s]{0,3}[们哋])"
    r"|\b(?:son|daughter|dad|father|mum|mom|mother|wife|husband|grandma|grandmother|grandpa"
    r"|grandfather|baby|toddler)\b(?=.*\b(?:he|she|him|her|his)\b)"
)
# a building or flat by its number (沥滘复建房3栋, block 12): the asker's own; the report numbers none
_OWN_UNIT = re.compile(
    r"\d+ ?(?:栋|座|号楼|幢|单元|室|号房)"
    r"|b(?<!\w.)lock ?\d+\b|b(?<!\w.)uilding ?\d+\b|f(?<!\w.)lat ?\d+\b|u(?<!\w.)nit ?\d+\b"
    r"|r(?<!\w.)oom ?\d+\b|a(?<!\w.)pt ?\d+\b"
)
_FEW = re.compile(
    r"[前近这那过头]几(?:年|天|日|个月|周|次)|几(?:年|天|日|个月)前|好几|十几|几十(?!几)"
)
_PARTICLES = frozenset({"up", "in", "out", "down", "on", "off"})
MAX_WINDOWS = 4  # clause forms of one question ranked again (a rambling one has dozens)


def _split_phrasal(
    words: Iterable[str],
) -> tuple[re.Pattern[str] | None, list[tuple[re.Pattern[str], str]]]:
    """English phrasal verbs of `words` (sign up, fill in) with up to three words between verb
    and particle, as people write them ("sign my daughter up", "fill the form in"): each with
    what it is rewritten to, the verb and particle together and the words between after them;
    and one regex of their verbs, to pass over a clause that has none in one search."""
    pairs = [
        (verb, particle)
        for verb, particle in (w.split() for w in words if w.isascii() and len(w.split()) == 2)
        if particle in _PARTICLES
    ]
    if not pairs:
        return None, []
    verbs = re.compile(rf"\b(?:{'|'.join(sorted({re.escape(v) for v, _ in pairs}))})\s")
    return verbs, [
        (
            re.compile(rf"\b{re.escape(verb)}\s+((?:[a-z'’-]+\s+){{1,3}}?){particle}\b"),
            rf"{verb} {particle} \1",
        )
        for verb, particle in pairs
    ]


_HOW_HIGH_A_RATE = re.compile(
    r"(?:率|比例|比重|占比|增速|增幅|水平|指数)[^,，。?？]{0,3}(?:多高|几高)"
    r"|\bhow high (?:is|was|are|were) (?:the )?(?:[\w-]+ ){0,3}?(?:rate|ratio|share|percentage)s?\b"
)
_HOW_BIG_IN_MONEY = re.compile(
    r"how (?:big|large)\b[^?.!,]{0,60}\b(?:assets?|revenue|output|sales|economy|budget|investment)\b"
)
# a detail's words said of something else: how high a rate is (按时办结率有多高) is no building's
# height, how big the groups are in assets no floor area
# (每千常住人口有多少个托位 asks a rate per population, not the population)
_PER_POPULATION = re.compile(
    r"每(?:一|\d+)?[千万百十]?[个個]?(?:常[住驻])?人|千人|\bper (?:thousand|\d[\d,]*)\b"
)
# how many people live in the district, however phrased (常住人口现在有多少, 人口大概几多万)
_POPULATION = re.compile(
    r"(?<!就业)(?<!服务)(?<!老年)(?<!劳动)(?<!流动)(?<!户籍)人口(?:总数|总量|规模|数量|数)?"
    r"(?:现在|目前|而家|大概|大约|一共|总共)?(?:有|是|系|达到|约)?(?:多少|几多|几何|几万|几百万|几)"
    r"|(?:多少|几多)(?:常住)?人口"
    r"|\bpopulation of\b|\bwhat(?:'s| is) (?:the |its |haizhu's )?population\b"
    r"|\bhow (?:many people|big is the population)\b"
)
_NOT_THE_DETAIL = {
    "height": _HOW_HIGH_A_RATE,
    "area": re.compile(rf"{_HOW_BIG_IN_MONEY.pattern}|\bbay area\b"),  # (the Greater Bay Area)
    "population": _PER_POPULATION,
}
# what something costs its user, in the present (how much does a meal cost); what a project
# cost is its investment (how much did it cost)
_WHAT_IT_COSTS = re.compile(r"\bhow much (?:does|do|is|are) (?:[\w'-]+ ){0,5}?cost\b")
# when something will be done (啥时候能建好, 哪年开业, 要搞到什么时候, 完工时间, when will it open):
# a when-word and a word of finishing or opening, in either order, whatever the lexicon lists
_WHEN_WORD = (
    r"(?:什么时候|什么时间|啥时候|啥时|几时|何时|哪年|哪一年|哪个月|几月份|几月|几号(?!线)|哪天)"
)
_DONE_WORD = (
    r"(?:建好|建成|起好|完工|竣工|开业|开张|开放|开门|开园|开馆|开通|开(?!工|始|展|发|会|设|办|了几|支|建|拆|挖)|通车|贯通|交付|交楼|投用|"
    r"投入使用|启用|招生|开学|营业(?!额|收入)|落成|搞完|搞好|评到|评上|弄好|修好|入伙|收楼|上线|运营|完成|结束|"
    r"搞到|修到|建到|拖到|搞掂|搞定)"
)
_WHEN_DONE = re.compile(
    rf"{_WHEN_WORD}[^,，。;；?？!！]{{0,8}}?{_DONE_WORD}"
    rf"|{_DONE_WORD}[^,，。;；?？!！]{{0,6}}?{_WHEN_WORD}"
    r"|(?:完工|竣工|开业|通车|开学|招生|建成|开放|交付)(?:时间|日期)"
    r"|\bwhen\b[^.?!,]{0,70}?\b(?:open|opens|opening|finish|finished|complete|completed|done"
    r"|ready|launch|operational|be built|built)\b"
)
WHEN_DONE = "when_done"
# which of several had the most (哪个项目投资最多, 边条街研发投入最多, which district grew fastest)
_WHICH_MOST = re.compile(
    r"(?:哪个|哪家|哪间|哪条|哪所|哪一|边个|边间|边条|边度|边区|哪区|哪里)[^,，。;；?？!！]{0,10}?"
    r"(?:最多|最大|最高|最快|最少|最低|最强|最好|最差|最贵|最便宜|最旺|最弱)"
    r"|\bwhich\b[^.?!,]{0,40}?\b(?:the most|the highest|the largest|the biggest|the fastest|most)\b"
)
# what a month of it costs or pays (低保每个月有几多钱, 一个月要交多少钱): a price or a rate the
# report never gives (it gives a year's totals)
_PER_MONTH = re.compile(r"(?:每个?|(?<![十\d])一个)月[^,，。;；?？!！]{0,6}?(?:多少|几多|几)钱")
# details read from the words' structure, whatever phrases the lexicon lists (when defined there)
# what something will cost or cost (how much will the tunnels cost): its investment; what it
# costs its user now is a price (`_WHAT_IT_COSTS`)
_WHAT_IT_COST = re.compile(
    r"\bhow much (?:will|would|did|has|have|had|was|were) (?:[\w'-]+ ){0,5}?(?:cost|spend|invest)\b"
)
# each with the words one of which it needs, looked for first: most questions have none, and a
# plain `in` costs far less than the pattern
# how many of the district's own units there are, the thing last (海珠區有幾多條街道, 医院有几间):
# not a count of something of theirs (多少个社区卫生服务中心, 今年有几所学校建成, 覆盖了多少学校)
_DISTRICT_UNITS = (
    *("街道", "社区", "居委会", "居委", "医院", "大学", "养老院", "敬老院", "学校", "小学", "中学"),
    *("幼儿园", "公园", "河涌", "老旧小区", "地铁站"),
)
_UNITS_OF_THE_DISTRICT = f"(?:{'|'.join(_DISTRICT_UNITS)})"
_INVENTORY = re.compile(
    rf"有(?:多少|几多|几)\s*[个条间所家座]?\s*{_UNITS_OF_THE_DISTRICT}(?![\u4e00-\u9fff])"
    rf"|(?:^|(?<=海珠)|(?<=海珠区)|(?<=全区)|(?<=区内)|(?<=区里)|(?<=[,，\s]))"
    rf"{_UNITS_OF_THE_DISTRICT}(?:一共|总共)?有(?:多少|几多|几)\s*[个条间所家座]?(?![\u4e00-\u9fff])"
    r"|\bhow many (?:streets|communities|hospitals|universities|schools|care homes|nursing homes"
    r"|parks|kindergartens|metro stations|subway stations)\b(?:\s*\([^)]*\))?(?= (?:are there|does haizhu have"
    r"|in haizhu|altogether|in total)|\s*\??$)"
)
_STRUCTURAL = {
    WHEN_DONE: (
        ("时", "日期", "哪年", "哪一年", "哪个月", "几月", "几号", "哪天", "when"),
        _WHEN_DONE,
    ),
    "most": (("最", "which"), _WHICH_MOST),
    "investment": (("how much",), _WHAT_IT_COST),
    "price": (("月",), _PER_MONTH),
    "inventory": ((*_DISTRICT_UNITS, "how many"), _INVENTORY),
    "population": (("人口", "population"), _POPULATION),
}
_DAYS_ZH = ("今天", "今日", "听日", "明天", "明日", "后天", "此刻", "今晚", "今朝")
_DAYS_EN = ("today", "tomorrow", "tonight", "right now")
_DAY_WORDS = _DAYS_ZH + _DAYS_EN
# conditions of a day (今天空气怎么样, 听日会唔会落雨, is traffic bad right now): the report
# measures years, never today
_CONDITIONS_NOW = re.compile(
    rf"(?:{'|'.join(_DAYS_ZH)})[^,，。;；?？!！]{{0,6}}?"
    r"(?:空气|天气|塞车|堵车|堵不堵|塞不塞|落雨|下雨|气温|温度|aqi|pm2\.?5)"
    rf"|\b(?:{'|'.join(_DAYS_EN)})\b[^.?!,]{{0,30}}?\b(?:air|weather|traffic|rain|aqi)\b"
    rf"|\b(?:air|weather|traffic|aqi)\b[^.?!,]{{0,30}}?\b(?:{'|'.join(_DAYS_EN)})\b"
)
# ... unless compared with before: 今天 then means nowadays (今天的空气比以前好了吗)
_AGAINST_BEFORE = re.compile(r"以前|过去|往年|从前|比起|\bthan\b|\bcompared\b|\bago\b|\bused to\b")
# 同 as "and" between two things (托位同长者饭堂), not in a word (同比, 同时, 共同, 不同, 同学)
_TONG_AND = re.compile(
    r"(?<![共不相如连会陪协赞认一])同(?![比时步样期意学事类等一级行胞城年月日心盟业乡志伴屋住])"
)
# the report the bot answers from (what challenges does the report mention), no report to file
_THE_REPORT = re.compile(
    r"(?<!file )(?<!submit )(?<!lodge )(?<!make )(?<!send )(?<!write )"
    r"\b(?:the|this|that|your|its|whole) report\b|\breport's\b"
)
# the asker as whom something is told or given (能不能告诉我, 给我列一下, 俾我睇下): asking, not
# their own case
_NOT_PAID = r"(?!多少|几多|几钱|发钱|发补贴|补贴|补助|奖励|钱|分到|分多少|安排工作)"
_TO_ME = re.compile(
    r"告诉我|告诉下我|话我|话俾我|帮我|同我|跟我|为我|替我|麻烦我|请我|让我"
    # given to the asker: told (给我讲讲, 给我分析一下), not paid (给我多少奖励, 俾我几多补贴)
    rf"|给我{_NOT_PAID}|俾我{_NOT_PAID}"
)
SUBJECTLESS = 4  # characters before 能不能 when its subject is kin (孩子, 屋企人, 小朋友)
# a clause that only asks how or whom, after a clause that names the procedure (我想预约家庭医生，
# 怎么弄; 想申请一个起降点，找谁; I want to book a family doctor. How?)
_HOW_ALONE = re.compile(
    r"(?:那|请问|应该|要|该|我)?(?:(?:怎么|怎样|如何|点样|点|咋)(?:弄|搞|做|办|整|处理|操作)?"
    r"|找谁|找边个|问谁|揾边个|去哪里?|去边度|边度"
    r"|(?:找|揾|问|去|向)?(?:边个|哪个|什么|咩)(?:部门|单位|窗口|机构)(?:负责|管|处理|受理)?)"
    r"(?:才行|才可以|先|好|呢|啊|呀|吖|㗎|啦|[?？ ])*"
    r"|(?:so |and |but )?(?:how|how do i do (?:it|that)|who do i (?:contact|ask|call)"
    r"|which department|where do i go)[ ?.!]*"
)
_NOT_HOW = re.compile(r"怎么样|怎样的|怎么会|怎么这么|如何评价|咋样|咋回事")
# an event held somewhere (艺术展在哪里办, 马拉松赛喺边度办): where it is, not where to apply
_EVENT_HELD = re.compile(
    r"(展|展会|展览|博览会|交易会|运动会|音乐节|文化节|美食节|比赛|赛事|活动|论坛|典礼|马拉松)"
    r"(?:是|系)?(?:在|喺|去)?(?:哪里|哪儿|哪|边度)举?办(?![理证事])"
)
# words that ask for a figure or a place: not a question whether something was done
_FIGURE_ASK = r"多少|几|哪|什么|怎|咩|边度|how many|how much|what|which|when|where"
_FIGURE_ASK_RE = re.compile(_FIGURE_ASK)
# possessives and contractions: haizhu's, we're, they've; a negated auxiliary (don't) goes whole
_POSSESSIVE = re.compile(r"\b[a-z]+n['’]t\b|(?<=[a-z])['’](?:s|re|ve|ll|d|m)\b")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
_LETTER_BY_DIGIT = re.compile(r"[a-z]\d|\d[a-z]")  # (where `_LETTER_DIGIT` has work: few texts)
# A word: letters and digits, with a point only inside a figure (6.18); what `_PUNCT_OR_SPACE`
# splits on is everything else.
_WORD = re.compile(r"[^\W_]+(?:\.(?<=\d\.)(?=\d)[^\W_]+)*")
# A figure as people quote it: digits, maybe with 万/亿 as the report writes them (9万, 3.23万).
BARE_MAX = 24  # characters: a bare fragment is short (还有呢, what else, more details please)
_FIGURE = re.compile(r"\d(?<![\d.]\d)\d*(?:\.\d+)?(?:万|亿)?(?![\d.])")
_NUMBER = re.compile(r"\d(?<![\d.]\d)\d*(?:\.\d+)?(?![\d.])")
_YEAR_WORDS = re.compile(
    r"2(?<![\d.]2)0[0-3]\d" + _NOT_A_YEAR_AFTER + r"年?|去年|上年|前年|今年|明年|本年"
)
# Clauses, each with its question mark if it has one; in Chinese a space also ends a clause.
# 6.18 is no full stop, 12:30 no colon; a dash with a space each side parts clauses, as a colon
# does (稿子里要核实两个数：税收总额是多少)
# (an emoji ends a clause as a full stop does in a chat: 海珠托位有多少😭天河那边排了半年)
_CLAUSE = re.compile(
    r"(?:[^,，。;；?？!！\n.:：\-\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D]|\.(?=\S)"
    r"|:(?=\d)|-(?!\s)|(?<!\s)-)+"
    r"[?？]?"
)
_SPACE_BY_CHINESE = re.compile(r"\s(?:(?<=[\u3400-\u9fff]\s)\s*|\s*(?=[\u3400-\u9fff]))")
# "全市排第几 / 全省第一 / 占全市": a rank or share among the wider area, still about Haizhu.
_RANKING = re.compile(
    # (and an honour: 全市唯一, 全省首批, 全国先进集体, 一线城市首家)
    r"(?:全(?:市|省|国)|一线城市)(?=排|第|前列|领先|领跑|名列|唯一|首|率先|最早|先进|示范)"
    r"|全(?:(?<=领跑全)|(?<=领先全)|(?<=位居全)|(?<=名列全)|(?<=占全))(?:市|省|国)"
)
# single characters typed apart (天 河 区), not words with a space between (今天 河涌)
# words that say a place is only where the asker means (南武中学附近, 客村那边)
# (嗰 folds to 𠮶, as OpenCC writes it: both, for regexes over raw and folded text)
NEAR = (
    "附近|周边|周围|一带|那一带|这一带|嗰一带|呢一带|那边|这边|旁边|嗰边|嗰度|呢边|嗰头"
    "|𠮶一带|𠮶边|𠮶度|𠮶头|那片|这片|那一片|这一片|𠮶片"
)
# words of a year that, after a name starting a clause, tell it says where (新市去年, 天荷今年)
YEAR_AFTER_NAME = r"去年|今年|前年|明年|上年|旧年|舊年|(?:19|20)\d\d年?"
# what may stand just before a name that starts a clause (那, 在, 问 …: 那新市去年呢)
_CLAUSE_OPENERS = frozenset(",，。;；?？!！ 那咁在喺问")
_OPENER = re.compile("[" + "".join(sorted(_CLAUSE_OPENERS)) + "]")


def _a_persons_name(text: str, start: int, end: int) -> bool:
    """Whether a place's name at text[start:end] is said as a person's (林芝阿姨, 我叫吴江, 我是万宁，)
    or a dish's or a brand's named for the place (兰州拉面, 顺德菜馆, Beijing duck)."""
    return bool(
        _TITLE_AFTER.match(text, end)
        or _NAMED_BEFORE.search(text, 0, start)
        or (
            _SELF_BEFORE.search(text, 0, start)
            and _PAUSE.match(text, end)
            and _HAIZHU_AFTER.search(text, end) is not None
        )
        or _DISH_AFTER.match(text, end)
    )


def _every_mention(place: str, text: str, holds: Callable[[int], bool]) -> bool:
    """Whether the text names the place, and `holds` at each place it does (its start)."""
    at = text.find(place)
    if at < 0:
        return False
    while at >= 0:
        if not holds(at):
            return False
        at = text.find(place, at + len(place))
    return True


def _only_negated(place: str, text: str) -> bool:
    """Whether every time the text names the place, a negation stands just before it."""
    return _every_mention(
        place, text, lambda at: bool(_NOT_BEFORE.search(text, max(0, at - 16), at))
    )


def _names_alone(clause: str, places: Words | None) -> bool:
    """Whether a clause is a place's name and nothing else (an apposition: …, Panyu, …)."""
    found = places.search(clause) if places is not None else None
    return found is not None and found.group() == clause.strip(" ()（）")


def _only_within(place: str, text: str, spans: list[tuple[int, int]]) -> bool:
    """Whether the text names the place only inside the spans."""
    end = len(place)
    return bool(spans) and _every_mention(
        place, text, lambda at: any(a <= at and at + end <= b for a, b in spans)
    )


def _only_before(place: str, text: str, after: re.Pattern[str]) -> bool:
    """Whether each time the text names the place, `after` follows it at once."""
    end = len(place)
    return _every_mention(place, text, lambda at: bool(after.match(text, at + end)))


def starts_clause(text: str, at: int) -> bool:
    """Whether what stands at `at` starts a clause of the text (or follows 那, 在, 问 …)."""
    return at == 0 or text[at - 1] in _CLAUSE_OPENERS


# words of `wider_before` that join a name to anything (广州的, 广州有): no figure asked by them
_JOINING = frozenset({"的", "嘅", "有", "呢", "'s", "’s"})
# words that make a name a place (大石街, 新市镇)
_AREA_WORDS = ("街道", "街", "镇", "片区", "地区")
# words after a landmark's name that say where as NEAR does (东塔里面, 广外所在的区)
_WITHIN = ("所在", "里面", "里头", "入面", "嗰区", "那个区", "嗰个区", "那区")
# a campus, a road or a metro station of a landmark between its name and a word of where (广外北
# 校区附近, 省中医大德路那边, 淘金站附近; not 城市一站式)
_CAMPUS = "(?:[东南西北新老主]?校区|院区|本部|站(?:出来|出口)?|[\u4e00-\u9fff]{1,3}路)?"
_SPACED_OUT = re.compile(r"(?<![\u4e00-\u9fff])(?:[\u4e00-\u9fff] +){2,}[\u4e00-\u9fff]")
# another place named only to say where Haizhu is, or what it is not (越秀区隔壁的海珠区, 和荔湾隔江的
# 海珠, 海珠（不是珠海）)
_BESIDE_HOME = re.compile(
    r"[\u4e00-\u9fff]{2,4}(?:隔壁|隔江|隔河|旁边|对面|附近|边上)的?(?=海珠)|(?<=海珠)[（(]不是[\u4e00-\u9fff]{2,3}[）)]"
)
# Haizhu set against a wider area (海珠托位比全市平均高吗, 和全国平均比): the wider area's figure
# is asked too, which the report never gives
_WIDER_AREA = r"(?:全市|全省|全国|广州市?|广东省?|全中国|国家)"
# Haizhu named only to say it is not what is asked (不是海珠，是荔湾; 别给我海珠的; not Haizhu -
# Tianhe please): the other places of the question are asked about
_NOT_HOME = re.compile(
    r"(?:(?<!是)不是|唔系|不问|唔问|别给我|唔好俾我|不要|唔要|除了|除咗|不计|唔计|不算|唔算|不住|唔住|不在"
    r"|唔喺)海珠(?![湿湖桥广中北南体岛涌])"
    r"|(?:别|唔好)(?:给|俾)(?:我)?海珠|海珠[^,，。]{0,6}(?:别给我|别俾我|唔好俾我|不要了|唔要)"
    r"|海珠(?:之外|以外)|\bnot (?:in |for |about )?haizhu\b|\bexcept haizhu\b|\bother than haizhu\b"
)
_AGAINST_WIDER = re.compile(
    rf"(?:比|对比|相比|高于|低于|快于|慢于){_WIDER_AREA}"
    # (和 alone says together: 跟全市同步推进; with 比 after it, compared with)
    rf"|(?:和|跟|同|与){_WIDER_AREA}(?:的)?(?:平均|水平|均值)?(?:数|值)?(?:相?比|比较|对比)"
)
# where a rank is ranked (在全市排第几), in a fragment: a side of the topic, no place
_RANKED_IN = re.compile(rf"在(?:{_RANKING.pattern})|{_RANKING.pattern}")
# English stop words: grammar words go before the lexicon's terms are looked up a second time;
# weak content words ("added", "new") after it, so "classes were added" still holds the term
# "class added" but a bare "added" does not make two questions look alike.
EN_GRAMMAR = frozenset(
    [
        "a",
        "an",
        "the",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "do",
        "does",
        "did",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "and",
        "or",
        "what",
        "which",
        "how",
        "many",
        "much",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "there",
        "their",
        "its",
        "it",
        "that",
        "these",
        "those",
        "has",
        "have",
        "had",
        "by",
        "with",
        "about",
        "please",
        "me",
        "i",
        "you",
        "your",
        "we",
        "our",
        "us",
        "any",
        "some",
        "can",
        "could",
        "would",
        "will",
        "shall",
        "should",
        "may",
        "might",
        "must",
        "am",
        "being",
        "they",
        "them",
        "he",
        "she",
        "his",
        "her",
        "my",
        "from",
        "into",
        "as",
        "if",
        "than",
        "up",
    ]
)
_EN_WEAK = frozenset(
    [
        "district",
        "haizhu",
        "guangzhou",
        "new",
        "last",
        "this",
        "next",
        "year",
        "years",
        "number",
        "total",
        "added",
        "add",
        "created",
        "built",
        "get",
        "got",
        "tell",
        "know",
        "done",
        "so",
        "far",
        "yet",
        "currently",
        "now",
        "still",
        "kindly",
        "grateful",
        "obliged",
        "wonder",
        "wondering",
        "curious",
        "appreciate",
    ]
)
_EN_STOPWORDS = EN_GRAMMAR | _EN_WEAK
# where the question is asked about goes with the grammar words, so the words around it meet
# as a term (toddler care haizhu: how many spots -> 托育 place -> 托位)
_EN_HOME = frozenset(["haizhu", "guangzhou"])


Script = Literal["simplified", "traditional"]


# a question's texts are folded again by the steps after normalising (the joined follow-up,
# each clause, the guards): the last few are kept. Few enough that no question set is a cache.
RECENT_FOLDS = 16


@lru_cache(maxsize=RECENT_FOLDS)
def to_simplified(text: str) -> str:
    if text.isascii():
        return text  # (OpenCC converts Chinese characters only)
    if (
        _T2S_CHANGES is not None
        and _T2S_CHANGES[0].isdisjoint(text)
        and (_T2S_PHRASES is None or _T2S_PHRASES.search(text) is None)
    ):
        return text  # (most questions: simplified already)
    return str(_T2S.convert(text))


# words OpenCC's segmentation converts wrongly (关爱困境 read as 关爱困 "sleepy", then 境)
_S2T_FIXES = {"睏境": "困境"}


def to_traditional(text: str) -> str:
    out = str(_S2T.convert(text))
    for wrong, right in _S2T_FIXES.items():
        out = out.replace(wrong, right)
    return out


def fold(text: str) -> str:
    """Width, case and script folding only (no removals)."""
    return to_simplified(unicodedata.normalize("NFKC", text).lower())


def detect_lang(text: str) -> Literal["zh", "en"]:
    """English when the English words carry the sentence: no Chinese at all, or at least two
    English words for every four Chinese characters ("When will 琶洲南学校 open?" is English,
    "GDP多少" and "AI大模型怎么样" are Chinese)."""
    folded = unicodedata.normalize("NFKC", text).lower()
    if _LATIN.search(folded) is None:
        return "zh"
    cjk = len(_CJK.findall(folded))
    if cjk == 0:
        return "en" if _THREE_LETTERS.search(folded) else "zh"
    words = len(_LATIN_WORD.findall(folded))
    return "en" if words >= 2 and 2 * words >= cjk else "zh"


_SCALED = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?) ?(billion|million|bn)\b")
_SCALE = {"billion": ("亿", 10), "bn": ("亿", 10), "million": ("万", 100)}


def _in_chinese_units(folded: str) -> str:
    """English figures in the report's units: 70 billion -> 700亿, 1.2 million -> 120万 (else a
    quoted "70 billion yuan" would point at the answers that show 70)."""
    if "illion" not in folded and "bn" not in folded:
        return folded

    def chinese(m: re.Match[str]) -> str:
        unit, times = _SCALE[m.group(2)]
        return f"{round(float(m.group(1)) * times, 6):g}{unit}"

    return _SCALED.sub(chinese, folded)


def _clauses(folded: str) -> list[str]:
    spaced = folded if folded.isascii() else _SPACE_BY_CHINESE.sub(",", folded)
    return [c for c in _CLAUSE.findall(spaced) if c.strip()]


def _is_english(folded: str) -> bool:
    return _LATIN.search(folded) is not None and _CJK.search(folded) is None


def has_chinese(text: str) -> bool:
    return _CJK.search(text) is not None


def split_scripts(text: str) -> tuple[str, str]:
    """(the text without its Chinese runs, the Chinese runs joined by spaces)."""
    return _CJK_RUN.sub(" ", text), " ".join(_CJK_RUN.findall(text))


# characters a traditional converter changes that Hong Kong writes as they are (the particle 晒 of
# 多謝晒, 唔該晒): no sign of a simplified writer
_HONG_KONG_AS_IS = frozenset("晒")


def detect_script(text: str) -> Script:
    """Traditional when more characters are traditional-only than simplified-only."""
    if text.isascii():
        return "simplified"
    return _script(text, to_simplified(text))


_LATIN_RUN = re.compile(r"[A-Za-z]+")
ACRONYM_MAX = 4  # capitals in a row read as an acronym (GDP, AQI, PM)


def tells_lang(text: str) -> bool:
    """Whether a text says which language it is in: Chinese characters, or three Latin letters
    ("ok", "PM10?" and "1" say nothing: after an English answer they are English)."""
    plain = unicodedata.normalize("NFKC", text)
    if _CJK.search(plain) is not None:
        return True
    # (GDP?, AQI?: an acronym of a few capitals is said in any language)
    words = [w for w in _LATIN_RUN.findall(plain) if not (w.isupper() and len(w) <= ACRONYM_MAX)]
    return _THREE_LETTERS.search(" ".join(words).lower()) is not None


def tells_script(text: str) -> bool:
    """Whether some character of a text is written differently in the other script (咁前年呢
    is the same in both: it says nothing of the asker's script)."""
    return not text.isascii() and (to_simplified(text) != text or to_traditional(text) != text)


def _script(text: str, simplified: str) -> Script:
    if simplified == text:
        return "simplified"
    trad = sum(a != b for a, b in zip(text, simplified, strict=False))
    simp = sum(
        a != b and a not in _HONG_KONG_AS_IS
        for a, b in zip(text, to_traditional(text), strict=False)
    )
    return "traditional" if trad > simp else "simplified"


@dataclass(frozen=True, slots=True)
class Normalized:
    """A question after normalisation, with what the scope guard needs."""

    text: str
    years: frozenset[int]
    numbers: tuple[str, ...]
    places: tuple[str, ...]
    personal: bool
    offtopic: bool = False
    clauses: tuple[str, ...] = ()  # folded, for the steps that read a question clause by clause
    script: Script = "simplified"  # the question's, as `detect_script` tells it
    about_figure: bool = False  # asks only what a quoted figure (`numbers`) is
    # time, resolved against today's date by the engine (bot.engine.when): `years` above are
    # the years written out; these are offsets from this year / this month (去年 -1, 上个月 -1)
    relative_years: frozenset[int] = frozenset()
    relative_months: frozenset[int] = frozenset()
    now: bool = False  # asks for the state of things now (目前, 现在, so far, 实际)
    asks_done: bool = False  # asks whether something was done (建成了吗, did they reach)
    procedure: bool = False  # asks how or where to do something (怎么报名, what documents)
    request: bool = False  # asks the bot to do something else (写诗, tell a joke)
    bare: bool = False  # a fragment and nothing else (还有呢, 具体点, go on): no topic of its own
    details: frozenset[str] = frozenset()  # details asked (height, area …: lexicon `details`)
    # the question's own words, folded (`fold`): a follow-up's, not the joined text's
    folded: str = ""
    # places of Haizhu's named only as where the asker means (南武中学附近): not matched
    near: tuple[str, ...] = ()


_EXAMPLE_CACHE: dict[tuple[str, str], str] = {}
_DISK_CHECKED: set[str] = set()  # lexicon keys whose examples were looked for on disk
# What normalised text depends on besides the lexicon: this module's code, OpenCC's tables and
# Unicode's (NFKC). Part of the disk cache's key.
_CODE_VERSION = hashlib.sha256(
    b"|".join(
        [
            Path(__file__).read_bytes(),
            Path(_words.__file__).read_bytes(),  # how lexicon words are found
            Path(_dictionary.__file__).read_bytes(),  # which words are real English words
            str(getattr(spellchecker, "__version__", "")).encode(),
            str(getattr(opencc, "__version__", "")).encode(),
            str(getattr(rapidfuzz, "__version__", "")).encode(),  # the English spelling step
            sys.version.encode(),
            unicodedata.unidata_version.encode(),
        ]
    )
).hexdigest()[:16]


def _either(words: list[str]) -> str:
    """A regex of the words, folded, longest first."""
    return "|".join(re.escape(w) for w in sorted(map(fold, words), key=len, reverse=True))


def _before(names: list[str], after: str, *, latin: bool = True) -> re.Pattern[str] | None:
    """The names, each found only where the regex `after` follows it (the name alone is the
    match). The names are a trie (a list of hundreds is tried in a few steps at a position);
    without `latin`, Latin names are left out (to an English pattern of their own)."""
    names = [n for n in map(fold, names) if latin or not n.isascii()]
    if not names or not after:
        return None
    return re.compile(f"((?:{factored(names)}))(?={after})")


class Normalizer:
    """Applies one lexicon's synonyms, fillers and particles; built once per content load."""

    def __init__(self, lexicon: Lexicon) -> None:
        self._key = hashlib.sha256(lexicon.model_dump_json().encode()).hexdigest()
        self._canonical: dict[str, str] = {}
        for canonical, variants in lexicon.synonyms.items():
            # A canonical word maps to itself, so a longer canonical word is never rewritten by a
            # shorter variant inside it (广东实验中学 stays, though 广东实验 is a variant of it).
            self._canonical.setdefault(_stem_latin(fold(canonical)), fold(canonical))
            for variant in variants:
                self._canonical[_stem_latin(fold(variant))] = fold(canonical)
        self._synonyms = _alternation(self._canonical)
        # English texts are words joined by single spaces: their terms are found word by word,
        # the longest term starting at each word (what `_synonyms` finds there, without a regex
        # scan of every letter). First word -> the terms' lengths in words, longest first.
        lengths: dict[str, set[int]] = {}
        for term in self._canonical:
            words = term.split(" ")
            lengths.setdefault(words[0], set()).add(len(words))
        self._term_lengths = {w: sorted(n, reverse=True) for w, n in lengths.items()}
        # English words the lexicon knows, for spelling slips in English questions (not stop
        # words: "thank" is no slip of "than")
        self._vocabulary = frozenset(
            w
            for term in self._canonical
            for w in term.split()
            if _LATIN.match(w) and w.isalpha() and w not in _EN_STOPWORDS
        )
        self._vocabulary_list = sorted(self._vocabulary)
        # per word length: the words a slip of `_spelling_limit` edits could reach (an edit
        # changes the length by at most one), in the same order
        self._vocabulary_near: dict[int, list[str]] = {}
        self._spelled: dict[str, str] = {}
        self._forms: dict[str, str] = {}  # a question's word -> its stemmed, spelled form
        self._fillers = _alternation(fold(f) for f in lexicon.fillers)
        self._particles = re.compile(
            "[" + "".join(re.escape(fold(p)) for p in lexicon.particles) + "]"
            if lexicon.particles
            else r"(?!x)x"
        )
        self._place_names = [fold(place) for group in lexicon.places.values() for place in group]
        self._places = _alternation(self._place_names)
        # (and the wider areas' names: 中国 in 中国香港, one word to the segmenter)
        self._listed_names = frozenset(
            [*self._place_names, *(fold(n) for n in lexicon.wider_names)]
        )
        # China's provinces, prefectures and counties, each another place only where the text
        # has it as a word of its own (`_gazetteer_found`); not spelled in English
        self._gazetteer = _alternation(fold(n) for n in lexicon.gazetteer)
        self._gazetteer_starts = frozenset(fold(n)[:2] for n in lexicon.gazetteer)
        if self._gazetteer is not None or self._places is not None:
            segmenter()  # (loaded with the first engine, not on the first question needing it)
        # the pinyin names of other places said as where in English (in Yuancun), set with the
        # English examples (`know_examples`)
        self._areas_as_where_en: Words | None = None
        self._written_en: frozenset[str] = frozenset()
        self._counties_only_en: frozenset[str] = frozenset()
        # the districts and cities a slip may name (天和区 for 天河区), by how they sound
        self.place_sounds: dict[str, str] = {
            to_pinyin_codes(name): name for name in map(fold, lexicon.sound_alike) if len(name) == 2
        }
        # ... and by their exact syllables, for a name with no 区 or 市 after it (天荷去年: the
        # folded sounds are too loose there, 真诚 sounds like 增城), looked for in a text's codes
        self.place_exact_sounds: dict[str, str] = {
            to_exact_codes(name): name for name in map(fold, lexicon.sound_alike) if len(name) == 2
        }
        self.place_exact_in = (  # (a lookahead: every position one starts at, overlapping)
            re.compile(f"(?=({'|'.join(map(re.escape, self.place_exact_sounds))}))")
            if self.place_exact_sounds
            else None
        )
        self._home = _alternation(fold(h) for h in lexicon.home)
        # Haizhu, its streets and villages, and names in it that hold another place's name
        # (中山大学, 南海心沙): no other place
        inside = [fold(h) for h in [*lexicon.home, *lexicon.inside]]
        self._inside = _alternation(inside)
        # another place whose name holds one of Haizhu's (江海区 is Jiangmen's, 江海 a street of
        # Haizhu; 中大北校区 is in Yuexiu): the longer name is the place said
        others = {fold(p) for group in lexicon.places.values() for p in group}
        self._holding_inside = frozenset(
            p for p in others if any(h in p and h != p for h in inside if h)
        )
        self._inside_or_holding = _alternation([*inside, *self._holding_inside])
        self._places_inside = _alternation(fold(h) for h in lexicon.inside)
        self._personal = _alternation(fold(p) for p in lexicon.personal)
        self._asks = _alternation(fold(p) for p in lexicon.asks)
        self._personal_asks = _alternation(fold(p) for p in lexicon.personal_asks)
        self._own_case_asks = _alternation(fold(p) for p in lexicon.own_case_asks)
        self._district_names = _alternation(fold(p) for p in lexicon.district_names)
        self._joins = _alternation(fold(p) for p in lexicon.joins)
        self._figure_asks = _alternation(fold(p) for p in lexicon.figure_asks)
        self._district = _alternation(fold(p) for p in [*lexicon.district, *lexicon.home])
        self._offtopic = _alternation(fold(p) for p in lexicon.offtopic)
        self._figure_refs = _alternation(fold(p) for p in lexicon.figure_refs)
        self._wider = _alternation(fold(p) for p in lexicon.wider)
        self._wider_names = _before(lexicon.wider_names, _either(lexicon.wider_before))
        figures = [w for w in lexicon.wider_before if w.strip() not in _JOINING]
        self._wider_figure_names = _before(
            lexicon.wider_figure_names,
            f"(?:{_either(list(_JOINING))})?(?:{_either(figures)})|有(?:几|多少)"
            # (said as where, or ending a follow-up: 大湾区嗰边, 内地呢)
            f"|(?:{_either(NEAR.split('|'))})|(?:的|嘅)?呢(?:[?？,，。!！\\s]|$)",
        )
        self._areas_as_where = _before(
            [*lexicon.areas_as_where, *lexicon.landmarks_as_where],
            f"{_CAMPUS}(?:{_either([*NEAR.split('|'), *_AREA_WORDS, *_WITHIN])})"
            # (a follow-up's place: 新市呢, 鹤龙嘅呢)
            r"|(?:的|嘅)?呢(?:[?？,，。!！\s]|$)",
            latin=False,  # (English names as where: `_areas_as_where_en`)
        )
        # (新市去年新增多少学位: such a name starting a clause, before a year, says where too)
        # (the gazetteer's names that are words: not before 呢, a follow-up asks 新建呢 of what
        # is new-built)
        self._gazetteer_as_where = _before(
            lexicon.gazetteer_as_where,
            f"{_CAMPUS}(?:{_either([*NEAR.split('|'), *_AREA_WORDS, *_WITHIN])})",
        )
        # (and before a figure asked: 大同新增学位多少, 北海的GDP, 古镇有几个长者饭堂; what is
        # asked of a place: a figure word of `wider_before`, or a topic of the report's)
        asked = f"{YEAR_AFTER_NAME}|(?:的|嘅)?(?:{_either([*figures, *_TOPIC_AFTER_NAME])})"
        self._areas_then_figure = _before(
            [*lexicon.areas_as_where, *lexicon.gazetteer_as_where], f"{asked}|有(?:几|多少)"
        )
        # (a landmark too, in a question that does not name Haizhu: 执信新增学位多少, 华工去年的
        # 研发; 华工去年和海珠合作 tells of a partner)
        self._landmarks_then_figure = _before(
            [n for n in lexicon.landmarks_as_where if not n.isascii()], f"{asked}|有(?:几|多少)"
        )
        # (and before its GDP: 深的GDP去年多少; no word begins with 的gdp)
        self._abbreviations_then_year = _before(
            lexicon.abbreviations, f"{YEAR_AFTER_NAME}|(?:的|嘅)?gdp"
        )
        self._starts_of_areas = frozenset(
            fold(n)[:2]
            for n in [
                *lexicon.areas_as_where,
                *lexicon.gazetteer_as_where,
                *(n for n in lexicon.landmarks_as_where if not n.isascii()),
            ]
        )
        # a wider area's name that only says where a place of Haizhu's is: just before it
        # (广州的琶洲), or after 在 in a question about one (琶洲会展在广州…)
        names = "|".join(re.escape(fold(w)) for w in lexicon.wider_names)
        self._locating = (
            re.compile(f"(?:{names})(?:的|嘅|市|\\s)*(?={self._inside.pattern})")
            if self._inside and names
            else None
        )
        self._in_wider = re.compile(f"(?:在|喺|\\bin )(?:{names})") if names else None
        self._relative_years = {fold(w): n for w, n in lexicon.relative_years.items()}
        self._relative_months = {fold(w): n for w, n in lexicon.relative_months.items()}
        self._year_words = _alternation(self._relative_years)
        # the Chinese year words that leave a question's text as its years do (旧年, 出年), a
        # half year aside (上半年 says more than a year)
        self._year_names = _alternation(
            w for w in self._relative_years if has_chinese(w) and "半" not in w
        )
        self._month_words = _alternation(self._relative_months)
        self._now_words = _alternation(fold(w) for w in [*lexicon.now_words, *lexicon.actual_words])
        aux = _alternation(fold(w) for w in lexicon.done_aux)
        en_verbs = _alternation(fold(w) for w in lexicon.done_verbs_en)
        # "Has the computing power reached 6000P?": an auxiliary first, a done verb later
        self._done_en = (
            re.compile(f"^(?:{aux.pattern}).*(?:{en_verbs.pattern})") if aux and en_verbs else None
        )
        self._done_phrases = _alternation(fold(w) for w in lexicon.done_phrases)
        verbs = _alternation(fold(w) for w in lexicon.done_verbs)
        particles = "[" + "".join(re.escape(fold(p)) for p in lexicon.particles) + "]"
        tails = _alternation(fold(w) for w in lexicon.done_tails)
        # a done verb, a few characters (not a question word: 完成投资多少吗 asks a figure),
        # and a done tail that ends the clause: 建成了吗, 达到60%了没有, 开业咗未
        self._done = (
            re.compile(
                f"(?:{verbs.pattern})(?:(?!{_FIGURE_ASK})[^,，。;；?？!！\\s]){{0,8}}?"
                f"(?:{tails.pattern})(?={particles}*(?:[?？。!！,，;；\\s]|$))"
            )
            if verbs and tails
            else None
        )
        self._procedure_asks = _alternation(fold(w) for w in lexicon.procedure_asks)
        self._procedure_words = _alternation(fold(w) for w in lexicon.procedure_words)
        starts = sorted({fold(w) for w in lexicon.clause_starts if w}, key=len, reverse=True)
        self._clause_starts = re.compile("|".join(re.escape(w) for w in starts)) if starts else None
        self._procedure_ends = tuple(sorted({fold(w) for w in lexicon.procedure_ends if w}))
        self._procedure_phrases = _alternation(fold(w) for w in lexicon.procedure_phrases)
        self._costs = _alternation(fold(w) for w in lexicon.costs)
        self._detail_of = {fold(w): name for name, d in lexicon.details.items() for w in d.asks}
        self._details = _alternation(self._detail_of)
        # each structural detail's words as one regex (found as substrings, as `in` finds them)
        self._structural = [
            (n, re.compile("|".join(map(re.escape, words))), pattern)
            for n, (words, pattern) in _STRUCTURAL.items()
            if n in lexicon.details
        ]
        self._requests = _alternation(fold(w) for w in lexicon.requests)
        self._fragments = _alternation(fold(w) for w in lexicon.fragments)
        self._aspects = _alternation(fold(w) for w in lexicon.aspects)
        self._dismissals = _alternation(fold(w) for w in lexicon.dismissals)
        self._procedure_latin = frozenset(
            w for w in map(fold, lexicon.procedure_words) if w.isascii() and len(w) >= 5
        )
        self._phrasal_verbs, self._split_phrasal = _split_phrasal(
            fold(w) for w in lexicon.procedure_words
        )
        self._lexicon = lexicon
        self._examples: tuple[str, ...] = ()
        self._near_unnamed: re.Pattern[str] | None = None
        self._near_unnamed_en: re.Pattern[str] | None = None
        self._inside_elsewhere: re.Pattern[str] | None = None
        self._inside_en: re.Pattern[str] | None = None

    def know_examples(
        self, texts: Iterable[str], answers: Iterable[str] = (), english: Iterable[str] = ()
    ) -> None:
        """The Chinese examples' matching forms: a scope word that sounds like other words of
        them (福建 and 复建 are both "fujian") is not looked for in questions typed in pinyin;
        a place of Haizhu's that none of them nor any answer (`answers`, folded) names only
        says where (see `NEAR`), and so does its pinyin name after "near" in English when no
        English example (`english`, folded) nor answer writes it (near Kecun). Called once,
        while the engine is built."""
        self._examples = tuple(texts)
        answers = list(answers)
        said = "\n".join([*self._examples, *answers])
        inside = {fold(p) for p in self._lexicon.inside if not fold(p).isascii()}
        named = {p for p in inside if p in said}
        # (琶洲塔 holds 琶洲, a place the answers name: near it is near Pazhou)
        unnamed = [p for p in inside - named if not any(n in p for n in named)]
        # (Haizhu's places as English writes them, Xiaogang Park, Xiaozhou Village: left out of
        # a scene told in English, as `inside` is of one told in Chinese)
        spelled_inside = sorted(
            {sp for sp in map(spelled, inside) if sp and len(sp) >= NEAR_NAME_MIN}, key=len
        )[::-1]
        self._inside_en = (
            re.compile(
                rf"\b(?:{'|'.join(spelled_inside)})(?:\s+(?:park|village|street|lake|island"
                r"|tower|road|area|wetland))?\b"
            )
            if spelled_inside
            else None
        )
        words = _alternation(unnamed)
        self._near_unnamed = (
            re.compile(f"({words.pattern})(?:{NEAR})") if words is not None else None
        )
        # (Haizhu has no counties or towns of its own: a name of Haizhu's with one of those kinds
        # is the place of that name elsewhere, 凤阳县, 南洲镇, unless Haizhu's content writes it
        # so. 区 is a zone too, 琶洲会展区, 客村区: only a district of that name elsewhere, as the
        # gazetteer keeps it, 滨江区, 龙凤区.)
        elsewhere = (
            {
                n + kind
                for n in inside
                for kind in _KINDS_ELSEWHERE
                if n + kind not in said and "海珠" not in n  # (广州海珠区 is Haizhu)
            }
            | {
                g
                for g in map(fold, self._lexicon.gazetteer)
                if g[-1:] in "区县市" and g[:-1] in inside and g not in said
            }
        )
        self._inside_elsewhere = (
            re.compile("|".join(map(re.escape, sorted(elsewhere, key=len, reverse=True))))
            if elsewhere
            else None
        )
        said_en = "\n".join([*english, *answers])
        names = {
            name
            for name in filter(None, map(spelled, unnamed))
            if len(name) >= NEAR_NAME_MIN and name not in said_en  # (kecun, Kecun's, kecun-area)
        }
        self._near_unnamed_en = (
            re.compile(
                rf"\b(?:near|around|close to|next to)\s+(?:the\s+)?"
                rf"({'|'.join(sorted(names, key=len, reverse=True))})\b"
            )
            if names
            else None
        )
        self._spell_places(said_en, {*map(spelled, inside), *names}, to_exact_codes(said))

    def _spelled_as_where(self, text: str) -> list[str]:
        """Other places' pinyin names said as where in English (in Yuancun, Jingtai area)."""
        names = self._areas_as_where_en
        if names is None or not _LATIN.search(text):
            return []
        return [
            m.group()
            for m in names.finditer(text)
            # (a road's or a bridge's name, near Qianjin Road, Haiyin Bridge: Haizhu has such
            # roads; a person's given name after the family name, Xi Jinping)
            if not (
                (road := _ROAD_AFTER_EN.match(text, m.end())) is not None
                and (road.group(1) != "street" or m.group() in self._counties_only_en)
            )
            and not _FAMILY_NAME_BEFORE_EN.search(text, 0, m.start())
            and (
                _WHERE_BEFORE_EN.search(text, 0, m.start())
                or _WHERE_AFTER_EN.match(text, m.end())
                # (a question that starts with the place, before what it asks of it: Shiqiao
                # elderly canteens, Luoxi new school places)
                or (not text[: m.start()].strip() and _TOPIC_AFTER_EN.match(text, m.end()))
                # (a name written in English, not a spelling, as what has or does: HK's GDP, does
                # KL have; a spelling there is too often a name of something else, Xinhua's report,
                # unless what it has or does is a figure asked: Yuyao's GDP, did Pingyao add)
                or (
                    (owner := _OWNER_AFTER_EN.match(text, m.end())) is not None
                    and (m.group() in self._written_en or _TOPIC_AFTER_EN.match(text, owner.end()))
                )
                or (
                    _DOER_BEFORE_EN.search(text, 0, m.start()) is not None
                    and (m.group() in self._written_en or _FIGURE_DONE_EN.match(text, m.end()))
                )
            )
        ]

    def _spell_places(self, said_en: str, haizhus: set[str | None], said_sounds: str) -> None:
        """Other places as English writes them, in pinyin (市桥 -> shiqiao, 员村街 -> yuancun):
        those of three syllables or more listed under `places` wherever they stand, the others
        (and the bare street names, landmarks) only as where, after "in", "near" … or before
        "area", "village" ….
        Left out: a spelling that English examples or answers write (Haizhu's own names),
        that spells a place of Haizhu's too (江北 and 江贝 are both jiangbei) or words that
        Chinese examples or answers write (`said_sounds`, their exact syllables: 福建 and 复建
        are both fujian), that is an English word, or shorter than `SPELLED_MIN` letters."""
        lex = self._lexicon
        written = frozenset(_LETTER_RUNS.findall(said_en))  # (kecun in Kecun's, kecun-area)

        def spellings(
            names: Iterable[str], syllables: int = 2, sounds: bool = True, proper: bool = False
        ) -> set[str]:
            # (`proper`: names of places only, as the gazetteer's are: 海淀 and 海宁 are spelled,
            # the lexicon's 海外 and 其他区 are words of no place's name)
            out = set()
            for name in map(fold, names):
                base = name.removesuffix("街道") if name.endswith("街道") else name
                base = base.removesuffix("街") if len(base) > 2 else base
                named = (
                    len(base) >= syllables
                    and _CJK_ONLY_NAME.fullmatch(base)
                    and (proper or not _NO_NAME.intersection(base))
                )
                spelling = spelled(base) if named else None
                if (
                    spelling
                    and len(spelling) >= SPELLED_MIN
                    and spelling not in written
                    and spelling not in haizhus
                    and not is_english_word(spelling)
                    and (not sounds or to_exact_codes(base) not in said_sounds)
                ):
                    out.add(spelling)
            return out

        # (a name of two syllables is often a person's, or a word's: Jinping, Yulin, Yonghe King;
        # such spellings count only as where, like the names of `areas_as_where`)
        always = spellings(self._place_names, 3) - set(self._place_names)
        # (an estate, a park or a station as English names it: its name in pinyin and its kind
        # in English, Junjing Garden for 骏景花园, Huijing New Town for 汇景新城)
        always |= _spelled_with_kind(self._place_names, spellings)
        if always:
            self._places = _alternation([*self._place_names, *sorted(always)])
        # (the gazetteer's names too, bare: Yuyao for 余姚市, Ningxiang; only as where, as there
        # are thousands, and many spell other words of Chinese too)
        gazetteer = {
            _KIND_ENDS.sub("", n) if len(n) > 2 else n
            for n in [*lex.gazetteer, *lex.gazetteer_as_where]
        }
        # (said only beside English words, a spelling is no pinyin question's word: Chinese
        # that sounds the same, 实施 and 石狮, 同享 and 桐乡, does not leave one out)
        listed = spellings(
            [*self._place_names, *lex.areas_as_where, *lex.landmarks_as_where], sounds=False
        ) | _spelled_with_kind(lex.landmarks_as_where, spellings)
        counties = spellings(gazetteer, sounds=False, proper=True)
        as_where = (listed | counties) - always
        # (a spelling before Road or Bridge names a road, often Haizhu's own: near Qianjin
        # Road, Haiyin Bridge; a county's before Street too, Nanhua West Street, but a listed
        # area's is that area's: Wushan Street)
        self._counties_only_en = frozenset(counties - listed)
        # (and the names written in English: near Guangzhou Zoo, SCUT campus)
        written_en = {
            fold(w) for w in [*lex.areas_as_where, *lex.landmarks_as_where] if w.isascii()
        }
        as_where |= written_en
        self._written_en = frozenset(written_en)
        # (the names as a word list: looked for only in a text holding the first word of one)
        self._areas_as_where_en = _alternation(as_where) if as_where else None

    @cached_property
    def _scope_syllables(self) -> re.Pattern[str] | None:
        """The syllable codes of the Chinese words the scope guard looks for (other places,
        wider areas, personal markers, off-topic subjects); built on the first pinyin question."""
        lex = self._lexicon
        words = [
            *(place for group in lex.places.values() for place in group),
            *lex.wider,
            *lex.personal,
            *lex.offtopic,
        ]
        spoken = {
            fold(w): to_pinyin_codes(fold(w)) for w in words if _CJK.search(w) and len(w) >= 2
        }
        said = "\n".join(map(to_pinyin_codes, self._examples))
        codes = {
            code
            for word, code in spoken.items()
            if code not in said  # (one search of all the examples' sounds, then a few exact)
            or all(word in text for text in self._examples if code in to_pinyin_codes(text))
        }
        # places also as their Latin names spell them (huadu, chongqing): a character's table
        # reading may be another of its readings (都 du/dou, 重 chong/zhong)
        for word in [*(p for group in lex.places.values() for p in group), *lex.wider]:
            if word.isascii() and (latin := syllable_codes(word.replace(" ", ""), 1)):
                codes.add(latin)
        if not codes:
            return None
        return re.compile("|".join(re.escape(c) for c in sorted(codes, key=len, reverse=True)))

    def pinyin_out_of_scope(self, codes: str) -> bool:
        """Whether a question typed in pinyin (as syllable codes) has the syllables of a word
        the scope guard refuses: "huadu", "wo jia", "tianqi" are not for Haizhu's figures."""
        pattern = self._scope_syllables
        return pattern is not None and pattern.search(codes) is not None

    def _terms(self, text: str) -> str:
        """`synonyms` for a text of words joined by single spaces."""
        words = text.split(" ")
        canonical, starts = self._canonical, self._term_lengths
        out = []
        i, n = 0, len(words)
        while i < n:
            word = words[i]
            for length in starts.get(word, ()):
                if i + length <= n:
                    term = canonical.get(word if length == 1 else " ".join(words[i : i + length]))
                    if term is not None:
                        out.append(term)
                        i += length
                        break
            else:
                out.append(word)
                i += 1
        return " ".join(out)

    def synonyms(self, text: str) -> str:
        if self._synonyms is None:
            return text
        return self._synonyms.sub(lambda m: self._canonical[m.group(0)], text)

    def normalize(self, raw: str, scope: Normalized | None = None) -> Normalized:
        """The question's matching form and what the steps after read of it. With `scope` (a
        follow-up's own reading, for the last question joined to it), what the scope guards
        read (places, personal, procedure, …) and the time asked are that reading's, as
        `bot.engine.followup` takes them, and are not read again from `raw`."""
        lowered = unicodedata.normalize("NFKC", raw).lower()
        folded = to_simplified(lowered)  # `fold`, keeping what the script is told from
        years = {int(y) for y in _YEAR.findall(folded)}
        clauses = tuple(self._split_runs(_clauses(folded)))
        # what the scope guards read: the question without the clauses the asker sets aside
        # (门票唔使理住，琶洲去年办咗几多场展会; ticket prices aside, how many exhibitions)
        asked = self._asked(clauses)
        guarded = folded if len(asked) == len(clauses) else ",".join(asked)
        numbers = tuple(
            dict.fromkeys(
                n
                for n in _FIGURE.findall(_in_chinese_units(folded))
                if len(n) > 12 or int(float(n.rstrip("万亿"))) not in years
            )
        )
        # "3395是什么意思": a quoted figure, and nothing else but words asking what it is
        about_figure = bool(numbers) and not self._content(
            _FIGURE.sub(" ", self._figure_refs.sub(" ", folded) if self._figure_refs else folded)
        )
        if scope is not None:
            return Normalized(
                self._text(guarded),
                frozenset(years),
                numbers,
                scope.places,
                scope.personal,
                scope.offtopic,
                clauses,
                scope.script,
                about_figure,
                scope.relative_years,
                scope.relative_months,
                scope.now,
                scope.asks_done,
                scope.procedure,
                scope.request,
                self._is_bare(folded),
                self._details_asked(guarded, asked),
                scope.folded,
                scope.near,
            )
        personal = self._is_personal(guarded, asked)
        # (天 河 区: a name typed with spaces between its characters is still the name)
        spaced = (
            _SPACED_OUT.sub(lambda m: m.group().replace(" ", ""), folded)
            if " " in folded
            else folded
        )
        if "海珠" in spaced:
            # another place that only says where Haizhu is (越秀区隔壁的海珠区, 海珠（不是珠海）)
            spaced = self._beside_home_removed(spaced)
        outside = self.without_inside(spaced)
        places = tuple(
            dict.fromkeys(
                [
                    *self._listed_found(outside),
                    *(self._inside_elsewhere.findall(spaced) if self._inside_elsewhere else ()),
                    *self._gazetteer_found(outside),
                    # (Haizhu named as the asker's town: my hometown Haizhu)
                    *(_OWN_UNNAMED.findall(outside) if not self._names_haizhu(folded) else ()),
                    *(self._areas_as_where.findall(outside) if self._areas_as_where else ()),
                    *(
                        self._gazetteer_as_where.findall(outside)
                        if self._gazetteer_as_where
                        else ()
                    ),
                    *(self._areas_starting(spaced) if self._areas_then_figure else ()),
                    *self._spelled_as_where(outside),
                ]
            )
        )
        if places and len(clauses) > 1:
            kept = self.place_clauses(clauses)
            if len(kept) < len(clauses):
                places = tuple(p for p in places if any(p in c for c in kept))
        if (self._wider or self._wider_names or self._wider_figure_names) and (
            not self.names_home(folded)
            or (_AGAINST_WIDER.search(guarded) and not self._own_figure_asked(clauses))
            or _NOT_HOME.search(folded)
        ):
            # "全市/全省/全国" asks for a wider area's figure, unless Haizhu is named too
            # (海珠在全市排第几 is about Haizhu).
            ranked = _RANKING.sub(" ", self.without_inside(folded))  # (广州塔: no wider area)
            places += tuple(dict.fromkeys(self._wider.findall(ranked))) if self._wider else ()
            if self._wider_names:
                # (广州的琶洲会展: the city's name just before a place of Haizhu's says where it
                # is; 我住琶洲，想问广州的GDP asks the city's)
                located = self._locating.sub(" ", folded) if self._locating else folded
                if self._in_wider and self._inside and self._inside.search(located):
                    located = self._in_wider.sub(" ", located)
                named = (
                    ranked if located == folded else _RANKING.sub(" ", self.without_inside(located))
                )
                places += tuple(dict.fromkeys(self._wider_names.findall(named)))
            if self._wider_figure_names:
                places += tuple(dict.fromkeys(self._wider_figure_names.findall(ranked)))
        if len(places) > 1:
            # (五山街 and 五山 are found in 五山街那边, 成个大湾区 and 大湾区: one place)
            places = tuple(p for p in places if not any(p != o and p in o for o in places))
        if places and self.names_home(folded):
            # (是海珠不是越秀, Haizhu (not Panyu): a place said not to be asked about; 海珠去日本
            # 招商: where Haizhu went; 日本企业在海珠落地: where firms come from)
            trips = [m.span() for m in _TRIP.finditer(folded)]
            places = tuple(
                p
                for p in places
                if not _only_negated(p, folded)
                and not _only_within(p, folded, trips)
                and not _only_before(p, folded, _FROM_BEFORE)
            )
        if places and self._names_haizhu(folded):
            # (清远鸡店老板问海珠新增就业多少人, 美国客户问我琶洲…, Dallas wants to know Haizhu's…:
            # a place told of who asks, before the question of Haizhu's their words bring)
            question_at = self._asked_of_haizhu(folded)
            if question_at is not None:
                places = tuple(p for p in places if p in folded[question_at:])
        offtopic = bool(self._offtopic and self._offtopic.search(guarded)) or bool(
            self._offtopic
            and any(w in guarded for w in _DAY_WORDS)
            and _CONDITIONS_NOW.search(guarded)
            and not _AGAINST_BEFORE.search(guarded)
        )
        return Normalized(
            # (what the asker set aside is not matched either, nor where they live beside a
            # figure asked)
            self._text(self._without_scene(asked) or guarded),
            frozenset(years),
            numbers,
            places,
            personal,
            offtopic,
            clauses,
            # NFKC turns some symbols into characters of one script (⾨ -> 門): the raw text
            # decides then, as `detect_script` would
            detect_script(raw) if _NFKC_TO_HAN.search(raw) else _script(lowered, folded),
            about_figure,
            *self._time(folded),
            self._asks_procedure(guarded, asked, personal),
            bool(self._requests and self._requests.search(guarded)),
            self._is_bare(folded),
            self._details_asked(guarded, asked),
            folded,
            self._near(guarded, clauses),
        )

    def _near(self, guarded: str, clauses: tuple[str, ...]) -> tuple[str, ...]:
        """Places of Haizhu's named only as where, unless another clause asks of Haizhu itself
        (瑞宝这边的居民想问，海珠去年新增了几个口袋公园); in English by their pinyin name after
        "near", "around" (as the answer writes them: Kecun)."""
        found = self._near_unnamed.findall(guarded) if self._near_unnamed else []
        if self._near_unnamed_en is not None and _LATIN.search(guarded):
            found += self._near_unnamed_en.findall(guarded)
        if not found:
            return ()
        home = self._home
        return tuple(
            p if not p.isascii() else p.capitalize()
            for p in dict.fromkeys(found)
            if home is None or not any(home.search(c) and p not in c for c in clauses)
        )

    def says_nothing(self, raw: str) -> bool:
        """Whether a message is nothing but particles and punctuation (嗯嗯, 哦, 啊?); a
        question word alone (多少, 如何: fillers when matching) says something after an answer."""
        return not any(ch.isalnum() for ch in self._particles.sub(" ", fold(raw)))

    def names_topic(self, raw: str) -> bool:
        """Whether a question names anything of its own beyond question words, fillers, time
        words, figures and words that lean on an earlier answer (怎么样, 2024年, 1, 那去年呢 do
        not): what an example added by staff must do, or it would catch questions at large."""
        folded = to_simplified(unicodedata.normalize("NFKC", raw).lower())
        content = self._content(folded)
        for words in (self._year_words, self._month_words, self._fragments, self._figure_asks):
            if words is not None:
                content = words.sub(" ", content)
        return sum(ch.isalpha() for ch in content) >= 2

    def leans(self, text: str) -> bool:
        """Whether a part of a question is bare: a side of some topic and time words, nothing
        of a topic of its own (去年少了多少个, 今年目标几多)."""
        return self._is_bare(fold(text))

    def _is_bare(self, folded: str) -> bool:
        """Words that lean on an earlier answer or name only a side of some topic, with time
        words, and nothing of a topic besides (fillers, particles, punctuation and emoji
        aside): 还有呢, 具体点, 那去年呢, 投资多少, 几时完工, what else, go on."""
        if len(folded) > BARE_MAX:
            return False  # (a longer message says more than a fragment: not worth the work)
        if not any(w is not None and w.search(folded) for w in (self._aspects, self._fragments)):
            return False  # nothing that leans, nor would there be with the time words gone
        rest = folded
        for words in (self._year_words, self._month_words):
            if words is not None:
                rest = words.sub(" ", rest)
        rest = _YEAR_WORDS.sub(" ", rest)
        rest = _RANKED_IN.sub(" ", rest)  # (在全省排第几: a rank, wherever it is ranked)
        if _FIGURE.search(rest):
            return False  # 3395是什么意思 quotes a figure: not bare
        leaned = False
        # regexes only: this runs for every short question, and must cost next to nothing
        for words in (self._aspects, self._fragments):  # 几多钱 before 几
            if words is not None and words.search(rest):
                rest, leaned = words.sub(" ", rest), True
        if not leaned:
            return False
        if self._fillers is not None:
            rest = self._fillers.sub(" ", rest)
        rest = self._particles.sub(" ", rest)
        return not any(ch.isalnum() for ch in rest)

    def _asks_procedure(self, folded: str, clauses: tuple[str, ...], personal: bool) -> bool:
        """A clause that asks how or where to do something: a how/where word and a procedure
        word in the same clause (公租房怎么申请, where can I register), or a procedure phrase
        (要什么材料, what documents)."""
        if "办" in folded:
            folded = _EVENT_HELD.sub(r"\1在哪举行", folded)
            clauses = tuple(_EVENT_HELD.sub(r"\1在哪举行", c) for c in clauses)
        if self._procedure_phrases and self._procedure_phrases.search(folded):
            # ... told of the asker while another clause asks (我想帮个仔报名，想知旧年新增咗
            # 几多个学位): that clause is the question (点预约 alone still asks how)
            told = [c for c in clauses if self._procedure_phrases.search(c)]
            if not (
                told
                and all(_FIRST_PERSON.search(c) and not self._clause_asks(c) for c in told)
                and any(self._clause_asks(c) for c in clauses if c not in told)
            ):
                return True
        if not (self._procedure_asks and self._procedure_words):
            return False
        # The report gives figures: a clause that asks about a procedure's step (入学需要户口吗,
        # 报名要本人去吗) in a question that asks for no figure asks how things are done.
        figure = bool(self._figure_asks and self._figure_asks.search(folded))
        figure = figure or personal  # 我家孩子能不能报名: the asker's own case, said as such
        before = ""
        for clause in clauses or (folded,):
            if (
                before
                and not figure  # (去年有多少人报名参加马拉松，如何？: how is it)
                and _HOW_ALONE.fullmatch(clause.strip())
                and self._procedure_words.search(before)
            ):
                return True
            previous, before = before, clause
            if self._procedure_ends and self._ends_with_procedure(clause):
                return True  # 大模型备案 流程, 创新型中小企业申请 conditions
            if (
                self._costs is not None
                and self._costs.search(clause)
                and self._procedure_words.search(clause)
            ):
                return True  # 注册要几多钱: what a procedure costs
            clause = _NOT_HOW.sub(" ", clause)  # 怎么样: how is it, not how to
            if "report" in clause:
                clause = _THE_REPORT.sub(" ", clause)  # the report, not reporting something
            if clause.isascii() and self._phrasal_verbs and self._phrasal_verbs.search(clause):
                for split, joined in self._split_phrasal:  # sign my son up: sign up my son
                    clause = split.sub(joined, clause)
            if not self._procedure_asks.search(clause):
                if (
                    not figure
                    # ... nor about the district's own doing (海珠有报名创建吗), named in that
                    # clause or set apart just before it (海珠 广州塔有没有申报5A); not in the
                    # asker's story (我在海珠上班没房，能不能申请…)
                    and not (
                        self._district
                        and (
                            self._district.search(clause)
                            or (
                                previous.strip() != ""
                                and self._district.sub("", previous).strip() == ""
                            )
                        )
                    )
                    and self._clause_asks(clause)
                    and self._procedure_words.search(clause)
                ):
                    return True
                continue
            if self._procedure_words.search(clause):
                return True
            # an English procedure word with a slip (aply, registr)
            if any(
                Levenshtein.distance(w, p, score_cutoff=1) <= 1
                for w in _LATIN_WORD.findall(clause)
                if len(w) >= 4
                for p in self._procedure_latin
            ):
                return True
        return False

    def _ends_with_procedure(self, clause: str) -> bool:
        """The clause ends with a word of `procedure_ends` (an English one as a whole word)."""
        clause = clause.rstrip(" ?？!！.。")
        if not clause.endswith(self._procedure_ends):
            return False
        return any(
            clause.endswith(w)
            and (not w[0].isascii() or len(clause) == len(w) or not clause[-len(w) - 1].isalpha())
            for w in self._procedure_ends
        )

    def _time(self, folded: str) -> tuple[frozenset[int], frozenset[int], bool, bool]:
        """Relative years and months (as offsets), a word asking about now, and whether the
        question asks if something was done."""
        rel_years = (
            frozenset(self._relative_years[w] for w in self._year_words.findall(folded))
            if self._year_words
            else frozenset()
        )
        rel_months = (
            frozenset(self._relative_months[w] for w in self._month_words.findall(folded))
            if self._month_words
            else frozenset()
        )
        now = bool(self._now_words and self._now_words.search(folded))
        asks_done = bool(self._done and self._done.search(folded)) or (
            not _FIGURE_ASK_RE.search(folded)
            and bool(
                (self._done_phrases and self._done_phrases.search(folded))
                or (self._done_en and self._done_en.search(folded.strip()))
            )
        )
        return rel_years, rel_months, now, asks_done

    def _is_personal(self, folded: str, clauses: tuple[str, ...]) -> bool:
        """A personal-case marker makes the question personal, unless a clause that asks asks
        for a figure (how many) and no clause that asks carries a marker, asks about the
        asker's own case or asks what something costs: the asker's situation told beside a
        question for a figure is a story ("我家在沥滘，首批交楼的复建安置房有多少套", "港澳子弟班
        开了几个？我老公系香港人，想俾仔女返嚟海珠读书"); their own case asked is not (我家今年要
        拆迁，安置房面积分多少)."""
        # someone of the asker's asking for them is a frame, not their case (我奶奶想知道…,
        # my grandmother wants to know how many canteens …)
        folded = _FRAMED.sub(" ", folded)
        clauses = tuple(_FRAMED.sub(" ", c) for c in clauses)
        if self._personal is None:
            return False
        # the asker's own case asked in a clause of its own (可以领到什么补贴), beside a clause
        # that tells of the asker, in a question that asks no figure
        # (computed only where a clause tells of the asker: most questions never need it)
        own: list[bool] = []

        def own_case() -> bool:
            if not own:
                own.append(
                    not self.asks_figure(folded)
                    and any(self._asks_own_case_apart(c) for c in clauses)
                )
            return own[0]

        personal_asks = self._personal_asks
        marked = (
            self._personal.search(folded) is not None
            or _KIN.search(folded) is not None
            # someone of the asker's family told of, 我 unsaid (外婆80岁住海珠…补几多, 阿仔读紧
            # 小学…, Dad lost his job, how much will he get): their case, if asked (below)
            or (
                _KIN_TOLD.search(folded) is not None
                and any(
                    self._personal_asked(c) is not None and not self._names_district(c)
                    for c in clauses
                )
            )
            # the asker, and their own case asked (想问我这个店能不能参加以旧换新; 我今年60岁，
            # 住在海珠，可以领到什么补贴)
            or (
                personal_asks is not None
                and any(
                    _FIRST_PERSON.search(mine := _TO_ME.sub(" ", c))
                    and (personal_asks.search(mine) or own_case())
                    # (不问我自己能拿多少: set aside)
                    and not (self._dismissals and self._dismissals.search(c))
                    for c in clauses
                )
            )
        )
        if not marked:
            # (a flat by its number is the asker's, asked for no figure: 几时交楼 我系沥滘复建房3栋)
            return _OWN_UNIT.search(folded) is not None and not any(
                self._figure_asks and self._figure_asks.search(c) for c in clauses
            )
        if self._asks is None or self._figure_asks is None:
            return True
        general = False
        for clause in clauses:
            if not self._asks_something(clause):
                continue  # (想问普惠托位的占比 asks, without a question word)
            if (
                self._personal.search(clause)
                or _KIN.search(clause)
                or self._asks_own_case(clause)
                # what something costs, asked with the asker's own situation told (我爸八十岁，
                # 长者饭堂一餐多少钱): their own price
                or (self._costs is not None and self._costs.search(clause))
            ):
                return True
            if self._figure_asks.search(clause):
                general = True
        return not general

    def _asks_own_case(self, clause: str) -> bool:
        """A clause that asks one of `personal_asks` (能不能, 会不会被, 可以领到): of the asker,
        unless it asks it of the district, the asker unnamed (我是宝妈，区里今年能不能建成托育
        综合服务中心 asks the district's plan)."""
        if self._personal_asks is None:
            return False
        mine = _TO_ME.sub(" ", clause)
        if self._personal_asked(mine) is None:
            return False
        if _FIRST_PERSON.search(mine):
            return True
        if self._own_case_asks and self._own_case_asks.search(clause) and "我" in clause:
            return True  # (政府给我这个商家返多少点: what the district gives the asker)
        return not self._names_district(clause)

    def _asks_own_case_apart(self, clause: str) -> bool:
        """A clause that asks the asker's own case with the asker told in another clause: what
        they would get or undergo (可以领到什么补贴, 还能留下吗), or 能不能 with no subject of
        its own (孩子能不能读公办; not 托育综合服务中心今年能不能建成, nor of the district)."""
        if not self._clause_asks(clause) or self._names_district(clause):
            return False
        if self._own_case_asks and self._own_case_asks.search(clause):
            return True
        mine = _TO_ME.sub(" ", clause)
        asked = self._personal_asked(mine)
        return asked is not None and len("".join(mine[: asked.start()].split())) <= SUBJECTLESS

    def _personal_asked(self, mine: str) -> re.Match[str] | None:
        """Where a clause (without what is told or given to the asker) asks one of
        `personal_asks`."""
        return self._personal_asks.search(mine) if self._personal_asks else None

    def _names_district(self, clause: str) -> bool:
        """Whether a clause speaks of the district: `district_names` (区里, 区政府) or its own
        name (海珠, not inside 海珠湖 or 海珠湿地: `inside`)."""
        if self._district_names and self._district_names.search(clause):
            return True
        if self._places_inside:
            clause = self._places_inside.sub(" ", clause)
        return bool(self._home and self._home.search(clause))

    def _split_runs(self, clauses: list[str]) -> list[str]:
        """A long Chinese clause (a message typed or spoken without punctuation) cut before the
        words that begin a question proper (想问下, 听说, 到底): its story and its question are
        then read apart, as if the asker had put a comma there."""
        if self._clause_starts is None:
            return clauses
        out: list[str] = []
        for clause in clauses:
            if len(clause) < RUN_MIN or clause.isascii():
                out.append(clause)
                continue
            cuts = [m.start() for m in self._clause_starts.finditer(clause) if m.start() >= 4]
            starts = [0, *cuts]
            out += [clause[a:b] for a, b in zip(starts, [*cuts, len(clause)], strict=True)]
        return out

    def _details_asked(self, guarded: str, clauses: tuple[str, ...]) -> frozenset[str]:
        """The details a clause that asks asks for: one named only where the asker tells their
        story ("we rent a flat near Jiangnan West. How many infant-care places …") is not asked.
        A question with no clause that asks is read whole."""
        words = self._details
        if words is None:
            return frozenset()
        found = words.findall(guarded)
        # how much does a meal cost: a price, whatever words the lexicon lists
        costs = "cost" in guarded and _WHAT_IT_COSTS.search(guarded) is not None
        structural = frozenset(
            n
            for n, said, pattern in self._structural
            if said.search(guarded) and pattern.search(guarded)
        )
        if not found:
            return self._not_said_of(frozenset({"price"} if costs else ()) | structural, guarded)
        figure = self._figure_asks
        if len(clauses) > 1:
            asking = [c for c in clauses if self._asks_something(c)]
            if asking:
                found = [w for c in asking for w in words.findall(c)]
        details = frozenset(self._detail_of[w] for w in found)
        if costs:
            details |= {"price"}
        details = self._not_said_of(details | structural, guarded)
        if "reason" in details and figure is not None:
            # 为什么说…？用了多少小时: a figure asked beside the why is the question
            reasons = [w for w in found if self._detail_of[w] == "reason"]
            if any(figure.search(c) and not any(r in c for r in reasons) for c in clauses):
                details -= {"reason"}
        return details

    @staticmethod
    def _not_said_of(details: frozenset[str], guarded: str) -> frozenset[str]:
        """Details without those whose words are said of something else (`_NOT_THE_DETAIL`:
        how high a rate is, a rate per population)."""
        return details - {
            d for d, said in _NOT_THE_DETAIL.items() if d in details and said.search(guarded)
        }

    def _asked_of_haizhu(self, folded: str) -> int | None:
        """Where a question of Haizhu's starts after words of who asks it (…老板问, 同事何香港问,
        my friend Sydney asks): the first 问 (asks, wants to know) after which Haizhu is named,
        in words that ask a figure; None if there is none."""
        for m in _ASKS_VERB.finditer(folded):
            rest, before = folded[m.end() :], folded[: m.start()]
            # (nothing before it asks, nor names a year or a topic: 天河区2024年GDP多少？想知道
            # 海珠的 asks of both)
            if (
                not self._names_haizhu(rest)
                or self._asks_something(before)
                or _YEAR.search(before)
                or _TOPIC_EN.search(before)
            ):
                continue
            # (in English what is wanted may be said without a question word: Dallas wants to
            # know Haizhu's revenue in 2024)
            if self.asks_figure(rest) or (rest.isascii() and _YEAR_EN.search(rest)):
                return m.end()
        return None

    def names_home(self, folded: str) -> bool:
        """Whether (folded) text names Haizhu (海珠, haizhu)."""
        return bool(self._home and self._home.search(folded))

    def _beside_home_removed(self, text: str) -> str:
        """The text without another place named only to say where Haizhu is (越秀区隔壁的海珠区),
        unless those words are part of a name of Haizhu's (中山大学南校区附近海珠区: 学南校区 is
        no place)."""
        if not _BESIDE_HOME.search(text):
            return text
        spans = [m.span() for m in self._inside.finditer(text)] if self._inside else []

        def cut(m: re.Match[str]) -> str:
            start, end = m.span()
            return m.group() if any(a < end and start < b for a, b in spans) else " "

        return _BESIDE_HOME.sub(cut, text)

    def _listed_found(self, text: str) -> list[str]:
        """The `places` names in the text, a Chinese one only where it is no part of another
        word (the segmenter's): not 白云 in 蓝天白云, 南山 in 寿比南山 or 钟南山院士, 韩城 in 日韩城市,
        兰州 in 兰州拉面; a word that is the name and a kind of place after it still is one (天河路,
        白云山). Nor a name before a title: a person's (林芝阿姨, 陈仓先生)."""
        if self._places is None:
            return []
        found = list(self._places.finditer(text))
        if not found:
            return []
        words: Segmented | None = None
        out = []
        for m in found:
            name, start, end = m.group(), m.start(), m.end()
            if _a_persons_name(text, start, end):
                continue
            if _CJK.match(name):
                words = words or Segmented(text, self._listed_names)
                if not words.is_placed(start, end, _PLACE_KINDS):
                    continue
            out.append(name)
        return out

    def _gazetteer_found(self, text: str) -> list[str]:
        """The gazetteer's names the text has as words of their own (仁怀去年GDP, 上高县的托位),
        not as characters of other words (以上高新技术企业, 共同安置房): a name of two
        characters as one word, a longer one beginning and ending where words do."""
        if self._gazetteer is None or self._gazetteer_starts.isdisjoint(
            map(text.__getitem__, map(slice, range(len(text) - 1), range(2, len(text) + 1)))
        ):
            # (most questions hold no two characters a name begins with: this look costs a
            # few µs, the regex of thousands of names about 10)
            return []
        found = list(self._gazetteer.finditer(text))
        if not found:
            return []  # (most questions: no segmenting)
        words = Segmented(text)
        # (a bare name of two characters must be a word the segmenter knows and chose: split
        # into characters, 上高 in 四上高企 is no word, nor 安新 in 奇安新大厦, a slip)
        return [
            m.group()
            for m in found
            if (words.is_word if len(m.group()) == 2 else words.is_bounded)(m.start(), m.end())
            and not _a_persons_name(text, m.start(), m.end())
        ]

    def _names_haizhu(self, text: str) -> bool:
        """Whether the text names Haizhu or a place of Haizhu's (海珠, 琶洲)."""
        return self.names_home(text) or bool(self._inside and self._inside.search(text))

    def _areas_starting(self, text: str) -> list[str]:
        """The `areas_as_where` names that start a clause before a word of a year or of a
        figure asked (新市去年, 金融城今年, 大同新增学位多少), and the `abbreviations` before a
        year (深今年, 港舊年): read on the text with Haizhu's own names, so that one just before (琶洲
        金融城今年) leaves the name no clause of its own."""
        assert self._areas_then_figure is not None
        # (tried only where a clause starts, and there only before two characters a name
        # begins with: a few places a text, not every character)
        starts = [0, *(m.end() for m in _OPENER.finditer(text))]
        found = []
        for at in starts:
            if text[at : at + 2] in self._starts_of_areas:
                m = self._areas_then_figure.match(text, at)
                found += [m.group(1)] if m is not None else []
                if self._landmarks_then_figure is not None:
                    m = self._landmarks_then_figure.match(text, at)
                    if m is not None and not self._names_haizhu(text):
                        found.append(m.group(1))
            elif self._abbreviations_then_year is not None:
                m = self._abbreviations_then_year.match(text, at)
                found += [m.group(1)] if m is not None else []
        return found

    def without_inside(self, folded: str) -> str:
        """Folded text without Haizhu's own names (海珠, 琶洲, 中山大学): what is left names no
        place of Haizhu's."""
        if self._inside is None:
            return folded
        if not self._holding_inside or self._inside_or_holding is None:
            return self._inside.sub(" ", folded)
        holding = self._holding_inside
        return self._inside_or_holding.sub(
            lambda m: m.group() if m.group() in holding else " ", folded
        )

    def place_clauses(self, clauses: tuple[str, ...]) -> tuple[str, ...]:
        """The (folded) clauses in which a place named is asked about. Where the asker comes from or their family lives is no place asked about when the
        question names Haizhu or a place in it (我喺湖南嚟广州打工，想问海珠去年新增就业有几多人;
        我从白云过来琶洲看展): only the clauses that ask, or that name Haizhu without telling of
        the asker (海珠和荔湾比，哪个区学位多 compares them; 我住番禺但在海珠上班 tells a story)."""
        home = self._inside
        if home is None or len(clauses) < 2 or not any(home.search(c) for c in clauses):
            return clauses
        if any(_NOT_HOME.search(c) for c in clauses):
            return clauses  # (不问海珠，问一下天河的GDP)
        # a clause that asks a figure of Haizhu and names no other place: a comparison beside it
        # is no place asked about (海珠同番禺比，海珠新增学位多少; 海珠比天河托位多吗？海珠自己有几多)
        own = self._own_figure_asked(clauses)
        return tuple(
            c
            for c in clauses
            if (
                (
                    self._clause_asks(c)
                    or _names_alone(c, self._places)  # (the district next door, Panyu, how many…)
                    or _WANTS_TO_KNOW.search(c)
                    or (_MOVING_TO.search(c) and not home.search(c) and not own)
                )
                and not (own and _COMPARES.search(c))
            )
            or (
                home.search(c)
                and not _FIRST_PERSON.search(c)
                and not _MOVED_FROM.search(c)
                and not _TELLS_OF_SOMEONE.search(c)
                and not own
            )
        )

    def _without_scene(self, clauses: tuple[str, ...]) -> str | None:
        """The clauses with the places of Haizhu's left out of those that only tell where the
        asker lives, works or studies, beside a clause asking a figure (I live near Canton
        Tower; how many childcare places does Haizhu have?): the place of the scene is no topic,
        though the rest of it may be (I live in an urban village: how many fire lanes); None
        when nothing is left out."""
        if len(clauses) < 2 or self._places_inside is None:
            return None
        scene = [
            (_FIRST_PERSON.search(c) is not None or _LIVES_FIRST.match(c) is not None)
            and _LIVES.search(c) is not None
            and not self._asks_something(c)
            for c in clauses
        ]
        if not any(scene) or all(scene):
            return None
        if not any(self.asks_figure(c) for c, told in zip(clauses, scene, strict=True) if not told):
            return None
        inside, inside_en = self._places_inside, self._inside_en
        kept = [
            (inside_en.sub(" ", inside.sub(" ", c)) if inside_en else inside.sub(" ", c))
            if told
            else c
            for c, told in zip(clauses, scene, strict=True)
        ]
        return None if kept == list(clauses) else ",".join(kept)

    def _own_figure_asked(self, clauses: tuple[str, ...]) -> bool:
        """Whether a clause of several asks a figure of Haizhu and names no other place (a
        comparison beside it then asks nothing of the other: 海珠每千人托位数多少，高于全国平均吗)."""
        return len(clauses) > 1 and any(
            self._names_district(c)
            and self.asks_figure(c)
            and not self._names_place(c)
            and not _COMPARES.search(c)
            for c in clauses
        )

    def _names_place(self, clause: str) -> bool:
        """Whether a clause names another place by a listed name."""
        outside = self.without_inside(clause)
        return bool(
            self._listed_found(outside)
            or self._gazetteer_found(outside)
            or (self._areas_as_where and self._areas_as_where.search(outside))
            or (self._gazetteer_as_where and self._gazetteer_as_where.search(outside))
        )

    def _asked(self, clauses: tuple[str, ...]) -> tuple[str, ...]:
        """The clauses without those the asker sets aside (票价多少就不问了, 怎么算的我不懂,
        never mind the price), when another clause asks: a clause set aside alone is still
        the question (我不清楚托位有多少)."""
        if self._dismissals is None or len(clauses) < 2:
            return clauses
        kept = tuple(c for c in clauses if not self._dismissals.search(c))
        if len(kept) == len(clauses) or not any(self._clause_asks(c) for c in kept):
            return clauses
        return kept

    def _clause_asks(self, clause: str) -> bool:
        if clause.endswith(("?", "？")):
            return True
        if self._asks is None:
            return False
        # (几 that counts vaguely asks nothing: 我们小区前几年改造过, 好几个, 十几年)
        return bool(self._asks.search(_FEW.sub(" ", clause) if "几" in clause else clause))

    def _asks_something(self, clause: str) -> bool:
        """A clause that asks, or names a figure without a question word (想问普惠托位的占比)."""
        return self._clause_asks(clause) or bool(
            self._figure_asks and self._figure_asks.search(clause)
        )

    def asks_figure(self, text: str) -> bool:
        """Whether (folded) text asks for a figure (多少, 几个, how much): no reply about the
        bot itself answers it (how much in fines? is no "fine")."""
        return bool(self._figure_asks and self._figure_asks.search(text))

    def asks_two_things(self, norm: Normalized) -> bool:
        """Two clauses that ask, or a word joining two things asked for (分别, 和, both; 同 as
        Cantonese says and: 港澳子弟班同教育集團數目)."""
        if self._joins is not None and any(self._joins.search(c) for c in norm.clauses):
            return True
        if "同" in norm.folded and any(_TONG_AND.search(c) for c in norm.clauses):
            return True
        if any(len(self._by_year(c)) > 1 for c in norm.clauses):
            return True
        return len(norm.clauses) > 1 and sum(self._clause_asks(c) for c in norm.clauses) >= 2

    def _by_year(self, clause: str) -> list[str]:
        """A clause cut before each year it names after asking about another (固投去年增长多少今年
        目标多少: 去年…多少 | 今年目标多少); the clause alone when it asks of one year only (今年比去年
        多了多少 asks nothing before 去年)."""
        said = [m for m in (_YEAR.finditer(clause)) if m.group()]
        if self._year_words is not None:
            said += list(self._year_words.finditer(clause))
        if len(said) < 2:
            return [clause]
        said.sort(key=lambda m: m.start())
        pieces, start, year, after = [], 0, said[0].group(), said[0].end()
        for m in said[1:]:
            # (asked between the two years: 哪些项目去年开工今年完工 asks once)
            if m.group() != year and _FIGURE_ASK_RE.search(clause, after, m.start()):
                pieces.append(clause[start : m.start()])
                start = m.start()
            year, after = m.group(), m.end()
        return [*pieces, clause[start:]]

    def parts(self, norm: Normalized, max_parts: int = 4) -> list[tuple[str, str]]:
        """The things a question asks for, each in matching form with the words it was cut
        from: its clauses, each cut at the words that join or compare two things (托位和长者饭堂
        各有多少, 托位比学位多吗, childcare places and elderly canteens). Empty unless there are
        two or more."""
        out: dict[str, str] = {}
        for clause in norm.clauses:
            for piece in (
                p for by_year in self._by_year(clause) for p in _PART_SPLIT.split(by_year)
            ):
                # (竣工分别几个: 分别 says the parts are asked each, it is no word of the part)
                said = self._joins.sub(" ", piece) if self._joins else piece
                text = self._text(said) if said.strip() else ""
                if len(text) >= 2 and text not in out:
                    out[text] = piece
        return list(out.items())[:max_parts] if len(out) >= 2 else []

    def years_in(self, folded: str, this_year: int) -> frozenset[int]:
        """The years a piece of a folded question names: written out, or as words counted from
        `this_year` (去年, last year); the years part of `normalize`, for one part of a
        question."""
        years = {int(y) for y in _YEAR.findall(folded)}
        if self._year_words is not None:
            years.update(
                this_year + self._relative_years[w] for w in self._year_words.findall(folded)
            )
        return frozenset(years)

    def topic(self, text: str) -> str:
        """A part's matching form without the words that say which side of a topic is asked
        (增速, 实际增长, growth): what a part that follows it and names no topic is about."""
        if self._aspects is None:
            return text
        rest = self._aspects.sub(" ", text)
        rest = " ".join(rest.split()) if " " in text else rest.replace(" ", "")
        return rest if len(rest.strip()) >= 2 else text

    def windows(self, norm: Normalized, min_length: int = 4, *, earlier: bool = True) -> list[str]:
        """For a question of several clauses: the matching form of its last clause that asks,
        alone and with the clause before it unless the two are the whole question (the scene a
        rambling question sets drowns its question), and of each earlier clause that asks,
        alone (全年巡河多少人次，解决了多少问题: the second names no topic), unless not `earlier`
        (a follow-up joined to the last question, whose first clause was answered already).
        Forms shorter than `min_length` say too little to match on; a form equal to the whole
        question's says nothing new."""
        clauses = norm.clauses
        if len(clauses) < 2:
            return []
        out: list[str] = []
        for i in reversed(range(len(clauses))):
            clause = clauses[i]
            # an English clause asks with a question word: a "?" ends asides too ("how often is
            # food tested, like batches per thousand people?")
            # (a clause that names a figure asks without a question word: 想知全区托位总数同普惠比例)
            figure = bool(self._figure_asks and self._figure_asks.search(clause))
            # (想知道海珠托位: a clause that asks to be told asks, with no question word)
            if (
                figure
                or _WANTS_TO_KNOW.search(clause)
                or (
                    bool(self._asks and self._asks.search(clause))
                    if clause.isascii()
                    else self._clause_asks(clause)
                )
            ):
                first = not out
                out.append(clause)
                if not first:  # an earlier clause that asks: alone, a few at most
                    if len(out) >= MAX_WINDOWS:
                        break
                    continue
                if i and len(clauses) > 2:  # of two clauses, the pair is the whole question
                    out.append(clauses[i - 1] + "," + clause)
                if not earlier:
                    break
        # a form equal to the whole question's would only repeat its ranking
        forms = dict.fromkeys(self._text(w) for w in out)
        # (English: one word left is a side of some topic, not a topic: "and what percentage?")
        return [
            t
            for t in forms
            if len(t) >= min_length and t != norm.text and (not t.isascii() or " " in t)
        ]

    def text(self, raw: str) -> str:
        """The matching form of a question or example."""
        return self._text(fold(raw))

    def example_text(self, raw: str) -> str:
        """`text` for one content example (see `example_texts`)."""
        return self.example_texts([raw])[0]

    def example_texts(self, raws: Sequence[str]) -> list[str]:
        """`text` for content examples, remembered across reloads while the lexicon is the same
        (a /reload after a small edit re-normalises only the new examples). Those not yet known
        go through each step together, as one text with a separator no step touches: a few
        regex passes over one long text instead of a few per example, and one distance matrix
        for the English spelling."""
        out: list[str | None] = [_EXAMPLE_CACHE.get((self._key, raw)) for raw in raws]
        if None in out and self._key not in _DISK_CHECKED:
            # a new process: the last run with this lexicon may have left them on disk
            _DISK_CHECKED.add(self._key)
            for raw, text in self._read_disk().items():
                _EXAMPLE_CACHE[(self._key, raw)] = text
            out = [_EXAMPLE_CACHE.get((self._key, raw)) for raw in raws]
        todo = list(dict.fromkeys(raw for raw, done in zip(raws, out, strict=True) if done is None))
        if todo:
            if len(_EXAMPLE_CACHE) > 50_000:
                _EXAMPLE_CACHE.clear()
            if any(_SEPARATOR in raw for raw in todo):  # cannot be joined: one at a time
                results = dict(enumerate(self.text(raw) for raw in todo))
            else:
                results = self._texts_together(todo)
            for i, raw in enumerate(todo):
                _EXAMPLE_CACHE[(self._key, raw)] = results[i]
            out = [_EXAMPLE_CACHE[(self._key, raw)] for raw in raws]
            self._write_disk(dict(zip(raws, out, strict=True)))
        return [text or "" for text in out]

    def _disk_name(self) -> str:
        key = hashlib.sha256(f"{_CODE_VERSION}|{self._key}".encode()).hexdigest()[:32]
        return f"examples-{key}.json"

    def _read_disk(self) -> dict[str, str]:
        """The examples normalised by an earlier run with this lexicon and this code (the
        private cache of `bot.content.diskcache`); anything unreadable counts as nothing."""
        data = DiskCache().read(self._disk_name())
        if data is None:
            return {}
        try:
            stored = json.loads(data)
        except ValueError:
            return {}
        if not isinstance(stored, dict):
            return {}
        return {k: v for k, v in stored.items() if isinstance(k, str) and isinstance(v, str)}

    def _write_disk(self, texts: dict[str, str | None]) -> None:
        """This content's examples only, so the file follows the content instead of growing."""
        done = {raw: text for raw, text in texts.items() if text is not None}
        cache = DiskCache()
        cache.write(self._disk_name(), json.dumps(done, ensure_ascii=False).encode())
        cache.keep_newest("examples-*.json", 8)

    def _texts_together(self, raws: list[str]) -> dict[int, str]:
        folded = fold(_SEPARATOR.join(raws)).split(_SEPARATOR)
        english = {i: _english_words(f) for i, f in enumerate(folded) if _is_english(f)}
        chinese = [i for i in range(len(folded)) if i not in english]
        self._spell_many(_stem(w) for words in english.values() for w in words)
        results: dict[int, str] = {}
        if english:
            for i, words in english.items():
                results[i] = self._english_terms(self._english_words_spelled(words), folded[i])
        if chinese:
            joined = self._chinese_steps(_SEPARATOR.join(folded[i] for i in chinese))
            for i, text in zip(chinese, joined.split(_SEPARATOR), strict=True):
                results[i] = text or _PUNCT_OR_SPACE.sub("", folded[i])
        return results

    def _content(self, folded: str) -> str:
        """What normalising leaves of a question's words, without the fallback to the raw
        text that `_text` takes when nothing is left."""
        if _is_english(folded):
            return self._english_kept(self._english_words_spelled(_english_words(folded)))
        return self._chinese_steps(folded).strip()

    def _text(self, folded: str) -> str:
        if _is_english(folded):
            return self._english(folded)
        return self._chinese_steps(folded) or _PUNCT_OR_SPACE.sub("", folded)

    def _chinese_steps(self, folded: str) -> str:
        """Synonyms, years, numbers, fillers, particles, punctuation; `_SEPARATOR` survives."""
        if (
            self._near_unnamed is not None
            and self._near_unnamed.search(folded)
            and self._figure_asks is not None
            and self._figure_asks.search(folded)
        ):
            # (南武中学附近托位有多少: the district's figure is all the report has; a name no
            # example writes would only make the question look unlike every one. Only when a
            # figure is asked: 客村那边有什么规划 would match any plan on 规划 alone)
            folded = self._near_unnamed.sub(" ", folded)
        text = self.synonyms(folded)
        # Years are scored apart (the year penalty), so they must not make two questions look
        # alike: "2025年…多少" should not match every other 2025 question.
        text = _YEAR_WORDS.sub(" ", text)
        if self._year_names is not None:
            text = self._year_names.sub(" ", text)
        # Other numbers count through the figure bonus (a report figure quoted in the question);
        # as characters they would only make the question look unlike every example.
        text = _NUMBER.sub(" ", text)
        if self._fillers is not None:
            text = self._fillers.sub(" ", text)
        text = self._particles.sub("", text)
        text = _PUNCT_OR_SPACE_KEEP_SEPARATOR.sub(" ", text)
        # Chinese: spaces carry no meaning; keep single spaces only between Latin words.
        return _SPACE_NOT_BETWEEN_WORDS.sub("", text)

    def _english(self, folded: str) -> str:
        """English: plural-stemmed words, then the lexicon's terms (some map to the Chinese words
        the intents' keywords use, so English questions earn keyword hits), then stop words go.
        Terms come before stop words so phrases like "children in difficulty" still match, and
        again after the grammar words: "classes were added" holds the term "class added"."""
        return self._english_terms(self._english_words_spelled(_english_words(folded)), folded)

    def _english_terms(self, spelled: str, folded: str) -> str:
        """`_english_kept`; a question of nothing else keeps its words."""
        return self._english_kept(spelled) or _PUNCT_OR_SPACE.sub(" ", folded).strip()

    def _english_kept(self, spelled: str) -> str:
        """Terms, then grammar words go, terms again, then weak words go."""
        again = self._terms(self._english_rest(self._terms(spelled)))
        return " ".join(w for w in again.split() if w not in _EN_WEAK)

    def _english_words_spelled(self, words: list[str]) -> str:
        forms = self._forms
        out = []
        for w in words:
            form = forms.get(w)
            if form is None:
                form = w if w in _EN_STOPWORDS else self._spell(_stem(w))
                if len(forms) < 20_000:
                    forms[w] = form
            out.append(form)
        return " ".join(out)

    @staticmethod
    def _english_rest(text: str) -> str:
        """Grammar words and numbers go (years are scored apart, as in Chinese)."""
        return " ".join(
            w
            for w in text.split()
            if w not in EN_GRAMMAR
            and w not in _EN_HOME
            and not (w[0].isdigit() and _NUMBER.fullmatch(w))
        )

    def knows_english(self, word: str) -> bool:
        """A stop word, or a word of the lexicon's English terms (plural too)."""
        return word in _EN_STOPWORDS or word in self._vocabulary or _stem(word) in self._vocabulary

    def _may_be_a_slip(self, word: str) -> bool:
        """Long enough, letters only, no lexicon word, and no pinyin (dianying is no slip of
        dining)."""
        return (
            len(word) >= SPELL_MIN
            and word not in self._vocabulary
            and word.isalpha()
            and syllable_codes(word) is None
        )

    def _spell(self, word: str) -> str:
        """A near miss of a lexicon word becomes that word (kindergarden -> kindergarten); a
        real English word is no slip, though it may be a lexicon word's inflection (upgraded)."""
        if not self._may_be_a_slip(word):
            return word
        spelled = self._spelled.get(word)
        if spelled is None and is_english_word(word):
            spelled = self._inflected(word)
            if len(self._spelled) < 10_000:
                self._spelled[word] = spelled
        if spelled is None:
            limit = _spelling_limit(word)
            near = self._vocabulary_near.get(len(word))
            if near is None:
                near = [w for w in self._vocabulary_list if abs(len(w) - len(word)) <= limit]
                self._vocabulary_near[len(word)] = near
            found = process.extractOne(word, near, scorer=Levenshtein.distance, score_cutoff=limit)
            spelled = found[0] if found else word
            if len(self._spelled) < 10_000:
                self._spelled[word] = spelled
        return spelled

    def _inflected(self, word: str) -> str:
        """The lexicon word a real word's past form comes from (upgraded -> upgrade, planned ->
        plan), or the word itself."""
        for suffix, tails in _INFLECTIONS:
            if not word.endswith(suffix):
                continue
            stem = word[: -len(suffix)]
            stems = [stem, stem[:-1]] if len(stem) > 2 and stem[-1] == stem[-2] else [stem]
            for base in (s + tail for s in stems for tail in tails):
                if base in self._vocabulary:
                    return base
        return word

    def _spell_many(self, words: Iterable[str]) -> None:
        """`_spell` for many words at once (the examples at load): one distance matrix."""
        todo = []
        for w in dict.fromkeys(words):
            if w in self._spelled or not self._may_be_a_slip(w):
                continue
            if is_english_word(w):
                self._spelled[w] = self._inflected(w)
            else:
                todo.append(w)
        if not todo or not self._vocabulary_list:
            return
        distances = process.cdist(
            todo, self._vocabulary_list, scorer=Levenshtein.distance, dtype=np.int32
        )
        best = distances.argmin(axis=1)  # the first of equals, as extractOne picks
        for word, row, col in zip(todo, distances, best.tolist(), strict=True):
            near = row[col] <= _spelling_limit(word)
            if len(self._spelled) < 10_000:
                self._spelled[word] = self._vocabulary_list[col] if near else word


# endings of English past forms, and what the base form may end with instead; not -ing or -er,
# whose words are often things of their own (parking is no park, greening no green)
_INFLECTIONS = (
    ("ied", ("y",)),
    ("ed", ("", "e")),
    ("d", ("",)),
)

# Shorter words are not corrected: one edit turns too many words into lexicon words. (Real words
# such as smart and cover are kept by the word list; at 6 letters, schol was no slip of school.)
SPELL_MIN = 5
RUN_MIN = 16  # characters: a clause this long may run a story and a question together
NEAR_NAME_MIN = 4  # letters of a pinyin name read after near (shorter ones are English words)
_LETTER_RUNS = re.compile(r"[a-z]+")
SPELLED_MIN = 5
# English words that say a name is where (in Yuancun, Jingtai area)
_WHERE_BEFORE_EN = re.compile(r"\b(?:in|near|around|at|by|about|close to|next to)\s+(?:the\s+)?$")
_WHERE_AFTER_EN = re.compile(
    r"\s+(?:area|street|village|town|neighbou?rhood|campus|side|station|metro)\b"
)
# the asker's (or their family's) own town, county or village, unnamed (我老家县城, 我户口所在的那个县,
# 我哋條鎮, my hometown, the county where I grew up): another place, whose figures the report never
# gives (not 我们村: Haizhu has villages, 我们村消防通道堵着 may be one of them)
_OWN_UNNAMED = re.compile(
    r"(?:老家|家乡|乡下|户口所在地?|户籍所在地?|户籍地|出生地|读大学|读书)"
    r"(?:的|嘅|那|嗰|𠮶|呢|[个個条條])*(?:县城|县|地级市|市(?!场)|镇|村|乡(?!村)|城市)"
    r"|(?:我们|咱们|俺们|我哋|我地)(?:嗰|𠮶|那)?[个個条條]?(?:县城|县|镇|乡(?!村))(?!民|委|干部)"
    r"|\b(?:my|our) (?:home ?town|home village|home county|home city|home province)\b"
    r"|\bthe (?:county|town|village|city|province) (?:where|that) (?:i|we|my \w+) "
    r"(?:grew up|was born|were born|came from|come from|am from|is from|are from)\b"
    # (where the asker used to live, works or was born, or their family lives: 我以前住的那个区,
    # 我单位那边, 我出生的那个县, 我丈母娘那边, the district where I work, where my parents live;
    # the asker's own, said with 我: 唯品会公司那边 is a firm's)
    r"|(?<=我)(?:们|哋)?(?:以前|之前|原来|从前)住(?:过)?(?:的|嘅)(?:那|𠮶)?[个個]?"
    r"(?:区|县|市|城市|地方)"
    r"|(?<=我)(?:(?:户口|户籍)所在地(?=去年|今年|前年|的|嘅|有|新增|gdp|[0-9])"
    r"|(?:出生|出世|租房|租屋|读书|上学)(?:的|嘅)?(?:那|𠮶)[个個]?(?:区|县|市|城市))"
    r"|(?<=我)(?:们|哋)?(?:的|嘅)?(?:单位|公司|工厂|厂|上班的地方|返工嘅地方)"
    r"(?:那边|𠮶边|那片|所在的区|所在区|(?:刚|啱)?搬(?:去|过去|咗去)(?:的|嘅)(?:那|𠮶)[个個]?新?区)"
    r"|(?<=我)(?:的|嘅)?(?:丈母娘|岳母|岳父|公婆|外家|娘家|爸妈|父母|老豆老母)(?:住的地方|那边|𠮶边|𠮶度)"
    r"|\bthe (?:district|county|city|town) (?:where|that) (?:i|we) (?:work|used to live|rent)\b"
    r"|\bwhere my (?:parents|family|in-laws|grandparents) lives?\b"
)
# what ends a word that is a place's name and a kind of place (天河路, 白云山, 天河城, 番禺广场)
_PLACE_KINDS = frozenset(
    "区市县镇乡村街道路巷里山湖河江岛港湾站城州省国洲岸园苑坊庄屯寨坪场馆院校心口桥塘涌都"
)
# a title after a name: a person's (林芝阿姨, 陈仓先生, 钟南山院士, 左权将军)
# (not 同学, 医生, 老板, 小朋友: 番禺同学, 天河医生 are of the place)
_TITLE_AFTER = re.compile(
    r"阿姨|先生|老师|伯伯|阿伯|叔叔|阿叔|院士|将军|师傅|女士|小姐|教授|主任|书记|同志|大爷|大妈|奶奶|爷爷"
    r"|阿婆|婆婆|阿公|哥哥|姐姐|弟弟|妹妹|阿哥|阿姐"
)
# "I am" before a name and a pause after it: the asker's own name (我是万宁，想问…; not 我是番禺人)
_SELF_BEFORE = re.compile(r"(?:我是|我係|我系|本人)$")
_PAUSE = re.compile(r"[,，、:：]")
# (…and Haizhu asked after: 我是番禺，2024年新增了多少学位 tells where the asker is from)
_HAIZHU_AFTER = re.compile(r"海珠|区里|全区|本区|haizhu")
# food, drink and brands named for a place (兰州拉面, 星洲炒米, 顺德菜馆, 永和豆浆, 义乌小商品,
# Beijing duck, Hainan chicken rice, Hong Kong-style cafes; not 番禺菜市场, 从化菜农, 天河菜价, 义乌小商品
# 城: what is there)
_DISH_AFTER = re.compile(
    r"拉面|炒米|炒粉|米粉|米线|烤鸭|豆浆|小吃|菜(?!市|场|地|园|农|价|田|篮)|风味|特产|烧鹅|烧腊|糖水|早茶|点心"
    r"|牛肉丸|小商品(?!城|市)|鸡饭|肠粉"
    r"|[\s-]+(?:style (?:cafes?|restaurants?|food|dishes|milk tea|noodles?)|duck|roast duck"
    r"|chicken rice|noodles?|cuisine|dishes|food|fashion week|dim sum|milk tea)\b"
)
# topics of the report asked of a place named first (执信中学扩班多少, 民治企业有几多)
# (not those that end names too: 海棠公园, 同心社区, 复兴项目, 执信中学)
_TOPIC_AFTER_NAME = (
    "扩班", "营收", "企业", "招商", "消费", "算力", "托育", "养老", "助餐", "饭堂",
    "普惠", "每千人", "老旧小区", "城中村", "口袋公园", "新开", "有冇", "有没有",
)  # fmt: skip
# ... or a name said as someone's (我叫吴江, 我系黄石)
_NAMED_BEFORE = re.compile(r"(?:我叫|我係|我系|名叫)$")
_OWNER_AFTER_EN = re.compile(r"['’]s\b")
_ROAD_AFTER_EN = re.compile(
    r"\s+(?:(?:west|east|south|north|middle)\s+)?(road|rd|street|lu|avenue|bridge|lane|alley)\b"
)
_FAMILY_NAME_BEFORE_EN = re.compile(
    r"\b(?:xi|li|wang|zhang|liu|chen|yang|zhao|huang|zhou|wu|xu|sun|hu|zhu|gao|lin|he|guo|ma"
    r"|luo|deng|han|tang|feng|cao|peng|zeng|xiao|tian|dong|pan|yuan|cai|jiang|yu|du|ye|cheng)"
    r"\s+$"
)
_DOER_BEFORE_EN = re.compile(r"\b(?:does|did|has|had)\s+$")
# what a place does that is a figure asked of it (does Yongkang have, did Pingyao add)
_FIGURE_DONE_EN = re.compile(
    r"\s+(?:have|add|build|open|create|spend|invest|achieve|record|plan|set|reach|hit|provide"
    r"|complete|finish|get|collect|raise|added|built|opened|created|spent|invested|achieved"
    r"|recorded|planned|reached|provided|completed|finished|got|collected|raised)\b"
)
# kinds of place ending a Chinese name, as English names them after the pinyin name
_KINDS_EN = {
    "花园": ("garden", "gardens"),
    "花苑": ("garden", "gardens", "court"),
    "苑": ("garden", "court"),
    "中学": ("middle school", "high school"),
    "医院": ("hospital",),
    "新城": ("new town", "new city"),
    "广场": ("plaza", "square"),
    "公园": ("park",),
    "山庄": ("villa", "villas"),
    "新村": ("new village",),
    "站": ("station",),
}


def _spelled_with_kind(names: Iterable[str], spellings: Callable[..., set[str]]) -> set[str]:
    """Names that end in a kind of place as English writes them: the rest of the name in
    pinyin, the kind in English (骏景花园 -> junjing garden, 执信中学 -> zhixin middle school)."""
    out: set[str] = set()
    for name in names:
        for kind, english in _KINDS_EN.items():
            head = name.removesuffix(kind)
            if head != name and len(head) >= 2:
                for spelling in spellings([head], sounds=False):
                    out.update(f"{spelling} {e}" for e in english)
    return out


# a kind of place ending a Chinese name (仙桃市, 曹县): the bare name is spelled
_KIND_ENDS = re.compile(r"[市县区旗盟]$")
# what English asks of a place named first (Shiqiao elderly canteens)
_TOPIC_AFTER_EN = re.compile(
    r"\s+(?:elderly|childcare|child care|new|school|gdp|fixed|high|pocket|parks?|jobs?|canteens?|"
    r"population|investment|tax|hospitals?|kindergartens?|nurser(?:y|ies)|green|urban|"
    r"librar(?:y|ies)|air|revenue|output|textile|industr(?:y|ial)|econom(?:y|ic)|growth|"
    r"greenway|daycare|budget|fiscal|retail|consumption|exports?|trade)\b"
)  # letters of another place's pinyin name looked for in English (xian, bali: no)
# a name of two to four Chinese characters (longer ones English translates); with one of `_NO_NAME` it is a kind of place (其他区,
# 别的城市, 海珠以外), no name to spell
_CJK_ONLY_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")
_NO_NAME = frozenset("其它别外那这各邻周对隔全")


def _spelling_limit(word: str) -> int:
    return 1 if len(word) < 8 else 2


def _english_words(folded: str) -> list[str]:
    """Words and figures: "haizhu's gdp2024 grew 6.2%" -> haizhu, gdp, 2024, grew, 6.2; an
    ampersand is "and" (primary & middle schools)."""
    if "'" in folded or "’" in folded:
        folded = _POSSESSIVE.sub("", folded)
    if _LETTER_BY_DIGIT.search(folded):
        folded = _LETTER_DIGIT.sub(" ", folded)
    return _WORD.findall(folded.replace("&", " and ") if "&" in folded else folded)


def _stem(word: str) -> str:
    """Plural -> singular, roughly (places -> place, classes -> class, cities -> city)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _stem_latin(phrase: str) -> str:
    """Stem each Latin word of a lexicon entry the way questions are stemmed."""
    if not _LATIN.match(phrase):
        return phrase
    return " ".join(_stem(w) for w in phrase.split())
