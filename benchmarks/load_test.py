"""Load test: many citizens ask the real bot at once, through the fake Telegram Bot API.

    .venv/bin/python benchmarks/load_test.py [--users 200] [--questions 5] [--flood-limit 30]

Starts the fake Bot API (tests/e2e/fake_bot_api.py) and the real bot process (`python -m bot
run`, long polling, question log on), queues USERS x QUESTIONS private-chat questions at the
same instant, and waits until every question is answered. Each answer is matched to its
question by content (the bot must send exactly the engine's answer text), so lost, duplicated
and wrong answers are counted exactly. Reports throughput (answers/s) and latency from
update-queued to sendMessage-received (median, p90, p99, max).

The bot sends through its rate limiter (bot.telegram.app.PacedRateLimiter), configured to
stay below Telegram's limit of about 30 messages per second overall (SEND_RATE = 25/s, at
most SEND_BURST back to back): throughput is capped there BY DESIGN, and latency under a burst
is mostly queueing behind the limiter. --flood-limit 30 makes the fake answer 429 like Telegram
beyond 30 messages/s; the bot must then lose nothing (the limiter retries a 429). The bot has
no setting to turn the limiter off, so this benchmark has no --no-limit option.

Exit status: 0 if every question got exactly one answer, 1 otherwise (lost, duplicated or
wrong answers, refused requests, or the bot failing to start or stop cleanly).
Not a pytest test: it takes about USERS x QUESTIONS / 25 seconds.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "tests" / "e2e"))

from fake_bot_api import FakeBotApi, Message  # noqa: E402

from bot.content.load import ContentError  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.telegram.app import SEND_BURST, SEND_RATE  # noqa: E402

TOKEN = "7100000002:AAloadTestTokenNotARealOne_abcdefghijk"
TELEGRAM_RATE = 30  # messages/s: Telegram's overall limit for a bot (429 beyond)

# Varied questions as citizens type them: figures, plans, traditional script, English,
# colloquial, typos, other places, personal cases and off-topic requests.
QUESTIONS = [
    "海珠区有多少个托位",
    "托位有多少",
    "普惠托位占比多少",
    "海珠區有幾多個托位",
    "公办中小学学位去年增加了多少",
    "今年计划新增多少优质学位？",
    "去年中小学扩了几个班",
    "新开办了几所公办小学",
    "教育集团有多少个",
    "琶洲南学校是跟谁合作的",
    "幼儿园新增了几个园区",
    "亿元以上的重大项目有几个",
    "固定资产投资完成了多少",
    "唯品会国际创新中心动工了吗",
    "2025年哪些项目要封顶",
    "2024年动工的重点项目有哪些",
    "沥滘复建安置房",
    "康鹭片区城中村改造",
    "城中村改造有几个片区",
    "口袋公园新增了几个",
    "碧道建了多少公里",
    "2025年绿化建设计划",
    "长者饭堂有多少个",
    "城镇新增就业多少人",
    "保障性租赁住房筹集了多少套",
    "低保金发了多少钱",
    "地区生产总值增长多少",
    "2025年经济目标是什么",
    "数字经济发展得怎么样",
    "琶洲会展和广交会",
    "广州塔创5A",
    "空气质量怎么样",
    "防汛防涝有什么计划",
    "医院建设计划",
    "托育点覆盖率的目标",
    "How many childcare places are there?",
    "How many new school places were added in 2024?",
    "How many education groups does Haizhu have?",
    "What are the economic targets for 2025?",
    "How many major projects over 100 million yuan?",
    "普慧托位",
    "幼儿圆新增了几个",
    "公辦學位2025年加幾多",
    "越秀区新增多少学位",
    "天河区有多少托位",
    "我家孩子能不能入读公办学校",
    "我的拆迁补偿有多少",
    "帮我写首诗",
    "今天会下雨吗",
    "2025年",
]


@dataclass
class Ask:
    user_index: int
    question: str
    expected: str
    message: Message | None = None
    answers: list[Message] = field(default_factory=list)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def peak_rate(times: list[float]) -> int:
    """The most messages within any 1-second window."""
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--questions", type=int, default=5, help="questions per user")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for answers")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--flood-limit",
        type=int,
        default=None,
        help="make the fake answer 429 beyond N messages/s, as Telegram does (off by default)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder (bot log, db)")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="haizhu-load-"))
    intents, data = PROJECT / "intents", PROJECT / "data"
    try:
        engine = Engine.load(intents, data)
    except ContentError as exc:
        print("the project's content does not load; fix it first (python -m bot check):")
        for problem in exc.problems[:20]:
            print(f"  {problem}")
        return 2

    # One expected text per question; drop questions whose answer text another one shares,
    # so that every answer identifies its question.
    by_text: dict[str, list[str]] = defaultdict(list)
    for q in QUESTIONS:
        by_text[engine.ask(q).text.strip()].append(q)
    pool = [(qs[0], text) for text, qs in by_text.items()]
    if len(pool) < args.questions:
        print(f"only {len(pool)} questions with distinct answers; use --questions <= that")
        return 2
    rng = random.Random(args.seed)

    ok = True
    with FakeBotApi(TOKEN, username="HaizhuLoadBot", flood_limit=args.flood_limit) as fake:
        admin = fake.new_user("管理员")
        fake.private_chat(admin)  # the admin has opened the bot (admin command menu)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
        env.update(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_BASE_URL=fake.base_url,
            BOT_ADMIN_IDS=str(admin.id),
            BOT_INTENTS_DIR=str(intents),
            BOT_DATA_DIR=str(data),
            BOT_DB=str(work / "questions.sqlite3"),
            BOT_LOG_SECRET="load-test",
            LOG_LEVEL="WARNING",
        )
        log_path = work / "bot.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                cwd=work,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            t_start = time.monotonic()
            while True:
                if proc.poll() is not None:
                    print(f"the bot exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
                    return 1
                try:
                    fake.wait_polling(timeout=0.5)
                    break
                except TimeoutError:
                    if time.monotonic() - t_start > 60:
                        print("the bot did not start polling within 60 s")
                        return 1
            startup = time.monotonic() - t_start

            users = [fake.new_user(f"市民{i}") for i in range(args.users)]
            chats = [fake.private_chat(u) for u in users]
            plan: list[Ask] = []
            for i in range(args.users):
                for q, text in rng.sample(pool, args.questions):
                    plan.append(Ask(i, q, text))
            # Everyone at once: all updates are queued before the bot's next poll returns.
            with fake.atomically():
                for ask in plan:
                    user = users[ask.user_index]
                    ask.message = fake.user_message(chats[ask.user_index], user, ask.question)
            t0 = min(a.message.received_at for a in plan if a.message)
            total = len(plan)
            chat_ids = {c.id for c in chats}

            def answered() -> bool:
                return sum(1 for m in fake.sent if m.chat.id in chat_ids) >= total

            timed_out = False
            try:
                fake.wait_for(answered, timeout=args.timeout, what="all answers")
            except TimeoutError:
                timed_out = True
            time.sleep(1.0)  # duplicates would arrive now
            rc = stop(proc)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)

        # ---- match answers to questions by content, per chat --------------------------------
        asks_by_chat: dict[int, list[Ask]] = defaultdict(list)
        for ask in plan:
            asks_by_chat[chats[ask.user_index].id].append(ask)
        wrong: list[Message] = []
        for msg in fake.bot_messages():
            candidates = asks_by_chat.get(msg.chat.id, [])
            match = next((a for a in candidates if a.expected == msg.text), None)
            if match is None:
                wrong.append(msg)
            else:
                match.answers.append(msg)
        lost = [a for a in plan if not a.answers]
        duplicated = [a for a in plan if len(a.answers) > 1]
        latencies = [
            a.answers[0].received_at - a.message.received_at
            for a in plan
            if a.answers and a.message
        ]
        fetch = []
        for a in plan:
            delivered = fake.update(a.message.update_id).delivered_at if a.message else None
            if a.message and delivered is not None:
                fetch.append(delivered - a.message.received_at)
        send_times = [m.received_at for m in fake.bot_messages()]
        last = max(send_times) if send_times else t0
        elapsed = max(last - t0, 1e-9)
        answered_n = sum(1 for a in plan if a.answers)
        throttled = [c for c in fake.errors if c.status == 429]
        refused = [c for c in fake.errors if c.status != 429]
        try:
            with sqlite3.connect(work / "questions.sqlite3") as conn:
                logged = conn.execute("SELECT COUNT(*) FROM questions").fetchone()[0]
        except sqlite3.Error as exc:
            logged = f"unreadable ({exc})"

    rows = [
        ("users x questions", f"{args.users} x {args.questions} = {total}"),
        ("distinct questions in the pool", str(len(pool))),
        ("bot start-up (to first poll)", f"{startup:.1f} s"),
        ("answered", f"{answered_n} / {total}" + ("  (TIMED OUT)" if timed_out else "")),
        ("lost", str(len(lost))),
        ("duplicated", str(len(duplicated))),
        ("wrong (not the engine's answer)", str(len(wrong))),
        ("refused by the API (4xx)", str(len(refused))),
        ("429 Too Many Requests", str(len(throttled))),
        ("wall time, first question -> last answer", f"{elapsed:.1f} s"),
        ("throughput", f"{answered_n / elapsed:.1f} answers/s"),
        ("peak sendMessage rate (1 s window)", f"{peak_rate(send_times)} msg/s"),
        ("latency median", f"{statistics.median(latencies):.2f} s" if latencies else "-"),
        ("latency p90", f"{percentile(latencies, 90):.2f} s"),
        ("latency p99", f"{percentile(latencies, 99):.2f} s"),
        ("latency max", f"{max(latencies):.2f} s" if latencies else "-"),
        (
            "update fetched by the bot, median",
            f"{statistics.median(fetch):.3f} s" if fetch else "-",
        ),
        ("questions in the question log", str(logged)),
        ("bot exit code after SIGTERM", str(rc)),
    ]
    width = max(len(k) for k, _ in rows)
    print(f"\nLoad test: {total} private-chat questions sent at once\n")
    print(f"{'metric'.ljust(width)} | value")
    print(f"{'-' * width}-+-{'-' * 28}")
    for key, value in rows:
        print(f"{key.ljust(width)} | {value}")
    print(
        f"\nNote: the bot sends through its rate limiter at {SEND_RATE} messages/s (it starts at "
        f"most {SEND_BURST + SEND_RATE} in any second; event-loop delays may bunch a few on the "
        f"wire), below Telegram's limit of about {TELEGRAM_RATE} messages/s overall. "
        f"Throughput near {SEND_RATE} answers/s is that cap, by design: going faster would make "
        "Telegram answer 429. Latency under a burst is the queue behind the limiter (question k "
        f"waits about k/{SEND_RATE} s); the engine itself answers in milliseconds. The bot has no "
        "switch to disable the limiter."
    )
    for a in lost[:5]:
        print(f"LOST: user {a.user_index}: {a.question!r}")
    for a in duplicated[:5]:
        print(f"DUPLICATED x{len(a.answers)}: user {a.user_index}: {a.question!r}")
    for m in wrong[:5]:
        print(f"WRONG: chat {m.chat.id}: {m.text[:80]!r}")
    for c in refused[:5]:
        print(f"REFUSED: {c!r}")
    if args.keep:
        print(f"\nwork folder kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    ok = not (lost or duplicated or wrong or refused or timed_out) and rc == 0
    print("\nRESULT:", "OK" if ok else "FAILED")
    return 0 if ok else 1


def stop(proc: subprocess.Popen[bytes]) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
        return -9


if __name__ == "__main__":
    sys.exit(main())
