"""Nothing accepted is lost: every update is written down before Telegram is told it arrived,
and crossed off once it has been handled.

python-telegram-bot confirms the updates it fetched with its next poll (and a webhook update with
its 200), before the handlers have run; a process killed then (kill -9, an OOM kill, Docker's kill
after its stop timeout) used to lose them. `InboxQueue` is the Application's update queue: putting
an update first stores it in a small SQLite table, so it is on disk before the poll that confirms
it, and an update Telegram delivers again (same update_id) is handled once. `InboxApplication`
crosses an update off after its handlers ran. At the start, what was stored and not crossed off
is handled again (`replay`).

The window that remains: an answer sent in the instant between Telegram accepting it and the
update being crossed off is sent again after a restart; Telegram's sendMessage offers no
idempotency key to close it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

from telegram import Update
from telegram.ext import Application

logger = logging.getLogger(__name__)

KEEP_DONE = 86400.0  # seconds a handled update_id is remembered (Telegram re-delivers within)
PRUNE_EVERY = 1000  # updates received between two prunes of the handled ones
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS inbox (update_id INTEGER PRIMARY KEY, body TEXT NOT NULL,"
    " received REAL NOT NULL, done REAL)"
)


class Inbox:
    """The updates received, in SQLite (WAL): pending until crossed off."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = NORMAL")  # survives a process kill
        self._conn.execute(_SCHEMA)
        self._lock = threading.Lock()
        self._unrecorded: set[int] = set()
        self.prune()

    def add(self, update_id: int, body: str) -> bool:
        """Store a received update; False when it was received before (a re-delivery).

        When the file cannot be written (a full disk), the update is still handled, unrecorded
        (raising here would end python-telegram-bot's polling, and the bot would go deaf); its
        id is remembered, so a re-delivery to this process is still dropped."""
        with self._lock:
            if update_id in self._unrecorded:
                return False
            try:
                cur = self._conn.execute(
                    "INSERT OR IGNORE INTO inbox (update_id, body, received) VALUES (?, ?, ?)",
                    (update_id, body, time.time()),
                )
            except sqlite3.Error as exc:
                logger.error("Inbox cannot record update %s (%s); handling it", update_id, exc)
                if len(self._unrecorded) > 100_000:
                    self._unrecorded.clear()
                self._unrecorded.add(update_id)
                return True
            return cur.rowcount == 1

    def done(self, update_id: int) -> None:
        with self._lock:
            try:
                self._conn.execute(
                    "UPDATE inbox SET done = ? WHERE update_id = ?", (time.time(), update_id)
                )
            except sqlite3.Error as exc:  # it is replayed after a restart: answered twice
                logger.error("Inbox cannot cross off update %s (%s)", update_id, exc)

    def pending(self) -> list[tuple[int, str]]:
        with self._lock:
            return list(
                self._conn.execute(
                    "SELECT update_id, body FROM inbox WHERE done IS NULL ORDER BY update_id"
                )
            )

    def prune(self) -> None:
        """Forget updates handled more than KEEP_DONE ago."""
        with self._lock:
            self._conn.execute(
                "DELETE FROM inbox WHERE done IS NOT NULL AND done < ?", (time.time() - KEEP_DONE,)
            )

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class UpdateInbox(Protocol):
    """What InboxQueue needs of an inbox: `Inbox` (SQLite) or bot.telegram.pg_inbox.PgInbox."""

    def add(self, update_id: int, body: str) -> bool: ...
    def done(self, update_id: int) -> None: ...
    def pending(self) -> list[tuple[int, str]]: ...
    def prune(self) -> None: ...
    def close(self) -> None: ...


class InboxQueue(asyncio.Queue[object]):
    """The Application's update queue, writing each update down before it is queued."""

    def __init__(self, inbox: UpdateInbox) -> None:
        super().__init__()
        self.inbox = inbox
        self.on_duplicate: Callable[[], None] | None = None  # told of every re-delivery
        # The inbox's own threads: writing an update down or crossing it off never waits behind
        # other work in the default executor (the time between an answer sent and its update
        # crossed off is the window in which a kill makes a restart send it again).
        self._threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="inbox")
        self._crossed: set[int] = set()
        self._received = 0

    def _prune(self) -> None:
        try:
            self.inbox.prune()
        except Exception as exc:
            logger.warning("Inbox not pruned: %s", exc)

    async def _run(self, call: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._threads, call, *args)

    async def cross_off(self, update_id: int) -> None:
        """Cross an update off now (once: InboxApplication's own crossing off then skips)."""
        if update_id in self._crossed:
            return
        self._crossed.add(update_id)
        await self._run(self.inbox.done, update_id)

    def forget_crossed(self, update_id: int) -> None:
        self._crossed.discard(update_id)

    async def release(self, update_ids: list[int]) -> None:
        """At a stop: updates set aside stay in the inbox (written down, not crossed off) for
        the restart; a shared inbox also lets the other replicas take them at once."""
        release = getattr(self.inbox, "release", None)
        if update_ids and release is not None:
            await self._run(release, update_ids)

    async def put(self, item: object) -> None:
        if isinstance(item, Update):
            self._received += 1
            if self._received % PRUNE_EVERY == 0:  # the handled ones are forgotten as it runs
                await self._run(self._prune)
            body = json.dumps(item.to_dict(), ensure_ascii=False)
            if not await self._run(self.inbox.add, item.update_id, body):
                logger.info("Update %s delivered again: already received", item.update_id)
                if self.on_duplicate is not None:
                    self.on_duplicate()
                return
        await super().put(item)

    async def replay(self, bot: Any) -> int:
        """Queue again what was received and not handled (a restart after a kill)."""
        pending = await asyncio.to_thread(self.inbox.pending)
        for update_id, body in pending:
            try:
                update = Update.de_json(json.loads(body), bot)
            except (ValueError, TypeError, KeyError):
                logger.warning("Stored update %s cannot be read; dropped", update_id)
                await asyncio.to_thread(self.inbox.done, update_id)
                continue
            await super().put(update)
        if pending:
            logger.info("Handling %d update(s) received before a restart", len(pending))
        return len(pending)


class InboxApplication(Application):  # type: ignore[type-arg]
    """Crosses an update off the inbox once its handlers have run (whatever they did), and
    counts it for /metrics (bot_data["metrics"], when there is one).

    Once `stopping` is set, an update whose handling has not begun is set aside (`aside`): it
    stays in the inbox for the restart, so a stop waits only for the handlers already running
    (at most CONCURRENT_UPDATES), not for every update received."""

    stopping = False
    aside: list[int]

    async def process_update(self, update: object) -> None:
        queue = self.update_queue
        if self.stopping and isinstance(update, Update) and isinstance(queue, InboxQueue):
            if not hasattr(self, "aside"):
                self.aside = []
            self.aside.append(update.update_id)
            return
        result = "failed"
        try:
            await super().process_update(update)
            result = "handled"
        finally:
            metrics = self.bot_data.get("metrics")
            if metrics is not None and isinstance(update, Update):
                metrics.update(result)
            queue = self.update_queue
            if isinstance(update, Update) and isinstance(queue, InboxQueue):
                await queue.cross_off(update.update_id)
                queue.forget_crossed(update.update_id)
