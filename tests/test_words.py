"""Word lists as regexes (bot/engine/words.py): Latin words are whole words, found only where
a run of the text's letters starts, and a list finds what one plain regex of its words finds
(where no word of one script overlaps a word of the other: the other scripts' words are looked
for first, then the Latin ones)."""

from __future__ import annotations

import re

import pytest

from bot.engine.words import alternation, factored

MIXED = ["托位", "托育", "pm", "pm2.5", "hk/macao", "kindergarten", "kindergartens", "day care"]


def _reference(words: list[str]) -> re.Pattern[str]:
    """The plain regex a list stands for: each word, longest first; a Latin word whole."""
    ordered = sorted(words, key=len, reverse=True)
    return re.compile(
        "|".join(
            f"(?<![a-z]){re.escape(w)}(?![a-z])" if re.match("[a-z]", w) else re.escape(w)
            for w in ordered
        )
    )


@pytest.mark.parametrize(
    "text",
    [
        "托位和托育各有多少",
        "pm2.5 went down, and the development of pm",
        "xpm2.5 and pmx are no words",
        "hk/macao kids in kindergartens and day care",
        "a kindergarten托位 2024pm",
        "",
        "no word of the list here at all",
    ],
)
def test_a_list_finds_what_its_plain_regex_finds(text: str) -> None:
    words = alternation(MIXED)
    assert words is not None
    reference = _reference(MIXED)
    # (the other scripts' matches come first, then the Latin ones: the same set of matches)
    assert sorted(words.findall(text)) == sorted(reference.findall(text))
    assert (words.search(text) is None) == (reference.search(text) is None)
    assert words.sub(" ", text) == reference.sub(" ", text)
    assert sorted(m.span() for m in words.finditer(text)) == sorted(
        m.span() for m in reference.finditer(text)
    )


@pytest.mark.parametrize(
    "text", ["the development of pm2.5", "xpm and pmx, then pm", "kindergartens", "day-care", ""]
)
def test_a_search_finds_the_first_latin_word_where_the_plain_regex_does(text: str) -> None:
    words = alternation(MIXED)
    assert words is not None
    found, expected = words.search(text), _reference(MIXED).search(text)
    assert (found and (found.span(), found.group())) == (
        expected and (expected.span(), expected.group())
    )


def test_a_list_of_latin_words_only() -> None:
    words = alternation(["pm", "day care"])
    assert words is not None
    assert words.search("托位有多少") is None and words.findall("托位有多少") == []
    assert words.findall("the pm level and day care") == ["pm", "day care"]
    assert words.sub("_", "day care, pm2.5") == "_, _2.5"
    found = words.search("development of day care")
    assert found is not None and found.group() == "day care"


def test_a_factored_list_matches_each_word_longest_first() -> None:
    words = ["shiqiao", "shiqiaojie", "yuancun", "新市", "新市镇", "k11"]
    pattern = re.compile(f"(?:{factored(words)})")
    for word in words:
        assert pattern.fullmatch(word), word
    assert pattern.match("shiqiaojie area").group() == "shiqiaojie"
    assert pattern.match("新市镇去年").group() == "新市镇"
    assert pattern.match("shi") is None
