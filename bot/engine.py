"""The answer engine: question -> normalize -> match -> decide -> render an `Answer`.

Built once from content (everything validated and every answer pre-rendered at load), then
read-only: a reload builds a new Engine and the caller swaps one reference. No telegram imports.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot import messages
from bot.answer import Answer, Candidate, Lang, Related, Script
from bot.content import Content, LoadedIntent, Problem, load_content
from bot.match import Decision, Matcher, Weights, decide
from bot.normalize import (
    Normalized,
    Normalizer,
    detect_lang,
    detect_script,
    has_chinese,
    split_scripts,
    to_traditional,
)
from bot.pinyin import syllable_codes, to_pinyin_codes
from bot.render import footer, format_number

MAX_QUESTION_CHARS = 500
REPORT_YEARS = frozenset({2023, 2024, 2025})
HELP_INTENT = "help"
GENERAL_TOPIC = "general"  # help, greeting, thanks, the source: about the bot itself
# A clause of a rambling question scored alone starts this much lower than the whole question,
# and must keep at least MIN_WINDOW characters after normalising (区里有没有计划 says nothing).
WINDOW_COST = 4.0
MIN_WINDOW = 4
PRECOMPOSED: tuple[tuple[Lang, Script], ...] = (
    ("zh", "simplified"),
    ("zh", "traditional"),
    ("en", "simplified"),
)
PINYIN_ONLY = (0.0, 1.0)  # ZH_VIEWS' weights for a question typed in pinyin
# English words spell syllables too ("sushi guide", "mine shine"): a pinyin reading of fewer than
# PINYIN_WORDS syllables is heeded only at PINYIN_SURE or more
PINYIN_WORDS = 6
PINYIN_SURE = 80.0
_WORDS = re.compile(r"[a-z]+")
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


def _best_of(*rankings: list[tuple[int, float]], limit: int = 3) -> list[tuple[int, float]]:
    """Several rankings as one: each intent keeps its best score (ties: the lower intent, as
    in one ranking)."""
    best: dict[int, float] = {}
    for ranking in rankings:
        for i, score in ranking:
            best[i] = max(best.get(i, score), score)
    return sorted(best.items(), key=lambda item: (-item[1], item[0]))[:limit]


def _both_exact(decision: Decision, w: Weights) -> bool:
    """The two best candidates both match (nearly) exactly and equally well."""
    (_, first), (_, second) = decision.candidates[:2]
    return second >= w.both and first - second <= w.margin


def _encodable(text: str) -> str:
    """The text with any lone surrogate (possible in a JSON-decoded message) replaced, so
    that the conversions and the question log, which encode to UTF-8, accept it."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text


def _english(weights: Weights | None) -> Weights:
    w = weights or Weights()
    return dataclasses.replace(w, keyword=2 * w.keyword, keyword_cap=2 * w.keyword_cap)


def _dedupe(examples: list[tuple[int, str]]) -> list[tuple[int, str]]:
    return list(dict.fromkeys(e for e in examples if e[1]))


@dataclass(frozen=True, slots=True)
class _Prepared:
    """An intent's answers, ready to show: text with footer, per language."""

    text: dict[str, str]
    sources: tuple[str, ...]


class Engine:
    """Answers questions from one validated copy of the content."""

    def __init__(self, content: Content, weights: Weights | None = None) -> None:
        self.content = content
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
        en_examples = [(i, text) for i in range(n) for text in norm["en", i]]
        keywords = [norm["kw", i] for i in range(n)]
        self.example_count = sum(
            len(li.intent.examples.zh) + len(li.intent.examples.en) for li in self._intents
        )
        years = [li.years for li in self._intents]
        figures = [_figures(li) for li in self._intents]
        self.matchers = {
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
        self._prepared = [self._prepare(li) for li in self._intents]
        # a question typed in pinyin is matched on the Chinese examples' syllables alone
        self._pinyin_matcher = self.matchers["zh"].reweighted(PINYIN_ONLY)
        # a word -> its syllable codes as a pinyin word of the question, and as syllables at all
        self._pinyin_words: dict[str, tuple[str | None, str | None]] = {}
        # the words of the English examples and of the keywords: no pinyin among them
        self._en_words = {w for _, t in en_examples for w in t.split()} | {
            w for kws in keywords for k in kws for w in k.split()
        }
        # Changes whenever a file's content or name changes or the intents' order does (buttons
        # may refer to an intent by position), so a button from older content is recognised.
        digest = hashlib.sha256()
        for path, file_digest in sorted(content.file_digests.items()):
            digest.update(f"{path}\0{file_digest}\n".encode())
        digest.update("\0".join(li.intent.id for li in self._intents).encode())
        self.fingerprint = digest.hexdigest()[:6]
        self._localize = lru_cache(maxsize=4096)(self._localize_uncached)
        self._composed: dict[
            tuple[int, tuple[int, ...], str, str, str],
            tuple[str, tuple[Related, ...], tuple[str, ...]],
        ] = {}
        # The answers as most questions get them, composed now: in traditional characters an
        # answer costs a conversion (~60 µs) that the first asker should not wait for.
        for i in range(n):
            for lang, script in PRECOMPOSED:
                self._composed[i, (), lang, script, ""] = self._compose(i, (), lang, script, "")

    @classmethod
    def load(cls, intents_dir: Path, data_dir: Path, weights: Weights | None = None) -> Engine:
        """Load, validate and build; raises ContentError listing every problem."""
        return cls(load_content(Path(intents_dir), Path(data_dir)), weights)

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
        return None if i is None else self._title(i, lang, script)

    # -- answering ----------------------------------------------------------------------------
    def ask(self, question: str) -> Answer:
        """Answer one question; never raises for any string."""
        question = _encodable(question or "")
        text = question.strip()
        lang = detect_lang(text)
        if not text or not any(ch.isalnum() for ch in text):
            return self._fallback(question, "empty", lang, detect_script(text))
        if len(text) > MAX_QUESTION_CHARS:
            return self._fallback(question, "too_long", lang, detect_script(text))
        norm = self.normalizer.normalize(text)
        script = norm.script
        matcher = self.matchers[lang]
        floor, reach = matcher.w.floor, matcher.w.reach  # scores that cannot change a decision
        if lang == "en" and has_chinese(text):
            ranked = self._rank_mixed(text, norm.years, norm.numbers, floor, reach)
        else:
            ranked = matcher.rank(norm.text, norm.years, norm.numbers, floor=floor, reach=reach)
        if lang == "en" and (codes := self._pinyin_query(text)):
            # "tuowei zongshu have how many": the pinyin words against the Chinese examples,
            # heeded only when they answer (syllables alone say less than characters: "wo de
            # shouji bu neng kaiji" must not become a question about land)
            typed = self._pinyin_matcher.rank(
                codes, norm.years, norm.numbers, floor=floor, reach=reach
            )
            short = len(codes) < PINYIN_WORDS  # a few syllables must match nearly exactly
            if decide(typed, matcher.w).kind == "answer" and (
                not short or typed[0][1] >= PINYIN_SURE
            ):
                ranked = _best_of(ranked, typed)
        decision = decide(ranked, matcher.w)
        refused = norm.offtopic or norm.personal  # a fallback whatever the match
        if decision.kind != "answer" and lang == "zh" and not refused:
            windows = self.normalizer.windows(norm, MIN_WINDOW)
            if windows:
                at = floor + WINDOW_COST
                clauses = [
                    matcher.rank(w, norm.years, norm.numbers, floor=at, reach=reach)
                    for w in windows
                ]
                ranked = _best_of(ranked, *([(i, s - WINDOW_COST) for i, s in r] for r in clauses))
                decision = decide(ranked, matcher.w)
        if norm.about_figure:
            decision, ranked = self._by_figure(norm, matcher, decision, ranked)
        candidates = tuple(
            Candidate(self._intents[i].intent.id, self._title(i, lang, script), s)
            for i, s in decision.candidates
        )
        top_score = ranked[0][1] if ranked else 0.0
        if norm.offtopic:
            return self._fallback(question, "low_score", lang, script, norm.text, top_score)
        if norm.personal and not self._about_the_bot(decision):
            return self._fallback(question, "personal", lang, script, norm.text, top_score)
        if norm.places:
            # the places the answered (or best candidate) intent covers; a question that
            # matches nothing above the floor covers none
            allowed_in = decision.best
            if allowed_in is None and ranked and ranked[0][1] > floor:
                allowed_in = ranked[0][0]
            allowed = (
                set()
                if allowed_in is None
                else {p.lower() for p in self._intents[allowed_in].intent.places}
            )
            foreign = [p for p in norm.places if p not in allowed]
            if foreign:
                return self._fallback(
                    question, "other_place", lang, script, norm.text, top_score, places=foreign
                )
        also: tuple[int, ...] = ()
        if decision.kind == "clarify" and (
            self.normalizer.asks_two_things(norm) or _both_exact(decision, matcher.w)
        ):
            # "托位数和普惠占比分别是多少": two near-equal intents, both asked for: answer both;
            # so too a name that two intents hold word for word (海灏国际大厦: topped out, finished)
            decision = Decision("answer", decision.candidates[0][0], decision.candidates)
            also = (decision.candidates[1][0],)
        if decision.kind == "answer" and decision.best is not None:
            note = ""
            odd_years = sorted(norm.years - REPORT_YEARS)
            if odd_years:
                years = "、".join(str(y) for y in odd_years)
                note = messages.OTHER_YEAR[lang].format(years=years) + "\n"
            return self._answer(
                decision.best, question, lang, script, top_score, candidates, norm.text, note, also
            )
        if decision.kind == "clarify":
            lines = [messages.CLARIFY[lang]]
            lines += [f"{n}. {c.title}" for n, c in enumerate(candidates, 1)]
            return Answer(
                question=question,
                decision="clarify",
                text=self._localize("\n".join(lines), script),
                lang=lang,
                script=script,
                score=top_score,
                candidates=candidates,
                normalized=norm.text,
            )
        return self._fallback(question, "low_score", lang, script, norm.text, top_score, candidates)

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
        return self._answer(i, question, lang, script, 100.0, (), "")

    def fallback(self, reason: str, *, lang: Lang = "zh", script: Script = "simplified") -> Answer:
        return self._fallback("", reason, lang, script)

    def help_text(self, lang: Lang = "zh", script: Script = "simplified") -> str:
        answer = self.answer_intent(HELP_INTENT, lang=lang, script=script)
        if answer is not None:
            return answer.text
        return self._localize(messages.COVERS[lang] + "\n" + messages.HOTLINE[lang], script)

    def topics(self, lang: Lang = "zh", script: Script = "simplified") -> list[tuple[str, str]]:
        """Starter questions: the help intent's related intents."""
        i = self._index.get(HELP_INTENT)
        if i is None:
            return []
        return [
            (r, self._title(self._index[r], lang, script)) for r in self._intents[i].intent.related
        ]

    # -- internals ----------------------------------------------------------------------------
    def _about_the_bot(self, decision: Decision) -> bool:
        """An answer from a general intent (help, greeting, thanks, the source): "我可以问什么"
        has a personal marker but asks about the bot, not about the asker's case."""
        return (
            decision.kind == "answer"
            and decision.best is not None
            and self._intents[decision.best].intent.topic == GENERAL_TOPIC
        )

    def _pinyin_query(self, text: str) -> str:
        """The words of an English question that are pinyin ("xuewei", "zhangzhe fantang") and
        no word the examples use, as the syllable codes of the Chinese view; empty unless there
        are at least two (one could be an English word that happens to spell syllables)."""
        memo = self._pinyin_words
        codes, syllables = [], []
        for w in _WORDS.findall(text.lower()):
            known = memo.get(w)
            if known is None:
                # every word that spells syllables, one-syllable and English ones too ("tian
                # he", "wo"), counts for the scope guard (a false alarm only loses the pinyin
                # reading); a pinyin word for the reading has two syllables or more and is no
                # word the examples or the lexicon use
                spelled = syllable_codes(w, 1)
                pinyin = (
                    spelled
                    if spelled is not None
                    and len(spelled) >= 2
                    and len(w) >= 4
                    and w not in self._en_words
                    and not self.normalizer.knows_english(w)
                    else None
                )
                known = (pinyin, spelled)
                if len(memo) < 20_000:
                    memo[w] = known
            if known[0] is not None:
                codes.append(known[0])
            if known[1] is not None:
                syllables.append(known[1])
        if len(codes) < 2 or self.normalizer.pinyin_out_of_scope("".join(syllables)):
            return ""
        return "".join(codes)

    def _by_figure(
        self,
        norm: Normalized,
        matcher: Matcher,
        decision: Decision,
        ranked: list[tuple[int, float]],
    ) -> tuple[Decision, list[tuple[int, float]]]:
        """A question that only quotes a report figure ("3395是什么意思") is about the intents
        whose answers show it: the one, or which of them (best scored first)."""
        owners = matcher.showing(norm.numbers)
        if not owners or (decision.kind == "answer" and decision.best in owners):
            return decision, ranked
        scores = matcher.score_intents(norm.text, owners, norm.years, norm.numbers)
        owners.sort(key=lambda i: -scores[i])
        picked = [(i, round(scores[i], 6)) for i in owners[: matcher.w.max_candidates]]
        if len(picked) == 1:
            return Decision("answer", picked[0][0], tuple(picked)), picked
        return Decision("clarify", None, tuple(picked)), picked

    def _rank_mixed(
        self,
        text: str,
        years: frozenset[int],
        numbers: tuple[str, ...],
        floor: float,
        reach: float,
    ) -> list[tuple[int, float]]:
        """An English question quoting Chinese names ("What is happening at 康鹭?"): the English
        words against the English examples, the Chinese words against the Chinese ones; each
        intent keeps its better score."""
        english, chinese = split_scripts(text)
        return _best_of(
            *(
                self.matchers[lang].rank(
                    self.normalizer.text(part), years, numbers, floor=floor, reach=reach
                )
                for lang, part in (("en", english), ("zh", chinese))
                if part.strip()
            )
        )

    def _title(self, i: int, lang: Lang, script: Script) -> str:
        title = self._intents[i].intent.title
        return self._localize(title.en if lang == "en" else title.zh, script)

    def _prepare(self, li: LoadedIntent) -> _Prepared:
        text: dict[str, str] = {}
        sections: list[str] = []
        for lang, rendered in li.answers.items():
            foot = footer(rendered.facts, self.content.source, lang)
            text[lang] = rendered.text + ("\n\n" + foot if foot else "")
            sections += [f.section for f in rendered.facts]
        return _Prepared(text, tuple(dict.fromkeys(sections)))

    @staticmethod
    def _localize_uncached(text: str, script: Script) -> str:
        return to_traditional(text) if script == "traditional" else text

    def _answer(
        self,
        i: int,
        question: str,
        lang: Lang,
        script: Script,
        score: float,
        candidates: tuple[Candidate, ...],
        normalized: str,
        note: str = "",
        also: tuple[int, ...] = (),
    ) -> Answer:
        key = (i, also, lang, script, note)
        parts = self._composed.get(key)
        if parts is None:
            parts = self._compose(i, also, lang, script, note)
            if len(self._composed) < 4096:  # notes name odd years: few distinct ones occur
                self._composed[key] = parts
        text, related, sources = parts
        return Answer(
            question=question,
            decision="answer",
            text=text,
            lang=lang,
            script=script,
            intent=self._intents[i].intent.id,
            score=score,
            candidates=candidates,
            related=related,
            normalized=normalized,
            sources=sources,
        )

    def _compose(
        self, i: int, also: tuple[int, ...], lang: Lang, script: Script, note: str
    ) -> tuple[str, tuple[Related, ...], tuple[str, ...]]:
        """An answer's text, follow-ups and sources: the same for every question it answers,
        so `_answer` keeps them."""
        li = self._intents[i]
        prepared = self._prepared[i]
        answered = {li.intent.id, *(self._intents[j].intent.id for j in also)}
        related = tuple(
            Related(r, self._title(self._index[r], lang, script))
            for r in li.intent.related
            if r not in answered
        )
        text = "\n\n".join([prepared.text[lang], *(self._prepared[j].text[lang] for j in also)])
        sources = tuple(
            dict.fromkeys(
                [*prepared.sources, *(s for j in also for s in self._prepared[j].sources)]
            )
        )
        return self._localize(note + text, script), related, sources

    def _fallback(
        self,
        question: str,
        reason: str,
        lang: Lang,
        script: Script,
        normalized: str = "",
        score: float = 0.0,
        candidates: tuple[Candidate, ...] = (),
        places: list[str] | None = None,
    ) -> Answer:
        head = messages.FALLBACK[reason][lang].format(places="、".join(places or []))
        parts = [head]
        if reason in {"low_score", "empty", "none_of_these"}:
            parts.append(messages.COVERS[lang])
        parts.append(messages.HOTLINE[lang])
        return Answer(
            question=question,
            decision="fallback",
            text=self._localize("\n".join(parts), script),
            lang=lang,
            script=script,
            score=score,
            candidates=candidates if reason == "low_score" else (),
            normalized=normalized,
            reason=reason,
        )

    @staticmethod
    def describe_changes(old: Engine, new: Engine) -> list[str]:
        """What a reload changed: intents and examples added/removed/changed, data files changed."""
        out: list[str] = []
        old_i = {li.intent.id: li.intent for li in old._intents}
        new_i = {li.intent.id: li.intent for li in new._intents}
        added = sorted(new_i.keys() - old_i.keys())
        removed = sorted(old_i.keys() - new_i.keys())
        changed = sorted(k for k in new_i.keys() & old_i.keys() if new_i[k] != old_i[k])
        if added:
            out.append(f"intents added ({len(added)}): {', '.join(added)}")
        if removed:
            out.append(f"intents removed ({len(removed)}): {', '.join(removed)}")
        if changed:
            out.append(f"intents changed ({len(changed)}): {', '.join(changed)}")

        def examples(e: Engine) -> set[tuple[str, str]]:
            return {
                (li.intent.id, ex)
                for li in e._intents
                for ex in [*li.intent.examples.zh, *li.intent.examples.en]
            }

        ex_old, ex_new = examples(old), examples(new)
        if ex_new - ex_old or ex_old - ex_new:
            out.append(f"examples: +{len(ex_new - ex_old)} / -{len(ex_old - ex_new)}")
        fo, fn = old.content.file_digests, new.content.file_digests
        files = sorted(
            [f"+{p}" for p in fn.keys() - fo.keys()]
            + [f"-{p}" for p in fo.keys() - fn.keys()]
            + [p for p in fn.keys() & fo.keys() if fn[p] != fo[p]]
        )
        if files:
            out.append(f"files changed ({len(files)}): {', '.join(files)}")
        if not out:
            out.append("no changes")
        out.append(
            f"now: {new.intent_count} intents, {new.example_count} examples, {len(new.content.facts)} facts"
        )
        return out
