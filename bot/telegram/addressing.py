"""Is a group message addressed to the bot, and what is the question? Plus the guards that keep
one chat or one user from tying the bot up: a per-user flood guard and a per-chat backlog.

In groups the bot answers only when addressed: an @mention of its username (any case), a
text_mention of the bot user, or a reply to one of its own messages. The mention is removed
from the question before it reaches the engine. A photo or document caption counts like text.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from telegram import Message, MessageEntity

_MENTIONS = (MessageEntity.MENTION, MessageEntity.TEXT_MENTION)


def message_text(message: Message) -> str | None:
    """The text of a message, or the caption of a photo/document/...; None when it has neither."""
    return message.text if message.text is not None else message.caption


def _mentions_of_bot(
    message: Message, bot_id: int, bot_username: str | None
) -> list[MessageEntity]:
    wanted = f"@{bot_username}".casefold() if bot_username else None

    def is_bot(entity: MessageEntity, text: str) -> bool:
        if entity.type == MessageEntity.TEXT_MENTION:
            return entity.user is not None and entity.user.id == bot_id
        return wanted is not None and text.casefold() == wanted

    if message.text is not None:
        found = message.parse_entities(list(_MENTIONS))
    else:
        found = message.parse_caption_entities(list(_MENTIONS))
    return [e for e, text in found.items() if is_bot(e, text)]


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

    The question is the text, or the caption of a photo or document. An addressed message with
    nothing left after removing the mention gives "".
    """
    text = message_text(message)
    if text is None:
        return None
    mentions = _mentions_of_bot(message, bot_id, bot_username)
    if not mentions and not is_reply_to_bot(message, bot_id):
        return None
    return strip_entities(text, mentions)


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


# Replies a chat may have waiting at once (see ChatBacklog). A group gets 5 messages per 15 s
# (telegram_app.GROUP_RATE/GROUP_PERIOD), so 4 waiting replies go out within about 15 s; a
# private chat gets about 1 message/s after a short burst (telegram_app.PRIVATE_RATE/_BURST).
GROUP_BACKLOG = 4
PRIVATE_BACKLOG = 6


class ChatBacklog:
    """How many updates of each chat are being handled right now (admitted, reply not yet sent).

    A handler waits for its chat's send allowance while it holds one of the Application's
    concurrent-update slots; capping each chat's backlog caps the slots one busy group or one
    fast private user can hold, so everybody else keeps being answered. `enter` refuses an
    update of a chat whose backlog is full (the handler then drops it, or answers a button
    with a short "please wait"); every successful `enter` must be paired with a `leave`
    (use `slot`).
    """

    def __init__(self, group_limit: int = GROUP_BACKLOG, private_limit: int = PRIVATE_BACKLOG):
        self.group_limit, self.private_limit = group_limit, private_limit
        self._pending: dict[int, int] = {}

    def pending(self, chat_id: int) -> int:
        """Updates of `chat_id` being handled now."""
        return self._pending.get(chat_id, 0)

    def enter(self, chat_id: int, *, group: bool) -> bool:
        """Admit one more update of `chat_id` unless its backlog is full."""
        limit = self.group_limit if group else self.private_limit
        pending = self._pending.get(chat_id, 0)
        if pending >= limit:
            return False
        self._pending[chat_id] = pending + 1
        return True

    def leave(self, chat_id: int) -> None:
        """An admitted update of `chat_id` is done."""
        pending = self._pending.get(chat_id, 0) - 1
        if pending > 0:
            self._pending[chat_id] = pending
        else:  # idle chats take no memory
            self._pending.pop(chat_id, None)

    @contextmanager
    def slot(self, chat_id: int, *, group: bool) -> Iterator[bool]:
        """`with backlog.slot(chat, group=...) as admitted:` enter, and leave at the end."""
        admitted = self.enter(chat_id, group=group)
        try:
            yield admitted
        finally:
            if admitted:
                self.leave(chat_id)
