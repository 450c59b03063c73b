"""A place of Haizhu named only as where the asker means (南武中学附近托位有多少): the report
has the district's figures, not the place's, and the answer says so before giving them."""

from __future__ import annotations

from bot.engine import messages
from bot.engine.answer import Answer
from bot.engine.query import Query


def whole_district(q: Query) -> Answer | None:
    """Puts the line after the time note's, when the question is answered."""
    if q.norm.near and q.decision.kind == "answer":
        separator = "、" if q.lang == "zh" else ", "
        line = messages.WHOLE_DISTRICT[q.lang].format(places=separator.join(q.norm.near))
        q.note = f"{q.note}{line}\n"
    return None
