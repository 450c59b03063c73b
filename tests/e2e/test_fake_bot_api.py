"""Unit tests of the fake Telegram Bot API (tests/e2e/fake_bot_api.py) on its own.

The end-to-end tests trust the fake to refuse what Telegram refuses; these tests pin that down,
through raw HTTP (form-encoded and JSON bodies) and through python-telegram-bot's own Bot.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import httpx
import pytest
import telegram
from fake_bot_api import FakeBotApi, auto_entities, parse_html, utf16_len
from telegram.error import BadRequest, NetworkError

TOKEN = "424242:AAUnitTestToken_zyxwvutsrqponmlk"


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi(TOKEN, username="HaizhuTestBot") as api:
        yield api


def call(
    fake: FakeBotApi, method: str, *, as_json: bool = False, token: str = TOKEN, **params: Any
) -> tuple[int, dict[str, Any]]:
    url = f"{fake.base_url}{token}/{method}"
    if as_json:
        resp = httpx.post(url, json=params, timeout=10)
    else:
        form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
        resp = httpx.post(url, data=form, timeout=10)
    return resp.status_code, resp.json()


@pytest.fixture
def chat(fake: FakeBotApi) -> Any:
    user = fake.new_user("阿明")
    chat = fake.private_chat(user)
    fake.user_message(chat, user, "你好")
    return chat


def test_good_message_is_accepted_and_parsed(fake: FakeBotApi, chat: Any) -> None:
    status, body = call(
        fake,
        "sendMessage",
        chat_id=chat.id,
        text="托位 <b>10921</b> 个 &lt;ok&gt;",
        parse_mode="HTML",
    )
    assert status == 200, body
    assert body["result"]["text"] == "托位 10921 个 <ok>"
    assert body["result"]["entities"] == [{"type": "bold", "offset": 3, "length": 5}]
    assert fake.sent[-1].text == "托位 10921 个 <ok>"
    assert fake.errors == []


def test_json_and_multipart_bodies_are_accepted(fake: FakeBotApi, chat: Any) -> None:
    status, body = call(fake, "sendMessage", as_json=True, chat_id=chat.id, text="hello")
    assert status == 200, body
    assert body["result"]["chat"]["id"] == chat.id
    resp = httpx.post(
        f"{fake.api_url}/sendMessage",
        data={"chat_id": str(chat.id), "text": "<i>多部分</i>", "parse_mode": "HTML"},
        files={"document": ("a.txt", b"x")},
        timeout=10,
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["result"]["text"] == "多部分"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("a < b", 'Unsupported start tag ""'),
        ("line<br>break", 'Unsupported start tag "br"'),
        ("<b>bold", "Can't find end tag"),
        ("<b>bold</i>", "Unmatched end tag"),
        ("</b>", "Unexpected end tag"),
        ("AT&T", "Character entity expected"),
        ("<a href='x'>x", "Can't find end tag"),
        ("<span>x</span>", 'must have class "tg-spoiler"'),
        ("<b", "Unclosed start tag"),
    ],
)
def test_bad_html_is_refused(fake: FakeBotApi, chat: Any, text: str, fragment: str) -> None:
    status, body = call(fake, "sendMessage", chat_id=chat.id, text=text, parse_mode="HTML")
    assert status == 400
    assert body["ok"] is False and body["error_code"] == 400
    assert body["description"].startswith("Bad Request: can't parse entities: ")
    assert fragment in body["description"]
    assert fake.sent == []


def test_allowed_html_and_entities() -> None:
    text, entities = parse_html(
        '😀<i>x</i> <a href="https://example.org/?a=1&amp;b=2">链接</a> '
        '<span class="tg-spoiler">s</span> <pre><code class="language-python">c</code></pre> '
        "&#36;&#x4e2d; <blockquote expandable>q</blockquote> a > b"
    )
    assert text == "😀x 链接 s c $中 q a > b"
    kinds = {e["type"]: e for e in entities}
    assert kinds["italic"]["offset"] == 2  # the emoji is 2 UTF-16 code units
    assert kinds["text_link"]["url"] == "https://example.org/?a=1&b=2"
    assert kinds["code"]["language"] == "python"
    assert {"spoiler", "pre", "expandable_blockquote"} <= kinds.keys()


def test_text_length_is_checked_after_entity_parsing(fake: FakeBotApi, chat: Any) -> None:
    ok, _ = call(fake, "sendMessage", chat_id=chat.id, text="托" * 4096)
    too_long, body = call(fake, "sendMessage", chat_id=chat.id, text="托" * 4097)
    assert ok == 200
    assert too_long == 400 and body["description"] == "Bad Request: message is too long"
    tagged = "<b>" + "x" * 4090 + "</b>&amp;"
    status, _ = call(fake, "sendMessage", chat_id=chat.id, text=tagged, parse_mode="HTML")
    assert status == 200  # 4091 characters once the tags are parsed
    status, body = call(fake, "sendMessage", chat_id=chat.id, text="<b>" + "x" * 4097 + "</b>",
                        parse_mode="HTML")  # fmt: skip
    assert status == 400 and "too long" in body["description"]


def keyboard(*data: str, text: str = "按钮") -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": text, "callback_data": d}] for d in data]}


def test_callback_data_is_at_most_64_bytes(fake: FakeBotApi, chat: Any) -> None:
    assert len(("托" * 21 + "a").encode()) == 64
    status, body = call(
        fake, "sendMessage", chat_id=chat.id, text="选一个", reply_markup=keyboard("托" * 21 + "a")
    )
    assert status == 200, body
    status, body = call(
        fake, "sendMessage", chat_id=chat.id, text="选一个", reply_markup=keyboard("托" * 21 + "ab")
    )
    assert status == 400
    assert body["description"] == "Bad Request: BUTTON_DATA_INVALID"
    status, body = call(
        fake, "sendMessage", chat_id=chat.id, text="选一个", reply_markup=keyboard("")
    )
    assert (status, body["description"]) == (400, "Bad Request: BUTTON_DATA_INVALID")


def test_button_text_must_not_be_empty(fake: FakeBotApi, chat: Any) -> None:
    status, _ = call(
        fake, "sendMessage", chat_id=chat.id, text="选", reply_markup=keyboard("x", text="")
    )
    assert status == 400
    plain = {"inline_keyboard": [[{"text": "no action"}]]}
    status, _ = call(fake, "sendMessage", chat_id=chat.id, text="选", reply_markup=plain)
    assert status == 400


def test_required_parameters(fake: FakeBotApi, chat: Any) -> None:
    status, body = call(fake, "sendMessage", text="hi")
    assert (status, body["description"]) == (400, "Bad Request: chat_id is empty")
    status, body = call(fake, "sendMessage", chat_id=chat.id, text="")
    assert (status, body["description"]) == (400, "Bad Request: message text is empty")
    status, body = call(fake, "sendMessage", chat_id=chat.id, text="  \n ")
    assert (status, body["description"]) == (400, "Bad Request: message text is empty")
    status, body = call(fake, "sendMessage", chat_id=chat.id, text="<b></b>", parse_mode="HTML")
    assert status == 400
    status, body = call(fake, "sendMessage", chat_id=987654321, text="hi")
    assert (status, body["description"]) == (400, "Bad Request: chat not found")


def test_token_and_unknown_method(fake: FakeBotApi) -> None:
    status, body = call(fake, "getMe", token="424242:wrong")
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    status, body = call(fake, "sendPhotoOfTheDay")
    assert status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
    status, body = call(fake, "getMe")
    assert status == 200 and body["result"]["username"] == "HaizhuTestBot"
    assert body["result"]["is_bot"] is True


def test_replies_must_reference_a_message_of_the_chat(fake: FakeBotApi) -> None:
    a, b = fake.new_user("A"), fake.new_user("B")
    chat_a, chat_b = fake.private_chat(a), fake.private_chat(b)
    msg_a = fake.user_message(chat_a, a, "问题")
    fake.user_message(chat_b, b, "问题")
    status, body = call(
        fake, "sendMessage", chat_id=chat_a.id, text="答", reply_to_message_id=msg_a.message_id
    )
    assert status == 200 and body["result"]["reply_to_message"]["message_id"] == msg_a.message_id
    assert fake.sent[-1].reply_to_message_id == msg_a.message_id
    status, body = call(
        fake, "sendMessage", chat_id=chat_b.id, text="答", reply_to_message_id=msg_a.message_id
    )
    assert (status, body["description"]) == (400, "Bad Request: message to be replied not found")
    status, body = call(
        fake,
        "sendMessage",
        chat_id=chat_b.id,
        text="答",
        reply_parameters={"message_id": 999_999},
    )
    assert status == 400
    status, body = call(
        fake,
        "sendMessage",
        chat_id=chat_b.id,
        text="答",
        reply_parameters={"message_id": 999_999, "allow_sending_without_reply": True},
    )
    assert status == 200 and "reply_to_message" not in body["result"]


def test_mention_and_command_entities_use_utf16_offsets() -> None:
    text = "😀 @haizhutestBOT 托位? /ask@HaizhuTestBot 学位"
    entities = auto_entities(text)
    mention = next(e for e in entities if e["type"] == "mention")
    assert mention == {"type": "mention", "offset": 3, "length": len("@haizhutestBOT")}
    command = next(e for e in entities if e["type"] == "bot_command")
    start = text.index("/ask")
    assert command["offset"] == utf16_len(text[:start]) == start + 1
    assert command["length"] == len("/ask@HaizhuTestBot")
    assert len(entities) == 2


def test_long_polling_offset_and_conflict(fake: FakeBotApi) -> None:
    t0 = time.monotonic()
    status, body = call(fake, "getUpdates", timeout=1)
    assert status == 200 and body["result"] == []
    assert time.monotonic() - t0 >= 0.9

    user = fake.new_user("小李")
    chat = fake.private_chat(user)
    results: list[tuple[int, dict[str, Any]]] = []
    poller = threading.Thread(target=lambda: results.append(call(fake, "getUpdates", timeout=5)))
    poller.start()
    fake.wait_polling()
    msg = fake.user_message(chat, user, "托位有多少")
    poller.join(5)
    (status, body), = results  # fmt: skip
    assert status == 200
    (update,) = body["result"]
    assert update["update_id"] == msg.update_id
    assert update["message"]["text"] == "托位有多少"
    # not confirmed yet: returned again; confirmed by a higher offset
    assert call(fake, "getUpdates")[1]["result"][0]["update_id"] == msg.update_id
    assert call(fake, "getUpdates", offset=msg.update_id + 1)[1]["result"] == []
    fake.wait_confirmed(msg.update_id, timeout=1)

    # a second poller terminates the first one with 409, as Telegram does
    results.clear()
    first = threading.Thread(target=lambda: results.append(call(fake, "getUpdates", timeout=5)))
    first.start()
    fake.wait_polling()
    assert call(fake, "getUpdates", timeout=0)[0] == 200
    first.join(5)
    assert results[0][0] == 409 and "terminated by other getUpdates" in results[0][1]["description"]
    assert fake.errors == []  # a superseded poll is not the bot's error


def test_callback_query_and_edits(fake: FakeBotApi, chat: Any) -> None:
    user = chat.user
    status, body = call(
        fake,
        "sendMessage",
        chat_id=chat.id,
        text="你想问哪个?",
        reply_markup=keyboard("c:1", "c:2"),
    )
    assert status == 200
    msg = fake.sent[-1]
    with pytest.raises(ValueError, match="no button"):
        fake.press_button(msg, "c:3", user)
    cq = fake.press_button(msg, "c:2", user)
    updates = call(fake, "getUpdates", offset=cq.update_id)[1]["result"]
    assert updates[0]["callback_query"]["data"] == "c:2"
    assert updates[0]["callback_query"]["message"]["message_id"] == msg.message_id
    assert call(fake, "answerCallbackQuery", callback_query_id=cq.id)[0] == 200
    assert fake.wait_callback_answered(cq, timeout=1) == {"answered": True}
    status, body = call(fake, "answerCallbackQuery", callback_query_id=cq.id)
    assert status == 400 and "query ID is invalid" in body["description"]

    edit = {"chat_id": chat.id, "message_id": msg.message_id}
    assert call(fake, "editMessageText", text="你想问哪个?", **edit)[0] == 200  # markup dropped
    status, body = call(fake, "editMessageText", text="你想问哪个?", **edit)
    assert status == 400 and "message is not modified" in body["description"]
    status, body = call(fake, "editMessageReplyMarkup", **edit)
    assert status == 400 and "message is not modified" in body["description"]
    assert call(fake, "editMessageReplyMarkup", reply_markup=keyboard("z"), **edit)[0] == 200
    status, body = call(fake, "editMessageText", chat_id=chat.id, message_id=5, text="x")
    assert (status, body["description"]) == (400, "Bad Request: message to edit not found")


def test_commands_and_chat_action(fake: FakeBotApi, chat: Any) -> None:
    good = [{"command": "ask", "description": "提问"}]
    assert call(fake, "setMyCommands", commands=good)[0] == 200
    bad = [{"command": "Ask-Now", "description": "提问"}]
    status, body = call(fake, "setMyCommands", commands=bad)
    assert (status, body["description"]) == (400, "Bad Request: BOT_COMMAND_INVALID")
    assert call(fake, "deleteMyCommands")[0] == 200
    scoped = {"type": "chat", "chat_id": chat.id}
    assert call(fake, "setMyCommands", commands=good, scope=scoped)[0] == 200
    stranger = {"type": "chat", "chat_id": 55555}
    status, body = call(fake, "setMyCommands", commands=good, scope=stranger)
    assert (status, body["description"]) == (400, "Bad Request: chat not found")
    assert call(fake, "sendChatAction", chat_id=chat.id, action="typing")[0] == 200
    assert call(fake, "sendChatAction", chat_id=chat.id, action="thinking")[0] == 400


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str | None, dict[str, Any]]]] = []

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append((self.headers.get("X-Telegram-Bot-Api-Secret-Token"), body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_webhook_delivery_with_secret(fake: FakeBotApi) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        status, _ = call(fake, "setWebhook", url=url, secret_token="bad token!")
        assert status == 400
        assert call(fake, "setWebhook", url=url, secret_token="s3cr3t_-")[0] == 200
        assert call(fake, "getWebhookInfo")[1]["result"]["url"] == url
        assert call(fake, "getUpdates")[0] == 409
        user = fake.new_user()
        msg = fake.user_message(fake.private_chat(user), user, "托位")
        fake.wait_confirmed(msg.update_id, timeout=5)
        secret, update = _Hook.received[-1]
        assert secret == "s3cr3t_-"
        assert update["message"]["text"] == "托位"
    finally:
        server.shutdown()
        server.server_close()


async def test_python_telegram_bot_talks_to_the_fake(fake: FakeBotApi) -> None:
    user = fake.new_user("阿芳")
    chat = fake.private_chat(user)
    question = fake.user_message(chat, user, "@HaizhuTestBot 托位")
    markup = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("托位", callback_data="a:care_places")]]
    )
    async with telegram.Bot(TOKEN, base_url=fake.base_url) as bot:
        me = await bot.get_me()
        assert me.username == "HaizhuTestBot"
        updates = await bot.get_updates(timeout=1)
        assert updates[0].message.text == "@HaizhuTestBot 托位"
        assert updates[0].message.parse_entity(updates[0].message.entities[0]) == "@HaizhuTestBot"
        sent = await bot.send_message(
            chat.id,
            "<b>10921</b> 个托位",
            parse_mode="HTML",
            reply_markup=markup,
            reply_to_message_id=question.message_id,
        )
        assert sent.text == "10921 个托位"
        assert sent.reply_to_message.message_id == question.message_id
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(chat.id, "1 < 2", parse_mode="HTML")
        bad = telegram.InlineKeyboardMarkup(
            [[telegram.InlineKeyboardButton("x", callback_data="托" * 22)]]
        )
        with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
            await bot.send_message(chat.id, "x", reply_markup=bad)
        await bot.set_my_commands([("ask", "提问")])
        await bot.send_chat_action(chat.id, "typing")
    assert fake.wait_reply(question, timeout=1).text == "10921 个托位"
    assert len(fake.errors) == 2


async def test_injected_failures_look_like_a_flaky_network_to_python_telegram_bot(
    fake: FakeBotApi,
) -> None:
    user = fake.new_user("阿杰")
    chat = fake.private_chat(user)
    with pytest.raises(ValueError, match="how must be"):
        fake.fail_next("sendMessage", how="timeout")
    fake.fail_next("sendMessage", 1, how="502")
    fake.fail_next("sendMessage", 1, how="drop")
    async with telegram.Bot(TOKEN, base_url=fake.base_url) as bot:
        with pytest.raises(NetworkError, match="Bad Gateway") as bad_gateway:
            await bot.send_message(chat.id, "一")
        assert not isinstance(bad_gateway.value, BadRequest)
        with pytest.raises(NetworkError, match=r"(?i)disconnected") as dropped:
            await bot.send_message(chat.id, "二")
        assert not isinstance(dropped.value, BadRequest)
        assert (await bot.get_me()).username == "HaizhuTestBot"  # other methods unaffected
        assert (await bot.send_message(chat.id, "三")).text == "三"
    assert [m.text for m in fake.sent] == ["三"]  # a failed call sends nothing
    assert [c.injected for c in fake.injected_failures] == ["502", "drop"]
    assert [c.status for c in fake.calls_to("sendMessage")] == [502, 0, 200]
    assert fake.errors == []  # injected failures are not the bot's errors
