"""Is a group message addressed to the bot, and what is the question? Plus a per-user flood guard.

In groups the bot answers only when addressed: an @mention of its username (any case), a
text_mention of the bot user, or a reply to one of its own messages. The mention is removed
from the question before it reaches the engine.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable

from telegram import Message, MessageEntity

_MENTIONS = (MessageEntity.MENTION, MessageEntity.TEXT_MENTION)


def _mentions_of_bot(
    message: Message, bot_id: int, bot_username: str | None
) -> list[MessageEntity]:
    wanted = f"@{bot_username}".casefold() if bot_username else None

    def is_bot(entity: MessageEntity, text: str) -> bool:
        if entity.type == MessageEntity.TEXT_MENTION:
            return entity.user is not None and entity.user.id == bot_id
        return wanted is not None and text.casefold() == wanted

    return [e for e, text in message.parse_entities(list(_MENTIONS)).items() if is_bot(e, text)]


def is_reply_to_bot(message: Message, bot_id: int) -> bool:
    """True if `message` replies to one of the bot's messages (not a forum-topic header)."""
    replied = message.reply_to_message
    if replied is None or replied.forum_topic_created is not None:
        return False
    return replied.from_user is not None and replied.from_user.id == bot_id


def strip_entities(text: str, entities: Iterable[MessageEntity]) -> str:
    """`text` without the given entities (offsets are UTF-16 code units), whitespace tidied."""
    units = text.encode("utf-16-le")
    for entity in sorted(entities, key=lambda e: e.offset, reverse=True):
        start, end = entity.offset * 2, (entity.offset + entity.length) * 2
        units = units[:start] + " ".encode("utf-16-le") + units[end:]
    return " ".join(units.decode("utf-16-le", errors="replace").split())


def group_question(message: Message, bot_id: int, bot_username: str | None) -> str | None:
    """The question of a group message addressed to the bot, or None if it is not addressed.

    An addressed message with nothing left after removing the mention gives "".
    """
    if message.text is None:
        return None
    mentions = _mentions_of_bot(message, bot_id, bot_username)
    if not mentions and not is_reply_to_bot(message, bot_id):
        return None
    return strip_entities(message.text, mentions)


def command_argument(message: Message, bot_id: int, bot_username: str | None) -> str:
    """The text after a leading /command (e.g. `/ask@Bot question`), mentions of the bot removed."""
    text = message.text or ""
    entities = list(_mentions_of_bot(message, bot_id, bot_username))
    commands = [
        e for e in message.entities if e.type == MessageEntity.BOT_COMMAND and e.offset == 0
    ]
    return strip_entities(text, entities + commands[:1])


class FloodGuard:
    """At most `limit` questions per user per `window` seconds (sliding window).

    `check` returns "ok", "notice" (first refusal in a window: tell the user once) or "drop".
    """

    def __init__(
        self, limit: int = 5, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: dict[tuple[int, int], deque[float]] = {}
        self._noticed: dict[tuple[int, int], float] = {}

    def check(self, chat_id: int, user_id: int) -> str:
        """Count one question of `user_id` in `chat_id` and say whether to answer it."""
        now = self._clock()
        key = (chat_id, user_id)
        if len(self._hits) > 10_000:
            self._prune(now)
        hits = self._hits.setdefault(key, deque())
        while hits and now - hits[0] >= self.window:
            hits.popleft()
        if len(hits) < self.limit:
            hits.append(now)
            return "ok"
        if now - self._noticed.get(key, -self.window) >= self.window:
            self._noticed[key] = now
            return "notice"
        return "drop"

    def _prune(self, now: float) -> None:
        for key in [k for k, v in self._hits.items() if not v or now - v[-1] >= self.window]:
            del self._hits[key]
            self._noticed.pop(key, None)
