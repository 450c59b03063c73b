"""What staff changed from Telegram, kept in the question-log database: the overlay.

Three actions on a question citizens asked: attach it to an intent as an example ("example"),
mark it as something the report does not cover ("not_in_report"), or set it aside ("ignore").
Each is a row with the admin's keyed hash and the time; /undo turns the newest active row to
"undone", and `python -m bot examples export` turns exported examples to "exported" once they
are in intents/*.yaml. The content files are never written from here.

Writes are synchronous, each in its own short transaction (an admin is told a change is made
only once it is stored); errors become QuestionLogError. The schema is bot.questionlog.store's.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot.engine import AddedExample
from bot.questionlog.store import QuestionLogError, iso_utc, migrate

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
    """The staff changes of one SQLite question log (`path`)."""

    def __init__(self, path: str | Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self._clock = clock

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(self.path, timeout=5.0, isolation_level=None)) as conn:
                conn.execute("PRAGMA busy_timeout = 5000")
                migrate(conn)
                yield conn
        except (OSError, sqlite3.Error) as exc:
            raise QuestionLogError(f"staff changes in {self.path}: {exc}") from exc

    def add(
        self, action: Action, question: str, normalized: str, intent: str | None, admin: str
    ) -> Change:
        """Store one change (active) and return it."""
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        ts = iso_utc(self._clock())
        row = (ts, admin, action, question[:MAX_QUESTION], normalized[:MAX_QUESTION], intent)
        with self._connect() as conn:
            cur = conn.execute(
                "INSERT INTO staff_changes (ts, admin, action, question, normalized, intent)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                row,
            )
            new_id = int(cur.lastrowid or 0)
        return Change(new_id, ts, admin, action, row[3], row[4], intent, "active")

    def last_active(self) -> Change | None:
        """The newest change still in force (what /undo would revert)."""
        with self._connect() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM staff_changes WHERE state = 'active'"  # noqa: S608
                " ORDER BY id DESC LIMIT 1"
            ).fetchone()
        return None if row is None else _change(row)

    def undo(self, change_id: int) -> bool:
        """Turn one active change to undone; False when it was no longer active."""
        with self._connect() as conn:
            cur = conn.execute(
                "UPDATE staff_changes SET state = 'undone', state_ts = ?"
                " WHERE id = ? AND state = 'active'",
                (iso_utc(self._clock()), change_id),
            )
            return cur.rowcount == 1

    def recent(self, limit: int = 20) -> list[Change]:
        """The newest changes, any state, newest first."""
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM staff_changes ORDER BY id DESC LIMIT ?",  # noqa: S608
                (max(limit, 0),),
            ).fetchall()
        return [_change(r) for r in rows]

    def active(self) -> list[Change]:
        """Every change in force, oldest first."""
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM staff_changes WHERE state = 'active'"  # noqa: S608
                " ORDER BY id"
            ).fetchall()
        return [_change(r) for r in rows]

    def examples(self) -> list[AddedExample]:
        """The examples the engine adds to the files' examples, oldest first: those in force,
        and the exported ones too. An exported example is a no-op once the files have it
        (bot.engine.examples.with_added skips it), and until the exported files are deployed
        it keeps the bot answering as before: exporting from a copy of the database never makes
        a running bot forget an example."""
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM staff_changes"  # noqa: S608
                " WHERE state IN ('active', 'exported') AND action = 'example' ORDER BY id"
            ).fetchall()
        return [ex for r in rows if (ex := _change(r).example()) is not None]

    def handled(self) -> frozenset[str]:
        """Normalised questions staff have dealt with (they leave /unanswered and /feedback)."""
        return frozenset(c.normalized for c in self.active())

    def mark_exported(self, ids: Sequence[int]) -> int:
        """Examples now in the files: they leave the overlay. Returns how many."""
        ts = iso_utc(self._clock())
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            n = 0
            for change_id in ids:
                n += conn.execute(
                    "UPDATE staff_changes SET state = 'exported', state_ts = ?"
                    " WHERE id = ? AND state = 'active' AND action = 'example'",
                    (ts, change_id),
                ).rowcount
            conn.execute("COMMIT")
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
