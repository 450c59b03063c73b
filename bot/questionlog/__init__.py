"""The question log: what citizens asked, how the engine decided, and how they rated it.

`store` records (and owns the schema); `review` reads it back for staff (figures, grouped
unanswered questions); `staff` keeps what staff changed from Telegram (examples added, questions
marked); `report` is the `python -m bot report` command over it. `backend` is where it lives: a
SQLite file by default, PostgreSQL when BOT_DB is a postgresql:// URL (`open_log`,
`open_staff` choose from the value).
"""

from bot.questionlog.backend import Database, QuestionLogError, Unavailable, is_postgres_url
from bot.questionlog.staff import Change, StaffChanges, open_staff
from bot.questionlog.store import NONE_OF_THESE, NullQuestionLog, QuestionLog, open_log

__all__ = [
    "NONE_OF_THESE",
    "Change",
    "Database",
    "NullQuestionLog",
    "QuestionLog",
    "QuestionLogError",
    "StaffChanges",
    "Unavailable",
    "is_postgres_url",
    "open_log",
    "open_staff",
]
