"""Which characters OpenCC's traditional-to-simplified conversion (t2s) may change: every
character of every key of the dictionaries its configuration chains (phrases such as 瞭解 ->
了解 included, whose characters stay as they are when converted alone). A text with none of
them is left as it is, so folding it needs no call into OpenCC (most questions are simplified
already).

The characters come from `resources/t2s_keys.txt`, written by `python -m bot.engine.opencc_keys`
from the installed OpenCC's dictionaries (its `opencc_dict` tool dumps them as text); the file
names the OpenCC version it was written from, and with another version installed none is
trusted (every text is converted). tests/test_normalize.py writes it again and compares."""

from __future__ import annotations

import json
import subprocess
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path

import opencc

KEYS_FILE = "t2s_keys.txt"
_HEADER = "# OpenCC {version}: the characters of the keys of t2s's dictionaries"


def _installed_version() -> str:
    return str(getattr(opencc, "__version__", ""))


@cache
def changing_characters() -> frozenset[str]:
    """The characters t2s may change; empty (convert everything) when the file was written
    from another OpenCC than the one installed."""
    text = resources.files("bot.engine.resources").joinpath(KEYS_FILE).read_text(encoding="utf-8")
    header, _, chars = text.partition("\n")
    if header != _HEADER.format(version=_installed_version()):
        return frozenset()
    return frozenset(chars.strip())


def build() -> str:
    """The file's text, from the installed OpenCC's t2s configuration and dictionaries."""
    clib = Path(opencc.__file__).parent / "clib"
    share = clib / "share" / "opencc"
    config = json.loads((share / "t2s.json").read_text(encoding="utf-8"))
    files = [step["dict"]["file"] for step in config.get("normalization", [])]
    for step in config["conversion_chain"]:
        dicts = step["dict"]
        files += [d["file"] for d in dicts.get("dicts", [dicts])]
    chars: set[str] = set()
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
                chars.update(line.split("\t")[0])
    return _HEADER.format(version=_installed_version()) + "\n" + "".join(sorted(chars)) + "\n"


if __name__ == "__main__":  # pragma: no cover
    target = Path(__file__).parent / "resources" / KEYS_FILE
    target.write_text(build(), encoding="utf-8")
    print(f"wrote {target}")
