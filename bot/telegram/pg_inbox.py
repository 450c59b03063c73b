"""The inbox of received updates in PostgreSQL, shared by the replicas behind a load balancer.

`PgInbox` has `Inbox`'s methods (bot.telegram.inbox), so `InboxQueue` and `InboxApplication`
use it as they are: an update is written down before Telegram is told it arrived, handled once
however often (and to whichever replica) it is delivered, crossed off once handled.

With several replicas each row records which replica claimed it (`owner`) and when
(`claimed`, the database's clock). A replica replays, at its start, what it claimed itself and
did not finish (its owner name must survive a restart: BOT_REPLICA, else hostname:pid), and
takes over the rows whose claim is older than the lease: their replica died. A live replica
renews the claims of what it holds (`renew`), so a slow update is not taken from it; rows are
claimed with FOR UPDATE SKIP LOCKED, so two replicas never both replay the same one.
`PgInboxQueue` is the queue that does this every lease/4 seconds while the bot runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator

import psycopg
from psycopg.rows import TupleRow
from telegram import Bot, Update

from bot.storage.pg import Pool, describe_error, migrate
from bot.telegram.inbox import KEEP_DONE, InboxQueue

logger = logging.getLogger(__name__)

STORE = "inbox"
MIGRATIONS: list[list[str]] = [
    [
        "CREATE TABLE telegram_inbox (update_id BIGINT PRIMARY KEY, body TEXT NOT NULL,"
        " received TIMESTAMPTZ NOT NULL DEFAULT now(), owner TEXT NOT NULL,"
        " claimed TIMESTAMPTZ NOT NULL DEFAULT now(), done TIMESTAMPTZ)",
        "CREATE INDEX telegram_inbox_open ON telegram_inbox (claimed) WHERE done IS NULL",
        "CREATE INDEX telegram_inbox_done ON telegram_inbox (done) WHERE done IS NOT NULL",
    ],
]
LEASE = 60.0  # seconds: a claim older than this belongs to a replica that died
TIMEOUT = 5.0  # seconds to wait for a pooled connection
PRUNE_BATCH = 10_000  # rows deleted at most by one prune
UNRECORDED_KEPT = 10_000  # ids of updates received while the database failed, remembered
WARN_EVERY = 60.0  # seconds between two warnings about updates not written down
BACKOFF = 5.0  # seconds add and done leave a failed database alone (no wait per update)

_ADD = (
    "INSERT INTO telegram_inbox (update_id, body, owner) VALUES (%s, %s, %s)"
    " ON CONFLICT (update_id) DO NOTHING"
)
_DONE = "UPDATE telegram_inbox SET done = now() WHERE update_id = ANY(%s) AND done IS NULL"
# Claims what is not done and is this replica's own or left by a dead one (claim older than the
# lease). FOR UPDATE SKIP LOCKED: a row another replica is claiming this instant is not waited
# for but skipped; once that replica committed, the row is its own and no longer expired (READ
# COMMITTED re-checks the condition on the newest version of a row it locks).
_PENDING = (
    "UPDATE telegram_inbox SET owner = %(owner)s, claimed = now() WHERE update_id IN ("
    " SELECT update_id FROM telegram_inbox WHERE done IS NULL AND (owner = %(owner)s"
    " OR claimed < now() - make_interval(secs => %(lease)s))"
    " ORDER BY update_id FOR UPDATE SKIP LOCKED)"
    " RETURNING update_id, body"
)
_ADOPT = (
    "UPDATE telegram_inbox SET owner = %(owner)s, claimed = now() WHERE update_id IN ("
    " SELECT update_id FROM telegram_inbox WHERE done IS NULL AND owner <> %(owner)s"
    " AND claimed < now() - make_interval(secs => %(lease)s)"
    " ORDER BY update_id FOR UPDATE SKIP LOCKED)"
    " RETURNING update_id, body"
)
_RENEW = "UPDATE telegram_inbox SET claimed = now() WHERE owner = %s AND done IS NULL"
# a stopping replica lets go of updates it will not handle: the lease is over at once
_RELEASE = (
    "UPDATE telegram_inbox SET claimed = to_timestamp(0) WHERE owner = %s AND done IS NULL"
    " AND update_id = ANY(%s)"
)
_PRUNE = (
    "DELETE FROM telegram_inbox WHERE ctid = ANY(ARRAY(SELECT ctid FROM telegram_inbox"
    " WHERE done < now() - make_interval(secs => %s) LIMIT %s))"
)


def default_owner() -> str:
    """This replica's name: BOT_REPLICA, else hostname:pid (a container's hostname and pid
    usually survive its restart; set BOT_REPLICA where they do not)."""
    return os.environ.get("BOT_REPLICA") or f"{socket.gethostname()}:{os.getpid()}"


class PgInbox:
    """The updates received by all replicas, in table `telegram_inbox`: pending until crossed
    off. Creating it applies its migrations (store "inbox") and prunes old rows.

    Two live replicas must never share an `owner` name: each would replay the other's updates.
    Database failures are raised by `pending`, `adopt` and `prune` (start-up: the bot does not
    start without its database); `add` handles the update unrecorded, `done` and `renew` log
    them, and `done` crosses the update off at its next successful call."""

    def __init__(
        self,
        pool: Pool,
        owner: str | None = None,
        *,
        lease: float = LEASE,
        timeout: float = TIMEOUT,
        backoff: float = BACKOFF,
    ) -> None:
        self.owner = owner or default_owner()
        self.lease = lease
        self.pool = pool
        self._timeout = timeout
        self._backoff = backoff
        self._lock = threading.Lock()
        self._undone: set[int] = set()  # handled, but the database did not hear of it yet
        self._unrecorded: OrderedDict[int, None] = OrderedDict()  # received while it failed
        self._warned_at: float | None = None
        self._failures = 0
        self._down_until = 0.0  # time.monotonic(): add and done do not try before then
        migrate(pool, STORE, MIGRATIONS)
        self.prune()

    def add(self, update_id: int, body: str) -> bool:
        """Store a received update, claimed by this replica; False when it was received
        before, by any replica (a re-delivery).

        When the database fails (after waiting `timeout` for a connection; then for `backoff`
        seconds without trying) the update is handled all the same, unrecorded: True, and this
        process remembers the id (the last UNRECORDED_KEPT) so a re-delivery to it is still
        dropped. Raising instead would end python-telegram-bot's polling loop (it retries only
        TelegramErrors)."""
        with self._lock:
            if update_id in self._unrecorded:
                return False
        if time.monotonic() >= self._down_until:
            try:
                with self._connection() as conn:
                    return conn.execute(_ADD, (update_id, body, self.owner)).rowcount == 1
            except psycopg.Error as exc:
                self._down_until = time.monotonic() + self._backoff
                problem = describe(exc, self.pool)
        else:
            problem = "the database failed moments ago"
        with self._lock:
            self._unrecorded[update_id] = None
            while len(self._unrecorded) > UNRECORDED_KEPT:
                self._unrecorded.popitem(last=False)
            self._failures += 1
            now = time.monotonic()
            if self._warned_at is not None and now - self._warned_at < WARN_EVERY:
                return True
            self._warned_at, failures, self._failures = now, self._failures, 0
        logger.warning(
            "inbox: update %s not written down (%s); handled without it (%d since the last "
            "warning): one a kill interrupts now is lost",
            update_id,
            problem,
            failures,
        )
        return True

    def done(self, update_id: int) -> None:
        """Cross the update off (and any whose crossing off failed before)."""
        with self._lock:
            self._undone.add(update_id)
        self._flush_done()

    def pending(self) -> list[tuple[int, str]]:
        """At start-up: (update_id, body) not crossed off that are this replica's own or
        whose claim is older than the lease, claimed by this replica now, by update_id."""
        return self._claim(_PENDING)

    def adopt(self) -> list[tuple[int, str]]:
        """While running: other replicas' rows not crossed off whose claim is older than the
        lease (their replica died), claimed by this replica now, by update_id."""
        return self._claim(_ADOPT)

    def release(self, update_ids: list[int]) -> int:
        """Let go of updates this replica will not handle (it is stopping): another replica
        adopts them at its next look, instead of after the lease. Returns how many."""
        if not update_ids:
            return 0
        try:
            with self._connection() as conn:
                return conn.execute(_RELEASE, (self.owner, list(update_ids))).rowcount
        except psycopg.Error as exc:
            logger.warning("inbox: updates not released (%s)", describe(exc, self.pool))
            return 0

    def renew(self) -> int:
        """Refresh the claims on what this replica holds (an update still queued or being
        handled is not dead); returns how many. Run it well within the lease."""
        self._flush_done()
        try:
            with self._connection() as conn:
                return conn.execute(_RENEW, (self.owner,)).rowcount
        except psycopg.Error as exc:
            logger.warning("inbox: claims not renewed (%s)", describe(exc, self.pool))
            return 0

    def prune(self) -> None:
        """Forget updates handled more than KEEP_DONE ago (at most PRUNE_BATCH a call)."""
        with self._connection() as conn:
            conn.execute(_PRUNE, (KEEP_DONE, PRUNE_BATCH))

    def close(self) -> None:
        """Try once more to cross off what failed before; the pool belongs to its opener."""
        self._flush_done()

    def _claim(self, statement: str) -> list[tuple[int, str]]:
        with self._connection() as conn:
            rows = conn.execute(statement, {"owner": self.owner, "lease": self.lease}).fetchall()
        return sorted((int(update_id), str(body)) for update_id, body in rows)

    def _flush_done(self) -> None:
        if time.monotonic() < self._down_until:
            return  # kept in _undone for a later call
        with self._lock:
            ids, self._undone = sorted(self._undone), set()
        if not ids:
            return
        try:
            with self._connection() as conn:
                conn.execute(_DONE, (ids,))
        except psycopg.Error as exc:
            self._down_until = time.monotonic() + self._backoff
            with self._lock:
                self._undone.update(ids)
            logger.warning(
                "inbox: %d update(s) not crossed off yet (%s); retried with the next one",
                len(ids),
                describe(exc, self.pool),
            )

    @contextlib.contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[TupleRow]]:
        """A pooled connection in autocommit: each statement is its own transaction."""
        with self.pool.connection(timeout=self._timeout) as conn:
            conn.autocommit = True
            try:
                yield conn
            finally:
                with contextlib.suppress(psycopg.Error):  # not if the connection broke
                    conn.autocommit = False  # the pool's other users expect its default


class PgInboxQueue(InboxQueue):
    """`InboxQueue` over a `PgInbox`, which while the bot runs (`start_keeping`) renews this
    replica's claims and queues the updates a dead replica left, every lease/4 seconds."""

    def __init__(self, inbox: PgInbox) -> None:
        super().__init__(inbox)
        self.pg_inbox = inbox
        self._keeper: asyncio.Task[None] | None = None

    async def adopt(self, bot: Bot) -> int:
        """Queue what dead replicas left (see PgInbox.adopt); returns how many."""
        rows = await asyncio.to_thread(self.pg_inbox.adopt)
        for update_id, body in rows:
            try:
                update = Update.de_json(json.loads(body), bot)
            except (ValueError, TypeError, KeyError):
                logger.warning("Stored update %s cannot be read; dropped", update_id)
                await asyncio.to_thread(self.pg_inbox.done, update_id)
                continue
            await asyncio.Queue.put(self, update)  # already stored: not InboxQueue.put
        if rows:
            logger.info("Handling %d update(s) a stopped replica left", len(rows))
        return len(rows)

    async def keep(self, bot: Bot, every: float | None = None) -> None:
        """Renew and adopt every `every` seconds (lease/4) until cancelled."""
        every = self.pg_inbox.lease / 4 if every is None else every
        while True:
            await asyncio.sleep(every)
            started = time.monotonic()
            await asyncio.to_thread(self.pg_inbox.renew)
            try:
                await self.adopt(bot)
            except psycopg.Error as exc:
                logger.warning(
                    "inbox: could not look for updates stopped replicas left (%s)",
                    describe(exc, self.pg_inbox.pool),
                )
            except Exception:  # the keeper must outlive any one round
                logger.exception("inbox: looking for updates stopped replicas left failed")
            if time.monotonic() - started > self.pg_inbox.lease / 2:
                logger.warning("inbox: renewing claims took over half the lease")

    def start_keeping(self, bot: Bot, every: float | None = None) -> None:
        """Start `keep` in the background (call on the running loop, e.g. in post_init)."""
        if self._keeper is None or self._keeper.done():
            self._keeper = asyncio.get_running_loop().create_task(
                self.keep(bot, every), name="inbox-leases"
            )

    async def stop_keeping(self) -> None:
        """Stop `keep` (e.g. in post_stop)."""
        keeper, self._keeper = self._keeper, None
        if keeper is not None:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper


def describe(exc: BaseException, pool: Pool) -> str:
    """bot.storage.pg.describe_error, as this module's log lines give it."""
    return describe_error(exc, pool)
