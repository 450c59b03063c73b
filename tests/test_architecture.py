"""The layers of bot/ hold: import-linter's contracts (pyproject.toml) are kept, and each one
fails when the rule it guards is broken in a copy of the package."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    code = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_every_contract_is_kept() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 6 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("engine/guards.py", "import bot.telegram.send", "know nothing of Telegram"),
        ("engine/render.py", "import bot.questionlog.store", "know nothing of Telegram"),
        ("content/load.py", "import bot.config", "know nothing of Telegram"),
        ("engine/match.py", "import telegram", "know nothing of Telegram"),
        ("telegram/send.py", "from bot.engine.match import Matcher", "public names"),
        ("questionlog/review.py", "from bot.content.schema import Fact", "Content's modules"),
        ("questionlog/store.py", "import bot.telegram.redact", "Layers"),
        ("content/schema.py", "import bot.content.load", "No import circles"),
        ("web/app.py", "import bot.telegram.handlers", "HTTP surface"),
        ("storage/pg.py", "import bot.config", "HTTP surface"),
        ("engine/decide.py", "import psycopg", "know nothing of Telegram"),
    ],
)
def test_a_broken_rule_is_caught(tmp_path: Path, module: str, line: str, broken: str) -> None:
    shutil.copytree(ROOT / "bot", tmp_path / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    target = tmp_path / "bot" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    report = result.stdout.split("Broken contracts", 1)[1]
    assert broken in report, report
