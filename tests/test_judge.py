"""How a question set's expected figures are found in an answer (bot.evaluate.contains)."""

from __future__ import annotations

import pytest

from bot.evaluate import contains

EN = "In 2024 Haizhu provided 10921 childcare places; 82万 (820,000) person-times; 60% of them."
ZH = "2024年，海珠区提供托位10921个，服务82万余人次，普惠占60%以上。"


@pytest.mark.parametrize("item", ["10921", "10921个", "82万余人次", "60%以上", "82万"])
def test_an_english_answer_shows_a_figure_without_its_chinese_measure_word(item: str) -> None:
    assert contains(EN, item)


@pytest.mark.parametrize("item", ["10922个", "1092个", "83万余人次", "61%以上", "820万"])
def test_the_number_itself_must_still_be_there(item: str) -> None:
    assert not contains(EN, item)


@pytest.mark.parametrize("item", ["10921个", "82万余人次", "60%以上"])
def test_a_chinese_answer_is_held_to_the_unit(item: str) -> None:
    assert contains(ZH, item)
    assert not contains(ZH.replace(item, item[:-1] + "X"), item)


def test_a_chinese_answer_without_the_measure_word_does_not_show_it() -> None:
    assert not contains("2024年，海珠区提供托位10921，普惠占比36.6%。", "10921个")


def test_thousands_separators_do_not_matter() -> None:
    assert contains("Haizhu added 3,395 places.", "3395")
    assert contains("Haizhu added 3,395 places.", "3395个")


@pytest.mark.parametrize(
    ("answer", "item"),
    [
        ("Haizhu had 82 new projects.", "82万余人次"),  # (万 and 亿 stay with the figure)
        ("The GDP was 3008.35 million yuan.", "3008.35亿元"),
        ("It added 10 parks.", "10万平方米"),
    ],
)
def test_a_figure_in_ten_thousands_must_be_shown_as_such(answer: str, item: str) -> None:
    assert not contains(answer, item)
