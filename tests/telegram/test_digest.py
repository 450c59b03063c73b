"""The admins' daily digest (BOT_DIGEST_HOUR): when it is due, what it says, that it is sent."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from telegram import Update
from test_admin import app_with_real_log
from tg_helpers import ADMIN_ID

from bot.config import ConfigError, Settings
from bot.telegram import staff

CHINA = staff.DIGEST_ZONE


def test_the_digest_is_due_at_the_hour_in_china() -> None:
    half_past_eight = datetime(2026, 12, 2, 8, 30, tzinfo=CHINA)
    assert staff.seconds_until(9, half_past_eight) == 1800
    assert staff.seconds_until(9, half_past_eight.replace(hour=9, minute=0)) == 86400  # just sent
    # 23:30 UTC is 07:30 the next morning in Guangzhou
    assert staff.seconds_until(9, datetime(2026, 12, 1, 23, 30, tzinfo=UTC)) == 5400


def test_bot_digest_hour_is_read_and_checked() -> None:
    assert Settings.from_env({}).digest_hour is None
    assert Settings.from_env({"BOT_DIGEST_HOUR": "8"}).digest_hour == 8
    for bad in ("24", "nine", "-1"):
        try:
            Settings.from_env({"BOT_DIGEST_HOUR": bad})
        except ConfigError as exc:
            assert "BOT_DIGEST_HOUR" in str(exc)
        else:
            raise AssertionError(f"BOT_DIGEST_HOUR={bad} was accepted")


async def test_the_digest_counts_and_lists_what_was_missed(settings, engine, log_location, updates):
    missed = "xyzzy 海珠区的公交车几点收班"
    async with app_with_real_log(settings, engine, log_location) as (app, qlog, request):
        for text in ("海珠区有多少托位", missed, missed):
            await app.process_update(Update.de_json(updates.message(text), app.bot))
        qlog.flush()
        request.clear()
        assert await staff.send_digest(app.bot_data, app.bot) == 1
        [sent] = request.sent()
        assert sent["chat_id"] == ADMIN_ID
        assert "3 question(s)" in sent["text"] and "answered 1" in sent["text"]
        assert f"「{missed}」 ×2" in sent["text"]


async def test_the_loop_sends_once_at_the_hour_and_stops_when_cancelled(
    settings, engine, log_location, updates
):
    hour = datetime(2026, 12, 2, 9, 0, tzinfo=CHINA)
    times = iter([hour - timedelta(seconds=0.05), hour + timedelta(seconds=1)])
    async with app_with_real_log(settings, engine, log_location) as (app, _, request):
        request.clear()
        task = asyncio.create_task(
            staff.digest_loop(app.bot_data, app.bot, 9, now=lambda: next(times))
        )
        for _ in range(100):
            await asyncio.sleep(0.02)
            if request.sent():
                break
        await asyncio.sleep(0.1)
        task.cancel()
        assert [s["chat_id"] for s in request.sent()] == [ADMIN_ID]
        assert request.sent()[0]["text"].startswith("Daily digest: 0 question(s)")
