"""What staff changed from Telegram, kept in the question-log database: the overlay.

Three actions on a question citizens asked: attach it to an intent as an example ("example"),
mark it as something the report does not cover ("not_in_report"), or set it aside ("ignore").
Each is a row with the admin's keyed hash and the time; /undo turns the newest active row to
"undone", and `python -m bot examples export` turns exported examples to "exported" once they
are in intents/*.yaml. The content files are never written from here.

Writes are synchronous, each in its own short transaction (an admin is told a change is made
only once it is stored); errors become QuestionLogError. The changes live in the question log's
database, SQLite or PostgreSQL (bot.questionlog.backend); the schema is bot.questionlog.store's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot.engine import AddedExample
from bot.questionlog.backend import Database, QuestionLogError
from bot.questionlog.store import iso_utc, log_database

Action = Literal["example", "not_in_report", "ignore"]
ACTIONS: tuple[Action, ...] = ("example", "not_in_report", "ignore")
MAX_QUESTION = 600

_COLUMNS = "id, ts, admin, action, question, normalized, intent, state, state_ts"


@dataclass(frozen=True, slots=True)
class Change:
    """One thing staff did."""

    id: int
    ts: str
    admin: str  # keyed hash of the admin's Telegram id
    action: Action
    question: str
    normalized: str
    intent: str | None
    state: str  # active | undone | exported
    state_ts: str | None = None

    def example(self) -> AddedExample | None:
        """The example this change adds (None for the other actions)."""
        if self.action != "example" or not self.intent:
            return None
        return AddedExample(self.intent, self.question)


class StaffChanges:
    """The staff changes of one question log: `location` is its SQLite path, its postgresql://
    URL, or its Database (`qlog.database`: the log's connections are shared, and the log closes
    them). On PostgreSQL a pool opened here for a URL is opened at the first call and kept
    until `close()`."""

    def __init__(
        self, location: str | Path | Database, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._db = log_database(location)
        self._owns_database = self._db is not location
        self.path: Path | None = self._db.path  # the SQLite file; None on PostgreSQL
        self.location = self._db.where  # for messages: no password
        self._clock = clock

    def close(self) -> None:
        """Close the connections opened here (the pool on PostgreSQL; a later call opens it
        again); a database passed in is left to its opener."""
        if self._owns_database:
            self._db.close()

    def add(
        self, action: Action, question: str, normalized: str, intent: str | None, admin: str
    ) -> Change | None:
        """Store one change (active) and return it; None when the question already has one in
        force (another press, on this replica or another, came first)."""
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        ts = iso_utc(self._clock())
        row = (ts, admin, action, question[:MAX_QUESTION], normalized[:MAX_QUESTION], intent)
        try:
            with self._db.write() as session:
                # fetchall: the statement runs to its end inside the transaction
                got = session.execute(
                    "INSERT INTO staff_changes (ts, admin, action, question, normalized, intent)"
                    " SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM staff_changes"
                    " WHERE normalized = ? AND state IN ('active', 'exported')) RETURNING id",
                    (*row, row[4]),
                ).fetchall()
        except QuestionLogError:
            # two at once on PostgreSQL: the unique index stopped the second
            if row[4] in self.handled():
                return None
            raise
        if not got:
            return None
        return Change(int(got[0][0]), ts, admin, action, row[3], row[4], intent, "active")

    def last_active(self) -> Change | None:
        """The newest change, unless it is undone already (what /undo would revert; an
        exported one cannot be, and /undo says so)."""
        with self._db.write() as session:
            row = session.execute(
                f"SELECT {_COLUMNS} FROM staff_changes WHERE state != 'undone'"  # noqa: S608
                " ORDER BY id DESC LIMIT 1"
            ).fetchone()
        return None if row is None else _change(row)

    def claim_digest(self, day: str) -> bool:
        """Whether this process sends the digest of `day` (the first to claim it does: with
        several replicas, one sends it)."""
        with self._db.write() as session:
            got = session.execute(
                "INSERT INTO staff_digests (day, ts) SELECT ?, ? WHERE NOT EXISTS"
                " (SELECT 1 FROM staff_digests WHERE day = ?) RETURNING day",
                (day, iso_utc(self._clock()), day),
            ).fetchall()
        return bool(got)

    def undo(self, change_id: int) -> bool:
        """Turn one active change to undone; False when it was no longer active."""
        with self._db.write() as session:
            cur = session.execute(
                "UPDATE staff_changes SET state = 'undone', state_ts = ?"
                " WHERE id = ? AND state = 'active'",
                (iso_utc(self._clock()), int(change_id)),
            )
            return cur.rowcount == 1

    def recent(self, limit: int = 20) -> list[Change]:
        """The newest changes, any state, newest first."""
        with self._db.write() as session:
            rows = session.execute(
                f"SELECT {_COLUMNS} FROM staff_changes ORDER BY id DESC LIMIT ?",  # noqa: S608
                (max(limit, 0),),
            ).fetchall()
        return [_change(r) for r in rows]

    def active(self) -> list[Change]:
        """Every change in force, oldest first."""
        with self._db.write() as session:
            rows = session.execute(
                f"SELECT {_COLUMNS} FROM staff_changes WHERE state = 'active'"  # noqa: S608
                " ORDER BY id"
            ).fetchall()
        return [_change(r) for r in rows]

    def examples(self, *, without: int | None = None) -> list[AddedExample]:
        """The examples the engine adds to the files' examples, oldest first: those in force,
        and the exported ones too. An exported example is a no-op once the files have it
        (bot.engine.examples.with_added skips it), and until the exported files are deployed
        it keeps the bot answering as before: exporting from a copy of the database never makes
        a running bot forget an example."""
        with self._db.write() as session:
            rows = session.execute(
                f"SELECT {_COLUMNS} FROM staff_changes"  # noqa: S608
                " WHERE state IN ('active', 'exported') AND action = 'example' ORDER BY id"
            ).fetchall()
        changes = [_change(r) for r in rows]
        return [ex for c in changes if c.id != without and (ex := c.example()) is not None]

    def handled(self) -> frozenset[str]:
        """Normalised questions staff have dealt with, exported examples included (they leave
        /unanswered and /feedback)."""
        with self._db.write() as session:
            rows = session.execute(
                "SELECT normalized FROM staff_changes WHERE state IN ('active', 'exported')"
            ).fetchall()
        return frozenset(str(r[0]) for r in rows)

    def mark_exported(self, ids: Sequence[int]) -> int:
        """Examples now in the files: they leave the overlay. Returns how many."""
        ts = iso_utc(self._clock())
        n = 0
        with self._db.write() as session:  # all or none
            for change_id in ids:
                n += session.execute(
                    "UPDATE staff_changes SET state = 'exported', state_ts = ?"
                    " WHERE id = ? AND state = 'active' AND action = 'example'",
                    (ts, int(change_id)),
                ).rowcount
        return n


def _change(row: tuple[object, ...]) -> Change:
    action = str(row[3])
    if action not in ACTIONS:
        raise QuestionLogError(f"staff change {row[0]}: unknown action {action!r}")
    return Change(
        id=int(str(row[0])),
        ts=str(row[1]),
        admin=str(row[2]),
        action=action,
        question=str(row[4]),
        normalized=str(row[5]),
        intent=None if row[6] is None else str(row[6]),
        state=str(row[7]),
        state_ts=None if row[8] is None else str(row[8]),
    )


def open_staff(location: str | Path | Database) -> StaffChanges:
    """The staff changes kept with the question log at `location`: a BOT_DB value (a SQLite
    path, or a postgresql:// or postgres:// URL; `close()` it at the end), or a running log's
    `database` (its connections are shared). Nothing is opened before the first call, which
    creates and migrates the log if need be."""
    return StaffChanges(location)
