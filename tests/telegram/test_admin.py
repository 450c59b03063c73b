"""Admin commands, offline: /reload (success, broken content, refusal), SIGHUP reload,
/stats and /unanswered with a real question log, setMyCommands."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import threading
import time
from pathlib import Path

import pytest
from telegram import Update
from tg_helpers import (
    ADMIN_ID,
    BOT_USERNAME,
    GROUP_ID,
    TOKEN,
    USER_ID,
    FakeQuestionLog,
    RecordingRequest,
)

from bot.questionlog import QuestionLog, open_log
from bot.telegram import handlers
from bot.telegram.app import build_application, set_commands, sighup_reload
from bot.telegram.send import ui

QUESTION = "海珠区有多少托位"
SECRET_QUESTION = "xyzzy 我家的私事能不能帮忙 qwerty"


@contextlib.asynccontextmanager
async def app_with_real_log(settings, engine, db: Path | str):  # type: ignore[no-untyped-def]
    """An offline Application with a real question log at `db` (a SQLite path, or a
    postgresql:// URL)."""
    qlog = open_log(db, secret="test-secret", retention_days=90)
    request = RecordingRequest()
    app = build_application(settings, engine, qlog, request=request)
    await app.initialize()
    try:
        yield app, qlog, request
    finally:
        await app.shutdown()
        qlog.close()


def first_yaml(folder: Path) -> Path:
    return sorted(p for p in folder.glob("*.yaml"))[0]


async def test_reload_by_admin_swaps_engine_and_reports_changes(
    app, feed, updates, request_recorder, settings
):
    old = app.bot_data[handlers.ENGINE]
    path = first_yaml(settings.intents_dir)
    text = path.read_text(encoding="utf-8")
    # one more example for the first intent: a real content change
    text = re.sub(r"(\n(\s+)zh:\n(\s+)- )", r"\1新增的测试问法甲乙丙\n\3- ", text, count=1)
    path.write_text(text, encoding="utf-8")

    await feed(updates.message("/reload", user_id=ADMIN_ID))

    [sent] = request_recorder.sent()
    assert sent["text"].startswith("<b>Reloaded:")
    new = app.bot_data[handlers.ENGINE]
    assert new is not old
    assert new.fingerprint != old.fingerprint
    assert "examples: +1" in sent["text"]


async def test_reload_with_broken_content_keeps_old_engine(
    app, feed, updates, request_recorder, settings, engine
):
    old = app.bot_data[handlers.ENGINE]
    broken = first_yaml(settings.intents_dir)
    broken.write_text("intents:\n  - id: <broken & bad>\n    title: [unclosed\n", encoding="utf-8")

    await feed(updates.message("/reload", user_id=ADMIN_ID))

    [sent] = request_recorder.sent()
    assert sent["text"].startswith("<b>Reload failed")
    assert f"{broken}:" in sent["text"]  # problems as path:line: message
    assert re.search(re.escape(str(broken)) + r":\d+: ", sent["text"])
    assert app.bot_data[handlers.ENGINE] is old
    # RecordingRequest already checked the HTML: a "<" or "&" from the file is escaped

    request_recorder.clear()
    await feed(updates.message(QUESTION))  # the old engine still answers
    [answer] = request_recorder.sent()
    assert answer["text"] == engine.ask(QUESTION).text.replace("&", "&amp;").replace("<", "&lt;")


async def test_reload_problem_list_is_trimmed_to_one_message(
    app, feed, updates, request_recorder, settings
):
    for i in range(400):
        (settings.intents_dir / f"zz_bad_{i:03d}.yaml").write_text("intents: [\n", encoding="utf-8")
    await feed(updates.message("/reload", user_id=ADMIN_ID))
    [sent] = request_recorder.sent()  # one message, <= 4096 (checked by RecordingRequest)
    assert sent["text"].startswith("<b>Reload failed")
    assert "… (+" in sent["text"]


async def test_reload_by_non_admin_is_refused_and_logged(
    app, feed, updates, request_recorder, caplog
):
    old = app.bot_data[handlers.ENGINE]
    with caplog.at_level(logging.WARNING, logger="bot.telegram.handlers"):
        await feed(updates.message("/reload", user_id=USER_ID, chat_type="supergroup"))
    [sent] = request_recorder.sent()
    assert "管理员" in sent["text"]
    assert app.bot_data[handlers.ENGINE] is old
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert str(USER_ID) in warning.getMessage() and str(GROUP_ID) in warning.getMessage()


async def test_stats_and_unanswered_refused_for_non_admin(feed, updates, request_recorder):
    await feed(updates.message("/stats", language_code="en"))
    await feed(updates.message("/unanswered 3", language_code="en"))
    texts = [s["text"] for s in request_recorder.sent()]
    assert texts == ["Sorry, this command is for administrators only."] * 2


async def test_two_reloads_do_not_interleave(app, settings):
    import asyncio

    results = await asyncio.gather(
        handlers.reload_engine(app.bot_data), handlers.reload_engine(app.bot_data)
    )
    assert all(r.ok for r in results)
    assert not app.bot_data[handlers.RELOAD_LOCK].locked()


async def test_sighup_reload_logs_problems(app, settings, caplog):
    old = app.bot_data[handlers.ENGINE]
    first_yaml(settings.data_dir).write_text("facts: [\n", encoding="utf-8")
    with caplog.at_level(logging.INFO):
        result = await sighup_reload(app)
    assert not result.ok
    assert app.bot_data[handlers.ENGINE] is old
    assert any("Reload failed" in r.getMessage() for r in caplog.records)


async def test_stats_and_unanswered_with_real_question_log(settings, engine, log_location, updates):
    from telegram import Update

    async with app_with_real_log(settings, engine, log_location) as (app, qlog, request):

        async def feed(data: dict) -> None:
            await app.process_update(Update.de_json(data, app.bot))

        await feed(updates.message(QUESTION))
        await feed(updates.message("xyzzy 完全无关的问题 qwerty"))
        qlog.flush()
        request.clear()
        await feed(updates.message("/stats 1", user_id=ADMIN_ID))
        await feed(updates.message("/unanswered", user_id=ADMIN_ID))
        stats, unanswered, group = (s["text"] for s in request.sent()[:3])
        assert "Questions, last 1 day" in stats and ": 2" in stats.splitlines()[0]
        assert "xyzzy" in unanswered
        # the group comes again on its own, with the buttons that fix it
        assert "xyzzy" in group
        labels = [
            b["text"] for row in request.sent()[2]["reply_markup"]["inline_keyboard"] for b in row
        ]
        assert {"Another topic…", "Not in the report", "Ignore"} <= set(labels)


async def test_log_reports_when_log_is_off(settings, engine, updates):
    from telegram import Update

    request = RecordingRequest()
    app = build_application(settings, engine, None, request=request)
    await app.initialize()
    try:
        await app.process_update(
            Update.de_json(updates.message("/stats", user_id=ADMIN_ID), app.bot)
        )
        [sent] = request.sent()
        assert "off" in sent["text"]
    finally:
        await app.shutdown()


async def test_set_commands_lists_admin_commands_for_admins(app, request_recorder):
    await set_commands(app)
    calls = request_recorder.sent("setMyCommands")
    assert len(calls) == 3
    assert [c["command"] for c in calls[0]["commands"]] == ["start", "help", "ask"]
    assert calls[1]["language_code"] == "en"
    assert calls[2]["scope"] == {"type": "chat", "chat_id": ADMIN_ID}
    assert {"reload", "stats", "unanswered"} <= {c["command"] for c in calls[2]["commands"]}
    assert TOKEN not in str(calls)


# -- admin commands in groups ------------------------------------------------------------------


@pytest.mark.parametrize("command", ["/stats", "/unanswered", f"/unanswered@{BOT_USERNAME} 30"])
async def test_log_commands_are_private_only(settings, engine, log_location, updates, command):
    """The log holds citizens' questions: never posted to a community group."""
    async with app_with_real_log(settings, engine, log_location) as (app, qlog, request):
        await app.process_update(Update.de_json(updates.message(SECRET_QUESTION), app.bot))
        qlog.flush()
        request.clear()
        group_command = updates.message(command, chat_type="supergroup", user_id=ADMIN_ID)
        await app.process_update(Update.de_json(group_command, app.bot))
        [sent] = request.sent()
        assert sent["chat_id"] == GROUP_ID
        assert sent["text"] == ui("private_only", "zh", "simplified")
        assert SECRET_QUESTION not in sent["text"]

        request.clear()  # in the admin's private chat it works
        private_command = updates.message(command.split("@")[0], user_id=ADMIN_ID)
        await app.process_update(Update.de_json(private_command, app.bot))
        sent = request.sent()[0]  # (/unanswered: then each group with its buttons)
        assert sent["chat_id"] == ADMIN_ID and "last" in sent["text"]
        assert all(s["chat_id"] == ADMIN_ID for s in request.sent())


async def test_log_commands_in_groups_still_refuse_non_admins(feed, updates, request_recorder):
    await feed(updates.message("/unanswered", chat_type="supergroup", language_code="en"))
    [sent] = request_recorder.sent()
    assert sent["text"] == "Sorry, this command is for administrators only."


async def test_reload_in_a_group_sends_the_problems_to_the_admin_privately(
    app, feed, updates, request_recorder, settings
):
    broken = first_yaml(settings.intents_dir)
    broken.write_text("intents:\n  - id: <broken & bad>\n    title: [unclosed\n", encoding="utf-8")
    update = updates.message(f"/reload@{BOT_USERNAME}", chat_type="supergroup", user_id=ADMIN_ID)
    await feed(update)
    private, group = request_recorder.sent()
    assert private["chat_id"] == ADMIN_ID
    assert private["text"].startswith("<b>Reload failed") and f"{broken}:" in private["text"]
    assert group["chat_id"] == GROUP_ID
    assert group["reply_parameters"]["message_id"] == update["message"]["message_id"]
    assert group["text"].startswith("Reload failed: ") and "private chat" in group["text"]
    assert str(broken) not in group["text"] and "yaml" not in group["text"]


async def test_reload_in_a_group_trims_the_problems_when_the_admin_cannot_be_told(
    app, feed, updates, request_recorder, settings
):
    for i in range(40):
        (settings.intents_dir / f"zz_bad_{i:03d}.yaml").write_text("intents: [\n", encoding="utf-8")
    request_recorder.fail_next("sendMessage", 403)  # the admin never opened a chat with the bot
    await feed(updates.message("/reload", chat_type="supergroup", user_id=ADMIN_ID))
    [refused] = [c for c in request_recorder.attempts() if not c.ok]
    assert int(refused.params["chat_id"]) == ADMIN_ID
    [group] = request_recorder.sent()
    assert group["chat_id"] == GROUP_ID and group["text"].startswith("<b>Reload failed")
    shown = [line for line in group["text"].splitlines() if ".yaml:" in line]
    assert len(shown) == handlers.GROUP_RELOAD_LINES
    assert re.search(r"… \(\+\d+\)$", group["text"])


async def test_reload_in_a_private_chat_is_unchanged(app, feed, updates, request_recorder):
    await feed(updates.message("/reload", user_id=ADMIN_ID))
    [sent] = request_recorder.sent()
    assert sent["chat_id"] == ADMIN_ID and sent["text"].startswith("<b>Reloaded:")


class ThreadRecordingLog(FakeQuestionLog):
    """A question log whose reads record the thread they run in (and take a while)."""

    def __init__(self) -> None:
        super().__init__()
        self.read_threads: list[threading.Thread] = []

    path = None  # reads as empty

    def now(self) -> float:
        self.read_threads.append(threading.current_thread())
        time.sleep(0.2)
        return time.time()


@pytest.mark.parametrize("command", ["/unanswered", "/stats"])
async def test_log_reads_run_off_the_event_loop(settings, engine, updates, command):
    qlog = ThreadRecordingLog()
    request = RecordingRequest()
    app = build_application(settings, engine, qlog, request=request)  # type: ignore[arg-type]
    await app.initialize()
    try:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        tick_task = asyncio.create_task(ticker())
        await app.process_update(
            Update.de_json(updates.message(command, user_id=ADMIN_ID), app.bot)
        )
        tick_task.cancel()
        [thread] = qlog.read_threads
        assert thread is not threading.main_thread()
        assert ticks >= 5  # the loop kept running while the log was read
        assert len(request.sent()) == 1
    finally:
        await app.shutdown()


async def test_bot_still_answers_when_the_question_log_cannot_be_written(
    settings, engine, tmp_path, updates, caplog
):
    """A database that cannot be created (its folder is a file) is logged; citizens still get
    their answers, and nothing raises into the handler."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with caplog.at_level(logging.ERROR, logger="bot.questionlog.store"):
        async with app_with_real_log(settings, engine, blocker / "q.sqlite3") as (
            app,
            qlog,
            request,
        ):
            await app.process_update(Update.de_json(updates.message(QUESTION), app.bot))
            await app.process_update(Update.de_json(updates.message("今天天气怎么样"), app.bot))
            qlog.flush()
            answers = [s["text"] for s in request.sent()]
            assert len(answers) == 2
            assert "10921" in answers[0] and "12345" in answers[1]
            assert any("question log" in r.getMessage().lower() for r in caplog.records)


async def test_stats_says_so_when_the_log_could_not_be_opened(settings, engine, updates, tmp_path):
    from telegram import Update

    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    qlog = QuestionLog(blocked / "q.sqlite3", secret="s")  # its folder cannot be made
    qlog.start()
    assert not qlog.recording
    request = RecordingRequest()
    app = build_application(settings, engine, qlog, request=request)
    await app.initialize()
    try:
        await app.process_update(
            Update.de_json(updates.message("/stats", user_id=ADMIN_ID), app.bot)
        )
        [sent] = request.sent()
        assert "could not be opened" in sent["text"] and "0" not in sent["text"].split()[0]
    finally:
        await app.shutdown()
        qlog.close()
