"""The question log: what citizens asked, how the engine decided, and what it could not answer.

Recording never slows or breaks answering. `QuestionLog.record()` only enqueues a row and returns
its id at once; one writer thread owns the only writing connection and batches rows into
SQLite (WAL). Every database failure on the write path is logged and swallowed; if the database
cannot be opened at `start()`, records are dropped and the bot keeps answering.

The asker is stored only as a keyed hash (HMAC-SHA256 of the Telegram user id, 16 hex chars),
never as the raw id or a name. Rows older than `retention_days` are purged at start and daily.
Times are stored as ISO-8601 UTC text ("2025-03-01T08:15:30Z"); per-day figures are UTC days.

Reads (`unanswered`, `stats`, `questions`) use their own short-lived connection; they return
empty results when no database exists yet and raise `QuestionLogError` on database errors.
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
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.answer import Answer

logger = logging.getLogger(__name__)

DECISIONS = ("answer", "clarify", "fallback")
UNANSWERED = ("fallback", "clarify")
GROUP_SIMILARITY = 85.0  # fuzz.ratio on normalised text for two questions to share a group
MAX_CLUSTER_KEYS = 2000  # distinct wordings compared for grouping (see group_questions)
MAX_BUCKET_SEEDS = 200  # seeds one wording is compared with (see group_questions)
TELEGRAM_LIMIT = 4000  # chars (UTF-16 units) per message we send; Telegram's hard cap is 4096

_DAY = 86400.0
_TS_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_QUEUE_MAX = 10_000  # bounded: a stalled writer drops records instead of growing memory
_BATCH_MAX = 500
_IDLE_WAKE = 60.0  # seconds; the writer wakes this often to run the daily purge
_MAX_TEXT = 4096
_MAX_ID = 100
_ERROR_LOG_EVERY = 60.0  # seconds between repeated write-failure error logs
_READ_ROW_CAP = 50_000

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
)
SCHEMA_VERSION = len(MIGRATIONS)

_INSERT = (
    "INSERT INTO questions (id, ts, chat_type, question, normalized, decision, intent, score,"
    " lang, script, reason, candidates, asker) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_SET_CHOICE = "UPDATE questions SET chosen_intent = ? WHERE id = ?"
_SET_FEEDBACK = "UPDATE questions SET feedback = ? WHERE id = ?"
_PURGE = "DELETE FROM questions WHERE ts < ?"

_process_secret: bytes | None = None
_secret_lock = threading.Lock()


class QuestionLogError(Exception):
    """A read from the question log failed (unreadable or foreign database)."""


@dataclass(slots=True)
class Counts:
    """Decision and feedback counts for one slice of questions."""

    total: int = 0
    answer: int = 0
    clarify: int = 0
    fallback: int = 0
    helpful: int = 0
    unhelpful: int = 0

    def rate(self, decision: str) -> float | None:
        """Share (0-1) of questions with this decision; None when there are none."""
        return getattr(self, decision) / self.total if self.total else None

    @property
    def unhelpful_rate(self) -> float | None:
        """Share (0-1) of 👎 among all 👍/👎 clicks; None without feedback."""
        rated = self.helpful + self.unhelpful
        return self.unhelpful / rated if rated else None


@dataclass(slots=True)
class Stats:
    """Figures of the last `days` days (since `since`, UTC)."""

    days: float
    since: str
    overall: Counts = field(default_factory=Counts)
    by_chat_type: dict[str, Counts] = field(default_factory=dict)
    per_day: dict[str, int] = field(default_factory=dict)  # "YYYY-MM-DD" (UTC) -> questions
    top_intents: list[tuple[str, int]] = field(default_factory=list)  # answered intents
    reasons: dict[str, int] = field(default_factory=dict)  # fallback reason -> count

    @property
    def total(self) -> int:
        return self.overall.total

    @property
    def answer_rate(self) -> float | None:
        return self.overall.rate("answer")

    @property
    def clarify_rate(self) -> float | None:
        return self.overall.rate("clarify")

    @property
    def fallback_rate(self) -> float | None:
        return self.overall.rate("fallback")

    @property
    def unhelpful_rate(self) -> float | None:
        return self.overall.unhelpful_rate

    def to_json(self) -> dict[str, object]:
        """Plain JSON-able dict, with the rates spelled out."""

        def counts(c: Counts) -> dict[str, object]:
            rates = {f"{d}_rate": c.rate(d) for d in DECISIONS}
            return {**asdict(c), **rates, "unhelpful_rate": c.unhelpful_rate}

        return {
            "days": self.days,
            "since": self.since,
            **counts(self.overall),
            "by_chat_type": {k: counts(v) for k, v in self.by_chat_type.items()},
            "per_day": self.per_day,
            "top_intents": [{"intent": i, "count": n} for i, n in self.top_intents],
            "fallback_reasons": self.reasons,
        }


@dataclass(frozen=True, slots=True)
class LoggedQuestion:
    """One logged question as the report shows it (no asker)."""

    id: str
    ts: str
    chat_type: str
    question: str
    normalized: str
    decision: str
    intent: str | None
    score: float
    reason: str | None
    candidates: tuple[str, ...]  # intent ids offered
    chosen_intent: str | None
    feedback: bool | None


@dataclass(frozen=True, slots=True)
class UnansweredGroup:
    """Similar fallback/clarify questions grouped together."""

    question: str  # representative: the most frequent wording of the group
    normalized: str
    count: int
    decisions: dict[str, int]  # "fallback"/"clarify" -> count
    reasons: dict[str, int]  # fallback reason -> count
    chosen: dict[str, int]  # intent picked from the clarify buttons -> count
    variants: tuple[str, ...]  # other wordings, most frequent first (at most 5)
    last_seen: str  # ISO UTC
    ids: tuple[str, ...] = ()  # record ids of the members


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime(_TS_FORMAT)


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


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
def _reader(path: Path) -> Iterator[sqlite3.Connection | None]:
    """A short-lived read connection, or None if there is no (migrated) database yet."""
    if not path.exists():
        yield None
        return
    try:
        with closing(_open(path)) as conn:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            yield conn if version >= 1 else None
    except sqlite3.Error as exc:
        raise QuestionLogError(f"cannot read question log {path}: {exc}") from exc


def read_questions(
    path: str | Path,
    *,
    days: float = 7,
    decisions: tuple[str, ...] = UNANSWERED,
    now: float | None = None,
) -> list[LoggedQuestion]:
    """Logged questions of the last `days` days with one of `decisions`, newest first."""
    since = _iso((time.time() if now is None else now) - days * _DAY)
    sql = (
        "SELECT id, ts, chat_type, question, normalized, decision, intent, score, reason,"
        " candidates, chosen_intent, feedback FROM questions WHERE ts >= ?"
        " AND decision IN (SELECT value FROM json_each(?)) ORDER BY ts DESC, rowid DESC LIMIT ?"
    )
    with _reader(Path(path)) as conn:
        if conn is None:
            return []
        rows = conn.execute(sql, (since, json.dumps(decisions), _READ_ROW_CAP)).fetchall()
    out = []
    for r in rows:
        try:
            cands = tuple(str(c["intent"]) for c in json.loads(r[9] or "[]"))
        except (ValueError, TypeError, KeyError):
            cands = ()
        out.append(
            LoggedQuestion(
                id=r[0],
                ts=r[1],
                chat_type=r[2],
                question=r[3],
                normalized=r[4],
                decision=r[5],
                intent=r[6],
                score=r[7],
                reason=r[8],
                candidates=cands,
                chosen_intent=r[10],
                feedback=None if r[11] is None else bool(r[11]),
            )
        )
    return out


def _bucket(key: str) -> str:
    """The cheap key under which similar wordings are looked for: their first character."""
    return key[:1].casefold()


def group_questions(
    rows: list[LoggedQuestion], *, limit: int | None = None
) -> list[UnansweredGroup]:
    """Greedy clustering on normalised text: wordings most frequent first (then most recent),
    each joins the most similar seed with fuzz.ratio >= GROUP_SIMILARITY, else seeds a new
    group. Groups by count, then recency; only the first `limit` are returned (all if None).

    Bounded, so a big log cannot make it quadratic: only the first MAX_CLUSTER_KEYS wordings are
    compared at all (the rest are grouped by identical text only), and a wording is compared only
    with the first MAX_BUCKET_SEEDS seeds (the largest groups) that share its first character."""
    by_key: dict[str, list[LoggedQuestion]] = {}
    for r in rows:
        by_key.setdefault(r.normalized.strip() or r.question.strip(), []).append(r)
    latest = {k: max(r.ts for r in rs) for k, rs in by_key.items()}
    keys = sorted(by_key)  # stable sorts: count desc, then most recent first, then text
    keys.sort(key=latest.__getitem__, reverse=True)
    keys.sort(key=lambda k: len(by_key[k]), reverse=True)
    seeds: list[str] = []
    members: list[list[LoggedQuestion]] = []
    buckets: dict[str, tuple[list[str], list[int]]] = {}  # bucket -> (seed texts, group index)
    for position, key in enumerate(keys):
        if position < MAX_CLUSTER_KEYS:
            texts, index = buckets.setdefault(_bucket(key), ([], []))
            hit = process.extractOne(key, texts, scorer=fuzz.ratio, score_cutoff=GROUP_SIMILARITY)
            if hit is not None:
                members[index[hit[2]]].extend(by_key[key])
                continue
            if len(texts) < MAX_BUCKET_SEEDS:
                texts.append(key)
                index.append(len(seeds))
        seeds.append(key)
        members.append(list(by_key[key]))
    order = sorted(range(len(seeds)), key=lambda i: max(r.ts for r in members[i]), reverse=True)
    order.sort(key=lambda i: len(members[i]), reverse=True)
    if limit is not None:
        order = order[: max(limit, 0)]
    return [_make_group(seeds[i], members[i]) for i in order]


def _make_group(seed: str, rows: list[LoggedQuestion]) -> UnansweredGroup:
    if len(rows) == 1:  # most groups of a big log: the same as below, without the counting
        r = rows[0]
        return UnansweredGroup(
            question=r.question.strip(),
            normalized=seed,
            count=1,
            decisions={r.decision: 1},
            reasons={r.reason: 1} if r.reason else {},
            chosen={r.chosen_intent: 1} if r.chosen_intent else {},
            variants=(),
            last_seen=r.ts,
            ids=(r.id,),
        )
    wordings = Counter(r.question.strip() for r in rows)
    last: dict[str, str] = {}
    for r in rows:
        last[r.question.strip()] = max(last.get(r.question.strip(), ""), r.ts)
    ranked = sorted(wordings)
    ranked.sort(key=lambda w: last[w], reverse=True)
    ranked.sort(key=lambda w: wordings[w], reverse=True)
    return UnansweredGroup(
        question=ranked[0],
        normalized=seed,
        count=len(rows),
        decisions=dict(Counter(r.decision for r in rows).most_common()),
        reasons=dict(Counter(r.reason for r in rows if r.reason).most_common()),
        chosen=dict(Counter(r.chosen_intent for r in rows if r.chosen_intent).most_common()),
        variants=tuple(ranked[1:6]),
        last_seen=max(r.ts for r in rows),
        ids=tuple(r.id for r in rows),
    )


def read_unanswered(
    path: str | Path, *, days: float = 7, limit: int = 20, now: float | None = None
) -> list[UnansweredGroup]:
    """The `limit` largest groups of fallback and clarify questions of the last `days` days."""
    return group_questions(read_questions(path, days=days, now=now), limit=limit)


def read_stats(path: str | Path, *, days: float = 7, now: float | None = None) -> Stats:
    """Questions per day, decision rates, top intents, feedback, by chat type."""
    now = time.time() if now is None else now
    stats = Stats(days=days, since=_iso(now - days * _DAY))
    day = datetime.fromtimestamp(now - days * _DAY, UTC).date()
    while day <= datetime.fromtimestamp(now, UTC).date():
        stats.per_day[day.isoformat()] = 0
        day += timedelta(days=1)
    with _reader(Path(path)) as conn:
        if conn is None:
            return stats
        conn.execute("BEGIN")  # one snapshot for all the figures
        since = (stats.since,)
        for chat_type, decision, n, up, down in conn.execute(
            "SELECT chat_type, decision, count(*), coalesce(sum(feedback = 1), 0),"
            " coalesce(sum(feedback = 0), 0) FROM questions WHERE ts >= ?"
            " GROUP BY chat_type, decision ORDER BY chat_type",
            since,
        ):
            for c in (stats.overall, stats.by_chat_type.setdefault(chat_type, Counts())):
                c.total += n
                c.helpful += up
                c.unhelpful += down
                if decision in DECISIONS:
                    setattr(c, decision, getattr(c, decision) + n)
        for d, n in conn.execute(
            "SELECT substr(ts, 1, 10), count(*) FROM questions WHERE ts >= ? GROUP BY 1", since
        ):
            stats.per_day[d] = n
        stats.top_intents = [
            (i, n)
            for i, n in conn.execute(
                "SELECT intent, count(*) FROM questions WHERE ts >= ? AND decision = 'answer'"
                " AND intent IS NOT NULL GROUP BY intent ORDER BY 2 DESC, 1 LIMIT 10",
                since,
            )
        ]
        stats.reasons = {
            r: n
            for r, n in conn.execute(
                "SELECT coalesce(reason, '?'), count(*) FROM questions WHERE ts >= ?"
                " AND decision = 'fallback' GROUP BY 1 ORDER BY 2 DESC, 1",
                since,
            )
        }
    return stats


def purge_db(path: str | Path, retention_days: float, *, now: float | None = None) -> int:
    """Delete rows older than `retention_days`; returns how many. Never raises."""
    cutoff = _iso((time.time() if now is None else now) - retention_days * _DAY)
    try:
        with _reader(Path(path)) as conn:
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
    ) -> None:
        self.path = Path(path)
        self.retention_days = retention_days
        self._clock = clock
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
            params = (
                record_id,
                _iso(self._clock()),
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
            self._enqueue(_Op(_SET_CHOICE, (str(intent_id)[:_MAX_ID], str(record_id)[:_MAX_ID])))
        except Exception:
            logger.exception("question log: could not queue a choice")

    def record_feedback(self, record_id: str, helpful: bool) -> None:
        """Note 👍 (True) or 👎 (False) for a record; the last click wins."""
        try:
            self._enqueue(_Op(_SET_FEEDBACK, (1 if helpful else 0, str(record_id)[:_MAX_ID])))
        except Exception:
            logger.exception("question log: could not queue feedback")

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
                if not stop and self._clock() >= self._next_purge:
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
        now = self._clock()
        self._next_purge = now + _DAY
        try:
            n = int(conn.execute(_PURGE, (_iso(now - self.retention_days * _DAY),)).rowcount)
        except sqlite3.Error as exc:
            logger.error("question log: purge failed: %s", exc)
            return 0
        if n:
            logger.info("question log: purged %d rows older than %d days", n, self.retention_days)
        return n

    # -- reading (own short-lived connection) ------------------------------------------------

    def purge(self) -> int:
        """Delete rows older than retention_days now; returns how many. Never raises."""
        return purge_db(self.path, self.retention_days, now=self._clock())

    def unanswered(self, *, days: float = 7, limit: int = 20) -> list[UnansweredGroup]:
        """Most frequent fallback and clarify questions of the last `days` days, grouped."""
        return read_unanswered(self.path, days=days, limit=limit, now=self._clock())

    def stats(self, *, days: float = 7) -> Stats:
        """Figures of the last `days` days."""
        return read_stats(self.path, days=days, now=self._clock())

    def questions(self, *, days: float = 7) -> list[LoggedQuestion]:
        """Every fallback and clarify question of the last `days` days, newest first."""
        return read_questions(self.path, days=days, now=self._clock())


class NullQuestionLog:
    """Same API as QuestionLog; records nothing (BOT_DB=off)."""

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

    def unanswered(self, *, days: float = 7, limit: int = 20) -> list[UnansweredGroup]:
        return []

    def stats(self, *, days: float = 7) -> Stats:
        return Stats(days=days, since=_iso(time.time() - days * _DAY))

    def questions(self, *, days: float = 7) -> list[LoggedQuestion]:
        return []


# -- plain-text formatting -------------------------------------------------------------------


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _span(days: float) -> str:
    if days == int(days):
        return "1 day" if days == 1 else f"{int(days)} days"
    return f"{round(days * 24)} h"


def _pct(rate: float | None) -> str:
    return "–" if rate is None else f"{rate * 100:.1f}%"


def _short_ts(ts: str) -> str:
    return ts[:16].replace("T", " ")


def _counts_line(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {n}" for k, n in counts.items())


def format_unanswered(
    groups: list[UnansweredGroup], days: float, *, max_chars: int | None = TELEGRAM_LIMIT
) -> str:
    """Plain text of the groups; at most `max_chars` (UTF-16 units), trimmed "… and N more"."""
    if not groups:
        return f"No unanswered questions in the last {_span(days)}."
    head = f"Unanswered questions, last {_span(days)} (times UTC): {len(groups)} groups"
    blocks = []
    for i, g in enumerate(groups, 1):
        detail = _counts_line(g.decisions)
        if g.reasons:
            detail += f" ({_counts_line(g.reasons)})"
        lines = [
            f"{i}. {_cut(g.question, 200)} ×{g.count}",
            f"   {detail}; last {_short_ts(g.last_seen)}",
        ]
        if g.chosen:
            lines.append(f"   picked: {_counts_line(g.chosen)}")
        if g.variants:
            lines.append("   also: " + " | ".join(_cut(v, 80) for v in g.variants[:3]))
        blocks.append("\n".join(lines))
    return _fit(head, blocks, max_chars)


def _fit(head: str, blocks: list[str], max_chars: int | None, sep: str = "\n\n") -> str:
    """Join blocks under head; stop before max_chars, leaving room for "… and N more"."""
    text = head
    for i, block in enumerate(blocks):
        rest = len(blocks) - i - 1
        tail = f"\n… and {rest} more" if rest else ""
        if max_chars is not None and _utf16_len(text + sep + block + tail) > max_chars:
            more = f"\n… and {len(blocks) - i} more"
            return text + more if _utf16_len(text + more) <= max_chars else text[:max_chars]
        text += sep + block
    return text


def format_stats(stats: Stats, days: float, *, max_chars: int | None = TELEGRAM_LIMIT) -> str:
    """Plain-text summary of `stats` for staff."""
    o = stats.overall
    lines = [f"Questions, last {_span(days)} (UTC days): {o.total}"]
    if o.total:
        lines.append(" · ".join(f"{d} {getattr(o, d)} ({_pct(o.rate(d))})" for d in DECISIONS))
    if stats.reasons:
        lines.append(f"Fallback reasons: {_counts_line(stats.reasons)}")
    lines.append(f"Feedback: 👍 {o.helpful} · 👎 {o.unhelpful} (👎 rate {_pct(o.unhelpful_rate)})")
    if stats.by_chat_type:
        lines.append("By chat type:")
        for chat_type, c in stats.by_chat_type.items():
            rates = ", ".join(f"{d} {_pct(c.rate(d))}" for d in DECISIONS)
            lines.append(f"  {chat_type}: {c.total} ({rates}); 👍 {c.helpful} 👎 {c.unhelpful}")
    if stats.top_intents:
        lines.append("Top answered intents:")
        lines.extend(f"  {intent} {n}" for intent, n in stats.top_intents)
    if stats.per_day:
        lines.append("Per day:")
        lines.extend(f"  {d} {n}" for d, n in stats.per_day.items())
    return _fit(lines[0], lines[1:], max_chars, sep="\n")
