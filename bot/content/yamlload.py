"""Read a YAML file into Python data plus the line of every key and list item.

Content errors must name the file, the line and the key; PyYAML's composed node tree has the
marks, so one parse gives both the data and the lines. Lines are looked up in the kept node tree
only when one is asked for (an error, an intent's position), not mapped for every node up front.

Loading is safe loading: the data is what `yaml.safe_load` gives. Plain documents (maps with
scalar keys, lists, and str/int/float/bool/null scalars: all content is like that) are built
straight from the node tree; anything else (anchors reused, merge keys, other tags) goes through
PyYAML's own safe constructor.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

PathKey = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


# values a document may have with its aliases expanded: the shipped files have under 10,000
MAX_EXPANDED_NODES = 200_000


class YamlError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


# libyaml's parser when PyYAML was built with it (the wheels are): about 10x faster.
_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# The implicit resolvers (null, bool, int, float, ...) by the first character they match.
_IMPLICIT: dict[str | None, list[tuple[str, re.Pattern[str]]]] = _Base.yaml_implicit_resolvers


class _Loader(_Base):  # type: ignore[misc]
    """The safe loader with quicker resolver hooks (the composer calls three for every node).

    The same tags as PyYAML's resolver gives: a quoted scalar is a string, a plain one takes the
    tag of the first implicit resolver for its first character that matches it, else it is a
    string; a map is a map, a list a list. Without path resolvers the composer's path tracking
    does nothing, so it is skipped. Valid while no wildcard or path resolvers are registered:
    `_loader_class` checks that before each parse.
    """

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None

    def resolve(self, kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, regexp in _IMPLICIT.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return _STR
        if kind is yaml.MappingNode:
            return _MAP
        return _SEQ


def _loader_class() -> Any:
    """`_Loader`, or PyYAML's own loader if resolvers were registered since this module loaded."""
    quick = (
        _Loader.yaml_implicit_resolvers is _IMPLICIT
        and None not in _IMPLICIT
        and not _Loader.yaml_path_resolvers
        and _Loader.DEFAULT_SCALAR_TAG == _STR
        and _Loader.DEFAULT_MAPPING_TAG == _MAP
        and _Loader.DEFAULT_SEQUENCE_TAG == _SEQ
    )
    return _Loader if quick else _Base


# The scalar tags built directly, with PyYAML's own functions for them (not a reimplementation).
_SCALARS: dict[str, Callable[[Any, Any], Any]] = {
    "tag:yaml.org,2002:null": SafeConstructor.construct_yaml_null,
    "tag:yaml.org,2002:bool": SafeConstructor.construct_yaml_bool,
    "tag:yaml.org,2002:int": SafeConstructor.construct_yaml_int,
    "tag:yaml.org,2002:float": SafeConstructor.construct_yaml_float,
}
# What the loader must still construct these tags with for that to be the same.
_STOCK = {
    **_SCALARS,
    _STR: SafeConstructor.construct_yaml_str,
    _MAP: SafeConstructor.construct_yaml_map,
    _SEQ: SafeConstructor.construct_yaml_seq,
}


class _NotPlain(Exception):
    """The document needs PyYAML's constructor (aliases, merge keys, other tags)."""


class LineMap:
    """The line of every key and list item of one document, found in its node tree on demand.

    For a key, its own line; for a list item, the line it starts on; for the document, its first
    node's line. A key given twice counts where it was given last, as its value does.
    """

    __slots__ = ("_root",)

    def __init__(self, root: yaml.Node | None) -> None:
        self._root = root

    @property
    def root(self) -> yaml.Node | None:
        return self._root

    def line(self, path: PathKey) -> int:
        """The line of the longest prefix of `path` the document has (1 when it has none)."""
        if self._root is None:
            return 1
        nodes: list[yaml.Node] = [self._root]
        line = self._root.start_mark.line + 1
        for part in path:
            found: list[yaml.Node] = []
            for node in nodes:
                if isinstance(node, yaml.MappingNode):
                    for key_node, value_node in node.value:
                        key = (
                            key_node.value
                            if isinstance(key_node, yaml.ScalarNode)
                            else str(key_node)
                        )
                        if key == part:
                            line = key_node.start_mark.line + 1
                            found.append(value_node)
                elif (
                    isinstance(node, yaml.SequenceNode)
                    and isinstance(part, int)
                    and 0 <= part < len(node.value)
                ):
                    item = node.value[part]
                    line = item.start_mark.line + 1
                    found.append(item)
            if not found:
                break
            nodes = found
        return line


def load_with_lines(path: Path) -> tuple[Any, LineMap]:
    """Parse one YAML document; raise YamlError with the line on a syntax error."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError(1, f"not UTF-8 text: {exc}") from exc
    return _load_text(text)


def load_bytes_with_lines(raw: bytes) -> tuple[Any, LineMap]:
    """`load_with_lines` for a file's bytes already read (decoded as `Path.read_text` does)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError(1, f"not UTF-8 text: {exc}") from exc
    if "\r" in text:  # universal newlines, as text mode reads them
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _load_text(text)


def _load_text(text: str) -> tuple[Any, LineMap]:
    loader = _loader_class()(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, LineMap(None)
        # a node can occur twice only through an alias: an anchor (&a) and a reference (*a)
        aliases = "&" in text and "*" in text
        if aliases:
            expanded = _expanded_size(node)
            if expanded > MAX_EXPANDED_NODES:
                raise YamlError(
                    1,
                    f"aliases expand this file to {expanded:,} values (at most "
                    f"{MAX_EXPANDED_NODES:,}): reuse with & and * sparingly",
                )
        data = _construct(loader, node, aliases)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlError(line, f"YAML syntax: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise YamlError(1, f"YAML: {exc}") from exc
    finally:
        loader.dispose()
    return data, LineMap(node)


def _construct(loader: Any, node: yaml.Node, aliases: bool) -> Any:
    """The document's data: built directly when it is plain, else by PyYAML's constructor."""
    constructors = loader.yaml_constructors
    if all(constructors.get(tag) is fn for tag, fn in _STOCK.items()) and not (
        aliases and _shares_nodes(node)
    ):
        # Not plain (_NotPlain), or a scalar PyYAML cannot convert: its constructor decides, and
        # raises the error it would have raised.
        with contextlib.suppress(Exception):
            return _plain(loader, node)
    return loader.construct_document(node)


def _expanded_size(root: yaml.Node) -> int:
    """How many values the document has with every alias written out (a \"billion laughs\"
    file is small but expands without bound). Each node is sized once."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if isinstance(node, yaml.MappingNode):
            kids = [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            kids = list(node.value)
        else:
            sizes[id(node)] = 1
            continue
        if children_done:
            sizes[id(node)] = min(1 + sum(sizes[id(k)] for k in kids), 1 << 62)
        else:
            stack.append((node, True))
            stack.extend((k, False) for k in kids if id(k) not in sizes)
    return sizes[id(root)]


def repeated_key(lines: LineMap) -> tuple[int, str, int] | None:
    """The first key written twice in one mapping, as (line, key, first line), or None. YAML
    (and so loading) keeps the last one silently: a content file must not rely on that."""
    root = lines.root
    if root is None:
        return None
    seen_nodes: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: dict[tuple[str, str], int] = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value != "<<":
                    key = (key_node.tag, key_node.value)
                    line = key_node.start_mark.line + 1
                    if key in keys:
                        return line, key_node.value, keys[key]
                    keys[key] = line
                stack += (key_node, value_node)
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
    return None


def _shares_nodes(root: yaml.Node) -> bool:
    """Whether a node occurs twice (an alias): PyYAML shares, even nests, such values."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                stack += (key_node, value_node)
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
    return False


def _plain(loader: Any, node: yaml.Node) -> Any:
    """Plain YAML data from a node tree without shared nodes, as SafeConstructor builds it."""
    kind = type(node)
    tag = node.tag
    if kind is yaml.ScalarNode:
        if tag == _STR:
            return node.value
        scalar = _SCALARS.get(tag)
        if scalar is None:
            raise _NotPlain
        return scalar(loader, node)
    if kind is yaml.MappingNode and tag == _MAP:
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode:
                raise _NotPlain  # a complex key
            if key_node.tag == _STR:
                key = key_node.value
            elif key_node.tag in _SCALARS:
                key = _SCALARS[key_node.tag](loader, key_node)
            else:
                raise _NotPlain  # a merge key (<<), a value key (=), another tag
            if type(value_node) is yaml.ScalarNode and value_node.tag == _STR:
                mapping[key] = value_node.value  # most values: inline, no call
            else:
                mapping[key] = _plain(loader, value_node)
        return mapping
    if kind is yaml.SequenceNode and tag == _SEQ:
        return [
            item.value
            if type(item) is yaml.ScalarNode and item.tag == _STR
            else _plain(loader, item)
            for item in node.value
        ]
    raise _NotPlain


def line_of(lines: LineMap, path: PathKey) -> int:
    """The line of the longest known prefix of `path` (1 when nothing is known)."""
    return lines.line(path)
