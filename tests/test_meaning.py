"""What a term of the report means (the `Meaning` step and the glossary intents): a question
that asks a meaning and names a term gets the report's definition; one that asks none never
does."""

from __future__ import annotations

import pytest

from bot.engine import Context, Engine
from bot.engine.answer import GLOSSARY_TOPIC


def _glossary(engine: Engine) -> list[tuple[str, str]]:
    """(intent id, its first Chinese keyword) of every definition in the content."""
    return [
        (li.intent.id, next(k for k in li.intent.keywords if not k.isascii()))
        for li in engine.content.intents
        if li.intent.topic == GLOSSARY_TOPIC
    ]


def test_the_content_has_definitions(engine: Engine) -> None:
    assert len(_glossary(engine)) >= 5


@pytest.mark.parametrize("asking", ["{}是什么意思", "什么是{}", "{}指什么", "what does {} mean"])
def test_a_meaning_asked_of_a_term_gets_its_definition(engine: Engine, asking: str) -> None:
    for intent, term in _glossary(engine):
        answer = engine.ask(asking.format(term))
        assert answer.decision == "answer" and answer.intents == (intent,), (term, answer)
        assert "名词解释" in answer.text or "glossary" in answer.text


@pytest.mark.parametrize(
    "question", ["四上企业有多少家", "新增四上企业多少家", "两重项目获批多少钱"]
)
def test_a_question_that_asks_no_meaning_gets_no_definition(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert answer.decision == "answer"
    topics = {li.intent.id: li.intent.topic for li in engine.content.intents}
    assert all(topics[i] != GLOSSARY_TOPIC for i in answer.intents), answer


def test_a_follow_up_asks_a_meaning_only_of_its_own_words(engine: Engine) -> None:
    """那个目标是什么 after a question on the 四上 firms asks no meaning of 四上."""
    first = engine.ask("去年新增四上企业多少家")
    then = engine.ask("那个目标是什么", Context.after(first))
    topics = {li.intent.id: li.intent.topic for li in engine.content.intents}
    assert all(topics[i] != GLOSSARY_TOPIC for i in then.intents)
    meaning = engine.ask("四上是指什么", Context.after(first))
    assert [topics[i] for i in meaning.intents] == [GLOSSARY_TOPIC]
