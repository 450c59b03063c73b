"""Decide what to do with a ranking: answer, ask which one was meant, or fall back.

`Weights` holds the tuned thresholds (and the matcher's bonuses and penalties, tuned with them);
`decide` is the one place that applies them. `best_of` merges rankings of the same question
(clauses, scripts, a pinyin reading) before deciding; `both_exact` tells a name that two intents
hold word for word.
"""

from __future__ import annotations

from dataclasses import dataclass

Ranking = list[tuple[int, float]]  # (intent index, 0-100 score), best first


@dataclass(frozen=True, slots=True)
class Weights:
    """Tuned on the evaluation set (see README, "Accuracy")."""

    similarity: float = 0.5  # vs coverage, within one view
    keyword: float = 6.0  # per keyword hit
    keyword_cap: float = 12.0
    figure: float = 20.0  # a report figure quoted in the question that the intent shows
    year_mismatch: float = 12.0
    answer: float = 60.0  # answer when the best is at least this and `margin` clear ...
    margin: float = 1.0
    answer_low: float = 44.0  # ... or at least this and `gap` clear of the runner-up
    gap: float = 3.0
    clarify: float = 44.0
    clarify_window: float = 9.0
    max_candidates: int = 3
    both: float = 90.0  # two candidates this strong and within `margin` are both answered

    @property
    def floor(self) -> float:
        """Scores at or below this never change what `decide` does: too low to answer, to be a
        candidate, or to stand within `margin`/`gap` of a best that answers."""
        return min(self.clarify, self.answer_low - self.gap, self.answer - self.margin)

    @property
    def reach(self) -> float:
        """Nor do scores more than this below the best: too far to be a candidate beside it
        or to keep it from answering."""
        return max(self.clarify_window, self.gap, self.margin)


@dataclass(frozen=True, slots=True)
class Decision:
    kind: str  # "answer" | "clarify" | "fallback"
    best: int | None
    candidates: tuple[tuple[int, float], ...]


def decide(ranked: Ranking, w: Weights) -> Decision:
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


def best_of(*rankings: Ranking, limit: int = 3) -> Ranking:
    """Several rankings as one: each intent keeps its best score (ties: the lower intent, as
    in one ranking)."""
    best: dict[int, float] = {}
    for ranking in rankings:
        for i, score in ranking:
            best[i] = max(best.get(i, score), score)
    return sorted(best.items(), key=lambda item: (-item[1], item[0]))[:limit]


def both_exact(decision: Decision, w: Weights) -> bool:
    """The two best candidates both match (nearly) exactly and equally well."""
    (_, first), (_, second) = decision.candidates[:2]
    return second >= w.both and first - second <= w.margin
