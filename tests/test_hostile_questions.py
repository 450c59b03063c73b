"""Hostile input (tests/hostile/questions.yaml): never an exception, never a report figure for
nonsense, and the HTML sent to Telegram shows the text rather than running it."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml

from bot.engine import Engine
from bot.telegram.send import answer_reply

QUESTIONS = yaml.safe_load(
    (Path(__file__).resolve().parent / "hostile" / "questions.yaml").read_text(encoding="utf-8")
)["questions"]
FIGURES = re.compile(r"10921|3395|1710|630\.04|242\.97|36\.6")
ASKS_PLACES = re.compile(r"托\W*位")  # a few of them do ask about childcare places, under the noise


@pytest.mark.parametrize("question", QUESTIONS)
def test_hostile_question_is_answered_politely_and_safely(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert answer.decision in {"answer", "clarify", "fallback"}
    assert answer.text.strip()
    if not ASKS_PLACES.search(
        question.replace("\u200b", "").replace("\u200d", "").replace("\ufeff", "")
    ):
        assert answer.decision != "answer" or not FIGURES.search(answer.text), question
    reply = answer_reply(
        answer, fingerprint=engine.fingerprint, record_id=None, intent_ids=engine.intent_ids()
    )
    sent = "".join(reply.texts)
    assert "<script" not in sent and "<a href" not in sent and "<b>" not in sent
    assert html.unescape(sent).replace("\n", "") != ""
    # the question itself never comes back as markup
    for tag in ("<script>", "<b>", "<a "):
        assert tag not in html.unescape(sent) or tag in answer.text


def test_hostile_questions_change_nothing(engine: Engine) -> None:
    before = [engine.ask(q).text for q in ("海珠有多少托位", "今年新增多少学位")]
    for question in QUESTIONS:
        engine.ask(question)
    after = [engine.ask(q).text for q in ("海珠有多少托位", "今年新增多少学位")]
    assert before == after
