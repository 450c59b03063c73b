"""PostgreSQL plumbing the stores share: a connection pool, each store's versioned migrations,
LISTEN/NOTIFY between replicas, and URLs with their password hidden for every message.

    pool = open_pool(os.environ["BOT_DB"])
    migrate(pool, "questionlog", [["CREATE TABLE ...", "CREATE INDEX ..."], ["ALTER TABLE ..."]])

A store's migrations are a list of steps, each a list of SQL statements; step N brings the store
to version N, and `schema_migrations` records which versions have been applied. Steps are applied
once, in one transaction, under an advisory lock, so replicas starting together do not race; a
database newer than the code is refused rather than written with an older schema's rules."""

from __future__ import annotations

import hashlib
import logging
import math
import re
import threading
from collections.abc import Callable, Sequence
from typing import TypeAlias

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import TupleRow
from psycopg_pool import ConnectionPool, PoolTimeout

logger = logging.getLogger(__name__)

Pool: TypeAlias = ConnectionPool[psycopg.Connection[TupleRow]]

MIGRATIONS_TABLE = "schema_migrations"
# One lock for every store's migrations (and the creation of the table they share): migrations
# are rare and short, so serialising them all costs nothing and leaves no ordering question.
MIGRATE_LOCK = int.from_bytes(
    hashlib.sha256(b"bot.storage.pg.migrate").digest()[:8], "big", signed=True
)
_HIDDEN = "***"
_URL_PASSWORD = re.compile(r"([?&](?:ssl)?password=)[^&#]*", re.IGNORECASE)
_KEYWORD_PASSWORD = re.compile(r"(\b(?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'|\S*)", re.IGNORECASE)


class StorageError(Exception):
    """A storage problem the bot reports and stops on (never with a password in the message)."""


class StorageUnavailable(StorageError):
    """The database could not be reached or did not give the pool its connections in time."""


class SchemaTooNew(StorageError):
    """The database holds a store at a version this code does not know: it was migrated by a
    newer release. Run that release (or restore a backup); this one would misread the data."""


def redact_url(url: str) -> str:
    """`url` with any password replaced by ***: the userinfo's (`postgresql://u:pw@host/db`),
    a `password=` query parameter, or a `password=...` keyword of a libpq connection string."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        return _KEYWORD_PASSWORD.sub(rf"\g<1>{_HIDDEN}", url)
    # libpq ends the authority at the first "/"; the userinfo at its "@" (the last one, to be
    # safe with an unencoded "@" in a password).
    authority, slash, tail = rest.partition("/")
    userinfo, at, hosts = authority.rpartition("@")
    if at and ":" in userinfo:
        authority = f"{userinfo.split(':', 1)[0]}:{_HIDDEN}@{hosts}"
    return _URL_PASSWORD.sub(rf"\g<1>{_HIDDEN}", f"{scheme}://{authority}{slash}{tail}")


def _scrub(message: str, url: str) -> str:
    """A driver's message with the URL redacted and the password itself removed, wherever it is."""
    message = message.replace(url, redact_url(url))
    try:
        password = conninfo_to_dict(url).get("password")
    except psycopg.Error:
        password = None
    if isinstance(password, str) and password:
        message = message.replace(password, _HIDDEN)
    return message.strip()


def describe_error(exc: BaseException, pool: Pool, *, kind: bool = True) -> str:
    """A driver error for a log line: its message (after its class name, with `kind`), without
    the pool's password should it ever appear in it."""
    message = str(exc).strip() or "no detail"
    if isinstance(pool.conninfo, str):
        message = _scrub(message, pool.conninfo)
    return f"{type(exc).__name__}: {message}" if kind else message


def open_pool(
    url: str,
    *,
    min_size: int = 1,
    max_size: int = 10,
    timeout: float = 10.0,
    name: str = "bot-storage",
) -> Pool:
    """An open pool of connections to `url`, holding `min_size` connections when it returns.

    One connection is tried first, so a wrong host, port, database or password fails at once
    with the server's reason; then the pool opens and waits up to `timeout` seconds for its
    connections. Raises StorageUnavailable; its message shows the URL without its password.
    `timeout` is also how long `pool.connection()` waits for a free connection."""
    if not 0 < min_size <= max_size:
        raise ValueError(f"need 0 < min_size <= max_size, got {min_size} and {max_size}")
    where = redact_url(url)
    connect_timeout = max(2, math.ceil(timeout))  # libpq's unit is whole seconds, minimum 2
    try:
        with psycopg.connect(url, connect_timeout=connect_timeout):
            pass
    except psycopg.Error as exc:
        # `from None`: the driver's exception is not chained, so nothing unscrubbed is printed.
        raise StorageUnavailable(
            f"cannot connect to PostgreSQL at {where}: {_scrub(str(exc), url)}"
        ) from None
    pool: Pool = ConnectionPool(
        url,
        min_size=min_size,
        max_size=max_size,
        open=False,
        timeout=timeout,
        name=name,
        kwargs={"connect_timeout": connect_timeout},
        check=ConnectionPool.check_connection,  # a connection the server dropped is replaced
    )
    try:
        pool.open(wait=True, timeout=timeout)
    except PoolTimeout:
        pool.close()
        raise StorageUnavailable(
            f"PostgreSQL at {where}: the pool did not get {min_size} connection(s) within "
            f"{timeout:g}s (psycopg_pool logged why)"
        ) from None
    logger.info("storage: pool %s open on %s (%d-%d connections)", name, where, min_size, max_size)
    return pool


def migrate(pool: Pool, name: str, migrations: Sequence[Sequence[str]]) -> int:
    """Brings store `name` to version len(migrations) and returns that version.

    `migrations[i]` is the list of SQL statements of version i + 1; the versions the database
    lacks are applied in order, in one transaction (all or none), each recorded in
    schema_migrations. An advisory lock held for the transaction makes a second replica wait
    and then find nothing left to do. Never edit or remove a step once released: append one.
    Statements must be allowed in a transaction (no CREATE INDEX CONCURRENTLY).
    Raises SchemaTooNew when the database is already past the code's last version."""
    if not name:
        raise ValueError("a store needs a name")
    for number, step in enumerate(migrations, 1):
        if isinstance(step, str):
            raise TypeError(f"{name} migration {number}: a list of statements, not one string")
    target = len(migrations)
    with pool.connection() as conn, conn.transaction():
        # Read committed whatever the server's default: each statement below must see what a
        # replica that held the lock before us committed.
        conn.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK,))
        conn.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (store TEXT NOT NULL, version INT NOT NULL,"
                " applied TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (store, version))"
            ).format(sql.Identifier(MIGRATIONS_TABLE))
        )
        row = conn.execute(
            sql.SQL("SELECT coalesce(max(version), 0) FROM {} WHERE store = %s").format(
                sql.Identifier(MIGRATIONS_TABLE)
            ),
            (name,),
        ).fetchone()
        current = int(row[0]) if row else 0
        if current > target:
            raise SchemaTooNew(
                f"store {name!r}: the database is at version {current}, this code knows up to "
                f"{target}; a newer release migrated it, so this one refuses to run on it"
            )
        for version in range(current + 1, target + 1):
            for statement in migrations[version - 1]:
                conn.execute(statement)  # the store's own SQL, from its code
            conn.execute(
                sql.SQL("INSERT INTO {} (store, version) VALUES (%s, %s)").format(
                    sql.Identifier(MIGRATIONS_TABLE)
                ),
                (name, version),
            )
    if current < target:
        logger.info("storage: %s migrated from version %d to %d", name, current, target)
    return target


def notify(pool: Pool, channel: str, payload: str = "") -> None:
    """Sends `payload` (under 8000 bytes) to every connection LISTENing on `channel`,
    when this call's transaction commits (at once: it is its own transaction)."""
    with pool.connection() as conn:
        conn.execute("SELECT pg_notify(%s, %s)", (channel, payload))


def listen(
    url: str,
    channel: str,
    callback: Callable[[str], None],
    stop_event: threading.Event,
    *,
    poll_seconds: float = 1.0,
    retry_seconds: float = 5.0,
    on_connect: Callable[[], None] | None = None,
) -> None:
    """Calls `callback(payload)` for each NOTIFY on `channel` until `stop_event` is set; run it
    in a thread of its own. It holds one dedicated connection (not the pool's: a pooled
    connection would drop the LISTEN when returned), checks `stop_event` at least every
    `poll_seconds`, and reconnects every `retry_seconds` after losing the server.

    Notifications sent while it is not connected are lost: `on_connect` runs each time it is
    listening again (first connection included), the moment to re-read whatever the
    notifications announce. An exception in `callback` is logged, and listening goes on."""
    listen_statement = sql.SQL("LISTEN {}").format(sql.Identifier(channel))
    where = redact_url(url)
    while not stop_event.is_set():
        try:
            with psycopg.connect(
                url, autocommit=True, connect_timeout=max(2, math.ceil(retry_seconds))
            ) as conn:
                conn.execute(listen_statement)
                logger.info("storage: listening on %s at %s", channel, where)
                if on_connect is not None:
                    on_connect()
                while not stop_event.is_set():
                    for note in conn.notifies(timeout=poll_seconds):
                        _deliver(callback, channel, note.payload)
                        if stop_event.is_set():
                            break
        except psycopg.OperationalError as exc:
            logger.warning(
                "storage: listening on %s at %s failed (%s); retrying in %gs",
                channel,
                where,
                _scrub(str(exc), url),
                retry_seconds,
            )
            stop_event.wait(retry_seconds)


def _deliver(callback: Callable[[str], None], channel: str, payload: str) -> None:
    try:
        callback(payload)
    except Exception:
        logger.exception("storage: the handler of a notification on %s failed", channel)
