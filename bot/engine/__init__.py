"""The answer engine: a question in, an `Answer` out.

The path of a question, one module per stage: normalize -> rank (match) -> decide -> guards ->
render, run in order by `pipeline`; `engine` builds them once from loaded content. This package
imports nothing from Telegram or the question log; what they use is exported here.
"""

from bot.content import ContentError, Problem
from bot.engine.answer import Answer, Candidate, Lang, Related, Script
from bot.engine.clock import Clock, china_today, clock_for, fixed
from bot.engine.context import Context
from bot.engine.engine import Engine
from bot.engine.examples import AddedExample

__all__ = [
    "AddedExample",
    "Answer",
    "Candidate",
    "Clock",
    "ContentError",
    "Context",
    "Engine",
    "Lang",
    "Problem",
    "Related",
    "Script",
    "china_today",
    "clock_for",
    "fixed",
]
