"""bot.conversation.pg against a real PostgreSQL server: the contexts one replica stores, the
others read; they expire; expired rows are purged in bounded batches; a database that goes
away costs one short wait and no answer."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from bot.conversation import ContextStore
from bot.conversation.pg import MIGRATIONS, PgContextStore
from bot.engine import Context
from bot.storage.pg import Pool, open_pool

CONTEXT = Context("海珠有多少托位", "zh", "simplified", ("childcare.places",), (2024,))
OTHER = Context("what about last year", "en", "simplified", ("childcare.places",), (2023,))


class FakeClock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def pool(pg_url: str) -> Iterator[Pool]:
    with open_pool(pg_url, max_size=4, name="replica-a") as pool:
        yield pool


@pytest.fixture
def other_pool(pg_url: str) -> Iterator[Pool]:
    with open_pool(pg_url, max_size=4, name="replica-b") as pool:
        yield pool


def _admin(url: str, statement: sql.Composable) -> None:
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(statement)


def cut_off(url: str) -> None:
    """The database refuses new connections and its open ones are ended: the server is gone
    as far as the store can tell."""
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


def rows(pool: Pool) -> int:
    with pool.connection() as conn:
        row = conn.execute("SELECT count(*) FROM conversation_contexts").fetchone()
    assert row is not None
    return int(row[0])


def test_put_get_forget(pool: Pool) -> None:
    store: ContextStore = PgContextStore(pool, ttl=600)
    assert store.get(1, 2) is None
    store.put(1, 2, CONTEXT)
    assert store.get(1, 2) == CONTEXT
    assert store.get(1, 3) is None and store.get(2, 2) is None  # per chat and asker
    store.put(1, 2, OTHER)  # an upsert: the latest answer wins
    assert store.get(1, 2) == OTHER
    assert rows(pool) == 1
    store.forget(1, 2)
    assert store.get(1, 2) is None


def test_large_ids_and_negative_group_ids(pool: Pool) -> None:
    store = PgContextStore(pool, ttl=600)
    chat, asker = -1001234567890, 7_000_000_000  # supergroups and user ids beyond 32 bits
    store.put(chat, asker, CONTEXT)
    assert store.get(chat, asker) == CONTEXT


def test_two_replicas_see_each_others_contexts(pool: Pool, other_pool: Pool) -> None:
    a = PgContextStore(pool, ttl=600)
    b = PgContextStore(other_pool, ttl=600)  # the second replica migrates nothing again
    a.put(-100, 7, CONTEXT)
    assert b.get(-100, 7) == CONTEXT  # the follow-up reached the other replica
    b.put(-100, 7, OTHER)
    assert a.get(-100, 7) == OTHER
    a.forget(-100, 7)  # /start on one replica
    assert b.get(-100, 7) is None
    with pool.connection() as conn:
        versions = conn.execute(
            "SELECT version FROM schema_migrations WHERE store = 'conversation'"
        ).fetchall()
    assert versions == [(len(MIGRATIONS),)]


def test_a_context_expires_after_ttl(pool: Pool) -> None:
    clock = FakeClock()
    store = PgContextStore(pool, ttl=600, clock=clock)
    store.put(1, 2, CONTEXT)
    clock.now += 599
    assert store.get(1, 2) == CONTEXT
    clock.now += 1
    assert store.get(1, 2) is None
    store.put(1, 2, OTHER)  # a new answer starts a new ttl
    clock.now += 599
    assert store.get(1, 2) == OTHER


def test_replicas_agree_on_expiry(pool: Pool, other_pool: Pool) -> None:
    clock = FakeClock()
    a = PgContextStore(pool, ttl=60, clock=clock)
    b = PgContextStore(other_pool, ttl=60, clock=clock)
    a.put(1, 2, CONTEXT)
    clock.now += 61
    assert b.get(1, 2) is None


def test_no_ttl_stores_nothing(pool: Pool) -> None:
    store = PgContextStore(pool, ttl=0)
    store.put(1, 2, CONTEXT)
    assert store.get(1, 2) is None and rows(pool) == 0


def test_expired_rows_are_purged_in_bounded_batches(pool: Pool) -> None:
    clock = FakeClock()
    store = PgContextStore(pool, ttl=10, clock=clock, purge_every=100, purge_batch=3)
    for asker in range(10):
        store.put(1, asker, CONTEXT)  # the first put purged (nothing yet)
    assert rows(pool) == 10
    clock.now += 50
    store.put(2, 0, CONTEXT)  # not yet time to purge
    assert rows(pool) == 11
    clock.now += 60
    store.put(2, 1, CONTEXT)  # purges at most 3 of the 11 expired
    assert rows(pool) == 12 - 3
    clock.now += 101
    store.put(2, 2, CONTEXT)  # 3 more (everything is expired by now but this one)
    assert rows(pool) == 10 - 3


def test_a_damaged_row_reads_as_no_context(pool: Pool) -> None:
    store = PgContextStore(pool, ttl=600)
    with pool.connection() as conn:
        conn.execute(
            "INSERT INTO conversation_contexts VALUES (1, 2, 'not json', %s)", (time.time() + 60,)
        )
    assert store.get(1, 2) is None


def test_a_database_gone_costs_one_short_wait_and_no_answer(
    pg_url: str, pool: Pool, caplog: pytest.LogCaptureFixture
) -> None:
    store = PgContextStore(pool, ttl=600, timeout=0.3, backoff=0.5)
    store.put(1, 2, CONTEXT)
    cut_off(pg_url)
    caplog.set_level(logging.INFO, logger="bot.conversation.pg")
    try:
        started = time.monotonic()
        assert store.get(1, 2) is None  # the context is lost for now, the answer is not
        first = time.monotonic() - started
        started = time.monotonic()
        for _ in range(20):
            assert store.get(1, 2) is None
            store.put(1, 2, OTHER)  # neither raises
            store.forget(1, 2)
        rest = time.monotonic() - started
    finally:
        reconnect(pg_url)
    assert first < 2.0  # the pool's timeout (0.3 s), with slack for a busy machine
    assert rest < 0.5  # the database is left alone after the failure: no wait per message
    warnings = [r for r in caplog.records if "answering without context" in r.getMessage()]
    assert len(warnings) == 1  # logged once, not once per message
    deadline = time.monotonic() + 15
    while store.get(1, 2) != CONTEXT:  # back once the database is (after the backoff)
        assert time.monotonic() < deadline, "the store did not use the database again"
        time.sleep(0.1)
    assert "the database answers again" in caplog.text
