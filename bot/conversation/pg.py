"""Conversation contexts in PostgreSQL, shared by every replica of the bot.

`PgContextStore` is the `ContextStore` for a bot run as several replicas behind a load balancer:
an asker's next message may reach another replica than the one that answered the last, so the
context lives in the database (`BOT_DB=postgresql://...`), one row per (chat, asker), upserted
on every answer and ignored once expired; expired rows are deleted now and then, a bounded
batch at a time.

Context must never cost an answer: when the database fails, `get` returns None (the question
is read on its own) and `put`/`forget` log and carry on; after a failure the database is left
alone for `backoff` seconds, doubled after each failure in a row up to MAX_BACKOFF, so an
outage costs one short wait now and then, not one per message.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator

import psycopg
from psycopg.rows import TupleRow

from bot.engine import Context
from bot.storage.pg import Pool, describe_error, migrate

logger = logging.getLogger(__name__)

STORE = "conversation"
MIGRATIONS: list[list[str]] = [
    [
        "CREATE TABLE conversation_contexts (chat BIGINT NOT NULL, asker BIGINT NOT NULL,"
        " context TEXT NOT NULL, expires DOUBLE PRECISION NOT NULL, PRIMARY KEY (chat, asker))",
        "CREATE INDEX conversation_contexts_expires ON conversation_contexts (expires)",
    ],
]
TIMEOUT = 0.5  # seconds to wait for a pooled connection: an answer is not held up longer
BACKOFF = 5.0  # seconds the database is left alone after a failure
MAX_BACKOFF = 60.0  # ... and at most, after failures in a row
PURGE_EVERY = 60.0  # seconds between two purges of expired rows (by this process)
PURGE_BATCH = 1000  # rows deleted at most by one purge
WARN_EVERY = 60.0  # seconds between two warnings about failures

_GET = "SELECT context FROM conversation_contexts WHERE chat = %s AND asker = %s AND expires > %s"
_PUT = (
    "INSERT INTO conversation_contexts (chat, asker, context, expires) VALUES (%s, %s, %s, %s)"
    " ON CONFLICT (chat, asker) DO UPDATE SET context = EXCLUDED.context,"
    " expires = EXCLUDED.expires"
)
_FORGET = "DELETE FROM conversation_contexts WHERE chat = %s AND asker = %s"
# ctid = ANY(ARRAY(...)): a bounded batch, found through the index on expires.
_PURGE = (
    "DELETE FROM conversation_contexts WHERE ctid = ANY(ARRAY("
    "SELECT ctid FROM conversation_contexts WHERE expires <= %s LIMIT %s))"
)


class PgContextStore:
    """Contexts in table `conversation_contexts`, each for `ttl` seconds after its answer.

    Expiry times come from `clock` (seconds since the epoch: replicas must agree on it, which
    NTP-synchronised hosts do to well under the TTL). Creating the store applies its
    migrations (store "conversation"), so it raises if the database cannot be reached then."""

    def __init__(
        self,
        pool: Pool,
        ttl: float,
        clock: Callable[[], float] = time.time,
        *,
        timeout: float = TIMEOUT,
        backoff: float = BACKOFF,
        purge_every: float = PURGE_EVERY,
        purge_batch: int = PURGE_BATCH,
    ) -> None:
        self.ttl = ttl
        self._pool = pool
        self._clock = clock
        self._timeout = timeout
        self._backoff = backoff
        self._purge_every = purge_every
        self._purge_batch = purge_batch
        self._lock = threading.Lock()  # guards the timers below (handlers may use threads)
        self._next_purge = 0.0  # clock() time: the first put purges
        self._down_until = 0.0  # time.monotonic(): no database calls before then
        self._next_backoff = backoff
        self._failing = False  # failed since the last success
        self._warned_at: float | None = None
        self._failures = 0
        migrate(pool, STORE, MIGRATIONS)

    def get(self, chat: int, asker: int) -> Context | None:
        """The asker's context in this chat; None when there is none, it expired, or the
        database failed."""
        try:
            with self._connection("read a context") as conn:
                if conn is None:
                    return None
                row = conn.execute(_GET, (chat, asker, self._clock())).fetchone()
        except _Failed:
            return None
        return None if row is None else Context.from_json(str(row[0]))

    def put(self, chat: int, asker: int, context: Context) -> None:
        """Remember `context` for `ttl` seconds (nothing when ttl <= 0 or the database fails)."""
        if self.ttl <= 0:
            return
        now = self._clock()
        with self._lock:
            purge = now >= self._next_purge
            if purge:
                self._next_purge = now + self._purge_every
        try:
            with self._connection("store a context") as conn:
                if conn is None:
                    return
                conn.execute(_PUT, (chat, asker, context.to_json(), now + self.ttl))
                if purge:
                    purged = conn.execute(_PURGE, (now, self._purge_batch)).rowcount
                    if purged:
                        logger.debug("conversation: %d expired context(s) deleted", purged)
        except _Failed:
            return

    def forget(self, chat: int, asker: int) -> None:
        """Drop the asker's context in this chat (logged, not raised, if the database fails)."""
        try:
            with self._connection("forget a context") as conn:
                if conn is not None:
                    conn.execute(_FORGET, (chat, asker))
        except _Failed:
            return

    @contextlib.contextmanager
    def _connection(self, doing: str) -> Iterator[psycopg.Connection[TupleRow] | None]:
        """A pooled connection in autocommit (one round trip per statement), or None while
        the database is left alone after a failure; a failure inside is logged (now and then)
        and raised as _Failed."""
        if time.monotonic() < self._down_until:
            yield None
            return
        try:
            with self._pool.connection(timeout=self._timeout) as conn:
                conn.autocommit = True
                try:
                    yield conn
                finally:
                    with contextlib.suppress(psycopg.Error):  # not if the connection broke
                        conn.autocommit = False  # the pool's other users expect its default
        except psycopg.Error as exc:
            self._failed(doing, exc)
            raise _Failed from None
        self._recovered()

    def _failed(self, doing: str, exc: psycopg.Error) -> None:
        now = time.monotonic()
        with self._lock:
            self._down_until = now + self._next_backoff
            left_alone = self._next_backoff
            self._next_backoff = min(2 * self._next_backoff, max(self._backoff, MAX_BACKOFF))
            self._failures += 1
            self._failing = True
            if self._warned_at is not None and now - self._warned_at < WARN_EVERY:
                return
            self._warned_at, failures, self._failures = now, self._failures, 0
        logger.warning(
            "conversation: could not %s (%s: %s); answering without context, %d failure(s) "
            "since the last warning, database left alone for %gs",
            doing,
            type(exc).__name__,
            describe(exc, self._pool),
            failures,
            left_alone,
        )

    def _recovered(self) -> None:
        if not self._failing:
            return
        with self._lock:
            if not self._failing:
                return
            self._failing, self._next_backoff = False, self._backoff
        logger.info("conversation: the database answers again")


def describe(exc: BaseException, pool: Pool) -> str:
    """bot.storage.pg.describe_error, as this module's log lines give it."""
    return describe_error(exc, pool, kind=False)


class _Failed(Exception):
    """A database call failed (already logged)."""
