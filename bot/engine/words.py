"""Many words looked for at once: a lexicon list as regexes factored into tries.

The words are factored into a trie (跨境|跨越 -> 跨(?:境|越)), so a regex tries a handful of
branches at each position instead of every word. Words that start with a Latin letter match
whole words only, and they are a regex of their own: in one regex with the rest, every Latin
branch was tried at every letter of an English question (30 µs for the places alone); apart,
the rest skip Latin text in C (the engine passes over positions where no word starts) and the
Latin words are looked for only in a text with a run of letters that is the first run of
letters of one of them (an English question has a letter where most lists' words start, and
the regex was tried at each: a µs or more a list, though most lists find nothing).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache

_LATIN = re.compile(r"[a-z]")
_LETTER_RUN = re.compile(r"[a-z]+")


class Words:
    """The regexes of one word list, used like one regex (`search`, `findall`, `sub`,
    `finditer`). Each is set per list: a list without Latin words is its one regex's own method
    (the guards ask some thirty lists a question, each call once through a Python method
    before); with them, the Latin regex runs only on a text whose runs of letters hold the first
    run of one of its words."""

    __slots__ = ("findall", "finditer", "pattern", "search", "sub")

    search: Callable[[str], re.Match[str] | None]
    findall: Callable[[str], list[str]]
    finditer: Callable[[str], Iterator[re.Match[str]]]
    sub: Callable[[str | Callable[[re.Match[str]], str], str], str]

    def __init__(
        self,
        other: re.Pattern[str] | None,
        latin: re.Pattern[str] | None,
        firsts: frozenset[str],
    ) -> None:
        """`firsts`: the first run of letters of every Latin word. A match of the Latin regex
        starts where a run of the text's letters starts (no letter before it), and that run is
        the word's first run of letters (no letter after it either: the word goes on with
        another character, pm2.5, or ends where a word must)."""
        parts = [p for p in (other, latin) if p is not None]
        # one regex source of every word, to build a larger regex from
        self.pattern = "|".join(f"(?:{p.pattern})" for p in parts)
        if latin is None:
            one = parts[0]
            self.search, self.findall, self.finditer, self.sub = (
                one.search,
                one.findall,
                one.finditer,
                one.sub,
            )
            return
        # (a match of the other scripts' first, then of the Latin words; each in order)
        o_search, o_findall, o_finditer, o_sub = (
            (other.search, other.findall, other.finditer, other.sub)
            if other is not None
            else (_no_match, _no_matches, _no_iter, _unchanged)
        )
        assert latin.groups == 0  # (findall gives whole matches)
        l_search, l_findall, l_finditer, l_sub = (
            latin.search,
            latin.findall,
            latin.finditer,
            latin.sub,
        )

        def latin_first(text: str) -> re.Match[str] | None:
            """The Latin regex's first match, looked for only in a text holding, as a whole run
            of letters, the first run of letters of one of its words."""
            if firsts.isdisjoint(_letter_runs(text)):
                return None
            return l_search(text)

        # (`_has_latin` first: most texts have no letter, and for them that is all)
        def search(text: str) -> re.Match[str] | None:
            found = o_search(text)
            if found is None and _has_latin(text):
                return latin_first(text)
            return found

        # (the rest of the Latin matches looked for from the first one on: none is before it)
        def findall(text: str) -> list[str]:
            found: list[str] = o_findall(text)
            first = latin_first(text) if _has_latin(text) else None
            return found if first is None else found + l_findall(text, first.start())

        def finditer(text: str) -> Iterator[re.Match[str]]:
            yield from o_finditer(text)
            first = latin_first(text) if _has_latin(text) else None
            if first is not None:
                yield from l_finditer(text, first.start())

        def sub(repl: str | Callable[[re.Match[str]], str], text: str) -> str:
            latin = _has_latin(text)  # (of the text as given, whatever the first sub writes)
            text = o_sub(repl, text)
            first = latin_first(text) if latin else None
            if first is None:
                return text
            # (cut where the first match starts: no letter before it, which is all its
            # look-behind asks)
            start = first.start()
            return text[:start] + l_sub(repl, text[start:])

        self.search, self.findall, self.finditer, self.sub = search, findall, finditer, sub


# (what a list of Latin words only finds in other scripts)
def _no_match(text: str) -> re.Match[str] | None:
    return None


def _no_matches(text: str) -> list[str]:
    return []


def _no_iter(text: str) -> Iterator[re.Match[str]]:
    return iter(())


def _unchanged(repl: str | Callable[[re.Match[str]], str], text: str) -> str:
    return text


@lru_cache(maxsize=32)
def _has_latin(text: str) -> bool:
    """Kept for the last few texts: one question's text is read by many word lists."""
    return _LATIN.search(text) is not None


@lru_cache(maxsize=32)
def _letter_runs(text: str) -> frozenset[str]:
    """The text's whole runs of letters, kept like `_has_latin`'s."""
    return frozenset(_LETTER_RUN.findall(text))


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
    firsts = frozenset(m.group() for w in unique if (m := _LETTER_RUN.match(w)))
    return Words(
        re.compile("|".join(other)) if other else None,
        re.compile(f"(?:{'|'.join(latin)})(?![a-z])") if latin else None,
        firsts,
    )


def factored(words: Iterable[str]) -> str:
    """A regex source (without groups) of the words, factored into a trie (greedy longest): an
    alternation of hundreds of words that the regex engine tries in a few steps, for a larger
    regex to hold."""
    trie = _trie(words)
    return "|".join(re.escape(ch) + _trie_regex(child) for ch, child in sorted(trie.items()))


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
