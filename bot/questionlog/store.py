"""Recording the question log: what citizens asked, how the engine decided, and how they rated it.

Recording never slows or breaks answering. `QuestionLog.record()` only enqueues a row and returns
its id at once; one writer thread owns the only writing connection and batches rows into
SQLite (WAL). Every database failure on the write path is logged and swallowed; if the database
cannot be opened at `start()`, records are dropped and the bot keeps answering.

The asker is stored only as a keyed hash (HMAC-SHA256 of the Telegram user id, 16 hex chars),
never as the raw id or a name. Rows older than `retention_days` are purged at start and daily.
Times are stored as ISO-8601 UTC text ("2025-03-01T08:15:30Z"); per-day figures are UTC days.

This module owns the schema (`MIGRATIONS`, `migrate`), the time format (`iso_utc`) and the
short-lived read connection (`read_connection`), and imports nothing else of the question log.
Reading the log back (figures, grouped unanswered questions, the raw list, and their text for
staff) is bot.questionlog.review, which reads through these; a log's `path` and `now()` are all
it needs.
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
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.engine import Answer

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

MIGRATIONS: tuple[tuple[str, ...], ...] = (
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
)
SCHEMA_VERSION = len(MIGRATIONS)

_INSERT = (
    "INSERT INTO questions (id, ts, chat_type, question, normalized, decision, intent, score,"
    " lang, script, reason, candidates, asker) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# a choice counts only if it was offered (a forged button must not invent one), or is "none"
NONE_OF_THESE = "(none of these)"  # recorded when none of the offered intents was meant
_SET_CHOICE = (
    "UPDATE questions SET chosen_intent = ?1 WHERE id = ?2 AND (?1 = ?3"
    " OR EXISTS (SELECT 1 FROM json_each(questions.candidates)"
    " WHERE json_extract(json_each.value, '$.intent') = ?1))"
)
_SET_FEEDBACK = "UPDATE questions SET feedback = ? WHERE id = ?"
_PURGE = "DELETE FROM questions WHERE ts < ?"
_TRIM = "DELETE FROM questions WHERE id IN (SELECT id FROM questions ORDER BY ts LIMIT ?)"
_TRIM_EVERY = 10_000  # rows written between two checks of the row cap

_process_secret: bytes | None = None
_secret_lock = threading.Lock()


class QuestionLogError(Exception):
    """A read from the question log failed (unreadable or foreign database)."""


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
    """Bring the schema to SCHEMA_VERSION (PRAGMA user_version); idempotent. Returns the version.

    Each step runs in its own IMMEDIATE transaction that re-reads the version, so two processes
    starting at once do not both apply it."""
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise QuestionLogError(
                    f"database schema v{version} is newer than this code (v{SCHEMA_VERSION})"
                )
            if version < SCHEMA_VERSION:
                for statement in MIGRATIONS[version]:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {version + 1:d}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        if version >= SCHEMA_VERSION:
            return version


def _open(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=5.0, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


@contextmanager
def read_connection(path: Path) -> Iterator[sqlite3.Connection | None]:
    """A short-lived read connection, or None if there is no (migrated) database yet.

    SQLite errors while it is open become QuestionLogError."""
    if not path.exists():
        yield None
        return
    try:
        with closing(_open(path)) as conn:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            yield conn if version >= 1 else None
    except sqlite3.Error as exc:
        raise QuestionLogError(f"cannot read question log {path}: {exc}") from exc


def purge_db(path: str | Path, retention_days: float, *, now: float | None = None) -> int:
    """Delete rows older than `retention_days`; returns how many. Never raises."""
    cutoff = iso_utc((time.time() if now is None else now) - retention_days * DAY)
    try:
        with read_connection(Path(path)) as conn:
            return 0 if conn is None else int(conn.execute(_PURGE, (cutoff,)).rowcount)
    except (QuestionLogError, sqlite3.Error):
        logger.exception("question log: purge failed")
        return 0


@dataclass(frozen=True, slots=True)
class _Op:
    sql: str
    params: tuple[object, ...]


_Item = _Op | threading.Event | None  # Event: flush marker; None: stop


class QuestionLog:
    """Records questions in SQLite from one writer thread; see the module docstring."""

    def __init__(
        self,
        path: str | Path,
        *,
        secret: str | None,
        retention_days: int = 90,
        clock: Callable[[], float] = time.time,
        max_rows: int = MAX_ROWS,
        max_per_asker_day: int = MAX_PER_ASKER_DAY,
    ) -> None:
        self.path = Path(path)
        self.retention_days = retention_days
        self.max_rows = max_rows
        self.max_per_asker_day = max_per_asker_day
        self._clock = clock
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
        """Open (WAL), migrate, purge expired rows, start the writer. On failure: degrade."""
        if self._state != "new":
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = _open(self.path)
        except (OSError, sqlite3.Error) as exc:
            self._degrade(exc)
            return
        try:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                logger.warning("question log: journal_mode is %s, not WAL", mode)
            conn.execute("PRAGMA synchronous = NORMAL")
            migrate(conn)
            self._purge(conn)
        except (sqlite3.Error, QuestionLogError) as exc:
            conn.close()
            self._degrade(exc)
            return
        self._thread = threading.Thread(
            target=self._run, args=(conn,), name="question-log-writer", daemon=True
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
            "question log: cannot open %s (%s); questions will not be recorded", self.path, exc
        )
        self._state = "degraded"
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
            if self._thread.is_alive():
                logger.error("question log: writer did not stop within 15 s")
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
        """Note which clarify button was chosen for a record."""
        try:
            params = (str(intent_id)[:_MAX_ID], str(record_id)[:_MAX_ID], NONE_OF_THESE)
            self._enqueue(_Op(_SET_CHOICE, params))
        except Exception:
            logger.exception("question log: could not queue a choice")

    def record_feedback(self, record_id: str, helpful: bool) -> None:
        """Note 👍 (True) or 👎 (False) for a record; the last click wins."""
        try:
            self._enqueue(_Op(_SET_FEEDBACK, (1 if helpful else 0, str(record_id)[:_MAX_ID])))
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

    def _run(self, conn: sqlite3.Connection) -> None:
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
                stop = self._write(conn, batch)
                self._written += len(batch)
                if not stop and (self._clock() >= self._next_purge or self._written >= _TRIM_EVERY):
                    self._purge(conn)
        finally:
            conn.close()

    def _write(self, conn: sqlite3.Connection, batch: list[_Item]) -> bool:
        ops = [item for item in batch if isinstance(item, _Op)]
        try:
            self._execute(conn, ops)
        except sqlite3.OperationalError as exc:  # locked, disk full, I/O: drop the batch
            self._write_failed(len(ops), exc)
        except Exception:  # a bad row: write the others one by one
            for op in ops:
                try:
                    self._execute(conn, [op])
                except Exception as exc:
                    self._write_failed(1, exc)
        for item in batch:
            if isinstance(item, threading.Event):
                item.set()
        return any(item is None for item in batch)

    @staticmethod
    def _execute(conn: sqlite3.Connection, ops: list[_Op]) -> None:
        if not ops:
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            for op in ops:
                conn.execute(op.sql, op.params)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _write_failed(self, n: int, exc: BaseException) -> None:
        now = time.monotonic()
        if now - self._last_error_log >= _ERROR_LOG_EVERY:
            self._last_error_log = now
            logger.error("question log: write failed, %d item(s) dropped: %s", n, exc)
        else:
            logger.debug("question log: write failed, %d item(s) dropped: %s", n, exc)

    def _purge(self, conn: sqlite3.Connection) -> int:
        """Rows older than the retention, and the oldest beyond `max_rows`."""
        now = self._clock()
        self._next_purge = now + DAY
        self._written = 0
        try:
            n = int(conn.execute(_PURGE, (iso_utc(now - self.retention_days * DAY),)).rowcount)
            over = int(conn.execute("SELECT count(*) FROM questions").fetchone()[0]) - self.max_rows
            if over > 0:
                trimmed = conn.execute(_TRIM, (over,)).rowcount
                logger.warning(
                    "question log: over %d rows, the oldest %d removed", self.max_rows, trimmed
                )
        except sqlite3.Error as exc:
            logger.error("question log: purge failed: %s", exc)
            return 0
        if n:
            logger.info("question log: purged %d rows older than %d days", n, self.retention_days)
        return n

    # -- purging and reading (own short-lived connection) ------------------------------------

    def purge(self) -> int:
        """Delete rows older than retention_days now; returns how many. Never raises."""
        return purge_db(self.path, self.retention_days, now=self._clock())

    def now(self) -> float:
        """This log's clock (Unix time): what "the last 7 days" are counted from."""
        return self._clock()

    def hash_user(self, user_id: int) -> str:
        """The keyed hash this log stores for a Telegram user (an asker or an admin)."""
        return hash_asker(self._secret, int(user_id))


class NullQuestionLog:
    """Same API as QuestionLog; records nothing (BOT_DB=off), and reads as empty."""

    path: Path | None = None

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

    def record_feedback(self, record_id: str, helpful: bool) -> None:
        pass

    def purge(self) -> int:
        return 0

    def now(self) -> float:
        return time.time()
