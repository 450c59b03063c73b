"""The command line as tools and staff use it: ask --json, stdin, check, eval, coverage."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_ask_json_shape() -> None:
    out = run("ask", "--json", "海珠区有多少个托位", "今天会下雨吗")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["question"] for r in rows] == ["海珠区有多少个托位", "今天会下雨吗"]
    assert set(rows[0]) >= {
        "question",
        "decision",
        "intent",
        "score",
        "candidates",
        "lang",
        "answer",
    }
    assert rows[0]["decision"] == "answer" and "10921" in rows[0]["answer"]
    assert rows[1]["decision"] == "fallback" and rows[1]["intent"] is None


def test_ask_reads_stdin_in_order() -> None:
    out = run("ask", "--json", stdin="托位多少\n\nHow many education groups are there?\n")
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) == 2 and rows[1]["lang"] == "en"


def test_check_ok_and_broken(content_copy: tuple[Path, Path]) -> None:
    ok = run("check")
    assert ok.returncode == 0 and "ok:" in ok.stdout
    intents, data = content_copy
    bad = data / "education.yaml"
    bad.write_text(bad.read_text("utf-8").replace("value: 3395", "value: 3396", 1), "utf-8")
    out = run("check", "--intents", str(intents), "--data", str(data))
    assert out.returncode == 1
    assert any(line.startswith(f"{bad}:") and "3396" in line for line in out.stdout.splitlines())


def test_eval_and_coverage_commands(tmp_path: Path) -> None:
    qs = tmp_path / "q.yaml"
    qs.write_text(
        'cases:\n- {q: "托位有多少", all: ["10921"], category: c}\n- {q: "今天会下雨吗", oos: true, category: o}\n',
        "utf-8",
    )
    out = run("eval", str(qs))
    assert out.returncode == 0 and "ALL                  2      2" in out.stdout.replace(
        "  100.0%", ""
    )
    cov = run("coverage")
    assert cov.returncode == 0 and "sentence" in cov.stdout


def test_check_warns_about_an_example_the_scope_guard_refuses(
    content_copy: tuple[Path, Path],
) -> None:
    intents, data = content_copy
    scope = intents / "lexicon" / "scope.yaml"
    # "扩班" made an off-topic word: every example holding it can no longer be answered
    scope.write_text(
        scope.read_text("utf-8").replace("offtopic: [", "offtopic: [扩班, ", 1), "utf-8"
    )
    out = run("check", "--intents", str(intents), "--data", str(data))
    assert out.returncode == 0, out.stdout
    refused = [line for line in out.stdout.splitlines() if "is refused: an off-topic word" in line]
    assert refused and all("扩班" in line for line in refused)
    clean = run("check")
    assert "is refused" not in clean.stdout


def run_env(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
        env={**os.environ, **env},
    )


def test_today_option_and_bot_today_set_the_date_answers_are_true_on() -> None:
    q = "今年托位有多少"
    later = run("ask", "--json", "--today", "2026-12-02", q)
    assert later.returncode == 0, later.stderr
    first = json.loads(later.stdout)["answer"].splitlines()[0]
    assert "2026" in first and "没有" in first
    inside = run("ask", "--json", "--today", "2025-06-01", q)
    assert "2026" not in json.loads(inside.stdout)["answer"]
    by_env = run_env("ask", "--json", q, env={"BOT_TODAY": "2026-12-02"})
    assert json.loads(by_env.stdout)["answer"] == json.loads(later.stdout)["answer"]
    # the option wins over the environment
    both = run_env("ask", "--json", "--today", "2025-06-01", q, env={"BOT_TODAY": "2026-12-02"})
    assert json.loads(both.stdout)["answer"] == json.loads(inside.stdout)["answer"]


def test_every_command_takes_today_and_a_bad_date_is_refused_plainly() -> None:
    for command in ("ask", "chat", "check", "eval", "coverage", "run"):
        out = run(command, "--help")
        assert "--today" in out.stdout, command
    bad = run("ask", "--today", "2026-13-40", "托位")
    assert bad.returncode == 2 and "not a date (YYYY-MM-DD)" in bad.stderr
    assert "Traceback" not in bad.stderr
    bad_env = run_env("check", env={"BOT_TODAY": "tomorrow"})
    assert bad_env.returncode == 2 and "not a date" in bad_env.stderr


def test_eval_of_a_missing_or_broken_file_says_so_without_a_traceback(tmp_path: Path) -> None:
    missing = run("eval", "missing.yaml")
    assert missing.returncode == 2 and "cannot read missing.yaml" in missing.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("cases: [q: {", encoding="utf-8")
    out = run("eval", str(broken))
    assert out.returncode == 2 and "not valid YAML" in out.stderr
    shapeless = tmp_path / "shapeless.yaml"
    shapeless.write_text("- just a list\n", encoding="utf-8")
    out = run("eval", str(shapeless))
    assert out.returncode == 2 and "cases" in out.stderr
    for result in (missing, out):
        assert "Traceback" not in result.stderr


def test_run_without_a_token_or_a_terminal_exits_with_one_clear_line() -> None:
    import os

    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    out = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "TELEGRAM_BOT_TOKEN is not set" in out.stderr
    assert out.stdout == ""  # no console banner


def test_ask_piped_into_a_reader_that_stops_early_ends_quietly() -> None:
    """`python -m bot ask … | head -2`: the reader closes the pipe after two lines; the command
    ends with 0 and no traceback."""
    questions = "\n".join(["托位有多少"] * 2000) + "\n"
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "ask", "--today", "2025-06-01"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    proc.stdin.write(questions.encode())
    proc.stdin.close()
    assert proc.stdout.readline().startswith(b"> ")
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0, err
    assert "Traceback" not in err, err


def test_chat_follows_the_conversation_and_quits_on_its_command() -> None:
    """`python -m bot chat` as a person types into it: a follow-up after thanks still follows
    the topic, a number picks a related question, /quit ends the chat with 0 (what comes after
    is not read)."""
    lines = "海珠有多少托位\n谢谢\n那去年呢\n1\n/quit\n海珠新增多少学位\n"
    out = run("chat", "--today", "2025-06-01", stdin=lines)
    assert out.returncode == 0, out.stderr
    answers = out.stdout.split("你> ")[1:]
    assert len(answers) == 5  # four lines answered, then the prompt /quit ended
    first, thanks, last_year, picked, _ = answers
    assert "10921" in first and "10921" not in thanks and "10921" in last_year
    assert "相关问题" in last_year and "36.6" in picked  # [1] after it: inclusive childcare
    assert "3395" not in out.stdout
