"""Offline Bot API stand-in and Update builders for the Telegram layer tests.

`RecordingRequest` replaces the HTTP client: it answers getMe and the few methods the bot uses
with canned JSON, records every call, checks what Telegram would check (HTML entities, text
length, callback_data size) and fails the test on any other API method. `fail_next` makes the
next calls of a method fail (an HTTP error status, or an exception such as TimedOut).
"""

from __future__ import annotations

import collections
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import pytest
from telegram.request import BaseRequest, RequestData

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_test"
BOT_ID = 123456789
BOT_USERNAME = "HaizhuInquiryBot"
ADMIN_ID = 4242
USER_ID = 1001
GROUP_ID = -1001234567890

BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "海珠问答", "username": BOT_USERNAME}
_ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre"}
_ALLOWED_TAGS |= {"blockquote", "tg-spoiler", "span", "tg-emoji"}
_BAD_AMP = re.compile(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")
_TAG = re.compile(r"</?([a-zA-Z-]+)[^<>]*>")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def check_html(text: str) -> None:
    """Fail like Telegram's "can't parse entities" on stray < or & and unknown tags."""
    for match in _TAG.finditer(text):
        assert match.group(1).lower() in _ALLOWED_TAGS, f"tag not allowed: {match.group(0)}"
    assert "<" not in _TAG.sub("", text), f"unescaped '<' in {text!r}"
    assert ">" not in _TAG.sub("", text), f"unescaped '>' in {text!r}"
    assert not _BAD_AMP.search(text), f"unescaped '&' in {text!r}"
    plain = _TAG.sub("", text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert 1 <= utf16_len(plain) <= 4096, f"text length {utf16_len(plain)}"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    status: int | str = 200  # HTTP status, or the name of the exception raised instead
    at: float = field(default_factory=time.monotonic)  # when the request arrived (loop clock)

    @property
    def ok(self) -> bool:
        return self.status == 200


Failure = int | BaseException  # an HTTP status to answer, or an exception to raise


@dataclass
class RecordingRequest(BaseRequest):
    """A Bot API stand-in: canned answers, recorded calls, no network."""

    calls: list[Call] = field(default_factory=list)
    message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))
    failures: dict[str, collections.deque[Failure]] = field(default_factory=dict)

    def fail_next(self, method: str, *failures: Failure) -> None:
        """The next calls of `method` fail, one per failure in turn: an int is answered as that
        HTTP status with Telegram's error JSON (400 -> BadRequest, 403 -> Forbidden, 429 ->
        RetryAfter 1 s, 5xx -> NetworkError); an exception (TimedOut(), NetworkError(...)) is
        raised as the HTTP client would raise it. Nothing is sent by a failed call."""
        self.failures.setdefault(method, collections.deque()).extend(failures)

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        assert TOKEN in url, "requests go to {base_url}{token}/{method}"
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        call = Call(api_method, params)
        self.calls.append(call)
        queue = self.failures.get(api_method)
        if queue:
            failure = queue.popleft()
            if isinstance(failure, BaseException):
                call.status = type(failure).__name__
                raise failure
            call.status = failure
            body: dict[str, Any] = {
                "ok": False,
                "error_code": failure,
                "description": f"{HTTPStatus(failure).phrase} (injected)",
            }
            if failure == 429:
                body["parameters"] = {"retry_after": 1}
            return failure, json.dumps(body).encode()
        result = self._result(api_method, params)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _result(self, api_method: str, params: dict[str, Any]) -> Any:
        if api_method == "getMe":
            return {**BOT_USER, "can_join_groups": True, "can_read_all_group_messages": False}
        if api_method == "sendMessage":
            return self._send_message(params)
        if api_method in {"answerCallbackQuery", "setMyCommands", "answerInlineQuery"}:
            if api_method == "answerCallbackQuery" and "text" in params:
                assert len(params["text"]) <= 200
            return True
        pytest.fail(f"unexpected Bot API call {api_method}({params})")

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        assert params.get("parse_mode") == "HTML"
        assert params.get("link_preview_options") == {"is_disabled": True}
        check_html(params["text"])
        markup = params.get("reply_markup")
        if markup:
            for row in markup["inline_keyboard"]:
                for button in row:
                    data = button["callback_data"]
                    assert 1 <= len(data.encode()) <= 64, f"callback_data too long: {data!r}"
                    assert button["text"]
        chat_id = int(params["chat_id"])
        return {
            "message_id": next(self.message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": BOT_USER,
            "text": params["text"],
        }

    # -- helpers for assertions ------------------------------------------------------------
    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        """The parameters of the successful calls of `method` (what reached the user)."""
        return [c.params for c in self.calls if c.method == method and c.ok]

    def attempts(self, method: str = "sendMessage") -> list[Call]:
        """Every call of `method`, failed ones included."""
        return [c for c in self.calls if c.method == method]

    def api_calls(self) -> list[str]:
        return [c.method for c in self.calls if c.method != "getMe"]

    def clear(self) -> None:
        self.calls.clear()


class Updates:
    """Builds Update JSON like Telegram sends it."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)

    def _user(self, user_id: int, language_code: str) -> dict[str, Any]:
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": "Citizen",
            "language_code": language_code,
        }

    def message(
        self,
        text: str,
        *,
        chat_type: str = "private",
        user_id: int = USER_ID,
        language_code: str = "zh-hans",
        entities: list[dict[str, Any]] | None = None,
        reply_to: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        chat_id = user_id if chat_type == "private" else GROUP_ID
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type != "private":
            chat["title"] = "海珠街坊群"
        msg: dict[str, Any] = {
            "message_id": next(self._ids) + 500,
            "date": int(time.time()),
            "chat": chat,
            "from": self._user(user_id, language_code),
            "text": text,
        }
        if entities is None and text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            entities = [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
        if entities:
            msg["entities"] = entities
        if reply_to is not None:
            msg["reply_to_message"] = reply_to
        return {"update_id": next(self._ids), "message": msg}

    def photo(
        self,
        caption: str | None,
        *,
        caption_entities: list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """A photo message with an optional caption (and its caption entities)."""
        update = self.message("", **kwargs)
        msg = update["message"]
        del msg["text"]
        msg.pop("entities", None)
        msg["photo"] = [
            {"file_id": "AgAD-photo", "file_unique_id": "uniq-1", "width": 90, "height": 60}
        ]
        if caption is not None:
            msg["caption"] = caption
        if caption_entities:
            msg["caption_entities"] = caption_entities
        return update

    def mention(self, text: str, mention: str, **kwargs: Any) -> dict[str, Any]:
        """A message whose text contains `mention`, with its `mention` entity."""
        offset = utf16_len(text[: text.index(mention)])
        entity = {"type": "mention", "offset": offset, "length": utf16_len(mention)}
        return self.message(text, entities=[entity], **kwargs)

    def callback(
        self,
        data: str,
        *,
        chat_type: str = "private",
        user_id: int = USER_ID,
        language_code: str = "zh-hans",
    ) -> dict[str, Any]:
        chat_id = user_id if chat_type == "private" else GROUP_ID
        return {
            "update_id": next(self._ids),
            "callback_query": {
                "id": f"cq{next(self._ids)}",
                "from": self._user(user_id, language_code),
                "chat_instance": "ci-1",
                "data": data,
                "message": {
                    "message_id": 77,
                    "date": int(time.time()),
                    "chat": {"id": chat_id, "type": chat_type},
                    "from": BOT_USER,
                    "text": "您想问的是哪一项？",
                },
            },
        }


class FakeQuestionLog:
    """Records what the handlers tell the question log."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self.choices: list[tuple[str, str]] = []
        self.feedback: list[tuple[str, bool]] = []

    def record(self, *, chat_type: str, user_id: int | None, answer: Any) -> str:
        self.records.append({"chat_type": chat_type, "user_id": user_id, "answer": answer})
        return f"rid{len(self.records):09d}"

    def record_choice(self, record_id: str, intent_id: str) -> None:
        self.choices.append((record_id, intent_id))

    def record_feedback(self, record_id: str, helpful: bool, user_id: int | None = None) -> None:
        self.feedback.append((record_id, helpful))
