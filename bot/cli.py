"""Command line: ask, chat, check, eval, coverage, run (Telegram), report (question log).

Every command takes --intents DIR and --data DIR (environment BOT_INTENTS_DIR, BOT_DATA_DIR;
defaults: the project's intents/ and data/).
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from bot.config import DEFAULT_DATA_DIR, DEFAULT_INTENTS_DIR
from bot.content.load import ContentError, Problem
from bot.engine import Context, Engine
from bot.engine.clock import Clock, clock_for, parse_day
from bot.questionlog import StaffChanges, report


def _day(text: str) -> date:
    try:
        return parse_day(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _content_args(p: argparse.ArgumentParser) -> None:
    today = os.environ.get("BOT_TODAY", "").strip()
    p.add_argument(
        "--today",
        type=_day,
        default=today or None,  # a string default goes through `type` too
        metavar="YYYY-MM-DD",
        help="the date to answer as of (BOT_TODAY; default: today in China)",
    )
    p.add_argument(
        "--intents",
        type=Path,
        default=Path(os.environ.get("BOT_INTENTS_DIR") or DEFAULT_INTENTS_DIR),
        help="intents folder (BOT_INTENTS_DIR)",
    )
    p.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get("BOT_DATA_DIR") or DEFAULT_DATA_DIR),
        help="data folder (BOT_DATA_DIR)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Haizhu District inquiry bot"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="answer questions (arguments, or one per line on stdin)")
    ask.add_argument("--json", action="store_true", help="one JSON object per question per line")
    ask.add_argument(
        "--conversation",
        action="store_true",
        help="stdin lines are one asker's conversation: each read against the answer before; "
        "an empty line starts a new one",
    )
    ask.add_argument("question", nargs="*")
    sub.add_parser("chat", help="interactive console conversation")
    check = sub.add_parser("check", help="validate all content; non-zero exit on errors")
    check.add_argument(
        "--changed",
        action="store_true",
        help="show only the problems that are new since the content at git HEAD",
    )
    ev = sub.add_parser("eval", help="run a question set and report accuracy")
    ev.add_argument("file", type=Path)
    ev.add_argument("--quiet", action="store_true", help="summary only")
    sub.add_parser("coverage", help="report sentences with figures not represented in data/")
    sub.add_parser("run", help="run the Telegram bot (console chat without a token)")
    rep = sub.add_parser("report", help="question-log figures and the unanswered questions")
    report.add_arguments(rep)
    health = sub.add_parser(
        "health", help="probe a running bot's /healthz (or /readyz); exit 0 when it answers 200"
    )
    health.add_argument("--ready", action="store_true", help="probe /readyz instead")
    health.add_argument(
        "--url",
        help="the bot's HTTP base URL (default: 127.0.0.1 at WEBHOOK_PORT when WEBHOOK_URL is "
        "set, else at BOT_HTTP_PORT)",
    )
    ex = sub.add_parser("examples", help="the examples staff added in Telegram (list, export)")
    ex.add_argument(
        "action",
        choices=("list", "export"),
        help="list: the examples waiting to be exported; export: write them into intents/*.yaml",
    )
    report.add_db_argument(ex)
    for name, p in sub.choices.items():
        if name != "report":
            _content_args(p)
    return parser


def _clock(args: argparse.Namespace) -> Clock:
    return clock_for(args.today)


def _load(args: argparse.Namespace) -> Engine | None:
    try:
        return Engine.load_checked(args.intents, args.data, clock=_clock(args))
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s); content not loaded", file=sys.stderr)
        return None


def _questions(args: argparse.Namespace) -> Iterable[str]:
    if args.question:
        yield from args.question
        return
    for line in sys.stdin:
        line = line.rstrip("\n")
        if line.strip():
            yield line


def cmd_ask(args: argparse.Namespace) -> int:
    engine = _load(args)
    if engine is None:
        return 2
    if args.conversation:
        return _ask_conversations(engine, args)
    for q in _questions(args):
        answer = engine.ask(q)
        if args.json:
            print(json.dumps(answer.to_json(), ensure_ascii=False), flush=True)
        else:
            print(f"> {q}\n{answer.text}\n", flush=True)
    return 0


def _ask_conversations(engine: Engine, args: argparse.Namespace) -> int:
    """Questions (arguments, or stdin lines) as one asker's conversation in one chat; an
    empty stdin line ends it and starts a new one."""
    lines = args.question or [line.rstrip("\n") for line in sys.stdin]
    context: Context | None = None
    for q in lines:
        if not q.strip():
            context = None
            continue
        answer = engine.ask(q, context)
        context = Context.after(answer, context)
        if args.json:
            row = {**answer.to_json(), "followed": answer.followed}
            print(json.dumps(row, ensure_ascii=False), flush=True)
        else:
            print(f"> {q}\n{answer.text}\n", flush=True)
    return 0


_QUIT = ("/quit", "/exit")  # the console's own commands (in Telegram, commands are the bot's)


def cmd_chat(args: argparse.Namespace) -> int:
    engine = _load(args)
    if engine is None:
        return 2
    print(
        "海珠区政务问答 (console). Ask a question; a number picks a suggestion; "
        f"{' or '.join(_QUIT)} or Ctrl-D quits."
    )
    choices: list[str] = []
    last = None
    context: Context | None = None  # the conversation so far, as in Telegram
    while True:
        try:
            line = input("你> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not line:
            continue
        if line.lower() in _QUIT:
            return 0
        if line.isdigit() and 0 < int(line) <= len(choices) and last is not None:
            answer = engine.answer_intent(
                choices[int(line) - 1], lang=last.lang, script=last.script
            )
            if answer is None:
                continue
        else:
            answer = engine.ask(line, context)
        context = Context.after(answer, context)
        print(answer.text)
        options: list[tuple[str, str]] = [
            (o.intent, o.title)
            for o in (answer.candidates if answer.decision == "clarify" else answer.related)
        ]
        choices = [intent for intent, _ in options]
        if answer.decision != "clarify" and options:
            print(
                "相关问题 / related: "
                + "  ".join(f"[{n}] {title}" for n, (_, title) in enumerate(options, 1))
            )
        last = answer
        print()


def _problems(intents: Path, data: Path, clock: Clock) -> tuple[list[Problem], list[Problem], str]:
    """(errors, warnings, a summary) of the content in `intents` and `data`."""
    from bot.evaluate import example_warnings

    try:
        engine = Engine.load_checked(intents, data, clock=clock)
    except ContentError as exc:
        errors = [p for p in exc.problems if p.severity == "error"]
        return errors, [p for p in exc.problems if p.severity != "error"], ""
    summary = (
        f"{engine.intent_count} intents, {engine.example_count} examples, "
        f"{len(engine.content.facts)} facts"
    )
    return [], [*engine.warnings, *example_warnings(engine)], summary


def _key(problem: Problem) -> tuple[str, str]:
    """A problem without its line or scores: the same problem at HEAD and now."""
    parts = Path(problem.path).parts[-2:]
    return "/".join(parts), re.sub(r"\s*\(\d+ vs \d+\)$", "", problem.message)


def _at_head(intents: Path, data: Path) -> tuple[Path, Path]:
    """The content folders as committed at git HEAD, extracted into a temporary folder."""
    import subprocess
    import tarfile
    import tempfile

    top = subprocess.run(  # noqa: S603 (a fixed git command)
        ["git", "-C", str(intents), "rev-parse", "--show-toplevel"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    root = Path(top).resolve()
    names = [str(d.resolve().relative_to(root)) for d in (intents, data)]
    archive = subprocess.run(  # noqa: S603
        ["git", "-C", str(root), "archive", "--format=tar", "HEAD", *names],  # noqa: S607
        capture_output=True,
        check=True,
    ).stdout
    out = Path(tempfile.mkdtemp(prefix="bot-head-"))
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(out, filter="data")
    return out / names[0], out / names[1]


def cmd_check(args: argparse.Namespace) -> int:
    from bot.content.silenced import SILENCED, load_silenced, split_silenced

    clock = _clock(args)
    errors, warnings, summary = _problems(args.intents, args.data, clock)
    silenced, silenced_problems = load_silenced(args.intents)
    errors += silenced_problems
    warnings, hidden, stale = split_silenced(warnings, silenced)
    if errors or not summary:
        stale = []  # content that did not load says nothing about which warnings are gone
    warnings += [
        Problem(
            str(args.intents / SILENCED),
            s.line,
            f"silenced warning no longer occurs: {s.warning!r}",
            "warning",
        )
        for s in stale
    ]
    note = ""
    if args.changed:
        try:
            head_intents, head_data = _at_head(args.intents, args.data)
        except (OSError, ValueError, subprocess.CalledProcessError) as exc:
            print(
                f"python -m bot check --changed: the content is not in a git repository ({exc})",
                file=sys.stderr,
            )
            return 2
        before_errors, before_warnings, _ = _problems(head_intents, head_data, clock)
        before = {_key(p) for p in [*before_errors, *before_warnings]}
        all_errors, all_warnings = len(errors), len(warnings)
        errors = [p for p in errors if _key(p) not in before]
        warnings = [p for p in warnings if _key(p) not in before]
        note = f" new since git HEAD (of {all_errors} error(s), {all_warnings} warning(s) in all)"
    for problem in sorted(
        [*errors, *warnings], key=lambda p: (p.severity != "error", p.path, p.line)
    ):
        print(problem)
    if errors or not summary:
        print(f"{len(errors)} error(s){note}")
        return 1
    silenced_note = f", {len(hidden)} silenced with a reason ({SILENCED})" if hidden else ""
    print(f"ok: {summary}; {len(warnings)} warning(s){note}{silenced_note}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.evaluate import QuestionSetError, evaluate_file

    engine = _load(args)
    if engine is None:
        return 2
    try:
        result = evaluate_file(engine, args.file)
    except QuestionSetError as exc:
        print(f"python -m bot eval: {exc}", file=sys.stderr)
        return 2
    print(result.format(verbose=not args.quiet))
    return 0


def cmd_coverage(args: argparse.Namespace) -> int:
    from bot.content.coverage import format_gaps, uncovered

    engine = _load(args)
    if engine is None:
        return 2
    print(format_gaps(uncovered(engine.content)))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    # blank (only spaces) counts as not set, as in bot.config.Settings
    if not os.environ.get("TELEGRAM_BOT_TOKEN", "").strip():
        if not sys.stdin.isatty():
            # a container without a token: one clear line, not a console banner in a loop
            print(
                "TELEGRAM_BOT_TOKEN is not set and there is no terminal for the console chat: "
                "set the token (see README, Telegram setup).",
                file=sys.stderr,
            )
            return 2
        print("TELEGRAM_BOT_TOKEN is not set: starting the console chat instead (see README).")
        return cmd_chat(args)
    from bot.config import ConfigError, Settings
    from bot.telegram.app import run_bot

    os.environ["BOT_INTENTS_DIR"] = str(args.intents)
    os.environ["BOT_DATA_DIR"] = str(args.data)
    if args.today:
        os.environ["BOT_TODAY"] = args.today.isoformat()
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    return run_bot(settings)


def cmd_health(args: argparse.Namespace) -> int:
    """`health [--ready] [--url URL]`: the container's HEALTHCHECK, usable by hand too."""
    import urllib.error
    import urllib.request

    from bot.config import is_off

    base = args.url
    if base is None:
        if os.environ.get("WEBHOOK_URL", "").strip():
            port = os.environ.get("WEBHOOK_PORT", "").strip() or "8443"
        else:
            port = os.environ.get("BOT_HTTP_PORT", "").strip()
        if not port or is_off(port) or not port.isdigit():
            print("no HTTP port to probe: set BOT_HTTP_PORT (or use a webhook)", file=sys.stderr)
            return 2
        base = f"http://127.0.0.1:{port}"
    if not base.startswith(("http://", "https://")):
        print(f"not an http(s) URL: {base}", file=sys.stderr)
        return 2
    url = base.rstrip("/") + ("/readyz" if args.ready else "/healthz")
    try:
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
        with direct.open(url, timeout=5) as response:
            print(f"{url}: {response.status}")
            return 0 if response.status == 200 else 1
    except urllib.error.HTTPError as exc:
        print(f"{url}: {exc.code} {exc.read(500).decode('utf-8', 'replace')}", file=sys.stderr)
    except (urllib.error.URLError, OSError) as exc:
        print(f"{url}: not reachable ({exc})", file=sys.stderr)
    return 1


def cmd_examples(args: argparse.Namespace) -> int:
    """`examples list` / `examples export`: the examples staff added from Telegram."""
    from bot.config import is_off, is_postgres
    from bot.questionlog import QuestionLogError, open_staff

    if is_off(args.db) or (not is_postgres(args.db) and not Path(args.db).is_file()):
        print(f"no question log at {args.db} (use --db or BOT_DB)", file=sys.stderr)
        return 1
    staff = open_staff(args.db)
    try:
        return _examples(args, staff)
    except QuestionLogError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        staff.close()


def _examples(args: argparse.Namespace, staff: StaffChanges) -> int:
    from bot.content.edit import EditError, add_examples
    from bot.questionlog import QuestionLogError

    try:
        pending = [c for c in staff.active() if c.example() is not None]
    except QuestionLogError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    if args.action == "list" or not pending:
        for c in pending:
            print(f"#{c.id} {c.ts} {c.intent}: {c.question}")
        print(f"{len(pending)} example(s) waiting to be exported")
        return 0
    grouped: dict[str, list[tuple[str, str]]] = {}
    for c in pending:
        ex = c.example()
        assert ex is not None
        grouped.setdefault(ex.intent, []).append((ex.lang, ex.question))
    files = sorted(args.intents.glob("*.y*ml"))
    before = {p: p.read_bytes() for p in files}
    try:
        written, missing = add_examples(args.intents, grouped)
    except EditError as exc:
        print(f"nothing exported: {exc}", file=sys.stderr)
        return 1
    for intent in missing:  # left pending: /undo them, or bring the intent back
        print(f"not exported: no intent '{intent}' in {args.intents}", file=sys.stderr)
    pending = [c for c in pending if c.intent not in missing]
    errors, _, _ = _problems(args.intents, args.data, _clock(args))
    if errors:  # the files must stay valid: put them back as they were
        for path, data in before.items():
            path.write_bytes(data)
        for problem in errors:
            print(problem, file=sys.stderr)
        print("nothing exported: the content would not pass check", file=sys.stderr)
        return 1
    staff.mark_exported([c.id for c in pending])
    for path, n in sorted(written.items()):
        print(f"{path}: {n} example(s) added")
    print(
        f"{len(pending)} example(s) exported; the bot keeps answering them until the new files are "
        "deployed. Review with `git diff`, then commit."
    )
    return 1 if missing else 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # What the imports built lives as long as the process: the collector need not scan it
    # again during the content load (about 20 ms of a first load).
    gc.freeze()
    if args.command == "report":
        return report.run(args)
    handlers = {
        "ask": cmd_ask,
        "chat": cmd_chat,
        "check": cmd_check,
        "eval": cmd_eval,
        "coverage": cmd_coverage,
        "run": cmd_run,
        "examples": cmd_examples,
        "health": cmd_health,
    }
    return handlers[args.command](args)
