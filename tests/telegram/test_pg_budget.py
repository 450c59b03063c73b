"""bot.telegram.pg_budget against a real PostgreSQL server, two SharedBudget instances
standing for two replicas: hammering the same bucket together they get no more than its rate
(plus its capacity) in any second; a chat's bucket limits both; a database gone leaves the
limits to each process; SharedRateLimiter paces and pauses as PacedRateLimiter does, across
replicas. Timing is asserted as upper bounds with slack (and loose lower bounds that show
something was granted at all), never as exact counts."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

import psycopg
import pytest
from psycopg import sql
from telegram.error import RetryAfter

from bot.storage.pg import Pool, open_pool
from bot.telegram.app import PacedRateLimiter, rate_limiter
from bot.telegram.pg_budget import Key, LocalBuckets, SharedBudget, SharedRateLimiter

SLACK = 2  # grants a busy machine's scheduling may squeeze into a 1-second window


@pytest.fixture
def pool(pg_url: str) -> Iterator[Pool]:
    with open_pool(pg_url, max_size=4, name="replica-a") as pool:
        yield pool


@pytest.fixture
def other_pool(pg_url: str) -> Iterator[Pool]:
    with open_pool(pg_url, max_size=4, name="replica-b") as pool:
        yield pool


@pytest.fixture
async def replicas(
    pool: Pool, other_pool: Pool
) -> AsyncIterator[tuple[SharedBudget, SharedBudget]]:
    a, b = SharedBudget(pool), SharedBudget(other_pool)
    yield a, b
    a.close()
    b.close()


def _admin(url: str, statement: sql.Composable) -> None:
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(statement)


def cut_off(url: str) -> None:
    """New connections refused, open ones ended: the database is gone for the budget."""
    name = url.rsplit("/", 1)[1]
    _admin(
        url, sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(sql.Identifier(name))
    )
    _admin(
        url,
        sql.SQL("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = {}").format(
            sql.Literal(name)
        ),
    )


def reconnect(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    _admin(
        url, sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(sql.Identifier(name))
    )


async def hammer(
    budgets: Sequence[SharedBudget], keys: list[Key], seconds: float, workers: int = 6
) -> list[float]:
    """`workers` tasks per budget acquiring `keys` over and over for `seconds`; the sorted
    times (time.monotonic) at which grants came."""
    granted: list[float] = []
    deadline = time.monotonic() + seconds

    async def worker(budget: SharedBudget) -> None:
        while time.monotonic() < deadline:
            await budget.acquire(keys)
            granted.append(time.monotonic())

    await asyncio.gather(*(worker(b) for b in budgets for _ in range(workers)))
    return sorted(t for t in granted if t < deadline)


def most_in_a_window(times: list[float], window: float = 1.0) -> int:
    best, first = 0, 0
    for last, t in enumerate(times):
        while t - times[first] > window:
            first += 1
        best = max(best, last - first + 1)
    return best


async def test_two_replicas_together_stay_within_rate_plus_capacity(
    replicas: tuple[SharedBudget, SharedBudget],
) -> None:
    rate, capacity = 20, 1
    times = await hammer(replicas, [("bot", rate, capacity)], seconds=2.0)
    assert most_in_a_window(times) <= rate + capacity + SLACK
    assert len(times) <= 2 * rate + capacity + SLACK
    assert len(times) >= 10  # and it did grant (about 40)
    assert all(budget.shared for budget in replicas)


async def test_a_burst_is_the_capacity_once(replicas: tuple[SharedBudget, SharedBudget]) -> None:
    rate, capacity = 20, 5
    times = await hammer(replicas, [("bot", rate, capacity)], seconds=2.0)
    assert most_in_a_window(times) <= rate + capacity + SLACK
    assert most_in_a_window(times, 0.1) <= capacity + 2 + SLACK  # 0.1 s: the burst and a refill


async def test_a_chats_bucket_limits_both_replicas(
    replicas: tuple[SharedBudget, SharedBudget],
) -> None:
    chat: Key = ("chat:42", 4, 2)
    other: Key = ("chat:43", 4, 2)
    overall: Key = ("bot", 500, 10)
    one, two = await asyncio.gather(
        hammer(replicas, [chat, overall], seconds=2.0, workers=2),
        hammer(replicas, [other, overall], seconds=2.0, workers=2),
    )
    for times in (one, two):
        assert most_in_a_window(times) <= 4 + 2 + SLACK
        assert len(times) <= 2 * 4 + 2 + SLACK
        assert len(times) >= 4  # the other chat was not held up by this one


async def test_the_wait_comes_from_the_database(
    replicas: tuple[SharedBudget, SharedBudget],
) -> None:
    a, b = replicas
    key: Key = ("chat:7", 1, 1)
    assert a.take(key) == 0
    wait = b.take(key)  # the other replica: the token is gone, about a second to the next
    assert 0.5 < wait <= 1.0
    started = time.monotonic()
    await b.acquire([key])
    assert time.monotonic() - started >= 0.5


async def test_a_bucket_that_could_never_grant_is_refused(
    replicas: tuple[SharedBudget, SharedBudget],
) -> None:
    for key in [("k", 0, 1), ("k", 1, 0.5)]:
        with pytest.raises(ValueError, match="need rate > 0"):
            await replicas[0].acquire([key])


async def test_a_database_gone_leaves_the_limits_to_each_process(
    pg_url: str, pool: Pool, caplog: pytest.LogCaptureFixture
) -> None:
    budget = SharedBudget(pool, timeout=0.2, retry_after=0.5)
    try:
        await budget.acquire([("bot", 20, 1)])
        cut_off(pg_url)
        caplog.set_level(logging.WARNING, logger="bot.telegram.pg_budget")
        try:
            times = await hammer([budget], [("bot", 20, 1)], seconds=2.0)
            assert not budget.shared
        finally:
            reconnect(pg_url)
        assert most_in_a_window(times) <= 20 + 1 + SLACK  # still limited
        assert len(times) >= 10  # and still sending
        assert caplog.text.count("limits kept in this process") == 1  # logged once
        deadline = time.monotonic() + 15
        while not budget.shared:  # shared again once the database answers
            assert time.monotonic() < deadline, "the budget did not use the database again"
            await budget.acquire([("bot", 20, 1)])
            await asyncio.sleep(0.1)
        assert "limits shared again" in caplog.text
    finally:
        budget.close()


def test_local_buckets_refill_and_share() -> None:
    now = [0.0]
    local = LocalBuckets(clock=lambda: now[0])
    key: Key = ("chat:1", 1, 3)
    assert [local.take(key) for _ in range(3)] == [0, 0, 0]  # the burst
    assert local.take(key) == pytest.approx(1.0)
    now[0] += 0.5
    assert local.take(key) == pytest.approx(0.5)
    now[0] += 0.5
    assert local.take(key) == 0
    half = LocalBuckets(share=0.5, clock=lambda: now[0])  # one of two replicas
    assert [half.take(("bot", 20, 4)) for _ in range(3)] == [0, 0, pytest.approx(0.1)]
    small = LocalBuckets(size=10, clock=lambda: now[0])
    for chat in range(100):
        small.take((f"chat:{chat}", 1, 3))
        now[0] += 10  # every bucket before is full again
    assert len(small) <= 11


# -- SharedRateLimiter ----------------------------------------------------------------------


def limiter(budget: SharedBudget, **limits: Any) -> SharedRateLimiter:
    return SharedRateLimiter.like(PacedRateLimiter(**limits), budget)


def test_the_limiter_has_paced_limits_and_chat_keys(pool: Pool) -> None:
    budget = SharedBudget(pool)
    try:
        shared = SharedRateLimiter.like(rate_limiter(), budget)
        paced = rate_limiter()
        assert (shared.rate, shared.burst, shared.max_retries) == (
            paced.rate,
            paced.burst,
            paced.max_retries,
        )
        assert shared.chat_key(300) == shared.chat_key("300") == ("send:chat:300", 1.0, 3)
        assert shared.chat_key(-100) == ("send:group:-100", 5 / 15, 5)
        assert shared.chat_key("@channel") == ("send:group:@channel", 5 / 15, 5)
        assert shared.chat_key(None) is None
    finally:
        budget.close()


async def _send(limiters: Sequence[SharedRateLimiter], chat_ids: list[int | None]) -> list[float]:
    """Send to every chat at once, round-robin over the replicas; the sorted send times."""
    loop = asyncio.get_running_loop()
    times: list[float] = []

    async def send() -> bool:
        times.append(loop.time())
        return True

    await asyncio.gather(
        *(
            limiters[i % len(limiters)].process_request(
                send, (), {}, "sendMessage", {"chat_id": c} if c is not None else {}, None
            )
            for i, c in enumerate(chat_ids)
        )
    )
    return sorted(times)


async def test_two_replicas_pace_one_private_chat_together(
    replicas: tuple[SharedBudget, SharedBudget],
) -> None:
    limits = {"rate": 1000, "burst": 10, "private_rate": 10, "private_burst": 3}
    a, b = (limiter(budget, **limits) for budget in replicas)
    times = await _send([a, b], [300] * 8)
    assert times[-1] - times[0] >= 0.4  # 3 at once, then 10/s for 5 more: about 0.5 s
    assert sum(1 for t in times if t - times[0] < 0.05) <= 3 + 1


async def test_requests_without_a_chat_are_not_paced(pool: Pool) -> None:
    budget = SharedBudget(pool)
    try:
        times = await _send([limiter(budget, rate=1, burst=1)], [None] * 5)
        assert times[-1] - times[0] < 0.5
        with pool.connection() as conn:
            assert conn.execute("SELECT count(*) FROM send_budget").fetchone() == (0,)
    finally:
        budget.close()


class _Throttled:
    """A Bot API stand-in that answers 429 (retry after 1 s) to its first `throttle_first`
    calls; `refused_at` is when it last refused (event-loop time)."""

    def __init__(self, throttle_first: int = 0) -> None:
        self.throttle_first = throttle_first
        self.ok: list[float] = []
        self.refused = 0
        self.refused_at = 0.0
        self.refusal = asyncio.Event()

    async def __call__(self) -> bool:
        now = asyncio.get_running_loop().time()
        if self.throttle_first > 0:
            self.throttle_first -= 1
            self.refused += 1
            self.refused_at = now
            self.refusal.set()
            raise RetryAfter(dt.timedelta(seconds=1))
        self.ok.append(now)
        return True


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # retry_after
async def test_a_429_pauses_everything_and_the_request_is_retried(pool: Pool) -> None:
    budget = SharedBudget(pool)
    try:
        paced = limiter(budget, rate=25, burst=3)
        told: list[None] = []
        paced.on_retry_after = lambda: told.append(None)  # the metrics' hook, as Paced's
        api = _Throttled(throttle_first=1)
        results = await asyncio.gather(
            *(
                paced.process_request(api, (), {}, "sendMessage", {"chat_id": 1000 + i}, None)
                for i in range(20)
            )
        )
        assert results == [True] * 20  # nothing lost
        assert api.refused == 1
        assert min(api.ok) - api.refused_at >= 0.9  # everything waited out the 429
        assert len(told) == 1 and paced.waiting == 0  # the send backlog is empty again
    finally:
        budget.close()


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # retry_after
async def test_a_429_on_one_replica_pauses_the_other(
    replicas: tuple[SharedBudget, SharedBudget],
) -> None:
    a, b = (limiter(budget) for budget in replicas)
    refused = _Throttled(throttle_first=1)
    first = asyncio.create_task(
        a.process_request(refused, (), {}, "sendMessage", {"chat_id": 1}, None)
    )
    await asyncio.wait_for(refused.refusal.wait(), timeout=5)
    await asyncio.sleep(0.2)  # a has written its pause
    other = _Throttled()
    assert await b.process_request(other, (), {}, "sendMessage", {"chat_id": 2}, None) is True
    assert await first is True
    assert other.ok[0] - refused.refused_at >= 0.9  # b waited for a's 429 too


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # retry_after
async def test_a_request_gives_up_after_max_retries(
    pool: Pool, caplog: pytest.LogCaptureFixture
) -> None:
    budget = SharedBudget(pool)
    try:
        paced = limiter(budget, max_retries=1)
        api = _Throttled(throttle_first=5)
        with pytest.raises(RetryAfter):
            await paced.process_request(api, (), {}, "sendMessage", {"chat_id": 1}, None)
        assert api.refused == 2  # the request and its one retry
        assert "429 Too Many Requests after 1 retries" in caplog.text
        with pytest.raises(RetryAfter):  # rate_limit_args=0: no retry for this request
            await paced.process_request(api, (), {}, "sendMessage", {"chat_id": 1}, 0)
        assert api.refused == 3
    finally:
        budget.close()
