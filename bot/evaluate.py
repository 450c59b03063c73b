"""Measure the engine on a question set (the format of tests/eval/questions.yaml).

A case passes when the engine answers (decision "answer") and the answer contains every `all`
item and at least one `any` item; an `oos: true` case passes only when the engine gives no
figures: it falls back, or it answers about itself (thanks, ok, bye: a reply that asks nothing).
A time-dependent case gives its expectations per date (`at: {"2026-12-02": {...}}`): only the
engine's today counts (cases without it are skipped); there `missing: [2026]` asks the answer's
first line to say the report has no 2026 figures, and `unknown_done: true` that the report
cannot tell whether a plan was met (with the 12345 hotline).
Numbers count with or without thousands separators (3,395 == 3395); text is compared after
width and script folding; an English answer may show a figure without its Chinese measure word
(10921个 by "10921 childcare places"). Also: content warnings for examples that another intent wins.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from bot.content.load import Problem
from bot.engine.answer import ABOUT_BOT, GLOSSARY_TOPIC, Answer
from bot.engine.context import Context
from bot.engine.engine import Engine
from bot.engine.normalize import fold
from bot.engine.when import asked_years


@dataclass(frozen=True, slots=True)
class Case:
    q: str
    all: tuple[str, ...] = ()
    any: tuple[str, ...] = ()
    oos: bool = False
    category: str = "uncategorised"
    intent: str | None = None
    missing: tuple[int, ...] = ()  # years the answer must say the report has no figures for
    unknown_done: bool = False  # the answer must say the report cannot tell if it was done


@dataclass(slots=True)
class Result:
    case: Case
    answer: Answer
    passed: bool
    why: str = ""


@dataclass(slots=True)
class Report:
    results: list[Result] = field(default_factory=list)
    conversations: list[bool] = field(default_factory=list)  # each right from start to end

    def by_category(self) -> dict[str, tuple[int, int]]:
        out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for r in self.results:
            out[r.case.category][0] += r.passed
            out[r.case.category][1] += 1
        return {k: (v[0], v[1]) for k, v in sorted(out.items())}

    @property
    def accuracy(self) -> float:
        return sum(r.passed for r in self.results) / max(len(self.results), 1)

    def format(self, verbose: bool = True) -> str:
        lines = ["category        passed  total  accuracy"]
        for cat, (ok, n) in self.by_category().items():
            lines.append(f"{cat:<15} {ok:>6} {n:>6}  {100 * ok / n:6.1f}%")
        total = len(self.results)
        ok = sum(r.passed for r in self.results)
        lines.append(f"{'ALL':<15} {ok:>6} {total:>6}  {100 * self.accuracy:6.1f}%")
        if self.conversations:
            n, right = len(self.conversations), sum(self.conversations)
            lines.append(
                f"conversations right from start to end: {right}/{n} = {100 * right / n:.1f}%"
            )
        failures = [r for r in self.results if not r.passed]
        if verbose and failures:
            lines.append("\nfailures:")
            for r in failures:
                a = r.answer
                got = a.intent or a.decision + (f"({a.reason})" if a.reason else "")
                cands = ",".join(f"{c.intent}:{c.score:.0f}" for c in a.candidates)
                lines.append(
                    f"- [{r.case.category}] {r.case.q!r} -> {got} {a.score:.1f} [{cands}] {r.why}"
                )
        confusion = Counter(
            (
                r.case.intent or ("(refuse)" if r.case.oos else "?"),
                r.answer.intent or r.answer.decision,
            )
            for r in failures
        )
        if verbose and confusion:
            lines.append(
                "\nconfusion (expected -> got: count; ? = expected by content, not by id):"
            )
            for (exp, got), n in confusion.most_common(30):
                lines.append(f"  {exp} -> {got}: {n}")
        return "\n".join(lines)


class QuestionSetError(Exception):
    """A question set cannot be read (missing, not YAML, not the expected shape)."""


def _read(path: Path) -> Any:
    """A question set file's data; QuestionSetError naming the file when it cannot be read."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise QuestionSetError(f"cannot read {path}: {exc.strerror}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise QuestionSetError(f"{path} is not valid YAML: {exc}") from None


def load_cases(path: Path, today: date | None = None) -> list[Case]:
    """The cases of a question set; a time-dependent case with its expectations for `today`
    (skipped when it has none for that day). Raises QuestionSetError, naming the file."""
    return _cases_of(_read(path), path, today)


def _cases_of(data: Any, path: Path, today: date | None) -> list[Case]:
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise QuestionSetError(f"{path}: expected a mapping with a list `cases:` of questions")
    try:
        return _cases(data["cases"], today)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise QuestionSetError(
            f"{path}: a case is malformed ({type(exc).__name__}: {exc})"
        ) from None


def _cases(raws: list[Any], today: date | None) -> list[Case]:
    cases = []
    for raw in raws:
        expect = raw
        if "at" in raw:
            expect = (raw["at"] or {}).get(today.isoformat()) if today else None
            if expect is None:
                continue
        cases.append(
            Case(
                q=str(raw["q"]),
                all=tuple(str(x) for x in expect.get("all", [])),
                any=tuple(str(x) for x in expect.get("any", [])),
                oos=bool(expect.get("oos", False)),
                category=str(raw.get("category") or raw.get("kind") or "uncategorised"),
                intent=raw.get("intent"),
                missing=tuple(int(y) for y in expect.get("missing", [])),
                unknown_done=bool(expect.get("unknown_done", False)),
            )
        )
    return cases


# how an answer says it does not have something (the report has no 2026 figures; cannot say)
_NOT_HAVE = re.compile(
    r"没有|沒有|无法|無法|不能|只有|只写了|只寫了|\bno\b|\bnot\b|cannot|can't|only"
)


def says_missing(text: str, year: int) -> bool:
    """The answer's first line says the report has no figures for `year`."""
    first = text.split("\n", 1)[0]
    return str(year) in first and _NOT_HAVE.search(first.lower()) is not None


def says_unknown_done(text: str) -> bool:
    """The answer says the report cannot tell whether it was done, and gives 12345."""
    return "12345" in text and re.search(r"无法|無法|不能|cannot|can't", text) is not None


def contains(text: str, item: str) -> bool:
    """Whether an answer shows an expected item (numbers: with or without separators). An
    English answer shows a figure the report writes with a Chinese unit or measure word
    (10921个, 82万余人次, 60%以上) by its number (10921 childcare places, 82万 (820,000)):
    English has no measure words."""
    plain = re.sub(r"(?<=\d),(?=\d{3})", "", fold(text))
    needle = fold(item)
    if re.fullmatch(r"\d+(\.\d+)?", needle):
        return re.search(rf"(?<![\d.]){re.escape(needle)}(?!\d|\.\d)", plain) is not None
    if needle in plain:
        return True
    figure = _FIGURE_AND_UNIT.fullmatch(needle)
    return bool(figure and _is_english(plain) and contains(plain, figure.group(1)))


# a figure, then a unit or a measure word in Chinese (10921个, 82万余人次, 28.97平方公里, 60%以上)
# (万 and 亿 stay with the figure: 82万余人次 needs 82万, not 82)
_FIGURE_AND_UNIT = re.compile(r"(\d+(?:\.\d+)?(?:万|亿)?%?)(?![万亿])[\u4e00-\u9fff]+")


def _is_english(text: str) -> bool:
    """Whether an answer is written in English (it may quote the report's Chinese names)."""
    return len(re.findall(r"[a-z]", text)) > len(re.findall(r"[\u4e00-\u9fff]", text))


def judge(case: Case, answer: Answer) -> Result:
    if case.oos:
        ok = answer.decision == "fallback" or (answer.decision == "answer" and not answer.topical)
        return Result(case, answer, ok, "" if ok else "should refuse")
    if answer.decision != "answer":
        return Result(case, answer, False, f"no answer ({answer.decision})")
    if case.intent and answer.intent != case.intent:
        return Result(case, answer, False, f"expected intent {case.intent}")
    missing = [x for x in case.all if not contains(answer.text, x)]
    if missing:
        return Result(case, answer, False, f"missing {missing}")
    if case.any and not any(contains(answer.text, x) for x in case.any):
        return Result(case, answer, False, f"none of {list(case.any)}")
    unsaid = [y for y in case.missing if not says_missing(answer.text, y)]
    if unsaid:
        return Result(case, answer, False, f"does not say the report has no {unsaid} figures")
    if case.unknown_done and not says_unknown_done(answer.text):
        return Result(case, answer, False, "does not say the report cannot tell if it was done")
    return Result(case, answer, True)


def evaluate(engine: Engine, cases: list[Case]) -> Report:
    return Report([judge(c, engine.ask(c.q)) for c in cases])


def evaluate_file(engine: Engine, path: Path) -> Report:
    """A question set, or a set of conversations (a file with `conversations:`)."""
    data = _read(path)
    if isinstance(data, dict) and "conversations" in data:
        return evaluate_conversations(engine, _conversations_of(data, path, engine.clock()))
    return evaluate(engine, _cases_of(data, path, engine.clock()))


def load_conversations(path: Path, today: date | None = None) -> list[list[Case]]:
    """Conversations: each a list of turns in the format of a case (q, all, any, oos); the
    first turn's category is "first", a later one's "followup" or, to be refused,
    "followup-refused". Raises QuestionSetError."""
    return _conversations_of(_read(path), path, today)


def _conversations_of(data: Any, path: Path, today: date | None) -> list[list[Case]]:
    try:
        out = []
        for conv in data["conversations"]:
            turns = _cases(conv["turns"], today)
            out.append(
                [
                    dataclasses.replace(
                        t,
                        category="first"
                        if n == 0
                        else ("followup-refused" if t.oos else "followup"),
                    )
                    for n, t in enumerate(turns)
                ]
            )
        return out
    except (KeyError, TypeError, ValueError) as exc:
        raise QuestionSetError(f"{path}: not a set of conversations ({exc})") from None


def evaluate_conversations(engine: Engine, conversations: list[list[Case]]) -> Report:
    """Each conversation asked in order, each turn read against the one before (as one asker
    in one chat); the report counts turns, and `conversations` how many were right throughout."""
    report = Report()
    for turns in conversations:
        context: Context | None = None
        right = True
        for case in turns:
            answer = engine.ask(case.q, context)
            context = Context.after(answer, context)
            result = judge(case, answer)
            right = right and result.passed
            report.results.append(result)
        report.conversations.append(right)
    return report


def example_warnings(engine: Engine) -> list[Problem]:
    """Duplicate examples across intents, examples the scope guard refuses (an off-topic word or
    a personal-case marker in them: questions like them are never answered), and examples
    another intent wins (leave-one-out). An example of an intent about the bot itself (ok, bye)
    is one of a closed list of replies, not a paraphrase: it is reported only when, left out,
    a topic of the report would answer it. Definitions (topic glossary) are chosen by the
    `Meaning` step, not by the ranking: neither theirs nor others' lost to them are reported."""
    out: list[Problem] = []
    owner: dict[str, str] = {}
    for li in engine.content.intents:
        numbered = [
            (language, j, ex)
            for language in ("zh", "en")
            for j, ex in enumerate(getattr(li.intent.examples, language))
        ]
        for language, j, ex in numbered:
            norm = engine.normalizer.text(ex)
            other = owner.get(norm)
            if other and other != li.intent.id:
                out.append(
                    Problem(
                        li.path,
                        li.example_line(language, j),
                        f"example {ex!r} of '{li.intent.id}' duplicates one of '{other}'",
                        "warning",
                    )
                )
            owner.setdefault(norm, li.intent.id)
    ids = engine.intent_ids()
    for lang in ("zh", "en"):
        matcher = engine.matchers[lang]
        for li in engine.content.intents:
            own = ids.index(li.intent.id)
            for j, ex in enumerate(getattr(li.intent.examples, lang)):
                at = li.example_line(lang, j)
                q = engine.normalizer.normalize(ex)
                # examples speak as the report does: 今年 is its plan year
                years = asked_years(q, engine.content.source.published)
                # general intents (help, greeting …) are answered despite a personal marker
                if q.offtopic or (q.personal and li.intent.topic not in ABOUT_BOT):
                    why = "an off-topic word" if q.offtopic else "a personal-case marker"
                    out.append(
                        Problem(
                            li.path,
                            at,
                            f"example {ex!r} of '{li.intent.id}' is refused: {why} in it "
                            "(intents/lexicon/scope.yaml), so questions like it are never answered",
                            "warning",
                        )
                    )
                scores = matcher.example_scores(q.text)
                # leave this example out: its own copy would always win
                scores[[t == q.text for t in matcher.texts]] = -1.0
                per_intent = matcher.combine(scores, q.text, years, q.numbers)
                best = int(np.argmax(per_intent))
                social = li.intent.topic in ABOUT_BOT and (
                    engine.content.intents[best].intent.topic in ABOUT_BOT
                    or per_intent[best] < min(matcher.w.answer_low, matcher.w.clarify)
                )
                # a definition answers by the `Meaning` step, not by the ranking: its examples
                # only name the term, and it never answers what asks no meaning
                glossary = GLOSSARY_TOPIC in (
                    li.intent.topic,
                    engine.content.intents[best].intent.topic,
                )
                if (
                    best != own
                    and per_intent[best] > per_intent[own] + 5
                    and not social
                    and not glossary
                ):
                    out.append(
                        Problem(
                            li.path,
                            at,
                            f"example {ex!r} of '{li.intent.id}' matches '{ids[best]}' better "
                            f"({per_intent[best]:.0f} vs {per_intent[own]:.0f})",
                            "warning",
                        )
                    )
    return out
