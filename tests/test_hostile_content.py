"""Content is input, not code: a content editor cannot make `check` or a reload read files
outside the content folders, hang on a FIFO, or blow up on an alias bomb or a giant word; every
problem is reported as path:line. Each case runs `python -m bot check` as staff type it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.engine import Engine

ROOT = Path(__file__).resolve().parent.parent


def check(intents: Path, data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "check", "--intents", str(intents), "--data", str(data)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,  # a FIFO or a bomb must not hang it
        check=False,
    )


def set_source_file(data: Path, value: str) -> None:
    meta = data / "sources" / "report.yaml"
    text = meta.read_text(encoding="utf-8")
    meta.write_text(
        text.replace("file: haizhu-2024-plan-report.txt", f"file: {value}"), encoding="utf-8"
    )


@pytest.mark.parametrize("value", ["/proc/self/environ", "../../../../etc/passwd", "'..\\\\x.txt'"])
def test_a_source_file_outside_the_sources_folder_is_refused(content_copy, value) -> None:
    intents, data = content_copy
    set_source_file(data, value)
    out = check(intents, data)
    assert out.returncode == 1
    assert "must name a file inside sources/" in out.stdout
    assert "not found verbatim" not in out.stdout  # no oracle over another file's text
    assert "Traceback" not in out.stderr


def test_a_symlink_out_of_the_folder_is_refused(content_copy) -> None:
    intents, data = content_copy
    (data / "sources" / "elsewhere.txt").symlink_to("/etc/hostname")
    set_source_file(data, "elsewhere.txt")
    out = check(intents, data)
    assert out.returncode == 1 and "outside sources/" in out.stdout
    meta = data / "sources" / "report.yaml"
    meta.write_text(
        meta.read_text(encoding="utf-8").replace(
            "file: elsewhere.txt", "file: haizhu-2024-plan-report.txt"
        ),
        encoding="utf-8",
    )
    (intents / "sneaky.yaml").symlink_to("/etc/hostname")
    out = check(intents, data)
    assert "intents/sneaky.yaml:1: is outside intents/" in out.stdout.replace(
        str(intents), "intents"
    )


def test_a_fifo_named_yaml_is_refused_not_waited_on(content_copy) -> None:
    intents, data = content_copy
    os.mkfifo(intents / "pipe.yaml")
    out = check(intents, data)
    assert out.returncode == 1 and "not a regular file" in out.stdout


def test_an_alias_bomb_is_refused_with_its_file(content_copy) -> None:
    intents, data = content_copy
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 9):
        prev = f"*a{n - 1}"
        lines.append(f"a{n}: &a{n} [{', '.join([prev] * 10)}]")
    lines.append("fillers: *a8")
    (intents / "lexicon" / "bomb.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = check(intents, data)
    assert out.returncode == 1
    assert "bomb.yaml:1: aliases expand this file to" in out.stdout


def test_a_giant_lexicon_word_is_a_problem_with_a_line_not_a_traceback(content_copy) -> None:
    intents, data = content_copy
    (intents / "lexicon" / "long.yaml").write_text(
        "fillers: [" + "长" * 600 + "]\n", encoding="utf-8"
    )
    out = check(intents, data)
    assert (
        out.returncode == 1
        and "long.yaml:1: fillers" in out.stdout
        and "600 characters" in out.stdout
    )
    assert "Traceback" not in out.stderr


def test_a_question_that_nfkc_expands_past_the_cap_is_too_long(engine: Engine) -> None:
    expanding = "\ufdfa"  # one character, eighteen after NFKC
    assert engine.ask(expanding * 40).reason == "too_long"
    assert (
        engine.ask("托位" * 10).decision == "answer" or engine.ask("托位" * 10).reason != "too_long"
    )


def break_template(intents: Path, template: str) -> None:
    path = intents / "childcare.yaml"
    text = path.read_text(encoding="utf-8")
    marker = "      zh: |-\n        2024年，海珠区提供托位"
    assert marker in text
    path.write_text(
        text.replace(marker, f"      zh: |-\n        {template}2024年，海珠区提供托位", 1),
        encoding="utf-8",
    )


@pytest.mark.parametrize(
    ("template", "said"),
    [
        ("{{ ('x' * 2000000000)|length }}", "would make"),
        ("{{ '%2000000000s' % 'x' }}", "format width"),
        ("{{ '{:2000000000}'.format('x') }}", "format width"),
        ("{{ 2 ** 100000 }}", "exponent"),
        ("{% for a in range(100000) %}{% endfor %}", "range of 100000"),
    ],
)
def test_a_greedy_template_is_refused_at_its_line(content_copy, template, said) -> None:
    intents, data = content_copy
    break_template(intents, template)
    out = check(intents, data)
    assert out.returncode == 1 and said in out.stdout
    assert "childcare.yaml:" in out.stdout


def test_a_template_that_loops_is_stopped_within_its_budget(content_copy, monkeypatch) -> None:
    import time

    intents, data = content_copy
    loop = "{% for a in range(10000) %}{% for b in range(10000) %}{% for c in range(10000) %}{% endfor %}{% endfor %}{% endfor %}"
    break_template(intents, loop)
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-m", "bot", "check", "--intents", str(intents), "--data", str(data)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
        env={**os.environ, "BOT_CONTENT_SECONDS": "3"},
    )
    assert time.monotonic() - started < 20
    assert out.returncode == 1
    assert "did not finish within 3 s" in out.stdout and "childcare.yaml:" in out.stdout
