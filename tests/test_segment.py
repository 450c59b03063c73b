"""The word segmenter that tells a place's name said as a word from the same characters inside
other words."""

from bot.engine.segment import Segmented


def test_a_name_said_as_a_word_is_one_word() -> None:
    text = "仁怀去年GDP多少"
    assert Segmented(text).is_word(0, 2)


def test_characters_of_a_name_across_two_words_are_no_word() -> None:
    text = "以上高新技术企业有多少家"
    start = text.index("上高")
    words = Segmented(text)
    assert not words.is_word(start, start + 2)
    assert not words.is_bounded(start, start + 2)


def test_a_name_and_its_kind_begin_and_end_where_words_do() -> None:
    text = "想问下上高县托位"
    start = text.index("上高县")
    assert Segmented(text).is_bounded(start, start + 3)
