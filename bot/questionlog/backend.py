"""Where the question log lives: a SQLite file (the default) or a PostgreSQL database
(`BOT_DB=postgresql://...`), behind one small seam that the store, the review and the staff
changes share.

A `Database` hands out sessions: one connection inside one transaction, whose
`execute(sql, params)` takes SQL written once with `?` placeholders (PostgreSQL gets `%s` in
their place) and returns the driver's cursor (`fetchone`, `fetchall`, `rowcount`, iteration).

- `open_writer()`: the log made ready to write (the file or the pool opened, the schema
  migrated), and a `Writer` whose `transaction()`s the writer thread runs its batches in. On
  SQLite it holds one connection; on PostgreSQL each transaction takes a pooled connection, so
  a connection the server dropped is replaced instead of failing every later batch.
- `write()`: one short write transaction, migrating first if need be (staff changes).
- `session(write=...)`: one transaction on a log that exists, or None when there is none yet:
  nothing is created or migrated (the review, the purge). A read is one snapshot.

Driver errors become `QuestionLogError`; those that may pass by themselves (a locked file, a
full disk, a server down, no pooled connection in time) are its subclass `Unavailable`. A
PostgreSQL URL's password never appears in a message (bot.storage.pg.redact_url). The schema
itself is the store's (`Schema`: the same steps written for each backend).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal, Protocol

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import TupleRow

from bot.storage.pg import MIGRATIONS_TABLE, Pool, StorageError, migrate, open_pool, redact_url

logger = logging.getLogger(__name__)

Kind = Literal["sqlite", "postgresql"]
POSTGRES_SCHEMES = ("postgresql://", "postgres://")
SQLITE_TIMEOUT = 5.0  # seconds a SQLite statement waits for a lock
PG_TIMEOUT = 5.0  # seconds to connect, and to wait for a pooled connection
PG_POOL_MAX = 4  # connections per log: the writer, a purge, a reader or two


class QuestionLogError(Exception):
    """The question log's database failed (unreadable, foreign, unreachable, newer schema)."""


class Unavailable(QuestionLogError):
    """The database is busy or out of reach (locked, disk full, server down): it may pass."""


def is_postgres_url(location: str | Path) -> bool:
    """Whether a BOT_DB value names a PostgreSQL database (postgresql:// or postgres://)."""
    return isinstance(location, str) and location.strip().lower().startswith(POSTGRES_SCHEMES)


class Cursor(Protocol):
    """What a session's `execute` returns: sqlite3's and psycopg's cursors both are one."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Session(ABC):
    """One connection inside one transaction."""

    @abstractmethod
    def execute(self, sql: str, params: Sequence[object] = ()) -> Cursor:
        """Run one statement written with `?` placeholders; driver errors become
        QuestionLogError (Unavailable when they may pass)."""


class Writer(ABC):
    """The writer thread's hold on the database: transactions, one per batch."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Session]:
        """One write transaction: committed when the block ends, rolled back if it raises."""

    def close(self) -> None:  # noqa: B027 - nothing to let go of by default
        """Let go of what the writer holds (its connection on SQLite)."""


@dataclass(frozen=True, slots=True)
class Schema:
    """A store's migrations, the same steps written for each backend: step i brings the store
    to version i + 1. Released steps are never edited, only appended to (on both lists)."""

    name: str  # the store's name in PostgreSQL's schema_migrations
    sqlite: Sequence[Sequence[str]]
    postgresql: Sequence[Sequence[str]]

    def __post_init__(self) -> None:
        if len(self.sqlite) != len(self.postgresql):
            raise ValueError(f"{self.name}: the backends' migrations must have the same steps")

    @property
    def version(self) -> int:
        return len(self.sqlite)


class Database(ABC):
    """A question log's database; see the module docstring."""

    kind: ClassVar[Kind]
    path: Path | None  # the SQLite file (None on PostgreSQL)
    where: str  # for messages: the path, or the URL without its password

    @abstractmethod
    def open_writer(self) -> Writer:
        """Ready to write (created, migrated), with the writer's hold on it; raises
        QuestionLogError."""

    @abstractmethod
    def write(self) -> AbstractContextManager[Session]:
        """One short write transaction on a database made ready first if need be."""

    @abstractmethod
    def session(self, *, write: bool) -> AbstractContextManager[Session | None]:
        """One transaction (a snapshot when not `write`) on the log if there is one, else
        None; creates nothing."""

    @abstractmethod
    def size_bytes(self, session: Session, tables: Sequence[str]) -> int:
        """How much room the log takes: the file (and its write-ahead log) on SQLite, the
        tables with their indexes on PostgreSQL."""

    def exists(self) -> bool:
        """Whether there is a log here (created and migrated); raises QuestionLogError."""
        with self.session(write=False) as session:
            return session is not None

    def close(self) -> None:  # noqa: B027 - nothing to close by default
        """Close what is held (the pool on PostgreSQL); a later use opens it again."""


# -- SQLite ----------------------------------------------------------------------------------


def migrate_sqlite(conn: sqlite3.Connection, steps: Sequence[Sequence[str]]) -> int:
    """Bring the file to version len(steps) (PRAGMA user_version); idempotent. Returns the
    version. Each step runs in its own IMMEDIATE transaction that re-reads the version, so two
    processes starting at once do not both apply it; a newer file raises QuestionLogError."""
    target = len(steps)
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version > target:
                raise QuestionLogError(
                    f"database schema v{version} is newer than this code (v{target})"
                )
            if version < target:
                for statement in steps[version]:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {version + 1:d}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        if version >= target:
            return version


class _SqliteSession(Session):
    def __init__(self, conn: sqlite3.Connection, db: SqliteDatabase) -> None:
        self._conn = conn
        self._db = db

    def execute(self, sql: str, params: Sequence[object] = ()) -> Cursor:
        try:
            return self._conn.execute(sql, tuple(params))
        except sqlite3.Error as exc:
            raise self._db.failure(exc) from exc


class _SqliteWriter(Writer):
    def __init__(self, conn: sqlite3.Connection, db: SqliteDatabase) -> None:
        self._conn = conn
        self._db = db

    def transaction(self) -> AbstractContextManager[Session]:
        return self._db.transaction(self._conn, "BEGIN IMMEDIATE")

    def close(self) -> None:
        self._conn.close()


class SqliteDatabase(Database):
    """A SQLite file in WAL mode; every session opens its own short-lived connection."""

    kind = "sqlite"

    def __init__(self, path: str | Path, schema: Schema) -> None:
        self.file = Path(path)
        self.path = self.file
        self.where = str(self.file)
        self._schema = schema

    def failure(self, exc: BaseException) -> QuestionLogError:
        """A driver's (or the file system's) error as this log's."""
        unavailable = isinstance(exc, sqlite3.OperationalError | OSError)
        return (Unavailable if unavailable else QuestionLogError)(
            f"question log {self.where}: {exc}"
        )

    def connect(self) -> sqlite3.Connection:
        """A connection in autocommit (transactions are explicit), usable from any thread."""
        try:
            conn = sqlite3.connect(
                self.file, timeout=SQLITE_TIMEOUT, isolation_level=None, check_same_thread=False
            )
            conn.execute(f"PRAGMA busy_timeout = {int(SQLITE_TIMEOUT * 1000):d}")
        except sqlite3.Error as exc:
            raise self.failure(exc) from exc
        return conn

    @contextmanager
    def transaction(self, conn: sqlite3.Connection, begin: str) -> Iterator[Session]:
        """`begin` ... COMMIT on `conn`, ROLLBACK if the block raises."""
        try:
            conn.execute(begin)
        except sqlite3.Error as exc:
            raise self.failure(exc) from exc
        try:
            yield _SqliteSession(conn, self)
        except BaseException:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise self.failure(exc) from exc

    def _ready(self) -> sqlite3.Connection:
        """A connection to the file, created (with its folder) and migrated."""
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self.failure(exc) from exc
        conn = self.connect()
        try:
            migrate_sqlite(conn, self._schema.sqlite)
        except sqlite3.Error as exc:
            conn.close()
            raise self.failure(exc) from exc
        except BaseException:
            conn.close()
            raise
        return conn

    def open_writer(self) -> Writer:
        conn = self._ready()
        try:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                logger.warning("question log: journal_mode is %s, not WAL", mode)
            conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as exc:
            conn.close()
            raise self.failure(exc) from exc
        return _SqliteWriter(conn, self)

    @contextmanager
    def write(self) -> Iterator[Session]:
        with closing(self._ready()) as conn, self.transaction(conn, "BEGIN IMMEDIATE") as s:
            yield s

    @contextmanager
    def session(self, *, write: bool) -> Iterator[Session | None]:
        if not self.file.exists():
            yield None
            return
        with closing(self.connect()) as conn:
            try:
                version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            except sqlite3.Error as exc:
                raise self.failure(exc) from exc
            if version < 1:
                yield None
                return
            with self.transaction(conn, "BEGIN IMMEDIATE" if write else "BEGIN") as s:
                yield s

    def size_bytes(self, session: Session, tables: Sequence[str]) -> int:
        files = (self.file, self.file.with_name(self.file.name + "-wal"))
        return sum(p.stat().st_size for p in files if p.exists())


# -- PostgreSQL ------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def pg_placeholders(sql: str) -> str:
    """`sql` with psycopg's placeholders: each `?` outside a '...' literal becomes `%s`, and
    every `%` is doubled (psycopg reads them all, quoted or not, once there are parameters)."""
    parts = sql.replace("%", "%%").split("'")
    for i in range(0, len(parts), 2):  # the even parts are outside the literals
        parts[i] = parts[i].replace("?", "%s")
    return "'".join(parts)


class _PgSession(Session):
    def __init__(self, conn: psycopg.Connection[TupleRow], db: PgDatabase) -> None:
        self._conn = conn
        self._db = db

    def execute(self, sql: str, params: Sequence[object] = ()) -> Cursor:
        try:
            return self._conn.execute(pg_placeholders(sql), tuple(params))
        except psycopg.Error as exc:
            raise self._db.failure(exc) from None  # not chained: the driver's text is scrubbed


class _PgWriter(Writer):
    def __init__(self, db: PgDatabase) -> None:
        self._db = db

    def transaction(self) -> AbstractContextManager[Session]:
        return self._db.transaction(read_only=False)


class PgDatabase(Database):
    """A PostgreSQL database through a small pool (bot.storage.pg), opened at first use."""

    kind = "postgresql"

    def __init__(
        self,
        url: str,
        schema: Schema,
        *,
        timeout: float = PG_TIMEOUT,
        max_size: int = PG_POOL_MAX,
    ) -> None:
        self.path = None
        self.where = redact_url(url)
        self._url = url
        self._schema = schema
        self._timeout = timeout
        self._max_size = max_size
        self._lock = threading.Lock()
        self._pool: Pool | None = None
        self._migrated = False

    def failure(self, exc: BaseException) -> QuestionLogError:
        """A driver's error as this log's, with the URL and its password scrubbed."""
        unavailable = isinstance(exc, psycopg.OperationalError)
        return (Unavailable if unavailable else QuestionLogError)(
            f"question log at {self.where}: {self._scrub(str(exc))}"
        )

    def _scrub(self, message: str) -> str:
        message = message.replace(self._url, self.where)
        try:
            password = conninfo_to_dict(self._url).get("password")
        except psycopg.Error:
            password = None
        if isinstance(password, str) and password:
            message = message.replace(password, "***")
        return message.strip()

    def _get_pool(self) -> Pool:
        with self._lock:
            if self._pool is None:
                try:
                    self._pool = open_pool(
                        self._url,
                        min_size=1,
                        max_size=self._max_size,
                        timeout=self._timeout,
                        name="questionlog",
                    )
                except StorageError as exc:  # its message shows no password
                    raise Unavailable(str(exc)) from None
            return self._pool

    def _ready(self) -> None:
        pool = self._get_pool()
        with self._lock:
            if self._migrated:
                return
            try:
                migrate(pool, self._schema.name, self._schema.postgresql)
            except StorageError as exc:  # SchemaTooNew: "... a newer release migrated it"
                raise QuestionLogError(f"question log at {self.where}: {exc}") from None
            except psycopg.Error as exc:
                raise self.failure(exc) from None
            self._migrated = True

    @contextmanager
    def transaction(self, *, read_only: bool) -> Iterator[Session]:
        """One transaction on a pooled connection; a read is one snapshot."""
        pool = self._get_pool()
        try:
            with pool.connection() as conn, conn.transaction():
                if read_only:
                    conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                yield _PgSession(conn, self)
        except psycopg.Error as exc:  # no pooled connection in time, BEGIN or COMMIT failed
            raise self.failure(exc) from None

    def open_writer(self) -> Writer:
        self._ready()
        return _PgWriter(self)

    @contextmanager
    def write(self) -> Iterator[Session]:
        self._ready()
        with self.transaction(read_only=False) as s:
            yield s

    @contextmanager
    def session(self, *, write: bool) -> Iterator[Session | None]:
        with self.transaction(read_only=not write) as s:
            yield s if self._migrated or self._version(s) >= 1 else None

    def _version(self, session: Session) -> int:
        if session.execute("SELECT to_regclass(?)", (MIGRATIONS_TABLE,)).fetchone()[0] is None:
            return 0
        row = session.execute(
            f"SELECT coalesce(max(version), 0) FROM {MIGRATIONS_TABLE} WHERE store = ?",  # noqa: S608
            (self._schema.name,),
        ).fetchone()
        return int(row[0])

    def size_bytes(self, session: Session, tables: Sequence[str]) -> int:
        total = 0
        for table in tables:
            row = session.execute(
                "SELECT coalesce(pg_total_relation_size(to_regclass(?)), 0)", (table,)
            ).fetchone()
            total += int(row[0])
        return total

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
            self._migrated = False
        if pool is not None:
            pool.close()


def open_database(location: str | Path, schema: Schema) -> Database:
    """The database a BOT_DB value names: PostgreSQL for a postgresql:// (or postgres://) URL,
    else a SQLite file. Nothing is opened yet."""
    if is_postgres_url(location):
        return PgDatabase(str(location).strip(), schema)
    if str(location).lower().startswith(("postgresql:/", "postgres:/")):
        # Path("postgresql://...") is "postgresql:/...": not a file name to create (nor to print)
        raise ValueError("a PostgreSQL URL was made a Path (its // lost): pass the URL as a str")
    return SqliteDatabase(location, schema)
