"""Warnings staff have looked at and chose to keep, each with its reason.

`intents/checks/silenced.yaml` lists them; `python -m bot check` hides a warning whose message
starts with a listed `warning` (scores in parentheses left out), counts them, and says which
listed ones no longer occur. A silenced warning without a reason is an error: the list is for
decisions, not for hiding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.content.files import MAX_YAML_BYTES, ContentFileError, read_limited
from bot.content.load import Problem
from bot.content.yamlload import YamlError, line_of, load_bytes_with_lines

SILENCED = Path("checks") / "silenced.yaml"
_SCORES = re.compile(r"\s*\(\d+ vs \d+\)$")


@dataclass(frozen=True, slots=True)
class Silenced:
    warning: str
    reason: str
    line: int


def load_silenced(intents_dir: Path) -> tuple[list[Silenced], list[Problem]]:
    """The silenced warnings of `intents_dir`, and the problems of their file."""
    path = intents_dir / SILENCED
    if not path.exists():
        return [], []
    shown = str(path)
    try:
        data, lines = load_bytes_with_lines(read_limited(path, path.parent, MAX_YAML_BYTES))
    except (ContentFileError, YamlError) as exc:
        return [], [Problem(shown, getattr(exc, "line", 1), str(exc))]
    entries = data.get("silenced") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return [], [Problem(shown, 1, "expected `silenced:` with a list of {warning, reason}")]
    out, problems = [], []
    for i, entry in enumerate(entries):
        line = line_of(lines, ("silenced", i))
        if not isinstance(entry, dict) or not str(entry.get("warning") or "").strip():
            problems.append(Problem(shown, line, f"silenced[{i}]: needs `warning:`"))
        elif not str(entry.get("reason") or "").strip():
            problems.append(Problem(shown, line, f"silenced[{i}]: needs `reason:` (why keep it?)"))
        else:
            out.append(Silenced(str(entry["warning"]).strip(), str(entry["reason"]).strip(), line))
    return out, problems


def split_silenced(
    warnings: list[Problem], silenced: list[Silenced]
) -> tuple[list[Problem], list[Problem], list[Silenced]]:
    """(warnings shown, warnings silenced, silenced entries that match no warning)."""
    shown, hidden, used = [], [], set()
    for w in warnings:
        message = _SCORES.sub("", w.message)
        hit = next((s for s in silenced if message.startswith(s.warning)), None)
        if hit is None:
            shown.append(w)
        else:
            hidden.append(w)
            used.add(hit)
    return shown, hidden, [s for s in silenced if s not in used]
