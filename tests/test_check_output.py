"""`python -m bot check` as a content editor reads it: the first error of a broken file and
not its cascade, names in every message, the nearest report text for a quote, warnings at the
example's own line, warnings silenced with a reason, and only what is new since git HEAD."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def check(
    intents: Path, data: Path, *extra: str, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "check",
            "--intents",
            str(intents),
            "--data",
            str(data),
            *extra,
        ],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    return next(
        n
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if needle in line
    )


def test_a_broken_data_file_gives_its_error_not_a_cascade(content_copy) -> None:
    intents, data = content_copy
    with (data / "childcare.yaml").open("a", encoding="utf-8") as f:
        f.write("  - id: [unclosed\n")
    out = check(intents, data)
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    assert any("childcare.yaml" in line and "YAML syntax" in line for line in lines)
    assert not any("unknown fact" in line for line in lines)
    assert any("use facts that could not be loaded" in line for line in lines)
    assert len(lines) <= 6, out.stdout


def test_a_misspelt_value_is_named_with_the_values_it_could_be(content_copy) -> None:
    intents, data = content_copy
    edit(
        intents / "childcare.yaml",
        "f.care_places_2024.v.per_1000 | n",
        "f.care_places_2024.v.per_1000x | n",
    )
    out = check(intents, data)
    assert "fact 'care_places_2024' has no value 'per_1000x'" in out.stdout
    assert "per_1000, inclusive_share" in out.stdout


def test_a_quote_not_in_the_report_shows_the_nearest_report_text(content_copy) -> None:
    intents, data = content_copy
    edit(data / "childcare.yaml", "quote: 提供托位10921个", "quote: 提供托位10912个")
    out = check(intents, data)
    assert "not found verbatim" in out.stdout and "nearest report text" in out.stdout
    assert "提供托位10921个" in out.stdout


def test_a_warning_points_at_the_examples_own_line(content_copy) -> None:
    intents, data = content_copy
    path = intents / "schools.yaml"
    edit(path, "      zh:\n", "      zh:\n        - 海珠有多少托位\n")  # another intent's question
    out = check(intents, data)
    line = line_of(path, "- 海珠有多少托位")
    assert f"schools.yaml:{line}: warning: example '海珠有多少托位'" in out.stdout


def test_a_reply_to_the_bot_is_no_paraphrase_but_a_topic_question_in_it_is(content_copy) -> None:
    """Examples of the replies about the bot itself (ok, bye) are a closed list: left out, one
    finds no sibling, and that is no warning; a question a topic answers put among them is."""
    intents, data = content_copy
    path = intents / "general.yaml"
    edit(path, "      zh: [好, 好吧,", "      zh: [下次再聊, 海珠有多少托位, 好, 好吧,")
    out = check(intents, data)
    assert "example '海珠有多少托位' of 'acknowledged' matches 'childcare_places'" in out.stdout
    assert "example '下次再聊'" not in out.stdout


def test_silenced_warnings_need_a_reason_and_go_stale(content_copy) -> None:
    intents, data = content_copy
    edit(
        intents / "schools.yaml", "      zh:\n", "      zh:\n        - 海珠有多少托位\n"
    )  # a new warning
    before = check(intents, data).stdout.splitlines()
    new = [line.split(": warning: ", 1)[1] for line in before if "海珠有多少托位" in line]
    assert new
    silenced = intents / "checks" / "silenced.yaml"
    silenced.parent.mkdir(exist_ok=True)
    shipped = silenced.read_text(encoding="utf-8") if silenced.exists() else "silenced:\n"
    entry = "".join(
        f"  - warning: {w.split(' (')[0]!r}\n    reason: kept on purpose\n" for w in new
    )
    silenced.write_text(shipped + entry, encoding="utf-8")
    out = check(intents, data)
    assert out.returncode == 0 and "海珠有多少托位" not in out.stdout
    assert "silenced with a reason" in out.stdout
    silenced.write_text(shipped + "  - warning: 'no such warning'\n", encoding="utf-8")
    out = check(intents, data)
    assert out.returncode == 1 and "needs `reason:`" in out.stdout
    silenced.write_text(
        shipped + "  - warning: 'no such warning'\n    reason: old\n", encoding="utf-8"
    )
    assert "silenced warning no longer occurs: 'no such warning'" in check(intents, data).stdout


def test_changed_shows_only_what_is_new_since_git_head(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        return  # git is part of the tools this command needs; the README says so
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "intents", repo / "intents")
    shutil.copytree(ROOT / "data", repo / "data")
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@x",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@x",
    }
    for cmd in (["git", "init", "-q"], ["git", "add", "."], ["git", "commit", "-qm", "content"]):
        subprocess.run(cmd, cwd=repo, check=True, env=env)
    clean = check(repo / "intents", repo / "data", "--changed", cwd=repo)
    assert clean.returncode == 0 and "0 warning(s) new since git HEAD" in clean.stdout
    edit(repo / "intents" / "schools.yaml", "      zh:\n", "      zh:\n        - 海珠有多少托位\n")
    out = check(repo / "intents", repo / "data", "--changed", cwd=repo)
    shown = [line for line in out.stdout.splitlines() if ": warning: " in line]
    assert shown and all("海珠有多少托位" in line for line in shown)
    loose = tmp_path / "loose"
    shutil.copytree(ROOT / "intents", loose / "intents")
    shutil.copytree(ROOT / "data", loose / "data")
    outside = check(loose / "intents", loose / "data", "--changed", cwd=loose)
    assert outside.returncode == 2 and "not in a git repository" in outside.stderr
    assert "Traceback" not in outside.stderr
