"""The inbox: an update is written down before it is queued (so before Telegram is told it
arrived), queued once however often it is delivered, crossed off when handled, and what was
not crossed off is queued again after a restart."""

from __future__ import annotations

from pathlib import Path

from telegram import Update
from tg_helpers import RecordingRequest

from bot.telegram.app import build_application
from bot.telegram.inbox import Inbox, InboxApplication, InboxQueue


async def test_an_update_delivered_twice_is_queued_once_and_crossed_off_when_handled(
    settings, engine, updates, tmp_path: Path
):
    inbox = Inbox(tmp_path / "inbox.sqlite3")
    app = build_application(settings, engine, None, request=RecordingRequest(), inbox=inbox)
    assert isinstance(app, InboxApplication) and isinstance(app.update_queue, InboxQueue)
    await app.initialize()
    try:
        update = Update.de_json(updates.message("海珠有多少托位"), app.bot)
        await app.update_queue.put(update)
        await app.update_queue.put(update)  # Telegram delivered it again
        assert app.update_queue.qsize() == 1
        assert [u for u, _ in inbox.pending()] == [update.update_id]  # on disk before handling
        queued = app.update_queue.get_nowait()
        await app.process_update(queued)
        assert inbox.pending() == []
    finally:
        await app.shutdown()
        inbox.close()


async def test_what_was_not_handled_is_queued_again_after_a_restart(
    settings, engine, updates, tmp_path: Path
):
    path = tmp_path / "inbox.sqlite3"
    inbox = Inbox(path)
    app = build_application(settings, engine, None, request=RecordingRequest(), inbox=inbox)
    await app.initialize()
    update = Update.de_json(updates.message("海珠有多少托位"), app.bot)
    await app.update_queue.put(update)  # received; then the process dies
    await app.shutdown()
    inbox.close()

    again = Inbox(path)
    app = build_application(settings, engine, None, request=RecordingRequest(), inbox=again)
    await app.initialize()
    try:
        queue = app.update_queue
        assert isinstance(queue, InboxQueue)
        assert await queue.replay(app.bot) == 1
        replayed = queue.get_nowait()
        assert isinstance(replayed, Update) and replayed.update_id == update.update_id
        await queue.put(update)  # and a late re-delivery of it is not handled twice
        assert queue.qsize() == 0
    finally:
        await app.shutdown()
        again.close()


def test_an_inbox_that_cannot_write_still_lets_updates_through_once(tmp_path) -> None:
    """A full disk or a broken file must not end polling (the bot would go deaf): the update is
    handled unrecorded, and a re-delivery to this process is still dropped."""
    from bot.telegram.inbox import Inbox

    inbox = Inbox(tmp_path / "inbox.sqlite3")
    inbox._conn.close()  # every statement now raises sqlite3.ProgrammingError
    assert inbox.add(7, "{}") is True
    assert inbox.add(7, "{}") is False
    inbox.done(7)  # logged, not raised
