"""Many words looked for at once: a lexicon list as regexes factored into tries.

The words are factored into a trie (跨境|跨越 -> 跨(?:境|越)), so a regex tries a handful of
branches at each position instead of every word. Words that start with a Latin letter match
whole words only, and they are a regex of their own: in one regex with the rest, every Latin
branch was tried at every letter of an English question (30 µs for the places alone); apart,
the rest skip Latin text in C (the engine passes over positions where no word starts) and the
Latin words are tried only where one of their first letters is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache

_LATIN = re.compile(r"[a-z]")


class Words:
    """The regexes of one word list, used like one regex (`search`, `findall`, `sub`)."""

    __slots__ = ("_all", "_latin", "_unlatin")

    def __init__(self, other: re.Pattern[str] | None, latin: re.Pattern[str] | None) -> None:
        self._unlatin = (other,) if other is not None else ()
        self._all = self._unlatin + ((latin,) if latin is not None else ())
        self._latin = latin is not None

    def _parts_for(self, text: str) -> tuple[re.Pattern[str], ...]:
        """The regexes that can match in `text`: a Latin word needs a Latin letter (most
        questions have none, and the guards ask some thirty lists of each)."""
        return self._all if self._latin and _has_latin(text) else self._unlatin

    @property
    def pattern(self) -> str:
        """One regex source of every word, to build a larger regex from."""
        return "|".join(f"(?:{p.pattern})" for p in self._all)

    def search(self, text: str) -> re.Match[str] | None:
        """A match of any word (not necessarily the leftmost), or None."""
        for part in self._parts_for(text):
            found = part.search(text)
            if found is not None:
                return found
        return None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """Every match: those of other scripts first, then the Latin ones, each in order."""
        for part in self._parts_for(text):
            yield from part.finditer(text)

    def findall(self, text: str) -> list[str]:
        """Every word found: those of other scripts first, then the Latin ones, each in order."""
        found: list[str] = []
        for part in self._parts_for(text):
            found += part.findall(text)
        return found

    def sub(self, repl: str | Callable[[re.Match[str]], str], text: str) -> str:
        for part in self._parts_for(text):
            text = part.sub(repl, text)
        return text


@lru_cache(maxsize=32)
def _has_latin(text: str) -> bool:
    """Kept for the last few texts: one question's text is read by many word lists."""
    return _LATIN.search(text) is not None


def alternation(words: Iterable[str]) -> Words | None:
    """The words as `Words`, longest match first; None for no words."""
    unique = frozenset(w for w in words if w)
    if not unique:
        return None
    return _compile(unique)


@lru_cache(maxsize=64)
def _compile(unique: frozenset[str]) -> Words:
    """Cached: a reload with an unchanged lexicon reuses its regexes.

    Non-Latin words: one branch per first character, each starting with that character, so
    the engine skips every position where no word starts. Latin words: one branch per first
    letter, the letter before checked after it (no letter), and no letter after the word."""
    trie = _trie(unique)
    other = [
        re.escape(ch) + _trie_regex(child)
        for ch, child in sorted(trie.items())
        if not _LATIN.match(ch)
    ]
    latin = [
        # (not after a letter: checked after the first, so the engine looks only where a
        # word's first letter is)
        re.escape(ch) + "(?<![a-z].)" + _trie_regex(child)
        for ch, child in sorted(trie.items())
        if _LATIN.match(ch)
    ]
    return Words(
        re.compile("|".join(other)) if other else None,
        re.compile(f"(?:{'|'.join(latin)})(?![a-z])") if latin else None,
    )


def _trie(words: Iterable[str]) -> dict[str, dict]:  # type: ignore[type-arg]
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return trie


def _trie_regex(node: dict) -> str:  # type: ignore[type-arg]
    """A regex (without groups) for the words below `node`, greedy longest."""
    branches = [re.escape(ch) + _trie_regex(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    # greedy: the longer word wins; the end of a shorter word is the empty alternative
    if "" in node:
        return "(?:" + body + ")?"
    return body
