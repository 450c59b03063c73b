"""End-to-end: health, readiness and metrics of a real `python -m bot run` in polling mode
(BOT_HTTP_PORT), and the metrics moving as questions are asked and content is reloaded."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
from fake_bot_api import FakeBotApi
from test_e2e import ANSWER_TIMEOUT, BOT_USERNAME, TOKEN, BotProcess, free_port


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample of the exposition (0 when absent)."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and line.split(" ")[0] != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_polling_bot_serves_health_and_metrics_that_move(tmp_path: Path) -> None:
    port = free_port()
    with FakeBotApi(TOKEN, username=BOT_USERNAME) as fake:
        admin = fake.new_user("管理员")
        fake.private_chat(admin)
        bot = BotProcess(
            tmp_path,
            fake,
            admin,
            extra_env={"BOT_HTTP_PORT": str(port), "WEBHOOK_LISTEN": "127.0.0.1"},
        )
        bot.start()
        base = f"http://127.0.0.1:{port}"
        try:
            bot.wait_ready(lambda: fake.wait_polling(timeout=0.5))
            deadline = time.monotonic() + 10
            while True:
                try:
                    health = httpx.get(f"{base}/healthz", timeout=2)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            assert health.status_code == 200
            ready = httpx.get(f"{base}/readyz", timeout=5)
            assert ready.status_code == 200, ready.text
            assert ready.json()["checks"]["question_log"] == "recording"
            before = httpx.get(f"{base}/metrics", timeout=5).text

            user = fake.new_user("阿珍")
            chat = fake.private_chat(user)
            for question in ("海珠区有多少个托位", "今天天气怎么样", "托位有多少"):
                fake.wait_reply(fake.user_message(chat, user, question), timeout=ANSWER_TIMEOUT)
            admin_chat = fake.private_chat(admin)
            fake.wait_reply(fake.user_message(admin_chat, admin, "/reload"), timeout=ANSWER_TIMEOUT)
            after = httpx.get(f"{base}/metrics", timeout=5).text

            def moved(name: str, **labels: str) -> float:
                return metric(after, name, **labels) - metric(before, name, **labels)

            answered = moved(
                "inquirybot_questions_total", decision="answer", lang="zh", chat_type="private"
            )
            refused = moved(
                "inquirybot_questions_total", decision="fallback", lang="zh", chat_type="private"
            )
            assert (answered, refused) == (2, 1)
            assert moved("inquirybot_answer_seconds_count") == 3
            assert moved("inquirybot_context_total", result="hit") >= 2  # the 2nd and 3rd
            assert moved("inquirybot_reloads_total", result="ok") == 1
            assert moved("inquirybot_updates_total", result="handled") == 4
            assert httpx.get(f"{base}/nothing-here", timeout=5).status_code == 404
            # the container's HEALTHCHECK, as the Dockerfile runs it (port from the environment)
            env = {**os.environ, "BOT_HTTP_PORT": str(port)}
            env.pop("WEBHOOK_URL", None)
            for args in (["health"], ["health", "--ready"], ["health", "--url", base]):
                probe = subprocess.run(
                    [sys.executable, "-m", "bot", *args],
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=60,
                    check=False,
                )
                assert probe.returncode == 0, probe.stderr
        finally:
            rc = bot.stop(timeout=10)
        assert rc == 0, bot.log()[-3000:]
        gone = subprocess.run(
            [sys.executable, "-m", "bot", "health", "--url", base],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert gone.returncode == 1 and "not reachable" in gone.stderr


def test_a_webhook_port_in_use_ends_the_start_with_one_clear_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken, FakeBotApi(TOKEN, username=BOT_USERNAME) as fake:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        admin = fake.new_user("管理员")
        env = {
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram-hook",
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
            "WEBHOOK_SECRET": "port_in_use_secret",
        }
        bot = BotProcess(tmp_path, fake, admin, extra_env=env)
        bot.start()
        assert bot.proc is not None
        rc = bot.proc.wait(60)
        log = bot.log()
        assert rc == 1, log[-2000:]
        assert f"cannot listen on 127.0.0.1:{port}" in log and "Traceback" not in log
        assert not fake.calls_to("setWebhook")  # Telegram was never told to post there
