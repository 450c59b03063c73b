"""`python -m bot report`: what citizens asked and what the bot could not answer.

Prints the stats, the grouped unanswered (fallback + clarify) questions and the raw list of those
questions (time, decision, reason, normalised text) so staff can turn them into new examples.

    python -m bot report [--since 7d] [--format text|csv|json] [--db PATH|URL]

`--db` defaults to $BOT_DB, else "questions.sqlite3": a SQLite file or a postgresql:// URL (the
password is never printed); off/none/no/false/0 (any case, as for BOT_DB) mean the log is
disabled. text is for people; json carries everything (stats, groups,
questions); csv is the raw question list, one row per question, with the rank and size of the
group it belongs to; a cell that a spreadsheet would run as a formula (starting with = + - @,
tab or CR) is prefixed with a single quote. Exit codes: 0 ok, 1 no/unreadable/disabled
or unreachable database, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
from dataclasses import asdict

from bot.config import DEFAULT_DB, is_off
from bot.questionlog.backend import QuestionLogError
from bot.questionlog.review import (
    LoggedQuestion,
    format_stats,
    format_unanswered,
    group_questions,
    read_questions,
    read_stats,
)
from bot.questionlog.store import log_database

_SINCE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([hdw]?)\s*$", re.IGNORECASE)
_UNIT_DAYS = {"h": 1 / 24, "d": 1.0, "": 1.0, "w": 7.0}
CSV_FIELDS = (
    "ts",
    "decision",
    "reason",
    "question",
    "normalized",
    "candidates",
    "chosen_intent",
    "feedback",
    "chat_type",
    "group",
    "group_size",
    "id",
)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A CSV cell that a spreadsheet shows as text: strings starting like a formula
    (= + - @ tab CR) get a leading single quote, so citizens' questions such as
    `=HYPERLINK(...)` are never run when staff open the report in Excel or LibreOffice."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def parse_since(value: str) -> float:
    """'7d', '24h', '30d', '2w' (or a bare number of days) -> days."""
    m = _SINCE_RE.match(value)
    if not m or float(m.group(1)) <= 0:
        raise argparse.ArgumentTypeError(f"expected e.g. 7d, 24h, 30d; got {value!r}")
    return float(m.group(1)) * _UNIT_DAYS[m.group(2).lower()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot report", description="Question-log report for staff."
    )
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The report's options, for its own parser and for `python -m bot report`."""
    parser.add_argument(
        "--since", type=parse_since, default=7.0, metavar="AGE", help="7d, 24h, 30d (default 7d)"
    )
    parser.add_argument("--format", choices=("text", "csv", "json"), default="text")
    add_db_argument(parser)


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    """--db: the question log's database (default: $BOT_DB, else questions.sqlite3)."""
    parser.add_argument(
        "--db",
        default=os.environ.get("BOT_DB", "").strip() or DEFAULT_DB,
        help="SQLite file or postgresql:// URL (default: $BOT_DB or questions.sqlite3); "
        "off/none/no/false/0: disabled",
    )


def _question_line(q: LoggedQuestion) -> str:
    why = q.decision + (f"/{q.reason}" if q.reason else "")
    line = f"{q.ts}  {why:<20}  {q.question}"
    if q.normalized and q.normalized != q.question:
        line += f"  [normalised: {q.normalized}]"
    if q.chosen_intent:
        line += f"  [picked: {q.chosen_intent}]"
    return line


def main(argv: list[str] | None = None) -> int:
    """Run the report; returns the process exit code."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help or a bad argument
        return exc.code if isinstance(exc.code, int) else 2
    return run(args)


def run(args: argparse.Namespace) -> int:
    """The report for parsed arguments (`since`, `format`, `db`); returns the exit code."""
    if is_off(args.db):
        print(f"the question log is disabled (BOT_DB={args.db.strip()})", file=sys.stderr)
        return 1
    days: float = args.since
    db = log_database(args.db)
    try:
        if not db.exists():
            print(
                f"no question log at {db.where}: the log is written by the Telegram bot "
                "(`python -m bot run` with TELEGRAM_BOT_TOKEN set); the console commands (ask, "
                "chat, run without a token) do not record questions. Use --db or BOT_DB to point "
                "at the bot's database.",
                file=sys.stderr,
            )
            return 1
        stats = read_stats(db, days=days)
        questions = read_questions(db, days=days)
    except QuestionLogError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        db.close()
    groups = group_questions(questions)
    group_of = {qid: (rank, g.count) for rank, g in enumerate(groups, 1) for qid in g.ids}

    if args.format == "json":
        doc = {
            "stats": stats.to_json(),
            "groups": [{k: v for k, v in asdict(g).items() if k != "ids"} for g in groups],
            "questions": [
                {**asdict(q), "group": group_of[q.id][0], "group_size": group_of[q.id][1]}
                for q in questions
            ],
        }
        json.dump(doc, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
        for q in questions:
            row = asdict(q)
            row["candidates"] = " ".join(q.candidates)
            row["feedback"] = "" if q.feedback is None else int(q.feedback)
            row["group"], row["group_size"] = group_of[q.id]
            # our own record ids are not text a spreadsheet runs: an id may start with "-"
            writer.writerow({k: v if k == "id" else csv_cell(v) for k, v in row.items()})
    else:
        print(format_stats(stats, days, max_chars=None))
        print()
        print(format_unanswered(groups, days, max_chars=None))
        print()
        print(f"All unanswered questions ({len(questions)}), newest first, times UTC:")
        for q in questions:
            print(_question_line(q))
    return 0
