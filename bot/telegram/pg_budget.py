"""The send-rate budget in PostgreSQL, shared by the replicas: together they stay within
Telegram's limits (about 30 messages/s per bot, 1/s per chat, 20/min per group) as one
process does with `PacedRateLimiter` (bot.telegram.app).

`SharedBudget` keeps one token bucket per key in table `send_budget` (tokens, and the time
they were counted, on the DATABASE's clock, so replicas with skewed clocks agree). Taking a
token is one statement (function `send_budget_take`): it refills the bucket by the time
elapsed, takes a token if there is one, and otherwise returns how long until there is.
`acquire(keys)` takes one token of each key in order (a chat's, then the whole bot's), waiting
as long as the database says: a token is only held while waiting for the next key, whose wait
is bounded (the bot-wide bucket refills every 1/rate s). Within a replica, the requests for one
key queue in order (an asyncio.Lock per key), so one of them at a time asks the database.

Why threads and the shared synchronous pool rather than psycopg's AsyncConnectionPool: every
other store uses bot.storage.pg's pool (opened, migrated and closed by the same code), and an
async pool would be bound to python-telegram-bot's event loop, which run_polling creates and
closes itself; a statement costs a fraction of a millisecond, so a thread hop per message at
25 messages/s costs nothing that matters. The calls run on a small executor of their own, so a
database that hangs cannot starve the default one (the inbox's asyncio.to_thread).

When the database fails (or does not answer within `timeout`), the limits are kept in this
process (`LocalBuckets`, the same buckets scaled by `local_share`: with N replicas 1/N keeps
them together within the limits) for `retry_after` seconds, then the database is tried again.
Sending never stops for the database.

`SharedRateLimiter` is python-telegram-bot's rate limiter over a `SharedBudget`: what
`PacedRateLimiter` does (which requests are paced, a 429 pausing all requests then retrying, at
most max_retries times), with the waits from the shared budget; a 429 pauses the other
replicas too (the pause is written to the budget, which every token taken checks).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeAlias

import psycopg
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.storage.pg import Pool, describe_error, migrate

if TYPE_CHECKING:
    from bot.telegram.app import PacedRateLimiter

logger = logging.getLogger(__name__)

# (name, tokens per second, capacity): one bucket, e.g. ("send:all", 25, 1).
Key: TypeAlias = tuple[str, float, float]
_Json = dict[str, Any]

STORE = "budget"
PAUSE_KEY = "!pause"  # its `updated` is the database time until which nothing is sent (a 429)
MIGRATIONS: list[list[str]] = [
    [
        # fillfactor: a bucket is updated for every message; room on its page keeps the
        # update HOT (no index touched, dead versions reclaimed without a vacuum).
        "CREATE TABLE send_budget (key TEXT PRIMARY KEY, tokens DOUBLE PRECISION NOT NULL,"
        " updated DOUBLE PRECISION NOT NULL) WITH (fillfactor = 50)",
        """
        CREATE FUNCTION send_budget_take(k TEXT, rate DOUBLE PRECISION,
                                         capacity DOUBLE PRECISION)
        RETURNS DOUBLE PRECISION LANGUAGE plpgsql AS $$
        -- Takes a token of bucket k (created full): 0 when taken, else the seconds until one
        -- is there (or until a 429 pause ends); nothing is written when none is taken.
        DECLARE
            have DOUBLE PRECISION;
            since DOUBLE PRECISION;
            now_s DOUBLE PRECISION;
            paused_until DOUBLE PRECISION;
        BEGIN
            SELECT tokens, updated INTO have, since FROM send_budget WHERE key = k FOR UPDATE;
            IF NOT FOUND THEN
                INSERT INTO send_budget (key, tokens, updated)
                VALUES (k, capacity, extract(epoch FROM clock_timestamp()))
                ON CONFLICT (key) DO NOTHING;
                SELECT tokens, updated INTO have, since FROM send_budget
                WHERE key = k FOR UPDATE;
            END IF;
            -- read after the row lock: the time the replica before us wrote is not later
            now_s := extract(epoch FROM clock_timestamp());
            SELECT updated INTO paused_until FROM send_budget WHERE key = '!pause';
            IF paused_until > now_s THEN
                RETURN paused_until - now_s;
            END IF;
            have := least(capacity, have + greatest(now_s - since, 0) * rate);
            IF have < 1 THEN
                RETURN (1 - have) / rate;
            END IF;
            UPDATE send_budget SET tokens = have - 1, updated = greatest(now_s, since)
            WHERE key = k;
            RETURN 0;
        END
        $$
        """,
    ],
]
TIMEOUT = 0.5  # seconds to get a pooled connection; a call gets twice that, then local limits
RETRY_AFTER = 5.0  # seconds on local limits after a failure before the database is tried again
THREADS = 4  # the budget's own executor
MIN_WAIT = 0.001  # seconds: the shortest sleep before asking again (float rounding)
PRUNE_EVERY = 600.0  # seconds between two deletions of idle buckets (by this process)
IDLE = 3600.0  # seconds after which an unused bucket is full again and can be deleted
PRUNE_BATCH = 1000
LOCAL_SIZE = 4096  # local buckets kept before full ones are forgotten

_TAKE = "SELECT send_budget_take(%s, %s, %s)"
_PAUSE = (
    "INSERT INTO send_budget (key, tokens, updated)"
    " VALUES (%s, 0, extract(epoch FROM clock_timestamp()) + %s)"
    " ON CONFLICT (key) DO UPDATE SET updated = greatest(send_budget.updated, EXCLUDED.updated)"
)
_PRUNE = (
    "DELETE FROM send_budget WHERE ctid = ANY(ARRAY(SELECT ctid FROM send_budget"
    " WHERE updated < extract(epoch FROM clock_timestamp()) - %s LIMIT %s))"
)


class LocalBuckets:
    """The same token buckets in this process (the fallback while the database is away), each
    at `share` of its rate and capacity (at least one token)."""

    def __init__(
        self,
        share: float = 1.0,
        size: int = LOCAL_SIZE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 < share <= 1:
            raise ValueError(f"share must be in (0, 1], got {share}")
        self.share = share
        self._size, self._clock = size, clock
        # name -> (tokens, when counted, rate, capacity)
        self._buckets: dict[str, tuple[float, float, float, float]] = {}
        self._sweep_at = size

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: Key) -> float:
        """0 when a token of `key` was taken, else the seconds until one is there."""
        name, rate, capacity = key
        rate, capacity = rate * self.share, max(1.0, capacity * self.share)
        now = self._clock()
        bucket = self._buckets.get(name)
        if bucket is None:
            self._sweep(now)
            tokens = capacity
        else:
            tokens = min(capacity, bucket[0] + max(now - bucket[1], 0.0) * rate)
        if tokens < 1:
            return (1 - tokens) / rate
        self._buckets[name] = (tokens - 1, now, rate, capacity)
        return 0.0

    def _sweep(self, now: float) -> None:
        """Forget the buckets that are full again, once the table outgrew its size (at most
        once per `size` new keys: O(1) per call)."""
        if len(self._buckets) < self._sweep_at:
            return
        for name, (tokens, since, rate, capacity) in list(self._buckets.items()):
            if tokens + (now - since) * rate >= capacity:
                del self._buckets[name]
        self._sweep_at = len(self._buckets) + self._size


class _Turns:
    """One asyncio.Lock per key while anyone waits for it: the requests for a key queue in
    the order they came (asyncio.Lock is first come, first served)."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    def __len__(self) -> int:
        return len(self._locks)

    @contextlib.asynccontextmanager
    async def hold(self, name: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(name) or (asyncio.Lock(), 0)
        self._locks[name] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[name]
            if users == 1:
                del self._locks[name]
            else:
                self._locks[name] = (lock, users - 1)


class SharedBudget:
    """Token buckets shared through PostgreSQL (table `send_budget`); creating it applies the
    migrations (store "budget"). `close()` stops its executor; the pool is its opener's."""

    def __init__(
        self,
        pool: Pool,
        *,
        timeout: float = TIMEOUT,
        retry_after: float = RETRY_AFTER,
        local_share: float = 1.0,
        threads: int = THREADS,
    ) -> None:
        self.pool = pool
        self.timeout, self.retry_after = timeout, retry_after
        self.local = LocalBuckets(local_share)
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="budget")
        self._turns = _Turns()
        self._lock = threading.Lock()
        self._next_prune = 0.0  # time.monotonic(), in the executor's threads
        self._down_until = 0.0  # time.monotonic(): local limits until then
        self._local_since: float | None = None  # on local limits since (None: shared)
        migrate(pool, STORE, MIGRATIONS)

    @property
    def shared(self) -> bool:
        """False while the limits are kept locally (the database failed)."""
        return self._local_since is None

    async def acquire(self, keys: Sequence[Key]) -> None:
        """Take a token of each key, in order, waiting for each as long as it takes."""
        for name, rate, capacity in keys:
            if not (rate > 0 and capacity >= 1):
                raise ValueError(f"bucket {name!r}: need rate > 0 and capacity >= 1")
        for key in keys:
            async with self._turns.hold(key[0]):
                # polling, not an Event: the wait is the database's answer, for all replicas
                while (wait := await self._take(key)) > 0:  # noqa: ASYNC110
                    await asyncio.sleep(max(wait, MIN_WAIT))

    async def pause(self, seconds: float) -> None:
        """Nothing is granted to any replica for `seconds` (Telegram answered 429); best
        effort: a database failure leaves the pause to this replica's own limiter."""
        if time.monotonic() < self._down_until:
            return
        loop = asyncio.get_running_loop()
        try:
            await asyncio.wait_for(
                loop.run_in_executor(self._executor, self._pause, seconds), 2 * self.timeout
            )
        except (psycopg.Error, TimeoutError) as exc:
            self._fall_back(exc)

    def take(self, key: Key) -> float:
        """One statement: 0 when a token of `key` was taken in the database, else the
        seconds to wait. Raises psycopg.Error (PoolTimeout: no connection within `timeout`)."""
        name, rate, capacity = key
        with self.pool.connection(timeout=self.timeout) as conn:
            conn.autocommit = True  # one round trip: no BEGIN/COMMIT around the statement
            try:
                row = conn.execute(_TAKE, (name, float(rate), float(capacity))).fetchone()
                self._prune_now_and_then(conn)
            finally:
                with contextlib.suppress(psycopg.Error):  # not if the connection broke
                    conn.autocommit = False  # the pool's other users expect its default
        return float(row[0]) if row is not None and row[0] is not None else 0.0

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def _take(self, key: Key) -> float:
        if time.monotonic() < self._down_until:
            return self.local.take(key)
        loop = asyncio.get_running_loop()
        try:
            wait = await asyncio.wait_for(
                loop.run_in_executor(self._executor, self.take, key), 2 * self.timeout
            )
        except (psycopg.Error, TimeoutError) as exc:
            self._fall_back(exc)
            return self.local.take(key)
        if self._local_since is not None:
            logger.warning(
                "send budget: the database answers again after %.0f s; limits shared again",
                time.monotonic() - self._local_since,
            )
            self._local_since = None
        return wait

    def _fall_back(self, exc: BaseException) -> None:
        now = time.monotonic()
        self._down_until = now + self.retry_after
        if self._local_since is None:
            self._local_since = now
            logger.warning(
                "send budget: the database failed (%s); limits kept in this process (%g of "
                "each) until it answers, tried again every %g s",
                describe(exc, self.pool),
                self.local.share,
                self.retry_after,
            )

    def _pause(self, seconds: float) -> None:
        with self.pool.connection(timeout=self.timeout) as conn:
            conn.execute(_PAUSE, (PAUSE_KEY, seconds))

    def _prune_now_and_then(self, conn: psycopg.Connection[Any]) -> None:
        """Delete buckets idle for IDLE seconds (full again), PRUNE_BATCH at most, every
        PRUNE_EVERY seconds: a private chat's bucket must not stay forever."""
        now = time.monotonic()
        with self._lock:
            if now < self._next_prune:
                return
            self._next_prune = now + PRUNE_EVERY
        conn.execute(_PRUNE, (IDLE, PRUNE_BATCH))


class SharedRateLimiter(BaseRateLimiter[int]):
    """`PacedRateLimiter`'s behaviour with the waits of a `SharedBudget`: every request to a
    chat takes a token of its chat's bucket (`group_rate` per `group_period` for a group or
    channel, a burst of `private_burst` then `private_rate`/s for a private chat), then one of
    the whole bot's (`burst`, refilled at `rate`/s); other requests (no chat_id) are not paced.
    A 429 pauses ALL requests of this replica, and (through the budget) the other replicas',
    for its retry_after; then the request is retried, at most `max_retries` times
    (`rate_limit_args` overrides that per request). A token that comes while a pause began is
    not used: the request waits out the pause and queues again."""

    def __init__(
        self,
        budget: SharedBudget,
        *,
        rate: float,
        burst: int,
        group_rate: float,
        group_period: float,
        private_rate: float,
        private_burst: int,
        max_retries: int,
        prefix: str = "send",
    ) -> None:
        self.budget = budget
        self.rate, self.burst, self.max_retries = rate, burst, max_retries
        self.group_rate, self.group_period = group_rate, group_period
        self.private_rate, self.private_burst = private_rate, private_burst
        self.prefix = prefix
        self._overall: Key = (f"{prefix}:all", rate, burst)
        self._paused_until = 0.0  # event-loop time until which nothing is sent (429)
        self.waiting = 0  # messages waiting for their send allowance now (the send backlog)
        self.on_retry_after: Callable[[], None] | None = None  # told of every 429

    @classmethod
    def like(cls, paced: PacedRateLimiter, budget: SharedBudget) -> SharedRateLimiter:
        """The limits of `paced` (e.g. bot.telegram.app.rate_limiter()), kept in `budget`."""
        return cls(
            budget,
            rate=paced.rate,
            burst=paced.burst,
            group_rate=paced.group_rate,
            group_period=paced.group_period,
            private_rate=paced.private_rate,
            private_burst=paced.private_burst,
            max_retries=paced.max_retries,
        )

    async def initialize(self) -> None:
        """Nothing to set up (the budget is ready when made)."""

    async def shutdown(self) -> None:
        """Nothing to clean up (the budget's owner closes it)."""

    def chat_key(self, chat_id: object) -> Key | None:
        """The bucket of the chat a request goes to: its group's (negative id or @username),
        its private chat's, or None."""
        if isinstance(chat_id, str) and not _is_int(chat_id):
            return (
                f"{self.prefix}:group:{chat_id}",
                self.group_rate / self.group_period,
                self.group_rate,
            )
        if isinstance(chat_id, int | str) and int(chat_id) < 0:
            return (
                f"{self.prefix}:group:{int(chat_id)}",
                self.group_rate / self.group_period,
                self.group_rate,
            )
        if isinstance(chat_id, int | str) and _is_int(str(chat_id)):
            return (f"{self.prefix}:chat:{int(chat_id)}", self.private_rate, self.private_burst)
        return None

    def _paused(self) -> bool:
        return self._paused_until > asyncio.get_running_loop().time()

    async def _pause_over(self) -> None:
        loop = asyncio.get_running_loop()
        # a loop, not an Event: another 429 may move the deadline while this one sleeps
        while (left := self._paused_until - loop.time()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(left)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | _Json | list[_Json]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | _Json | list[_Json]:
        retries = self.max_retries if rate_limit_args is None else rate_limit_args
        chat_id = data.get("chat_id")
        chat = self.chat_key(chat_id)
        attempt = 0
        while True:
            try:
                if chat_id is None:  # answerCallbackQuery, getMe, setWebhook...: not metered
                    await self._pause_over()
                    return await callback(*args, **kwargs)
                self.waiting += 1
                waiting = True
                try:
                    if chat is not None:
                        await self.budget.acquire([chat])
                    while True:
                        await self._pause_over()
                        await self.budget.acquire([self._overall])
                        if not self._paused():
                            self.waiting -= 1
                            waiting = False
                            return await callback(*args, **kwargs)
                        # the token came while a 429 pause began: not used, queue again after
                        # the pause (tokens must not pile up behind a pause and go out at once)
                finally:
                    if waiting:
                        self.waiting -= 1
            except RetryAfter as exc:
                if self.on_retry_after is not None:
                    self.on_retry_after()
                if attempt >= retries:
                    logger.error("%s: 429 Too Many Requests after %d retries", endpoint, attempt)
                    raise
                attempt += 1
                wait = exc.retry_after
                seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
                loop = asyncio.get_running_loop()
                self._paused_until = max(self._paused_until, loop.time() + seconds + 0.1)
                logger.info(
                    "%s: 429 Too Many Requests; every replica waits %.1f s, retry %d/%d",
                    endpoint,
                    seconds + 0.1,
                    attempt,
                    retries,
                )
                await self.budget.pause(seconds + 0.1)


def _is_int(text: str) -> bool:
    digits = text[1:] if text.startswith("-") else text
    return digits.isascii() and digits.isdigit()


def describe(exc: BaseException, pool: Pool) -> str:
    """bot.storage.pg.describe_error, as this module's log lines give it."""
    return describe_error(exc, pool)
