"""Score a normalised question against every intent example, and decide what to do.

Each language has its own example set and views: Chinese is scored on characters and on pinyin
codes (homophone typos); English on words and on characters (spelling slips). `process.cdist`
scores the question against many examples at once with the LCS length; from it come similarity
(how alike) and coverage (how much of the question an example covers, which rescues short
fragments like "托育"). For Chinese, a cheap upper bound (syllable counts) picks the examples worth
scoring, and the result is exactly what scoring every example would give. Keyword hits and a
quoted report figure add a bonus; a year the intent's facts don't cover costs a penalty. Every
candidate carries a 0-100 score, and `decide` is the one place that applies the thresholds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import process
from rapidfuzz.distance import LCSseq

from bot.normalize import trie_pattern

View = Callable[[str], Sequence[Hashable]]


@dataclass(frozen=True, slots=True)
class Weights:
    """Tuned on the evaluation set (see README, "Accuracy")."""

    similarity: float = 0.5  # vs coverage, within one view
    keyword: float = 6.0  # per keyword hit
    keyword_cap: float = 12.0
    figure: float = 12.0  # a report figure quoted in the question that the intent shows
    year_mismatch: float = 12.0
    answer: float = 60.0  # answer when the best is at least this and `margin` clear ...
    margin: float = 1.0
    answer_low: float = 44.0  # ... or at least this and `gap` clear of the runner-up
    gap: float = 3.0
    clarify: float = 44.0
    clarify_window: float = 9.0
    max_candidates: int = 3


class Matcher:
    """Precomputed example arrays for one language."""

    PRUNE_TO = 64  # examples scored on every view when a bounding view prunes the rest

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
        owners = np.array([o for o, _ in ordered], dtype=np.int64)
        self.texts = [text for _, text in ordered]
        self._views = [
            (
                view,
                weight,
                [view(t) for t in self.texts],
                np.array([max(len(view(t)), 1) for t in self.texts], dtype=np.float64),
            )
            for view, weight in views
        ]
        # Intents without examples in this language get a row of zeros via `_present`.
        self._present = np.unique(owners)
        self._starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
        self.owners = owners
        # Keywords: one regex finds every (overlapping) hit; each keyword knows its intents.
        self._keyword_owners: dict[str, list[int]] = {}
        for i, kws in enumerate(keywords):
            for k in dict.fromkeys(k for k in kws if k):
                self._keyword_owners.setdefault(k, []).append(i)
        ordered_kws = sorted(self._keyword_owners, key=len, reverse=True)
        self._keyword_prefixes = {
            k: [k[:n] for n in range(len(k), 0, -1) if k[:n] in self._keyword_owners]
            for k in ordered_kws
        }
        self._keyword_re = (
            re.compile("(?=(" + trie_pattern(ordered_kws) + "))") if ordered_kws else None
        )
        # Figures: a number in the question that an intent's answer shows counts as a keyword.
        self._figure_owners: dict[str, list[int]] = {}
        for i, figs in enumerate(figures):
            for fig in dict.fromkeys(figs):
                self._figure_owners.setdefault(fig, []).append(i)
        # Years: which intents' facts cover each year; intents without facts cover every year.
        self._has_years = np.array([bool(y) for y in years], dtype=bool)
        # intents whose facts miss the years asked, per set of years (few distinct sets occur)
        self._penalised: dict[frozenset[int], NDArray[np.bool_]] = {}
        self._no_penalty = np.zeros(n_intents, dtype=np.float64)
        self._year_mask = {
            year: np.array([year in y for y in years], dtype=bool)
            for year in sorted({year for y in years for year in y})
        }
        self.w = weights or Weights()
        self.n_intents = n_intents
        # `bound`: a view whose score is never below any other view's for the same example (the
        # pinyin codes map characters one to one, so identical characters have identical codes).
        # The combined score is then at most that view's score, itself at most a bound from the
        # symbol counts; `rank` scores every view only on the examples whose bound could still
        # matter (64, then more until the top is settled), and the result is exact.
        if bound is not None:
            lengths = self._views[bound][3]
            if any(not np.array_equal(v[3], lengths) for v in self._views):
                raise ValueError("a bounding view must keep every example's length")
        self._bound = bound
        if bound is not None:
            # Symbol counts per example in the bounding view, one row per symbol.
            symbols = list(dict.fromkeys(sym for text in self._views[bound][2] for sym in text))
            self._symbol_index = {sym: i for i, sym in enumerate(symbols)}
            counts = np.zeros((len(symbols), len(self.texts)), dtype=np.int16)
            for col, text in enumerate(self._views[bound][2]):
                for sym in text:
                    counts[self._symbol_index[sym], col] += 1
            self._counts = counts

    def _view_scores(
        self, v: int, q: Sequence[Hashable], subset: NDArray[np.int64] | None = None
    ) -> NDArray[np.float64]:
        """0-100 per example (or per example of `subset`) for one view."""
        _, _, choices, lengths = self._views[v]
        if subset is not None:
            choices = [choices[i] for i in subset.tolist()]
            lengths = lengths[subset]
        lq = float(max(len(q), 1))
        lcs = process.cdist([q], choices, scorer=LCSseq.similarity, dtype=np.int32)[0]
        a = self.w.similarity
        scores: NDArray[np.float64] = 100.0 * lcs * (2.0 * a / (lq + lengths) + (1.0 - a) / lq)
        return scores

    def example_scores(self, question: str) -> NDArray[np.float64]:
        """0-100 per example, every view."""
        total = np.zeros(len(self.texts), dtype=np.float64)
        for v, (view, weight, _, _) in enumerate(self._views):
            total += weight * self._view_scores(v, view(question))
        return total

    def combine(
        self,
        example_scores: NDArray[np.float64],
        question: str,
        years: frozenset[int],
        numbers: Sequence[str] = (),
    ) -> NDArray[np.float64]:
        """Per intent: best example, plus keyword bonus, minus year mismatch; 0-100."""
        return self._adjust(
            self._per_intent(example_scores), *self._adjustments(question, years, numbers)
        )

    def _per_intent(self, example_scores: NDArray[np.float64]) -> NDArray[np.float64]:
        scores = np.zeros(self.n_intents, dtype=np.float64)
        scores[self._present] = np.maximum.reduceat(example_scores, self._starts)
        return scores

    def _adjustments(
        self, question: str, years: frozenset[int], numbers: Sequence[str] = ()
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Keyword and figure bonus, and year penalty, per intent. (Plain Python over the few
        hits: numpy calls on small arrays cost more than the arithmetic here.)"""
        w = self.w
        hits: dict[int, int] = {}
        if self._keyword_re is not None:
            found: set[str] = set()
            for m in self._keyword_re.finditer(question):
                # the longest keyword starting here; the shorter ones are its prefixes
                found.update(self._keyword_prefixes[m.group(1)])
            for k in found:
                for i in self._keyword_owners[k]:
                    hits[i] = hits.get(i, 0) + 1
        extra = {i: min(w.keyword * n, w.keyword_cap) for i, n in hits.items()}
        for fig in set(numbers):
            for i in self._figure_owners.get(fig, ()):
                extra[i] = extra.get(i, 0.0) + w.figure
        bonus = np.zeros(self.n_intents, dtype=np.float64)
        if extra:
            bonus[list(extra)] = list(extra.values())
        penalty = self._no_penalty
        if years:
            penalised = self._penalised.get(years)
            if penalised is None:
                covered = np.zeros(self.n_intents, dtype=bool)
                for year in years:
                    mask = self._year_mask.get(year)
                    if mask is not None:
                        covered |= mask
                penalised = self._has_years & ~covered
                if len(self._penalised) < 64:
                    self._penalised[years] = penalised
            penalty = np.where(penalised, w.year_mismatch, 0.0)
        return bonus, penalty

    @staticmethod
    def _adjust(
        scores: NDArray[np.float64], bonus: NDArray[np.float64], penalty: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        # Cap before the year penalty, so a bonus above 100 cannot absorb it. Monotone in
        # `scores`, so upper bounds stay upper bounds.
        out = scores + bonus
        np.minimum(out, 100.0, out=out)
        out -= penalty
        np.maximum(out, 0.0, out=out)
        return out

    def rank(
        self,
        question: str,
        years: frozenset[int] = frozenset(),
        numbers: Sequence[str] = (),
        *,
        limit: int = 3,
    ) -> list[tuple[int, float]]:
        """The best `limit` intents with their exact scores, best first."""
        bonus, penalty = self._adjustments(question, years, numbers)
        if self._bound is None:
            scores = self._adjust(self._per_intent(self.example_scores(question)), bonus, penalty)
            top = np.argsort(-scores, kind="stable")[:limit]
            return [(int(i), float(scores[i])) for i in top]
        return self._rank_bounded(question, bonus, penalty, limit)

    def _rank_bounded(
        self,
        question: str,
        bonus: NDArray[np.float64],
        penalty: NDArray[np.float64],
        limit: int,
    ) -> list[tuple[int, float]]:
        b = self._bound
        assert b is not None
        queries = [view(question) for view, _, _, _ in self._views]
        upper = self._bag_bound(queries[b])  # >= the combined score of each example
        n = len(upper)
        order = np.argsort(-upper, kind="stable")
        combined = upper.copy()
        known = np.zeros(n, dtype=np.float64)
        done = 0
        k = min(self.PRUNE_TO, n)
        while True:
            new = order[done:k]
            exact = np.zeros(len(new), dtype=np.float64)
            for v, (_, weight, _, _) in enumerate(self._views):
                exact += weight * self._view_scores(v, queries[v], new)
            combined[new] = exact
            known[new] = exact
            done = k
            low = self._adjust(self._per_intent(known), bonus, penalty)
            top = np.argsort(-low, kind="stable")[:limit]
            if k >= n:
                return [(int(i), float(low[i])) for i in top]
            high = self._adjust(self._per_intent(combined), bonus, penalty)
            rest = np.ones(self.n_intents, dtype=bool)
            rest[top] = False
            if (high[top] <= low[top]).all() and (high[rest] <= low[top[-1]]).all():
                return [(int(i), float(low[i])) for i in top]
            k = min(4 * k, n)

    def _bag_bound(self, q: Sequence[Hashable]) -> NDArray[np.float64]:
        """Upper bound of the bounding view's score, so of the combined score: the LCS of two
        strings is at most the sum over symbols of the smaller count."""
        b = self._bound
        assert b is not None
        wanted: dict[int, int] = {}
        for sym in q:
            col = self._symbol_index.get(sym, -1)
            if col >= 0:
                wanted[col] = wanted.get(col, 0) + 1
        lengths = self._views[b][3]
        if not wanted:
            return np.zeros(len(lengths), dtype=np.float64)
        rows = self._counts[list(wanted)]
        need = np.array(list(wanted.values()), dtype=np.int16)[:, None]
        lcs_max = np.minimum(rows, need).sum(axis=0)
        lq = float(max(len(q), 1))
        a = self.w.similarity
        bound: NDArray[np.float64] = 100.0 * lcs_max * (2.0 * a / (lq + lengths) + (1.0 - a) / lq)
        return bound


@dataclass(frozen=True, slots=True)
class Decision:
    kind: str  # "answer" | "clarify" | "fallback"
    best: int | None
    candidates: tuple[tuple[int, float], ...]


def decide(ranked: list[tuple[int, float]], w: Weights) -> Decision:
    """Answer when the best is confident and clear of the runner-up; clarify among close
    candidates in the middle band; otherwise fall back."""
    if not ranked:
        return Decision("fallback", None, ())
    best, top = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    near = tuple(
        (i, s)
        for i, s in ranked[: w.max_candidates]
        if s >= w.clarify and top - s <= w.clarify_window
    )
    confident = (top >= w.answer and top - second >= w.margin) or (
        top >= w.answer_low and top - second >= w.gap
    )
    if confident:
        return Decision("answer", best, near)
    if top >= w.clarify and len(near) >= 2:
        return Decision("clarify", None, near)
    return Decision("fallback", None, near)
