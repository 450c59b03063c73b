"""What a reload changed, in lines an admin reads: intents and examples added, removed or
changed, and the content files that differ."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.engine.engine import Engine


def describe_changes(old: Engine, new: Engine) -> list[str]:
    """Intents and examples added/removed/changed, data files changed, and the new totals."""
    out: list[str] = []
    old_i = {li.intent.id: li.intent for li in old.content.intents}
    new_i = {li.intent.id: li.intent for li in new.content.intents}
    added = sorted(new_i.keys() - old_i.keys())
    removed = sorted(old_i.keys() - new_i.keys())
    changed = sorted(k for k in new_i.keys() & old_i.keys() if new_i[k] != old_i[k])
    if added:
        out.append(f"intents added ({len(added)}): {', '.join(added)}")
    if removed:
        out.append(f"intents removed ({len(removed)}): {', '.join(removed)}")
    if changed:
        out.append(f"intents changed ({len(changed)}): {', '.join(changed)}")
    ex_old, ex_new = old.examples(), new.examples()
    if ex_new - ex_old or ex_old - ex_new:
        out.append(f"examples: +{len(ex_new - ex_old)} / -{len(ex_old - ex_new)}")
    fo, fn = old.content.file_digests, new.content.file_digests
    files = sorted(
        [f"+{p}" for p in fn.keys() - fo.keys()]
        + [f"-{p}" for p in fo.keys() - fn.keys()]
        + [p for p in fn.keys() & fo.keys() if fn[p] != fo[p]]
    )
    if files:
        out.append(f"files changed ({len(files)}): {', '.join(files)}")
    if not out:
        out.append("no changes")
    out.append(
        f"now: {new.intent_count} intents, {new.example_count} examples, "
        f"{len(new.content.facts)} facts"
    )
    return out
