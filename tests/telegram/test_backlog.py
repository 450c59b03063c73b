"""One busy group or one fast user must not stall the bot: the per-chat backlog, the flood guard
on buttons and commands in groups, and the Application's update slots under a flood (offline)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from telegram import Update
from tg_helpers import (
    ADMIN_ID,
    BOT_USERNAME,
    GROUP_ID,
    USER_ID,
    FakeQuestionLog,
    RecordingRequest,
    Updates,
)

from bot.telegram import app as telegram_app
from bot.telegram import handlers
from bot.telegram.addressing import GROUP_BACKLOG, PRIVATE_BACKLOG, ChatBacklog
from bot.telegram.send import HELPFUL, RELATED, ButtonData, encode, ui

QUESTION = "海珠区有多少托位"
FLOOD_NOTICE = ui("flood", "zh", "simplified")
BUSY = ui("busy", "zh", "simplified")


@pytest.fixture
def fast_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Send allowances 10-50x the real ones (request it BEFORE `app`/`feed`): for tests about
    who is answered, not about pacing."""
    monkeypatch.setattr(
        telegram_app,
        "rate_limiter",
        lambda: telegram_app.PacedRateLimiter(group_period=0.3, private_rate=50),
    )


def related_button(engine: Any, index: int = 0) -> str:
    intent = engine.intent_ids()[index]
    return encode(
        ButtonData(RELATED, "zh", "simplified", engine.fingerprint, "", intent),
        engine.intent_ids(),
    )


# -- ChatBacklog ------------------------------------------------------------------------------


def test_chat_backlog_caps_each_chat():
    backlog = ChatBacklog(group_limit=2, private_limit=3)
    assert [backlog.enter(-1, group=True) for _ in range(3)] == [True, True, False]
    assert backlog.enter(-2, group=True)  # another group has its own backlog
    assert [backlog.enter(7, group=False) for _ in range(4)] == [True, True, True, False]
    backlog.leave(-1)
    assert backlog.pending(-1) == 1 and backlog.enter(-1, group=True)
    with (
        backlog.slot(-3, group=True) as first,
        backlog.slot(-3, group=True) as second,
        backlog.slot(-3, group=True) as third,
    ):
        assert (first, second, third) == (True, True, False)
    assert backlog.pending(-3) == 0
    assert -3 not in backlog._pending  # idle chats take no memory


def test_backlog_defaults_are_small():
    assert 1 <= GROUP_BACKLOG <= telegram_app.GROUP_RATE
    assert GROUP_BACKLOG < PRIVATE_BACKLOG <= 8
    # a few flooded chats can never hold every update slot
    assert telegram_app.CONCURRENT_UPDATES >= 4 * PRIVATE_BACKLOG


# -- handlers: a full backlog -------------------------------------------------------------------


async def test_group_message_is_dropped_silently_while_the_backlog_is_full(
    app, feed, updates, request_recorder, qlog
):
    backlog: ChatBacklog = app.bot_data[handlers.BACKLOG]
    for _ in range(GROUP_BACKLOG):
        assert backlog.enter(GROUP_ID, group=True)
    mention = f"@{BOT_USERNAME}"
    await feed(updates.mention(f"{mention} {QUESTION}", mention, chat_type="supergroup"))
    await feed(updates.message(f"/ask {QUESTION}", chat_type="supergroup", user_id=77))
    await feed(updates.message("/start", chat_type="supergroup", user_id=78))
    assert request_recorder.api_calls() == [] and qlog.records == []
    backlog.leave(GROUP_ID)  # one reply went out: room for one more
    await feed(updates.message(f"/ask {QUESTION}", chat_type="supergroup", user_id=79))
    [sent] = request_recorder.sent()
    assert sent["chat_id"] == GROUP_ID
    assert backlog.pending(GROUP_ID) == GROUP_BACKLOG - 1  # the handler gave its slot back


async def test_button_gets_please_wait_while_the_backlog_is_full(
    app, feed, updates, request_recorder, engine
):
    backlog: ChatBacklog = app.bot_data[handlers.BACKLOG]
    for _ in range(GROUP_BACKLOG):
        backlog.enter(GROUP_ID, group=True)
    await feed(updates.callback(related_button(engine), chat_type="supergroup"))
    [alert] = request_recorder.sent("answerCallbackQuery")
    assert alert["text"] == BUSY and alert["show_alert"] is True
    assert request_recorder.sent() == []
    # feedback sends nothing into the chat: it is not held up by the backlog
    thumbs = encode(ButtonData(HELPFUL, "zh", "simplified", engine.fingerprint, "rid1"), [])
    await feed(updates.callback(thumbs, chat_type="supergroup", user_id=5))
    assert request_recorder.sent("answerCallbackQuery")[-1]["text"].startswith("谢谢")


async def test_private_backlog_is_capped_too(app, feed, updates, request_recorder):
    backlog: ChatBacklog = app.bot_data[handlers.BACKLOG]
    for _ in range(PRIVATE_BACKLOG):
        backlog.enter(USER_ID, group=False)
    await feed(updates.message(QUESTION))
    assert request_recorder.api_calls() == []
    await feed(updates.message(QUESTION, user_id=USER_ID + 1))  # another user is answered
    assert [s["chat_id"] for s in request_recorder.sent()] == [USER_ID + 1]


# -- handlers: the flood guard covers buttons and every command in groups ---------------------


async def test_one_user_pressing_sixty_times_gets_five_answers_and_one_notice(
    feed, updates, request_recorder, engine
):
    data = related_button(engine)
    async with asyncio.timeout(20):
        for _ in range(60):
            await feed(updates.callback(data, chat_type="supergroup", user_id=4711))
    assert len(request_recorder.sent()) == 5
    answers = request_recorder.sent("answerCallbackQuery")
    assert len(answers) == 60  # every press answered: no spinner left turning
    alerts = [a for a in answers if a.get("text")]
    assert [a["text"] for a in alerts] == [FLOOD_NOTICE]
    assert alerts[0]["show_alert"] is True


async def test_commands_in_groups_count_against_the_flood_guard(
    fast_limits, feed, updates, request_recorder
):
    commands = ["/start", "/help", "/reload", "/stats", "/start", "/help", "/start", "/unanswered"]
    async with asyncio.timeout(20):
        for command in commands:
            await feed(updates.message(command, chat_type="supergroup", user_id=4712))
    texts = [s["text"] for s in request_recorder.sent()]
    assert len(texts) == 6  # five replies (incl. two refusals), one notice, then silence
    assert FLOOD_NOTICE in texts[-1]
    await feed(updates.message("/start", chat_type="supergroup", user_id=4713))
    assert len(request_recorder.sent()) == 7  # other members are not affected


async def test_private_chats_have_no_flood_guard_only_pacing(
    fast_limits, feed, updates, request_recorder
):
    for _ in range(PRIVATE_BACKLOG + 2):
        await feed(updates.message(QUESTION))  # one at a time: all answered
    assert len(request_recorder.sent()) == PRIVATE_BACKLOG + 2


# -- the whole Application: 60 presses in one group vs one private question ------------------


@pytest.fixture
async def running_app(
    settings: Any, engine: Any, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Any, RecordingRequest]]:
    """The Application processing updates from its update_queue, CONCURRENTLY as in production.

    Real time, scaled down: a group's allowance is 5 per 1.5 s instead of 5 per 15 s (the
    overall and private limits are the production ones)."""
    monkeypatch.setattr(
        telegram_app, "rate_limiter", lambda: telegram_app.PacedRateLimiter(group_period=1.5)
    )
    request = RecordingRequest()
    app = telegram_app.build_application(settings, engine, FakeQuestionLog(), request=request)  # type: ignore[arg-type]
    await app.initialize()
    await app.start()
    request.clear()
    try:
        yield app, request
    finally:
        async with asyncio.timeout(60):
            await app.stop()  # waits until every update is handled
            await app.shutdown()


async def _wait(predicate: Callable[[], Any], seconds: float) -> Any:
    """predicate()'s first truthy value within `seconds`, else None."""
    deadline = time.monotonic() + seconds
    while not (found := predicate()):
        if time.monotonic() > deadline:
            return None
        await asyncio.sleep(0.01)
    return found


@pytest.mark.parametrize("pressers", [60, 1])
async def test_sixty_presses_in_one_group_do_not_delay_a_private_answer(
    running_app, engine, pressers
):
    """Before: every press held one of the 32 update slots while it waited for the group's
    allowance (5 per 15 s), so a private question waited minutes for a free slot."""
    app, request = running_app
    updates = Updates()
    data = related_button(engine)
    for i in range(60):
        press = updates.callback(data, chat_type="supergroup", user_id=5000 + i % pressers)
        await app.update_queue.put(Update.de_json(press, app.bot))
    await asyncio.sleep(0.2)  # the presses are being handled: slots taken, group bucket empty

    asked = time.monotonic()
    await app.update_queue.put(Update.de_json(updates.message(QUESTION), app.bot))

    def private_answer() -> Any:
        sent = [c for c in request.calls if c.method == "sendMessage" and c.ok]
        return [c for c in sent if int(c.params["chat_id"]) == USER_ID]

    answered = await _wait(private_answer, 3.0)
    assert answered, "the private question was not answered within 3 s"
    delay = answered[0].at - asked
    assert delay < 1.0, f"the private answer took {delay:.2f} s"

    # every press is answered at once: an answer, "please wait", or (flood) a plain ack
    presses = await _wait(lambda: len(request.sent("answerCallbackQuery")) >= 60, 10.0)
    assert presses, len(request.sent("answerCallbackQuery"))
    group_messages = [s for s in request.sent() if int(s["chat_id"]) == GROUP_ID]
    assert len(group_messages) <= 60
    if pressers == 1:  # one user: the flood guard lets 5 through
        assert len(group_messages) <= 5
    alerts = {a.get("text") for a in request.sent("answerCallbackQuery")} - {None}
    assert alerts <= {BUSY, FLOOD_NOTICE}


async def test_admin_commands_in_groups_are_flood_guarded_for_admins_too(
    fast_limits, feed, updates, request_recorder
):
    for _ in range(7):
        await feed(updates.message("/stats", chat_type="supergroup", user_id=ADMIN_ID))
    texts = [s["text"] for s in request_recorder.sent()]
    assert len(texts) == 6 and FLOOD_NOTICE in texts[-1]
