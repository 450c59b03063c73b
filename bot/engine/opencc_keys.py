"""What OpenCC's traditional-to-simplified conversion (t2s) may change: the characters its
dictionaries convert to another by themselves, and the phrases they list (瞭解 -> 了解, whose
characters stay as they are alone). A text with none of either is left as it is, so folding it
needs no call into OpenCC (most questions are simplified already).

Both come from `resources/t2s_keys.txt`, written by `python -m bot.engine.opencc_keys` from the
installed OpenCC's dictionaries (its `opencc_dict` tool dumps them as text); the file names the
OpenCC version it was written from, and with another version installed nothing is trusted
(every text is converted). tests/test_normalize.py writes it again and compares."""

from __future__ import annotations

import json
import subprocess
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path

import opencc

KEYS_FILE = "t2s_keys.txt"
_HEADER = "# OpenCC {version}: what t2s changes (its characters, then its phrases)"


def _installed_version() -> str:
    return str(getattr(opencc, "__version__", ""))


@cache
def changes() -> tuple[frozenset[str], tuple[str, ...]] | None:
    """The characters t2s converts by themselves, and the phrases it lists; None (convert
    everything) when the file was written from another OpenCC than the one installed, or is
    not there (as while it is written again)."""
    try:
        text = resources.files("bot.engine.resources").joinpath(KEYS_FILE).read_text("utf-8")
    except FileNotFoundError:
        return None
    header, chars, *phrases = [*text.splitlines(), "", ""]
    if header != _HEADER.format(version=_installed_version()):
        return None
    return frozenset(chars), tuple(p for p in phrases if p)


def build() -> str:
    """The file's text, from the installed OpenCC's t2s configuration and dictionaries: the
    header, a line of the characters, then a phrase a line."""
    clib = Path(opencc.__file__).parent / "clib"
    share = clib / "share" / "opencc"
    config = json.loads((share / "t2s.json").read_text(encoding="utf-8"))
    files = [step["dict"]["file"] for step in config.get("normalization", [])]
    for step in config["conversion_chain"]:
        dicts = step["dict"]
        files += [d["file"] for d in dicts.get("dicts", [dicts])]
    chars: set[str] = set()
    phrases: set[str] = set()
    with tempfile.TemporaryDirectory() as tmp:
        for name in files:
            out = Path(tmp) / f"{name}.txt"
            tool = str(clib / "bin" / "opencc_dict")  # (the installed package's own tool)
            subprocess.run(  # noqa: S603
                [tool, "-i", str(share / name), "-o", str(out), "-f", "ocd2", "-t", "text"],
                check=True,
                env={"LD_LIBRARY_PATH": str(clib / "lib64")},
            )
            for line in out.read_text(encoding="utf-8").splitlines():
                key, _, values = line.partition("\t")
                if len(key) > 1:
                    phrases.add(key)
                elif values.split(" ")[0] != key:  # (the first value is what t2s writes)
                    chars.add(key)
    version = _HEADER.format(version=_installed_version())
    return "\n".join([version, "".join(sorted(chars)), *sorted(phrases)]) + "\n"


if __name__ == "__main__":  # pragma: no cover
    target = Path(__file__).parent / "resources" / KEYS_FILE
    target.write_text(build(), encoding="utf-8")
    print(f"wrote {target}")
