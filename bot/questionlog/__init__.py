"""The question log: what citizens asked, how the engine decided, and how they rated it.

`store` records (and owns the schema); `review` reads it back for staff (figures, grouped
unanswered questions); `staff` keeps what staff changed from Telegram (examples added, questions
marked); `report` is the `python -m bot report` command over it.
"""

from bot.questionlog.staff import Change, StaffChanges
from bot.questionlog.store import NONE_OF_THESE, NullQuestionLog, QuestionLog, QuestionLogError

__all__ = [
    "NONE_OF_THESE",
    "Change",
    "NullQuestionLog",
    "QuestionLog",
    "QuestionLogError",
    "StaffChanges",
]
