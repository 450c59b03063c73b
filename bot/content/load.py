"""Load and validate all content: data/ (the report's facts), intents/ and the lexicon.

Everything a citizen could see is checked here, before it is served: schema (file, line, key),
unique ids, every quote verbatim in the report and in the section it names, every number in its
quote, every template rendered against the data (sandboxed, strict), the year stated, plans worded
as plans, no figure typed into a template. Problems are collected, not raised one by one, so an
editor sees them all at once as `path:line: message`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from jinja2 import TemplateError
from pydantic import BaseModel, ValidationError
from rapidfuzz import fuzz

from bot.content.files import (
    MAX_SOURCE_BYTES,
    MAX_YAML_BYTES,
    ContentFileError,
    read_limited,
    source_path,
)
from bot.content.schema import DataFile, Fact, Intent, IntentFile, Lexicon, Quantity, Source
from bot.content.templates import Rendered, Renderer, format_number, make_environment
from bot.content.yamlload import (
    LineMap,
    YamlError,
    line_of,
    load_bytes_with_lines,
    repeated_key,
)

M = TypeVar("M", bound=BaseModel)
SOURCES_DIR = "sources"
LEXICON_DIR = "lexicon"
LANGS = ("zh", "en")
PLAN_WORDS = {
    "zh": ("计划", "目标", "力争", "将", "拟", "预计", "推动"),
    "en": ("plan", "target", "aim", "will", "goal"),
}
UNDONE_WORDS = {"zh": ("尚未", "还没", "未完成"), "en": ("not yet", "still to be", "not done")}
AS_OF_REPORT = {"zh": ("截至报告", "报告发布时"), "en": ("as of the report",)}
HOTLINE_NUMBER = "12345"  # may be typed into templates, as may the years the reports cover
_WS = re.compile(r"\s+")
_NUMBER_TOKEN = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.]*\d)")
_TEMPLATE_CODE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_LIST_MARK = re.compile(r"^\s*\d+[.、)]", re.M)
_FIGURE = re.compile(r"\d+(?:\.\d+)?")
_HEADING = re.compile(r"^\s*([一二])、|^\s*\(([一二三四五六七八九十]+)\)", re.MULTILINE)
_CN_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_MULTIPLIERS = {"万": 10_000, "亿": 100_000_000, "千": 1_000, "百": 100}


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    line: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}: {prefix}{self.message}"


class ContentError(Exception):
    """Content is invalid; `problems` lists every error found (warnings are not raised)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(slots=True)
class LoadedIntent:
    intent: Intent
    path: str
    line: int
    answers: dict[str, Rendered]
    lines: LineMap | None = None  # its file's, for the line of one of its parts
    index: int = 0  # its place in the file's `intents`

    def example_line(self, lang: str, j: int) -> int:
        """The line of example j in `lang` (the intent's line when unknown)."""
        if self.lines is None:
            return self.line
        return line_of(self.lines, ("intents", self.index, "examples", lang, j)) or self.line

    @property
    def years(self) -> frozenset[int]:
        return frozenset(f.year for r in self.answers.values() for f in r.facts)


@dataclass(slots=True)
class Content:
    source: Source  # the newest report: what "the report" covers
    source_text: str  # its text
    facts: dict[str, Fact]
    intents: list[LoadedIntent]
    lexicon: Lexicon
    file_digests: dict[str, str]
    warnings: list[Problem] = field(default_factory=list)
    sources: dict[str, Source] = field(default_factory=dict)  # every report, by id
    texts: dict[str, str] = field(default_factory=dict)  # their texts, by id

    @property
    def report_years(self) -> frozenset[int]:
        """Every year a report's results or plan or a fact speaks of."""
        years = {f.year for f in self.facts.values()}
        for s in self.sources.values():
            years |= {s.results_year, s.plan_year}
        return frozenset(years)


def squash(text: str) -> str:
    return _WS.sub("", text)


def parse_written(written: str) -> float | None:
    """'9万' -> 90000, '3.8万' -> 38000, '十' -> 10, '两' -> 2, '十二' -> 12; None if unknown."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([万亿千百]?)", written)
    if m:
        return float(m.group(1)) * _MULTIPLIERS.get(m.group(2), 1)
    if written and all(ch in _CN_DIGITS or ch == "十" for ch in written):
        if "十" not in written:
            return float(_CN_DIGITS[written]) if len(written) == 1 else None
        tens, _, ones = written.partition("十")
        return float((_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0))
    return None


def number_in(text: str, number: str) -> bool:
    """Whether `number` occurs in `text` as a whole number (3 is not in 3395, nor 5 in 5.4)."""
    return number in _NUMBER_TOKEN.findall(text)


def nearest(quote: str, text: str) -> str:
    """Where the report says something most like `quote`, for a quote that is not verbatim."""
    found = fuzz.partial_ratio_alignment(quote, text)
    if found is None or found.score < 50:
        return "nothing in the report is close"
    snippet = text[found.dest_start : found.dest_end]
    return f"nearest report text ({found.score:.0f}% alike): {snippet[:80]!r}"


def split_sections(source_text: str) -> dict[str, str]:
    """Section key ('一', '一、(六)', '二', ...) -> squashed text of that section."""
    spans: dict[str, str] = {}
    part = ""
    marks: list[tuple[int, str]] = []
    for m in _HEADING.finditer(source_text):
        if m.group(1):
            part = m.group(1)
            marks.append((m.start(), part))
        elif part:
            marks.append((m.start(), f"{part}、({m.group(2)})"))
    appendix = source_text.find("名 词 解 释")
    end_all = appendix if appendix > 0 else len(source_text)
    for i, (start, key) in enumerate(marks):
        end = marks[i + 1][0] if i + 1 < len(marks) else end_all
        spans[key] = spans.get(key, "") + squash(source_text[start:end])
    for part_key in ("一", "二"):
        spans[part_key] = "".join(v for k, v in spans.items() if k.startswith(part_key))
    return spans


class _Loader:
    def __init__(self, intents_dir: Path, data_dir: Path) -> None:
        self.intents_dir = intents_dir
        self.data_dir = data_dir
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.digests: dict[str, str] = {}
        self._cwd: Path | None = None
        self._shown: dict[Path, str] = {}
        self.progress: Callable[[str, int], None] | None = None
        self.failed_data: list[str] = []  # data files that could not be read

    def shown(self, path: Path) -> str:
        """`path` for messages: relative to the working directory when under it. Resolving costs
        a system call per path component, so each path is resolved once per load."""
        shown = self._shown.get(path)
        if shown is None:
            if self._cwd is None:
                self._cwd = Path.cwd().resolve()
            try:
                shown = str(path.resolve().relative_to(self._cwd))
            except ValueError:
                shown = str(path)
            self._shown[path] = shown
        return shown

    def error(self, path: str, line: int, message: str) -> None:
        self.problems.append(Problem(path, line, message))

    def warn(self, path: str, line: int, message: str) -> None:
        self.warnings.append(Problem(path, line, message, "warning"))

    def read(self, path: Path) -> tuple[Any, LineMap] | None:
        shown = self.shown(path)
        try:
            # only a regular file inside its folder (globs do not descend), of a sane size
            raw = read_limited(path, path.parent, MAX_YAML_BYTES)
            self.digests[shown] = hashlib.sha256(raw).hexdigest()[:16]
            loaded = load_bytes_with_lines(raw)
            repeated = repeated_key(loaded[1])
            if repeated is not None:
                line, key, first = repeated
                self.error(
                    shown,
                    line,
                    f"key {key!r} is written twice (first at line {first}): "
                    "the first would be ignored; merge the two",
                )
            return loaded
        except YamlError as exc:
            self.error(shown, exc.line, exc.message)
        except ContentFileError as exc:
            self.error(shown, 1, str(exc))
        return None

    def model(self, path: Path, cls: type[M]) -> tuple[M, LineMap] | None:
        loaded = self.read(path)
        if loaded is None:
            return None
        data, lines = loaded
        try:
            return cls.model_validate(data if data is not None else {}), lines
        except ValidationError as exc:
            for err in exc.errors():
                loc = tuple(err["loc"])
                key = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in loc)
                key = key.replace(".[", "[") or "(file)"
                self.error(self.shown(path), line_of(lines, loc), f"{key}: {err['msg']}")
        return None

    # -- data ---------------------------------------------------------------------------------
    def load_sources(self) -> dict[str, tuple[Source, str]]:
        """Every report in data/sources/ (its metadata *.yaml and the text it names)."""
        folder = self.data_dir / SOURCES_DIR
        out: dict[str, tuple[Source, str]] = {}
        metas = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
        if not metas:
            self.error(self.shown(folder), 1, "no report metadata (data/sources/*.yaml)")
        for meta_path in metas:
            loaded = self.model(meta_path, Source)
            if loaded is None:
                continue
            source = loaded[0]
            if source.id in out:
                self.error(self.shown(meta_path), 1, f"duplicate report id '{source.id}'")
                continue
            try:
                text_path = source_path(folder, source.file)
                raw = read_limited(text_path, folder, MAX_SOURCE_BYTES)
                text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
                out[source.id] = (source, text)
            except ContentFileError as exc:
                self.error(self.shown(meta_path), 1, f"source text {source.file!r}: {exc}")
            except UnicodeDecodeError:
                self.error(self.shown(meta_path), 1, f"source text {source.file!r}: not UTF-8")
        return out

    def load_facts(self, sources: dict[str, tuple[Source, str]]) -> dict[str, Fact]:
        texts = {sid: (squash(text), split_sections(text)) for sid, (_, text) in sources.items()}
        facts: dict[str, Fact] = {}
        where: dict[str, str] = {}
        files = sorted(self.data_dir.glob("*.yaml")) + sorted(self.data_dir.glob("*.yml"))
        if not files:
            self.error(self.shown(self.data_dir), 1, "no data files (*.yaml)")
        for path in files:
            loaded = self.model(path, DataFile)
            if loaded is None:
                self.failed_data.append(self.shown(path))
                continue
            data, lines = loaded
            shown = self.shown(path)
            default = data.source
            if default is None and len(sources) == 1:
                default = next(iter(sources))
            for i, fact in enumerate(data.facts):
                line = line_of(lines, ("facts", i))
                if fact.id in facts:
                    self.error(
                        shown, line, f"duplicate fact id '{fact.id}' (also in {where[fact.id]})"
                    )
                    continue
                sid = fact.source or default
                if sid is None:
                    self.error(
                        shown,
                        line,
                        f"facts[{i}]: which report does it quote? data/sources/ has "
                        f"{len(sources)}: set `source:` ({', '.join(sorted(sources))}) ({fact.id})",
                    )
                    continue
                if sid not in sources:
                    key = ("facts", i, "source") if fact.source else ("source",)
                    self.error(
                        shown,
                        line_of(lines, key),
                        f"facts[{i}]: unknown report '{sid}' (known: {', '.join(sorted(sources))})",
                    )
                    continue
                fact = fact.model_copy(update={"source": sid})
                whole, sections = texts[sid]
                self.check_fact(fact, shown, lines, i, whole, sections)
                self.check_year(fact, sources[sid][0], shown, lines, i)
                facts[fact.id] = fact
                where[fact.id] = f"{shown}:{line}"
        return facts

    def check_fact(
        self,
        fact: Fact,
        shown: str,
        lines: LineMap,
        i: int,
        whole: str,
        sections: dict[str, str],
    ) -> None:
        quote = squash(fact.quote)
        if quote not in whole:
            self.error(
                shown,
                line_of(lines, ("facts", i, "quote")),
                f"facts[{i}].quote: not found verbatim in the report ({fact.id}); "
                + nearest(quote, whole),
            )
        elif fact.section not in sections:
            self.error(
                shown,
                line_of(lines, ("facts", i, "section")),
                f"facts[{i}].section: no section {fact.section} in the report",
            )
        elif quote not in sections[fact.section]:
            found = [k for k, v in sections.items() if "、" in k and quote in v]
            self.error(
                shown,
                line_of(lines, ("facts", i, "section")),
                f"facts[{i}].section: quote is not in {fact.section}"
                + (f" but in {', '.join(found)}" if found else ""),
            )
        for name, q in fact.quantities().items():
            key = ("facts", i, "value") if name == "value" else ("facts", i, "values", name)
            problem = self.check_quantity(q, fact.quote)
            if problem:
                label = "value" if name == "value" else f"values.{name}"
                self.error(shown, line_of(lines, key), f"facts[{i}].{label}: {problem} ({fact.id})")
        for j, item in enumerate(fact.items):
            if squash(item) not in quote:
                self.error(
                    shown,
                    line_of(lines, ("facts", i, "items", j)),
                    f"facts[{i}].items[{j}]: '{item}' is not in the quote",
                )

    def check_year(self, fact: Fact, source: Source, shown: str, lines: LineMap, i: int) -> None:
        """A result is of the report's results year or earlier; a plan is of its plan year."""
        if fact.status == "plan" and fact.year != source.plan_year:
            problem = f"a plan of this report is for {source.plan_year}"
        elif fact.status == "result" and fact.year > source.results_year:
            problem = f"this report has results up to {source.results_year}"
        else:
            return
        self.error(
            shown, line_of(lines, ("facts", i, "year")), f"facts[{i}].year: {problem} ({fact.id})"
        )

    @staticmethod
    def check_quantity(q: Quantity, quote: str) -> str | None:
        if q.written is not None:
            if q.written not in quote:
                return f"written form '{q.written}' is not in the quote"
            parsed = parse_written(q.written)
            if parsed is None or abs(parsed - float(q.value)) > 1e-9 * max(1.0, abs(parsed)):
                return f"written form '{q.written}' does not convert to {format_number(q.value)}"
            return None
        shown = format_number(q.value)
        if not number_in(quote, shown):
            return f"{shown} does not occur in the quote"
        return None

    # -- lexicon and intents ----------------------------------------------------------------
    def load_lexicon(self) -> Lexicon:
        merged: dict[str, Any] = {}
        for path in sorted((self.intents_dir / LEXICON_DIR).glob("*.yaml")):
            loaded = self.model(path, Lexicon)
            if loaded is None:
                continue
            lex = loaded[0]
            for key in Lexicon.model_fields:
                value = getattr(lex, key)
                if isinstance(value, dict):
                    # the same canonical word (or place group) in two files: keep both lists;
                    # the same time word twice: the later file's offset
                    target = merged.setdefault(key, {})
                    for name, words in value.items():
                        if isinstance(words, list):
                            target[name] = [*target.get(name, []), *words]
                        else:
                            target[name] = words
                else:
                    merged.setdefault(key, []).extend(value)
        return Lexicon.model_validate(merged)

    def load_intents(
        self,
        facts: dict[str, Fact],
        source: Source,
        report_years: frozenset[int],
        covered: frozenset[int],
    ) -> list[LoadedIntent]:
        unchecked: dict[str, int] = {}  # intent file -> answers skipped (see below)
        renderer = Renderer(make_environment(), facts, source)
        allowed_typed = {HOTLINE_NUMBER, *(str(y) for y in report_years)}
        plan_years = frozenset(f.year for f in facts.values() if f.status == "plan")
        intents: list[LoadedIntent] = []
        seen: dict[str, str] = {}
        files = sorted(self.intents_dir.glob("*.yaml")) + sorted(self.intents_dir.glob("*.yml"))
        if not files:
            self.error(self.shown(self.intents_dir), 1, "no intent files (*.yaml)")
        for path in files:
            loaded = self.model(path, IntentFile)
            if loaded is None:
                continue
            data, lines = loaded
            shown = self.shown(path)
            for i, intent in enumerate(data.intents):
                line = line_of(lines, ("intents", i))
                if intent.id in seen:
                    self.error(
                        shown,
                        line,
                        f"duplicate intent id '{intent.id}' (also at {seen[intent.id]})",
                    )
                    continue
                seen[intent.id] = f"{shown}:{line}"
                answers: dict[str, Rendered] = {}
                for lang in LANGS:
                    answer_key = ("intents", i, "answer", lang)  # its line: for errors only
                    template = getattr(intent.answer, lang)
                    if self.progress is not None:
                        self.progress(shown, line_of(lines, answer_key))
                    try:
                        rendered = renderer.render(template)
                    except TemplateError as exc:
                        message = exc.message or str(exc)
                        if self.failed_data and message.startswith("unknown fact"):
                            # most likely a fact of a data file that could not be read: one
                            # line per intent file below, not one per answer
                            unchecked[shown] = unchecked.get(shown, 0) + 1
                            continue
                        self.error(
                            shown,
                            line_of(lines, answer_key),
                            f"intents[{i}].answer.{lang}: {message} ({intent.id})",
                        )
                        continue
                    except Exception as exc:  # a template may raise anything (1 + "x")
                        self.error(
                            shown,
                            line_of(lines, answer_key),
                            f"intents[{i}].answer.{lang}: {type(exc).__name__}: {exc} ({intent.id})",
                        )
                        continue
                    for msg in self.check_answer(
                        template, rendered, lang, allowed_typed, covered, plan_years
                    ):
                        self.error(
                            shown,
                            line_of(lines, answer_key),
                            f"intents[{i}].answer.{lang}: {msg} ({intent.id})",
                        )
                    answers[lang] = rendered
                if len(answers) == len(LANGS):
                    used = {lang: {f.id for f in r.facts} for lang, r in answers.items()}
                    if used["zh"] != used["en"]:
                        diff = sorted(used["zh"] ^ used["en"])
                        self.error(
                            shown,
                            line_of(lines, ("intents", i, "answer")),
                            f"intents[{i}].answer: zh and en must draw on the same facts; "
                            f"differ in {', '.join(diff)} ({intent.id})",
                        )
                intents.append(LoadedIntent(intent, shown, line, answers, lines, i))
        for where, n in unchecked.items():
            self.error(
                where,
                1,
                f"{n} answer(s) here use facts that could not be loaded: fix "
                f"{', '.join(self.failed_data)} first",
            )
        known = {li.intent.id for li in intents}
        for li in intents:
            for rel in li.intent.related:
                if rel not in known:
                    self.error(
                        li.path,
                        li.line,
                        f"intent '{li.intent.id}': related intent '{rel}' does not exist",
                    )
        used_ids = {f.id for li in intents for r in li.answers.values() for f in r.facts}
        for fid in facts:
            if fid not in used_ids:
                self.warn("data", 1, f"fact '{fid}' is not used by any intent")
        return intents

    @staticmethod
    def check_answer(
        template: str,
        rendered: Rendered,
        lang: str,
        allowed_typed: set[str],
        covered: frozenset[int],
        plan_years: frozenset[int],
    ) -> list[str]:
        """What is wrong with one rendered answer (`covered`: the reports' results and plan
        years, of which an answer may only speak with a fact of that year)."""
        out: list[str] = []
        literal = _TEMPLATE_CODE.sub(" ", template)
        literal = _LIST_MARK.sub(" ", literal)
        typed = [n for n in _FIGURE.findall(literal) if n not in allowed_typed]
        if typed:
            out.append(
                f"figure(s) {', '.join(typed)} typed into the template; take them from data (f.<fact>)"
            )
        text = rendered.text
        years_used = {f.year for f in rendered.facts}
        if rendered.facts:
            numbers: list[str] | None = None  # the text's numbers, found when a year may be one
            for year in sorted(covered):
                if year in years_used or str(year) not in text:
                    continue
                if numbers is None:
                    numbers = _NUMBER_TOKEN.findall(text)
                if str(year) in numbers:
                    out.append(
                        f"speaks of {year} but uses no {year} fact: every statement about a year "
                        "must come from data"
                    )
        for year in sorted(years_used):
            needle = f"{year}年" if lang == "zh" else str(year)
            if needle not in text:
                out.append(f"uses a {year} fact but does not say '{needle}'")
        used_plans = sorted({f.year for f in rendered.facts if f.status == "plan"})
        if used_plans:
            low = text.lower()
            for line in low.splitlines():
                # each sentence about a plan year must itself read as a plan, not just the
                # answer somewhere
                for year in plan_years:
                    if str(year) in line and not any(w in line for w in PLAN_WORDS[lang]):
                        out.append(f"a line about {year} does not read as a plan: {line[:60]!r}")
            if not any(w in low for w in PLAN_WORDS[lang]):
                out.append(
                    f"uses a {used_plans[0]} plan fact but does not read as a plan "
                    f"(use one of {'/'.join(PLAN_WORDS[lang])})"
                )
        # whether a plan was met is the day's question, not the template's: the footer says
        # what the report can tell on the day it is read
        for word in UNDONE_WORDS[lang]:
            if word in text.lower() and not any(a in text.lower() for a in AS_OF_REPORT[lang]):
                out.append(
                    f"says '{word}': a plan's state is told by the footer (or say 'as of the "
                    "report' / 截至报告)"
                )
        return out


def load_content(
    intents_dir: Path, data_dir: Path, progress: Callable[[str, int], None] | None = None
) -> Content:
    """Load and validate everything; raise ContentError listing every problem. `progress` is
    told the path and line of each answer template before it is rendered."""
    loader = _Loader(Path(intents_dir), Path(data_dir))
    loader.progress = progress
    sources = loader.load_sources()
    lexicon = loader.load_lexicon()
    if not sources:
        raise ContentError(loader.problems)
    facts = loader.load_facts(sources)
    # "the report" is the newest: its results and plan years are what the bot covers now
    newest, text = max(sources.values(), key=lambda st: (st[0].published, st[0].id))
    report_years = frozenset(
        {f.year for f in facts.values()}
        | {y for s, _ in sources.values() for y in (s.results_year, s.plan_year)}
    )
    covered = frozenset(y for s, _ in sources.values() for y in (s.results_year, s.plan_year))
    intents = loader.load_intents(facts, newest, report_years, covered)
    if loader.problems:
        raise ContentError(loader.problems)
    return Content(
        newest,
        text,
        facts,
        intents,
        lexicon,
        loader.digests,
        loader.warnings,
        {sid: s for sid, (s, _) in sources.items()},
        {sid: t for sid, (_, t) in sources.items()},
    )
