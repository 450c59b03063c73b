"""The engine's pipeline: each step can be read and tested alone, and a new step is one more
entry in `Pipeline.steps`."""

from __future__ import annotations

import pytest
from pinned import TODAY

from bot.engine import Answer, Engine
from bot.engine.decide import Decision
from bot.engine.guards import OffTopic, OtherPlace, Personal, screen
from bot.engine.pipeline import Pipeline, received
from bot.engine.query import Query
from bot.engine.rank import AnswerBoth, _one_apart_in, by_figure, decide_step, prefer_named
from bot.engine.terms import ByAnswerWords
from bot.engine.when import TimeNote


def query(engine: Engine, question: str) -> Query:
    """A question normalised as the pipeline does, before any step ran."""
    incoming = received(question)
    return Query(
        question=incoming.question,
        text=incoming.text,
        lang=incoming.lang,
        norm=engine.normalizer.normalize(incoming.text),
        matcher=engine.matchers[incoming.lang],
        today=TODAY,
    )


def run_until(engine: Engine, q: Query, stop: type | object) -> Query:
    """Run the engine's steps on q up to (not including) the first step that is `stop` or an
    instance of it."""
    for step in engine.pipeline.steps:
        if step is stop or (isinstance(stop, type) and isinstance(step, stop)):
            return q
        assert step(q) is None
    raise AssertionError(f"{stop} is not a step")


def test_steps_run_in_the_documented_order(engine: Engine) -> None:
    names = [getattr(s, "__name__", type(s).__name__) for s in engine.pipeline.steps]
    assert names == [
        "ResolveTime",
        "Rank",
        "decide_step",
        "prefer_named",
        "RankClauses",
        "prefer_context",
        "PreferAskedYear",
        "by_figure",
        "ByAnswerWords",
        "GeneralOnlyWhenSure",
        "Meaning",
        "OffTopic",
        "Fragment",
        "Request",
        "Procedure",
        "Personal",
        "OtherPlace",
        "AskedDetail",
        "MultiPart",
        "AnswerBoth",
        "AddAskedYear",
        "TimeNote",
        "whole_district",
    ]


def test_screen_refuses_empty_and_overlong_input_before_any_step(engine: Engine) -> None:
    assert screen(received("托位有多少"), engine.composer) is None
    for text, reason in [("  ？！ ", "empty"), ("学" * 501, "too_long")]:
        refused = screen(received(text), engine.composer)
        assert refused is not None and refused.reason == reason


def test_each_guard_alone(engine: Engine) -> None:
    q = run_until(engine, query(engine, "番禺区去年新增了多少学位"), OffTopic)
    assert OffTopic(engine.composer)(q) is None
    assert q.norm.places and q.decision.kind == "answer"
    refused = OtherPlace(engine.composer, engine.content.intents, engine.normalizer)(q)
    assert refused is not None and refused.reason == "other_place" and "番禺" in refused.text

    q = run_until(engine, query(engine, "我家孩子能不能报名公办小学"), Personal)
    refused = Personal(engine.composer, engine.content.intents)(q)
    assert refused is not None and refused.reason == "personal"

    q = run_until(engine, query(engine, "今天天气怎么样"), OffTopic)
    refused = OffTopic(engine.composer)(q)
    assert refused is not None and refused.decision == "fallback"


def test_time_note_only_for_an_answer_missing_a_year_asked(engine: Engine) -> None:
    q = run_until(engine, query(engine, "2019年新增了多少中小学学位"), TimeNote)
    assert q.decision.kind == "answer"
    note = next(s for s in engine.pipeline.steps if isinstance(s, TimeNote))
    note(q)
    assert "2019" in q.note.splitlines()[0]
    q = run_until(engine, query(engine, "2024年新增了多少中小学学位"), TimeNote)
    note(q)
    assert q.note == ""
    q.decision = Decision("clarify", None, q.decision.candidates)
    q.asked = frozenset({2019})
    note(q)
    assert q.note == ""  # no answer, no note


def test_answer_both_answers_two_equal_exact_candidates_and_asks_otherwise(engine: Engine) -> None:
    q = query(engine, "海灏国际大厦")
    q.decision = Decision("clarify", None, ((3, 96.0), (5, 96.0)))
    AnswerBoth(engine.normalizer)(q)
    assert q.decision == Decision("answer", 3, ((3, 96.0), (5, 96.0))) and q.also == (5,)

    q = query(engine, "海灏国际大厦")
    q.decision = Decision("clarify", None, ((3, 70.0), (5, 66.0)))
    AnswerBoth(engine.normalizer)(q)
    assert q.decision.kind == "clarify" and q.also == ()


@pytest.mark.parametrize("question", ["托位还是学位多", "学位多还是托位多"])
def test_which_of_two_is_more_answers_both(engine: Engine, question: str) -> None:
    """还是 joins the two things compared: both figures, not one of them."""
    answer = engine.ask(question)
    assert answer.decision == "answer" and "10921" in answer.text and "3395" in answer.text


def test_by_figure_alone(engine: Engine) -> None:
    q = query(engine, "3395是什么意思")
    assert q.norm.about_figure
    decide_step(q)  # nothing ranked yet: a fallback
    assert q.decision.kind == "fallback"
    by_figure(q)
    owners = set(engine.matchers["zh"].showing(["3395"]))
    assert q.decision.kind in {"answer", "clarify"}
    assert {i for i, _ in q.decision.candidates} <= owners


def test_an_example_that_matched_all_but_its_topic_word_gives_way_to_the_named_topic(
    engine: Engine,
) -> None:
    """The best example differs from the question in the one word that says what is asked (its
    intent's keyword, absent from the question), while a close runner-up owns the keyword the
    question does say: the runner-up answers. Read whatever intents the content has."""
    matcher = engine.matchers["zh"]
    q = query(engine, "去年海珠新增咗几多个托位")
    run_until(engine, q, prefer_named)
    before = q.decision.best
    assert q.decision.kind == "answer" and before is not None
    example = matcher.best_example(q.norm.text, before)
    named = matcher.keyword_owners(q.norm.text)
    assert matcher.keywords_of(before, example) and before not in named
    prefer_named(q)
    assert q.decision.best != before and q.decision.best in named
    assert q.decision.best in {i for i, _ in q.ranked}


@pytest.mark.parametrize("question", ["今年竣工嘅重點項目總共幾個", "今年托育有什么新举措"])
def test_an_example_whose_topic_word_is_the_questions_with_its_first_character_changed_gives_way(
    engine: Engine, question: str
) -> None:
    """动工 for 竣工, 教育 for 托育: the best example matched all but the kind of thing asked; an
    intent the question names answers, though further off than a close runner-up."""
    matcher = engine.matchers["zh"]
    q = query(engine, question)
    run_until(engine, q, prefer_named)
    before = q.decision.best
    assert q.decision.kind == "answer" and before is not None
    named = matcher.keyword_owners(q.norm.text)
    assert before not in named
    prefer_named(q)
    assert q.decision.best != before and q.decision.best in named


@pytest.mark.parametrize(
    ("word", "text", "apart"),
    [("托育", "教育新举措", True), ("竣工", "重点项目动工", True), ("数字", "数据靠谱", False)],
)
def test_one_apart_is_the_first_character_of_two(word: str, text: str, apart: bool) -> None:
    assert _one_apart_in(word, text) is apart


def test_of_two_named_answers_the_one_whose_keyword_holds_the_others_answers(
    engine: Engine,
) -> None:
    """海珠有多少家游戏企业: the firms' answer (keyword 企业) just ahead of the game industry's
    (游戏企业): the longer keyword says more of what is asked."""
    matcher = engine.matchers["zh"]
    q = query(engine, "海珠有多少家游戏企业")
    run_until(engine, q, prefer_named)
    before = q.decision.best
    assert before is not None and before in matcher.keyword_owners(q.norm.text)
    prefer_named(q)
    after = q.decision.best
    assert after is not None and after != before
    assert all(
        any(k in t and k != t for t in matcher.keywords_of(after, q.norm.text))
        for k in matcher.keywords_of(before, q.norm.text)
    )


@pytest.mark.parametrize(
    "question",
    [
        "托位有多少个",  # the best names its own keyword
        "2025年托育方面要做什么",  # its example's 托育点 holds the 托育 the question says
        "海珠区今年有什么重点工作",  # the question names no topic's keyword
    ],
)
def test_a_question_that_names_the_best_or_nothing_keeps_it(engine: Engine, question: str) -> None:
    q = query(engine, question)
    run_until(engine, q, prefer_named)
    before = q.decision
    prefer_named(q)
    assert q.decision == before


def test_a_new_step_is_one_more_entry(engine: Engine) -> None:
    """A guard added to the steps ends the pipeline with its answer; without it, the same
    question is answered as before."""
    asked = "海珠区有多少托位"
    before = engine.ask(asked)
    assert before.decision == "answer"

    def no_childcare(q: Query) -> Answer | None:
        if q.decision.best is not None and "托" in q.norm.text:
            return engine.composer.fallback(q.question, "personal", q.lang, q.script)
        return None

    p = engine.pipeline
    guarded = Pipeline(
        p.normalizer, p.matchers, p.composer, [*p.steps, no_childcare], p.finish, p.clock
    )
    after = guarded.ask(asked)
    assert after.decision == "fallback" and after.reason == "personal"
    assert guarded.ask("去年新增了多少中小学学位") == engine.ask("去年新增了多少中小学学位")


def test_several_things_at_once_are_each_answered(engine: Engine) -> None:
    a = engine.ask("托位和长者饭堂各有多少个")
    assert a.decision == "answer" and "10921" in a.text and "102" in a.text
    b = engine.ask("How many childcare places and elderly canteens are there?")
    assert b.decision == "answer" and "10921" in b.text and "102" in b.text
    # one thing asked: one answer, not a second intent's figures
    one = engine.ask("海珠区有多少托位")
    assert "102个长者饭堂" not in one.text


@pytest.mark.parametrize(
    "question",
    [
        "去年地区生产总值实际增长几多，今年目标几多",
        "GDP growth last year, and the target this year?",
    ],
)
def test_a_part_that_names_no_topic_is_about_the_part_before(engine: Engine, question: str) -> None:
    """The second part asks only a side (目标, target) for its own year: the GDP target of 2025
    beside the 2024 result, not one of them."""
    a = engine.ask(question)
    assert a.decision == "answer"
    assert "5.4" in a.text and "5.5" in a.text


def test_a_question_in_an_answers_own_words_is_answered_by_it(engine: Engine) -> None:
    """No example asks about 租赁和商务服务业, but the GDP answer lists its growth: without the
    step the question falls back, with it the GDP answer (and its 10.6%) is given."""
    asked = "租赁和商务服务业增长了多少"
    answer = engine.ask(asked)
    assert answer.decision == "answer" and "10.6" in answer.text
    p = engine.pipeline
    steps = [s for s in p.steps if not isinstance(s, ByAnswerWords)]
    without = Pipeline(p.normalizer, p.matchers, p.composer, steps, p.finish, p.clock)
    assert without.ask(asked).decision != "answer"
    # a confident match by the examples is never overruled by an answer's words
    assert engine.ask("托位有多少").intent == without.ask("托位有多少").intent


def test_an_answers_list_is_read_without_its_commas(engine: Engine) -> None:
    """The consumption answer writes 体育、娱乐用品类: a question saying 体育娱乐用品 quotes it."""
    answer = engine.ask("去年体育娱乐用品卖得怎么样")
    assert answer.decision == "answer" and "69.6" in answer.text, answer


def test_a_rate_asked_with_a_slip_that_sounds_the_same_is_the_answers(engine: Engine) -> None:
    """办节率 sounds as 办结率, which the services answer gives: no detail refused."""
    answer = engine.ask("政务服务按时办节率有多高")
    assert answer.decision == "answer" and "100" in answer.text, answer
    assert engine.ask("海珠区失业率是多少").reason == "detail"


def test_a_how_to_question_gets_no_figures_but_the_topic_offered(engine: Engine) -> None:
    for q in (
        "公租房怎么申请",
        "孩子上公办小学要怎么报名",
        "What documents do I need for a business licence?",
    ):
        a = engine.ask(q)
        assert a.decision == "fallback" and a.reason == "procedure", q
        assert "12345" in a.text and not any(ch.isdigit() for ch in a.text.replace("12345", ""))
    offered = engine.ask("公租房怎么申请")
    assert offered.related and offered.related[0].intent  # the housing figures, one tap away
    poem = engine.ask("帮我写一首关于海珠湿地的诗")
    assert poem.decision == "fallback" and poem.reason == "request"


@pytest.mark.parametrize(
    "question", ["固投去年增长多少今年目标多少", "GDP去年增长多少今年目标多少"]
)
def test_two_years_asked_in_one_breath_are_two_parts(engine: Engine, question: str) -> None:
    """No comma between them: the year named after asking about another starts a new part, so
    the 2024 result and the 2025 target are both answered, and no line says 2024 is missing."""
    a = engine.ask(question)
    assert a.decision == "answer" and len(a.intents) == 2
    assert "报告没有2024年" not in a.text
    assert ("17.6%" in a.text or "5.4%" in a.text) and "2025" in a.text


def test_a_question_of_two_years_gets_the_answer_for_the_other_year(engine: Engine) -> None:
    """The 2025 targets answer 经济增速 去年 今年目标; ranked for 2024 alone, the GDP answer is
    sure, so it is answered too instead of a note that the report has no 2024 figure. A year no
    intent answers surely is still said to be missing."""
    a = engine.ask("经济增速 去年 今年目标 对比")
    assert a.decision == "answer" and a.intents == ("econ_targets_2025", "econ_gdp")
    assert "5.4%" in a.text and "5.5%" in a.text and "报告没有2024年" not in a.text
    b = engine.ask("去年和今年的托位")
    assert b.intents == ("childcare_places",) and b.text.startswith("报告没有2025年")


def test_a_short_asking_clause_that_names_a_keyword_is_ranked_alone(engine: Engine) -> None:
    """After a scene (想送小朋友去托班), 海珠区一共有多少个托位 is 个托位 in matching form: three
    characters, shorter than a clause ranked alone must be, but with a keyword it says enough."""
    a = engine.ask("想送小朋友去托班，海珠区一共有多少个托位？")
    assert a.decision == "answer" and a.intents == ("childcare_places",) and "10921" in a.text


def test_a_share_of_the_city_is_still_haizhus(engine: Engine) -> None:
    """占全市 is Haizhu's share of the city, as 全市排第几 is its rank; another place's share is
    still that place's."""
    assert engine.ask("海珠GDP占全市几多").intents == ("econ_gdp",)
    assert engine.ask("天河GDP占全市几多").reason == "other_place"
    assert engine.ask("广州GDP占全省几多").reason == "other_place"


def test_an_event_held_somewhere_is_no_procedure(engine: Engine) -> None:
    """在哪里办 after an event (艺术展, 马拉松赛) asks where it is held, not where to apply."""
    held = engine.ask("广州海珠国际少年儿童艺术展在哪里办")
    assert held.reason != "procedure" and "珠影粤港澳大湾区电影港" in held.text
    assert engine.ask("居住证在哪里办").reason == "procedure"


def test_a_count_of_a_kind_only_listed_is_a_detail_not_given(engine: Engine) -> None:
    """The 2025 plan lists 米其林餐厅 among kinds of shops to bring in, with no count: whether
    they are to come is answered, how many is a detail the report does not give."""
    yes = engine.ask("今年会引进米其林餐厅和首店吗")
    assert yes.decision == "answer" and "米其林餐厅" in yes.text
    many = engine.ask("2025年打算引进几家米其林餐厅")
    assert many.decision == "fallback" and many.reason == "detail"
    # a thing counted beside its name is answered
    assert "12家" in engine.ask("芯片企业有几家").text
