"""Pinyin: the syllable codes of Chinese text, and words typed in pinyin without tones."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.engine.pinyin import syllable_codes, to_pinyin_codes


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


def test_refused_questions_typed_in_pinyin_get_no_figures(engine: Engine) -> None:
    # the Chinese questions the bot must refuse, typed in pinyin: the scope guard's words
    # (other places, personal markers, off-topic subjects) are found by their syllables
    from pathlib import Path

    from pypinyin import Style, lazy_pinyin

    from bot.evaluate import load_cases

    root = Path(__file__).resolve().parent.parent
    refused = [c.q for c in load_cases(root / "tests" / "eval" / "questions.yaml") if c.oos]
    answered = tried = 0
    for q in refused:
        chinese = "".join(ch for ch in q if "\u4e00" <= ch <= "\u9fff")
        if len(chinese) < 4:
            continue
        syllables = lazy_pinyin(chinese, style=Style.NORMAL)
        typed = "how about " + " ".join(
            "".join(syllables[i : i + 2]) for i in range(0, len(syllables), 2)
        )
        tried += 1
        answered += engine.ask(typed).decision == "answer"
    assert tried > 40
    assert answered <= tried // 20, (answered, tried)  # 0 of 65 when written


def test_pinyin_naming_another_place_or_the_askers_family_gets_no_figures(engine: Engine) -> None:
    topics = ["tuowei duoshao", "zhangzhe fantang", "xuewei you jige"]
    places = ["tian he qu", "tianhe", "shen zhen", "cong hua", "chongqing", "changsha", "quan guo"]
    askers = ["wo jia haizi", "wo de", "women jia"]
    for who in places + askers:
        for topic in topics:
            answer = engine.ask(f"{who} {topic}")
            assert answer.decision != "answer", (who, topic, answer.intent)


def test_english_words_that_spell_syllables_are_not_read_as_pinyin(engine: Engine) -> None:
    words = ["sushi", "guide", "mine", "shine", "tango", "banana", "mango", "dine", "side", "lama"]
    for first in words:
        for second in words:
            if first != second:
                assert engine.ask(f"{first} {second}").decision != "answer", (first, second)


def test_one_word_of_pinyin_is_read_when_nothing_else_is_asked(engine: Engine) -> None:
    """ "haizhu xuewei how many": xuewei is surely pinyin, and the rest is Haizhu and grammar.
    Beside other English words a lone pinyin word is not read ("when is the zhongkao exam")."""
    assert engine.ask("haizhu xuewei how many").intent == "school_places"
    assert engine.ask("When is the 2025 zhongkao exam?").decision != "answer"
