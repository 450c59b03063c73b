"""Score a normalised question against every intent example, and decide what to do.

Each language has its own example set and views: Chinese is scored on characters and on pinyin
codes (homophone typos); English on words and on characters (spelling slips). For every view one
`process.cdist` call scores the question against all examples at once with the LCS length; from it
come similarity (how alike) and coverage (how much of the question an example covers, which
rescues short fragments like "托育"). Keyword hits add a bonus; a year the intent's facts don't
cover costs a penalty. Every candidate carries a 0-100 score, and `decide` is the one place that
applies the thresholds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import process
from rapidfuzz.distance import LCSseq

View = Callable[[str], Sequence[Hashable]]


@dataclass(frozen=True, slots=True)
class Weights:
    """Tuned on the evaluation set (see README, "Accuracy")."""

    similarity: float = 0.5  # vs coverage, within one view
    keyword: float = 6.0  # per keyword hit
    keyword_cap: float = 12.0
    year_mismatch: float = 12.0
    answer: float = 58.0  # answer when the best is at least this and `margin` clear ...
    margin: float = 3.0
    answer_low: float = 44.0  # ... or at least this and `gap` clear of the runner-up
    gap: float = 5.0
    clarify: float = 44.0
    clarify_window: float = 9.0
    max_candidates: int = 3


class Matcher:
    """Precomputed example arrays for one language."""

    def __init__(
        self,
        examples: Sequence[tuple[int, str]],
        n_intents: int,
        keywords: Sequence[Sequence[str]],
        years: Sequence[frozenset[int]],
        views: Sequence[tuple[View, float]],
        weights: Weights | None = None,
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
        self._keyword_re = (
            re.compile("(?=(" + "|".join(re.escape(k) for k in ordered_kws) + "))")
            if ordered_kws
            else None
        )
        # Years: which intents' facts cover each year; intents without facts cover every year.
        self._has_years = np.array([bool(y) for y in years], dtype=bool)
        self._year_mask = {
            year: np.array([year in y for y in years], dtype=bool)
            for year in sorted({year for y in years for year in y})
        }
        self.w = weights or Weights()
        self.n_intents = n_intents

    def example_scores(self, question: str) -> NDArray[np.float64]:
        """0-100 per example."""
        total = np.zeros(len(self.texts), dtype=np.float64)
        for view, weight, choices, lengths in self._views:
            q = view(question)
            lq = float(max(len(q), 1))
            lcs = process.cdist([q], choices, scorer=LCSseq.similarity, dtype=np.int32)[0]
            lcs = lcs.astype(np.float64)
            sim = 2.0 * lcs / (lq + lengths)
            cov = lcs / lq
            total += weight * (self.w.similarity * sim + (1.0 - self.w.similarity) * cov)
        return 100.0 * total

    def combine(
        self, example_scores: NDArray[np.float64], question: str, years: frozenset[int]
    ) -> NDArray[np.float64]:
        """Per intent: best example, plus keyword bonus, minus year mismatch; 0-100."""
        scores = np.zeros(self.n_intents, dtype=np.float64)
        scores[self._present] = np.maximum.reduceat(example_scores, self._starts)
        if self._keyword_re is not None:
            hits = np.zeros(self.n_intents, dtype=np.float64)
            found: set[str] = set()
            for start in range(len(question)):
                # every keyword starting here, longest first, counted once per question
                for k in self._keywords_at(question, start):
                    if k not in found:
                        found.add(k)
                        hits[self._keyword_owners[k]] += 1.0
            scores += np.minimum(self.w.keyword * hits, self.w.keyword_cap)
        # Cap before the year penalty, so a bonus above 100 cannot absorb it.
        scores = np.minimum(scores, 100.0)
        if years:
            covered = np.zeros(self.n_intents, dtype=bool)
            for year in years:
                mask = self._year_mask.get(year)
                if mask is not None:
                    covered |= mask
            scores[self._has_years & ~covered] -= self.w.year_mismatch
        return np.clip(scores, 0.0, 100.0)

    def _keywords_at(self, question: str, start: int) -> list[str]:
        assert self._keyword_re is not None
        m = self._keyword_re.match(question, start)
        if m is None:
            return []
        # the alternation yields the longest keyword at `start`; shorter ones are its prefixes
        longest = m.group(1)
        return [k for k in self._prefixes(longest) if k in self._keyword_owners]

    def _prefixes(self, word: str) -> list[str]:
        return [word[:n] for n in range(len(word), 0, -1)]

    def rank(
        self, question: str, years: frozenset[int] = frozenset(), *, limit: int = 5
    ) -> list[tuple[int, float]]:
        scores = self.combine(self.example_scores(question), question, years)
        top = np.argsort(-scores, kind="stable")[:limit]
        return [(int(i), float(scores[i])) for i in top]


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
