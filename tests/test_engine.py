"""Engine behaviour a citizen relies on: right script and language, honest refusals, true years."""

from __future__ import annotations

import re
from datetime import date

import pytest
from pinned import TODAY

from bot.engine import Answer, Context, Engine, fixed, messages
from bot.engine.detail import names_a_day, without_said_not_given
from bot.engine.normalize import fold, to_simplified
from bot.evaluate import says_missing


def test_every_intent_answer_ends_with_its_source(engine: Engine) -> None:
    for intent_id in engine.intent_ids():
        for lang in ("zh", "en"):
            answer = engine.answer_intent(intent_id, lang=lang)
            assert answer is not None and answer.text.strip()
            if answer.sources:
                marker = "来源：《" if lang == "zh" else "Source: "
                assert marker in answer.text, (intent_id, lang)


@pytest.mark.parametrize(
    ("today", "zh_status", "en_status"),
    [
        (
            date(2025, 6, 1),
            "年计划目标（截至报告发布尚未完成）",
            "plan (a target, not yet met as of the report)",
        ),
        (
            date(2026, 12, 2),
            "年计划目标（2025年3月定下，报告无法说明是否完成）",
            "the report cannot say whether it was met",
        ),
    ],
)
def test_plan_answers_are_marked_as_plans_as_the_day_allows(
    engine: Engine, today: date, zh_status: str, en_status: str
) -> None:
    dated = Engine(engine.content, clock=fixed(today))
    plans = [
        i
        for i in engine.content.intents
        if any(f.status == "plan" for r in i.answers.values() for f in r.facts)
    ]
    assert plans
    for li in plans:
        zh = dated.answer_intent(li.intent.id)
        en = dated.answer_intent(li.intent.id, lang="en")
        assert zh is not None and zh_status in zh.text
        assert en is not None and en_status in en.text
        if today.year > 2025:  # the plan year is over: never "not yet" without "as of the report"
            assert "尚未" not in zh.text and "not yet" not in en.text


def test_traditional_question_gets_traditional_answer(engine: Engine) -> None:
    answer = engine.ask("海珠區有幾多個托位")
    assert answer.script == "traditional" and answer.decision == "answer"
    assert "來源" in answer.text and "来源" not in answer.text


def test_english_question_gets_english_answer(engine: Engine) -> None:
    answer = engine.ask("How many childcare places are there?")
    assert answer.lang == "en" and answer.decision == "answer"
    assert not re.search(r"[\u4e00-\u9fff]{6,}", answer.text.split("Source:")[0])


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("天河区托位有多少", "other_place"),
        ("深圳新增了多少学位", "other_place"),
        ("How many school places did Shenzhen add?", "other_place"),
        ("我家孩子能不能上琶洲南学校", "personal"),
        ("我的拆迁补偿什么时候到", "personal"),
        ("今天天气怎么样", "low_score"),
        ("", "empty"),
        ("？？？", "empty"),
        ("学" * 600, "too_long"),
        ("隔壁区的托位有多少", "other_place"),
        ("our son's school place, when will we hear", "personal"),
        ("my aunt has a flat in Lijiao, when will she get the new one", "personal"),
        ("想去游戏公司实习，有推荐吗", "request"),
        ("你觉得海珠明年经济会更好吗", "low_score"),  # an opinion: off-topic
        ("明天海珠空气好不好", "low_score"),  # a day's conditions: the report measures years
        ("is the traffic bad in Haizhu right now", "low_score"),
        ("Do you think Pazhou's economy will be better next year?", "low_score"),
    ],
)
def test_refusals(engine: Engine, question: str, reason: str) -> None:
    answer = engine.ask(question)
    assert answer.decision == "fallback" and answer.reason == reason
    assert answer.intent is None
    assert "12345" in answer.text


def test_fallback_points_to_hotline_and_website(engine: Engine) -> None:
    answer = engine.ask("帮我写一首关于春天的诗")
    assert answer.decision == "fallback"
    assert "12345" in answer.text and "haizhu.gov.cn" in answer.text


def test_clarify_offers_at_most_three_candidates(engine: Engine) -> None:
    seen = 0
    # vague questions that name no topic: the bot should ask, not guess
    for q in ["计划", "有多少个", "情况怎么样", "托育", "项目", "学校"]:
        answer = engine.ask(q)
        assert len(answer.candidates) <= 3
        if answer.decision == "clarify":
            seen += 1
            assert len(answer.candidates) >= 2
            assert all(c.title in answer.text for c in answer.candidates)
    assert seen >= 1


def test_figures_in_answers_are_the_reports(engine: Engine) -> None:
    source = (engine.content.source_text).replace(",", "")
    for intent_id in engine.intent_ids():
        text = engine.answer_intent(intent_id)
        assert text is not None
        body = text.text.split("【")[0]
        for number in re.findall(r"\d+(?:\.\d+)?", body):
            assert number in source or number in {"12345"}, (intent_id, number)


def test_unknown_intent_and_hostile_input(engine: Engine) -> None:
    assert engine.answer_intent("no_such_intent") is None
    for text in ["<script>alert(1)</script>", "{{ 7*7 }}", "\x00\x01", "😀😀😀", "a" * 499]:
        answer = engine.ask(text)
        assert answer.decision in {"answer", "clarify", "fallback"}
        assert "49" not in answer.text


def test_describe_changes_reports_added_intents(engine: Engine, content_copy) -> None:  # type: ignore[no-untyped-def]
    intents, data = content_copy
    (intents / "zz_new.yaml").write_text(
        "intents:\n  - id: zz_new\n    topic: test\n    title: {zh: 新的, en: New}\n"
        "    examples: {zh: [新的问题]}\n    answer: {zh: 你好, en: Hello}\n",
        "utf-8",
    )
    new = Engine.load(intents, data, clock=fixed(TODAY))
    lines = Engine.describe_changes(engine, new)
    assert any("intents added (1): zz_new" in line for line in lines)
    assert any("examples: +1" in line for line in lines)
    assert new.fingerprint != engine.fingerprint


def test_simplified_answer_for_simplified_question(engine: Engine) -> None:
    answer = engine.ask("海珠区有多少个托位")
    assert answer.decision == "answer"
    assert to_simplified(answer.text) == answer.text


def test_engine_imports_nothing_from_telegram() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import bot.engine.engine, bot.cli, bot.evaluate, bot.content.coverage; "
        "print([m for m in sys.modules if m == 'telegram' or m.startswith('telegram.')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("What is happening at 康鹭?", "urban_kanglu"),
        ("When will 琶洲南学校 open?", "pazhou_south_school"),
    ],
)
def test_english_question_quoting_chinese_names(engine: Engine, question: str, intent: str) -> None:
    answer = engine.ask(question)
    assert answer.lang == "en" and answer.decision == "answer" and answer.intent == intent
    assert "Source: " in answer.text  # the English footer: the reply is in English


@pytest.mark.parametrize(
    "question",
    [
        "我屋企BB刚满一岁，想问问区里今年社区托育点覆盖率目标系几多",
        "My son is two. How many childcare places does Haizhu have?",
        "我家孩子读初中，海珠今年初中要扩几个班？",
        # the district is named two clauses after the one that asks
        "托位一共有几多？我老婆啱啱生咗二胎，谂住以后送去海珠嘅托育点",
    ],
)
def test_family_context_leaves_a_district_question_general(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert answer.reason != "personal", answer


@pytest.mark.parametrize(
    "question",
    [
        "我个女系香港出世 可唔可以入港澳子弟班",
        "我家孩子能不能分到公办幼儿园的学位",
        "我女儿今年三岁，海珠的公办幼儿园她能上吗？",
        "My daughter is 3, can she get a childcare place in Haizhu?",
        "我的房子在康鹭，拆迁能赔多少钱",  # a figure, but of no district or period
        # a period named only where the asker describes their own situation
        "我家今年要拆迁，在沥滘那边，安置房面积分多少",
        "我爸今年八十岁，住在南洲，长者饭堂一餐多少钱",
        "My house is in Kanglu. It is being demolished this year. How much compensation?",
    ],
)
def test_the_askers_own_case_stays_personal(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert answer.decision == "fallback" and answer.reason == "personal", answer


def test_a_rambling_question_is_matched_on_the_clause_that_asks(engine: Engine) -> None:
    direct = engine.ask("今年初中扩几个班")
    rambling = engine.ask("孩子读六年级，天天担心派位，老师讲明年学位紧，今年初中扩几个班")
    assert direct.decision == "answer"
    assert rambling.decision == "answer" and rambling.intent == direct.intent


def test_two_things_asked_for_get_both_answers(engine: Engine) -> None:
    answer = engine.ask("每千人托位和普惠托位占比分别是多少")
    assert answer.decision == "answer", answer
    shown = {c.intent for c in answer.candidates[:2]}
    assert len(shown) == 2
    for intent in shown:
        own = engine.answer_intent(intent, script=answer.script)
        assert own is not None and own.text in answer.text


@pytest.mark.parametrize("question", ["我可以问什么", "What can I ask?"])
def test_a_question_about_the_bot_is_no_personal_case(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert answer.decision == "answer" and answer.intent == "help", answer


@pytest.mark.parametrize("question", ["全国安么", "D增目香港多少", "全国儿有", "天河区托位有多少"])
def test_a_question_naming_another_place_is_refused_for_it(engine: Engine, question: str) -> None:
    # whether it matches an intent well (天河区托位) or nothing at all (全国儿有)
    answer = engine.ask(question)
    assert answer.decision == "fallback" and answer.reason == "other_place", answer


def test_common_answers_are_composed_at_load(engine: Engine) -> None:
    from bot.engine.render import PRECOMPOSED

    for i in range(engine.intent_count):
        for lang, script in PRECOMPOSED:
            assert engine.composer.is_composed(i, lang, script, TODAY)
    answer = engine.answer_intent("school_places", lang="zh", script="traditional")
    assert answer is not None and "學位" in answer.text


@pytest.mark.parametrize("question", ["\ud800托位多少", "托育\udfff", "\ud83d\ude00学位"])
def test_a_lone_surrogate_gets_an_answer_not_an_error(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    answer.question.encode("utf-8")  # loggable
    assert answer.decision in {"answer", "clarify", "fallback"}


def test_merged_rankings_break_ties_by_the_lower_intent() -> None:
    from bot.engine.decide import best_of

    assert best_of([(5, 50.0), (7, 40.0)], [(2, 50.0)]) == [(2, 50.0), (5, 50.0), (7, 40.0)]


def test_a_quoted_figure_alone_is_answered_by_the_intents_showing_it(engine: Engine) -> None:
    ids_of = engine.intent_ids()
    owners = {
        fig: {ids_of[i] for i in engine.matchers["zh"].showing([fig])}
        for fig in engine.matchers["zh"]._figure_owners
    }
    checked = {"answer": 0, "clarify": 0}
    for fig, ids in owners.items():
        if fig[0].isdigit() and len(fig) >= 3:
            answer = engine.ask(f"{fig}是什么意思")
            assert answer.decision in checked, fig
            if len(ids) == 1:
                assert answer.decision == "answer" and answer.intent in ids, fig
            elif answer.decision == "answer":
                assert answer.intent in ids, fig
            else:
                assert {c.intent for c in answer.candidates} <= ids, fig
            checked[answer.decision] += 1
    assert checked["answer"] > 10 and checked["clarify"] > 5


def test_two_equal_exact_matches_are_both_answered_a_close_pair_is_asked_about() -> None:
    from bot.engine.decide import Decision, Weights, both_exact

    w = Weights()
    assert both_exact(Decision("clarify", None, ((3, 96.0), (5, 96.0))), w)
    assert not both_exact(Decision("clarify", None, ((3, 96.0), (5, w.both - 1))), w)
    assert not both_exact(Decision("clarify", None, ((3, 59.0), (5, 59.0))), w)


@pytest.mark.parametrize("question", ["9" * 400, "托位" + "9" * 320 + "个", "1e999亿"])
def test_numbers_too_long_for_a_float_get_an_answer_not_an_error(
    engine: Engine, question: str
) -> None:
    assert engine.ask(question).decision in {"answer", "clarify", "fallback"}


GENERAL_IDS = {"greeting", "help", "thanks", "about_source"}  # intents/general.yaml


@pytest.mark.parametrize("question", ["海珠区的书记是谁", "比前年多吗", "海珠湖是哪一年建成的"])
def test_an_intent_about_the_bot_needs_a_confident_match(engine: Engine, question: str) -> None:
    """Sharing 是谁 with 你是谁, or 哪一年 with 数据是哪一年的, does not make a question about the
    bot: no greeting, thanks or source answer below the answer threshold."""
    answer = engine.ask(question)
    assert not set(answer.intents) & GENERAL_IDS


@pytest.mark.parametrize("question", ["你是谁", "数据来源", "这份报告是哪一年的", "多谢晒"])
def test_questions_about_the_bot_are_still_answered(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert answer.decision == "answer" and answer.intents[0] in GENERAL_IDS


def test_the_source_answer_gives_the_reports_dates_as_people_write_them(engine: Engine) -> None:
    source = engine.content.source
    zh = engine.ask("数据来源").text
    en = engine.ask("where does your data come from").text
    assert f"{source.published.year}年{source.published.month}月{source.published.day}日" in zh
    assert source.published.isoformat() not in zh and source.delivered.isoformat() not in zh
    assert source.published.strftime("%B %Y") in en and source.published.isoformat() not in en


@pytest.mark.parametrize(
    "question",
    [
        "琶洲南学校有多高",
        "唯品会国际创新中心的开发商是谁",
        "趣丸科技营收多少",
        "How tall is the Qi An Xin tower?",
        "琶洲南学校具体哪一天开学",
        "What exact date does the Pazhou South School open?",
    ],
)
def test_a_detail_no_answer_shows_is_refused_and_the_things_figures_offered(
    engine: Engine, question: str
) -> None:
    answer = engine.ask(question)
    assert (answer.decision, answer.reason) == ("fallback", "detail")
    assert len(answer.related) == 1 and not any(
        ch.isdigit() for ch in answer.text.split("12345")[0]
    )


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("3月5日召开", True),
        ("12 月 31 号", True),
        ("on 5 march", True),
        ("march 5, 2025", True),
        ("2025年3月", False),
        ("march 2025", False),
        ("第3期", False),
    ],
)
def test_a_calendar_day_is_told_from_a_year_or_month(text: str, day: bool) -> None:
    assert names_a_day(text) is day


def test_a_detail_the_answer_shows_is_answered(engine: Engine) -> None:
    """The city greenery answer gives square metres: an area asked is answered."""
    answer = engine.ask("今年新建城市绿地面积多少")
    assert answer.decision == "answer" and "平方米" in answer.text


def test_a_place_that_begins_a_name_the_answer_shows_is_no_other_place(engine: Engine) -> None:
    """广州市文化馆 is in Haizhu (the tourism answer gives its 4A plan); 广州市 asked alone is the
    city, and a partner town the report names (从化区温泉镇) has no answer of its own."""
    named = engine.ask("广州市文化馆今年要创建几A景区")
    assert named.decision == "answer" and "4A" in named.text
    city = engine.ask("广州市今年要创建几个4A景区")
    assert (city.decision, city.reason) == ("fallback", "other_place")
    town = engine.ask("从化区温泉镇的地区生产总值是多少")
    assert (town.decision, town.reason) == ("fallback", "other_place")


def test_a_year_past_the_report_gets_its_latest_figures(engine: Engine) -> None:
    """Two years on, the report's latest GDP figure is its plan's target, not the result before."""
    later = fixed(date(2025, 6, 1))
    answer = Engine(engine.content, clock=later).ask("后年地区生产总值增长多少")
    assert answer.decision == "answer"
    assert answer.text.index("2025") < answer.text.index("5.5")
    assert "2027" in answer.text.split("\n")[0]  # the note: no figures for that year


def test_an_english_question_with_a_term_is_not_drowned_by_words_no_example_has(
    engine: Engine,
) -> None:
    """托位 (daycare slots) and three words no example has: the term decides; a question with
    no term of the lexicon keeps its unknown words, which tell it is about something else."""
    answer = engine.ask(
        "Roughly how many daycare slots can families find across the district nowadays?"
    )
    assert answer.decision == "answer" and "10921" in answer.text
    matcher = engine.pipeline.matchers["en"]
    assert matcher.known_words("托位 zzyzx overall") == "托位"
    assert matcher.known_words("zzyzx qwerty") == "zzyzx qwerty"  # nothing known: kept whole


@pytest.mark.parametrize(
    "question",
    [
        "What was Futian District's GDP in 2024?",
        "how many childcare places in Nanshan district",
        "What is the GDP of Guangzhou city?",
        "周庄镇今年新增多少托位",
        "岗背村有几个长者饭堂",
        "想问下桐乡县去年GDP多少",
        "水头街道有几个口袋公园",
    ],
)
def test_an_area_no_lexicon_lists_is_another_place(engine: Engine, question: str) -> None:
    """A name nothing here uses (no answer, example, keyword or English word) before "district",
    "city" … or before 镇, 村, 县, 街道 names another area; Guangzhou city is a wider area."""
    answer = engine.ask(question)
    assert (answer.decision, answer.reason) == ("fallback", "other_place"), answer
    assert not re.search(r"\d", answer.text.split("\n")[0]), answer.text


@pytest.mark.parametrize(
    "question",
    ["广州的GDP是多少", "廣州嘅托位有幾多", "广东去年GDP增长多少", "羊城有多少个长者饭堂"],
)
def test_the_city_or_province_by_its_name_alone_is_a_wider_area(
    engine: Engine, question: str
) -> None:
    """广州, 广东 … before words that begin no name ask for the wider area's figure, which
    Haizhu's is not; the refusal names the area without the word after it."""
    answer = engine.ask(question)
    assert (answer.decision, answer.reason) == ("fallback", "other_place"), answer
    first = answer.text.split("\n")[0]
    assert not re.search(r"\d", first) and re.search(r"(广州|廣州|广东|廣東|羊城)的", first), first


@pytest.mark.parametrize(
    "question", ["天和区托位有多少", "番愚区新增学位多少", "广洲市税收总额多少"]
)
def test_a_district_named_with_a_slip_that_sounds_like_it_is_another_place(
    engine: Engine, question: str
) -> None:
    answer = engine.ask(question)
    assert (answer.decision, answer.reason) == ("fallback", "other_place"), answer


@pytest.mark.parametrize(
    "question", ["添河那边有几多长者饭堂", "粤秀今年新增多少托位", "白运2024年固投多少"]
)
def test_a_slip_without_its_kind_is_another_place_before_a_word_of_where_or_year(
    engine: Engine, question: str
) -> None:
    answer = engine.ask(question)
    assert (answer.decision, answer.reason) == ("fallback", "other_place"), answer
    assert not re.search(r"\d", answer.text.split("\n")[0])


@pytest.mark.parametrize(
    "question",
    [
        "官洲那边托位有多少",  # a street of Haizhu's
        "官州那边托位有多少",  # ... with a slip: guan zhou, not guang zhou
        "托位增程去年多少",  # 增程 sounds like 增城, but starts no clause
        "中三今年有几多学位",  # zhong san: not zhong shan
        "真诚去年多少",  # zhen cheng: not zeng cheng
    ],
)
def test_what_only_sounds_like_a_district_is_no_slip(engine: Engine, question: str) -> None:
    """A name with no 区 after it is told by its exact syllables (folded ones are too loose)."""
    assert engine.ask(question).reason != "other_place"


@pytest.mark.parametrize("question", ["东广洲市有几多托位", "从华都区有几多托位"])
def test_a_slip_before_its_kind_is_read_whatever_sounds_like_a_name_before_it(
    engine: Engine, question: str
) -> None:
    """(东广 and 从华 sound like 东莞 and 从化 too: the two characters before 区 or 市 decide.)"""
    assert engine.ask(question).reason == "other_place"


@pytest.mark.parametrize("question", ["琶洲试验区四上企业营收多少", "海珠区有多少托位"])
def test_a_name_the_answers_write_is_no_slip_of_a_place(engine: Engine, question: str) -> None:
    """试验区 sounds like 十堰 (a city the lexicon lists), but the answers write it."""
    assert engine.ask(question).decision == "answer"


def test_where_the_asker_moved_from_is_their_story(engine: Engine) -> None:
    answer = engine.ask("刚从深圳搬到广州海珠区，海珠筹集了多少套保障性租赁住房")
    assert answer.decision == "answer" and "9017" in answer.text, answer
    assert engine.ask("深圳筹集了多少套保障性租赁住房").reason == "other_place"


@pytest.mark.parametrize(
    "question",
    [
        "广州塔要评5A吗",
        "世界500强和中国500强的项目有几个",
        "广州海珠区有多少托位",
        "广州市海珠区去年GDP",
    ],
)
def test_a_name_that_begins_with_the_citys_is_no_wider_area(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert answer.decision == "answer", answer


@pytest.mark.parametrize(
    "question",
    [
        "沥滘村复建房交了多少套",
        "沥教村复建房交了多少套",  # a slip that sounds like the village the answer names
        "小洲村有几个长者饭堂",  # a Haizhu village the lexicon lists as inside
        "城中村改造今年有几个项目",
        "我们村的复建房交了几多套",
        "村里的长者饭堂有几个",
        "要去街道办理吗",
    ],
)
def test_haizhus_villages_and_villages_at_large_are_no_other_place(
    engine: Engine, question: str
) -> None:
    assert engine.ask(question).reason != "other_place"


@pytest.mark.parametrize(
    "question",
    [
        "How many childcare places does Haizhu District have?",
        "Pazhou district key projects",
        # a wider area's name or something sounding like a place, in questions about Haizhu
        "海珠作为中心城区托位有多少",  # 心城 sounds like nothing, but 城区 is a town at large
        "新城市更新项目有哪些",
        "沿江区域有什么项目",
        "河南区有什么新学校",  # 河南 (Haizhu's old name) sounds like 荷兰, which is no slip
        "我住番禺区，但在海珠上班，海珠新增就业多少人",  # where the asker lives: a story
        "我老家是梅州市的，海珠今年新增学位多少",
        "广州的琶洲会展去年办咗几多场",  # Guangzhou as where Haizhu's place is
        "大湾区有什么合作项目",  # the Bay Area is a topic of the report
        "附近的区域有什么新学校",
        "What's the new Pazhou school in Canton?",
    ],
)
def test_haizhus_own_areas_are_no_other_place(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert answer.reason != "other_place", answer


@pytest.mark.parametrize("question", ["海珠區家庭醫生簽約率係幾多？", "海珠区失业率是多少"])
def test_a_rate_no_answer_names_is_a_detail_not_given(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert (answer.decision, answer.reason) == ("fallback", "detail"), answer


@pytest.mark.parametrize("question", ["托育点复盖率目标多少", "今年社区托育点覆盖率目标是多少"])
def test_a_rate_the_answer_names_is_answered(engine: Engine, question: str) -> None:
    """Even with a slip before 率 (复盖率)."""
    answer = engine.ask(question)
    assert answer.decision == "answer", answer


def test_an_english_question_in_the_answers_own_words_is_answered(engine: Engine) -> None:
    """No example says "real estate development"; the English GDP answer does, and it alone."""
    answer = engine.ask("What was the growth of real estate development in Haizhu last year?")
    assert answer.decision == "answer" and "28.2" in answer.text, answer


def test_an_english_detail_word_counts_in_an_answer_only_as_a_whole_word(engine: Engine) -> None:
    """The housing answer says "rental", which is no rent: a rent asked is a detail not given."""
    rent = engine.ask("How much is the monthly rent for affordable rental housing in Haizhu?")
    assert (rent.decision, rent.reason) == ("fallback", "detail"), rent
    assert engine.ask("How many affordable rental homes did Haizhu provide in 2024?").decision == (
        "answer"
    )


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("图书馆礼拜六开唔开门", "procedure"),  # a weekday's opening hours
        ("海珠PM2.5有几多微克", "detail"),  # a concentration in its unit: the report gives a fall
        ("海珠湿地的鸟在哪里能看到", "detail"),  # where to see something: no sites given
        ("卖地的出让金有几多", "detail"),  # money: the land answer gives plots and areas, no 元
        ("双清楼参观收不收钱", "detail"),  # a fee, asked whether there is one
        ("托育点收费贵唔贵", "detail"),  # … in Cantonese, whose 唔 the detail words keep
        ("东晓路那块地是哪家公司拿的", "detail"),  # the buyer: the report names none
    ],
)
def test_what_the_report_does_not_state_of_its_own_subjects(
    engine: Engine, question: str, reason: str
) -> None:
    answer = engine.ask(question)
    assert (answer.decision, answer.reason) == ("fallback", reason), answer
    # ... while what it does state of them is answered
    assert engine.ask("PM2.5浓度降了多少").decision == "answer"


@pytest.mark.parametrize(
    "question",
    [
        "那11个教育集团都有哪些",
        "244个亿元以上项目名单",
        "which 102 canteens are open",
        "备案的7个大模型分别叫啥",  # 叫啥 asks names, like 哪些
        "那20个重点专科都是什么科",
        "56个项目的清单有没有",
        "首批入表的2家企业叫什么",  # two named asks both names: the answer names none
        "Who are the 16 'leading engineers'?",  # a count before a quoted name
    ],
)
def test_every_name_of_a_counted_group_is_more_than_an_answer_lists(
    engine: Engine, question: str
) -> None:
    """A question that quotes how many there are and asks which wants every name; the answer
    names a few at most, so it is a detail not given (the group's figures are offered)."""
    answer = engine.ask(question)
    assert (answer.decision, answer.reason) == ("fallback", "detail"), answer
    assert answer.related  # the group's answer, one tap away


@pytest.mark.parametrize("question", ["海珠有哪些教育集团", "2024年动工的重点项目有哪些"])
def test_which_ones_without_a_count_gets_the_names_the_answer_has(
    engine: Engine, question: str
) -> None:
    assert engine.ask(question).decision == "answer"


@pytest.mark.parametrize(
    "question", ["海珠湿地监测系统一共有几架无人机", "沥滘安置房一共有几多户人家"]
)
def test_a_count_in_a_unit_no_answer_counts_in_is_a_detail_not_given(
    engine: Engine, question: str
) -> None:
    """几架, 几多户: the thing asked is counted in a unit (aircraft, households) that the matched
    answer never puts after a figure, so its figures count something else."""
    answer = engine.ask(question)
    assert (answer.decision, answer.reason) == ("fallback", "detail"), answer


@pytest.mark.parametrize(
    "question", ["琶洲南学校什么时候开始招生", "When will Pazhou South School open?"]
)
def test_when_a_school_takes_pupils_is_a_detail_its_answer_says_is_not_given(
    engine: Engine, question: str
) -> None:
    """The school's answer says the report gives no opening date: a clause that says a thing is
    not given does not show it."""
    answer = engine.ask(question)
    assert (answer.decision, answer.reason) == ("fallback", "detail"), answer


@pytest.mark.parametrize(
    ("question", "decision"),
    [
        ("新滘西路那个保障性住房项目有几多套", "fallback"),  # its sentence counts no flats
        ("新市头村复建安置房建几多套", "fallback"),  # its sentence gives a date, not flats
        ("海珠筹集了多少套保障性租赁住房", "answer"),  # the district's 9017套
        ("沥滘首批交了多少套复建安置房", "answer"),  # the sentence naming 沥滘 has 1023套
    ],
)
def test_a_count_of_a_named_thing_is_read_in_the_sentence_that_names_it(
    engine: Engine, question: str, decision: str
) -> None:
    """An answer that counts flats in one sentence and names the thing asked about in another
    gives no count of that thing."""
    answer = engine.ask(question)
    assert answer.decision == decision, answer
    if decision == "fallback":
        assert answer.reason == "detail"


def decided(engine: Engine, question: str, decision: str) -> Answer:
    """The answer to a question, which must have been decided as `decision`."""
    answer = engine.ask(question)
    assert answer.decision == decision, answer.text
    return answer


def assert_detail_decision(engine: Engine, question: str, decision: str) -> None:
    """The question is answered, or refused as a detail the report lacks with its topic offered."""
    answer = engine.ask(question)
    assert answer.decision == decision, answer
    if decision == "fallback":
        assert answer.reason == "detail" and answer.related


@pytest.mark.parametrize(
    ("question", "decision"),
    [
        ("低空经济岛建在哪", "answer"),  # the answer names the place just before it: 南海心沙…
        ("隔山书院落户在哪里", "answer"),  # … or says where it settled: 落户十香园纪念馆
        ("新增的口袋公园在哪儿", "fallback"),  # the parks' answer names no place
        ("孙逸仙纪念医院新院区建在哪条路", "fallback"),  # a road is more than a place named
    ],
)
def test_where_a_thing_is_only_from_an_answer_that_places_it(
    engine: Engine, question: str, decision: str
) -> None:
    assert_detail_decision(engine, question, decision)


@pytest.mark.parametrize(
    ("question", "decision"),
    [
        # its clause says it topped out; 开业 in the same sentence is another mall's
        ("太古仓二期综合体什么时候开业", "fallback"),
        ("琶洲眼片区几时建成", "fallback"),  # its clauses say planned, roads under way
        ("穗莞深城际琶洲支线什么时候完工", "answer"),  # its clause: 基本完工
        ("京东MALL什么时候开业", "answer"),  # its clause: 正式开业
        # finished (基本完工) is not open to traffic; traffic (通车) is finished too
        ("穗莞深城际琶洲支线具体啥时候通车运营", "fallback"),
        ("地铁11号线什么时候建成", "answer"),
        # in English, by the answer's sentences that name it: the hospital's says "speed up
        # building", another's 建成 is of other centres
        ("when will the women and children's hospital open", "fallback"),
        ("when did Canton Tower Plaza open", "answer"),
    ],
)
def test_when_a_named_thing_is_done_is_read_in_the_clause_that_names_it(
    engine: Engine, question: str, decision: str
) -> None:
    assert_detail_decision(engine, question, decision)


@pytest.mark.parametrize(
    ("question", "decision"),
    [
        ("沥滘第二批复建安置房什么时候交楼", "fallback"),  # the answer's is the first (首批)
        ("第一届琶洲算法大赛有多少支队伍参加", "fallback"),  # the answer's is the third
        ("第137届广交会入场人数有几多", "fallback"),  # the answer's are the 135th and 136th
        ("沥滘首批复建安置房交了多少套", "answer"),
        ("第三届琶洲算法大赛有多少支队伍", "answer"),
        ("12号线什么时候通车", "fallback"),  # the answer's is line 11
        ("11号线什么时候通车", "answer"),
        ("When will Line 12 open?", "fallback"),  # in English too
        ("When will Line 11 open?", "answer"),
    ],
)
def test_a_member_of_a_series_the_answer_does_not_name_is_not_given(
    engine: Engine, question: str, decision: str
) -> None:
    assert_detail_decision(engine, question, decision)


@pytest.mark.parametrize(
    ("question", "decision"),
    [
        ("去年新开办的那所公办小学叫什么名字", "fallback"),  # 新开办1所公办小学: no name
        ("新開嗰間公辦小學叫咩名", "fallback"),
        ("海珠体育中心二期今年开放吗 叫什么", "answer"),  # a name in brackets beside it
        ("海珠的全民阅读品牌叫什么", "answer"),  # “红茶书屋”, a clause before
    ],
)
def test_a_name_asked_is_told_only_where_the_answer_names_the_thing(
    engine: Engine, question: str, decision: str
) -> None:
    assert_detail_decision(engine, question, decision)


@pytest.mark.parametrize(
    ("question", "decision"),
    [
        ("招商落地的项目能带来多少个就业岗位", "fallback"),  # jobs per project: never given
        # a change quoted, the amount asked: the report gives only the change
        ("游戏产业营收双位数增长，那具体营收多少亿", "fallback"),
        ("去年有多少天空气达标", "fallback"),  # days: the report gives a share of days
        ("How many days exactly did Haizhu meet the air quality standard last year?", "fallback"),
        ("空气质量达标天数比例多少", "answer"),
        ("低保每個月有幾多錢", "fallback"),  # a month's: the report gives the year's total
        ("2024年海珠区新增了多少个长者饭堂", "fallback"),  # 共建成102个: all there are
        ("新增了几个口袋公园", "answer"),  # 新增6个口袋公园
        ("城镇新增就业多少人", "answer"),  # the district's new jobs are
        ("首届琶洲音乐节有多少人参加", "answer"),  # 客流超2万人次
        ("龙舟队有几多个队员", "fallback"),
        ("蚂蚁万里汇在哪栋楼", "fallback"),
        ("低空航线每日飞几多班", "fallback"),
        ("以旧换新买台冰箱能补贴多少钱", "fallback"),  # per appliance: only totals given
        ("新能源汽车卖了多少台", "fallback"),  # a count of cars: never given
        ("以旧换新拉动消费多少", "answer"),
        ("区属国企有几家，都叫什么名字", "fallback"),  # all their names: none counted by name
        ("Who designed the Pazhou Eye buildings?", "fallback"),
        ("房地产开发业为啥能增长那么多，什么原因", "fallback"),  # a reason: never given
        ("琶洲音乐节几时举办", "fallback"),  # the day of an event: never given
        ("邊間學校食堂最差", "fallback"),  # which is worst: the report ranks none
        ("How many exhibitors were at the Canton Fair?", "fallback"),
        ("How many restaurants are in the new dining space?", "fallback"),
    ],
)
def test_people_jobs_team_members_buildings_and_flights_are_details(
    engine: Engine, question: str, decision: str
) -> None:
    answer = engine.ask(question)
    assert answer.decision == decision, answer
    if decision == "fallback":
        assert answer.reason == "detail"


@pytest.mark.parametrize(
    ("question", "decision", "shown"),
    [
        ("托位一共几多，其中普惠的占比多少", "answer", "36.6"),  # 占比 after the part
        ("后来街道装了烟感，全区一共装了多少个烟感", "answer", "3.8万"),  # 后来 is no name
        ("湿地公园开几点到几点", "fallback", ""),  # opening hours
        ("how much is rent for the rental housing units", "fallback", ""),
        ("8955万救助资金里低保金具体多少", "fallback", ""),  # 低保金 only listed
        ("667家高新技术企业里面四上的有多少家", "answer", "384"),
        ("琶醍二期和广报中心各占多少面积", "fallback", ""),  # given together only
        ("托位和长者饭堂各有多少", "answer", "102"),  # two things, each given
        ("地铁11号线在海珠有几多个站", "fallback", ""),  # stations: never counted
    ],
)
def test_found_by_a_hostile_tester(
    engine: Engine, question: str, decision: str, shown: str
) -> None:
    answer = engine.ask(question)
    assert answer.decision == decision, answer
    assert shown in answer.text


def test_a_long_english_when_question_asks_when_it_is_done(engine: Engine) -> None:
    question = "When will the Haizhu Women and Children's Hospital actually open?"
    assert "when_done" in engine.normalizer.normalize(question).details


def test_starting_to_build_is_no_finishing(engine: Engine) -> None:
    assert "when_done" not in engine.normalizer.normalize("小洲智造工业基地几时开建").details
    assert "when_done" in engine.normalizer.normalize("小洲智造工业基地几时建好").details


def test_revenue_said_only_of_its_growth_is_a_detail_not_given(engine: Engine) -> None:
    """The games answer says revenue grew by double digits and gives no revenue; the Pazhou
    answer gives its firms' revenue as a figure."""
    answer = engine.ask("海珠游戏产业去年营收具体是多少亿")
    assert (answer.decision, answer.reason) == ("fallback", "detail"), answer
    assert engine.ask("琶洲试验区四上企业营收多少").decision == "answer"
    # sales said only of their growth (销售额增长20.2%) give no sales; a rise asked is answered
    sales = engine.ask("新能源汽车销售额具体是多少亿")
    assert (sales.decision, sales.reason) == ("fallback", "detail"), sales
    assert engine.ask("日用品类销售额升咗几多").decision == "answer"
    # a figure followed by a change word is a change: 产值实现10%以上增长 gives no output value
    output = engine.ask("海珠规上工业总产值是多少")
    assert (output.decision, output.reason) == ("fallback", "detail"), output


def test_an_english_count_of_things_no_answer_counts_is_a_detail_not_given(engine: Engine) -> None:
    """The fire-safety answer says fires fell by a share, and counts no fires; the music
    festival's answer counts its visits, which are people."""
    answer = engine.ask("How many fires were there in Haizhu last year?")
    assert (answer.decision, answer.reason) == ("fallback", "detail"), answer
    assert engine.ask("How many people came to the first Pazhou music festival?").decision == (
        "answer"
    )
    # the things counted are the last of a few words, before a verb or the end: complaints of
    # "noise complaints"; "aircraft landing points" counts points
    flights = engine.ask("How many drone flights a day use the seafood route?")
    assert (flights.decision, flights.reason) == ("fallback", "detail"), flights
    complaints = engine.ask("how many noise complaints were filed in Haizhu")
    assert (complaints.decision, complaints.reason) == ("fallback", "detail"), complaints
    assert engine.ask("How many aircraft landing points are planned?").decision == "answer"


@pytest.mark.parametrize(
    "question", ["长者饭堂助餐服务了几多人次", "去年封顶的是哪几栋楼", "沥滘复建安置房交付了多少套"]
)
def test_a_count_in_the_unit_the_answer_counts_in_is_answered(
    engine: Engine, question: str
) -> None:
    """人次 is counted in the answer; 哪几栋 asks names, not a count of buildings."""
    assert engine.ask(question).decision == "answer"


@pytest.mark.parametrize(
    "question",
    [
        "667家高新技术企业里面外资企业有多少家",
        "119个无废细胞里学校有几个",
        "新增就业3.23万人当中高校毕业生有多少",
    ],
)
def test_a_part_of_a_quoted_figure_no_answer_names_is_a_detail_not_given(
    engine: Engine, question: str
) -> None:
    """The answer has the figure quoted (667, 3.23万) but not the part asked of it."""
    answer = engine.ask(question)
    assert (answer.decision, answer.reason) == ("fallback", "detail"), answer


@pytest.mark.parametrize(
    "question",
    ["667家高新技术企业，其中四上的有多少家", "0-3岁婴幼儿托育服务，区里去年供给了多少托位"],
)
def test_a_part_the_answer_names_or_no_part_at_all_is_answered(
    engine: Engine, question: str
) -> None:
    """四上 is named beside 667; 区里 is "in the district", no part of a group of 3."""
    assert engine.ask(question).decision == "answer"


def test_how_big_in_money_is_no_floor_area(engine: Engine) -> None:
    """ "How big ... in assets" asks an amount; only a building's size is an area detail."""
    answer = engine.ask("how big are haizhu's state-owned groups in total assets")
    assert answer.decision == "answer" and answer.reason != "detail", answer
    assert engine.ask("how big is the Qianxin building").reason == "detail"


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        # a village told as where the asker comes from, beside a question about Haizhu
        ("我老家在华西村，想问海珠去年新增就业有几多人", None),
        ("海珠区有多少个古镇", "not other_place"),  # one character before the kind is no name
        ("Which projects of the 2024 plan were completed?", None),  # a year is no count
        ("我在报告里看到的单位GDP能耗下降了多少", None),  # 单位 per unit, no one's property
        # a project's cost is its investment (no user's price), which the rail answer lacks
        ("How much will the new tram line cost?", "detail"),
        ("How high is the employment rate?", None),  # a rate's height is its value
        ("全省有多少个港澳子弟班", "other_place"),  # the wider area, though the classes are inside
    ],
)
def test_the_new_rules_do_not_reach_past_what_they_are_for(
    engine: Engine, question: str, reason: str | None
) -> None:
    answer = engine.ask(question)
    if reason is None:
        assert answer.decision == "answer", answer
    elif reason.startswith("not "):
        assert answer.reason != reason[4:], answer
    else:
        assert answer.reason == reason, answer


@pytest.mark.parametrize(
    "question", ["脑机接口依托哪家企业推动落地", "邊兩間藥企入選省製造業單項冠軍"]
)
def test_one_name_or_two_asked_is_given_by_any_answer_that_lists_names(
    engine: Engine, question: str
) -> None:
    """Which firm, which two: the answer's names, though no fact counts them (which ones of many
    want an answer that names some of the things it counts)."""
    answer = engine.ask(question)
    assert answer.decision == "answer", answer


@pytest.mark.parametrize(
    "question", ["首批数据资产入表的两家民企是哪两家？", "华新广场开业引进了哪几个品牌的首店？"]
)
def test_names_of_what_an_answer_counts_without_naming_are_a_detail(
    engine: Engine, question: str
) -> None:
    """The data-assets answer counts 2 firms and the commerce answer names shopping centres,
    not the brands: neither lists the things asked by name."""
    answer = engine.ask(question)
    assert (answer.decision, answer.reason) == ("fallback", "detail"), answer


@pytest.mark.parametrize(
    "question",
    [
        "禁毒宣传活动开展了多少次",  # 1697场次 counts times
        "固定资产投资在全市排多少名",  # a rank's 名 counts no people
        "装咗几多部烟感",  # 部 is any counter, 3.8万个 detectors
        "2024年新建重建了多少场地",  # 场地 is no 场 of events
        "How many people got new urban jobs in 2024?",  # the Chinese answer's 3.23万人
        "How many flats of affordable rental housing did Haizhu raise?",  # 9017套 flats
        "游戏产业营收增长了多少",  # a change asked is shown by the word said of a change
        "2024年海珠区固定资产投资总额是多少",  # the year's investment, no project's total
        "How much did PM2.5 and PM10 fall separately?",
    ],
)
def test_what_the_review_found_refused_that_the_report_answers(
    engine: Engine, question: str
) -> None:
    assert engine.ask(question).decision == "answer"


@pytest.mark.parametrize(
    "question",
    [
        "你好，趣丸科技营收多少？",  # a greeting is no second part whose answer shows revenue
        "安宁疗护由谁负责",  # 举办主体多元 names no one in charge
        "新一代信息技术服务业营收多少",  # 收入、税收4项: a figure across 、 is no revenue's
    ],
)
def test_what_the_review_found_answered_that_the_report_does_not_give(
    engine: Engine, question: str
) -> None:
    answer = engine.ask(question)
    assert (answer.decision, answer.reason) == ("fallback", "detail"), answer


def test_a_clause_saying_what_is_not_given_takes_nothing_else_with_it() -> None:
    """Folded text has ,;() for ，；（）: the clause ends there, and an English sentence at '. '."""
    kept = without_said_not_given(fold("琶洲南学校2025年9月开学，报告未列出招生人数。"))
    assert "9月开学" in kept and "招生人数" not in kept
    kept = without_said_not_given(fold("It completed all 10. The report does not give a date."))
    assert "completed all 10" in kept and "date" not in kept


@pytest.mark.parametrize("question", ["去年封顶的7个项目，另外4个叫什么", "剩下的几个项目叫什么"])
def test_the_rest_of_a_group_an_answer_names_in_part_is_a_detail(
    engine: Engine, question: str
) -> None:
    """The topped-out answer names 3 of 7 and says so: the others' names are not given."""
    answer = engine.ask(question)
    assert (answer.decision, answer.reason) == ("fallback", "detail"), answer


@pytest.mark.parametrize(
    "question", ["琶洲那些AI公司一年交多少税", "which streets are the elderly canteens on?"]
)
def test_tax_a_group_pays_and_its_streets_are_details_not_given(
    engine: Engine, question: str
) -> None:
    """Asked as a citizen after the session's work: the report gives the district's tax revenue
    and no canteen's street, so neither question gets another answer's figures."""
    answer = engine.ask(question)
    assert (answer.decision, answer.reason) == ("fallback", "detail"), answer
    assert engine.ask("去年全区税收交了多少").decision == "answer"


def test_currently_is_the_latest_figure_not_a_days_conditions(engine: Engine) -> None:
    answer = engine.ask("海珠现在空气质量达标天数比例多少")
    assert answer.decision == "answer" and "89.9" in answer.text, answer


def test_a_detail_asked_between_close_choices_is_the_best_ones_to_show(engine: Engine) -> None:
    """Haizhu Wetland and the exhibitions are close; the exhibitions' floor area is no
    wetland's area, and the wetland's answer gives none."""
    answer = engine.ask("how big is the Haizhu wetland in hectares")
    assert (answer.decision, answer.reason) == ("fallback", "detail"), answer
    assert [r.intent for r in answer.related] == ["env_wetland"]


@pytest.mark.parametrize(
    ("question", "decision"),
    [
        # the topic's own words name no thing: the sentence with 9017套 still counts
        ("保障性住房有多少套", "answer"),
        # 边 of 旁边 is a side, not "which"
        ("琶洲旁边3条过江隧道进展如何", "answer"),
        # what follows the counted word may be any verb
        ("How many fires happened in Haizhu last year?", "fallback"),
        # a preposition ends the words before the counted thing: schools are counted
        ("how many schools for kids are there", "answer"),
        # 升级 is no rise: revenue is asked, and the games answer gives none
        ("游戏产业升级后营收多少", "fallback"),
        # 基本 after 琶洲 in the answer is no place of the tunnels
        ("3条过江隧道基本上建在哪里", "fallback"),
        # what projects cost is their investment, which the answer gives
        ("59个重点建设项目费用多少", "answer"),
        # 今天 compared with before means nowadays
        ("今天海珠的空气质量比以前好了吗", "answer"),
        ("Is the air in Haizhu cleaner today than a few years ago?", "answer"),
    ],
)
def test_words_that_look_like_a_detail_or_a_scope_and_are_not(
    engine: Engine, question: str, decision: str
) -> None:
    """Each found by a review of the detail and scope rules: read as the rules mean them."""
    answer = engine.ask(question)
    assert answer.decision == decision, answer


def test_which_line_is_no_when(engine: Engine) -> None:
    assert "when_done" not in engine.normalizer.normalize("海珠开通了几号线").details


@pytest.mark.parametrize(
    "question",
    [
        "这几天海珠新增了多少个口袋公园",  # 这几天 counts no days
        "十四五期间宝悦坊建设情况",  # 十四五期间 is no phase of a series
        "去年新增了一批专精特新企业，有多少家",  # 一批 is a quantity, not the first batch
        "港澳子弟班有什么名额",  # 名额 is no name
    ],
)
def test_words_that_only_look_like_a_detail_ask_none(engine: Engine, question: str) -> None:
    """Found by the review of the days, series and name rules: each was refused after them."""
    answer = engine.ask(question)
    assert answer.reason != "detail", answer


@pytest.mark.parametrize(
    ("question", "decision"),
    [
        # (found by the eighth session's hostile tester: the childcare places' 每千常住人口 and
        # the demolished 197.02万平方米 answered the district's population and area)
        ("海珠区人口多少", "fallback"),
        ("海珠区的面积有多大", "fallback"),
        ("海珠区有几个街道", "fallback"),  # (the health centres' answer, by 社区)
        ("海珠区有几间医院", "fallback"),  # (the hospitals planned)
        ("How many streets (subdistricts) does Haizhu have?", "fallback"),
        ("社区卫生服务中心有几间", "answer"),  # what the report does count
        ("每千常住人口有多少个托位", "answer"),  # a rate per population, not the population
        ("What challenges does the report mention?", "answer"),  # the report: no report to file
        ("Which districts is Haizhu paired with?", "answer"),
        ("微短剧", "answer"),  # (the report's micro-short-drama work, in the games' answer)
        ("How many micro-dramas were produced in Haizhu last year?", "fallback"),
        ("报告是谁写的", "answer"),  # the report's heading: who delivered it, from its metadata
        ("海珠区GDP在广州11个区里排第几", "fallback"),  # (its growth leads: 增速均“领跑全市”)
        ("海珠GDP增速全市排第几", "answer"),
        ("固定资产投资全市排第几", "answer"),  # 排名全市第二
    ],
)
def test_what_the_district_is_and_what_the_report_is(
    engine: Engine, question: str, decision: str
) -> None:
    answer = decided(engine, question, decision)
    if decision == "fallback":
        assert answer.reason == "detail" and not any(ch.isdigit() for ch in answer.text[:40])
    if question == "报告是谁写的":
        assert "李满红" in answer.text


def test_reporting_something_is_still_a_procedure(engine: Engine) -> None:
    assert engine.ask("where can I report illegal construction").reason == "procedure"


@pytest.mark.parametrize(
    ("question", "intents"),
    [
        # 同 says "and" in Cantonese (not inside 同比, 共同, 不同)
        ("港澳子弟班同教育集團數目", {"hk_macao_classes", "education_groups"}),
        ("how many hong kong and macau student classes were opened", {"hk_macao_classes"}),
    ],
)
def test_what_parents_asked_in_cantonese_and_english(
    engine: Engine, question: str, intents: set[str]
) -> None:
    answer = engine.ask(question)
    assert answer.decision == "answer" and intents <= set(answer.intents), answer.text


def test_tong_inside_a_word_joins_nothing(engine: Engine) -> None:
    norm = engine.pipeline.normalizer.normalize("托位同比增长多少")
    assert not engine.pipeline.normalizer.asks_two_things(norm)


@pytest.mark.parametrize(
    ("question", "decision"),
    [
        # (found by the eighth session's reviewer)
        ("能不能告诉我海珠区GDP是多少", "answer"),  # 我 told something is not the asker's case
        ("俾我睇下海珠GDP", "answer"),
        ("海珠有多少个社区卫生服务中心", "answer"),  # a count of theirs, not of the communities
        ("校园食堂互联网+明厨亮灶覆盖了多少学校", "answer"),
        ("今年有什么目标", "clarify"),  # a plan asked first is a question, not a bare fragment
        ("How do I file the report?", "fallback"),  # filing one is a procedure
        ("每1000人口有多少托位", "answer"),  # a rate per population in digits
        ("教育局局长是谁", "fallback"),  # no bureau head but the report's own speaker
        ("60岁以上老人可以去长者饭堂吗，海珠有几个长者饭堂", "answer"),
        ("海珠有多少架无人机，占全市比例多少", "fallback"),  # a share beside a count no answer has
        (
            "海珠区一共有多少个公园",
            "fallback",
        ),  # the district's parks in all: only 6 added are given
        ("新增了多少个口袋公园", "answer"),
        ("重点河涌有几条", "answer"),  # 15条重点河涌: a kind of river, not all the district's
    ],
)
def test_what_the_review_of_the_eighth_session_found(
    engine: Engine, question: str, decision: str
) -> None:
    answer = decided(engine, question, decision)
    if question == "How do I file the report?":
        assert answer.reason == "procedure"
    if question == "教育局局长是谁":
        assert "李满红" not in answer.text


@pytest.mark.parametrize(
    "question", ["海珠区2025年城镇新增就业目标是多少？", "2025年计划改造多少个老旧小区"]
)
def test_a_number_asked_of_a_year_whose_facts_give_none_is_said_missing(
    engine: Engine, question: str
) -> None:
    """The 2025 plan says what will be done, with no number: the answer's first line says the
    report has no 2025 figure (found by the first hostile tester of 2026-12-04)."""
    answer = engine.ask(question)
    assert answer.decision == "answer"
    assert answer.text.startswith("报告没有2025年的这项数字"), answer.text


@pytest.mark.parametrize("question", ["How much in fines?", "ok 多少钱"])
def test_a_question_for_a_figure_is_no_reply_about_the_bot(engine: Engine, question: str) -> None:
    """ "fines" is no "fine": a message asking how much gets no "OK!" (found by the hostile
    conversation tester of 2026-12-04)."""
    answer = engine.ask(question)
    assert answer.intent not in ("acknowledged", "thanks"), answer.text


@pytest.mark.parametrize("question", ["食安 学校", "學校食安有冇問題"])
def test_food_safety_by_its_short_name(engine: Engine, question: str) -> None:
    """食安 is what people call 食品安全; the school canteens' figure is in both answers."""
    answer = engine.ask(question)
    assert answer.decision == "answer" and "明厨亮灶" in fold(answer.text), answer


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        ("去年增加咗幾多班", "89"),  # classes, not the childcare places' 增加了
        ("How many Hong Kong/Macao classes opened?", "4"),
        ("我个女两岁，想知道全区托位有几多", None),  # 想知道 is a filler whole, not 想知 + 道
    ],
)
def test_classes_and_hong_kong_macao_classes_in_other_words(
    engine: Engine, question: str, figure: str | None
) -> None:
    answer = engine.ask(question)
    if figure is None:
        assert "道" not in engine.pipeline.normalizer.normalize(question).text
    else:
        assert answer.decision == "answer" and re.search(rf"(?<!\d){figure}(?!\d)", answer.text)


@pytest.mark.parametrize(
    "question", ["海珠区现在有多少小学生", "How many students are there in Haizhu schools?"]
)
def test_pupils_are_no_school_places(engine: Engine, question: str) -> None:
    """The report counts places and classes, never pupils: no figure answers it."""
    answer = engine.ask(question)
    assert (answer.decision, answer.reason) == ("fallback", "detail"), answer
    assert "3395" not in answer.text.split("\n")[0]


def test_classes_expanded_in_english_is_a_part_of_its_own(engine: Engine) -> None:
    answer = engine.ask("Number of public primary schools opened and classes expanded in 2024")
    assert answer.decision == "answer" and re.search(r"(?<!\d)89(?!\d)", answer.text), answer


@pytest.mark.parametrize(
    ("question", "figure"), [("今年高中学位有什么计划", "攻坚"), ("初中学位够不够", "37")]
)
def test_the_rarest_word_named_says_which_of_two_close_answers(
    engine: Engine, question: str, figure: str
) -> None:
    """高中 (few examples hold it) over 学位 (many do): the senior-high answer, not "which one?"."""
    answer = engine.ask(question)
    assert answer.decision == "answer" and figure in answer.text, answer
    assert engine.ask("今年新增多少个").decision == "clarify"  # (named by nothing: still asked)


@pytest.mark.parametrize(
    ("question", "shown"),
    [
        ("what does shuangpu district mean", "双普区"),  # the zone by its pinyin, no district
        ("去年增加了多少个学校名额", "3395"),
        ("HK kids classes", "港澳子弟班"),
        ("学校厨房", "明厨亮灶"),
        ("小一学位", "3395"),
    ],
)
def test_schools_in_parents_words(engine: Engine, question: str, shown: str) -> None:
    answer = engine.ask(question)
    assert answer.decision == "answer" and shown in fold(answer.text), answer


def test_a_comparisons_other_side_is_the_same_topic(engine: Engine) -> None:
    """今年…比去年少了多少: 少了 alone matches the fires that fell; in a comparison it is the
    school places' own other year, and no fire figures are added."""
    answer = engine.ask("今年新增学位比去年少了多少个")
    assert answer.intents == ("school_places",), answer.intents
    assert "火情" not in answer.text


def test_a_year_one_of_two_answers_gives_is_not_said_missing(engine: Engine) -> None:
    """今年初中扩班 (2025) and 去年中小学扩班 (2024), two answers: 2024 is the second's."""
    answer = engine.ask("今年初中扩班数和去年中小学扩班数比较")
    assert len(answer.intents) == 2 and "89" in answer.text, answer
    assert not says_missing(answer.text, 2024), answer.text.split("\n")[0]


def test_the_challenges_say_what_the_report_says_of_public_services(engine: Engine) -> None:
    """The fourth difficulty's sentence goes on past 就业存在结构性矛盾: education, health care …
    still short of what people expect (a content fix: the quote had stopped at the comma)."""
    answer = engine.ask("海珠教育有哪些短板")
    assert "与人民群众的期待还有差距" in answer.text, answer.text
    assert engine.ask("民生领域有什么短板").intents == ("econ_challenges",)


def test_an_example_that_differs_only_in_its_topic_word_gives_way(engine: Engine) -> None:
    """火灾 go down matched 学位 go down on everything but the topic: the school places, not the
    fires."""
    answer = engine.ask("Did the number of new school places go down in 2025?")
    assert answer.intents == ("school_places",), answer.intents


@pytest.mark.parametrize(
    "question",
    [
        "别的城市GDP多少",
        "周边城市的GDP增长",
        "北上广深的GDP",
        "海外的托育情况",
        "广州平均每千人托位数",
        # as citizens name them: across the river, by direction, by the city's old names, in
        # English, with a slip of another reading, typed apart, or set against the city
        "河对面去年GDP多少",
        "海珠南边那个区GDP多少",
        "省城去年固定资产投资多少",
        "穗去年税收多少",
        "Guangzhou GDP last year",
        "How many public school places did Guangzhou add?",
        "Canton's GDP?",
        "天 河 区去年托位多少",
        "潘禺的GDP增长多少",
        "海珠托位比全市平均高吗",
    ],
)
def test_other_cities_said_at_large_are_other_places(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert (answer.decision, answer.reason) == ("fallback", "other_place"), answer


@pytest.mark.parametrize("question", ["海外招商了几次", "海外订单增长多少"])
def test_the_reports_own_overseas_figures_are_answered(engine: Engine, question: str) -> None:
    assert engine.ask(question).decision == "answer"


@pytest.mark.parametrize("day", [date(2025, 6, 1), date(2026, 12, 2)])
@pytest.mark.parametrize(
    "question",
    [
        "奇安信大厦封顶了吗",
        "丸美总部竣工了吗",
        "趣丸科技总部大厦动工了吗",
        # named short (海灏国际大厦), in Latin letters (京东MALL), with a plan of other roads
        # beside it
        "海灏大厦封顶冇",
        "京东MALL开业了吗",
        "琶洲西区道路开通了吗",
        "琶洲算谷智算中心运营了吗",
    ],
)
def test_a_thing_the_report_says_was_done_is_not_called_a_plan(
    engine: Engine, question: str, day: date
) -> None:
    """Asked whether it was done, a thing the report names among 2024's results opens with that
    result, not with "this is a 2025 target" (the plan facts beside it name other things)."""
    answer = Engine(engine.content, clock=fixed(day)).ask(question)
    first = answer.text.split("\n")[0]
    assert answer.decision == "answer" and "2024" in first, first
    assert "计划目标" not in first and "12345" not in first, first


@pytest.mark.parametrize(
    "question", ["华新广场开业了吗", "名创优品国际总部封顶了吗", "贝赛思学校动工了吗"]
)
def test_a_plan_asked_whether_done_still_says_so(engine: Engine, question: str) -> None:
    """A 2024 result of the same kind (7 topped out) does not make a 2025 plan done."""
    first = engine.ask(question).text.split("\n")[0]
    assert "计划目标" in first and "12345" in first, first


def test_an_actual_figure_asked_of_last_year_is_last_years(engine: Engine) -> None:
    """到底完成 asks the actual figure; with 去年 that is 2024's, which the report has."""
    first = engine.ask("去年海珠固定资产投资到底完成了多少").text.split("\n")[0]
    assert "630.04" in first and "2025" not in first, first
    assert "2025" in engine.ask("2025年实际完成了多少投资").text.split("\n")[0]


def test_three_parts_asked_each(engine: Engine) -> None:
    """分别 says each part is asked; it is no word of the last part (竣工分别 matched poorly)."""
    answer = engine.ask("重点项目开工、封顶、竣工分别几个")
    assert set(answer.intents) == {
        "proj_started_2024",
        "proj_topped_out_2024",
        "proj_completed_2024",
    }, answer.intents


def test_projects_over_100_million_yuan_in_english(engine: Engine) -> None:
    answer = engine.ask("how many projects over 100 million yuan")
    assert answer.decision == "answer" and "244" in answer.text, answer


def test_a_plan_asked_first_of_a_year_the_answer_lacks_is_that_years_plan(engine: Engine) -> None:
    """今年托育打算做什么 names 托育, whose places answer has only 2024 figures: the 2025
    childcare plan answers instead of a line that the report has no 2025 figure."""
    a = engine.ask("今年托育打算做什么")
    assert a.intents == ("childcare_plan_2025",) and "一街一普惠" in a.text
    assert "没有2025年" not in a.text


@pytest.mark.parametrize(
    "question", ["越秀区隔壁的海珠区，今年GDP增长目标多少", "海珠（不是珠海）去年GDP多少"]
)
def test_a_place_that_only_says_where_haizhu_is_is_no_other_place(
    engine: Engine, question: str
) -> None:
    assert engine.ask(question).decision == "answer"


def test_a_city_name_before_no_figure_is_no_other_place(engine: Engine) -> None:
    """市里 before a figure asks the city's; 市里给了多少钱 is money the city gave a Haizhu
    project (the report's), and Guangzhou beside Haizhu in English is Haizhu's."""
    assert engine.ask("市里去年GDP多少").reason == "other_place"
    assert engine.ask("How many childcare places in Haizhu, Guangzhou?").decision == "answer"


@pytest.mark.parametrize("question", ["长者饭堂的餐卡会在哪办", "居住证会在哪里办"])
def test_will_before_where_to_handle_is_still_a_procedure(engine: Engine, question: str) -> None:
    """会 says will here, not an event held (艺术展在哪里办 is one)."""
    assert engine.ask(question).reason == "procedure"


@pytest.mark.parametrize(
    ("question", "other_place"),
    [
        ("海珠区跟全市同步推进城中村改造吗", False),  # 跟 says together, not compared with
        ("海珠不是比天河的GDP高吗", True),  # 不是 outside brackets is no correction of a name
        ("今天 河涌治理怎么样", False),  # words with a space between are no name typed apart
        ("去年新增 城市更新项目几个", False),
    ],
)
def test_what_reads_like_another_place_but_is_not_and_the_reverse(
    engine: Engine, question: str, other_place: bool
) -> None:
    assert (engine.ask(question).reason == "other_place") == other_place


def test_a_year_compared_with_is_said_missing_when_no_change_is_given(engine: Engine) -> None:
    """The high-tech firms' answer counts 667 with no change from 2023: 比前年多几家 is still
    told the report has no 2023 figure; the air quality's 提升1.6个百分点 answers its own."""
    assert "2023" in engine.ask("去年高新技术企业比前年多几家").text.split("\n")[0]
    assert "2023" not in engine.ask("去年空气质量比前年好了多少").text.split("\n")[0]


@pytest.mark.parametrize("question", ["江南文商旅融合圈二期开业了吗", "去年华新广场开业了吗"])
def test_a_result_of_another_thing_does_not_make_a_plan_done(engine: Engine, question: str) -> None:
    """京东MALL正式开业 is in the same answer, in another clause than 江南…二期 or 华新广场."""
    first = engine.ask(question).text.split("\n")[0]
    assert "计划目标" in first and "12345" in first, first


def test_an_english_place_is_named_as_a_name_in_the_refusal(engine: Engine) -> None:
    assert "not about Tianhe;" in engine.ask("What about Tianhe district's GDP?").text
    assert "not about GZ;" in engine.ask("GZ GDP last year").text
    assert "not about Guangzhou;" in engine.ask("What was Guangzhou's GDP last year?").text
    assert "not about Liwan or Guangzhou;" in engine.ask("Liwan and Guangzhou GDP?").text


def test_another_place_whose_name_holds_a_haizhu_name_is_that_place(engine: Engine) -> None:
    """江海 is a street of Haizhu and 江海区 a district of Jiangmen; 中大 is in Haizhu, its north
    campus is not; 海珠以外 is anywhere but Haizhu."""
    for question in [
        "江海区去年GDP多少",
        "中大北校区所在的区新增学位多少",
        "海珠以外的区托位平均多少",
    ]:
        assert engine.ask(question).reason == "other_place", question
    for question in ["江海街道去年GDP多少", "中大附近新增学位多少"]:
        assert engine.ask(question).decision == "answer", question


def test_a_haizhu_place_named_as_where_gets_the_districts_figures_said_so(engine: Engine) -> None:
    """南武中学 and 磨碟沙 are in Haizhu, and no example names them: near one of them, the
    question is the district's, and the answer says the report has no figures of the place."""
    answer = engine.ask("南武中学附近托位有多少")
    assert answer.intent == "childcare_places", answer.text
    first = answer.text.split("\n")[0]
    assert "全区" in first and "南武中学" in first, first
    assert "全區" in engine.ask("磨碟沙附近嘅托位有幾多").text.split("\n")[0]
    # a place the examples name is a topic of its own, not only where: kept for matching
    assert engine.normalizer.normalize("琶洲附近有什么新项目").near == ()
    assert "全区" not in engine.ask("托位有多少").text
    # asked of Haizhu itself, where the asker lives is only a story
    assert "瑞宝" not in engine.ask("瑞宝这边的居民想问，海珠去年新增了几个口袋公园？").text
    # another district's landmark is still another place
    assert engine.ask("天河体育中心附近托位有多少").reason == "other_place"


@pytest.mark.parametrize(
    "question",
    [
        "广交会来了多少个国家？",  # 国家 before a question mark is no country asked about
        "面向新市民的保障性租赁住房筹集了多少套",  # 新市民, not 新市 (Baiyun)
        "广州的琶洲会展去年办了多少场",  # the city's name says where Pazhou is
        "琶洲会展在广州有什么地位",
    ],
)
def test_words_that_hold_a_place_name_are_no_other_place(engine: Engine, question: str) -> None:
    assert engine.ask(question).reason != "other_place", question


def test_an_area_whose_name_is_also_a_word_is_a_place_before_a_word_of_where(
    engine: Engine,
) -> None:
    """大石 (Panyu) and 同和 (Baiyun) are places before 那边, 街, 附近; 大石头, 协同和 are words."""
    for question in ["大石那边托位有多少", "同和附近托位有多少", "新市街道托位有多少"]:
        assert engine.ask(question).reason == "other_place", question
    assert engine.normalizer.normalize("搬走大石头要多少钱").places == ()
    assert engine.normalizer.normalize("部门协同和联动做了什么").places == ()


@pytest.mark.parametrize(
    "question",
    [
        "新市去年新增多少学位",  # a name that is also a word, starting a clause before a year
        "那金融城今年投资多少",
        "华工那边新增学位多少",  # a university of another district, said as where
        "南方医院附近长者饭堂有几个",
        "广外所在的区GDP多少",
        "珠吉街托位有多少",  # a street of another district, by its name with 街
        "前进街道去年新增了多少学位",
        "海珠中路附近托位多少",  # a road of Yuexiu's whose name holds Haizhu's
        "温泉镇去年新增多少托位",  # a partner the pairing topic lists, asked of its own figures
    ],
)
def test_an_area_or_landmark_said_as_where_is_another_place(engine: Engine, question: str) -> None:
    assert engine.ask(question).reason == "other_place", question


@pytest.mark.parametrize(
    "question",
    [
        "海珠老城区去年改造了多少",  # Haizhu is one of the old town's districts
        "老城区去年改造了多少个小区",
        "新市民去年有多少住上保障房",
        "华工去年和海珠合作了什么项目",  # a university named as a partner, before a year
        "琶洲南学校是跟广雅中学合办的吗",
        "大湾区的低空航线规划了多少条",  # the Bay Area is a topic of Haizhu's own (before a
        # year or a figure word it asks the Bay Area's own: 大湾区今年…, 大湾区GDP)
        "大湾区首个游戏产业园入驻多少企业",
        "中山大学南校区附近海珠区新增公办学位多少",  # 中山大学 is in Haizhu, not 中山
        "中山二院今年研究型院区建成了吗",  # its research campus, which the report names
        "海珠跟从化温泉镇结对做了什么",  # the partner named by the topic that lists it
        "老旧小区加装电梯面临什么问题",  # 电梯面, not 梯面 (Huadu), which is no place here
        "中大西门口附近托位有多少",  # a west gate, not 西门口 (Yuexiu)
        "人民街坊最关心托位有多少",  # 人民街 (Yuexiu) is not listed: 街坊 are neighbours
        "海珠滨江的珠江街景今年有什么改造",
    ],
)
def test_an_area_or_landmark_not_said_as_where_is_no_other_place(
    engine: Engine, question: str
) -> None:
    assert engine.ask(question).reason != "other_place", question


def test_a_question_of_haizhus_says_no_district_line_for_the_words_about_it(
    engine: Engine,
) -> None:
    """Another district named to say where Haizhu is, and common nouns before 那边, name no
    place the answer should say it has no figures for."""
    head = messages.WHOLE_DISTRICT["zh"].split("{")[0]  # 报告只有海珠区全区的数字，没有
    for question in ["越秀隔壁的海珠GDP多少", "老师那边说今年新增多少学位", "居委会那边托位有多少"]:
        answer = engine.ask(question)
        assert answer.decision == "answer" and head not in answer.text, question


def test_another_districts_figure_asked_by_a_rank_is_not_given(engine: Engine) -> None:
    for question in ["GDP最高的区是哪个，有多少", "所有区的GDP排名和数额"]:
        assert engine.ask(question).decision != "answer", question


def test_a_place_of_haizhus_elsewhere_in_the_question_does_not_hide_the_city(
    engine: Engine,
) -> None:
    assert engine.ask("我住江南西，想问广州的GDP是多少").reason == "other_place"


def test_a_place_of_haizhus_as_where_only_when_a_figure_is_asked(engine: Engine) -> None:
    """Without a figure asked, the rest of the question (有什么规划) would match any plan; a
    place that holds a name the answers use (琶洲塔: 琶洲) is a topic; the line is said when
    Haizhu is named in the same clause, and of a follow-up's own place."""
    assert engine.ask("客村那边有什么规划").decision != "answer"
    assert engine.normalizer.normalize("琶洲塔附近有什么规划").near == ()
    assert "南武中学一带" in engine.ask("海珠区南武中学附近托位有多少").text.split("\n")[0]
    first = engine.ask("海珠区托位有多少")
    followed = engine.ask("南武中学附近呢", Context.after(first))
    assert followed.decision == "answer" and "南武中学一带" in followed.text.split("\n")[0]


def test_a_haizhu_place_named_as_where_in_english_gets_the_line_too(engine: Engine) -> None:
    """Its pinyin name after near or around, when no English example or answer writes it
    (Kecun, 客村); not a place the answers write (Pazhou), nor a place only named (in Kecun)."""
    answer = engine.ask("How many childcare places are there near Kecun?")
    first = answer.text.split("\n")[0]
    assert answer.decision == "answer" and "as a whole" in first and "Kecun" in first, first
    assert "10921" in answer.text
    assert engine.normalizer.normalize("any new parks around the Ruibao area?").near == ("Ruibao",)
    assert engine.normalizer.normalize("How many childcare places near Pazhou?").near == ()
    assert engine.normalizer.normalize("How many childcare places in Kecun?").near == ()


def test_evolve_copies_like_dataclasses_replace() -> None:
    import dataclasses

    from bot.engine.frozen import evolve
    from bot.engine.query import Incoming

    incoming = Incoming("托位有多少？", "托位有多少？", "zh")
    assert evolve(incoming, lang="en") == dataclasses.replace(incoming, lang="en")
    assert evolve(incoming) == incoming and evolve(incoming) is not incoming
    with pytest.raises(TypeError):
        evolve(incoming, nothing=1)


@pytest.mark.parametrize("where", ["我喺{}住", "我住{}", "{}街坊想问", "刚搬来{}"])
@pytest.mark.parametrize("place", ["瑞宝", "磨碟沙", "石溪村"])
@pytest.mark.parametrize("asked", ["海珠区有几多托位", "海珠区托位有多少", "长者饭堂有几间"])
def test_a_scene_before_a_short_question_is_not_what_is_matched(
    engine: Engine, where: str, place: str, asked: str
) -> None:
    """A clause that only says where the asker lives (a place of Haizhu's the answers do not
    name) does not drown a question whose words, normalised, are one keyword: it is answered
    as it is alone."""
    alone = engine.ask(asked)
    assert alone.decision == "answer"
    answer = engine.ask(where.format(place) + "，" + asked)
    assert (answer.decision, answer.intents) == ("answer", alone.intents)


@pytest.mark.parametrize(
    "question",
    [
        "around Shiqiao, how many new jobs were created last year",  # 市桥: a place listed
        "how many childcare places are there in Yuancun?",  # 员村街's bare name, as where
        "Jingtai area: how many elderly canteens",
        "near Wushan, how many school places were added",
    ],
)
def test_another_districts_place_in_pinyin_is_another_place(engine: Engine, question: str) -> None:
    assert engine.ask(question).reason == "other_place", question


@pytest.mark.parametrize(
    "question",
    [
        "I work in Yuancun. How many childcare places does Haizhu have?",
        "how many childcare places are there in Kecun?",  # 客村, Haizhu's
        "lijiao fujian anzhifang jiaolou ji tao",  # 复建 sounds like 福建 (fujian)
    ],
)
def test_a_pinyin_name_that_is_no_other_place_asked_about_is_answered(
    engine: Engine, question: str
) -> None:
    assert engine.ask(question).decision == "answer", question


@pytest.mark.parametrize("fragment", ["鹤龙呢", "那新市呢？", "景泰嘅呢", "what about Yuancun?"])
def test_a_follow_up_naming_another_districts_area_is_refused(
    engine: Engine, fragment: str
) -> None:
    """An area of another district whose name is also a word (or a street's bare name) names a
    place before 呢 ending a follow-up, as before 那边."""
    first = engine.ask("海珠区托位有多少")
    assert engine.ask(fragment, Context.after(first)).reason == "other_place", fragment


def test_an_area_name_inside_a_word_before_a_follow_ups_ne_is_no_place(engine: Engine) -> None:
    first = engine.ask("新市头村的复建房交了多少套")
    assert engine.ask("新市民呢", Context.after(first)).reason != "other_place"


def assert_answered_as_alone(engine: Engine, question: str, alone: str) -> None:
    """The question is answered with the topic that `alone` (which is answered) gets."""
    expected = engine.ask(alone)
    answer = engine.ask(question)
    assert expected.decision == "answer"
    assert (answer.decision, answer.intents[:1]) == ("answer", expected.intents[:1]), question


@pytest.mark.parametrize(
    "question",
    [
        "不问海珠，问一下天河的GDP",
        "学位新增多少，不是海珠，是荔湾",
        "别给我海珠的数字，要番禺的新增学位",
    ],
)
def test_haizhu_named_as_what_is_not_asked_leaves_the_other_place_asked(
    engine: Engine, question: str
) -> None:
    assert engine.ask(question).reason == "other_place", question


@pytest.mark.parametrize(
    ("question", "alone"),
    [
        ("海珠同番禺比，海珠新增学位多少", "海珠新增学位多少"),
        ("海珠比天河托位多吗？海珠自己有几多托位", "海珠有几多托位"),
        ("海珠在清远搞了反向飞地，海珠去年GDP多少", "海珠去年GDP多少"),
        (
            "海珠跟花都结对帮扶，海珠自己的固定资产投资去年完成多少",
            "海珠的固定资产投资去年完成多少",
        ),
    ],
)
def test_a_comparison_or_a_pairing_beside_haizhus_own_figure_asked_is_no_place_asked(
    engine: Engine, question: str, alone: str
) -> None:
    """A clause comparing Haizhu with another place, or telling what Haizhu did there, beside a
    clause asking a figure of Haizhu alone: that figure is answered, as asked alone."""
    assert_answered_as_alone(engine, question, alone)


@pytest.mark.parametrize(
    "question",
    [
        "海珠区领导，想问番禺新增学位",
        "作为海珠居民，我想查黄埔的高新技术企业数",
        "在海珠住了十年，想搬去花都，那里托位多少",
    ],
)
def test_another_place_asked_after_haizhu_named_as_the_asker_is_refused(
    engine: Engine, question: str
) -> None:
    """想问/想查 + another place asks of it (no question word needed); a place the asker moves
    to is asked about."""
    assert engine.ask(question).reason == "other_place", question


@pytest.mark.parametrize(
    ("question", "alone"),
    [
        ("是海珠不是越秀：新增学位多少", "海珠新增学位多少"),
        (
            "How many childcare places in Haizhu, not Tianhe?",
            "How many childcare places in Haizhu?",
        ),
        ("Honam district childcare places", "Haizhu district childcare places"),
        ("石基村街坊想问，海珠区托位有多少", "海珠区托位有多少"),
        ("刚从佛山搬到赤岗，海珠区长者饭堂有几多", "海珠区长者饭堂有几多"),
    ],
)
def test_a_place_said_not_to_be_asked_or_a_frame_leaves_haizhus_figure_asked(
    engine: Engine, question: str, alone: str
) -> None:
    assert_answered_as_alone(engine, question, alone)


@pytest.mark.parametrize(
    ("question", "alone"),
    [
        ("海珠每千常住人口托位数多少，高于全国平均吗", "海珠每千常住人口托位数多少"),
        ("Hai Zhu district childcare places", "Haizhu district childcare places"),
    ],
)
def test_a_wider_area_compared_or_haizhu_spelled_apart_leaves_haizhus_figure_asked(
    engine: Engine, question: str, alone: str
) -> None:
    assert_answered_as_alone(engine, question, alone)


@pytest.mark.parametrize(
    ("question", "alone"),
    [
        (
            "I live near Canton Tower; how many childcare places does Haizhu have?",
            "how many childcare places does Haizhu have?",
        ),
        ("我住广州塔附近，海珠托位有几多", "海珠托位有几多"),
        (
            "I live in an urban village - how many fire access lanes were opened up in Haizhu?",
            "how many fire access lanes were opened up in urban villages in Haizhu?",
        ),
    ],
)
def test_a_place_of_haizhus_where_the_asker_lives_is_no_topic(
    engine: Engine, question: str, alone: str
) -> None:
    """The landmark of a scene beside a figure asked does not pull the question to its topic;
    the rest of the scene may still be the topic (an urban village's fire lanes)."""
    assert_answered_as_alone(engine, question, alone)


@pytest.mark.parametrize(
    ("question", "alone"),
    [
        ("海珠去日本韩国招商了几次", "海珠去海外招商了几次"),
        (
            "How many investment promotion trips to Japan and Korea did Haizhu make in 2024?",
            "How many overseas investment promotion trips did Haizhu make in 2024?",
        ),
        ("外地人在海珠找工作，去年城镇新增就业多少", "海珠去年城镇新增就业多少"),
        ("日本企业在海珠落地了吗？海珠招商落地项目多少个", "海珠招商落地项目多少个"),
        ("海珠区GDP高于荔湾吗？海珠多少", "海珠区GDP多少"),
    ],
)
def test_a_place_haizhu_went_to_or_people_come_from_is_no_place_asked(
    engine: Engine, question: str, alone: str
) -> None:
    """Where Haizhu went to attract investment, where people or firms come from, and a place
    Haizhu is compared with beside its own figure asked: Haizhu's figure, as asked alone."""
    assert_answered_as_alone(engine, question, alone)


@pytest.mark.parametrize("question", ["日本企业有多少家", "去深圳招商几次"])
def test_such_a_place_without_haizhu_named_is_still_another_place(
    engine: Engine, question: str
) -> None:
    assert engine.ask(question).reason == "other_place", question


def test_a_last_clause_that_asks_to_be_told_is_ranked_alone(engine: Engine) -> None:
    """想知道 + a topic asks, with no question word, after a scene of two clauses."""
    expected = engine.ask("海珠托位有多少")
    answer = engine.ask("我在番禺上班，住在海珠江南西，想知道海珠托位")
    assert (answer.decision, answer.intents[:1]) == ("answer", expected.intents[:1])


@pytest.mark.parametrize(
    "question",
    [
        "我们省今年GDP增长目标是多少",  # the asker's own province, unnamed
        "我不住海珠，我住番禺，托位多少",
        "海珠的数字就别给我了，我要越秀的新增学位",
        "the district next door to Haizhu, Panyu, how many school places?",
    ],
)
def test_the_askers_own_place_or_one_set_against_haizhu_is_another_place(
    engine: Engine, question: str
) -> None:
    assert engine.ask(question).reason == "other_place", question


def test_an_emoji_ends_a_clause(engine: Engine) -> None:
    """The story after an emoji is a clause of its own: the place in it is not asked about."""
    expected = engine.ask("海珠托位有多少")
    answer = engine.ask("海珠托位有多少😭天河那边排了半年都没排上")
    assert (answer.decision, answer.intents[:1]) == ("answer", expected.intents[:1])


@pytest.mark.parametrize("fragment", ["大陆呢", "內地呢", "大灣區嗰邊呢"])
def test_a_wider_area_ending_a_follow_up_is_refused(engine: Engine, fragment: str) -> None:
    first = engine.ask("海珠区托位有多少")
    assert engine.ask(fragment, Context.after(first)).reason == "other_place", fragment


def test_a_cantonese_word_of_where_folded_still_says_where(engine: Engine) -> None:
    """嗰 is folded to 𠮶 (OpenCC): a place of Haizhu's before 嗰边 still gets the line that the
    report has the district's figures only, as before 附近."""
    line = messages.WHOLE_DISTRICT["zh"].split("{")[0]
    assert line in to_simplified(engine.ask("南武中學嗰邊托位有幾多").text)


@pytest.mark.parametrize(
    "question",
    [
        "海珠区公租房租金平均多少",  # 金平 (Shantou) inside 租金平均
        "海珠居民治安满意度多少",  # 民治 (Shenzhen) inside 居民治安
        "海珠湿地西北角有什么鸟",  # 北角 (Hong Kong) inside 西北角
        "海珠城中村拆违多少",  # 珠城 inside 海珠城中村
        "海珠有没有城市一站式服务中心",  # 市一 before 站
        "新港东站附近有几个公园",  # a station of Haizhu's, not 东站
        "海珠区妇儿医院那边建得怎么样",  # Haizhu's own hospital
        "全市托位最多的是不是海珠",  # 是不是海珠 is no 不是海珠
        "我是番禺的请问一下，海珠有多少托位",  # 请问一下 before nothing asks nothing
        "What did Xi Jinping say about Haizhu's GDP?",  # jinping, a name, not 金平
    ],
)
def test_a_word_that_holds_a_place_name_names_no_place(engine: Engine, question: str) -> None:
    assert engine.ask(question).reason != "other_place", question


@pytest.mark.parametrize(
    "question",
    [
        "天河人才补贴多少？海珠有吗",  # 天河人才: no people who come to Haizhu
        "番禺的企业有多少，海珠的企业有多少",
        "海珠的GDP是不是天河的一半",
        "海珠普惠托位有多少，天河普惠比例多少",  # 比例 compares nothing
        "I live in Haizhu, going to Panyu, how many parks in Panyu",
    ],
)
def test_another_place_asked_beside_haizhu_is_still_refused(engine: Engine, question: str) -> None:
    assert engine.ask(question).reason == "other_place", question


@pytest.mark.parametrize(
    ("first", "fragment", "back"),
    [
        ("海珠区托位有多少", "鹤龙呢", "咁海珠呢"),  # 鹤龙 resembles the dragon boats' topic
        ("海珠去年新增就业几多人", "深圳呢", "咁海珠呢"),  # 深圳, the Shenzhen intercity line
    ],
)
def test_a_fragment_refused_as_another_place_offers_the_last_topic(
    engine: Engine, first: str, fragment: str, back: str
) -> None:
    """The refused fragment offers the last answer's topic, and going back to Haizhu answers it."""
    answer = engine.ask(first)
    context = Context.after(answer)
    refused = engine.ask(fragment, context)
    assert refused.reason == "other_place"
    assert [r.intent for r in refused.related] == list(answer.intents[:1])
    again = engine.ask(back, Context.after(refused, context))
    assert (again.decision, again.intents[:1]) == ("answer", answer.intents[:1])


def test_a_new_question_about_another_place_offers_its_own_topic(engine: Engine) -> None:
    context = Context.after(engine.ask("海珠区托位有多少"))
    refused = engine.ask("天河区GDP多少", context)
    assert refused.reason == "other_place"
    assert [r.intent for r in refused.related] == list(engine.ask("海珠区GDP多少").intents[:1])


@pytest.mark.parametrize(
    "question",
    [
        "仁怀去年GDP多少",  # a county-level city no person listed: the gazetteer's
        "我想知道寿光有多少长者饭堂",
        "上高县的托位有多少",  # a county by its full name
        "香格里拉今年新增几多学位",
        "大同新增学位多少",  # a name that is a word too, starting a clause before a figure
        "北海的GDP是多少",
        "古镇那边有几个长者饭堂",  # ... or said as where
    ],
)
def test_a_county_or_city_of_china_by_its_name_is_another_place(
    engine: Engine, question: str
) -> None:
    assert engine.ask(question).reason == "other_place", question


@pytest.mark.parametrize(
    "question",
    [
        # the characters of a county's name inside other words (上高, 同安, 从江, 安新)
        "海珠以上高新技术企业有多少家",
        "共同安置房交了多少套",
        "从江对面搬过来，海珠今年计划新增优质学位多少",
        "667家高企里面四上高企有几家",
        "奇安新大厦盖到顶了吗",  # (奇安信, with a slip)
    ],
)
def test_a_countys_name_inside_other_words_names_no_place(engine: Engine, question: str) -> None:
    assert engine.normalizer.normalize(question).places == (), question
    assert engine.ask(question).reason != "other_place", question


def test_a_word_that_is_a_countys_name_too_is_no_place_in_a_follow_up(engine: Engine) -> None:
    """新建 is a district of Nanchang, but 新建呢 after an answer asks of what is new-built."""
    context = Context.after(engine.ask("海珠区公办幼儿园新增了几个"))
    assert engine.ask("新建呢", context).reason != "other_place"


@pytest.mark.parametrize(
    "question",
    [
        "我老家县城去年新增了多少学位",  # the asker's own town, unnamed
        "我户口所在的那个县今年有几个重点项目",
        "我哋條鎮今年GDP目標係幾多",
        "How many pocket parks did the county where I grew up add last year?",
        "我以前住的那个区今年有几个重点项目",  # where the asker used to live or works
        "我单位那边托位有几多",
        "我户口所在地今年计划新增几多学位",
        "我出世嗰个县GDP几多？",  # (嗰, folded as the text is)
        "华师嗰区新增几多学位",  # a landmark's district (嗰区)
        "深今年gdp目标多少",  # a place by one character, before a year
        "港舊年GDP增長幾多?",
        "冰城去年空气质量达标天数比例",  # a city by its other name
        "清迈今年计划建几个口袋公园",  # a city of the world
        "How many childcare places are there in Ningxiang?",  # a county's pinyin, as where
        "How many school places were added around Jingjiang?",
    ],
)
def test_an_unlisted_kind_of_other_place_is_refused(engine: Engine, question: str) -> None:
    assert engine.ask(question).reason == "other_place", question


@pytest.mark.parametrize(
    "question",
    [
        # Haizhu has villages: 我们村 may be one of them
        "我们村消防通道一直堵着 城中村改造到现在一共打通了多少条消防通道",
        "我老家湖南的，想问海珠区托位多少",
        "深圳的朋友问，海珠今年计划新增多少学位",  # (深 before no year)
        "我户口所在地是海珠，托位有几多",  # (the asker's own place, Haizhu)
        "我单位在琶洲，单位那边2024年办了多少场展会？",  # (…or a place of Haizhu's)
        "唯品会公司那边的国际创新中心动工了吗？",  # (a firm's, not the asker's)
    ],
)
def test_an_own_village_or_a_place_told_of_leaves_haizhu_asked(
    engine: Engine, question: str
) -> None:
    assert engine.ask(question).reason != "other_place", question


@pytest.mark.parametrize(
    "question",
    [
        "蓝天白云的日子多，海珠区空气质量优良天数比例多少",  # 白云 in an everyday phrase
        "寿比南山，区里长者饭堂提供助餐配餐服务多少人次",
        "钟南山院士说要多运动，区里新建重建健身路径多少处",  # 南山 in a person's name
        "我叫吴江，想问区里2024年新增多少个公办中小学学位",  # a person's name
        "全市唯一入选省数字乡村试点的是江海街哪个联社",  # an honour, no wider area asked
    ],
)
def test_a_place_name_inside_another_word_or_a_persons_name_is_no_place(
    engine: Engine, question: str
) -> None:
    assert engine.normalizer.normalize(question).places == (), question


@pytest.mark.parametrize(
    "question",
    [
        "增城区去年新开了几所小学",  # (segmented 增 / 城区: still the district)
        "上海浦东去年新增了几个口袋公园？",
        "东京都托位有多少",
        "我在外区上班的那个工业园去年有多少家高新技术企业",
        "钟落潭镇长者饭堂提供了多少人次助餐",
    ],
)
def test_a_place_the_segmenter_cuts_oddly_is_still_another_place(
    engine: Engine, question: str
) -> None:
    assert engine.ask(question).reason == "other_place", question


@pytest.mark.parametrize(
    "question",
    [
        "海珠湖公园的樟树有几棵",  # a county's name that is an everyday noun (樟树)
        "新洲有几个长者饭堂",  # a community of Haizhu's, and a district of Wuhan
        "执信今年在琶洲新增多少学位",  # a landmark beside a place of Haizhu's
        "数据靠谱吗",  # about the source, no opinion asked
        "今年计划新增学位会超过去年吗",  # the report's two figures answer it
        "我们乡村振兴今年有什么项目",  # 乡 of 乡村, no town
        "my hometown haizhu has how many parks",  # Haizhu as the asker's town
        "Did Xinhua report Haizhu's GDP?",  # a spelling after did: no place
        "同心社区有几个长者饭堂",  # a name before a word that ends names (社区)
    ],
)
def test_words_the_new_rules_must_not_read_as_places(engine: Engine, question: str) -> None:
    """Found by a review of the gazetteer and the rules around it."""
    assert engine.ask(question).reason != "other_place", question


@pytest.mark.parametrize(
    "question",
    [
        "中国香港今年GDP多少",  # 中国香港 is one word to the segmenter
        "What was HK's GDP growth last year?",  # a short name written in English, not a spelling
        "海珠的邻居番禺去年GDP多少",  # 邻居 before a place names no person
        "番禺同学今年学位",  # nor 同学 after one
    ],
)
def test_a_place_beside_a_wider_name_or_a_word_for_people_is_still_refused(
    engine: Engine, question: str
) -> None:
    assert engine.ask(question).reason == "other_place", question


@pytest.mark.parametrize(
    "question",
    [
        # a county's pinyin as what has or does a figure asked (not only after "in")
        "What was Zhuji's GDP last year?",
        "How many pocket parks did Tongxiang build in 2024?",  # (同享 sounds the same)
        "What was Haimen's GDP growth last year?",  # (海 begins a county's name too)
        "How many elderly canteens has Changxing built?",  # (长 read chang, as places read it)
        "Did Shishi's textile output grow?",  # (实施 sounds the same)
        "What's Yiwu's GDP?",  # (a short name written in English: Yiwu, Cixi, Xi'an)
        # an estate or a school as English names it: pinyin and the kind in English
        "How many school places were added at Tangde Garden?",
        "Any new places at Zhixin Middle School?",
        # a metro station or an estate of another district
        "金坑站附近有多少托位",
        "海怡半岛附近新增几多学位",
        "番禺菜市场附近托位多少",  # (a market in Panyu, no dish)
    ],
)
def test_a_county_spelled_an_estate_or_a_station_elsewhere_is_another_place(
    engine: Engine, question: str
) -> None:
    assert engine.ask(question).reason == "other_place", question


@pytest.mark.parametrize(
    "question",
    [
        "我是吴川，想问海珠去年新增多少托位",  # the asker's own name
        "余杭姐姐想问海珠去年新增几个口袋公园",  # a person's, before a title
        "兰州拉面馆越开越多，海珠住宿餐饮业增长多少",  # a dish named for a place
        "Hainan chicken rice shops everywhere; how much did Haizhu's catering grow in 2024?",
        "Did Xinhua report Haizhu's GDP growth?",  # a spelling doing no figure asked
    ],
)
def test_a_name_said_as_a_persons_or_a_dishs_is_no_place(engine: Engine, question: str) -> None:
    assert engine.normalizer.normalize(question).places == (), question


def test_where_the_asker_lives_unsaid_who_is_no_topic(engine: Engine) -> None:
    """住晓港公园旁边 tells where the asker lives, with no 我: the park is no topic of the figure
    asked beside it."""
    question = "住晓港公园旁边，想知道海珠长者饭堂有多少个"
    assert "晓港" not in engine.normalizer.normalize(question).text
    assert engine.ask(question).intent == engine.ask("海珠长者饭堂有多少个").intent


@pytest.mark.parametrize(
    "question",
    [
        "外公85岁，长者饭堂送餐可以补几多",  # the asker's family, 我 unsaid, and what they'd get
        "Mum is 80, how much would she get from elderly meal subsidies?",
    ],
)
def test_the_case_of_the_askers_family_is_personal_without_i(engine: Engine, question: str) -> None:
    assert engine.ask(question).reason == "personal", question


@pytest.mark.parametrize(
    "question",
    [
        "细佬想入公立学校，区里学位够唔够",  # asked of the district
        "阿仔读紧初中，海珠今年扩班几多个",  # a figure asked, no case of theirs
        "妇女儿童医院",  # (女儿 inside 妇女儿童)
    ],
)
def test_family_told_beside_a_question_of_the_district_is_no_personal_case(
    engine: Engine, question: str
) -> None:
    assert not engine.normalizer.normalize(question).personal, question


@pytest.mark.parametrize(
    "question",
    [
        "潮州牛肉火锅店老板问海珠去年有多少个长者饭堂",  # where who asks comes from, told first
        "同事王成都问海珠2024年GDP多少",
        "My neighbour Austin wants to know how many childcare places Haizhu has",
        "My cousin Sydney wants to know Haizhu's tax revenue in 2024",  # (no question word)
        "韩国客户问我琶洲有几多场展会",  # (a place of Haizhu's asked)
        "潮州牛肉火锅店老板问海株去年有几多个长者饭堂",  # (Haizhu with a slip)
    ],
)
def test_a_place_told_of_who_asks_before_a_question_of_haizhu_is_no_place(
    engine: Engine, question: str
) -> None:
    assert engine.normalizer.normalize(question).places == (), question


@pytest.mark.parametrize(
    "question",
    [
        "我想问天河和海珠哪个托位多",  # the place is in the question asked
        "天河的朋友想知道天河同海珠边个托位多",
    ],
)
def test_a_place_in_the_question_asked_after_who_asks_is_still_asked(
    engine: Engine, question: str
) -> None:
    assert engine.ask(question).reason == "other_place", question


@pytest.mark.parametrize(
    "question",
    [
        "江海区去年GDP多少",  # a name of Haizhu's (江海街) with a kind Haizhu has none of
        "沙园镇托位有几多",
        "五道口附近新增几多学位",  # a neighbourhood of another city
        "大围有冇社区卫生服务中心",  # ... starting a clause before a topic asked (有冇, 普惠)
        "青衣嘅普惠托位有几多",
        "全港有几多个长者饭堂",  # a wider area: all of Hong Kong, South China, Shenzhen's GDP
        "华南有多少家高新技术企业",
        "深的GDP是多少",
        "Any new pocket parks on the Bund?",
    ],
)
def test_a_haizhu_name_as_a_county_town_or_district_or_another_citys_place_is_elsewhere(
    engine: Engine, question: str
) -> None:
    assert engine.ask(question).reason == "other_place", question


@pytest.mark.parametrize("question", ["琶洲区域今年有几多场展会", "广州海珠区托位有多少"])
def test_haizhu_and_its_areas_by_such_words_are_still_haizhu(engine: Engine, question: str) -> None:
    assert engine.ask(question).reason != "other_place", question


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("琶洲那个产业园点样入驻", "procedure"),  # how to move in, to book, what deposit
        ("图书馆借书要不要押金", "procedure"),
        ("海珠湿地导赏可唔可以预约", "procedure"),
        ("给海珠的托育打个分", "request"),  # a rating, a liking, a song
        ("你喜欢琶洲吗", "request"),
        ("Sing me a song about Haizhu's parks", "request"),
        ("每个街道新增几多学位", "detail"),  # a figure street by street
        ("海珠湖水深几米", "detail"),  # a depth, a count of doctors, meals a day: not given
        ("海珠的医生数有多少", "detail"),
        ("长者饭堂一日煮几多餐", "detail"),
        ("去海珠湖坐什么公交", "procedure"),  # which bus, a booth's fee
        ("琶洲会展展位费几多钱", "detail"),
    ],
)
def test_more_ways_to_ask_a_procedure_a_request_or_a_figure_by_street_are_refused(
    engine: Engine, question: str, reason: str
) -> None:
    assert engine.ask(question).reason == reason, question


def test_one_inclusive_nursery_in_every_street_is_the_reports_plan(engine: Engine) -> None:
    """一街一普惠: the answer shows "every street", so 每条街道 asks the plan, not a breakdown."""
    answer = engine.ask("普惠托育会唔会每条街道都有")
    assert answer.decision == "answer" and "一街一普惠" in answer.text


def test_a_haizhu_place_in_an_english_scene_is_no_topic(engine: Engine) -> None:
    """I live near Xiaogang Park: where the asker lives, told in English, beside a figure asked."""
    question = "I live near Xiaogang Park. How many elderly canteens does Haizhu have?"
    assert "xiaogang" not in engine.normalizer.normalize(question).text
    assert engine.ask(question).intent == engine.ask("How many elderly canteens in Haizhu?").intent


@pytest.mark.parametrize(
    "question",
    [
        # another place asked before who asks of Haizhu: both asked (a review of the change)
        "天河区2024年GDP多少？想知道海珠2024年GDP多少",
        "How many school places did Tianhe add in 2024? My boss asks how many Haizhu added in 2024.",
        "我是番禺，2024年新增了多少学位",  # where the asker is from, Haizhu not asked
        "深圳式发展，2024年GDP增长多少",  # no dish: a way of growing
        "从化菜农2024年收入多少",  # vegetable farmers there
    ],
)
def test_the_rules_that_excuse_a_place_leave_these_asked(engine: Engine, question: str) -> None:
    assert engine.ask(question).reason == "other_place", question


@pytest.mark.parametrize(
    "question",
    [
        "琶洲会展区2024年办了多少场展会",  # 区 as a zone of Haizhu's
        "港澳子弟班面向全港澳招生吗",  # (全港 in 全港澳)
        "请你对比一下海珠2024年和2023年的研发投入",  # (你对 in 你对比)
        "海珠区在大湾区扮演什么角色",
        "海珠2024年重点租赁企业有多少",  # (点租 in 重点租赁)
        "琶洲入驻了哪些大企业",
        "我区2024年救助资金发多少",  # (我区: the district)
        "老公园改造了几个，能不能多建口袋公园",  # (老公 in 老公园)
        "海珠区2024年新增托位多少，宝宝们能不能都入托",  # babies in general
        "How many elderly canteens are near Qianjin Road in Haizhu?",  # a road of Haizhu's
        "Did Haizhu implement Xi Jinping's growth ideas in 2024?",  # a person's name
    ],
)
def test_ordinary_haizhu_questions_a_review_found_refused_are_not(
    engine: Engine, question: str
) -> None:
    refused_as = {"other_place", "request", "procedure", "personal"}
    assert engine.ask(question).reason not in refused_as, question


def test_where_an_event_was_held_is_no_procedure(engine: Engine) -> None:
    """是在哪里办的 asks where it was held, not where to apply."""
    assert engine.ask("琶洲那个音乐节是在哪里办的").reason != "procedure"


def test_a_place_found_in_folded_text_is_named_as_written(engine: Engine) -> None:
    """嗰 is folded to 𠮶 for matching; the refusal names the place with 嗰."""
    answer = engine.ask("我以前住嘅嗰个区2024年有几多长者饭堂？")
    assert answer.reason == "other_place" and "𠮶" not in answer.text and "嗰" in answer.text
