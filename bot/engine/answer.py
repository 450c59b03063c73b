"""The engine's output: what was decided for one question, as plain data.

The engine returns an `Answer`; the console and the Telegram layer only present it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Decision = Literal["answer", "clarify", "fallback"]
Lang = Literal["zh", "en"]
Script = Literal["simplified", "traditional"]

GENERAL_TOPIC = "general"  # help, the source: questions about the bot itself
CHAT_TOPIC = "chat"  # greeting, thanks, ok, bye: replies said to the bot, asking nothing
ABOUT_BOT = frozenset({GENERAL_TOPIC, CHAT_TOPIC})  # no topic of the report
GLOSSARY_TOPIC = "glossary"  # what the report's own terms mean (its 名词解释)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One intent the question may have meant, with its 0-100 score."""

    intent: str
    title: str
    score: float


@dataclass(frozen=True, slots=True)
class Related:
    """A follow-up question offered under an answer (a button in Telegram)."""

    intent: str
    title: str


@dataclass(frozen=True, slots=True)
class Answer:
    """The engine's reply to one question.

    `text` is plain text (no markup), already in the asker's language and script.
    `intent` is set only when `decision == "answer"`. `reason` says why a fallback
    happened ("low_score", "other_place", "personal", "empty", "too_long").
    """

    question: str
    decision: Decision
    text: str
    lang: Lang
    script: Script
    intent: str | None = None
    score: float = 0.0
    candidates: tuple[Candidate, ...] = ()
    related: tuple[Related, ...] = ()
    normalized: str = ""
    reason: str | None = None
    sources: tuple[str, ...] = field(default=())
    # what the conversation remembers (bot.engine.context): the question as understood (a
    # follow-up joined to what it followed), every intent answered, the years asked
    understood: str = ""
    intents: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    followed: bool = False  # read against the conversation's last answer
    # a topic of the report, which the conversation follows (not a greeting, thanks, goodbye)
    topical: bool = True

    def to_json(self) -> dict[str, object]:
        """The stable JSON shape of `python -m bot ask --json`."""
        return {
            "question": self.question,
            "decision": self.decision,
            "intent": self.intent if self.decision == "answer" else None,
            "score": round(self.score, 2),
            "candidates": [
                {"intent": c.intent, "title": c.title, "score": round(c.score, 2)}
                for c in self.candidates
            ],
            "lang": self.lang,
            "script": self.script,
            "answer": self.text,
            "reason": self.reason,
        }
