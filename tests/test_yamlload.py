"""YAML loading: the data is exactly yaml.safe_load's, lines are found on demand, errors keep theirs.

`load_bytes_with_lines` builds plain documents itself and hands anything else to PyYAML's safe
constructor; both paths must give what `yaml.safe_load` gives.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.content.yamlload import (
    YamlError,
    line_of,
    load_bytes_with_lines,
    load_with_lines,
    repeated_key,
)
from tests.conftest import DATA, INTENTS

DOCS = {
    "scalars": (
        "a: 1\nb: 1.5\nc: true\nd: ~\ne: null\nf: ''\ng: yes\nh: No\ni: 0x1F\nj: 010\n"
        "k: 1_000\nl: .inf\nm: -.inf\nn: .nan\no: 1:30\nq: '12'\nr: \"x\"\ns: +5\nt: -0.5e3\n"
        "u: on\nw:\nx: !!str 5\ny: !!int '7'\nz: 海珠区\n"
    ),
    "keys": "1: a\ntrue: b\n~: c\n1.5: d\n'1': e\n",
    "duplicate keys": "a:\n  x: 1\n  y: [1, 2, 3]\nb: 2\na:\n  x: 5\n  y: [9]\n",
    "nested": "- a\n- b: 1\n  c: [x, {d: 2}]\n- [[], {}]\n",
    "block scalars": "a: |\n  line1\n  line2\nb: >\n  folded\n  text\n",
    "anchor without alias": "text: R&D\nn: &n 5\n",
    "aliases": "base: &b {x: 1, y: [1, 2]}\nother: *b\ns: &s hi\nt: *s\n",
    "merge key": "base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  z: 3\n",
    "merge list": "a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: [*a, *b]\n  x: 9\n",
    "value key": "=: 5\nb: 1\n",
    "timestamp": "d: 2025-03-14\nt: 2025-03-14 10:00:00\n",
    "binary": "a: !!binary aGVsbG8=\n",
    "set and omap": "a: !!set {x, y}\nb: !!omap [x: 1, y: 2]\n",
    "explicit collections": "a: !!map {x: 1}\nb: !!seq [1]\n",
    "crlf": 'a: 1\r\nb: |\r\n  x\r\n  y\r\nc: "q\r\n  r"\r\n',
    "bom": "\ufeffa: 1\n",
}


def _same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (1 is not 1.0 nor True; nan is nan)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


@pytest.mark.parametrize("text", DOCS.values(), ids=DOCS.keys())
def test_data_is_what_safe_load_gives(text: str) -> None:
    raw = text.encode("utf-8")
    data, _ = load_bytes_with_lines(raw)
    expected = yaml.safe_load(raw.decode("utf-8").replace("\r\n", "\n"))
    assert _same(data, expected), (data, expected)


def test_aliases_share_values_as_pyyaml_does() -> None:
    data, _ = load_bytes_with_lines(DOCS["aliases"].encode())
    assert data["other"] is data["base"]


@pytest.mark.parametrize(
    "path", sorted([*DATA.glob("*.yaml"), *INTENTS.glob("*.yaml"), *INTENTS.glob("lexicon/*.yaml")])
)
def test_shipped_files_load_as_safe_load(path: Path) -> None:
    data, _ = load_bytes_with_lines(path.read_bytes())
    assert _same(data, yaml.safe_load(path.read_text("utf-8")))
    assert _same(load_with_lines(path)[0], data)


LINES = """\
# a comment
topic: schools
facts:
  - id: one
    values:
      total: {value: 3}
  - id: two
    items:
      - 甲
      - 乙
dup: 1
dup: 2
"""


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ((), 2),
        (("topic",), 2),
        (("facts",), 3),
        (("facts", 0), 4),
        (("facts", 0, "id"), 4),
        (("facts", 0, "values", "total"), 6),
        (("facts", 0, "values", "total", "value"), 6),
        (("facts", 1, "items", 1), 10),
        # the longest prefix the document has
        (("facts", 1, "items", 7), 8),
        (("facts", 5, "id"), 3),
        (("facts", "0"), 3),
        (("nothing", "here"), 2),
        # a key given twice: where it was given last, as its value
        (("dup",), 12),
    ],
)
def test_lines_of_keys_and_items(path: tuple[str | int, ...], line: int) -> None:
    _, lines = load_bytes_with_lines(LINES.encode())
    assert line_of(lines, path) == line


def test_lines_through_merge_keys_and_aliases() -> None:
    text = "base: &b\n  x: 1\nd:\n  <<: *b\n  z: 3\nlist: &l [4]\nagain: *l\n"
    data, lines = load_bytes_with_lines(text.encode())
    assert data["d"] == {"x": 1, "z": 3}
    assert line_of(lines, ("d", "x")) == 2  # where the merged key is written
    assert line_of(lines, ("d", "z")) == 5
    assert line_of(lines, ("again", 0)) == 6


def test_empty_document() -> None:
    data, lines = load_bytes_with_lines(b"# nothing\n")
    assert data is None
    assert line_of(lines, ("facts", 0)) == 1


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a: 1\nb: [1, 2\n", 3, "',' or ']'"),
        ("a: 1\nb: !foo bar\n", 2, "could not determine a constructor for the tag '!foo'"),
        ("a: 1\n---\nb: 2\n", 2, "another document"),
        ("a: *nowhere\n", 1, "found undefined alias"),
    ],
)
def test_errors_keep_their_line(text: str, line: int, message: str) -> None:
    with pytest.raises(YamlError) as exc:
        load_bytes_with_lines(text.encode())
    assert exc.value.line == line
    assert exc.value.message.startswith("YAML syntax: ")
    assert message in exc.value.message


def test_not_utf8(tmp_path: Path) -> None:
    raw = b"a: 1\n" * 3000 + b"b: \xff\n"
    path = tmp_path / "bad.yaml"
    path.write_bytes(raw)
    with pytest.raises(YamlError) as from_bytes:
        load_bytes_with_lines(raw)
    with pytest.raises(YamlError) as from_path:
        load_with_lines(path)
    assert from_bytes.value.line == from_path.value.line == 1
    assert from_bytes.value.message == from_path.value.message
    assert from_bytes.value.message.startswith("not UTF-8 text: 'utf-8' codec can't decode")


def test_a_key_written_twice_is_found_at_its_second_line() -> None:
    text = "synonyms:\n  扩班: [new class]\n  地块: [parcel]\n  扩班: [more classes]\n"
    assert repeated_key(load_bytes_with_lines(text.encode())[1]) == (4, "扩班", 2)
    merged = load_bytes_with_lines(b"a: &x {k: 1}\nb:\n  <<: *x\n  j: 2\n'1': x\n1: y\n")
    assert repeated_key(merged[1]) is None  # merge keys and 1 / '1' are no repeat
