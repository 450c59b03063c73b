"""bot.telegram.pg_inbox against a real PostgreSQL server, two PgInbox instances standing for
two replicas: an update delivered twice (to either) is stored once; a replica replays its own
unfinished updates and those of a replica that died (lease expired), never another live
one's; two replicas claiming at once never get the same row; crossed off is not pending."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql
from telegram import Update
from tg_helpers import RecordingRequest

from bot.storage.pg import Pool, open_pool
from bot.telegram.app import build_application
from bot.telegram.inbox import KEEP_DONE, InboxApplication, InboxQueue
from bot.telegram.pg_inbox import PgInbox, PgInboxQueue, default_owner


@pytest.fixture
def pool(pg_url: str) -> Iterator[Pool]:
    with open_pool(pg_url, max_size=4, name="replica-a") as pool:
        yield pool


@pytest.fixture
def other_pool(pg_url: str) -> Iterator[Pool]:
    with open_pool(pg_url, max_size=4, name="replica-b") as pool:
        yield pool


def body(update_id: int) -> str:
    return f'{{"update_id": {update_id}}}'


def execute(pool: Pool, statement: str, params: tuple[object, ...] = ()) -> None:
    with pool.connection() as conn:
        conn.execute(statement, params)  # type: ignore[arg-type]


def age_claims(pool: Pool, owner: str, seconds: float) -> None:
    """As if `owner` last claimed (or renewed) its rows `seconds` ago."""
    execute(
        pool,
        "UPDATE telegram_inbox SET claimed = now() - make_interval(secs => %s) WHERE owner = %s",
        (seconds, owner),
    )


def owners(pool: Pool) -> dict[int, str]:
    with pool.connection() as conn:
        return dict(conn.execute("SELECT update_id, owner FROM telegram_inbox").fetchall())


def test_an_update_is_stored_once_whichever_replica_gets_it(pool: Pool, other_pool: Pool) -> None:
    a, b = PgInbox(pool, "a"), PgInbox(other_pool, "b")
    assert a.add(1, body(1)) is True
    assert a.add(1, body(1)) is False  # re-delivered to the same replica
    assert b.add(1, body(1)) is False  # re-delivered to the other one
    assert owners(pool) == {1: "a"}


def test_a_delivery_racing_on_two_replicas_is_stored_once(pool: Pool, other_pool: Pool) -> None:
    a, b = PgInbox(pool, "a"), PgInbox(other_pool, "b")

    def deliver(inbox: PgInbox, update_id: int, start: threading.Barrier, out: list[bool]) -> None:
        start.wait()
        out.append(inbox.add(update_id, body(update_id)))

    for update_id in range(1, 31):
        start = threading.Barrier(2)
        results: list[bool] = []
        threads = [
            threading.Thread(target=deliver, args=(inbox, update_id, start, results))
            for inbox in (a, b)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results) == [False, True]


def test_pending_is_a_replicas_own_and_what_dead_ones_left(pool: Pool, other_pool: Pool) -> None:
    a, b = PgInbox(pool, "a"), PgInbox(other_pool, "b")
    a.add(1, body(1))
    a.add(2, body(2))
    b.add(3, body(3))
    assert b.pending() == [(3, body(3))]  # not a's: a is alive (its claims are fresh)
    assert a.pending() == [(1, body(1)), (2, body(2))]  # a restarted: its own again
    age_claims(pool, "b", 61)  # b died a minute ago
    assert a.pending() == [(1, body(1)), (2, body(2)), (3, body(3))]
    assert owners(pool) == {1: "a", 2: "a", 3: "a"}  # claimed by a, now
    assert b.pending() == []  # b comes back: what a took over is a's
    assert a.adopt() == []  # adopt: only other replicas' expired rows


def test_adopt_takes_only_what_a_dead_replica_left(pool: Pool, other_pool: Pool) -> None:
    a, b = PgInbox(pool, "a", lease=60), PgInbox(other_pool, "b", lease=60)
    a.add(1, body(1))
    b.add(2, body(2))
    b.add(3, body(3))
    age_claims(pool, "a", 600)  # a's own, however old: not adopted by a itself
    age_claims(pool, "b", 59)
    assert a.adopt() == []  # b's claims are within the lease
    age_claims(pool, "b", 61)
    assert a.adopt() == [(2, body(2)), (3, body(3))]
    assert a.adopt() == []  # claimed now: not adopted twice


def test_renew_keeps_a_slow_replicas_updates(pool: Pool, other_pool: Pool) -> None:
    a, b = PgInbox(pool, "a"), PgInbox(other_pool, "b")
    b.add(1, body(1))
    b.add(2, body(2))
    b.done(2)
    age_claims(pool, "b", 61)
    assert b.renew() == 1  # b is alive, just slow: only the unfinished one
    assert a.adopt() == [] and a.pending() == []


def test_done_is_not_pending(pool: Pool, other_pool: Pool) -> None:
    a, b = PgInbox(pool, "a"), PgInbox(other_pool, "b")
    a.add(1, body(1))
    a.add(2, body(2))
    a.done(1)
    assert a.pending() == [(2, body(2))]
    b.done(2)  # whichever replica handled it
    assert a.pending() == []
    age_claims(pool, "a", 600)
    assert b.pending() == [] and b.adopt() == []
    assert a.add(1, body(1)) is False  # a done update delivered again is still not new


def test_concurrent_claims_never_hand_a_row_to_two_replicas(pg_url: str, pool: Pool) -> None:
    """Four replicas start at once after a fifth died with 300 unfinished updates: each row
    goes to exactly one of them."""
    dead = PgInbox(pool, "dead")
    for update_id in range(1, 301):
        dead.add(update_id, body(update_id))
    age_claims(pool, "dead", 120)
    pools = [open_pool(pg_url, max_size=2, name=f"replica-{i}") for i in range(4)]
    try:
        inboxes = [PgInbox(p, f"r{i}") for i, p in enumerate(pools)]
        start = threading.Barrier(len(inboxes))
        claimed: dict[str, list[int]] = {}

        def replay(inbox: PgInbox) -> None:
            start.wait()
            got = [u for u, _ in inbox.pending()] + [u for u, _ in inbox.adopt()]
            claimed[inbox.owner] = got

        threads = [threading.Thread(target=replay, args=(i,)) for i in inboxes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for p in pools:
            p.close()
    everything = [u for got in claimed.values() for u in got]
    assert sorted(everything) == list(range(1, 301))  # each exactly once, none lost
    assert set(owners(pool).values()) <= {"r0", "r1", "r2", "r3"}
    for owner, got in claimed.items():
        assert all(owners(pool)[u] == owner for u in got)


def test_prune_forgets_only_what_was_handled_long_ago(pool: Pool) -> None:
    a = PgInbox(pool, "a")
    for update_id in (1, 2, 3):
        a.add(update_id, body(update_id))
    a.done(1)
    a.done(2)
    execute(
        pool,
        "UPDATE telegram_inbox SET done = now() - make_interval(secs => %s) WHERE update_id = 1",
        (KEEP_DONE + 60,),
    )
    a.prune()
    assert sorted(owners(pool)) == [2, 3]  # 2: handled recently (a re-delivery is still caught)
    assert a.add(2, body(2)) is False and a.pending() == [(3, body(3))]


def test_while_the_database_is_away_updates_are_handled_and_crossed_off_later(
    pg_url: str, pool: Pool, caplog: pytest.LogCaptureFixture
) -> None:
    a = PgInbox(pool, "a", timeout=0.3, backoff=0.3)
    a.add(1, body(1))
    a.add(2, body(2))
    name = pg_url.rsplit("/", 1)[1]
    admin = pg_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(sql.Identifier(name))
        )
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
    try:
        caplog.set_level(logging.WARNING, logger="bot.telegram.pg_inbox")
        a.done(1)  # logged, not raised: the update was handled all the same
        assert "not crossed off yet" in caplog.text
        assert a.add(3, body(3)) is True  # handled unrecorded: the bot keeps answering
        assert a.add(3, body(3)) is False  # and a re-delivery to this replica is still caught
        assert "not written down" in caplog.text
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(
                    sql.Identifier(name)
                )
            )
    PgInbox(pool, "a", timeout=10).done(2)  # waits for the pool to reconnect
    time.sleep(0.3)  # a's backoff
    a.done(2)  # and 1, which failed before
    assert a.pending() == []


def test_default_owner(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_REPLICA", "bot-2")
    assert default_owner() == "bot-2"
    monkeypatch.delenv("BOT_REPLICA")
    assert default_owner().endswith(":" + str(__import__("os").getpid()))


# -- with the Application: InboxQueue and InboxApplication as they are -------------------------


async def test_the_application_handles_a_twice_delivered_update_once(
    settings, engine, updates, pool: Pool, other_pool: Pool
):
    inbox = PgInbox(pool, "a")
    app = build_application(settings, engine, None, request=RecordingRequest(), inbox=inbox)
    assert isinstance(app, InboxApplication) and isinstance(app.update_queue, InboxQueue)
    await app.initialize()
    try:
        update = Update.de_json(updates.message("海珠有多少托位"), app.bot)
        await app.update_queue.put(update)
        await app.update_queue.put(update)  # Telegram delivered it again
        assert app.update_queue.qsize() == 1
        assert PgInbox(other_pool, "b").add(update.update_id, "{}") is False  # and to b
        await app.process_update(app.update_queue.get_nowait())
        assert inbox.pending() == []  # crossed off
    finally:
        await app.shutdown()


async def test_a_dead_replicas_update_is_adopted_by_the_survivor(
    settings, engine, updates, pool: Pool, other_pool: Pool
):
    dead = PgInbox(pool, "a")
    app = build_application(settings, engine, None, request=RecordingRequest(), inbox=dead)
    await app.initialize()
    update = Update.de_json(updates.message("海珠有多少托位"), app.bot)
    await app.update_queue.put(update)  # received by a; then a dies
    await app.shutdown()

    survivor = PgInbox(other_pool, "b", lease=0.5)
    app = build_application(settings, engine, None, request=RecordingRequest(), inbox=survivor)
    queue = PgInboxQueue(survivor)
    app.update_queue = queue  # as build_application would with a PgInbox (see the wiring)
    await app.initialize()
    try:
        assert await queue.replay(app.bot) == 0  # a's claim is fresh: a may come back
        queue.start_keeping(app.bot, every=0.1)
        adopted = await asyncio.wait_for(queue.get(), timeout=10)
        assert isinstance(adopted, Update) and adopted.update_id == update.update_id
        assert queue.qsize() == 0  # once
        await queue.put(update)  # and a late re-delivery of it is not handled twice
        assert queue.qsize() == 0
    finally:
        await queue.stop_keeping()
        await app.shutdown()
    assert owners(pool) == {update.update_id: "b"}
