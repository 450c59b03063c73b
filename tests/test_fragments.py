"""A fragment (还有呢, 具体点, go on) sent with nothing before it names no topic: it is asked to be
put in full and gets no figures; after an answer, the same words are read against that answer."""

from __future__ import annotations

import pytest

from bot.engine import Context, Engine

BARE = [
    "还有呢",
    "具体点",
    "點解",
    "详细说说",
    "那个呢",
    "go on",
    "what else?",
    "more details please",
    # a side of some topic, or a time, and nothing that says which topic
    "那去年呢",
    "投资多少",
    "几时完工",
    "增长了多少？",
    "幾多錢？",
    "and the year before?",
]


@pytest.mark.parametrize("fragment", BARE)
def test_a_bare_fragment_first_gets_no_figures(engine: Engine, fragment: str) -> None:
    answer = engine.ask(fragment)
    assert (answer.decision, answer.reason) == ("fallback", "fragment")
    assert answer.candidates == ()


@pytest.mark.parametrize(
    "question",
    [
        "还有哪些地铁在建",
        "具体有哪些新开的学校",
        "为什么要改造城中村",
        "托位呢",
        "GDP增长多少",
        "琶洲南学校几时完工",
        "3395是什么意思",
    ],
)
def test_a_question_with_a_topic_or_a_figure_is_no_bare_fragment(
    engine: Engine, question: str
) -> None:
    assert engine.ask(question).reason != "fragment"


def test_after_an_answer_a_fragment_follows_it(engine: Engine) -> None:
    first = engine.ask("托位有多少")
    assert first.decision == "answer"
    then = engine.ask("那今年计划呢", Context.after(first))
    assert then.decision == "answer" and then.followed
    assert engine.ask("具体点", Context.after(first)).reason != "fragment"
    assert engine.ask("投资多少", Context.after(engine.ask("琶洲南学校"))).reason != "fragment"


@pytest.mark.parametrize("question", ["入学需要户口吗", "报名要现场去吗？", "幼儿园插班可以吗"])
def test_a_step_of_a_procedure_asked_without_a_figure_is_a_procedure(
    engine: Engine, question: str
) -> None:
    assert engine.ask(question).reason == "procedure"


@pytest.mark.parametrize(
    "question", ["海珠有报名创建吗", "报名的人有多少", "去年新增登记企业几多家"]
)
def test_the_districts_doing_or_a_figure_is_no_procedure(engine: Engine, question: str) -> None:
    assert engine.ask(question).reason != "procedure"


@pytest.mark.parametrize(
    "question", ["喺海珠開公司，註冊要幾多錢？", "how much is the application fee"]
)
def test_what_a_procedure_costs_is_a_procedure(engine: Engine, question: str) -> None:
    assert engine.ask(question).reason == "procedure"


def test_what_the_district_spent_is_no_procedure(engine: Engine) -> None:
    assert engine.ask("去年教育投入了多少钱").reason != "procedure"


def test_a_fragment_asking_what_the_topic_does_not_give_says_so(engine: Engine) -> None:
    school = engine.ask("琶洲南学校是怎么回事")
    assert school.decision == "answer"
    cost = engine.ask("投资几多", Context.after(school))
    assert (cost.decision, cost.reason) == ("fallback", "detail")
    # the school's answer is offered, not repeated
    assert tuple(r.intent for r in cost.related) == school.intents
    projects = engine.ask("重点项目有多少个")
    assert engine.ask("投资几多", Context.after(projects)).decision == "answer"


@pytest.mark.parametrize(
    "question",
    ["how do i sign my kid up for kindergarten", "how can I fill the childcare form in"],
)
def test_an_english_phrasal_verb_split_by_its_object_is_a_procedure(
    engine: Engine, question: str
) -> None:
    assert engine.ask(question).reason == "procedure"


def test_a_four_letter_slip_of_a_procedure_word_is_still_one(engine: Engine) -> None:
    assert engine.ask("how do i aply for affordable housing").reason == "procedure"


@pytest.mark.parametrize("question", ["那家研究院落户在哪个园区", "出台了什么文件整治电动车"])
def test_settling_in_and_a_policy_document_are_no_procedures(engine: Engine, question: str) -> None:
    """落户 is where a firm settled and 文件 a policy in the report's language: no procedure
    unless asked as one (落户手续, 要什么文件)."""
    assert engine.ask(question).reason != "procedure"
    assert engine.ask("办落户手续要去哪里").reason == "procedure"


def test_what_a_thing_costs_its_user_asked_after_an_answer_is_a_detail(engine: Engine) -> None:
    """ "How much does a meal cost?" after the canteens asks a price the report never gives;
    "how much did it cost" of a project is its investment, which some answers give."""
    canteens = engine.ask("How many elderly canteens are there in Haizhu?")
    meal = engine.ask("how much does a meal cost?", Context.after(canteens))
    assert (meal.decision, meal.reason) == ("fallback", "detail")
    school = engine.ask("琶洲南学校")
    assert engine.ask("几时开学", Context.after(school)).reason == "detail"


@pytest.mark.parametrize(
    ("first", "names"),
    [
        ("2024年新开办了几所公办小学", "叫什么名字"),
        ("海珠区属教育集团有几个", "都叫什么名字 列一下"),
        ("how many community health centres meet the recommended standard?", "which 15?"),
        ("去年整治咗幾多個塞車點", "邊十個"),  # which ten, in Cantonese: every one of them
    ],
)
def test_names_asked_after_a_count_whose_things_the_answer_does_not_name_are_a_detail(
    engine: Engine, first: str, names: str
) -> None:
    """The answer counts schools, groups or centres and names none of them (a list of other
    things, 公办初中、薄弱学校, is no list of the 11 groups): their names are a detail not given."""
    answer = engine.ask(names, Context.after(engine.ask(first)))
    assert (answer.decision, answer.reason, answer.followed) == ("fallback", "detail", True)


def test_names_asked_after_a_count_whose_things_the_answer_names_are_answered(
    engine: Engine,
) -> None:
    """10个 projects started, three of them named: which ones gets those names."""
    first = engine.ask("2024年动工了多少个重点项目")
    answer = engine.ask("具体是哪几个", Context.after(first))
    assert answer.decision == "answer" and "趣丸科技" in answer.text, answer


def test_when_asked_after_an_answer_that_gives_no_day_is_a_detail(engine: Engine) -> None:
    """7 projects topped out in 2024, no day given: "when exactly?" asks what the answer does
    not give; a follow-up that names a topic of its own is read on its own."""
    topped = engine.ask("2024年海珠有几个项目封顶")
    answer = engine.ask("when exactly?", Context.after(topped))
    assert (answer.decision, answer.reason, answer.followed) == ("fallback", "detail", True)


def test_a_part_asked_with_among_needs_its_own_figure(engine: Engine) -> None:
    """The assistance answer names 低保金 in a list under one total; 其中企业 has a figure."""
    aid = engine.ask("2024年发放了多少社会救助资金")
    answer = engine.ask("其中低保金是多少", Context.after(aid))
    assert (answer.decision, answer.reason) == ("fallback", "detail"), answer
    firms = engine.ask("全区商事主体有多少户，其中企业又有多少户")
    assert firms.decision == "answer" and "11.79" in firms.text, firms


@pytest.mark.parametrize(
    ("first", "then", "shown"),
    [
        ("海珠有多少个社区卫生服务中心", "达到推荐标准的占几成", "83.3"),
        ("海珠低空经济发展得怎么样", "黄沙到太古仓嗰条系咩航线", "海鲜"),
    ],
)
def test_a_question_nothing_answers_alone_that_speaks_of_the_last_answer_follows_it(
    engine: Engine, first: str, then: str, shown: str
) -> None:
    """Longer than a fragment and unmarked, but in the last answer's own words: read with it.
    Alone nothing answers it with the last answer's figures (黄沙到太古仓… matches the Taigucang
    renovation a little, by 太古仓, which the low-altitude answer also names)."""
    last = engine.ask(first)
    alone = engine.ask(then)
    assert alone.decision == "fallback" or shown not in alone.text, alone
    answer = engine.ask(then, Context.after(last))
    assert answer.decision == "answer" and answer.followed and shown in answer.text, answer


def test_a_detail_of_the_questions_own_topic_offers_that_topic(engine: Engine) -> None:
    """How many fires, after the games answer: the fire-safety answer is offered, not the
    games one the question followed."""
    games = engine.ask("游戏产业营收增长了多少")
    answer = engine.ask("how many fires were there last year?", Context.after(games))
    assert (answer.decision, answer.reason) == ("fallback", "detail"), answer
    assert [r.intent for r in answer.related] == ["life_fire_safety"], answer.related


def test_where_asked_alone_after_an_answer_that_places_nothing_is_a_detail(
    engine: Engine,
) -> None:
    """The parks' answer counts parks and names no place: 喺邊 asks what it does not give. "where
    did that rank" asks a rank, which the GDP answer does give."""
    parks = engine.ask("去年新增了几个口袋公园")
    answer = engine.ask("喺邊", Context.after(parks))
    assert (answer.decision, answer.reason, answer.followed) == ("fallback", "detail", True)
    gdp = engine.ask("海珠去年GDP多少")
    rank = engine.ask("where did that rank in the city?", Context.after(gdp))
    assert rank.decision == "answer" and rank.followed, rank


def test_a_short_question_in_the_last_answers_own_words_follows_it(engine: Engine) -> None:
    """多少家企业参与了 alone is about businesses; after the trade-in answer, which says 341家企业
    参与, it asks that. A question whose words only the other answer has is read alone."""
    trade_in = engine.ask("以旧换新拉动了多少消费")
    answer = engine.ask("多少家企业参与了", Context.after(trade_in))
    assert answer.followed and answer.intents == trade_in.intents and "341" in answer.text
    alone = engine.ask("多少家企业参与了")
    assert alone.decision == "answer" and alone.intents != trade_in.intents
    childcare = engine.ask("托位有多少", Context.after(trade_in))
    assert not childcare.followed and "10921" in childcare.text


def test_a_marked_fragment_that_names_a_topic_of_its_own_moves_to_it(engine: Engine) -> None:
    """咁托位呢 after the elderly canteens: 托位 is childcare's own word, which the canteens'
    topic never uses, so the fragment asks childcare places; 咁2025年呢 stays on the canteens
    (which have no 2025 figure: it is told so, the canteens offered)."""
    canteens = engine.ask("长者饭堂有几多间")
    moved = engine.ask("咁托位呢", Context.after(canteens))
    assert moved.decision == "answer" and "10921" in moved.text and not moved.followed, moved
    kept = engine.ask("咁2025年呢", Context.after(canteens))
    assert kept.followed and kept.reason == "no_period", kept
    assert [r.intent for r in kept.related] == list(canteens.intents), kept


def test_a_bare_fragment_after_a_question_that_names_no_topic_joins_the_topics_name(
    engine: Engine,
) -> None:
    """達到國家推薦標準嘅有幾間 is answered on the centres' words without naming them; 佔幾成
    joined to it says nothing, joined to the topic's name it asks the share (83.3%)."""
    first = engine.ask("海珠區社區衛生服務中心有幾多間")
    second = engine.ask("達到國家推薦標準嘅有幾間", Context.after(first))
    share = engine.ask("佔幾成", Context.after(second, Context.after(first)))
    assert share.followed and share.intents == first.intents and "83.3" in share.text, share


def test_a_year_only_another_topic_has_does_not_move_a_follow_up_to_it(engine: Engine) -> None:
    """那前年是多少 after GDP asks GDP for 2023, which the report does not give; R&D is the only
    topic with 2023 figures, far from GDP: the reply stays on GDP (offered) and says 2023 is
    missing, with no figures."""
    gdp = engine.ask("海珠去年GDP多少")
    answer = engine.ask("那前年是多少", Context.after(gdp))
    assert answer.reason == "no_period" and "2023" in answer.text, answer
    assert [r.intent for r in answer.related] == list(gdp.intents)


def test_two_asking_clauses_that_name_no_topic_answer_nothing_alone(engine: Engine) -> None:
    """叫什么名 在哪 asks two things and names no topic: alone it answers no two topics; after
    the parks' answer it asks names and places the answer does not give."""
    assert engine.ask("叫什么名 在哪").decision != "answer"
    parks = engine.ask("去年新增了几个口袋公园")
    answer = engine.ask("叫什么名 在哪", Context.after(parks))
    assert (answer.decision, answer.reason) == ("fallback", "detail"), answer
    both = engine.ask("托位数和普惠占比分别是多少")
    assert both.decision == "answer" and "10921" in both.text and "36.6" in both.text


def test_a_complete_question_sharing_only_common_words_with_the_last_answer_stands(
    engine: Engine,
) -> None:
    """小洲村计划推动什么 shares 计划推动 with the key projects' answer, words many answers
    use: it is read on its own."""
    projects = engine.ask("重点项目投资多少")
    answer = engine.ask("小洲村计划推动什么", Context.after(projects))
    assert not answer.followed and answer.intents != projects.intents, answer


def test_a_follow_up_naming_another_side_of_the_topic_moves_to_it(engine: Engine) -> None:
    """封顶几多个 after the projects started: its own word (封顶) names the topped-out projects,
    though the question it is joined to names the started ones."""
    first = engine.ask("今年計劃動工幾多個重點項目")
    then = engine.ask("封頂幾多個", Context.after(first))
    assert then.decision == "answer" and then.intents != first.intents
    assert "封頂" in then.text.split("\n")[0]
    again = engine.ask("竣工呢", Context.after(then, Context.after(first)))
    assert again.decision == "answer" and "竣工" in again.text.split("\n")[0]


def test_a_year_only_another_figure_of_the_answer_has_is_not_given(engine: Engine) -> None:
    """The R&D answer gives 2023's R&D figures and 2024's patents: 2024's R&D spending is a
    year the report lacks for what is asked (said first alone, refused in a conversation)."""
    alone = engine.ask("2024年全社会研发经费投入是多少")
    assert alone.decision == "answer" and "2024" in alone.text.split("\n")[0]
    assert "没有" in alone.text.split("\n")[0]
    first = engine.ask("研发投入强度是多少")
    then = engine.ask("2024年的研发经费总量呢", Context.after(first))
    assert (then.decision, then.reason) == ("fallback", "no_period")
    patents = engine.ask("2024年每万人发明专利多少件")
    assert patents.decision == "answer" and "没有2024" not in patents.text


def test_a_detail_of_the_last_answer_beats_a_weak_match_by_a_common_word(engine: Engine) -> None:
    """喺边间学校 after the Hong Kong and Macao classes: alone it matches the new schools by
    学校, short of an example and by no keyword of theirs; read with the classes it asks where
    they are, which the report does not say."""
    first = engine.ask("海珠開咗幾多個港澳子弟班")
    then = engine.ask("喺邊間學校", Context.after(first))
    assert (then.decision, then.reason) == ("fallback", "detail") and then.followed
    # a question that matches an example of another topic well still moves to it
    context = None
    for question in ("有个地块从拿地到开工只用了22小时 是哪块地", "是哪家公司拿的", "地块多大面积"):
        context = Context.after(engine.ask(question, context), context)
    land = engine.ask("去年一共出让了几宗地", context)
    assert land.decision == "answer"


def test_a_plan_asked_after_figures_without_one_gets_the_topics_plan(engine: Engine) -> None:
    """今年有什么计划 after the childcare places (2024 only): the childcare plan for 2025, not
    "no 2025 figures"; 今年税收目标多少 after the tax names the tax, which has no 2025 target."""
    context = None
    for question in ("托位有多少个", "每千人多少"):
        context = Context.after(engine.ask(question, context), context)
    plan = engine.ask("今年有什么计划", context)
    assert plan.decision == "answer" and plan.intents != context.intents
    assert "2025" in plan.text.split("\n")[0]
    tax = engine.ask("今年税收目标多少", Context.after(engine.ask("海珠区全口径税收多少")))
    assert (tax.decision, tax.reason) == ("fallback", "no_period")


@pytest.mark.parametrize("reply", ["cool thanks", "awesome thanks", "好的好的谢谢"])
def test_two_replies_matched_below_the_bar_are_still_a_reply(engine: Engine, reply: str) -> None:
    """Each word an example of a reply (cool, thanks): no figures, alone or after an answer."""
    first = engine.ask("研发经费多少")
    for context in (None, Context.after(first)):
        answer = engine.ask(reply, context)
        assert answer.decision == "answer" and not answer.topical, answer


@pytest.mark.parametrize(
    "question", ["去濕地點樣去", "What's the bus line to Haizhu wetland?", "广州塔怎么去"]
)
def test_how_to_get_somewhere_is_a_procedure(engine: Engine, question: str) -> None:
    """Directions are not in the report: no rail or wetland figures."""
    answer = engine.ask(question)
    assert (answer.decision, answer.reason) == ("fallback", "procedure")


@pytest.mark.parametrize("question", ["重点行业增加值增长多少", "海珠景点去年接待了多少游客"])
def test_words_that_only_contain_a_way_there_are_no_procedure(
    engine: Engine, question: str
) -> None:
    assert engine.ask(question).reason != "procedure"


def test_how_many_of_what_the_last_answer_counts_follows_it_in_english(engine: Engine) -> None:
    """how many plots? after the Lijiao answer ("started 13 plots"): its plots, not the
    district's land sales, which an English example asks in the same words."""
    first = engine.ask("Tell me about Lijiao redevelopment")
    then = engine.ask("how many plots?", Context.after(first))
    assert then.decision == "answer" and then.intents == first.intents
    assert engine.ask("how many plots?").intents != first.intents
