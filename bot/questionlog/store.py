"""Recording the question log: what citizens asked, how the engine decided, and how they rated it.

Recording never slows or breaks answering. `QuestionLog.record()` only enqueues a row and returns
its id at once; one writer thread batches rows into the database: a SQLite file (WAL; the
default) or PostgreSQL (`BOT_DB=postgresql://...`, through a small pool), both behind
bot.questionlog.backend. Every database failure on the write path is logged and swallowed; if
the database cannot be opened at `start()`, records are dropped and the bot keeps answering.

The asker is stored only as a keyed hash (HMAC-SHA256 of the Telegram user id, 16 hex chars),
never as the raw id or a name. Rows older than `retention_days` are purged at start and daily.
Times are stored as ISO-8601 UTC text ("2025-03-01T08:15:30Z"); per-day figures are UTC days.

This module owns the schema (`MIGRATIONS` for SQLite and `PG_MIGRATIONS`, the same steps, as
`SCHEMA`), the time format (`iso_utc`) and which database a BOT_DB value names (`log_database`),
and imports nothing else of the question log but its backend. Reading the log back (figures,
grouped unanswered questions, the raw list, and their text for staff) is
bot.questionlog.review, which reads through these; a log's `database` and `now()` are all it
needs.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import queue
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.engine import Answer
from bot.questionlog.backend import (
    Database,
    Schema,
    Unavailable,
    Writer,
    migrate_sqlite,
    open_database,
)
from bot.questionlog.backend import QuestionLogError as QuestionLogError  # its old home

logger = logging.getLogger(__name__)

DAY = 86400.0  # seconds
_TS_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_QUEUE_MAX = 10_000  # bounded: a stalled writer drops records instead of growing memory
_BATCH_MAX = 500
_IDLE_WAKE = 60.0  # seconds; the writer wakes this often to run the daily purge
_MAX_TEXT = 600  # characters of a stored question: one the engine accepts (500) fits whole
MAX_ROWS = 1_000_000  # rows kept at most: the oldest go first
MAX_PER_ASKER_DAY = 500  # questions of one asker recorded per UTC day: a flood cannot fill the log
_MAX_ID = 100
_ERROR_LOG_EVERY = 60.0  # seconds between repeated write-failure error logs

# 3 (both backends): one change in force per question, so two replicas (or two admins) pressing
# at once cannot both change it; and the day's digest, sent by one replica only.
_STAFF_STEP_3 = (
    "CREATE UNIQUE INDEX staff_changes_one_per_question ON staff_changes (normalized)"
    " WHERE state IN ('active', 'exported')",
    "CREATE TABLE staff_digests (day TEXT PRIMARY KEY, ts TEXT NOT NULL)",
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (  # SQLite
    (  # 1: initial schema
        """CREATE TABLE IF NOT EXISTS questions (
            id TEXT PRIMARY KEY,
            ts TEXT NOT NULL,
            chat_type TEXT NOT NULL,
            question TEXT NOT NULL,
            normalized TEXT NOT NULL,
            decision TEXT NOT NULL,
            intent TEXT,
            score REAL NOT NULL,
            lang TEXT NOT NULL,
            script TEXT NOT NULL,
            reason TEXT,
            candidates TEXT NOT NULL,
            chosen_intent TEXT,
            feedback INTEGER CHECK (feedback IN (0, 1)),
            asker TEXT
        )""",
        "CREATE INDEX IF NOT EXISTS questions_ts ON questions (ts)",
        "CREATE INDEX IF NOT EXISTS questions_decision ON questions (decision)",
    ),
    (  # 2: what staff did from Telegram (bot.questionlog.staff)
        """CREATE TABLE IF NOT EXISTS staff_changes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            ts TEXT NOT NULL,
            admin TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('example', 'not_in_report', 'ignore')),
            question TEXT NOT NULL,
            normalized TEXT NOT NULL,
            intent TEXT,
            state TEXT NOT NULL DEFAULT 'active'
                CHECK (state IN ('active', 'undone', 'exported')),
            state_ts TEXT
        )""",
        "CREATE INDEX IF NOT EXISTS staff_changes_state ON staff_changes (state)",
    ),
    _STAFF_STEP_3,
)
# The same steps for PostgreSQL (applied by bot.storage.pg.migrate as store "questionlog").
# REAL is SQLite's 8-byte float: DOUBLE PRECISION here. COLLATE "C": text compares and sorts
# by code point as in SQLite, whatever the database's locale (times, ids, tie-breaks). `rowid`
# is the insertion order SQLite keeps by itself, so one ORDER BY serves both.
PG_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1: initial schema
        """CREATE TABLE questions (
            id TEXT COLLATE "C" PRIMARY KEY,
            ts TEXT COLLATE "C" NOT NULL,
            chat_type TEXT COLLATE "C" NOT NULL,
            question TEXT NOT NULL,
            normalized TEXT NOT NULL,
            decision TEXT COLLATE "C" NOT NULL,
            intent TEXT COLLATE "C",
            score DOUBLE PRECISION NOT NULL,
            lang TEXT NOT NULL,
            script TEXT NOT NULL,
            reason TEXT COLLATE "C",
            candidates TEXT NOT NULL,
            chosen_intent TEXT COLLATE "C",
            feedback INTEGER CHECK (feedback IN (0, 1)),
            asker TEXT,
            rowid BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE
        )""",
        "CREATE INDEX questions_ts ON questions (ts)",
        "CREATE INDEX questions_decision ON questions (decision)",
    ),
    (  # 2: what staff did from Telegram (bot.questionlog.staff)
        """CREATE TABLE staff_changes (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            ts TEXT COLLATE "C" NOT NULL,
            admin TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('example', 'not_in_report', 'ignore')),
            question TEXT NOT NULL,
            normalized TEXT NOT NULL,
            intent TEXT,
            state TEXT NOT NULL DEFAULT 'active'
                CHECK (state IN ('active', 'undone', 'exported')),
            state_ts TEXT COLLATE "C"
        )""",
        "CREATE INDEX staff_changes_state ON staff_changes (state)",
    ),
    _STAFF_STEP_3,
)
SCHEMA = Schema("questionlog", sqlite=MIGRATIONS, postgresql=PG_MIGRATIONS)
SCHEMA_VERSION = SCHEMA.version
TABLES = ("questions", "staff_changes")  # what the log's size counts

_INSERT = (
    "INSERT INTO questions (id, ts, chat_type, question, normalized, decision, intent, score,"
    " lang, script, reason, candidates, asker) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# a choice counts only if it was offered (a forged button must not invent one), or is "none"
NONE_OF_THESE = "(none of these)"  # recorded when none of the offered intents was meant
_SET_CHOSEN = "UPDATE questions SET chosen_intent = ? WHERE id = ?"
_OFFERED = {  # the candidates (a JSON list of {"intent", "title", "score"}) hold the intent
    "sqlite": "EXISTS (SELECT 1 FROM json_each(questions.candidates)"
    " WHERE json_extract(json_each.value, '$.intent') = ?)",
    "postgresql": "questions.candidates::jsonb @> jsonb_build_array("
    "jsonb_build_object('intent', ?::text))",
}
_SET_CHOICE = {kind: f"{_SET_CHOSEN} AND {offered}" for kind, offered in _OFFERED.items()}
# only the asker rates an answer (a group member cannot hide another's 👎): a record without an
# asker (a channel post) takes no rating
_SET_FEEDBACK = "UPDATE questions SET feedback = ? WHERE id = ? AND asker = ?"
_PURGE = "DELETE FROM questions WHERE ts < ?"
_TRIM = "DELETE FROM questions WHERE id IN (SELECT id FROM questions ORDER BY ts, rowid LIMIT ?)"
_TRIM_EVERY = 10_000  # rows written between two checks of the row cap

_process_secret: bytes | None = None
_secret_lock = threading.Lock()


def iso_utc(t: float) -> str:
    """The stored form of a Unix time: ISO-8601 UTC text ("2025-03-01T08:15:30Z")."""
    return datetime.fromtimestamp(t, UTC).strftime(_TS_FORMAT)


def hash_asker(secret: bytes, user_id: int) -> str:
    """Keyed hash of a Telegram user id: links one asker's questions, reveals nothing."""
    return hmac.new(secret, str(user_id).encode(), hashlib.sha256).hexdigest()[:16]


def _per_process_secret() -> bytes:
    global _process_secret
    with _secret_lock:
        if _process_secret is None:
            _process_secret = secrets.token_bytes(32)
        return _process_secret


def migrate(conn: sqlite3.Connection) -> int:
    """Bring a SQLite file to SCHEMA_VERSION (PRAGMA user_version); idempotent. Returns the
    version. (PostgreSQL: bot.storage.pg.migrate with PG_MIGRATIONS, run by the backend.)"""
    return migrate_sqlite(conn, MIGRATIONS)


def log_database(location: str | Path | Database) -> Database:
    """The database of the question log at `location`: a postgresql:// (or postgres://) URL,
    else a SQLite file; a Database is returned as it is. Nothing is opened yet."""
    if isinstance(location, Database):
        return location
    return open_database(location, SCHEMA)


def purge_db(
    location: str | Path | Database, retention_days: float, *, now: float | None = None
) -> int:
    """Delete rows older than `retention_days`; returns how many. Never raises."""
    cutoff = iso_utc((time.time() if now is None else now) - retention_days * DAY)
    db = log_database(location)
    try:
        with db.session(write=True) as session:
            return 0 if session is None else int(session.execute(_PURGE, (cutoff,)).rowcount)
    except QuestionLogError as exc:
        logger.error("question log: purge failed: %s", exc)
        return 0
    finally:
        if db is not location:
            db.close()


@dataclass(frozen=True, slots=True)
class _Op:
    sql: str
    params: tuple[object, ...]


_Item = _Op | threading.Event | None  # Event: flush marker; None: stop


class QuestionLog:
    """Records questions from one writer thread into SQLite or PostgreSQL; see the module
    docstring. `location` is a SQLite path, a postgresql:// URL, or a Database: one opened
    here from a path or URL is closed by `close()`, one passed in is left to its opener."""

    def __init__(
        self,
        location: str | Path | Database,
        *,
        secret: str | None,
        retention_days: int = 90,
        clock: Callable[[], float] = time.time,
        max_rows: int = MAX_ROWS,
        max_per_asker_day: int = MAX_PER_ASKER_DAY,
    ) -> None:
        self.database = log_database(location)
        self._owns_database = self.database is not location
        self.path: Path | None = self.database.path  # the SQLite file; None on PostgreSQL
        self.location = self.database.where  # for messages: no password
        self.retention_days = retention_days
        self.max_rows = max_rows
        self.max_per_asker_day = max_per_asker_day
        self._clock = clock
        self._set_choice = _SET_CHOICE[self.database.kind]
        # per asker: (UTC day number, questions recorded that day); bounded by the day's askers
        self._asker_day: dict[str | None, tuple[int, int]] = {}
        self.over_budget = 0  # questions not recorded because their asker was over budget
        if secret:
            self._secret = secret.encode()
        else:
            self._secret = _per_process_secret()
            logger.warning(
                "question log: no secret configured; using a random per-process secret, so "
                "asker hashes will not link across restarts"
            )
        self._queue: queue.Queue[_Item] = queue.Queue(maxsize=_QUEUE_MAX)
        self._thread: threading.Thread | None = None
        self._state = "new"  # new (queueing) -> running | degraded -> closed
        self._dropped = 0
        self._next_purge = 0.0
        self._written = (
            0  # rows written since the last purge (the row cap is checked every so often)
        )
        self._last_error_log = -_ERROR_LOG_EVERY

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Open (SQLite: WAL; PostgreSQL: the pool), migrate, purge expired rows, start the
        writer. On failure: degrade (nothing is recorded, nothing raises)."""
        if self._state != "new":
            return
        try:
            writer = self.database.open_writer()
        except QuestionLogError as exc:
            self._degrade(exc)
            return
        self._purge(writer)
        self._thread = threading.Thread(
            target=self._run, args=(writer,), name="question-log-writer", daemon=True
        )
        self._state = "running"
        self._thread.start()

    @property
    def recording(self) -> bool:
        """Whether questions are being recorded (False: not started, closed, or the database
        could not be opened)."""
        return self._state == "running"

    def _degrade(self, exc: BaseException) -> None:
        logger.error(
            "question log: cannot open %s (%s); questions will not be recorded",
            self.location,
            exc,
        )
        self._state = "degraded"
        if self._owns_database:
            self.database.close()
        self._drain()

    def close(self) -> None:
        """Write what is queued, stop the writer, close the database. Idempotent."""
        was, self._state = self._state, "closed"
        if was == "running" and self._thread is not None:
            try:
                self._queue.put(None, timeout=10.0)
            except queue.Full:
                logger.error("question log: writer stuck; closing without flushing")
            self._thread.join(timeout=15.0)
            if self._thread.is_alive():  # it still holds the database: leave that to it
                logger.error("question log: writer did not stop within 15 s")
                self._drain()
                return
        if self._owns_database:
            self.database.close()
        self._drain()

    def _drain(self) -> None:
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return

    def flush(self, timeout: float = 5.0) -> None:
        """Block until everything queued so far is written (or `timeout` seconds pass)."""
        if self._state != "running":
            return
        done = threading.Event()
        try:
            self._queue.put(done, timeout=timeout)
        except queue.Full:
            return
        done.wait(timeout)

    # -- recording (never raises, never blocks) ----------------------------------------------

    def record(self, *, chat_type: str, user_id: int | None, answer: Answer) -> str:
        """Queue one question; returns its new record id at once."""
        record_id = secrets.token_urlsafe(9)
        try:
            candidates = json.dumps(
                [
                    {"intent": c.intent, "title": c.title, "score": round(c.score, 2)}
                    for c in answer.candidates
                ],
                ensure_ascii=False,
            )
            asker = None if user_id is None else hash_asker(self._secret, int(user_id))
            if not self._within_budget(asker):
                return record_id
            params = (
                record_id,
                iso_utc(self._clock()),
                str(chat_type)[:_MAX_ID],
                str(answer.question)[:_MAX_TEXT],
                str(answer.normalized)[:_MAX_TEXT],
                answer.decision,
                answer.intent if answer.decision == "answer" else None,
                round(float(answer.score), 2),
                answer.lang,
                answer.script,
                answer.reason,
                candidates,
                asker,
            )
            self._enqueue(_Op(_INSERT, params))
        except Exception:
            logger.exception("question log: could not queue a record")
        return record_id

    def record_choice(self, record_id: str, intent_id: str) -> None:
        """Note which clarify button was chosen for a record (only an intent it offered, or
        NONE_OF_THESE)."""
        try:
            intent, rid = str(intent_id)[:_MAX_ID], str(record_id)[:_MAX_ID]
            if intent == NONE_OF_THESE:
                self._enqueue(_Op(_SET_CHOSEN, (intent, rid)))
            else:
                self._enqueue(_Op(self._set_choice, (intent, rid, intent)))
        except Exception:
            logger.exception("question log: could not queue a choice")

    def record_feedback(self, record_id: str, helpful: bool, user_id: int | None = None) -> None:
        """Note 👍 (True) or 👎 (False) for a record, when `user_id` is the one who asked it;
        the last click wins."""
        if user_id is None:
            return
        try:
            asker = self.hash_user(user_id)
            params = (1 if helpful else 0, str(record_id)[:_MAX_ID], asker)
            self._enqueue(_Op(_SET_FEEDBACK, params))
        except Exception:
            logger.exception("question log: could not queue feedback")

    def _within_budget(self, asker: str | None) -> bool:
        """Whether one more question of this asker may be recorded today (UTC)."""
        if asker is None:
            return True
        day = int(self._clock() // DAY)
        seen_day, n = self._asker_day.get(asker, (day, 0))
        if seen_day != day:
            if len(self._asker_day) > 100_000:  # a new day: forget yesterday's counts
                self._asker_day = {k: v for k, v in self._asker_day.items() if v[0] == day}
            n = 0
        if n >= self.max_per_asker_day:
            self.over_budget += 1
            if n == self.max_per_asker_day:
                logger.warning("question log: an asker reached %d questions today", n)
                self._asker_day[asker] = (day, n + 1)
            return False
        self._asker_day[asker] = (day, n + 1)
        return True

    def _enqueue(self, op: _Op) -> None:
        if self._state not in ("new", "running"):
            return
        try:
            self._queue.put_nowait(op)
        except queue.Full:
            self._dropped += 1
            if self._dropped == 1 or self._dropped % 1000 == 0:
                logger.warning("question log: queue full, %d records dropped", self._dropped)

    # -- writer thread -----------------------------------------------------------------------

    def _run(self, writer: Writer) -> None:
        try:
            stop = False
            while not stop:
                try:
                    batch = [self._queue.get(timeout=_IDLE_WAKE)]
                except queue.Empty:
                    batch = []
                while batch and len(batch) < _BATCH_MAX:
                    try:
                        batch.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                stop = self._write(writer, batch)
                self._written += len(batch)
                if not stop and (self._clock() >= self._next_purge or self._written >= _TRIM_EVERY):
                    self._purge(writer)
        finally:
            writer.close()

    def _write(self, writer: Writer, batch: list[_Item]) -> bool:
        ops = [item for item in batch if isinstance(item, _Op)]
        try:
            self._execute(writer, ops)
        except Unavailable as exc:  # locked, disk full, server down: drop the batch
            self._write_failed(len(ops), exc)
        except Exception:  # a bad row: write the others one by one
            for op in ops:
                try:
                    self._execute(writer, [op])
                except Exception as exc:
                    self._write_failed(1, exc)
        for item in batch:
            if isinstance(item, threading.Event):
                item.set()
        return any(item is None for item in batch)

    @staticmethod
    def _execute(writer: Writer, ops: list[_Op]) -> None:
        if not ops:
            return
        with writer.transaction() as session:
            for op in ops:
                session.execute(op.sql, op.params)

    def _write_failed(self, n: int, exc: BaseException) -> None:
        now = time.monotonic()
        if now - self._last_error_log >= _ERROR_LOG_EVERY:
            self._last_error_log = now
            logger.error("question log: write failed, %d item(s) dropped: %s", n, exc)
        else:
            logger.debug("question log: write failed, %d item(s) dropped: %s", n, exc)

    def _purge(self, writer: Writer) -> int:
        """Rows older than the retention, and the oldest beyond `max_rows`."""
        now = self._clock()
        self._next_purge = now + DAY
        self._written = 0
        try:
            with writer.transaction() as session:
                cutoff = iso_utc(now - self.retention_days * DAY)
                n = int(session.execute(_PURGE, (cutoff,)).rowcount)
                count = session.execute("SELECT count(*) FROM questions").fetchone()[0]
                over = int(count) - self.max_rows
                trimmed = int(session.execute(_TRIM, (over,)).rowcount) if over > 0 else 0
        except QuestionLogError as exc:
            logger.error("question log: purge failed: %s", exc)
            return 0
        if trimmed:
            logger.warning(
                "question log: over %d rows, the oldest %d removed", self.max_rows, trimmed
            )
        if n:
            logger.info("question log: purged %d rows older than %d days", n, self.retention_days)
        return n

    # -- purging and reading (own short-lived connection) ------------------------------------

    def purge(self) -> int:
        """Delete rows older than retention_days now; returns how many. Never raises."""
        return purge_db(self.database, self.retention_days, now=self._clock())

    def now(self) -> float:
        """This log's clock (Unix time): what "the last 7 days" are counted from."""
        return self._clock()

    def hash_user(self, user_id: int) -> str:
        """The keyed hash this log stores for a Telegram user (an asker or an admin)."""
        return hash_asker(self._secret, int(user_id))


def open_log(
    location: str | Path,
    *,
    secret: str | None,
    retention_days: int = 90,
    clock: Callable[[], float] = time.time,
    max_rows: int = MAX_ROWS,
    max_per_asker_day: int = MAX_PER_ASKER_DAY,
) -> QuestionLog:
    """The question log at `location` (a BOT_DB value: a SQLite path, or a postgresql:// or
    postgres:// URL), started: recording, or degraded when its database cannot be opened
    (logged; `recording` is False). Close it with `close()`."""
    log = QuestionLog(
        location,
        secret=secret,
        retention_days=retention_days,
        clock=clock,
        max_rows=max_rows,
        max_per_asker_day=max_per_asker_day,
    )
    log.start()
    return log


class NullQuestionLog:
    """Same API as QuestionLog; records nothing (BOT_DB=off), and reads as empty."""

    path: Path | None = None
    database: Database | None = None
    location = "off"

    def __init__(self, *_: object, **__: object) -> None:
        pass

    def start(self) -> None:
        pass

    def close(self) -> None:
        pass

    def flush(self, timeout: float = 5.0) -> None:
        pass

    def record(self, *, chat_type: str, user_id: int | None, answer: Answer) -> str:
        return secrets.token_urlsafe(9)

    def record_choice(self, record_id: str, intent_id: str) -> None:
        pass

    def record_feedback(self, record_id: str, helpful: bool, user_id: int | None = None) -> None:
        pass

    def purge(self) -> int:
        return 0

    def now(self) -> float:
        return time.time()
