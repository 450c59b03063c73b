"""A question on its way through the engine's steps, and what a step is.

`Incoming` is the question as received (screened before anything else runs); `Query` is what
the steps after normalising read and refine: the ranking, the decision, the intents answered
together and a note to put first. A step returns an `Answer` to end the pipeline (a guard that
refuses, the final composition) or None to hand the query on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from bot.engine.answer import Answer, Lang, Script
from bot.engine.decide import Decision, Ranking
from bot.engine.match import Matcher
from bot.engine.normalize import Normalized

UNDECIDED = Decision("fallback", None, ())


@dataclass(frozen=True, slots=True)
class Incoming:
    """The question as received: `question` made encodable, `text` stripped."""

    question: str
    text: str
    lang: Lang


@dataclass(slots=True)
class Query:
    """A normalised question and what the steps so far made of it."""

    question: str  # as received (encodable)
    text: str  # stripped, not normalised
    lang: Lang
    norm: Normalized
    matcher: Matcher  # the question's language's
    today: date  # from the engine's clock, once per question
    asked: frozenset[int] = frozenset()  # the years asked (relative words resolved)
    years: frozenset[int] = frozenset()  # those that steer the match (some fact has them)
    ranked: Ranking = field(default_factory=list)
    decision: Decision = UNDECIDED
    also: tuple[int, ...] = ()  # intents answered together with decision.best
    note: str = ""  # put before the answer
    followup: bool = False  # a fragment joined to the conversation's last question
    before: frozenset[int] = frozenset()  # the intents the conversation's last answer gave
    own_time: bool = False  # a follow-up whose fragment names a time itself (那前年呢)

    @property
    def script(self) -> Script:
        return self.norm.script

    @property
    def top_score(self) -> float:
        return self.ranked[0][1] if self.ranked else 0.0


class Step(Protocol):
    """One stage of answering: reads and refines the query; an Answer ends the pipeline."""

    def __call__(self, q: Query) -> Answer | None: ...
