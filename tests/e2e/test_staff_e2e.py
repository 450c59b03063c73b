"""End-to-end: staff fix what the bot missed, in Telegram, against a real `python -m bot run`.

A citizen's question falls back; the admin's /unanswered shows it with buttons; a non-admin's
press on the same button changes nothing; the admin's press adds it as an example of the
suggested intent; the citizen asks again and gets that intent's answer; a restart keeps it;
/undo removes it. Through /feedback, an example that would repeat another intent's example is
refused with the reason, and nothing changes. Expected answers come from an engine built from
the same content in the test, never from written-down strings.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator

import psycopg
import pytest
from fake_bot_api import Chat, FakeBotApi, Message, User
from pinned import TODAY
from test_e2e import ANSWER_TIMEOUT, BOT_USERNAME, TOKEN, BotProcess

from bot.engine import AddedExample, Engine, fixed

MISSED = "海珠的娃娃托管点一共几多个"  # childcare in words no example has


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi(TOKEN, username=BOT_USERNAME) as api:
        yield api


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def running(
    request: pytest.FixtureRequest,
    fake: FakeBotApi,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[BotProcess]:
    """The bot with its log (and staff changes) in SQLite, then again in PostgreSQL."""
    admin = fake.new_user("值班管理员")
    fake.private_chat(admin)
    env: dict[str, str] = {}
    if request.param == "postgresql":
        env["BOT_DB"] = request.getfixturevalue("pg_server").create_database()
    bot = BotProcess(tmp_path_factory.mktemp("staffbot"), fake, admin, extra_env=env)
    bot.start()
    try:
        bot.wait_ready(lambda: fake.wait_polling(timeout=0.5))
        yield bot
    finally:
        bot.stop()


@pytest.fixture(scope="module")
def engine(running: BotProcess) -> Engine:
    return Engine.load(running.intents_dir, running.data_dir, clock=fixed(TODAY))


def ask(fake: FakeBotApi, chat: Chat, user: User, text: str) -> Message:
    return fake.wait_reply(fake.user_message(chat, user, text), timeout=ANSWER_TIMEOUT)


def first_line(text: str) -> str:
    return text.strip().splitlines()[0]


def command(fake: FakeBotApi, admin: User, text: str, replies: int = 1) -> list[Message]:
    chat = fake.private_chat(admin)
    msg = fake.user_message(chat, admin, text)
    return fake.wait_bot_messages(replies, chat_id=chat.id, since=msg.seq, timeout=ANSWER_TIMEOUT)


def press(
    fake: FakeBotApi, msg: Message, label: str, user: User, expect: str | None = None
) -> tuple[dict, list[Message]]:
    """Press the button labelled `label`; (the callback answer, the bot's messages after it:
    until one starts with `expect`, or, when nothing is expected, a moment's worth)."""
    data = next(b["callback_data"] for b in msg.buttons() if b["text"] == label)
    mark = fake.mark()
    query = fake.press_button(msg, data, user)
    answered = fake.wait_callback_answered(query, timeout=ANSWER_TIMEOUT)
    if expect is None:
        time.sleep(0.5)  # a message the press would send arrives by now
        return answered, fake.bot_messages(msg.chat.id, since=mark)
    fake.wait_for(
        lambda: any(m.text.startswith(expect) for m in fake.bot_messages(msg.chat.id, mark)),
        ANSWER_TIMEOUT,
        f"a message starting {expect!r}",
    )
    return answered, fake.bot_messages(msg.chat.id, since=mark)


def staff_rows(bot: BotProcess) -> list[tuple[str, str, str | None]]:
    query = "SELECT action, state, intent FROM staff_changes ORDER BY id"
    url = bot.extra_env.get("BOT_DB")
    if url is not None:
        with psycopg.connect(url) as pg:
            return [(r[0], r[1], r[2]) for r in pg.execute(query).fetchall()]
    with sqlite3.connect(bot.db_path) as conn:
        return conn.execute(query).fetchall()


def group_message(fake: FakeBotApi, admin: User, command_text: str, question: str) -> Message:
    """The message of /unanswered or /feedback that shows `question`, with its buttons."""
    deadline = time.monotonic() + ANSWER_TIMEOUT
    chat = fake.private_chat(admin)
    msg = fake.user_message(chat, admin, command_text)
    while time.monotonic() < deadline:
        for m in fake.bot_messages(chat.id, since=msg.seq):
            if question in m.text and m.buttons():
                return m
        time.sleep(0.1)
    raise AssertionError(f"{command_text} showed no group for {question!r}")


def test_an_admin_fixes_a_missed_question_in_telegram(
    fake: FakeBotApi, running: BotProcess, engine: Engine
) -> None:
    admin = running.admin
    citizen = fake.new_user("街坊阿芳")
    chat = fake.private_chat(citizen)
    missed = engine.ask(MISSED)
    assert missed.decision == "fallback"  # precondition: the content does not answer it
    first = ask(fake, chat, citizen, MISSED)
    assert first_line(first.text) == first_line(missed.text)

    group = group_message(fake, admin, "/unanswered", MISSED)
    add_buttons = [b["text"] for b in group.buttons() if b["text"].startswith("➕ ")]
    assert 1 <= len(add_buttons) <= 3
    assert {"Another topic…", "Not in the report", "Ignore"} <= {b["text"] for b in group.buttons()}
    titles = {engine.title(i): i for i in engine.intent_ids()}
    target = titles[add_buttons[0].removeprefix("➕ ")]

    # a non-admin pressing the admin's button (a forged callback) changes nothing
    intruder = fake.new_user("路人")
    fake.private_chat(intruder)
    answered, sent = press(fake, group, add_buttons[0], intruder)
    assert answered.get("show_alert") and "管理员" in answered.get("text", "")
    assert sent == [] and staff_rows(running) == []
    assert first_line(ask(fake, chat, citizen, MISSED).text) == first_line(missed.text)

    # the admin's press adds it; the citizen gets that intent's answer at once
    _, sent = press(fake, group, add_buttons[0], admin, expect="Added:")
    assert not any(m.text.startswith("Not added") for m in sent)
    expected = engine.with_examples([AddedExample(target, MISSED)]).ask(MISSED)
    assert (expected.decision, expected.intent) == ("answer", target)
    again = ask(fake, chat, citizen, MISSED)
    assert first_line(again.text) == first_line(expected.text)
    assert staff_rows(running) == [("example", "active", target)]
    # it leaves the list
    listed = command(fake, admin, "/unanswered")[0]
    assert MISSED not in listed.text

    # a restart keeps it
    assert running.stop() == 0
    running.start()
    running.wait_ready(lambda: fake.wait_polling(timeout=0.5))
    assert first_line(ask(fake, chat, citizen, MISSED).text) == first_line(expected.text)

    # /changes lists it, /undo removes it
    changes = command(fake, admin, "/changes")[0]
    assert MISSED in changes.text and target in changes.text
    undone = command(fake, admin, "/undo")[0]
    assert undone.text.startswith("Undone:") and MISSED in undone.text
    assert first_line(ask(fake, chat, citizen, MISSED).text) == first_line(missed.text)
    assert staff_rows(running) == [("example", "undone", target)]
    assert command(fake, admin, "/undo")[0].text == "Nothing to undo."


def test_an_example_that_repeats_another_intents_is_refused_with_the_reason(
    fake: FakeBotApi, running: BotProcess, engine: Engine
) -> None:
    admin = running.admin
    owner = engine.content.intents[0]  # an intent and a near copy of one of its examples
    question = max(owner.intent.examples.zh[:6], key=len) + "啊"
    answered = engine.ask(question)
    assert (answered.decision, answered.intent) == ("answer", owner.intent.id)  # precondition
    citizen = fake.new_user("街坊老陈")
    chat = fake.private_chat(citizen)
    reply = ask(fake, chat, citizen, question)
    thumbs_down = next(b for b in reply.buttons() if b["text"] == "👎")
    fake.wait_callback_answered(fake.press_button(reply, thumbs_down["callback_data"], citizen))

    group = group_message(fake, admin, "/feedback", question)
    assert f"answered with {engine.title(owner.intent.id)}" in group.text
    label = next(b["text"] for b in group.buttons() if b["text"].startswith("➕ "))
    other = {engine.title(i): i for i in engine.intent_ids()}[label.removeprefix("➕ ")]
    assert other != owner.intent.id
    _, problems = engine.check_example(AddedExample(other, question))
    assert problems  # precondition: the check refuses it
    rows = staff_rows(running)
    _, sent = press(fake, group, label, admin, expect="Not added")
    refusal = next(m for m in sent if m.text.startswith("Not added"))
    assert owner.intent.id in refusal.text and "Nothing changed" in refusal.text
    assert staff_rows(running) == rows
    assert first_line(ask(fake, chat, citizen, question).text) == first_line(answered.text)


def test_not_in_the_report_takes_a_question_off_the_list(
    fake: FakeBotApi, running: BotProcess, engine: Engine
) -> None:
    question = "海珠区明天会不会停水呀"
    assert engine.ask(question).decision != "answer"  # precondition
    citizen = fake.new_user("街坊小林")
    ask(fake, fake.private_chat(citizen), citizen, question)
    group = group_message(fake, running.admin, "/unanswered", question)
    # "another topic…": the topics, then that topic's intents, each a button that adds it
    _, sent = press(fake, group, "Another topic…", running.admin, expect="Which topic")
    topics = sent[-1]
    expected_topics = sorted({li.intent.topic for li in engine.content.intents})
    assert [b["text"] for b in topics.buttons()] == expected_topics
    _, sent = press(fake, topics, expected_topics[0], running.admin, expect="Add ")
    in_topic = [
        li.intent.id for li in engine.content.intents if li.intent.topic == expected_topics[0]
    ]
    assert [b["text"] for b in sent[-1].buttons()] == [f"➕ {engine.title(i)}" for i in in_topic]
    press(fake, group, "Not in the report", running.admin, expect="Marked:")
    assert staff_rows(running)[-1][:2] == ("not_in_report", "active")
    assert question not in command(fake, running.admin, "/unanswered")[0].text
