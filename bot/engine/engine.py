"""The answer engine: built once from validated content, then read-only.

`Engine` builds the normaliser, one matcher per language, the composer of answers and the
pipeline of steps (bot.engine.pipeline) that every question runs through. A reload builds a new
Engine and the caller swaps one reference. No telegram or storage imports.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from bot.content.load import Content, ContentError, LoadedIntent, Problem, load_content
from bot.content.probe import probe
from bot.content.templates import format_number
from bot.engine import messages
from bot.engine.answer import ABOUT_BOT, CHAT_TOPIC, GLOSSARY_TOPIC, Answer, Lang, Script
from bot.engine.changes import describe_changes
from bot.engine.clock import Clock, china_today
from bot.engine.context import Context
from bot.engine.decide import Weights
from bot.engine.examples import AddedExample, check_added, with_added
from bot.engine.followup import FollowUp
from bot.engine.guards import answer_texts
from bot.engine.match import Matcher
from bot.engine.normalize import Normalized, Normalizer, detect_lang, fold
from bot.engine.pinyin import to_pinyin_codes
from bot.engine.pipeline import Pipeline, compose, standard_steps
from bot.engine.rank import PinyinReading
from bot.engine.render import Composer
from bot.engine.when import asked_years

HELP_INTENT = "help"
NEAR = 50.0  # an example this close to an added one may change hands (see _taken_by)
SAME = 90.0  # an added example this close to another intent's is the same question
ZH_VIEWS = ((lambda s: s, 0.7), (to_pinyin_codes, 0.3))
EN_VIEWS = ((str.split, 0.6), (lambda s: s, 0.4))


def _figures(li: LoadedIntent) -> list[str]:
    """The report's figures an intent's answer shows (a citizen may quote one: "6.18个托位是…")."""
    out = []
    for rendered in li.answers.values():
        for fact in rendered.facts:
            for q in fact.quantities().values():
                shown = format_number(q.value)
                if len(shown.replace(".", "")) >= 2 and not 2000 <= q.value <= 2039:
                    out.append(shown)
                if q.written and any(ch.isdigit() for ch in q.written):
                    out.append(q.written)  # 9万, as the report and citizens write it
    return list(dict.fromkeys(out))


def _english(weights: Weights | None) -> Weights:
    w = weights or Weights()
    return dataclasses.replace(w, keyword=2 * w.keyword, keyword_cap=2 * w.keyword_cap)


def _dedupe(examples: list[tuple[int, str]]) -> list[tuple[int, str]]:
    return list(dict.fromkeys(e for e in examples if e[1]))


class Engine:
    """Answers questions from one validated copy of the content."""

    def __init__(
        self,
        content: Content,
        weights: Weights | None = None,
        clock: Clock = china_today,
        *,
        added: Sequence[AddedExample] = (),
    ) -> None:
        self.base_content = content  # the files' content, without the examples staff added
        self.added = tuple(added)
        content, self.added_problems = with_added(content, self.added)
        self.content = content
        self.weights = weights
        self.clock = clock
        self._example_norms: dict[str, Normalized] = {}
        self.normalizer = Normalizer(content.lexicon)
        self._intents: list[LoadedIntent] = content.intents
        self._index = {li.intent.id: i for i, li in enumerate(self._intents)}
        # every example, title and keyword, normalised in one batch
        raw: dict[tuple[str, int], list[str]] = {}
        for i, li in enumerate(self._intents):
            raw["zh", i] = [*li.intent.examples.zh, li.intent.title.zh]
            raw["en", i] = [*li.intent.examples.en, li.intent.title.en]
            raw["kw", i] = list(li.intent.keywords)
        flat = self.normalizer.example_texts([text for texts in raw.values() for text in texts])
        norm: dict[tuple[str, int], list[str]] = {}
        at = 0
        for key, texts in raw.items():
            norm[key] = flat[at : at + len(texts)]
            at += len(texts)
        n = len(self._intents)
        zh_examples = [(i, text) for i in range(n) for text in norm["zh", i]]
        # as typed and as matched: normalising drops time words (2024年新增 -> 新增)
        self.normalizer.know_examples(
            [
                *(text for _, text in zh_examples),
                *(fold(t) for i in range(n) for t in raw["zh", i]),
            ],
            answers=[fold(r.text) for li in self._intents for r in li.answers.values()],
            english=[fold(t) for i in range(n) for t in raw["en", i]],
        )
        en_examples = [(i, text) for i in range(n) for text in norm["en", i]]
        # a definition's keywords name its term for the `Meaning` step only: no keyword bonus,
        # no named topic elsewhere (四上企业有多少家 names the firms)
        keywords = [
            [] if self._intents[i].intent.topic == GLOSSARY_TOPIC else norm["kw", i]
            for i in range(n)
        ]
        self.example_count = sum(
            len(li.intent.examples.zh) + len(li.intent.examples.en) for li in self._intents
        )
        years = [li.years for li in self._intents]
        figures = [_figures(li) for li in self._intents]
        self.matchers: dict[Lang, Matcher] = {
            "zh": Matcher(
                _dedupe(zh_examples),
                n,
                keywords,
                years,
                ZH_VIEWS,
                weights,
                bound=1,
                figures=figures,
            ),
            # English questions reach intents mostly through the lexicon's English -> Chinese
            # terms, which land on keywords: there a keyword hit carries more of the evidence.
            "en": Matcher(
                _dedupe(en_examples),
                n,
                keywords,
                years,
                EN_VIEWS,
                _english(weights),
                figures=figures,
            ),
        }
        self.composer = Composer(self._intents, content.sources, content.source, clock())
        # the words of the English examples and of the keywords: no pinyin among them
        en_words = {w for _, t in en_examples for w in t.split()} | {
            w for kws in keywords for k in kws for w in k.split()
        }
        self.pipeline = Pipeline(
            self.normalizer,
            self.matchers,
            self.composer,
            standard_steps(
                content,
                self.normalizer,
                self.matchers,
                self.composer,
                PinyinReading(self.normalizer, en_words),
            ),
            compose(self.composer),
            clock,
            FollowUp(
                self.normalizer,
                self.composer,
                self.intent_ids(),
                keywords,
                frozenset(li.intent.id for li in self._intents if li.intent.topic in ABOUT_BOT),
                answer_texts(self._intents),
                frozenset(en_words),
                self.matchers["zh"].w.answer,
                frozenset(li.intent.id for li in self._intents if li.intent.topic == CHAT_TOPIC),
                [
                    max(
                        (
                            f.year
                            for r in li.answers.values()
                            for f in r.facts
                            if f.status == "result"
                        ),
                        default=0,
                    )
                    for li in self._intents
                ],
                plan_year=content.source.plan_year,
                related=[tuple(li.intent.related) for li in self._intents],
            ),
        )
        # Changes whenever a file's content or name changes or the intents' order does (buttons
        # may refer to an intent by position), so a button from older content is recognised.
        digest = hashlib.sha256()
        for path, file_digest in sorted(content.file_digests.items()):
            digest.update(f"{path}\0{file_digest}\n".encode())
        digest.update("\0".join(li.intent.id for li in self._intents).encode())
        self.fingerprint = digest.hexdigest()[:6]

    @classmethod
    def load(
        cls,
        intents_dir: Path,
        data_dir: Path,
        weights: Weights | None = None,
        clock: Clock = china_today,
    ) -> Engine:
        """Load, validate and build; raises ContentError listing every problem. `clock` gives
        today's date (default: today in China)."""
        return cls(load_content(Path(intents_dir), Path(data_dir)), weights, clock)

    @classmethod
    def load_checked(
        cls,
        intents_dir: Path,
        data_dir: Path,
        weights: Weights | None = None,
        clock: Clock = china_today,
    ) -> Engine:
        """`load`, after loading the content once in a child process within a time and memory
        budget (bot.content.probe): content that loops or eats memory is a ContentError at its
        template's path:line, and this process never runs it. For the start, /reload and check."""
        problems = [p for p in probe(Path(intents_dir), Path(data_dir)) if p.severity == "error"]
        if problems:
            raise ContentError(problems)
        return cls.load(intents_dir, data_dir, weights, clock)

    def with_examples(self, added: Sequence[AddedExample]) -> Engine:
        """A complete new engine from the same files' content with `added` as the examples
        staff added (replacing this engine's); the fingerprint stays the files'."""
        return Engine(self.base_content, self.weights, self.clock, added=added)

    def check_example(
        self, example: AddedExample, added: Sequence[AddedExample] | None = None
    ) -> tuple[Engine, list[str]]:
        """The engine with `example` added to `added` (default: this engine's added examples;
        the stored ones, when another process may have changed them), and why it must not be
        (empty: it may), as `check` judges the files' examples (examples.check_added)."""
        if added is not None and tuple(added) != self.added:
            return self.with_examples(added).check_example(example)
        if not self.normalizer.names_topic(example.question):
            return self, [
                "it names nothing of its own (only question, time or follow-up words, or "
                "figures): as an example it would catch questions at large"
            ]
        new = self.with_examples([*self.added, example])
        title = self.title
        problems = check_added(
            new.ask,
            example,
            sorted(self.examples()),
            self.normalizer.text,
            lambda i: title(i) or i,
        )
        if problems:
            return new, problems
        problems = []
        for owner, text, now, own in self._taken_by(new, example):
            name = f"'{owner}' ({title(owner) or owner})"
            if now >= SAME:
                problems.append(f"it is nearly the same as {text!r}, an example of {name}")
            else:
                problems.append(
                    f"it would take {text!r}, an example of {name}: without itself that example "
                    f"would then be matched to '{example.intent}' ({now:.0f} vs {own:.0f})"
                )
        return new, problems[:5]

    def _taken_by(self, new: Engine, example: AddedExample) -> list[tuple[str, str, float, float]]:
        """The other intents' examples that `example` takes in `new`, as `check` sees it
        (leave-one-out: each example is matched without itself, and a winner more than 5 points
        above its own intent is a conflict), and those it nearly repeats (SAME, then reported
        with that score): (its intent, the example, the scores)."""
        lang = example.lang
        target = new._index[example.intent]
        matcher = new.matchers[lang]
        near = matcher.example_scores(new.normalizer.normalize(example.question).text)
        ids = new.intent_ids()
        where: dict[str, list[int]] = {}
        for i, t in enumerate(matcher.texts):
            where.setdefault(t, []).append(i)
        taken = []
        for li in self._intents:
            if li.intent.id == example.intent:
                continue
            for text in getattr(li.intent.examples, lang):
                norm = self._example_norm(text)
                hits = where.get(norm.text, [])
                if not hits or float(near[hits].max()) < NEAR:
                    continue  # far from the new example: nothing changed for it
                own = new._index[li.intent.id]
                if float(near[hits].max()) >= SAME:
                    taken.append((ids[own], text, float(near[hits].max()), 0.0))
                    continue
                was = self._without_itself(norm, lang)
                if int(np.argmax(was)) == target and was[target] > was[own] + 5:
                    continue  # a conflict already (check warns about it): not this one's doing
                now = new._without_itself(norm, lang)
                if int(np.argmax(now)) == target and now[target] > now[own] + 5:
                    taken.append((ids[own], text, float(now[target]), float(now[own])))
        return taken

    def _example_norm(self, text: str) -> Normalized:
        norm = self._example_norms.get(text)
        if norm is None:
            norm = self._example_norms[text] = self.normalizer.normalize(text)
        return norm

    def _without_itself(self, norm: Normalized, lang: Lang) -> NDArray[np.float64]:
        """Per intent, the score of an example's text with its own copies left out."""
        matcher = self.matchers[lang]
        scores = matcher.example_scores(norm.text)
        scores[np.asarray(matcher.texts, dtype=object) == norm.text] = -1.0
        years = asked_years(norm, self.content.source.published)
        return matcher.combine(scores, norm.text, years, norm.numbers)

    def suggest(self, question: str, limit: int = 3, floor: float = 20.0) -> list[str]:
        """The intents closest to a question, best first, even when none is close enough to
        answer it (what staff are offered for a question the bot could not answer)."""
        norm = self.normalizer.normalize(question)
        matcher = self.matchers[detect_lang(question)]
        ranked = matcher.rank(norm.text, norm.years, norm.numbers, limit=limit, floor=floor)
        ids = self.intent_ids()
        return [ids[i] for i, score in ranked if score > floor]

    # -- facts about the content ------------------------------------------------------------
    @property
    def intent_count(self) -> int:
        return len(self._intents)

    @property
    def warnings(self) -> list[Problem]:
        return self.content.warnings

    def intent_ids(self) -> list[str]:
        return [li.intent.id for li in self._intents]

    def title(self, intent_id: str, lang: Lang = "zh", script: Script = "simplified") -> str | None:
        i = self._index.get(intent_id)
        return None if i is None else self.composer.title(i, lang, script)

    # -- answering ----------------------------------------------------------------------------
    def ask(self, question: str, context: Context | None = None) -> Answer:
        """Answer one question, read against the conversation's last answer (`context`,
        see bot.engine.context) if given; never raises for any string."""
        return self.pipeline.ask(question, context)

    def answer_intent(
        self,
        intent_id: str,
        *,
        lang: Lang = "zh",
        script: Script = "simplified",
        question: str = "",
    ) -> Answer | None:
        """The answer of a known intent (a button press); None if the id is unknown."""
        i = self._index.get(intent_id)
        if i is None:
            return None
        return self.composer.answer(i, question, lang, script, 100.0, (), "", self.clock())

    def fallback(self, reason: str, *, lang: Lang = "zh", script: Script = "simplified") -> Answer:
        return self.composer.fallback("", reason, lang, script)

    def help_text(self, lang: Lang = "zh", script: Script = "simplified") -> str:
        answer = self.answer_intent(HELP_INTENT, lang=lang, script=script)
        if answer is not None:
            return answer.text
        covers = self.composer.covers(lang)
        return self.composer.localize(covers + "\n" + messages.HOTLINE[lang], script)

    def topics(self, lang: Lang = "zh", script: Script = "simplified") -> list[tuple[str, str]]:
        """Starter questions: the help intent's related intents."""
        i = self._index.get(HELP_INTENT)
        if i is None:
            return []
        return [
            (r, self.composer.title(self._index[r], lang, script))
            for r in self._intents[i].intent.related
        ]

    def examples(self) -> set[tuple[str, str]]:
        """(intent id, example) for every example of every intent, both languages."""
        return {
            (li.intent.id, ex)
            for li in self._intents
            for ex in [*li.intent.examples.zh, *li.intent.examples.en]
        }

    describe_changes = staticmethod(describe_changes)
