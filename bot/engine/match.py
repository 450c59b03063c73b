"""Score a normalised question against every intent example: a ranking of intents by score.

Each language has its own example set and views: Chinese is scored on characters and on pinyin
codes (homophone typos); English on words and on characters (spelling slips). `process.cdist`
scores the question against many examples at once with the LCS length; from it come similarity
(how alike) and coverage (how much of the question an example covers, which rescues short
fragments like "托育"). A cheap upper bound (symbol counts) picks the examples worth scoring, and
every score that can change a decision is exactly what scoring every example would give. Keyword
hits and a quoted report figure add a bonus; a year the intent's facts don't cover costs a
penalty. Every candidate carries a 0-100 score; `bot.engine.decide` is the one place that applies
the thresholds.
"""

from __future__ import annotations

import copy
import itertools
import math
import operator
from collections.abc import Callable, Hashable, Sequence
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import process
from rapidfuzz.distance import LCSseq

from bot.engine.decide import Weights

View = Callable[[str], Sequence[Hashable]]
TOKEN_CODES = 0xF0000  # supplementary private use area: one code per token of a token view
UNKNOWN_TOKEN = chr(0x10FFFD)
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")  # questions arrive folded to lower case
TABLED_LENGTHS = (
    64  # question lengths with tables built at load (`_View.scale`, `_View.length_bound`)
)


FEW_PAIRS = 12  # examples scored pair by pair rather than by one `cdist` call


RECENT = 8  # texts whose keywords are kept (one question's readings, not a cache of questions)


class _View:
    """One view of every example, as strings (rapidfuzz compares `str` fastest), with what the
    ranking needs: lengths, per-question-length scales and, for bounding, symbol postings."""

    def __init__(
        self,
        fn: View,
        weight: float,
        texts: Sequence[str],
        similarity: float,
        like: _View | None = None,
    ) -> None:
        self.fn = fn
        self.weight = weight
        self._a = similarity
        raw = [fn(t) for t in texts]
        # Token views (English words) become one private-use character per token, so rapidfuzz
        # compares plain strings; a token no example has maps to a code no example has.
        self._codes: dict[Hashable, str] | None = None
        if not all(isinstance(r, str) for r in raw):
            self._codes = {}
            for tokens in raw:
                for tok in tokens:
                    if tok not in self._codes:
                        self._codes[tok] = chr(TOKEN_CODES + len(self._codes))
        self.choices = [self._encode(r) for r in raw]
        self._choice_array = np.array(self.choices, dtype=object)  # for picking a subset
        self.int_lengths = [max(len(c), 1) for c in self.choices]
        self.lengths = np.array(self.int_lengths, dtype=np.float64)
        # The scale depends on the two lengths only: a grid of question length (up to
        # TABLED_LENGTHS) by example length, and from it a table of question length by example.
        # Built at load, so no question pays for a length met first; shared with a view `like`
        # this one (same lengths, same mix).
        if like is not None and like.int_lengths == self.int_lengths and like._a == self._a:
            self._grid: list[list[float]] = like._grid
            self._scales: NDArray[np.float64] = like._scales
        else:
            grid = self._scale_of(
                np.maximum(np.arange(TABLED_LENGTHS + 1), 1).astype(np.float64)[:, None],
                np.arange(max(self.int_lengths) + 1, dtype=np.float64)[None, :],
            )
            self._grid = grid.tolist()
            self._scales = grid[:, self.int_lengths]
        self._length_bounds: NDArray[np.float64] | None = None
        self._postings: dict[str, list[NDArray[np.intp]]] | None = None

    def _scale_of(
        self, lq: NDArray[np.float64] | float, lengths: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        a = self._a
        scale: NDArray[np.float64] = 100.0 * (2.0 * a / (lq + lengths) + (1.0 - a) / lq)
        return scale

    def _encode(self, value: Sequence[Hashable]) -> str:
        if self._codes is None:
            assert isinstance(value, str)
            return value
        return "".join(self._codes.get(tok, UNKNOWN_TOKEN) for tok in value)

    def query(self, question: str) -> str:
        return self._encode(self.fn(question))

    def scale(self, lq: int) -> NDArray[np.float64]:
        """Score per LCS unit, per example, for a question of `lq` symbols: similarity
        2*lcs/(lq+len) and coverage lcs/lq, mixed. A row of a table: never to be changed in
        place."""
        if lq <= TABLED_LENGTHS:
            row: NDArray[np.float64] = self._scales[lq]
            return row
        return self._scale_of(float(lq), self.lengths)

    def scale_by_length(self, lq: int) -> list[float]:
        """`scale` per example length (index: `int_lengths`), for scoring a few examples in
        Python; the same floats."""
        if lq <= TABLED_LENGTHS:
            return self._grid[lq]
        lengths = np.arange(max(self.int_lengths) + 1, dtype=np.float64)
        row: list[float] = self._scale_of(float(lq), lengths).tolist()
        return row

    def lcs(self, q: str, subset: NDArray[np.intp] | None = None) -> NDArray[np.uint32]:
        """LCS length per example (or per example of `subset`)."""
        if subset is None:
            choices: Sequence[str] = self.choices
        else:
            choices = self._choice_array[subset].tolist()
        lcs: NDArray[np.uint32] = process.cdist([q], choices, scorer=LCSseq.similarity)[0]
        return lcs

    def lcs_list(self, q: str, examples: list[int]) -> list[int]:
        """LCS length per example of `examples` (a few: a Python list is quicker here; a dozen
        or fewer are scored one by one, as `cdist` costs more to set up than they do)."""
        choices = self.choices
        if len(examples) <= FEW_PAIRS:
            similarity = LCSseq.similarity
            return [int(similarity(q, choices[e])) for e in examples]
        lcs: list[int] = process.cdist(
            [q], [choices[e] for e in examples], scorer=LCSseq.similarity
        )[0].tolist()
        return lcs

    def scores(self, q: str, subset: NDArray[np.intp] | None = None) -> NDArray[np.float64]:
        """0-100 per example (or per example of `subset`)."""
        scale = self.scale(len(q))
        scores: NDArray[np.float64] = self.lcs(q, subset) * (
            scale if subset is None else scale[subset]
        )
        return scores

    def spread(self) -> float:
        """How little a symbol says: for a symbol of an example, the share of all examples
        holding it too, on average (English letters about half, Chinese characters a few %)."""
        symbols, _, first = self._symbol_table
        if not len(symbols):
            return 0.0
        starts = np.flatnonzero(np.r_[True, symbols[1:] != symbols[:-1]])
        occurrences = np.diff(np.r_[starts, len(symbols)])
        holders = np.add.reduceat(first.astype(np.intp), starts)
        return float((occurrences * holders).sum() / len(symbols) / len(self.choices))

    def index_lengths(self) -> None:
        """Tables for `length_bound` (a view bounded by lengths alone)."""
        lq = np.maximum(np.arange(TABLED_LENGTHS + 1), 1)[:, None]
        self._length_bounds = np.minimum(self.lengths[None, :], lq) * self._scales

    def length_bound(self, lq: int) -> NDArray[np.float64]:
        """An upper bound of this view's score per example from lengths alone (the LCS is at
        most the shorter length); a row of a table, so never to be changed in place."""
        bound: NDArray[np.float64]
        if self._length_bounds is not None and lq <= TABLED_LENGTHS:
            bound = self._length_bounds[lq]
            return bound
        bound = np.minimum(self.lengths, max(lq, 1)) * self.scale(lq)
        return bound

    @cached_property
    def _symbol_table(self) -> tuple[NDArray[np.uint32], NDArray[np.intp], NDArray[np.bool_]]:
        """Every symbol occurrence of every example, as (symbol, example) sorted by both, and
        whether each is the first of its symbol in its example (built once for `spread` and
        `index_symbols`)."""
        joined = "".join(self.choices)
        symbols = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        examples = np.repeat(
            np.arange(len(self.choices), dtype=np.intp), [len(c) for c in self.choices]
        )
        order = np.lexsort((examples, symbols))
        symbols, examples = symbols[order], examples[order]
        first = np.r_[True, (symbols[1:] != symbols[:-1]) | (examples[1:] != examples[:-1])]
        return symbols, examples, first

    def index_symbols(self) -> None:
        """Postings for the bag bound: per symbol, per k, the examples holding it >= k times.
        (Built with array operations: a per-character Python loop costs tens of ms a load.)"""
        symbols, examples, first = self._symbol_table
        # k: how many times this example already had this symbol before (0 for the first)
        starts = np.flatnonzero(first)
        k = np.arange(len(symbols)) - starts[np.cumsum(first) - 1]
        order = np.lexsort((examples, k, symbols))
        symbols, examples, k = symbols[order], examples[order], k[order]
        cut = np.flatnonzero(np.r_[True, (symbols[1:] != symbols[:-1]) | (k[1:] != k[:-1])])
        postings: dict[str, list[NDArray[np.intp]]] = {}
        for start, end in zip(cut.tolist(), [*cut[1:].tolist(), len(symbols)], strict=True):
            # groups come sorted by symbol, then k = 0, 1, 2 ...
            postings.setdefault(chr(symbols[start]), []).append(examples[start:end])
        self._postings = postings

    def bag_bound(self, q: str) -> NDArray[np.float64]:
        """An upper bound of this view's score per example: the LCS of two strings is at most
        the sum over symbols of the smaller count."""
        assert self._postings is not None
        parts: list[NDArray[np.intp]] = []
        seen: dict[str, int] = {}
        for sym in q:
            layers = self._postings.get(sym)
            if layers is not None:
                k = seen.get(sym, 0)
                if k < len(layers):
                    parts.append(layers[k])
                seen[sym] = k + 1
        n = len(self.choices)
        if not parts:
            return np.zeros(n, dtype=np.float64)
        lcs_max = np.bincount(np.concatenate(parts), minlength=n)
        bound: NDArray[np.float64] = lcs_max * self.scale(len(q))
        return bound


class Matcher:
    """Precomputed example arrays for one language."""

    PRUNE_TO = 24  # examples scored exactly first when the bound prunes the rest
    VAGUE = 0.2  # a view whose symbols are this common (`_View.spread`) is bounded by lengths

    def __init__(
        self,
        examples: Sequence[tuple[int, str]],
        n_intents: int,
        keywords: Sequence[Sequence[str]],
        years: Sequence[frozenset[int]],
        views: Sequence[tuple[View, float]],
        weights: Weights | None = None,
        *,
        bound: int | None = None,
        figures: Sequence[Sequence[str]] = (),
    ) -> None:
        ordered = sorted(examples, key=lambda e: e[0])
        if not ordered:
            raise ValueError("no examples")
        self.w = weights or Weights()
        self._frequency: dict[str, int] = {}
        self.n_intents = n_intents
        owners = np.array([o for o, _ in ordered], dtype=np.intp)
        self.texts = [text for _, text in ordered]
        self._views: list[_View] = []
        for fn, weight in views:
            like = self._views[0] if self._views else None
            self._views.append(_View(fn, weight, self.texts, self.w.similarity, like))
        self._same_lengths = all(
            np.array_equal(v.lengths, self._views[0].lengths) for v in self._views
        )
        # Intents without examples in this language get a row of zeros via `_present`.
        self._present = np.unique(owners)
        self._starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
        ends = [*self._starts[1:].tolist(), len(owners)]
        self._spans = {
            int(owners[start]): slice(start, end)
            for start, end in zip(self._starts.tolist(), ends, strict=True)
        }
        self.owners = owners
        self._owner_list: list[int] = owners.tolist()
        # Keywords: each knows its intents; every keyword inside the question is a hit.
        self._keyword_owners: dict[str, list[int]] = {}
        for i, kws in enumerate(keywords):
            for k in dict.fromkeys(k for k in kws if k):
                self._keyword_owners.setdefault(k, []).append(i)
        # and in a trie (a word ends where a node has "": the word), walked from each position
        self._keyword_trie: dict[str, Any] = {}
        for k in self._keyword_owners:
            node = self._keyword_trie
            for ch in k:
                node = node.setdefault(ch, {})
            node[""] = k
        self._recent_keywords: dict[str, frozenset[str]] = {}
        # Figures: a number in the question that an intent's answer shows counts as a keyword.
        self._figure_owners: dict[str, list[int]] = {}
        for i, figs in enumerate(figures):
            for fig in dict.fromkeys(figs):
                self._figure_owners.setdefault(fig, []).append(i)
        # Years: which intents' facts cover each year; intents without facts cover every year.
        self._has_years = np.array([bool(y) for y in years], dtype=bool)
        # intents whose facts miss the years asked, per set of years (few distinct sets occur)
        self._penalties: dict[
            frozenset[int],
            tuple[NDArray[np.float64], list[float] | None, NDArray[np.float64] | None],
        ] = {}
        self._year_mask = {
            year: np.array([year in y for y in years], dtype=bool)
            for year in sorted({year for y in years for year in y})
        }
        # The bound: an upper bound of every example's combined score from symbol counts alone.
        # `bound` names a view whose score is never below any other view's for the same example
        # (the pinyin codes map characters one to one, so identical characters have identical
        # codes): its bag bound alone then bounds the combined score. Without it, each view's
        # bag bound counts with the view's weight. `rank` scores exactly only the examples whose
        # bound could still matter (PRUNE_TO, then more until the top above the floor is
        # settled): above the floor the result is what scoring every example would give.
        self._length_bounds: list[tuple[int, float]] = []
        if bound is not None:
            lengths = self._views[bound].lengths
            if any(not np.array_equal(v.lengths, lengths) for v in self._views):
                raise ValueError("a bounding view must keep every example's length")
            self._bounds = [(bound, sum(v.weight for v in self._views))]
            self._bound_all = True  # one view's bound counts for every view
        else:
            self._bound_all = False
            self._bounds = []
            for i, v in enumerate(self._views):
                vague = v.spread() >= self.VAGUE
                (self._length_bounds if vague else self._bounds).append((i, v.weight))
        for i, _ in self._bounds:
            self._views[i].index_symbols()
        for i, _ in self._length_bounds:
            self._views[i].index_lengths()

    def reweighted(self, weights: Sequence[float]) -> Matcher:
        """This matcher with other view weights, sharing every table (a pinyin-only view of the
        Chinese examples for a question typed in pinyin)."""
        other = copy.copy(self)
        other._views = [copy.copy(v) for v in self._views]
        for view, weight in zip(other._views, weights, strict=True):
            view.weight = weight
        if self._bound_all:
            other._bounds = [(i, float(sum(weights))) for i, _ in self._bounds]
        else:
            other._bounds = [(i, weights[i]) for i, _ in self._bounds]
        other._length_bounds = [(i, weights[i]) for i, _ in self._length_bounds]
        return other

    def example_scores(self, question: str) -> NDArray[np.float64]:
        """0-100 per example, every view."""
        return self._exact([v.query(question) for v in self._views], None)

    def _exact(
        self, queries: Sequence[str], subset: NDArray[np.intp] | None
    ) -> NDArray[np.float64]:
        views = self._views
        if self._same_lengths and all(len(q) == len(queries[0]) for q in queries):
            # one scale for every view: weigh the LCS lengths, then scale once
            lcs = views[0].weight * views[0].lcs(queries[0], subset)
            for view, q in zip(views[1:], queries[1:], strict=True):
                lcs += view.weight * view.lcs(q, subset)
            scale = views[0].scale(len(queries[0]))
            scores: NDArray[np.float64] = lcs * (scale if subset is None else scale[subset])
            return scores
        total = views[0].weight * views[0].scores(queries[0], subset)
        for view, q in zip(views[1:], queries[1:], strict=True):
            total += view.weight * view.scores(q, subset)
        return total

    def combine(
        self,
        example_scores: NDArray[np.float64],
        question: str,
        years: frozenset[int],
        numbers: Sequence[str] = (),
    ) -> NDArray[np.float64]:
        """Per intent: best example, plus keyword bonus, minus year mismatch; 0-100."""
        scores = np.zeros(self.n_intents, dtype=np.float64)
        scores[self._present] = np.maximum.reduceat(example_scores, self._starts)
        for i, add in self._extra(question, numbers).items():
            scores[i] += add
        np.minimum(scores, 100.0, out=scores)
        scores -= self._penalty(years)[0]
        np.maximum(scores, 0.0, out=scores)
        return scores

    def best_example(self, question: str, intent: int) -> str:
        """The intent's example that scores best for the question ("" without examples)."""
        span = self._spans.get(intent)
        if span is None:
            return ""
        subset = np.arange(span.start, span.stop, dtype=np.intp)
        scores = self._exact([v.query(question) for v in self._views], subset)
        return self.texts[span.start + int(np.argmax(scores))]

    def keywords_of(self, intent: int, text: str) -> set[str]:
        """The intent's keywords inside the text."""
        return {k for k in self.keywords_in(text) if intent in self._keyword_owners[k]}

    def year_penalty(self, years: frozenset[int]) -> NDArray[np.float64]:
        """Per intent, what `combine` takes off for missing every year asked."""
        return self._penalty(years)[0]

    def example_frequency(self, word: str) -> int:
        """How many examples hold a word (cached: few words are asked)."""
        n = self._frequency.get(word)
        if n is None:
            n = self._frequency[word] = sum(word in t for t in self.texts)
        return n

    def keyword_owners(self, question: str) -> set[int]:
        """The intents with a keyword inside the question."""
        return {i for k in self.keywords_in(question) for i in self._keyword_owners[k]}

    def _extra(self, question: str, numbers: Sequence[str]) -> dict[int, float]:
        """Keyword and figure bonus of the few intents hit."""
        w = self.w
        hits: dict[int, int] = {}
        for k in self.keywords_in(question):
            for i in self._keyword_owners[k]:
                hits[i] = hits.get(i, 0) + 1
        extra = {i: min(w.keyword * n, w.keyword_cap) for i, n in hits.items()}
        for fig in set(numbers):
            for i in self._figure_owners.get(fig, ()):
                extra[i] = extra.get(i, 0.0) + w.figure
        return extra

    def keywords_in(self, question: str) -> frozenset[str]:
        """Every keyword inside the question (the last few questions' kept: ranking and the
        steps after it ask again for the same texts, and a follow-up for its own and the joined
        one)."""
        recent = self._recent_keywords
        found = recent.get(question)
        if found is None:
            found = self._find_keywords(question)
            if len(recent) >= RECENT:
                del recent[next(iter(recent))]  # the oldest
            recent[question] = found
        return found

    def _find_keywords(self, question: str) -> frozenset[str]:
        found: set[str] = set()
        trie, end = self._keyword_trie, len(question)
        for start, ch in enumerate(question):
            # a keyword that starts with a Latin letter is a whole word: "pm" is not in "development"
            latin = ch in _LETTERS
            if latin and start and question[start - 1] in _LETTERS:
                continue
            node = trie.get(ch)
            at = start + 1
            while node is not None:
                word = node.get("")
                if word is not None and not (latin and at < end and question[at] in _LETTERS):
                    found.add(word)
                if at == end:
                    break
                node = node.get(question[at])
                at += 1
        return frozenset(found)

    def _penalty(
        self, years: frozenset[int]
    ) -> tuple[NDArray[np.float64], list[float] | None, NDArray[np.float64] | None]:
        """The year penalty when an intent's facts miss every year asked: per intent (array and
        list) and per example (list and per example None when nothing is penalised). Cached: few
        sets of years occur."""
        cached = self._penalties.get(years)
        if cached is None:
            covered = np.zeros(self.n_intents, dtype=bool)
            for year in years:
                mask = self._year_mask.get(year)
                if mask is not None:
                    covered |= mask
            missed = self._has_years & ~covered if years else np.zeros(self.n_intents, dtype=bool)
            per_intent = np.where(missed, self.w.year_mismatch, 0.0)
            any_missed = bool(missed.any())
            cached = (
                per_intent,
                per_intent.tolist() if any_missed else None,
                per_intent[self.owners] if any_missed else None,
            )
            if len(self._penalties) < 64:
                self._penalties[years] = cached
        return cached

    def known_words(self, question: str) -> str:
        """A question of words (English) without the words no example has: with a term of the
        lexicon among the rest (托位 offer overall), they say nothing the examples can weigh,
        and each costs a short question a third of its score. Questions of characters are
        returned as they are."""
        codes = self._views[0]._codes
        if codes is None:
            return question
        words = question.split()
        kept = [w for w in words if w in codes or not w.isascii()]  # (a term: 托位)
        return " ".join(kept) if kept and len(kept) < len(words) else question

    def rank(
        self,
        question: str,
        years: frozenset[int] = frozenset(),
        numbers: Sequence[str] = (),
        *,
        limit: int = 3,
        floor: float = 0.0,
        reach: float = math.inf,
    ) -> list[tuple[int, float]]:
        """The best `limit` intents with their scores, best first (ties: lower index). Every
        score above `floor` and within `reach` of the best is exact, and so is the order among
        them; a score outside may be lower than exact (0 when nothing beats the floor), or give
        its place to another outside: a question that matches nothing well, or one intent far
        better than the rest, needs no exact ranking of what does not matter."""
        extra = self._extra(question, numbers)
        _, penalty, example_penalty = self._penalty(years)
        queries = [v.query(question) for v in self._views]
        n = len(self.texts)
        best: dict[int, float] = {}
        if n <= 2 * self.PRUNE_TO:
            self._score(best, queries, list(range(n)))
            return self._best(best, extra, penalty, limit)
        # An upper bound of each example's adjusted score. The cap at 100 and the floor at 0 are
        # left out: still bounds of every score that can matter.
        bound = self._upper(queries)
        for i, add in extra.items():
            span = self._spans.get(i)
            if span is not None:
                bound[span] += add
        if example_penalty is not None:
            bound -= example_penalty
        # Only an example whose bound beats the floor can matter; most questions have a few
        # dozen at most, and they are all scored at once.
        above = (bound > floor).nonzero()[0]
        if len(above) <= 2 * self.PRUNE_TO:
            self._score(best, queries, above.tolist())
            return self._best(best, extra, penalty, limit)
        # Round 1: the PRUNE_TO best bounds (argpartition on negated bounds: it picks the
        # smallest few quickly even when many are equal, which they are). Round 2, when an
        # unscored bound still beats the last of the top and the reach below the best: exactly
        # the examples whose bound beats both. After that no unscored example can change what
        # must be exact (the best only rose).
        neg = -bound[above]
        part = np.argpartition(neg, self.PRUNE_TO)
        self._score(best, queries, above[part[: self.PRUNE_TO]].tolist())
        ranked = self._best(best, extra, penalty, limit)
        # An unscored example whose bound equals the last score may still take its place by a
        # lower index (ties go to the lower index), hence the bound just below it.
        last = max(ranked[-1][1], ranked[0][1] - reach, floor) - 1e-6
        if -neg[part[self.PRUNE_TO]] > last:
            neg[part[: self.PRUNE_TO]] = np.inf
            self._score(best, queries, above[neg < -last].tolist())
            ranked = self._best(best, extra, penalty, limit)
        return ranked

    def showing(self, numbers: Sequence[str]) -> list[int]:
        """The intents whose answers show any of these report figures, in intent order."""
        return sorted({i for n in numbers for i in self._figure_owners.get(n, ())})

    def score_intents(
        self,
        question: str,
        intents: Sequence[int],
        years: frozenset[int] = frozenset(),
        numbers: Sequence[str] = (),
    ) -> dict[int, float]:
        """The exact scores of a few intents, as `combine` gives them."""
        extra = self._extra(question, numbers)
        _, penalty, _ = self._penalty(years)
        best: dict[int, float] = {}
        spans = [self._spans[i] for i in intents if i in self._spans]
        examples = [e for span in spans for e in range(span.start, span.stop)]
        self._score(best, [v.query(question) for v in self._views], examples)
        return {
            i: max(
                min(best.get(i, 0.0) + extra.get(i, 0.0), 100.0) - (penalty[i] if penalty else 0.0),
                0.0,
            )
            for i in intents
        }

    def _score(self, best: dict[int, float], queries: Sequence[str], examples: list[int]) -> None:
        """Score `examples` exactly; each intent keeps its best example's score. (Python over
        the few examples scored: numpy calls on small arrays cost more than this loop. The
        arithmetic is `_exact`'s, in the same order, so the floats are the same.)"""
        if not examples:
            return
        owners = self._owner_list
        if len(self._views) != 2:
            subset = np.array(examples, dtype=np.intp)
            for e, s in zip(examples, self._exact(queries, subset).tolist(), strict=True):
                if s > best.get(owners[e], 0.0):
                    best[owners[e]] = s
            return
        (v0, v1), (q0, q1) = self._views, queries
        w0, w1 = v0.weight, v1.weight
        lcs = zip(examples, v0.lcs_list(q0, examples), v1.lcs_list(q1, examples), strict=True)
        if self._same_lengths and len(q0) == len(q1):
            scale, lengths = v0.scale_by_length(len(q0)), v0.int_lengths
            for e, a, b in lcs:
                s = (w0 * a + w1 * b) * scale[lengths[e]]
                if s > best.get(owners[e], 0.0):
                    best[owners[e]] = s
        else:
            scale0, lengths0 = v0.scale_by_length(len(q0)), v0.int_lengths
            scale1, lengths1 = v1.scale_by_length(len(q1)), v1.int_lengths
            for e, a, b in lcs:
                s = w0 * (a * scale0[lengths0[e]]) + w1 * (b * scale1[lengths1[e]])
                if s > best.get(owners[e], 0.0):
                    best[owners[e]] = s

    def _best(
        self,
        best: dict[int, float],
        extra: dict[int, float],
        penalty: list[float] | None,
        limit: int,
    ) -> list[tuple[int, float]]:
        """The `limit` best intents after bonus (capped at 100) and penalty (floored at 0), as
        ranking every intent would give them: intents neither scored nor hit have 0."""
        if penalty is None:  # most questions: only the few intents hit change
            adjusted = best.copy()
            for i, add in extra.items():
                adjusted[i] = min(adjusted.get(i, 0.0) + add, 100.0)
        else:
            adjusted = {
                i: min(best.get(i, 0.0) + extra.get(i, 0.0), 100.0) - penalty[i]
                for i in best.keys() | extra.keys()
            }
        # (-score, intent) pairs sorted: best first, ties to the lower index
        scored = sorted(zip(map(operator.neg, adjusted.values()), adjusted, strict=True))
        out = [(i, round(-s, 6)) for s, i in scored[:limit] if s < 0.0]
        if len(out) < limit:  # the lowest intents with 0, as a stable sort of every score puts them
            shown = {i for i, _ in out}
            out += itertools.islice(
                ((i, 0.0) for i in range(self.n_intents) if i not in shown), limit - len(out)
            )
        return out

    def _upper(self, queries: Sequence[str]) -> NDArray[np.float64]:
        """>= the combined score of each example."""
        total: NDArray[np.float64] | None = None
        for i, weight in self._bounds:
            b = self._views[i].bag_bound(queries[i])
            if weight != 1.0:
                b *= weight
            total = b if total is None else total + b
        for i, weight in self._length_bounds:
            b = weight * self._views[i].length_bound(len(queries[i]))
            total = b if total is None else total + b
        assert total is not None
        return total
