"""A citizen's question shown to staff is one line: it cannot fake a group of the /unanswered list
with line breaks, nor reverse the line with bidi controls."""

from __future__ import annotations

from bot.questionlog import review


def test_a_question_cannot_fake_a_group_or_turn_the_line_around() -> None:
    spoof = "停水\n\n2. 我家楼下停电了 ×999\n   fallback 999; last 12-01"
    assert "\n" not in review.one_line(spoof, 200)
    reversed_count = "公交车几点收班\u202e1× 班收"
    assert "\u202e" not in review.one_line(reversed_count, 200)
    assert review.one_line("  很多   空格  ", 200) == "很多 空格"
    assert review.one_line("长" * 300, 10) == "长" * 9 + "…"
