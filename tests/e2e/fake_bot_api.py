"""A local fake of the Telegram Bot API for end-to-end tests and the load benchmark.

It runs in-process (a standard-library HTTP server in a background thread) on 127.0.0.1 with an
ephemeral port. Point the bot at it with python-telegram-bot's base_url form
(`fake.base_url` == "http://127.0.0.1:PORT/bot"; requests go to f"{base_url}{token}/{method}").

The fake plays Telegram's side faithfully enough to catch the bugs that matter:
- it ENFORCES what Telegram enforces and answers with Telegram's error shapes and descriptions:
  the token (401), unknown methods (404), required parameters, message length after entity
  parsing, parse_mode HTML validity (allowed tags, balanced tags, entities), inline keyboard
  buttons (non-empty text, callback_data 1-64 bytes), replies to messages that exist in the chat,
  "message is not modified" on edits, answering a callback query once;
- it records every call and every message the bot sent, for assertions;
- it can play a flaky network (`fail_next`): answer 502 Bad Gateway or drop the connection
  without an answer, for the next N calls of a method;
- it lets the test play users in private chats and groups (`user_message`, `press_button`),
  computing `mention` / `bot_command` entities in UTF-16 code units as Telegram does;
- it serves updates by long polling (getUpdates with offset/limit/timeout semantics, 409 on a
  concurrent poll or while a webhook is set) or pushes them to a webhook set with setWebhook
  (with the X-Telegram-Bot-Api-Secret-Token header);
- every wait helper has a timeout, so a test never hangs.

Thread-safety: all state is guarded by one condition variable; test code may call the helpers
from any thread while the server threads answer the bot.
"""

from __future__ import annotations

import collections
import contextlib
import email.parser
import email.policy
import itertools
import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

T = TypeVar("T")

MAX_TEXT_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200

ALLOWED_UPDATES_DEFAULT = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
INLINE_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
COMMAND_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
# Telegram's auto-detected entities in incoming user messages.
MENTION_RE = re.compile(r"(?<![A-Za-z0-9_@])@[A-Za-z0-9_]{3,32}(?![A-Za-z0-9_])")
BOT_COMMAND_RE = re.compile(r"(?<![A-Za-z0-9_/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")


class ApiError(Exception):
    """An error answer of the Bot API: HTTP status == error_code, with a description."""

    def __init__(
        self, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


class DropConnection(Exception):
    """Raised by `FakeBotApi.handle` to close the connection without sending any answer."""


FAILURE_MODES = ("502", "drop")


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: the unit of Telegram's entity offsets and lengths."""
    return len(text.encode("utf-16-le")) // 2


# --------------------------------------------------------------------------------------------
# parse_mode HTML, as Telegram (tdlib's parse_html) reads it
# --------------------------------------------------------------------------------------------

HTML_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
TAG_NAME_RE = re.compile(r"[A-Za-z0-9-]*")
ATTR_NAME_RE = re.compile(r"[A-Za-z0-9_-]+")


class _HtmlParser:
    """A strict reader of Telegram's HTML: returns the plain text and its entities.

    Strictness about '&' follows the Bot API documentation ("All <, > and & symbols that are not
    a part of a tag or an HTML entity must be replaced with the corresponding HTML entities").
    """

    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.out: list[str] = []
        self.out16 = 0
        self.entities: list[dict[str, Any]] = []

    def byte_offset(self, index: int) -> int:
        return len(self.src[:index].encode("utf-8"))

    def fail(self, message: str) -> ApiError:
        return bad_request(f"can't parse entities: {message}")

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.out16 += utf16_len(text)

    def read_entity(self) -> str:
        m = ENTITY_RE.match(self.src, self.pos)
        if m is None:
            raise self.fail(
                "Character entity expected after '&' at byte offset "
                f"{self.byte_offset(self.pos)} (escape '&' as &amp;)"
            )
        self.pos = m.end()
        if m.group(1):
            return NAMED_ENTITIES[m.group(1)]
        code = int(m.group(2)) if m.group(2) else int(m.group(3), 16)
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise self.fail(
                f"Invalid character entity at byte offset {self.byte_offset(m.start())}"
            )
        return chr(code)

    def parse(self) -> tuple[str, list[dict[str, Any]]]:
        stack: list[tuple[str, dict[str, str], int, int]] = []  # tag, attrs, start16, src index
        src = self.src
        while self.pos < len(src):
            ch = src[self.pos]
            if ch == "&":
                self.emit(self.read_entity())
                continue
            if ch != "<":
                self.emit(ch)
                self.pos += 1
                continue
            tag_start = self.pos
            if src.startswith("</", self.pos):
                self.pos += 2
                name = TAG_NAME_RE.match(src, self.pos).group(0)  # type: ignore[union-attr]
                self.pos += len(name)
                while self.pos < len(src) and src[self.pos] in " \t\n\r":
                    self.pos += 1
                if self.pos >= len(src) or src[self.pos] != ">":
                    raise self.fail(
                        f"Unclosed end tag at byte offset {self.byte_offset(tag_start)}"
                    )
                self.pos += 1
                if not stack:
                    raise self.fail(
                        f"Unexpected end tag at byte offset {self.byte_offset(tag_start)}"
                    )
                open_tag, attrs, start16, _ = stack[-1]
                if name.lower() != open_tag:
                    raise self.fail(
                        f"Unmatched end tag at byte offset {self.byte_offset(tag_start)}, "
                        f'expected "</{open_tag}>", found "</{name}>"'
                    )
                stack.pop()
                self.close_entity(open_tag, attrs, start16)
                continue
            self.pos += 1
            name = TAG_NAME_RE.match(src, self.pos).group(0).lower()  # type: ignore[union-attr]
            if name not in HTML_TAG_ENTITY:
                raise self.fail(
                    f'Unsupported start tag "{name}" at byte offset {self.byte_offset(tag_start)}'
                )
            self.pos += len(name)
            attrs = self.read_attributes(tag_start)
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise self.fail('Tag "span" must have class "tg-spoiler"')
            if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
                raise self.fail('Custom emoji identifier expected in "tg-emoji" tag')
            stack.append((name, attrs, self.out16, tag_start))
        if stack:
            raise self.fail(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
        return "".join(self.out), self.entities

    def read_attributes(self, tag_start: int) -> dict[str, str]:
        src = self.src
        attrs: dict[str, str] = {}
        unclosed = self.fail(f"Unclosed start tag at byte offset {self.byte_offset(tag_start)}")
        while True:
            while self.pos < len(src) and src[self.pos] in " \t\n\r":
                self.pos += 1
            if self.pos >= len(src):
                raise unclosed
            if src[self.pos] == ">":
                self.pos += 1
                return attrs
            m = ATTR_NAME_RE.match(src, self.pos)
            if m is None:
                raise self.fail(
                    f"Empty attribute name in the tag at byte offset {self.byte_offset(tag_start)}"
                )
            attr = m.group(0).lower()
            self.pos = m.end()
            while self.pos < len(src) and src[self.pos] in " \t\n\r":
                self.pos += 1
            if self.pos >= len(src):
                raise unclosed
            if src[self.pos] != "=":
                attrs[attr] = ""
                continue
            self.pos += 1
            while self.pos < len(src) and src[self.pos] in " \t\n\r":
                self.pos += 1
            if self.pos >= len(src):
                raise unclosed
            quote = src[self.pos]
            value: list[str] = []
            if quote in "'\"":
                self.pos += 1
                while True:
                    if self.pos >= len(src):
                        raise unclosed
                    c = src[self.pos]
                    if c == quote:
                        self.pos += 1
                        break
                    if c == "&":
                        value.append(self.read_entity())
                    else:
                        value.append(c)
                        self.pos += 1
            else:
                while self.pos < len(src) and src[self.pos] not in " \t\n\r>":
                    if src[self.pos] == "&":
                        value.append(self.read_entity())
                    else:
                        value.append(src[self.pos])
                        self.pos += 1
            attrs[attr] = "".join(value)

    def close_entity(self, tag: str, attrs: dict[str, str], start16: int) -> None:
        length = self.out16 - start16
        kind = HTML_TAG_ENTITY[tag]
        if length <= 0:
            return
        entity: dict[str, Any] = {"type": kind, "offset": start16, "length": length}
        if tag == "a":
            href = attrs.get("href", "")
            if not href:
                return
            if href.startswith("tg://user?id="):
                entity = {
                    "type": "text_mention",
                    "offset": start16,
                    "length": length,
                    "user": {"id": int(href.split("=", 1)[1] or 0), "is_bot": False},
                }
            else:
                entity["url"] = href
        elif tag == "code" and attrs.get("class", "").startswith("language-"):
            entity["language"] = attrs["class"].removeprefix("language-")
        elif tag == "blockquote" and "expandable" in attrs:
            entity["type"] = "expandable_blockquote"
        elif tag == "tg-emoji":
            entity["custom_emoji_id"] = attrs["emoji-id"]
        self.entities.append(entity)


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Text and entities of a parse_mode=HTML message; ApiError(400) where Telegram refuses."""
    text, entities = _HtmlParser(source).parse()
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return text, entities


def _strip_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram trims white space around a message; entity offsets move with the text."""
    stripped = text.lstrip()
    shift = utf16_len(text) - utf16_len(stripped)
    stripped = stripped.rstrip()
    total = utf16_len(stripped)
    kept = []
    for e in entities:
        start = max(e["offset"] - shift, 0)
        end = min(e["offset"] - shift + e["length"], total)
        if end > start:
            kept.append({**e, "offset": start, "length": end - start})
    return stripped, kept


def auto_entities(text: str) -> list[dict[str, Any]]:
    """The entities Telegram's clients attach to a typed message: @mentions and /commands."""
    found: list[dict[str, Any]] = []
    for regex, kind in ((BOT_COMMAND_RE, "bot_command"), (MENTION_RE, "mention")):
        for m in regex.finditer(text):
            if kind == "mention" and m.start() > 0 and text[m.start() - 1] == "/":
                continue
            if kind == "mention" and any(
                e["type"] == "bot_command"
                and e["offset"] <= utf16_len(text[: m.start()]) < e["offset"] + e["length"]
                for e in found
            ):
                continue  # the @Bot part of /cmd@Bot is inside the command
            found.append(
                {
                    "type": kind,
                    "offset": utf16_len(text[: m.start()]),
                    "length": utf16_len(m.group(0)),
                }
            )
    found.sort(key=lambda e: e["offset"])
    return found


# --------------------------------------------------------------------------------------------
# the fake world: users, chats, messages, updates, calls
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class User:
    id: int
    first_name: str
    username: str | None = None
    is_bot: bool = False
    language_code: str | None = "zh-hans"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.username:
            d["username"] = self.username
        if self.language_code and not self.is_bot:
            d["language_code"] = self.language_code
        return d


@dataclass(frozen=True)
class Chat:
    id: int
    type: str  # "private" | "group" | "supergroup"
    title: str | None = None
    user: User | None = None  # the other side of a private chat

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == "private" and self.user is not None:
            d["first_name"] = self.user.first_name
            if self.user.username:
                d["username"] = self.user.username
        else:
            d["title"] = self.title or "group"
        return d


@dataclass
class Message:
    """A message in the fake world, sent by a user or by the bot."""

    message_id: int
    chat: Chat
    sender: User
    date: int
    text: str  # as users see it (entities parsed)
    entities: list[dict[str, Any]] = field(default_factory=list)
    reply_to: Message | None = None
    reply_markup: dict[str, Any] | None = None
    raw_text: str = ""  # the text parameter as the bot sent it (before entity parsing)
    parse_mode: str | None = None
    seq: int = 0  # position in the fake's event sequence (see FakeBotApi.mark)
    received_at: float = 0.0  # time.monotonic() when the fake accepted it
    update_id: int | None = None  # for user messages: the update that carried it
    edit_date: int | None = None
    history: list[dict[str, Any]] = field(default_factory=list)  # earlier versions (edits)
    deleted: bool = False

    @property
    def from_bot(self) -> bool:
        return self.sender.is_bot

    @property
    def reply_to_message_id(self) -> int | None:
        return self.reply_to.message_id if self.reply_to else None

    def buttons(self) -> list[dict[str, Any]]:
        """The inline keyboard buttons, row by row flattened."""
        if not self.reply_markup:
            return []
        return [b for row in self.reply_markup.get("inline_keyboard", []) for b in row]

    def callback_data(self) -> list[str]:
        return [b["callback_data"] for b in self.buttons() if "callback_data" in b]

    def to_dict(self, *, nested: bool = True) -> dict[str, Any]:
        d: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.sender.to_dict(),
            "chat": self.chat.to_dict(),
            "date": self.date,
            "text": self.text,
        }
        if self.entities:
            d["entities"] = [dict(e) for e in self.entities]
        if self.edit_date is not None:
            d["edit_date"] = self.edit_date
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            d["reply_markup"] = self.reply_markup
        if nested and self.reply_to is not None:
            d["reply_to_message"] = self.reply_to.to_dict(nested=False)
        return d

    def __repr__(self) -> str:
        who = "bot" if self.from_bot else self.sender.first_name
        return f"<Message #{self.message_id} chat={self.chat.id} {who}: {self.text[:60]!r}>"


@dataclass
class CallbackQuery:
    id: str
    user: User
    message: Message
    data: str
    seq: int
    update_id: int
    answered: bool = False
    answer: dict[str, Any] | None = None


@dataclass
class Update:
    update_id: int
    kind: str  # "message" | "callback_query" | ...
    payload: dict[str, Any]
    seq: int
    queued_at: float
    delivered_at: float | None = None  # first returned by getUpdates / POSTed to the webhook
    confirmed_at: float | None = None  # confirmed by a later offset / webhook answered 2xx

    def to_dict(self) -> dict[str, Any]:
        return {"update_id": self.update_id, self.kind: self.payload}


@dataclass
class Call:
    """One request the bot made."""

    seq: int
    method: str  # as requested (case kept)
    params: dict[str, Any]
    status: int = 0
    description: str | None = None
    result: Any = None
    started_at: float = 0.0
    finished_at: float = 0.0
    conflict: bool = False  # a long poll ended by a newer getUpdates (not the bot's error)
    injected: str | None = None  # failed on purpose (`fail_next`): "502" or "drop"

    @property
    def ok(self) -> bool:
        return self.status == 200

    def __repr__(self) -> str:
        brief = {
            k: (v if len(str(v)) < 80 else str(v)[:77] + "...") for k, v in self.params.items()
        }
        tail = "" if self.ok else f" -> {self.status} {self.description}"
        return f"<Call {self.method} {brief}{tail}>"


# --------------------------------------------------------------------------------------------
# the fake server
# --------------------------------------------------------------------------------------------


class FakeBotApi:
    """The fake Telegram Bot API. Use as a context manager, or call start() / stop()."""

    def __init__(
        self,
        token: str = "123456789:AAFakeTokenForTests_abcdefghijklmnopq",
        *,
        username: str = "HaizhuTestBot",
        first_name: str = "海珠区咨询",
        host: str = "127.0.0.1",
        flood_limit: int | None = None,
    ) -> None:
        """flood_limit: if set, more than this many sent messages within one second answer
        429 "Too Many Requests: retry after N" as Telegram does (off by default)."""
        self.token = token
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        self.bot_user = User(bot_id, first_name, username=username, is_bot=True)
        self.host = host
        self.flood_limit = flood_limit
        self._cond = threading.Condition(threading.RLock())
        self._seq = itertools.count(1)
        self._last_seq = 0
        self._message_ids = itertools.count(1001)  # one counter: ids never repeat across chats
        self._update_ids = itertools.count(500_001)
        self._user_ids = itertools.count(10_001)
        self._group_ids = itertools.count(1)
        self._callback_ids = itertools.count(77_000_001)
        self.chats: dict[int, Chat] = {}
        self.messages: dict[tuple[int, int], Message] = {}  # (chat id, message id) -> Message
        self.sent: list[Message] = []  # every message the bot sent, in order
        self.calls: list[Call] = []
        self.updates: list[Update] = []  # every update ever queued
        self._pending: list[Update] = []  # not yet confirmed
        self.callback_queries: dict[str, CallbackQuery] = {}
        self.chat_actions: list[tuple[int, str, float]] = []
        self.commands: dict[tuple[str, int | None, str], list[dict[str, str]]] = {}
        self.allowed_updates: frozenset[str] = ALLOWED_UPDATES_DEFAULT - {
            "chat_member",
            "message_reaction",
            "message_reaction_count",
        }
        self.webhook: dict[str, Any] | None = None
        self.webhook_deliveries: list[tuple[int, int | str]] = []  # (update_id, status or error)
        self._poll_generation = 0
        self._send_times: list[float] = []
        self._failures: dict[str, collections.deque[str]] = {}  # method (lower) -> modes
        self._stopping = False
        self._server: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self.port = 0

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeBotApi:
        fake = self

        class Handler(_Handler):
            api = fake

        server = _Server((self.host, 0), Handler)
        self._server = server
        self.port = server.server_address[1]
        serve = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="fake-bot-api", daemon=True
        )
        hook = threading.Thread(target=self._webhook_loop, name="fake-bot-api-webhook", daemon=True)
        self._threads = [serve, hook]
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for t in self._threads:
            t.join(timeout=5)

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """python-telegram-bot's base_url: requests go to f"{base_url}{token}/{method}"."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}{self.token}"

    # ---- the test plays users --------------------------------------------------------------

    def _next_seq(self) -> int:
        self._last_seq = next(self._seq)
        return self._last_seq

    def mark(self) -> int:
        """The current position in the event sequence; pass it as `since=` to wait helpers."""
        with self._cond:
            return self._last_seq

    def new_user(
        self,
        first_name: str = "市民",
        username: str | None = None,
        *,
        language_code: str = "zh-hans",
    ) -> User:
        with self._cond:
            return User(next(self._user_ids), first_name, username, language_code=language_code)

    def private_chat(self, user: User) -> Chat:
        with self._cond:
            chat = self.chats.get(user.id) or Chat(user.id, "private", user=user)
            self.chats[chat.id] = chat
            return chat

    def group(self, title: str = "海珠街坊群", *, supergroup: bool = True) -> Chat:
        with self._cond:
            n = next(self._group_ids)
            chat_id = -(1_000_000_000_000 + n) if supergroup else -(4_000_000 + n)
            chat = Chat(chat_id, "supergroup" if supergroup else "group", title=title)
            self.chats[chat.id] = chat
            return chat

    def user_message(
        self,
        chat: Chat,
        user: User,
        text: str,
        entities: list[dict[str, Any]] | None = None,
        reply_to: Message | None = None,
    ) -> Message:
        """A user types `text` in `chat` (optionally replying); queues the `message` update.

        Without `entities`, the @mentions and /commands in the text get entities (UTF-16 offsets)
        as a Telegram client would attach them. Returns the user's Message (.update_id, .seq)."""
        with self._cond:
            if chat.id not in self.chats:
                self.chats[chat.id] = chat
            if reply_to is not None and self.messages.get((chat.id, reply_to.message_id)) is None:
                raise ValueError(f"{reply_to!r} is not a message of chat {chat.id}")
            msg = Message(
                message_id=next(self._message_ids),
                chat=chat,
                sender=user,
                date=int(time.time()),
                text=text,
                entities=auto_entities(text) if entities is None else entities,
                reply_to=reply_to,
                raw_text=text,
            )
            self.messages[(chat.id, msg.message_id)] = msg
            upd = self._queue_update("message", msg.to_dict())
            msg.update_id = upd.update_id
            msg.seq = upd.seq
            msg.received_at = upd.queued_at
            return msg

    def press_button(self, message: Message, callback_data: str, user: User) -> CallbackQuery:
        """`user` presses the inline button carrying `callback_data` under the bot's `message`."""
        with self._cond:
            current = self.messages.get((message.chat.id, message.message_id))
            if current is None or current.deleted:
                raise ValueError(f"{message!r} does not exist (any more)")
            if callback_data not in current.callback_data():
                raise ValueError(
                    f"no button with callback_data {callback_data!r} under {current!r}; "
                    f"buttons: {current.buttons()}"
                )
            cq_id = str(next(self._callback_ids))
            payload = {
                "id": cq_id,
                "from": user.to_dict(),
                "message": current.to_dict(),
                "chat_instance": str(abs(current.chat.id) * 7 + 3),
                "data": callback_data,
            }
            upd = self._queue_update("callback_query", payload)
            cq = CallbackQuery(cq_id, user, current, callback_data, upd.seq, upd.update_id)
            self.callback_queries[cq_id] = cq
            return cq

    def atomically(self) -> threading.Condition:
        """`with fake.atomically():` queue several updates so the bot sees them in one poll."""
        return self._cond

    def queue_raw_update(self, kind: str, payload: dict[str, Any]) -> Update:
        with self._cond:
            return self._queue_update(kind, payload)

    def _queue_update(self, kind: str, payload: dict[str, Any]) -> Update:
        upd = Update(next(self._update_ids), kind, payload, self._next_seq(), time.monotonic())
        self.updates.append(upd)
        self._pending.append(upd)
        self._cond.notify_all()
        return upd

    # ---- what the bot did ------------------------------------------------------------------

    def fail_next(self, method: str, count: int = 1, *, how: str = "502") -> None:
        """The next `count` calls of `method` fail like a flaky network or an overloaded
        Telegram: how="502" answers 502 Bad Gateway, how="drop" closes the connection without
        answering. Calls keep their order: fail_next("sendMessage", 1, how="502") then
        fail_next("sendMessage", 1, how="drop") fails the next two sendMessage calls, in turn.
        The fake does not process a failed call (no message is sent)."""
        if how not in FAILURE_MODES:
            raise ValueError(f"how must be one of {FAILURE_MODES}, not {how!r}")
        with self._cond:
            self._failures.setdefault(method.lower(), collections.deque()).extend([how] * count)

    def clear_failures(self) -> None:
        """Forget the failures `fail_next` queued and not yet used."""
        with self._cond:
            self._failures.clear()

    def _injected_failure(self, method: str) -> str | None:
        with self._cond:
            queue = self._failures.get(method.lower())
            return queue.popleft() if queue else None

    @property
    def errors(self) -> list[Call]:
        """Every call the fake refused (4xx/5xx), except long polls ended by a newer poll and
        failures injected with `fail_next`."""
        with self._cond:
            return [
                c
                for c in self.calls
                if c.finished_at and not c.ok and not c.conflict and not c.injected
            ]

    @property
    def injected_failures(self) -> list[Call]:
        """The calls failed on purpose by `fail_next`, in order."""
        with self._cond:
            return [c for c in self.calls if c.injected]

    def calls_to(self, method: str, since: int = 0) -> list[Call]:
        with self._cond:
            m = method.lower()
            return [c for c in self.calls if c.method.lower() == m and c.seq > since]

    def bot_messages(self, chat_id: int | None = None, since: int = 0) -> list[Message]:
        with self._cond:
            return [
                m for m in self.sent if m.seq > since and (chat_id is None or m.chat.id == chat_id)
            ]

    def update(self, update_id: int) -> Update:
        with self._cond:
            return next(u for u in self.updates if u.update_id == update_id)

    # ---- waiting (never forever) -----------------------------------------------------------

    def wait_for(self, predicate: Callable[[], T], timeout: float = 10.0, what: str = "") -> T:
        """Wait until predicate() (called under the lock) is truthy; return its value."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                value = predicate()
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    recent = "\n  ".join(repr(c) for c in self.calls[-8:])
                    raise TimeoutError(
                        f"timed out after {timeout:.1f}s waiting for {what or predicate}; "
                        f"last calls:\n  {recent}"
                    )
                self._cond.wait(min(left, 0.5))

    def wait_bot_messages(
        self, count: int = 1, *, chat_id: int | None = None, since: int = 0, timeout: float = 10.0
    ) -> list[Message]:
        """The first `count` messages the bot sent (to `chat_id`) after mark `since`."""

        def enough() -> list[Message] | None:
            found = self.bot_messages(chat_id, since)
            return found[:count] if len(found) >= count else None

        return self.wait_for(enough, timeout, f"{count} bot message(s) in chat {chat_id}")

    def wait_reply(self, msg: Message, timeout: float = 10.0) -> Message:
        """The first message the bot sent in msg's chat after the user's message was queued."""
        return self.wait_bot_messages(1, chat_id=msg.chat.id, since=msg.seq, timeout=timeout)[0]

    def wait_callback_answered(self, cq: CallbackQuery, timeout: float = 10.0) -> dict[str, Any]:
        def answered() -> dict[str, Any] | None:
            q = self.callback_queries[cq.id]
            return (q.answer or {"answered": True}) if q.answered else None

        return self.wait_for(answered, timeout, f"answerCallbackQuery({cq.id})")

    def wait_call(self, method: str, *, since: int = 0, timeout: float = 10.0) -> Call:
        def found() -> Call | None:
            done = [c for c in self.calls_to(method, since) if c.finished_at]
            return done[0] if done else None

        return self.wait_for(found, timeout, f"a {method} call")

    def wait_confirmed(self, update_id: int, timeout: float = 10.0) -> Update:
        """Until the bot has confirmed the update (a later getUpdates offset / webhook 2xx)."""

        def confirmed() -> Update | None:
            u = self.update(update_id)
            return u if u.confirmed_at is not None else None

        return self.wait_for(confirmed, timeout, f"update {update_id} confirmed")

    def wait_polling(self, timeout: float = 10.0) -> Call:
        """Until the bot is waiting in a long poll (it has started and is ready for updates)."""

        def polling() -> Call | None:
            polls = [c for c in self.calls_to("getUpdates") if not c.finished_at]
            return polls[-1] if polls else None

        return self.wait_for(polling, timeout, "the bot to long-poll getUpdates")

    def assert_silent(self, chat_id: int, since: int, *, window: float = 0.5) -> None:
        """No bot message in chat_id after `since`, now and for `window` seconds."""
        deadline = time.monotonic() + window
        with self._cond:
            while True:
                extra = self.bot_messages(chat_id, since)
                if extra:
                    raise AssertionError(f"the bot spoke in chat {chat_id}: {extra}")
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self._cond.wait(left)

    # ---- HTTP side -------------------------------------------------------------------------

    def handle(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Answer one API request: (HTTP status, JSON body); raises DropConnection for a
        failure injected with how="drop"."""
        with self._cond:
            call = Call(self._next_seq(), method, params, started_at=time.monotonic())
            self.calls.append(call)
            self._cond.notify_all()
        failure = self._injected_failure(method) if token == self.token else None
        if failure == "drop":
            with self._cond:
                call.injected, call.description = failure, "connection dropped (injected)"
                call.finished_at = time.monotonic()
                self._cond.notify_all()
            raise DropConnection
        try:
            if failure == "502":
                call.injected = failure
                raise ApiError(502, "Bad Gateway")
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            impl = self._methods().get(method.lower())
            if impl is None:
                raise ApiError(404, "Not Found: method not found")
            result = impl(params, call)
            status, body = 200, {"ok": True, "result": result}
            call.result = result
        except ApiError as err:
            status = err.code
            body = {"ok": False, "error_code": err.code, "description": err.description}
            if err.parameters:
                body["parameters"] = err.parameters
            call.description = err.description
        except Exception as err:  # a bug in the fake itself must surface, not hang the bot
            status = 500
            body = {"ok": False, "error_code": 500, "description": f"Internal fake error: {err!r}"}
            call.description = body["description"]
        with self._cond:
            call.status = status
            call.finished_at = time.monotonic()
            self._cond.notify_all()
        return status, body

    def _methods(self) -> dict[str, Callable[[dict[str, Any], Call], Any]]:
        return {
            "getme": self._get_me,
            "logout": lambda p, c: True,
            "close": lambda p, c: True,
            "getupdates": self._get_updates,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "answercallbackquery": self._answer_callback_query,
            "sendchataction": self._send_chat_action,
            "setmycommands": self._set_my_commands,
            "deletemycommands": self._delete_my_commands,
            "getmycommands": self._get_my_commands,
            "setmydescription": self._set_bot_text("description", 512),
            "setmyshortdescription": self._set_bot_text("short_description", 120),
            "setmyname": self._set_bot_text("name", 64),
            "setchatmenubutton": lambda p, c: True,
            "getchatmenubutton": lambda p, c: {"type": "commands"},
            "getchat": self._get_chat,
        }

    # ---- methods ---------------------------------------------------------------------------

    def _get_me(self, params: dict[str, Any], call: Call) -> dict[str, Any]:
        return {
            **self.bot_user.to_dict(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,  # privacy mode on, as set by default
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _get_updates(self, params: dict[str, Any], call: Call) -> list[dict[str, Any]]:
        offset = _int_param(params, "offset", 0)
        limit = _int_param(params, "limit", 100)
        timeout = float(_int_param(params, "timeout", 0))
        if not 1 <= limit <= 100:
            limit = 100
        allowed = _json_param(params, "allowed_updates")
        with self._cond:
            if self.webhook is not None:
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            self._poll_generation += 1
            generation = self._poll_generation
            if isinstance(allowed, list) and allowed:
                self.allowed_updates = frozenset(str(a) for a in allowed)
            deadline = time.monotonic() + timeout
            while True:
                now = time.monotonic()
                if offset > 0 or offset < 0:
                    self._confirm(offset, now)
                if self._pending:
                    # updates of kinds the bot did not ask for are dropped, as Telegram does
                    ready = []
                    for u in list(self._pending):
                        if u.kind not in self.allowed_updates:
                            self._pending.remove(u)
                            u.confirmed_at = now
                        else:
                            ready.append(u)
                    if ready:
                        batch = ready[:limit]
                        for u in batch:
                            if u.delivered_at is None:
                                u.delivered_at = now
                        return [u.to_dict() for u in batch]
                if self._stopping or now >= deadline:
                    return []
                if self._poll_generation != generation:
                    call.conflict = True
                    raise ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; make sure that only "
                        "one bot instance is running",
                    )
                self._cond.wait(min(deadline - now, 0.5))

    def _confirm(self, offset: int, now: float) -> None:
        if offset > 0:
            keep = [u for u in self._pending if u.update_id >= offset]
        else:
            keep = self._pending[offset:]
        for u in self._pending:
            if u not in keep:
                u.confirmed_at = now
        if len(keep) != len(self._pending):
            self._pending = keep
            self._cond.notify_all()

    def _set_webhook(self, params: dict[str, Any], call: Call) -> bool:
        url = str(params.get("url", "") or "")
        if not url:
            return self._delete_webhook(params, call)
        parts = urlsplit(url)
        # A local Bot API server (the deployment this fake stands for) accepts http URLs.
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise bad_request("bad webhook: Failed to resolve host: Name or service not known")
        secret = params.get("secret_token")
        if secret is not None and not SECRET_TOKEN_RE.match(str(secret)):
            raise bad_request("secret token contains unallowed characters")
        allowed = _json_param(params, "allowed_updates")
        with self._cond:
            if _bool_param(params, "drop_pending_updates"):
                self._drop_pending()
            if isinstance(allowed, list) and allowed:
                self.allowed_updates = frozenset(allowed)
            self.webhook = {"url": url, "secret_token": secret, "last_error_message": None}
            self._poll_generation += 1  # a waiting long poll ends
            self._cond.notify_all()
        return True

    def _delete_webhook(self, params: dict[str, Any], call: Call) -> bool:
        with self._cond:
            if _bool_param(params, "drop_pending_updates"):
                self._drop_pending()
            self.webhook = None
            self._cond.notify_all()
        return True

    def _drop_pending(self) -> None:
        now = time.monotonic()
        for u in self._pending:
            u.confirmed_at = now
        self._pending = []

    def _get_webhook_info(self, params: dict[str, Any], call: Call) -> dict[str, Any]:
        with self._cond:
            info: dict[str, Any] = {
                "url": self.webhook["url"] if self.webhook else "",
                "has_custom_certificate": False,
                "pending_update_count": len(self._pending),
            }
            if self.webhook and self.webhook.get("last_error_message"):
                info["last_error_date"] = int(time.time())
                info["last_error_message"] = self.webhook["last_error_message"]
            return info

    def _chat(self, params: dict[str, Any]) -> Chat:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        try:
            chat_id = int(raw)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None
        chat = self.chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _text(self, params: dict[str, Any], key: str = "text") -> tuple[str, list[dict[str, Any]]]:
        raw = params.get(key)
        raw = "" if raw is None else str(raw)
        parse_mode = str(params.get("parse_mode") or "")
        if parse_mode.lower() == "html":
            text, entities = parse_html(raw)
        elif parse_mode == "":
            text = raw
            entities = _json_param(params, "entities") or []
            if not isinstance(entities, list):
                raise bad_request("can't parse entities JSON object")
            total = utf16_len(raw)
            for e in entities:
                if not isinstance(e, dict) or "type" not in e:
                    raise bad_request("can't parse MessageEntity JSON object")
                if e.get("offset", -1) < 0 or e["offset"] + e.get("length", 0) > total:
                    raise bad_request("can't parse entities: entity beyond the end of the text")
        elif parse_mode in ("Markdown", "MarkdownV2"):
            raise bad_request(
                f"parse_mode {parse_mode} is not implemented by the fake Bot API; extend it"
            )
        else:
            raise bad_request(f"unsupported parse_mode {parse_mode}")
        text, entities = _strip_text(text, entities)
        if not text:
            raise bad_request("message text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise bad_request("message is too long")
        return text, entities

    def _reply_markup(self, params: dict[str, Any]) -> dict[str, Any] | None:
        if params.get("reply_markup") in (None, ""):
            return None
        try:
            markup = _json_param(params, "reply_markup")
        except ValueError:
            raise bad_request("can't parse reply keyboard markup JSON object") from None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list):
                raise bad_request(
                    'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array'
                )
            count = 0
            for row in rows:
                if not isinstance(row, list):
                    raise bad_request(
                        'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array '
                        "of Arrays"
                    )
                for button in row:
                    count += 1
                    _check_inline_button(button)
            if count > 100:
                raise bad_request("REPLY_MARKUP_TOO_LONG")
        elif "keyboard" in markup:
            for row in markup["keyboard"]:
                for button in row:
                    text = button if isinstance(button, str) else button.get("text", "")
                    if not text:
                        raise bad_request("can't parse keyboard button: Text must be non-empty")
        elif not ({"remove_keyboard", "force_reply"} & markup.keys()):
            raise bad_request('can\'t find field "inline_keyboard"')
        return markup

    def _reply_to(self, params: dict[str, Any], chat: Chat) -> Message | None:
        reply = _json_param(params, "reply_parameters")
        if reply in (None, ""):
            message_id = params.get("reply_to_message_id")
            if message_id in (None, "", 0, "0"):
                return None
            reply = {
                "message_id": message_id,
                "allow_sending_without_reply": _bool_param(params, "allow_sending_without_reply"),
            }
        if not isinstance(reply, dict) or "message_id" not in reply:
            raise bad_request("can't parse reply parameters JSON object")
        target_chat = chat
        if reply.get("chat_id") not in (None, ""):
            target_chat = self._chat({"chat_id": reply["chat_id"]})
        target = self.messages.get((target_chat.id, int(reply["message_id"])))
        if target is None or target.deleted:
            if reply.get("allow_sending_without_reply") in (True, "true", "True"):
                return None
            raise bad_request("message to be replied not found")
        quote = reply.get("quote")
        if quote and str(quote) not in target.text:
            raise bad_request("QUOTE_TEXT_INVALID")
        return target

    def _flood_check(self) -> None:
        if self.flood_limit is None:
            return
        now = time.monotonic()
        self._send_times = [t for t in self._send_times if now - t < 1.0]
        if len(self._send_times) >= self.flood_limit:
            raise ApiError(429, "Too Many Requests: retry after 1", parameters={"retry_after": 1})
        self._send_times.append(now)

    def _send_message(self, params: dict[str, Any], call: Call) -> dict[str, Any]:
        with self._cond:
            chat = self._chat(params)
            text, entities = self._text(params)
            markup = self._reply_markup(params)
            reply_to = self._reply_to(params, chat)
            self._flood_check()
            msg = Message(
                message_id=next(self._message_ids),
                chat=chat,
                sender=self.bot_user,
                date=int(time.time()),
                text=text,
                entities=entities,
                reply_to=reply_to,
                reply_markup=markup,
                raw_text=str(params.get("text")),
                parse_mode=params.get("parse_mode"),
                seq=self._next_seq(),
                received_at=call.started_at,
            )
            self.messages[(chat.id, msg.message_id)] = msg
            self.sent.append(msg)
            self._cond.notify_all()
            return msg.to_dict()

    def _bot_message(self, params: dict[str, Any]) -> Message:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self._chat(params)
        raw_id = params.get("message_id")
        if raw_id in (None, ""):
            raise bad_request("message identifier is not specified")
        msg = self.messages.get((chat.id, int(raw_id)))
        if msg is None or msg.deleted:
            raise bad_request("message to edit not found")
        if not msg.from_bot:
            raise bad_request("message can't be edited")
        return msg

    def _edit_message_text(self, params: dict[str, Any], call: Call) -> dict[str, Any]:
        with self._cond:
            msg = self._bot_message(params)
            text, entities = self._text(params)
            markup = self._reply_markup(params)
            if text == msg.text and entities == msg.entities and markup == msg.reply_markup:
                raise bad_request(
                    "message is not modified: specified new message content and reply markup "
                    "are exactly the same as a current content and reply markup of the message"
                )
            msg.history.append(
                {"text": msg.text, "entities": msg.entities, "reply_markup": msg.reply_markup}
            )
            msg.text, msg.entities, msg.reply_markup = text, entities, markup
            msg.raw_text = str(params.get("text"))
            msg.edit_date = int(time.time())
            self._next_seq()
            self._cond.notify_all()
            return msg.to_dict()

    def _edit_message_reply_markup(self, params: dict[str, Any], call: Call) -> dict[str, Any]:
        with self._cond:
            msg = self._bot_message(params)
            markup = self._reply_markup(params)
            if markup == msg.reply_markup or (not markup and not msg.reply_markup):
                raise bad_request(
                    "message is not modified: specified new message content and reply markup "
                    "are exactly the same as a current content and reply markup of the message"
                )
            msg.history.append(
                {"text": msg.text, "entities": msg.entities, "reply_markup": msg.reply_markup}
            )
            msg.reply_markup = markup
            msg.edit_date = int(time.time())
            self._next_seq()
            self._cond.notify_all()
            return msg.to_dict()

    def _delete_message(self, params: dict[str, Any], call: Call) -> bool:
        with self._cond:
            chat = self._chat(params)
            msg = self.messages.get((chat.id, _int_param(params, "message_id", 0)))
            if msg is None or msg.deleted:
                raise bad_request("message to delete not found")
            if not msg.from_bot and chat.type == "private":
                raise bad_request("message can't be deleted for everyone")
            msg.deleted = True
            self._cond.notify_all()
            return True

    def _answer_callback_query(self, params: dict[str, Any], call: Call) -> bool:
        with self._cond:
            cq = self.callback_queries.get(str(params.get("callback_query_id", "")))
            if cq is None or cq.answered:
                raise bad_request(
                    "query is too old and response timeout expired or query ID is invalid"
                )
            text = str(params.get("text") or "")
            if len(text) > MAX_CALLBACK_ANSWER_LENGTH:
                raise bad_request("MESSAGE_TOO_LONG")
            cq.answered = True
            cq.answer = {k: v for k, v in params.items() if k != "callback_query_id"}
            self._cond.notify_all()
            return True

    def _send_chat_action(self, params: dict[str, Any], call: Call) -> bool:
        with self._cond:
            chat = self._chat(params)
            action = str(params.get("action") or "")
            if action not in CHAT_ACTIONS:
                raise bad_request("wrong parameter action in request")
            self.chat_actions.append((chat.id, action, time.monotonic()))
            self._cond.notify_all()
            return True

    def _command_key(self, params: dict[str, Any]) -> tuple[str, int | None, str]:
        scope = _json_param(params, "scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in COMMAND_SCOPES:
            raise bad_request("can't parse BotCommandScope JSON object")
        lang = str(params.get("language_code") or "")
        if lang and not re.fullmatch(r"[a-z]{2}", lang):
            raise bad_request("invalid language code specified")
        chat_id = scope.get("chat_id")
        if scope["type"].startswith("chat"):
            with self._cond:
                chat_id = self._chat({"chat_id": chat_id}).id  # "chat not found" as Telegram
        return scope["type"], int(chat_id) if chat_id is not None else None, lang

    def _set_my_commands(self, params: dict[str, Any], call: Call) -> bool:
        try:
            commands = _json_param(params, "commands")
        except ValueError:
            raise bad_request("can't parse commands JSON object") from None
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands")
        for c in commands:
            if not isinstance(c, dict):
                raise bad_request("can't parse BotCommand JSON object")
            if not COMMAND_RE.match(str(c.get("command", "")).removeprefix("/")):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(c.get("description", "")).strip()) <= 256:
                raise bad_request("command description is empty")
        key = self._command_key(params)
        with self._cond:
            self.commands[key] = commands
        return True

    def _delete_my_commands(self, params: dict[str, Any], call: Call) -> bool:
        key = self._command_key(params)
        with self._cond:
            self.commands.pop(key, None)
        return True

    def _get_my_commands(self, params: dict[str, Any], call: Call) -> list[dict[str, str]]:
        key = self._command_key(params)
        with self._cond:
            return self.commands.get(key, [])

    def _set_bot_text(self, name: str, limit: int) -> Callable[[dict[str, Any], Call], bool]:
        def impl(params: dict[str, Any], call: Call) -> bool:
            if len(str(params.get(name) or "")) > limit:
                raise bad_request(f"{name.upper()}_INVALID")
            return True

        return impl

    def _get_chat(self, params: dict[str, Any], call: Call) -> dict[str, Any]:
        with self._cond:
            chat = self._chat(params)
            return {**chat.to_dict(), "accent_color_id": 0, "max_reaction_count": 11}

    # ---- webhook delivery ------------------------------------------------------------------

    def _webhook_loop(self) -> None:
        while True:
            with self._cond:
                while not self._stopping and not (self.webhook and self._pending):
                    self._cond.wait(0.5)
                if self._stopping:
                    return
                hook = dict(self.webhook or {})
                upd = self._pending[0]
            status: int | str
            try:
                status = self._post_update(hook, upd)
            except OSError as err:
                status = f"{type(err).__name__}: {err}"
            with self._cond:
                self.webhook_deliveries.append((upd.update_id, status))
                if upd.delivered_at is None:
                    upd.delivered_at = time.monotonic()
                if isinstance(status, int) and 200 <= status < 300:
                    if upd in self._pending:
                        self._pending.remove(upd)
                    upd.confirmed_at = time.monotonic()
                    self._cond.notify_all()
                    continue
                if self.webhook is not None:
                    self.webhook["last_error_message"] = str(status)
                self._cond.wait(0.2)  # Telegram retries later

    @staticmethod
    def _post_update(hook: dict[str, Any], upd: Update) -> int:
        headers = {"Content-Type": "application/json"}
        if hook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = str(hook["secret_token"])
        req = urllib.request.Request(
            hook["url"], data=json.dumps(upd.to_dict()).encode(), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return int(resp.status)
        except urllib.error.HTTPError as err:
            return int(err.code)


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    if not str(button.get("text", "")).strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [a for a in INLINE_BUTTON_ACTIONS if a in button]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = str(button["url"])
        if not re.match(r"^(https?|tg)://\S+$", url):
            raise bad_request("BUTTON_URL_INVALID")


def _json_param(params: dict[str, Any], key: str) -> Any:
    """A structured parameter: JSON-encoded in a form field, or already decoded in a JSON body."""
    value = params.get(key)
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        try:
            return json.loads(value)
        except json.JSONDecodeError as err:
            raise ValueError(f"{key} is not valid JSON") from err
    return value


def _int_param(params: dict[str, Any], key: str, default: int) -> int:
    value = params.get(key)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"wrong parameter {key}") from None


def _bool_param(params: dict[str, Any], key: str) -> bool:
    return params.get(key) in (True, "true", "True", "1", 1)


class _Server(ThreadingHTTPServer):
    # Telegram does not reset connections under load: a deep accept queue, so that a burst of
    # new connections (the bot's pool opening 64 at once) is not dropped by the kernel.
    request_queue_size = 1024
    daemon_threads = True
    block_on_close = False


class _Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive handler: /bot<token>/<method>, query string + body parameters."""

    api: FakeBotApi
    protocol_version = "HTTP/1.1"
    server_version = "FakeBotAPI/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        try:
            parts = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            m = re.fullmatch(r"/bot([^/]*)/([A-Za-z]+)", parts.path)
            if m is None:
                self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                return
            try:
                params = dict(parse_qsl(parts.query, keep_blank_values=True))
                params.update(_parse_body(self.headers.get("Content-Type", ""), body))
            except ValueError as err:
                self._reply(
                    400, {"ok": False, "error_code": 400, "description": f"Bad Request: {err}"}
                )
                return
            status, payload = self.api.handle(m.group(1), m.group(2), params)
            self._reply(status, payload)
        except DropConnection:  # no status line at all: the client sees the connection close
            self.close_connection = True
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _reply(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(data)


def _parse_body(content_type: str, body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    ctype = content_type.split(";", 1)[0].strip().lower()
    if ctype == "application/json":
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ValueError("can't parse JSON body") from err
        if not isinstance(data, dict):
            raise ValueError("JSON body must be an object")
        return data
    if ctype == "multipart/form-data":
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
        )
        out: dict[str, Any] = {}
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name:
                payload = part.get_payload(decode=True) or b""
                out[str(name)] = payload.decode("utf-8", "replace")
        return out
    return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))


def describe(messages: Iterable[Message]) -> str:
    """A readable dump of messages for assertion messages."""
    return "\n".join(f"  #{m.message_id} -> {m.chat.id}: {m.text!r}" for m in messages)
