"""Score a normalised question against every intent example, and decide what to do.

One `process.cdist` call per view (characters, pinyin codes) scores the question against all
examples at once with the LCS length; from it come similarity (how alike) and coverage (how much of
the question an example covers, which rescues short fragments like "托育"). Keyword hits add a
bonus; a year the intent's facts don't cover costs a penalty. Every candidate carries a 0-100 score
and `decide` is the one place that applies the thresholds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import process
from rapidfuzz.distance import LCSseq


@dataclass(frozen=True, slots=True)
class Weights:
    """Tuned on the evaluation set; see benchmarks/ and the README for the measurements."""

    similarity: float = 0.55  # vs coverage, within one view
    characters: float = 0.7  # vs pinyin
    keyword: float = 7.0  # per keyword hit
    keyword_cap: float = 14.0
    year_mismatch: float = 12.0
    answer: float = 60.0
    margin: float = 4.0
    clarify: float = 42.0
    clarify_window: float = 14.0
    max_candidates: int = 3


class Matcher:
    """Precomputed arrays over all examples of all intents."""

    def __init__(
        self,
        examples: Sequence[tuple[int, str]],
        n_intents: int,
        keywords: Sequence[Sequence[str]],
        years: Sequence[frozenset[int]],
        view: Callable[[str], str],
        weights: Weights | None = None,
    ) -> None:
        ordered = sorted(examples, key=lambda e: e[0])
        owners = np.array([o for o, _ in ordered], dtype=np.int64)
        if len(ordered) == 0 or len(set(owners.tolist())) != n_intents:
            raise ValueError("every intent needs at least one example")
        self._view = view
        self._chars = [text for _, text in ordered]
        self._codes = [view(text) for text in self._chars]
        self._len = np.array([max(len(t), 1) for t in self._chars], dtype=np.float64)
        self._starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
        self._owners = owners
        self._keywords = [tuple(k for k in kws if k) for kws in keywords]
        self._years = list(years)
        self.w = weights or Weights()
        self.n_intents = n_intents

    def example_scores(self, question: str) -> NDArray[np.float64]:
        """0-100 per example."""
        lq = float(max(len(question), 1))
        total = np.zeros(len(self._chars), dtype=np.float64)
        for choices, weight in (
            (self._chars, self.w.characters),
            (self._codes, 1.0 - self.w.characters),
        ):
            q = question if choices is self._chars else self._view(question)
            lcs = process.cdist([q], choices, scorer=LCSseq.similarity, dtype=np.int32)[0]
            lcs = lcs.astype(np.float64)
            sim = 2.0 * lcs / (lq + self._len)
            cov = lcs / lq
            total += weight * (self.w.similarity * sim + (1.0 - self.w.similarity) * cov)
        return 100.0 * total

    def intent_scores(self, question: str, years: frozenset[int] = frozenset()) -> NDArray[np.float64]:
        """0-100 per intent: best example, plus keyword bonus, minus year mismatch."""
        scores = np.maximum.reduceat(self.example_scores(question), self._starts)
        for i, kws in enumerate(self._keywords):
            if kws:
                hits = sum(1 for k in kws if k in question)
                if hits:
                    scores[i] += min(self.w.keyword * hits, self.w.keyword_cap)
            if years and self._years[i] and not (years & self._years[i]):
                scores[i] -= self.w.year_mismatch
        return np.clip(scores, 0.0, 100.0)

    def rank(
        self, question: str, years: frozenset[int] = frozenset(), *, limit: int = 5
    ) -> list[tuple[int, float]]:
        scores = self.intent_scores(question, years)
        top = np.argsort(-scores, kind="stable")[:limit]
        return [(int(i), float(scores[i])) for i in top]


@dataclass(frozen=True, slots=True)
class Decision:
    kind: str  # "answer" | "clarify" | "fallback"
    best: int | None
    candidates: tuple[tuple[int, float], ...]


def decide(ranked: list[tuple[int, float]], weights: Weights, *, clarify_ok: bool = True) -> Decision:
    """Answer when the best is confident and clear; clarify in the middle band; else fall back."""
    if not ranked:
        return Decision("fallback", None, ())
    best, top = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    near = tuple(
        (i, s)
        for i, s in ranked[: weights.max_candidates]
        if s >= weights.clarify and top - s <= weights.clarify_window
    )
    if top >= weights.answer and (top - second >= weights.margin or len(near) <= 1):
        return Decision("answer", best, near)
    if top >= weights.clarify and clarify_ok:
        if len(near) == 1 and top >= weights.answer:
            return Decision("answer", best, near)
        return Decision("clarify", None, near)
    return Decision("fallback", None, near)
