"""Examples staff add from Telegram: the engine with them, and the check they must pass first.

The questions are made from the content itself (another intent's example, lightly changed),
never written against a known answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from pinned import TODAY

from bot.engine import AddedExample, Engine, fixed

FIXTURE = Path(__file__).parent / "fixtures" / "two_reports"
UNANSWERED = "海珠的娃娃托管点一共几多个"  # childcare in words no example has


@pytest.fixture(scope="module")
def small() -> Engine:
    return Engine.load(FIXTURE / "intents", FIXTURE / "data", clock=fixed(TODAY))


def test_an_added_example_makes_a_missed_question_answered(engine: Engine) -> None:
    before = engine.ask(UNANSWERED)
    assert before.decision != "answer"
    target = engine.suggest(UNANSWERED)[0]
    new, problems = engine.check_example(AddedExample(target, UNANSWERED))
    assert problems == []
    after = new.ask(UNANSWERED)
    assert (after.decision, after.intent) == ("answer", target)
    # a new engine: the one serving is untouched, and buttons made for it stay valid
    assert engine.ask(UNANSWERED).decision == before.decision
    assert new.fingerprint == engine.fingerprint
    assert new.example_count == engine.example_count + 1
    assert new.added == (AddedExample(target, UNANSWERED),)


def test_with_examples_replaces_the_overlay_and_skips_what_cannot_apply(engine: Engine) -> None:
    intent = engine.intent_ids()[0]
    own = engine.content.intents[0].intent.examples.zh[0]
    one = engine.with_examples([AddedExample(intent, UNANSWERED)])
    none = one.with_examples([])
    assert none.ask(UNANSWERED).decision != "answer"
    odd = engine.with_examples(
        [AddedExample("no_such_intent_x", UNANSWERED), AddedExample(intent, own)]
    )
    assert odd.example_count == engine.example_count  # the duplicate adds nothing
    assert any("no_such_intent_x" in p for p in odd.added_problems)


def test_a_near_copy_of_another_intents_example_is_refused(engine: Engine) -> None:
    ids = engine.intent_ids()
    owner = next(li for li in engine.content.intents if len(li.intent.examples.zh) > 3)
    example = max(owner.intent.examples.zh[:5], key=len)
    other = next(i for i in ids if i != owner.intent.id and i != "help")
    _, problems = engine.check_example(AddedExample(other, example + "啊"))
    assert problems, "a near copy of another intent's example was accepted"
    assert owner.intent.id in " ".join(problems)


def test_an_example_that_takes_another_intents_example_is_refused(small: Engine) -> None:
    plan = next(li for li in small.content.intents if li.intent.id == "places_plan")
    taken = plan.intent.examples.zh[0]
    _, problems = small.check_example(AddedExample("places", f"{taken}是多少个"))
    assert len(problems) == 1 and "would take" in problems[0]
    assert repr(taken) in problems[0] and "places_plan" in problems[0]


def test_a_question_the_guards_refuse_cannot_become_an_example(engine: Engine) -> None:
    question = "番禺区有多少个托位"
    refused = engine.ask(question)
    assert refused.decision == "fallback" and refused.reason == "other_place"  # precondition
    _, problems = engine.check_example(AddedExample("childcare_places", question))
    assert problems and "another place" in problems[0]


def test_an_example_still_answered_otherwise_is_refused(small: Engine) -> None:
    # an exact example of one intent, added to the other: the duplicate rule names its owner
    places = next(li for li in small.content.intents if li.intent.id == "places")
    _, problems = small.check_example(AddedExample("places_plan", places.intent.examples.zh[0]))
    assert problems and "already an example of 'places'" in problems[0]


def test_suggestions_are_known_intents_best_first(engine: Engine) -> None:
    ids = set(engine.intent_ids())
    for question in (UNANSWERED, "托儿所够不够", "How big is the wetland"):
        suggested = engine.suggest(question)
        assert 1 <= len(suggested) <= 3 and set(suggested) <= ids
        assert len(set(suggested)) == len(suggested)
    assert engine.suggest("托位有多少")[0] == engine.ask("托位有多少").intent


@pytest.mark.parametrize(
    "generic", ["怎么样", "2024年", "1", "how many", "那去年呢", "有几多", "去年"]
)
def test_an_example_that_names_nothing_is_refused(engine: Engine, generic: str) -> None:
    new, problems = engine.check_example(AddedExample(engine.intent_ids()[0], generic))
    assert problems and "names nothing" in problems[0]
    assert new is engine  # nothing was built, nothing changes
