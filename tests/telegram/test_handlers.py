"""Handler behaviour, offline: private and group questions, commands, buttons, errors."""

from __future__ import annotations

import html
import logging
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import pytest
from telegram import Update, User
from tg_helpers import (
    BOT_USER,
    BOT_USERNAME,
    GROUP_ID,
    USER_ID,
    utf16_len,
)

from bot.engine.answer import Answer, Candidate
from bot.telegram import handlers
from bot.telegram.send import (
    CHOOSE,
    HELPFUL,
    NONE,
    UNHELPFUL,
    ButtonData,
    decode,
    encode,
    fp_prefix,
)

QUESTION = "海珠区有多少托位"


def expected_text(answer: Answer) -> str:
    return html.escape(answer.text, quote=False)


class WrappedEngine:
    """The real engine with some methods replaced (to force what the content may not give)."""

    def __init__(self, engine: Any, ask: Any = None, **overrides: Any) -> None:
        self._engine = engine
        self.ask = ask or engine.ask
        self.__dict__.update(overrides)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)


# -- private chat --------------------------------------------------------------------------


async def test_private_question_is_answered(feed, updates, request_recorder, engine, qlog):
    await feed(updates.message(QUESTION))
    [sent] = request_recorder.sent()
    assert sent["chat_id"] == USER_ID
    assert sent["text"] == expected_text(engine.ask(QUESTION))
    assert "reply_parameters" not in sent  # no quoting in a one-to-one chat
    [record] = qlog.records
    assert record["chat_type"] == "private" and record["user_id"] == USER_ID


async def test_private_answer_has_related_and_feedback_buttons(
    app, feed, updates, request_recorder, engine
):
    intent = next(i for i in engine.intent_ids() if engine.answer_intent(i).related)
    answer = engine.answer_intent(intent)
    app.bot_data[handlers.ENGINE] = WrappedEngine(
        engine, lambda q, context=None: replace(answer, question=q)
    )
    await feed(updates.message("anything"))
    [sent] = request_recorder.sent()
    rows = sent["reply_markup"]["inline_keyboard"]
    assert [b["text"] for b in rows[-1]] == ["👍", "👎"]
    related = [decode(row[0]["callback_data"]) for row in rows[:-1]]
    assert [d.intent for d in related] == [r.intent for r in answer.related]
    assert all(d.kind == "r" and d.record == "rid000000001" for d in related)
    assert all(d.fingerprint == engine.fingerprint for d in related)


async def test_long_answer_is_split_below_4096(app, feed, updates, request_recorder, engine):
    long_text = "\n".join(f"第{i}行 <数据> & 说明 " + "海珠" * 40 for i in range(200))
    answer = Answer(question="q", decision="answer", text=long_text, lang="zh", script="simplified")
    app.bot_data[handlers.ENGINE] = WrappedEngine(engine, lambda q, context=None: answer)
    await feed(updates.message("q"))
    sent = request_recorder.sent()
    assert 2 <= len(sent) <= 4
    for params in sent:  # RecordingRequest also checks the HTML and the length
        assert utf16_len(params["text"]) <= 4096
    assert "&lt;数据&gt; &amp; 说明" in sent[0]["text"]


async def test_private_unknown_command_points_to_help(feed, updates, request_recorder):
    await feed(updates.message("/foo"))
    [sent] = request_recorder.sent()
    assert "/help" in sent["text"]


async def test_private_photo_caption_is_the_question(feed, updates, request_recorder, engine, qlog):
    await feed(updates.photo(QUESTION))
    [sent] = request_recorder.sent()
    assert sent["chat_id"] == USER_ID
    assert sent["text"] == expected_text(engine.ask(QUESTION))
    assert qlog.records[0]["answer"].question == QUESTION


async def test_private_document_caption_is_the_question(feed, updates, request_recorder, engine):
    update = updates.photo(QUESTION)
    message = update["message"]
    del message["photo"]
    message["document"] = {"file_id": "BQAD-doc", "file_unique_id": "uniq-2", "file_name": "a.pdf"}
    await feed(update)
    [sent] = request_recorder.sent()
    assert sent["text"] == expected_text(engine.ask(QUESTION))


async def test_photo_without_caption_or_with_a_command_caption_gets_no_reply(
    feed, updates, request_recorder, qlog
):
    await feed(updates.photo(None))
    await feed(updates.photo("/ask 托位"))
    assert request_recorder.api_calls() == [] and qlog.records == []


async def test_group_photo_caption_is_answered_only_when_addressed(
    feed, updates, request_recorder, engine, qlog
):
    await feed(updates.photo(QUESTION, chat_type="supergroup"))  # chatter with a photo
    assert request_recorder.api_calls() == []
    mention = f"@{BOT_USERNAME}"
    entity = {"type": "mention", "offset": 0, "length": utf16_len(mention)}
    update = updates.photo(
        f"{mention} {QUESTION}", caption_entities=[entity], chat_type="supergroup"
    )
    await feed(update)
    [sent] = request_recorder.sent()
    assert sent["reply_parameters"]["message_id"] == update["message"]["message_id"]
    assert sent["text"] == expected_text(engine.ask(QUESTION))
    assert [r["answer"].question for r in qlog.records] == [QUESTION]


async def test_group_photo_replying_to_the_bot_is_answered(feed, updates, request_recorder):
    bot_message = {
        "message_id": 5,
        "date": 1,
        "chat": {"id": GROUP_ID, "type": "supergroup"},
        "from": BOT_USER,
        "text": "之前的回答",
    }
    await feed(updates.photo(QUESTION, chat_type="supergroup", reply_to=bot_message))
    assert len(request_recorder.sent()) == 1


async def test_edited_message_is_ignored(feed, updates, request_recorder):
    """Deliberately: an edit would get a second answer (see telegram_app.ALLOWED_UPDATES)."""
    update = updates.message(QUESTION)
    update["edited_message"] = update.pop("message")
    update["edited_message"]["edit_date"] = update["edited_message"]["date"]
    await feed(update)
    edited_photo = updates.photo(QUESTION)
    edited_photo["edited_message"] = edited_photo.pop("message")
    edited_photo["edited_message"]["edit_date"] = edited_photo["edited_message"]["date"]
    await feed(edited_photo)
    assert request_recorder.api_calls() == []


# -- groups ----------------------------------------------------------------------------------


async def test_group_message_without_mention_is_ignored(feed, updates, request_recorder, qlog):
    await feed(updates.message(QUESTION, chat_type="supergroup"))
    await feed(updates.mention(f"@SomeoneElse {QUESTION}", "@SomeoneElse", chat_type="group"))
    assert request_recorder.api_calls() == []
    assert qlog.records == []  # unaddressed chatter is never logged


@pytest.mark.parametrize(
    "mention", [f"@{BOT_USERNAME}", f"@{BOT_USERNAME.lower()}", "@HAIZHUINQUIRYBOT"]
)
async def test_group_mention_is_answered_as_reply_without_mention(
    feed, updates, request_recorder, engine, qlog, mention
):
    update = updates.mention(f"{mention} {QUESTION}", mention, chat_type="supergroup")
    await feed(update)
    [sent] = request_recorder.sent()
    assert sent["chat_id"] == GROUP_ID
    assert sent["reply_parameters"]["message_id"] == update["message"]["message_id"]
    assert sent["text"] == expected_text(engine.ask(QUESTION))
    assert qlog.records[0]["answer"].question == QUESTION
    assert qlog.records[0]["chat_type"] == "supergroup"


async def test_group_mention_in_the_middle_with_emoji(
    feed, updates, request_recorder, engine, qlog
):
    text = f"😀请问 @{BOT_USERNAME} 托位有多少"
    await feed(updates.mention(text, f"@{BOT_USERNAME}", chat_type="group"))
    [sent] = request_recorder.sent()
    assert qlog.records[0]["answer"].question == "😀请问 托位有多少"
    assert sent["text"] == expected_text(engine.ask("😀请问 托位有多少"))


async def test_group_text_mention_of_bot(feed, updates, request_recorder, qlog):
    text = f"海珠问答 {QUESTION}"
    entity = {"type": "text_mention", "offset": 0, "length": 4, "user": BOT_USER}
    await feed(updates.message(text, chat_type="group", entities=[entity]))
    assert len(request_recorder.sent()) == 1
    assert qlog.records[0]["answer"].question == QUESTION


async def test_group_reply_to_bot_is_answered(feed, updates, request_recorder, engine):
    bot_message = {
        "message_id": 5,
        "date": 1,
        "chat": {"id": GROUP_ID, "type": "supergroup"},
        "from": BOT_USER,
        "text": "之前的回答",
    }
    update = updates.message(QUESTION, chat_type="supergroup", reply_to=bot_message)
    await feed(update)
    [sent] = request_recorder.sent()
    assert sent["reply_parameters"]["message_id"] == update["message"]["message_id"]
    assert sent["text"] == expected_text(engine.ask(QUESTION))


async def test_group_reply_to_someone_else_is_ignored(feed, updates, request_recorder):
    other = {
        "message_id": 5,
        "date": 1,
        "chat": {"id": GROUP_ID, "type": "supergroup"},
        "from": {"id": 99, "is_bot": False, "first_name": "Other"},
        "text": "hi",
    }
    await feed(updates.message(QUESTION, chat_type="supergroup", reply_to=other))
    assert request_recorder.api_calls() == []


@pytest.mark.parametrize("command", ["/ask", f"/ask@{BOT_USERNAME}"])
@pytest.mark.parametrize("chat_type", ["private", "supergroup"])
async def test_ask_command(feed, updates, request_recorder, engine, qlog, command, chat_type):
    update = updates.message(f"{command} {QUESTION}", chat_type=chat_type)
    await feed(update)
    [sent] = request_recorder.sent()
    assert sent["text"] == expected_text(engine.ask(QUESTION))
    assert qlog.records[0]["answer"].question == QUESTION
    if chat_type == "supergroup":
        assert sent["reply_parameters"]["message_id"] == update["message"]["message_id"]


async def test_ask_for_another_bot_is_ignored(feed, updates, request_recorder):
    await feed(updates.message(f"/ask@OtherBot {QUESTION}", chat_type="supergroup"))
    assert request_recorder.api_calls() == []


async def test_ask_without_question_explains_usage(feed, updates, request_recorder, qlog):
    await feed(updates.message("/ask", chat_type="supergroup"))
    [sent] = request_recorder.sent()
    assert "/ask" in sent["text"]
    assert qlog.records == []


async def test_group_flood_guard(feed, updates, request_recorder):
    for _ in range(7):
        await feed(updates.message(f"/ask {QUESTION}", chat_type="supergroup"))
    texts = [s["text"] for s in request_recorder.sent()]
    assert len(texts) == 6  # 5 answers, then one polite notice, then silence
    assert "频繁" in texts[-1]


# -- /start, /help ---------------------------------------------------------------------------


def some_topics(engine: Any) -> Any:
    """engine.topics() for content that has no help intent yet: the first three intents."""

    def topics(lang: str, script: str) -> list[tuple[str, str]]:
        found = engine.topics(lang, script)
        return found or [(i, engine.title(i, lang, script)) for i in engine.intent_ids()[:3]]

    return topics


async def test_start_shows_topics_in_users_language(app, feed, updates, request_recorder, engine):
    app.bot_data[handlers.ENGINE] = WrappedEngine(engine, topics=some_topics(engine))
    await feed(updates.message("/start", language_code="en"))
    [sent] = request_recorder.sent()
    assert sent["text"].startswith("Hello")
    buttons = [row[0] for row in sent["reply_markup"]["inline_keyboard"]]
    topics = some_topics(engine)("en", "simplified")
    assert [b["text"] for b in buttons] == [t for _, t in topics]
    assert all(decode(b["callback_data"]).lang == "en" for b in buttons)


async def test_start_in_chinese_and_help(feed, updates, request_recorder, engine):
    await feed(updates.message("/start", language_code="zh-hans"))
    await feed(updates.message("/help", language_code="zh-hant"))
    start, help_ = request_recorder.sent()
    assert start["text"].startswith("您好")
    assert help_["text"] == html.escape(engine.help_text("zh", "traditional"), quote=False)


# -- buttons ---------------------------------------------------------------------------------


def clarify_engine(engine: Any, question_echo: str) -> tuple[WrappedEngine, Answer]:
    topics = some_topics(engine)("zh", "simplified")[:3]
    answer = Answer(
        question=question_echo,
        decision="clarify",
        text=f"您问的“{question_echo}”是指哪一项？",
        lang="zh",
        script="simplified",
        score=60.0,
        candidates=tuple(Candidate(i, t, 60.0) for i, t in topics),
    )
    return WrappedEngine(engine, lambda q, context=None: answer), answer


async def test_clarify_keyboard_escapes_and_fits(app, feed, updates, request_recorder, engine):
    echo = "<b>托位</b> & 学位"
    app.bot_data[handlers.ENGINE], answer = clarify_engine(engine, echo)
    await feed(updates.message(echo))
    [sent] = request_recorder.sent()
    assert "&lt;b&gt;托位&lt;/b&gt; &amp; 学位" in sent["text"]
    rows = sent["reply_markup"]["inline_keyboard"]
    assert len(rows) == len(answer.candidates) + 1
    assert rows[-1][0]["text"] == "都不是"
    for row, candidate in zip(rows, answer.candidates, strict=False):
        data = decode(row[0]["callback_data"])
        assert (data.kind, data.intent, data.record) == (CHOOSE, candidate.intent, "rid000000001")
        assert len(row[0]["callback_data"].encode()) <= 64
    assert decode(rows[-1][0]["callback_data"]).kind == NONE


async def test_choosing_a_candidate_answers_that_intent(
    feed, updates, request_recorder, engine, qlog
):
    intent = engine.intent_ids()[1]
    data = encode(
        ButtonData(CHOOSE, "zh", "traditional", engine.fingerprint, "rid000000007", intent),
        engine.intent_ids(),
    )
    await feed(updates.callback(data))
    [sent] = request_recorder.sent()
    assert sent["text"] == expected_text(
        engine.answer_intent(intent, lang="zh", script="traditional")
    )
    [answered] = request_recorder.sent("answerCallbackQuery")
    assert "text" not in answered
    assert qlog.choices == [("rid000000007", intent)]
    assert qlog.records == []  # a choice updates the clarify record, no new question
    feedback = sent["reply_markup"]["inline_keyboard"][-1]
    assert decode(feedback[0]["callback_data"]).record == "rid000000007"


async def test_related_button_in_group_answers_and_logs(
    feed, updates, request_recorder, engine, qlog
):
    intent = engine.intent_ids()[0]
    data = encode(
        ButtonData("r", "en", "simplified", engine.fingerprint, "", intent), engine.intent_ids()
    )
    await feed(updates.callback(data, chat_type="supergroup"))
    [sent] = request_recorder.sent()
    assert sent["text"] == expected_text(engine.answer_intent(intent, lang="en"))
    assert sent["reply_parameters"]["message_id"] == 77
    assert qlog.records[0]["answer"].intent == intent
    assert len(request_recorder.sent("answerCallbackQuery")) == 1


async def test_stale_button_gets_a_graceful_reply(feed, updates, request_recorder, engine):
    intent = engine.intent_ids()[0]
    stale = encode(
        ButtonData(CHOOSE, "en", "simplified", "0ld0ld", "rid1", intent), engine.intent_ids()
    )
    unknown = encode(
        ButtonData("r", "zh", "simplified", engine.fingerprint, "", "no_such_intent"), []
    )
    for data in (stale, unknown, "garbage-from-an-old-version"):
        await feed(updates.callback(data))
    assert request_recorder.sent() == []
    answers = request_recorder.sent("answerCallbackQuery")
    assert len(answers) == 3
    assert answers[0]["text"] == "This button is out of date, please ask again."
    assert all(a["show_alert"] for a in answers)
    assert "过期" in answers[1]["text"]


@pytest.mark.parametrize(
    "forged",
    [
        "cs|{fp}||#²",
        "cs|{fp}||#٣",
        "rs|{fp}||#" + "9" * 58,
        "ts|{fp}||#",
        "cs||||",
        "ns|{fp}|\x00|",
        "us|{fp}|" + "é" * 20 + "|",
        bytes(range(64, 128)).decode("latin-1"),
    ],
)
async def test_forged_callback_data_gets_the_stale_alert_not_an_error(
    feed, updates, request_recorder, engine, caplog, forged
):
    data = forged.replace("{fp}", fp_prefix(engine.fingerprint))
    with caplog.at_level(logging.ERROR):
        await feed(updates.callback(data, chat_type="supergroup"))
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert request_recorder.sent() == []  # no answer, no apology
    [answered] = request_recorder.sent("answerCallbackQuery")
    assert "过期" in answered["text"] and answered["show_alert"] is True


async def test_none_of_these_gives_hotline_and_is_logged(
    feed, updates, request_recorder, engine, qlog
):
    data = encode(ButtonData(NONE, "zh", "simplified", engine.fingerprint, "rid1"), [])
    await feed(updates.callback(data))
    [sent] = request_recorder.sent()
    assert "12345" in sent["text"]
    assert len(request_recorder.sent("answerCallbackQuery")) == 1
    assert qlog.choices == [("rid1", handlers.NONE_OF_THESE)]


@pytest.mark.parametrize(("kind", "helpful"), [(HELPFUL, True), (UNHELPFUL, False)])
async def test_feedback_buttons(feed, updates, request_recorder, engine, qlog, kind, helpful):
    data = encode(ButtonData(kind, "en", "simplified", "0ld0ld", "rid000000003"), [])
    await feed(updates.callback(data))
    assert qlog.feedback == [("rid000000003", helpful)]
    [answered] = request_recorder.sent("answerCallbackQuery")
    assert answered["text"].startswith("Thank you")
    assert request_recorder.sent() == []


# -- errors ------------------------------------------------------------------------------------


async def test_error_handler_logs_and_apologises(
    app, feed, updates, request_recorder, engine, caplog
):
    def broken(question: str, context: object = None) -> Answer:
        raise RuntimeError("engine exploded")

    app.bot_data[handlers.ENGINE] = WrappedEngine(engine, broken)
    with caplog.at_level(logging.ERROR, logger="bot.telegram.handlers"):
        await feed(updates.message(QUESTION))
    [sent] = request_recorder.sent()
    assert "抱歉" in sent["text"]
    [record] = [r for r in caplog.records if r.name == "bot.telegram.handlers"]
    assert record.exc_info is not None and "engine exploded" in str(record.exc_info[1])


async def test_error_on_group_chatter_stays_silent(app, updates, request_recorder, caplog):
    update = Update.de_json(updates.message("hi all", chat_type="group"), app.bot)
    context = SimpleNamespace(error=RuntimeError("boom"), bot=app.bot)
    with caplog.at_level(logging.ERROR, logger="bot.telegram.handlers"):
        await handlers.on_error(update, context)
    assert request_recorder.sent() == []
    assert any(r.exc_info for r in caplog.records)


async def test_network_error_while_polling_is_one_warning_line(app, request_recorder, caplog):
    from telegram.error import NetworkError

    context = SimpleNamespace(error=NetworkError("connection refused"), bot=app.bot)
    with caplog.at_level(logging.WARNING, logger="bot.telegram.handlers"):
        await handlers.on_error(None, context)
    [record] = caplog.records
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert request_recorder.api_calls() == []


def test_user_language_mapping():
    def lang(code: str | None) -> tuple[str, str]:
        return handlers.user_lang(User(1, "x", False, language_code=code))

    assert lang("en") == ("en", "simplified")
    assert lang("en-GB") == ("en", "simplified")
    assert lang("zh-hant") == ("zh", "traditional")
    assert lang("zh-TW") == ("zh", "traditional")
    assert lang("zh-hans") == ("zh", "simplified")
    assert lang(None) == ("zh", "simplified")


# -- conversation --------------------------------------------------------------------------


async def test_a_follow_up_in_private_is_read_against_the_last_answer(
    feed, updates, request_recorder, engine
):
    await feed(updates.message("今年新增多少学位"))
    await feed(updates.message("那去年呢"))
    _first, second = request_recorder.sent()
    assert "3395" in second["text"] and "2024" in second["text"]
    assert second["text"] != "" and engine.ask("那去年呢").decision != "answer"


async def test_in_a_group_a_follow_up_is_read_only_against_the_same_persons_answer(
    feed, updates, request_recorder
):
    mention = f"@{BOT_USERNAME}"
    await feed(updates.mention(f"{mention} 今年新增多少学位", mention, chat_type="supergroup"))
    other = USER_ID + 1
    await feed(
        updates.mention(f"{mention} 那去年呢", mention, chat_type="supergroup", user_id=other)
    )
    await feed(updates.mention(f"{mention} 那去年呢", mention, chat_type="supergroup"))
    _first, stranger, same = request_recorder.sent()
    assert "3395" not in stranger["text"]  # someone else's fragment: no topic to follow
    assert "3395" in same["text"]


async def test_start_forgets_the_topic(feed, updates, request_recorder):
    await feed(updates.message("今年新增多少学位"))
    await feed(updates.message("/start"))
    await feed(updates.message("那去年呢"))
    *_, after = request_recorder.sent()
    assert "3395" not in after["text"]


# -- inline mode ---------------------------------------------------------------------------


def inline_query(text: str, user_id: int = USER_ID, language_code: str = "zh-hans") -> dict:
    return {
        "update_id": 90001,
        "inline_query": {
            "id": "q1",
            "from": {
                "id": user_id,
                "is_bot": False,
                "first_name": "街坊",
                "language_code": language_code,
            },
            "query": text,
            "offset": "",
        },
    }


async def test_inline_mode_offers_the_answer_and_alternatives(feed, request_recorder, engine):
    import json

    await feed(inline_query("托位有多少"))
    [call] = request_recorder.sent("answerInlineQuery")
    results = json.loads(call["results"]) if isinstance(call["results"], str) else call["results"]
    assert 1 <= len(results) <= 3
    first = results[0]["input_message_content"]
    assert "10921" in first["message_text"] and first["parse_mode"] == "HTML"
    assert "来源" in first["message_text"]  # the same footer as in a chat
    assert results[0]["title"] == engine.title(engine.ask("托位有多少").intent or "")


async def test_inline_mode_refuses_as_a_chat_does(feed, request_recorder):
    import json

    await feed(inline_query("番禺区有多少托位"))
    [call] = request_recorder.sent("answerInlineQuery")
    results = json.loads(call["results"]) if isinstance(call["results"], str) else call["results"]
    assert len(results) == 1
    text = results[0]["input_message_content"]["message_text"]
    assert "番禺" in text and "10921" not in text
    await feed(inline_query("<b>x</b> & 托位"))  # escaped, not markup
    calls = request_recorder.sent("answerInlineQuery")
    assert "<b>x</b>" not in json.dumps(calls[-1], ensure_ascii=False)
