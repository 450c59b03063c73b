"""`python -m bot examples list|export`, run as a user types them: the examples staff added in
Telegram move into intents/*.yaml and nothing else in the files changes."""

from __future__ import annotations

import difflib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.content.edit import _yaml
from bot.engine import Engine
from bot.questionlog import StaffChanges

ROOT = Path(__file__).resolve().parent.parent


def bot(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_DB")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def content(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "intents", tmp_path / "intents")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path


def test_every_intent_file_reads_back_unchanged_through_the_round_trip() -> None:
    for path in sorted((ROOT / "intents").glob("*.yaml")):
        source = path.read_text(encoding="utf-8")
        out = io.StringIO()
        _yaml().dump(_yaml().load(source), out)
        assert out.getvalue() == source, path


def added_lines(before: dict[Path, str], folder: Path) -> tuple[list[str], list[str]]:
    """(lines added, lines removed) over every file of `folder` against `before`."""
    plus: list[str] = []
    minus: list[str] = []
    for path, old in before.items():
        new = path.read_text(encoding="utf-8")
        for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0):
            if line.startswith(("+++", "---", "@@")):
                continue
            (plus if line.startswith("+") else minus).append(line[1:])
    return plus, minus


def test_export_writes_only_the_added_examples_and_check_passes(
    content: Path, engine: Engine
) -> None:
    db = content / "q.sqlite3"
    staff = StaffChanges(db)
    zh_intent, en_intent = engine.intent_ids()[1], engine.intent_ids()[2]
    staff.add("example", "职工托育点：有多少个？", "x1", zh_intent, "admin1")
    staff.add("example", "How many staff childcare spots are there?", "x2", en_intent, "admin1")
    gone = staff.add("example", "撤销了的问法", "x3", zh_intent, "admin1")
    staff.undo(gone.id)
    staff.add("not_in_report", "不相干的问题", "x4", None, "admin1")
    intents = content / "intents"
    before = {p: p.read_text(encoding="utf-8") for p in sorted(intents.glob("*.yaml"))}

    listed = bot("examples", "list", "--db", str(db), "--intents", str(intents), cwd=content)
    assert listed.returncode == 0, listed.stderr
    assert "2 example(s) waiting" in listed.stdout and "撤销了的问法" not in listed.stdout

    args = ("--db", str(db), "--intents", str(intents), "--data", str(content / "data"))
    done = bot("examples", "export", *args, cwd=content)
    assert done.returncode == 0, done.stderr
    plus, minus = added_lines(before, intents)
    assert minus == []
    assert sorted(line.strip() for line in plus) == sorted(
        ["- 职工托育点：有多少个？", "- How many staff childcare spots are there?"]
    )
    check = bot("check", "--intents", str(intents), "--data", str(content / "data"), cwd=content)
    assert check.returncode == 0, check.stdout + check.stderr
    # they sit under their own intents, in their own language
    exported = Engine.load(intents, content / "data")
    assert ("职工托育点：有多少个？", zh_intent) in {(e, i) for i, e in exported.examples()}
    by_id = {li.intent.id: li for li in exported.content.intents}
    assert "How many staff childcare spots are there?" in by_id[en_intent].intent.examples.en
    # nothing left to export; the overlay still holds them until the new files are deployed
    again = bot("examples", "list", "--db", str(db), cwd=content)
    assert "0 example(s) waiting" in again.stdout
    assert len(StaffChanges(db).examples()) == 2
    assert bot("examples", "export", *args, cwd=content).returncode == 0
    assert added_lines(before, intents)[0] == plus  # a second export adds nothing


def test_export_of_an_unknown_intent_changes_no_file(content: Path) -> None:
    db = content / "q.sqlite3"
    StaffChanges(db).add("example", "某个问题", "x", "no_such_intent", "admin1")
    intents = content / "intents"
    before = {p: p.read_bytes() for p in intents.glob("*.yaml")}
    args = ("--db", str(db), "--intents", str(intents), "--data", str(content / "data"))
    done = bot("examples", "export", *args, cwd=content)
    assert done.returncode == 1
    assert "no_such_intent" in done.stderr and "Traceback" not in done.stderr
    assert {p: p.read_bytes() for p in intents.glob("*.yaml")} == before
    assert "1 example(s) waiting" in bot("examples", "list", "--db", str(db), cwd=content).stdout


def test_examples_without_a_log_say_so(tmp_path: Path) -> None:
    done = bot("examples", "list", "--db", str(tmp_path / "none.sqlite3"), cwd=tmp_path)
    assert done.returncode == 1 and "no question log" in done.stderr


def test_text_yaml_would_read_otherwise_is_exported_quoted(content: Path, engine: Engine) -> None:
    """yes, on, 12:30, a leading dash, a colon or a hash: each comes back as the same string."""
    db = content / "q.sqlite3"
    staff = StaffChanges(db)
    intent = engine.intent_ids()[3]
    odd = ["yes", "On", "12:30", "- 开头的横线", "托位: 多少", "#号开头", "null", "1e3", "'引号'"]
    for n, text in enumerate(odd):
        staff.add("example", text, f"odd{n}", intent, "admin1")
    args = ("--db", str(db), "--intents", str(content / "intents"), "--data", str(content / "data"))
    done = bot("examples", "export", *args, cwd=content)
    assert done.returncode == 0, done.stdout + done.stderr
    loaded = Engine.load(content / "intents", content / "data")
    examples = {e for i, e in loaded.examples() if i == intent}
    assert set(odd) <= examples, set(odd) - examples
