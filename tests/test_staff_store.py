"""Tests of the staff changes (bot.questionlog.staff): what staff did from Telegram, kept in the
question log's database. Every test runs on both backends (`staff_location`: a SQLite file, and
a fresh PostgreSQL database from tests/pgserver.py); the last ones are about each backend's own
failures."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.engine import AddedExample, Answer
from bot.questionlog import QuestionLogError, StaffChanges, open_log, open_staff, review
from bot.questionlog.staff import MAX_QUESTION

T0 = 1_740_000_000.0  # 2025-02-19T21:20:00Z
ADMIN = "a1b2c3d4e5f60718"  # an admin's keyed hash


class Clock:
    """A settable clock for the `clock` parameter."""

    def __init__(self, t: float = T0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def answer(question: str) -> Answer:
    return Answer(
        question=question,
        decision="fallback",
        text="…",
        lang="zh",
        script="simplified",
        intent=None,
        score=0.0,
        normalized=question,
        reason="low_score",
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def staff_location(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    """The same test on each backend: a SQLite path, a fresh empty PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "questions.sqlite3"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def staff(staff_location: str | Path, clock: Clock) -> Iterator[StaffChanges]:
    changes = StaffChanges(staff_location, clock=clock)
    yield changes
    changes.close()


def test_a_new_log_has_no_changes(staff: StaffChanges) -> None:
    assert staff.last_active() is None
    assert staff.recent() == [] and staff.active() == [] and staff.examples() == []
    assert staff.handled() == frozenset()
    assert staff.undo(1) is False
    assert staff.mark_exported([1, 2]) == 0


def test_add_stores_the_change_as_active(staff: StaffChanges, clock: Clock) -> None:
    first = staff.add("example", "海珠区有几个公园", "海珠区有几个公园", "parks", ADMIN)
    clock.t += 60
    second = staff.add("not_in_report", "天河区的地铁", "天河区地铁", None, ADMIN)
    assert second.id > first.id
    assert (first.ts, first.admin, first.action, first.intent, first.state) == (
        "2025-02-19T21:20:00Z",
        ADMIN,
        "example",
        "parks",
        "active",
    )
    assert first.state_ts is None
    assert first.example() == AddedExample("parks", "海珠区有几个公园")
    assert second.example() is None and second.ts == "2025-02-19T21:21:00Z"
    assert staff.recent() == [second, first]  # read back exactly as returned, newest first
    assert staff.active() == [first, second]  # oldest first
    assert staff.last_active() == second


def test_long_questions_are_cut(staff: StaffChanges) -> None:
    change = staff.add("ignore", "问" * 2000, "问" * 2000, None, ADMIN)
    assert len(change.question) == len(change.normalized) == MAX_QUESTION
    [stored] = staff.recent()
    assert stored == change


def test_an_unknown_action_is_refused_and_nothing_stored(staff: StaffChanges) -> None:
    with pytest.raises(ValueError, match="unknown action"):
        staff.add("delete_everything", "q", "q", None, ADMIN)  # type: ignore[arg-type]
    assert staff.recent() == []


def test_undo_reverts_the_newest_active_change_once(staff: StaffChanges, clock: Clock) -> None:
    first = staff.add("example", "学位够吗", "学位够吗", "schools", ADMIN)
    second = staff.add("ignore", "你好", "你好", None, ADMIN)
    clock.t += 3600
    assert staff.undo(second.id) is True
    assert staff.undo(second.id) is False  # no longer active
    assert staff.last_active() == first  # what the next /undo reverts
    [undone] = [c for c in staff.recent() if c.id == second.id]
    assert (undone.state, undone.state_ts) == ("undone", "2025-02-19T22:20:00Z")
    assert staff.active() == [first]
    assert staff.undo(first.id) is True
    assert staff.last_active() is None and staff.active() == []
    assert [c.state for c in staff.recent()] == ["undone", "undone"]


def test_recent_is_newest_first_and_limited(staff: StaffChanges) -> None:
    added = [staff.add("ignore", f"问题{i}", f"问题{i}", None, ADMIN) for i in range(5)]
    assert [c.id for c in staff.recent(3)] == [c.id for c in reversed(added)][:3]
    assert staff.recent(0) == [] and staff.recent(-1) == []
    assert len(staff.recent()) == 5


def test_examples_are_those_in_force_and_those_exported(staff: StaffChanges) -> None:
    kept = staff.add("example", "托位多少", "托位多少", "care", ADMIN)
    exported = staff.add("example", "公园几个", "公园几个", "parks", ADMIN)
    undone = staff.add("example", "医院几家", "医院几家", "hospitals", ADMIN)
    marked = staff.add("not_in_report", "天河区", "天河区", None, ADMIN)
    staff.undo(undone.id)
    # only active examples are exported: not the undone one, not a mark, not an unknown id
    assert staff.mark_exported([exported.id, undone.id, marked.id, 9999]) == 1
    assert staff.mark_exported([exported.id]) == 0  # already exported
    assert staff.examples() == [
        AddedExample("care", "托位多少"),
        AddedExample("parks", "公园几个"),
    ]
    assert staff.active() == [kept, marked]  # an exported example leaves the overlay
    states = {c.id: c.state for c in staff.recent()}
    assert states == {
        kept.id: "active",
        exported.id: "exported",
        undone.id: "undone",
        marked.id: "active",
    }
    assert staff.undo(exported.id) is False  # an exported change is not undone from here


def test_handled_is_the_normalised_text_of_active_changes(staff: StaffChanges) -> None:
    staff.add("example", "海珠区有几个公园？", "海珠区有几个公园", "parks", ADMIN)
    gone = staff.add("ignore", "你好呀", "你好", None, ADMIN)
    staff.add("not_in_report", "天河区的学位", "天河区学位", None, ADMIN)
    staff.undo(gone.id)
    assert staff.handled() == frozenset({"海珠区有几个公园", "天河区学位"})


def test_mark_exported_is_all_or_nothing(staff: StaffChanges) -> None:
    a = staff.add("example", "问一", "问一", "one", ADMIN)
    b = staff.add("example", "问二", "问二", "two", ADMIN)
    with pytest.raises(ValueError):  # the second id fails after the first was updated
        staff.mark_exported([a.id, "not an id"])  # type: ignore[list-item]
    assert [c.state for c in staff.active()] == ["active", "active"]
    assert staff.mark_exported([a.id, b.id]) == 2
    assert staff.active() == []


def test_changes_live_beside_the_question_log(staff_location: str | Path) -> None:
    log = open_log(staff_location, secret="s")
    try:
        assert log.recording
        shared = open_staff(log.database)  # the running log's connections
        change = shared.add("example", "托位多少", "托位多少", "care", ADMIN)
        shared.close()  # the log's database is the log's to close
        log.record(chat_type="private", user_id=1, answer=answer("托位多少"))
        log.flush()
        assert review.stats_of(log).total == 1
        again = open_staff(staff_location)  # another process, or after a restart
        try:
            assert again.last_active() == change
        finally:
            again.close()
    finally:
        log.close()


def test_a_closed_store_opens_again_when_used(staff: StaffChanges) -> None:
    change = staff.add("ignore", "你好", "你好", None, ADMIN)
    staff.close()
    assert staff.last_active() == change


# -- each backend's own failures -----------------------------------------------------------------


def test_sqlite_unusable_path_is_a_question_log_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    staff = StaffChanges(blocker / "questions.sqlite3")
    with pytest.raises(QuestionLogError, match="a-file"):
        staff.add("ignore", "q", "q", None, ADMIN)
    with pytest.raises(QuestionLogError):
        staff.examples()


def test_pg_unreachable_database_is_a_question_log_error_without_the_password(
    pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    server = pg_url.rsplit("/", 1)[0].replace("postgres@", "postgres:s3cret-pw@", 1)
    staff = open_staff(server + "/no_such_database")
    assert staff.path is None and "s3cret-pw" not in staff.location
    with caplog.at_level(logging.DEBUG), pytest.raises(QuestionLogError) as raised:
        staff.examples()
    assert "no_such_database" in str(raised.value)
    shown = [str(raised.value), *(r.getMessage() for r in caplog.records)]
    assert not [text for text in shown if "s3cret-pw" in text]
    staff.close()


def test_one_change_in_force_per_question_even_from_two_processes_at_once(
    staff_location: str | Path,
) -> None:
    """Two replicas (two stores on one database) pressing for the same question at once: one
    change is stored, the other press is told it is already seen to."""
    import threading

    stores = [StaffChanges(staff_location) for _ in range(2)]
    results: list[object] = []
    start = threading.Barrier(2)

    def press(store: StaffChanges, intent: str) -> None:
        start.wait()
        results.append(store.add("example", "同一个问题", "同一个问题", intent, ADMIN))

    threads = [
        threading.Thread(target=press, args=(s, i)) for s, i in zip(stores, ("a", "b"), strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    try:
        assert sorted(r is None for r in results) == [False, True]
        assert len(stores[0].active()) == 1
        # once undone, the question may be seen to again
        [kept] = stores[0].active()
        assert stores[1].undo(kept.id)
        assert stores[0].add("ignore", "同一个问题", "同一个问题", None, ADMIN) is not None
    finally:
        for s in stores:
            s.close()


def test_an_exported_example_stays_handled_and_blocks_undo_of_older_changes(
    staff: StaffChanges,
) -> None:
    older = staff.add("ignore", "旧的", "旧的", None, ADMIN)
    exported = staff.add("example", "新的", "新的", "parks", ADMIN)
    assert older is not None and exported is not None
    staff.mark_exported([exported.id])
    assert staff.handled() == frozenset({"旧的", "新的"})
    newest = staff.last_active()
    assert newest is not None and (newest.id, newest.state) == (exported.id, "exported")
    assert staff.examples(without=exported.id) == []


def test_the_digest_of_a_day_is_claimed_once(staff_location: str | Path) -> None:
    first, second = StaffChanges(staff_location), StaffChanges(staff_location)
    try:
        assert first.claim_digest("2026-12-02") is True
        assert second.claim_digest("2026-12-02") is False
        assert second.claim_digest("2026-12-03") is True
    finally:
        first.close()
        second.close()
