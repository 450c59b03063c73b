"""bot.storage.pg against a real PostgreSQL server (tests/pgserver.py): migrations are applied
once, atomically and under a lock; a newer database is refused; NOTIFY reaches a listener, also
after it reconnects; pools fail fast and without the password; URLs are redacted."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from pgserver import PgServer

from bot.storage.pg import (
    Pool,
    SchemaTooNew,
    StorageUnavailable,
    listen,
    migrate,
    notify,
    open_pool,
    redact_url,
)

NOTES = [
    ["CREATE TABLE notes (id SERIAL PRIMARY KEY, body TEXT NOT NULL)"],
    [
        "ALTER TABLE notes ADD COLUMN tag TEXT CHECK (tag LIKE 'n%')",
        "INSERT INTO notes (body) VALUES ('written by step 2')",
    ],
]


@pytest.fixture
def pool(pg_url: str) -> Iterator[Pool]:
    with open_pool(pg_url, max_size=4) as pool:
        yield pool


def versions(pool: Pool, store: str) -> list[int]:
    with pool.connection() as conn:
        if conn.execute("SELECT to_regclass('schema_migrations')").fetchone() == (None,):
            return []
        rows = conn.execute(
            "SELECT version FROM schema_migrations WHERE store = %s ORDER BY version", (store,)
        ).fetchall()
    return [row[0] for row in rows]


def scalar(pool: Pool, query: str) -> object:
    with pool.connection() as conn:
        row = conn.execute(query).fetchone()  # type: ignore[arg-type]
    assert row is not None
    return row[0]


def test_the_test_server_is_local_and_not_root(pg_server: PgServer, pool: Pool) -> None:
    assert scalar(pool, "SHOW listen_addresses") == "127.0.0.1"
    assert scalar(pool, "SHOW fsync") == "off"
    status = Path(f"/proc/{pg_server.process.pid}/status").read_text(encoding="ascii")
    uid = int(status.split("\nUid:")[1].split()[0])
    assert uid != 0
    if os.geteuid() != 0:
        assert uid == os.geteuid()


def test_migrations_are_applied_in_order_and_recorded(pool: Pool) -> None:
    assert migrate(pool, "notes", NOTES) == 2
    assert versions(pool, "notes") == [1, 2]
    assert scalar(pool, "SELECT count(*) FROM notes") == 1


def test_migrating_again_changes_nothing(pool: Pool) -> None:
    migrate(pool, "notes", NOTES)
    assert migrate(pool, "notes", NOTES) == 2
    assert versions(pool, "notes") == [1, 2]
    assert scalar(pool, "SELECT count(*) FROM notes") == 1  # step 2 ran once


def test_only_a_new_step_is_applied(pool: Pool) -> None:
    migrate(pool, "notes", NOTES[:1])
    assert versions(pool, "notes") == [1]
    assert migrate(pool, "notes", [*NOTES, ["CREATE INDEX notes_tag ON notes (tag)"]]) == 3
    assert versions(pool, "notes") == [1, 2, 3]
    assert scalar(pool, "SELECT count(*) FROM notes") == 1


def test_stores_have_their_own_versions(pool: Pool) -> None:
    migrate(pool, "notes", NOTES)
    assert migrate(pool, "other", [["CREATE TABLE other (x INT)"]]) == 1
    assert versions(pool, "notes") == [1, 2]
    assert versions(pool, "other") == [1]
    assert migrate(pool, "empty", []) == 0


def test_two_replicas_migrating_at_once_apply_each_step_once(pg_url: str) -> None:
    slow = [NOTES[0], ["SELECT pg_sleep(0.3)", *NOTES[1]]]
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def replica() -> None:
        try:
            with open_pool(pg_url, max_size=1) as pool:
                barrier.wait(timeout=10)
                results.append(migrate(pool, "notes", slow))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=replica) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert results == [2, 2]
    with open_pool(pg_url) as pool:
        assert versions(pool, "notes") == [1, 2]
        assert scalar(pool, "SELECT count(*) FROM notes") == 1


def test_a_failing_step_leaves_the_database_as_it_was(pool: Pool) -> None:
    broken = [NOTES[0], ["SELECT * FROM no_such_table"]]
    with pytest.raises(psycopg.errors.UndefinedTable):
        migrate(pool, "notes", broken)
    assert scalar(pool, "SELECT to_regclass('notes') IS NULL") is True
    assert versions(pool, "notes") == []
    assert migrate(pool, "notes", NOTES) == 2


def test_a_database_newer_than_the_code_is_refused(pool: Pool) -> None:
    migrate(pool, "notes", [*NOTES, ["ALTER TABLE notes DROP COLUMN tag"]])
    with pytest.raises(SchemaTooNew, match=r"'notes'.* version 3.* up to 2"):
        migrate(pool, "notes", NOTES)
    assert versions(pool, "notes") == [1, 2, 3]


def test_a_step_given_as_one_string_is_refused(pool: Pool) -> None:
    with pytest.raises(TypeError, match="not one string"):
        migrate(pool, "notes", ["CREATE TABLE notes (id INT)"])


class Listener:
    """listen() in a thread, with what it received."""

    def __init__(self, url: str, channel: str) -> None:
        self.payloads: list[str] = []
        self.received = threading.Event()
        self.connected = threading.Event()
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(
            target=listen,
            args=(url, channel, self.on_payload, self.stop),
            kwargs={"poll_seconds": 0.1, "retry_seconds": 0.1, "on_connect": self.on_connect},
            daemon=True,
        )

    def on_payload(self, payload: str) -> None:
        if payload == "boom":
            raise RuntimeError("a handler's bug")
        self.payloads.append(payload)
        self.received.set()

    def on_connect(self) -> None:
        self.connections += 1
        self.connected.set()

    def __enter__(self) -> Listener:
        self.thread.start()
        assert self.connected.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(5)
        assert not self.thread.is_alive()

    def wait_for(self, payload: str) -> None:
        deadline = time.monotonic() + 10
        while payload not in self.payloads:
            assert time.monotonic() < deadline, self.payloads
            self.received.wait(0.05)
            self.received.clear()


@pytest.mark.parametrize("channel", ["bot_reload", "Bot Reload"])
def test_a_notification_reaches_the_listener(pg_url: str, pool: Pool, channel: str) -> None:
    with Listener(pg_url, channel) as listener:
        notify(pool, channel, "boom")  # the handler fails; listening goes on
        notify(pool, channel, "reload 1")
        notify(pool, "another_channel", "not for us")
        listener.wait_for("reload 1")
        assert listener.payloads == ["reload 1"]


def test_the_listener_reconnects_and_says_so(pg_url: str, pool: Pool) -> None:
    with Listener(pg_url, "bot_reload") as listener:
        listener.connected.clear()
        with pool.connection() as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE query LIKE 'LISTEN%%' AND datname = current_database()"
            )
        assert listener.connected.wait(10)
        assert listener.connections == 2
        notify(pool, "bot_reload", "after the reconnection")
        listener.wait_for("after the reconnection")


def test_the_listener_stops_promptly(pg_url: str) -> None:
    listener = Listener(pg_url, "bot_reload")
    with listener:
        started = time.monotonic()
    assert time.monotonic() - started < 2


@pytest.mark.parametrize(
    ("url", "redacted"),
    [
        (
            "postgresql://bot:s3cret@db.example:5432/bot",
            "postgresql://bot:***@db.example:5432/bot",
        ),
        ("postgres://bot:p@ss/w?rd@db/bot", "postgres://bot:***@ss/w?rd@db/bot"),
        (
            "postgresql://bot:s3cret@h1:5432,h2:5433/bot?sslmode=require&password=s3cret",
            "postgresql://bot:***@h1:5432,h2:5433/bot?sslmode=require&password=***",
        ),
        ("postgresql://bot@db/bot?PASSWORD=s3cret#x", "postgresql://bot@db/bot?PASSWORD=***#x"),
        ("postgresql://bot@db/bot", "postgresql://bot@db/bot"),
        ("host=db user=bot password=s3cret dbname=bot", "host=db user=bot password=*** dbname=bot"),
        ("host=db password = 'se cr\\'et' dbname=bot", "host=db password = *** dbname=bot"),
        ("questions.sqlite3", "questions.sqlite3"),
    ],
)
def test_redact_url_hides_the_password(url: str, redacted: str) -> None:
    assert redact_url(url) == redacted


def test_redact_url_leaves_nothing_of_a_password_with_an_at_sign() -> None:
    # libpq would read this userinfo up to the first "@"; redaction hides up to the last one.
    assert "s3cret" not in redact_url("postgresql://bot:p@s3cret@db/bot")


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_closed_port_fails_fast_and_without_the_password() -> None:
    url = f"postgresql://bot:s3cret@127.0.0.1:{closed_port()}/bot"
    started = time.monotonic()
    with pytest.raises(StorageUnavailable) as caught:
        open_pool(url, timeout=1)
    assert time.monotonic() - started < 3
    message = str(caught.value)
    assert "postgresql://bot:***@127.0.0.1:" in message
    assert "refused" in message.lower()
    assert "s3cret" not in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_a_missing_database_is_named(pg_server: PgServer) -> None:
    with pytest.raises(StorageUnavailable, match='"no_such_db" does not exist'):
        open_pool(pg_server.url("no_such_db"), timeout=1)


def test_an_open_pool_holds_its_minimum(pg_url: str) -> None:
    with open_pool(pg_url, min_size=2, max_size=3) as pool:
        assert pool.get_stats()["pool_size"] >= 2
        assert scalar(pool, "SELECT 1") == 1
    with pytest.raises(ValueError, match="min_size"):
        open_pool(pg_url, min_size=3, max_size=2)
