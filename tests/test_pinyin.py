"""Pinyin: the syllable codes of Chinese text, and words typed in pinyin without tones."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.pinyin import syllable_codes, to_pinyin_codes


@pytest.mark.parametrize(
    ("typed", "chinese"),
    [("xuewei", "学位"), ("zhongxiaoxue", "中小学"), ("zhangzhe", "长者"), ("gongban", "公办")],
)
def test_a_pinyin_word_has_the_codes_of_its_characters(typed: str, chinese: str) -> None:
    assert syllable_codes(typed) == to_pinyin_codes(chinese)


@pytest.mark.parametrize("word", ["school", "xian", "qu", "many", "lv", "shi2", ""])
def test_no_codes_for_english_words_single_syllables_or_digits(word: str) -> None:
    assert syllable_codes(word) is None


def test_homophones_typed_with_southern_accents_share_codes() -> None:
    assert syllable_codes("zongshu") == syllable_codes("zhongshu")  # zh/z folded


def test_questions_typed_in_pinyin_are_answered_like_the_chinese(engine: Engine) -> None:
    from pypinyin import Style, lazy_pinyin

    tried = agreed = 0
    for raw in [ex for li in engine.content.intents for ex in li.intent.examples.zh[:2]]:
        if len(raw) < 4 or not all("\u4e00" <= ch <= "\u9fff" for ch in raw):
            continue
        syllables = lazy_pinyin(raw, style=Style.NORMAL)
        # two characters to a word, as people type pinyin
        words = ["".join(syllables[i : i + 2]) for i in range(0, len(syllables), 2)]
        question = "how about " + " ".join(words)
        chinese = engine.ask(raw)
        if chinese.decision != "answer":
            continue
        tried += 1
        typed = engine.ask(question)
        agreed += typed.decision == "answer" and typed.intent == chinese.intent
        assert typed.lang == "en"
    assert tried > 60
    assert agreed / tried >= 0.8, (agreed, tried)  # 89/98 when written
