"""Reading the question log back for staff: figures, unanswered questions grouped, the raw list.

Reviewing only: nothing here writes, and the schema is bot.questionlog.store's. `read_stats`,
`read_questions`, `read_question` and `read_unanswered` read from a `Source`: a SQLite path, a
PostgreSQL URL (each read opens and closes its own connection), or a log's open `Database`
(`log.database`: its connections are reused). They return empty results when there is no log
there yet and raise `QuestionLogError` on database errors. `stats_of`, `unanswered_in`,
`unhelpful_in` and `questions_in` read a log object (`ReadableLog`: its `database` and clock),
whichever backend it records to. Times are ISO-8601 UTC text and per-day figures are UTC days.
`group_questions` clusters similar wordings; `format_stats` and `format_unanswered` give the
plain text of the admin commands /stats and /unanswered (one Telegram message) and of
`python -m bot report` (uncapped).
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, TypeAlias

from rapidfuzz import fuzz, process

from bot.questionlog.backend import Database, Session
from bot.questionlog.store import DAY, TABLES, iso_utc, log_database

Source: TypeAlias = str | Path | Database  # a SQLite path, a PostgreSQL URL, an open database

DECISIONS = ("answer", "clarify", "fallback")
UNANSWERED = ("fallback", "clarify")
GROUP_SIMILARITY = 85.0  # fuzz.ratio on normalised text for two questions to share a group
MAX_CLUSTER_KEYS = 2000  # distinct wordings compared for grouping (see group_questions)
MAX_BUCKET_SEEDS = 200  # seeds one wording is compared with (see group_questions)
TELEGRAM_LIMIT = 4000  # chars (UTF-16 units) per message we send; Telegram's hard cap is 4096

_READ_ROW_CAP = 50_000


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
    rows: int = 0  # rows in the whole log, any age
    size_bytes: int = 0  # the log's size on disk (SQLite: the file and its write-ahead log)

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
            "log_rows": self.rows,
            "log_size_bytes": self.size_bytes,
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
    answered: dict[str, int] = field(default_factory=dict)  # intent that answered -> count
    rep_id: str = ""  # the record of the representative wording (its newest)


_SELECT = (
    "SELECT id, ts, chat_type, question, normalized, decision, intent, score, reason,"
    " candidates, chosen_intent, feedback FROM questions"
)


_NEWEST = " ORDER BY ts DESC, rowid DESC LIMIT ?"  # rowid: insertion order (see store)
_SELECT_ONE = _SELECT + " WHERE id = ?"


def _select_recent(n_decisions: int, *, unhelpful: bool) -> str:
    marks = ", ".join("?" * n_decisions)  # placeholders only: the values are parameters
    where = f" WHERE ts >= ? AND decision IN ({marks})" + (" AND feedback = 0" if unhelpful else "")
    return _SELECT + where + _NEWEST


@contextmanager
def _reading(source: Source) -> Iterator[Session | None]:
    """One snapshot of the log at `source` (None: no log there yet); a database opened here
    for a path or URL is closed after it."""
    db = log_database(source)
    try:
        with db.session(write=False) as session:
            yield session
    finally:
        if db is not source:
            db.close()


def read_questions(
    source: Source,
    *,
    days: float = 7,
    decisions: tuple[str, ...] = UNANSWERED,
    now: float | None = None,
    unhelpful: bool = False,
) -> list[LoggedQuestion]:
    """Logged questions of the last `days` days with one of `decisions` (and, if `unhelpful`,
    rated 👎), newest first."""
    if not decisions:
        return []
    since = iso_utc((time.time() if now is None else now) - days * DAY)
    sql = _select_recent(len(decisions), unhelpful=unhelpful)
    with _reading(source) as session:
        if session is None:
            return []
        rows = session.execute(sql, (since, *decisions, _READ_ROW_CAP)).fetchall()
    return [_logged(r) for r in rows]


def read_question(source: Source, record_id: str) -> LoggedQuestion | None:
    """One logged question by its record id (None when there is none)."""
    with _reading(source) as session:
        if session is None:
            return None
        row = session.execute(_SELECT_ONE, (record_id,)).fetchone()
    return None if row is None else _logged(row)


def _logged(r: tuple[Any, ...]) -> LoggedQuestion:
    try:
        cands = tuple(str(c["intent"]) for c in json.loads(r[9] or "[]"))
    except (ValueError, TypeError, KeyError):
        cands = ()
    return LoggedQuestion(
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
            answered={r.intent: 1} if r.intent else {},
            rep_id=r.id,
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
        answered=dict(Counter(r.intent for r in rows if r.intent).most_common()),
        rep_id=max((r for r in rows if r.question.strip() == ranked[0]), key=lambda r: r.ts).id,
    )


class ReadableLog(Protocol):
    """What reading needs of a question log: its database (None: no log, as with BOT_DB=off)
    and its clock. QuestionLog on either backend, and NullQuestionLog, are ones."""

    @property
    def database(self) -> Database | None: ...

    def now(self) -> float: ...


def unanswered_in(
    log: ReadableLog, *, days: float = 7, limit: int = 20, handled: frozenset[str] = frozenset()
) -> list[UnansweredGroup]:
    """Most frequent fallback and clarify questions of the log's last `days` days, grouped;
    those whose normalised text staff have `handled` are left out."""
    now = log.now()
    if log.database is None:
        return []
    rows = read_questions(log.database, days=days, now=now)
    return group_questions(_not_handled(rows, handled), limit=limit)


def unhelpful_in(
    log: ReadableLog, *, days: float = 7, limit: int = 20, handled: frozenset[str] = frozenset()
) -> list[UnansweredGroup]:
    """Answers rated 👎 in the log's last `days` days, grouped by question (each group's
    `answered` says which intents answered it); those staff have `handled` are left out."""
    now = log.now()
    if log.database is None:
        return []
    rows = read_questions(log.database, days=days, now=now, decisions=DECISIONS, unhelpful=True)
    return group_questions(_not_handled(rows, handled), limit=limit)


def _not_handled(rows: list[LoggedQuestion], handled: frozenset[str]) -> list[LoggedQuestion]:
    """The rows staff have not dealt with: a wording they handled, or one close enough to
    share its group (GROUP_SIMILARITY), leaves the list with it."""
    if not handled:
        return rows
    seeds = sorted(handled)
    out = []
    for r in rows:
        key = r.normalized.strip() or r.question.strip()
        if key in handled:
            continue
        if process.extractOne(key, seeds, scorer=fuzz.ratio, score_cutoff=GROUP_SIMILARITY):
            continue
        out.append(r)
    return out


def stats_of(log: ReadableLog, *, days: float = 7) -> Stats:
    """The figures of the log's last `days` days (empty ones when there is no log)."""
    now = log.now()
    if log.database is None:
        return Stats(days=days, since=iso_utc(now - days * DAY))
    return read_stats(log.database, days=days, now=now)


def questions_in(log: ReadableLog, *, days: float = 7) -> list[LoggedQuestion]:
    """Every fallback and clarify question of the log's last `days` days, newest first."""
    now = log.now()
    if log.database is None:
        return []
    return read_questions(log.database, days=days, now=now)


def question_in(log: ReadableLog, record_id: str) -> LoggedQuestion | None:
    """One logged question of the log by its record id (None when there is none)."""
    return None if log.database is None else read_question(log.database, record_id)


def read_unanswered(
    source: Source, *, days: float = 7, limit: int = 20, now: float | None = None
) -> list[UnansweredGroup]:
    """The `limit` largest groups of fallback and clarify questions of the last `days` days."""
    return group_questions(read_questions(source, days=days, now=now), limit=limit)


_BY_CHAT_TYPE = (
    "SELECT chat_type, decision, count(*),"
    " coalesce(sum(CASE WHEN feedback = 1 THEN 1 ELSE 0 END), 0),"
    " coalesce(sum(CASE WHEN feedback = 0 THEN 1 ELSE 0 END), 0)"
    " FROM questions WHERE ts >= ? GROUP BY chat_type, decision ORDER BY chat_type, decision"
)
_PER_DAY = "SELECT substr(ts, 1, 10), count(*) FROM questions WHERE ts >= ? GROUP BY 1"
_TOP_INTENTS = (
    "SELECT intent, count(*) FROM questions WHERE ts >= ? AND decision = 'answer'"
    " AND intent IS NOT NULL GROUP BY intent ORDER BY 2 DESC, 1 LIMIT 10"
)
_REASONS = (
    "SELECT coalesce(reason, '?'), count(*) FROM questions WHERE ts >= ?"
    " AND decision = 'fallback' GROUP BY 1 ORDER BY 2 DESC, 1"
)


def read_stats(source: Source, *, days: float = 7, now: float | None = None) -> Stats:
    """Questions per day, decision rates, top intents, feedback, by chat type."""
    now = time.time() if now is None else now
    stats = Stats(days=days, since=iso_utc(now - days * DAY))
    day = datetime.fromtimestamp(now - days * DAY, UTC).date()
    while day <= datetime.fromtimestamp(now, UTC).date():
        stats.per_day[day.isoformat()] = 0
        day += timedelta(days=1)
    db = log_database(source)
    try:
        with db.session(write=False) as session:  # one snapshot for all the figures
            if session is None:
                return stats
            _fill_stats(stats, session)
            stats.size_bytes = db.size_bytes(session, TABLES)
    finally:
        if db is not source:
            db.close()
    return stats


def _fill_stats(stats: Stats, session: Session) -> None:
    stats.rows = int(session.execute("SELECT count(*) FROM questions").fetchone()[0])
    since = (stats.since,)
    for chat_type, decision, n, up, down in session.execute(_BY_CHAT_TYPE, since):
        for c in (stats.overall, stats.by_chat_type.setdefault(chat_type, Counts())):
            c.total += int(n)
            c.helpful += int(up)
            c.unhelpful += int(down)
            if decision in DECISIONS:
                setattr(c, decision, getattr(c, decision) + int(n))
    for d, n in session.execute(_PER_DAY, since):
        stats.per_day[d] = int(n)
    stats.top_intents = [(i, int(n)) for i, n in session.execute(_TOP_INTENTS, since)]
    stats.reasons = {r: int(n) for r, n in session.execute(_REASONS, since)}


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


# bidi embeddings, overrides and isolates: a citizen's text must not reverse the line it is in
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def one_line(text: str, n: int) -> str:
    """A citizen's text as one line for staff: its line breaks and runs of spaces made one
    space (a question cannot fake a group of the list), bidi controls taken out, at most n."""
    text = " ".join(_BIDI.sub("", text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


_cut = one_line


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
    if stats.rows or stats.size_bytes:
        lines.append(f"Log: {stats.rows} rows, {stats.size_bytes / 1_000_000:.1f} MB on disk")
    return _fit(lines[0], lines[1:], max_chars, sep="\n")
