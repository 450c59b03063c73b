"""Writing examples into intents/*.yaml, leaving everything else in the files as it was.

Used by `python -m bot examples export` to move the examples staff added in Telegram into the
content files. ruamel.yaml's round-trip mode keeps comments, key order, quoting, block scalars
and flow lists; the only lines that change are the appended examples (a new `en:` or `zh:` list
when an intent had none). Every intent file of the project reads back byte for byte the same
through it (tests/test_examples_export.py checks that), so a file that would not is refused
rather than rewritten.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from bot.content.files import MAX_YAML_BYTES, ContentFileError, read_limited


class EditError(Exception):
    """An intents file cannot be edited safely; the message says which and why."""


def _yaml() -> YAML:
    yaml = YAML()  # round-trip
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long line
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _dump(yaml: YAML, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def add_examples(
    intents_dir: Path, added: Mapping[str, Iterable[tuple[str, str]]]
) -> tuple[dict[Path, int], list[str]]:
    """Append (lang, question) examples to the intents named in `added`; returns how many went
    into each file, and the intents not found (their examples are left out). Nothing is written
    unless every file touched round-trips unchanged; an example the intent has is skipped."""
    wanted = {intent: list(examples) for intent, examples in added.items()}
    yaml = _yaml()
    edits: dict[Path, tuple[Any, int]] = {}
    found: set[str] = set()
    for path in sorted(intents_dir.glob("*.yaml")) + sorted(intents_dir.glob("*.yml")):
        try:
            source = read_limited(path, intents_dir, MAX_YAML_BYTES).decode("utf-8")
        except (ContentFileError, UnicodeDecodeError) as exc:
            raise EditError(f"{path}: {exc}") from None
        data = yaml.load(source)
        intents = data.get("intents") if isinstance(data, CommentedMap) else None
        if not isinstance(intents, CommentedSeq):
            continue
        count = 0
        for node in intents:
            if not isinstance(node, CommentedMap) or node.get("id") not in wanted:
                continue
            found.add(str(node["id"]))
            count += _append(node, wanted[str(node["id"])])
        if count:
            if _dump(_yaml(), _yaml().load(source)) != source:
                raise EditError(f"{path}: would not read back unchanged; add the examples by hand")
            edits[path] = (data, count)
    for path, (data, _) in edits.items():
        path.write_text(_dump(yaml, data), encoding="utf-8")
    return {path: n for path, (_, n) in edits.items()}, sorted(set(wanted) - found)


def _append(node: CommentedMap, examples: list[tuple[str, str]]) -> int:
    """Append to one intent's examples; how many were new."""
    block = node.get("examples")
    if not isinstance(block, CommentedMap):
        raise EditError(f"intent {node.get('id')}: its examples are not a mapping")
    n = 0
    for lang, question in examples:
        seq = block.get(lang)
        if seq is None:
            seq = block[lang] = CommentedSeq()
        if not isinstance(seq, CommentedSeq):
            raise EditError(f"intent {node.get('id')}: examples.{lang} is not a list")
        if question in seq:
            continue
        seq.append(question if _reads_back(question) else DoubleQuotedScalarString(question))
        n += 1
    return n


def _reads_back(text: str) -> bool:
    """Whether `text`, written plain, is read back by the content loader (PyYAML's rules:
    YAML 1.1, where yes, on and 12:30 are no strings) as the same string."""
    if text != text.strip() or "\n" in text:
        return False
    try:
        return bool(yaml.safe_load(text) == text)
    except yaml.YAMLError:
        return False
