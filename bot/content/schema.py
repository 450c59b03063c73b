"""The shape of content files (data/*.yaml, intents/*.yaml, intents/lexicon/*.yaml), as pydantic models.

Models check one file's structure; cross-file rules (ids unique, quotes in the source, templates
render) live in `bot.content.load`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ID_RE = r"^[a-z][a-z0-9_]{1,60}$"
MAX_WORD = 80  # characters of one lexicon word or phrase
SECTION_RE = re.compile(r"^[一二](、\([一二三四五六七八九十]+\))?$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Quantity(Strict):
    """A number as the report states it. `written` is the report's own form when it differs
    from the plain digits (9万 for 90000, 十 for 10): an explicit conversion, never a guess."""

    value: float | int
    unit: str = ""
    written: str | None = None


class Fact(Strict):
    id: str = Field(pattern=ID_RE)
    section: str
    year: int = Field(ge=1900, le=2100)  # which years a report covers: its metadata (Source)
    status: Literal["result", "plan"]
    quote: str = Field(min_length=4)
    label: str | None = None
    value: float | int | None = None
    unit: str = ""
    written: str | None = None
    values: dict[str, Quantity] = Field(default_factory=dict)
    items: list[str] = Field(default_factory=list)
    note: str | None = None
    # the report quoted (a Source id); set from the data file's `source` when not given
    source: str = ""

    @field_validator("section")
    @classmethod
    def _section(cls, v: str) -> str:
        if not SECTION_RE.match(v):
            raise ValueError("section must look like 一、(六) or 二 (parentheses ASCII)")
        return v

    @model_validator(mode="after")
    def _status_matches_part(self) -> Fact:
        part = self.section[0]
        if self.status == "result" and part != "一":
            raise ValueError("a result must come from part 一 (the results)")
        if self.status == "plan" and part != "二":
            raise ValueError("a plan must come from part 二 (the plan)")
        if self.value is None and not self.values and not self.items:
            raise ValueError("a fact needs a value, values or items")
        return self

    def quantities(self) -> dict[str, Quantity]:
        """Every number of the fact by name; the main value is named 'value'."""
        out: dict[str, Quantity] = {}
        if self.value is not None:
            out["value"] = Quantity(value=self.value, unit=self.unit, written=self.written)
        out.update(self.values)
        return out


class DataFile(Strict):
    topic: str | None = None
    # the report (Source id) its facts quote; may be left out while data/sources/ has one report
    source: str | None = None
    facts: list[Fact]


class Bilingual(Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Examples(Strict):
    zh: list[str] = Field(min_length=1)
    en: list[str] = Field(default_factory=list)


class Intent(Strict):
    id: str = Field(pattern=ID_RE)
    topic: str
    title: Bilingual
    examples: Examples
    keywords: list[str] = Field(default_factory=list)
    answer: Bilingual
    related: list[str] = Field(default_factory=list)
    places: list[str] = Field(default_factory=list)

    @field_validator("title")
    @classmethod
    def _short_title(cls, v: Bilingual) -> Bilingual:
        if len(v.zh) > 20 or len(v.en) > 48:
            raise ValueError("title too long for a button (zh <= 20, en <= 48 characters)")
        return v


class IntentFile(Strict):
    intents: list[Intent]


class Detail(Strict):
    """A detail people ask about things (height, area, revenue): the words that ask for it, and
    the words an answer that gives it shows."""

    asks: list[str]
    shows: list[str] = Field(default_factory=list)
    # an answer that names a calendar day (3月5日, 5 March) shows it: for the day something
    # opens or is held, which words alone cannot recognise
    shows_day: bool = False
    # only a figure beside a shown word shows it (营收4484.44亿元), not the word said of a change
    # alone (游戏产业营收实现双位数增长)
    shows_figure: bool = False
    # an answer naming a place of Haizhu's (places.yaml `inside`) just before the thing asked
    # about shows it (南海心沙低空经济岛 tells where the island is): for where a thing is
    shows_place: bool = False


class Lexicon(Strict):
    """intents/lexicon/*.yaml: words the normaliser and the scope guard use."""

    synonyms: dict[str, list[str]] = Field(default_factory=dict)
    fillers: list[str] = Field(default_factory=list)
    particles: list[str] = Field(default_factory=list)
    places: dict[str, list[str]] = Field(default_factory=dict)
    personal: list[str] = Field(default_factory=list)
    # A personal marker makes a question a personal case, unless a clause that `asks` asks for
    # a figure (`figure_asks`) of the district or a period (`district`, `home`) and no clause
    # that asks has a marker or one of `personal_asks` (能不能, 符合): 我家孩子两岁，区里有多少托位.
    asks: list[str] = Field(default_factory=list)
    personal_asks: list[str] = Field(default_factory=list)
    # what the asker would get or undergo (领到, 分到, 录取, 会被拆): asked in a clause of its own
    # beside one that tells of the asker, in a question that asks no figure, their own case
    # (我今年60岁，住在海珠，可以领到什么补贴); 能不能 there asks of anyone (我是宝妈，托育综合
    # 服务中心今年能不能建成)
    own_case_asks: list[str] = Field(default_factory=list)
    figure_asks: list[str] = Field(default_factory=list)
    # words joining two things asked for: a question near two intents that has one gets both
    joins: list[str] = Field(default_factory=list)
    district: list[str] = Field(default_factory=list)
    # the district as what a clause speaks of (区里能不能建成…: its doing, not the asker's case)
    district_names: list[str] = Field(default_factory=list)
    home: list[str] = Field(default_factory=list)
    inside: list[str] = Field(default_factory=list)
    wider: list[str] = Field(default_factory=list)
    # a wider area's name alone, a wider area only before one of `wider_before` (广州的…)
    wider_names: list[str] = Field(default_factory=list)
    wider_before: list[str] = Field(default_factory=list)
    # a wider area whose name also names the district's own work (大湾区合作, 大湾区首个): a wider
    # area only before a word of `wider_before` that is no joining word (大湾区GDP, 大湾区的GDP,
    # 大湾区去年; not 大湾区的合作, 大湾区有什么)
    wider_figure_names: list[str] = Field(default_factory=list)
    # areas of other districts whose names are also words (新市 in 新市民, 大石 in 大石头): another
    # place only before a word of where (新市那边, 大石街, 同和附近), or starting a clause before
    # a year (新市去年)
    areas_as_where: list[str] = Field(default_factory=list)
    # landmarks of other districts that may be named for what they are (跟广雅中学合办): another
    # place only before a word of where (华工那边), never by a year after them
    landmarks_as_where: list[str] = Field(default_factory=list)
    # places by one character (深, 沪, 港): another place only starting a clause before a year
    abbreviations: list[str] = Field(default_factory=list)
    # every province, prefecture and county of China (intents/lexicon/gazetteer.yaml, made by
    # tools/make_gazetteer.py): another place where the question has it as a word of its own
    # (仁怀去年GDP; not 上高 in 以上高新技术企业), told by a word segmenter; and those whose bare
    # names are everyday words too, another place only as `areas_as_where` are (大同那边)
    gazetteer: list[str] = Field(default_factory=list)
    gazetteer_as_where: list[str] = Field(default_factory=list)
    # districts and cities (two characters) whose name typed with a slip that sounds the same
    # (天和区, 广洲市) still names them
    sound_alike: list[str] = Field(default_factory=list)
    offtopic: list[str] = Field(default_factory=list)
    # words that ask what a quoted figure is (是什么意思, 这个数字, what does … mean): a question
    # of a report figure and nothing else is answered by the intents that show the figure
    figure_refs: list[str] = Field(default_factory=list)
    # how-to and where-to questions (intents/lexicon/procedure.yaml): the report has no
    # procedures; and requests that are not questions about the district (写诗, a joke)
    procedure_asks: list[str] = Field(default_factory=list)
    procedure_words: list[str] = Field(default_factory=list)
    procedure_phrases: list[str] = Field(default_factory=list)
    # a clause that ends with one of these asks for the procedure, question word or not
    # (四上企业入库 流程, 创新型中小企业申请 conditions)
    procedure_ends: list[str] = Field(default_factory=list)
    # what doing something costs (多少钱, fee): with a procedure word in the same clause, the
    # cost of a procedure (注册要几多钱), which the report never gives
    costs: list[str] = Field(default_factory=list)
    # details of things (intents/lexicon/details.yaml): a question asking one is answered only
    # by an intent whose answer shows it (奇安信大厦有多高: no answer gives a height)
    details: dict[str, Detail] = Field(default_factory=dict)
    requests: list[str] = Field(default_factory=list)
    # words that lean on what was said before (还有, 那个, 具体点, go on, what else): a question of
    # nothing but these, fillers and particles is a fragment, answered only after an answer
    fragments: list[str] = Field(default_factory=list)
    # words that say which side of a topic is asked (投资, 占比, 几时完工, how much): a short
    # question of nothing but these, fragments and time words names no topic either
    aspects: list[str] = Field(default_factory=list)
    # words that set a clause aside (就不问了, 唔使理住, never mind, aside): the scope guards do
    # not read such a clause when another one asks
    dismissals: list[str] = Field(default_factory=list)
    # words that begin the question proper in a long run without punctuation (voice input):
    # the text is cut into clauses before them (我家孩子明年上小学 | 想问下去年新办了几所公办小学)
    clause_starts: list[str] = Field(default_factory=list)

    @field_validator("*", mode="after")
    @classmethod
    def _words_are_words(cls, value: object) -> object:
        """A lexicon entry is a word or a phrase, not a paragraph (regexes are built from them)."""
        words = value.items() if isinstance(value, dict) else enumerate(value)  # type: ignore[arg-type]
        for key, item in words:
            if isinstance(item, Detail):
                item = [*item.asks, *item.shows]
            for word in [key, *(item if isinstance(item, list) else [item])]:
                if isinstance(word, str) and len(word) > MAX_WORD:
                    raise ValueError(
                        f"{word[:20]!r}… is {len(word)} characters long (at most {MAX_WORD})"
                    )
        return value

    # time (intents/lexicon/time.yaml): offsets from today's year and month, words asking for
    # the state of things now, and the shapes of "was it done?"
    relative_years: dict[str, int] = Field(default_factory=dict)
    relative_months: dict[str, int] = Field(default_factory=dict)
    now_words: list[str] = Field(default_factory=list)
    actual_words: list[str] = Field(default_factory=list)
    done_verbs: list[str] = Field(default_factory=list)
    done_aux: list[str] = Field(default_factory=list)
    done_verbs_en: list[str] = Field(default_factory=list)
    done_tails: list[str] = Field(default_factory=list)
    done_phrases: list[str] = Field(default_factory=list)


class Source(Strict):
    """A report's metadata (data/sources/*.yaml): what it is and which years it covers.

    Which years a question may be answered for, and how a plan reads on a given day, come from
    here (`results_year`, `plan_year`, `published`), never from the code."""

    id: str = Field(pattern=ID_RE)
    title: str
    title_en: str
    issuer: str
    delivered: date  # the day it was delivered to the congress
    meeting: str = ""  # where it was delivered
    speaker: str = ""  # who delivered it, as the report's heading names them
    speaker_en: str = ""  # the same in English
    published: date
    results_year: int = Field(ge=1900, le=2100)  # part 一: the results of this year
    plan_year: int = Field(ge=1900, le=2100)  # part 二: the plan (targets) for this year
    url: str | None = None
    file: str
    # the sections of the core topics (schools, childcare, projects): `coverage` lists every
    # commitment there that no fact represents, figures or not
    core_sections: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _years_in_order(self) -> Source:
        if self.plan_year != self.results_year + 1:
            raise ValueError("plan_year must be the year after results_year")
        if self.published < self.delivered:
            raise ValueError("published must not be before delivered")
        return self
