"""Follow-ups: a fragment is read against the asker's last answer; a complete question is not;
a refusal stays a refusal; a number picks a clarify choice; contexts expire and round-trip."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from pinned import TODAY

from bot.conversation import MemoryContextStore
from bot.engine import Context, Engine, fixed
from bot.evaluate import evaluate_conversations, load_conversations

ROOT = Path(__file__).resolve().parent.parent


def talk(engine: Engine, *questions: str) -> list[object]:
    context: Context | None = None
    out = []
    for q in questions:
        answer = engine.ask(q, context)
        context = Context.after(answer, context)
        out.append(answer)
    return out


def test_a_fragment_keeps_the_topic_with_its_new_year_or_aspect(engine: Engine) -> None:
    first, year, aspect = talk(engine, "今年新增多少学位", "那去年呢", "扩班呢")
    assert first.intent == "school_places" and not first.followed  # type: ignore[attr-defined]
    assert year.followed and year.decision == "answer" and "3395" in year.text  # type: ignore[attr-defined]
    assert 2024 in year.years  # type: ignore[attr-defined]
    assert aspect.decision == "answer" and "89" in aspect.text  # type: ignore[attr-defined]
    alone = engine.ask("那去年呢")
    assert alone.decision != "answer"  # without the conversation it says nothing


@pytest.mark.parametrize(
    ("fragment", "reason"),
    [("番禺呢", "other_place"), ("那我家孩子能报吗", "personal"), ("那怎么申请", "procedure")],
)
def test_a_fragment_that_moves_away_is_refused(engine: Engine, fragment: str, reason: str) -> None:
    _, moved, back = talk(engine, "海珠有多少托位", fragment, "那去年呢")
    assert moved.decision == "fallback" and moved.reason == reason  # type: ignore[attr-defined]
    assert back.decision == "answer" and "10921" in back.text  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "reply",
    [
        "谢谢",
        "好的",
        "ok",
        "OK 明白",
        "收到",
        "唔該",
        "嗯",
        "哦",
        "bye",
        "再见",
        "thanks!",
        "i see",
        "asdfgh",
        "thx",
        "ok thx bye",
        "好嘢",
        "得啦 唔該",
        "哈哈好厉害",
        "係咩",
        "88",
    ],
)
def test_a_reply_that_asks_nothing_repeats_no_figures_and_keeps_the_topic(
    engine: Engine, reply: str
) -> None:
    """Thanks, ok, bye, particles or letters nobody writes are said to the bot: they are not
    read against the last answer (which they used to repeat), and the topic before them goes
    on (那去年呢 after them still asks about childcare)."""
    first, said, back = talk(engine, "海珠有多少托位", reply, "那去年呢")
    assert "10921" in first.text  # type: ignore[attr-defined]
    assert not said.followed and "10921" not in said.text  # type: ignore[attr-defined]
    assert said.decision == "fallback" or not said.topical  # type: ignore[attr-defined]
    assert back.followed and "10921" in back.text  # type: ignore[attr-defined]


def test_a_year_the_report_lacks_asked_of_the_last_topic_gets_no_figures(engine: Engine) -> None:
    """After the 2024 GDP, 那前年呢 is told the report has no 2023 figure, with no figures (the
    asker has just read the latest) and the topic offered; the topic goes on after it. Asked
    on its own, or as a comparison (比前年提高多少), the latest figures come under a first line
    saying so, as before."""
    first, before_last, growth = talk(engine, "海珠去年GDP多少", "那前年呢", "增长多少")
    assert "3008.35" in first.text  # type: ignore[attr-defined]
    assert before_last.decision == "fallback" and before_last.reason == "no_period"  # type: ignore[attr-defined]
    assert "2023" in before_last.text and "3008.35" not in before_last.text  # type: ignore[attr-defined]
    assert [r.intent for r in before_last.related] == ["econ_gdp"]  # type: ignore[attr-defined]
    assert growth.decision == "answer" and "5.4" in growth.text  # type: ignore[attr-defined]
    alone = engine.ask("前年GDP是多少")
    assert alone.decision == "answer" and "2023" in alone.text and "3008.35" in alone.text
    _, compared = talk(engine, "去年空气质量达标天数比例多少", "比前年提高多少")
    assert compared.decision == "answer" and "1.6" in compared.text  # type: ignore[attr-defined]


def test_a_short_question_another_topic_answers_only_weakly_may_follow(engine: Engine) -> None:
    """来自多少个国家 matches tourism a little (44.5, by its lead alone) and names none of its
    words: after the algorithm contest it asks about the contest. A question that names the
    other topic's words (交通拥堵点) stays with that topic."""
    first, countries = talk(engine, "琶洲算法大赛一共多少支队伍", "来自多少个国家")
    alone = engine.ask("来自多少个国家")
    assert alone.decision == "answer" and alone.intent != first.intent  # type: ignore[attr-defined]
    assert countries.followed and countries.intent == first.intent  # type: ignore[attr-defined]
    assert "36" in countries.text  # type: ignore[attr-defined]
    _, traffic = talk(engine, "城中村水电气违规加价处罚了多少宗", "交通拥堵点整治了几个")
    assert not traffic.followed and "10" in traffic.text  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("first", "then", "shown"),
    [("天河区GDP增长多少", "那海珠呢", "3008.35"), ("番禺区有多少托位", "海珠呢", "10921")],
)
def test_another_place_refused_offers_haizhus_topic_and_haizhu_follows_it(
    engine: Engine, first: str, then: str, shown: str
) -> None:
    refused, haizhu = talk(engine, first, then)
    assert refused.decision == "fallback" and refused.reason == "other_place"  # type: ignore[attr-defined]
    assert refused.related and shown not in refused.text  # type: ignore[attr-defined]
    assert haizhu.decision == "answer" and haizhu.followed and shown in haizhu.text  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("first", "then", "shown"),
    [
        ("海珠去年新增学位了吗", "多少", "3395"),  # a question word alone still asks
        ("海珠有多少托位", "好的，还有呢", "10921"),  # 好的 before a fragment
        ("海珠有多少托位", "没有了吗", "10921"),  # no goodbye
        ("What was Haizhu's GDP last year?", "yoy?", "5.4"),  # an abbreviation, no gibberish
        ("海珠去年GDP多少", "今年呢", "5.5"),  # the 2025 targets have this year
        ("教育集团有几个", "优质学位呢", "9万"),  # a word the last answer gives a figure of
        ("海珠區高新技術企業有幾多間", "其中四上嘅有幾多", "384"),  # 嘅 is 的
        ("請問海珠區托育位有幾多", "今年目標係咩", "60%"),  # 係咩 asks, as 是什么
    ],
)
def test_what_still_follows_after_an_answer(
    engine: Engine, first: str, then: str, shown: str
) -> None:
    _, followed = talk(engine, first, then)
    assert followed.decision == "answer" and followed.followed, followed  # type: ignore[attr-defined]
    assert shown in followed.text  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("对口帮扶做了哪些工作", "帮扶资金投入多少"),  # no amount of funds
        ("海珠区2024年一般公共预算收入多少", "支出是多少"),  # revenue, no spending
        ("广交会成交额多少", "第136届单独的成交额呢"),  # the two sessions together only
        ("版权十条2.0是什么", "补贴标准是多少"),  # no rate of subsidy
        ("电动自行车整治效果怎么样", "火灾起数具体多少"),  # fires fell 26.6%: no count
        ("海珠治安怎么样", "刑事案件數字係幾多"),  # a trend (两降两升), no number
    ],
)
def test_details_a_second_hostile_tester_found_repeated(
    engine: Engine, first: str, then: str
) -> None:
    _, detail = talk(engine, first, then)
    assert detail.decision == "fallback" and detail.reason == "detail", detail  # type: ignore[attr-defined]


def test_a_topic_the_last_answer_only_lists_is_a_new_one(engine: Engine) -> None:
    """The GDP answer lists 税收 among indicators that lead the city, with no figure of it:
    税收呢 after it asks the tax revenue (found by a hostile tester: it repeated the GDP)."""
    _, tax = talk(engine, "海珠区GDP去年多少", "税收呢")
    assert tax.decision == "answer" and "328.46" in tax.text, tax  # type: ignore[attr-defined]


def test_no_period_in_cantonese_and_of_a_share_keeps_the_script_and_the_topic(
    engine: Engine,
) -> None:
    """咁前年呢 is written alike in both scripts: the conversation's (traditional) goes on, and
    it asks the GDP's 2023, not the R&D figures (2023's only). 那前年的占比呢 asks a share's
    2023, no comparison."""
    _, before_last = talk(engine, "海珠區去年GDP係幾多", "咁前年呢")
    assert before_last.reason == "no_period" and before_last.script == "traditional"  # type: ignore[attr-defined]
    assert "沒有2023年" in before_last.text  # type: ignore[attr-defined]
    _, share = talk(engine, "海珠普惠托位占比多少", "那前年的占比呢")
    assert share.reason == "no_period"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("first", "then"),
    [("What was Haizhu's GDP in 2024?", "and the year before?"), ("海珠GDP多少", "上一年呢")],
)
def test_the_year_before_counts_from_the_last_answers_year(
    engine: Engine, first: str, then: str
) -> None:
    """The year before is 2023 whether the last question named 2024 or only its answer did:
    the report has no 2023 GDP, so it says so (no figures). Asked on 2026-12-03 it is the same
    year: counted from the answer, not from today."""
    _, before = talk(engine, first, then)
    assert before.reason == "no_period" and "2023" in before.text, before  # type: ignore[attr-defined]
    later = Engine.load(ROOT / "intents", ROOT / "data", clock=fixed(date(2026, 12, 3)))
    _, before = talk(later, first, then)
    assert before.reason == "no_period" and "2023" in before.text, before  # type: ignore[attr-defined]


def test_a_detail_the_fragment_asks_counts_when_it_is_joined(engine: Engine) -> None:
    """海珠哪条街研发投入最多 asks by street, which the R&D answer does not give: refused alone,
    and after the R&D answer too (joined to it, the clause was no asking clause)."""
    alone = engine.ask("海珠邊條街研發投入最多")
    _, followed = talk(engine, "海珠研发经费总量是多少", "海珠邊條街研發投入最多")
    assert alone.reason == "detail" and followed.reason == "detail", followed  # type: ignore[attr-defined]


def test_an_amount_asked_after_a_change_is_a_level_the_report_may_not_give(
    engine: Engine,
) -> None:
    """After 规上工业总产值涨了多少 (8.0%), 总产值具体多少亿 asks the output value itself, which the
    report does not give; 今年目标 after it asks the growth target, which it does (10%)."""
    _, amount = talk(engine, "规上工业总产值涨了多少", "总产值具体多少亿")
    assert amount.decision == "fallback" and amount.reason == "detail", amount  # type: ignore[attr-defined]
    _, target = talk(engine, "规上工业总产值去年增长多少", "今年目标")
    assert target.decision == "answer" and "10%" in target.text, target  # type: ignore[attr-defined]


def test_a_follow_up_counting_things_the_answer_never_names_is_a_detail(engine: Engine) -> None:
    """有几家餐厅 after the new dining space (2.4万平方米, no restaurant named) asks a count the
    report never makes; 多少家企业参与了 after the trade-in answer (341家企业参与) does not."""
    _, restaurants = talk(engine, "琶醍二期跟广报中心新增了多少餐饮面积", "有几家餐厅")
    assert restaurants.decision == "fallback" and restaurants.reason == "detail"  # type: ignore[attr-defined]
    _, firms = talk(engine, "以旧换新拉动了多少消费", "多少家企业参与了")
    assert firms.decision == "answer" and "341" in firms.text  # type: ignore[attr-defined]


@pytest.mark.parametrize("question", ["不是", "真的吗"])
def test_a_question_near_two_replies_but_made_of_neither_is_not_one(
    engine: Engine, question: str
) -> None:
    answer = engine.ask(question)
    assert answer.decision == "fallback" and answer.reason == "low_score"


def test_a_reply_with_a_time_has_no_time_note(engine: Engine) -> None:
    answer = engine.ask("好的，那去年呢")
    assert not answer.topical and "2024" not in answer.text


def test_an_answer_about_the_bot_itself_leaves_the_context_as_it_was(engine: Engine) -> None:
    before = Context.after(engine.ask("海珠有多少托位"))
    thanks = engine.ask("谢谢", before)
    assert thanks.decision == "answer" and not thanks.topical
    assert Context.after(thanks, before) == before
    assert Context.after(thanks) is None


@pytest.mark.parametrize("reply", ["ok", "PM10?"])
def test_a_message_that_tells_no_language_keeps_the_conversations(
    engine: Engine, reply: str
) -> None:
    # (found by the eighth session's hostile tester: both were answered in Chinese)
    first, then = talk(engine, "What's the air quality like in Haizhu?", reply)
    assert first.lang == "en" and then.lang == "en", then.text  # type: ignore[attr-defined]
    assert not has_chinese_only(then.text)  # type: ignore[attr-defined]
    alone = engine.ask(reply)
    assert alone.lang == "zh"  # (with nothing before it, as before)


def has_chinese_only(text: str) -> bool:
    """Chinese text with no English words (an English answer quotes Chinese names)."""
    return not any(ch.isascii() and ch.isalpha() for ch in text)


def test_thanks_in_cantonese_and_colloquial_is_thanks_in_the_askers_script(engine: Engine) -> None:
    cantonese = engine.ask("多謝晒")  # 謝 traditional; 晒 as Hong Kong writes it
    assert cantonese.script == "traditional" and "不客氣" in cantonese.text
    after = talk(engine, "托位有多少个", "谢了")[1]
    assert not after.topical and "10921" not in after.text  # type: ignore[attr-defined]


def test_a_target_asked_after_results_is_the_plan_years(engine: Engine) -> None:
    # (found by the eighth session's hostile tester: "and the target?" after the 2024 GDP said
    # the report had no 2024 figure; 那今年目标呢 after 每千人多少个 gave the AI model plans)
    target = talk(engine, "What was Haizhu's GDP in 2024?", "and the target?")[1]
    assert "5.5" in target.text and "no 2024" not in target.text  # type: ignore[attr-defined]
    plan = talk(engine, "2024年托位有多少个", "那目标呢")[1]
    assert plan.intents == ("childcare_plan_2025",) and "60" in plan.text  # type: ignore[attr-defined]
    later = talk(engine, "托位有多少个", "普惠的占比多少", "每千人多少个", "那今年目标呢")[3]
    assert later.intents == ("childcare_plan_2025",), later.text  # type: ignore[attr-defined]


def test_a_target_asked_of_a_topic_with_none_is_not_a_related_topics_plan(engine: Engine) -> None:
    # (reviewer's finding of the eighth session: 那今年目标呢 after the air quality gave the rivers'
    # targets, a related topic whose plan never names the air)
    target = talk(engine, "海珠空气质量怎么样", "那今年目标呢")[1]
    assert target.reason == "no_period" and "2025" in target.text  # type: ignore[attr-defined]
    assert "考核目标" not in target.text  # type: ignore[attr-defined]


def test_a_fragment_after_a_which_one_question_does_not_fail(engine: Engine) -> None:
    # (found by the reviewer: the family check read a topic's name after "which one did you
    # mean?", which has none, and raised IndexError)
    for fragment in ("目标呢", "增长多少"):
        first, then = talk(engine, "今年新增多少个", fragment)
        assert first.decision == "clarify"  # type: ignore[attr-defined]
        assert then.decision in ("answer", "clarify", "fallback")  # type: ignore[attr-defined]


def test_whether_a_plan_was_met_is_asked_of_its_year(engine: Engine) -> None:
    # (found by the reviewer: 完成计划了吗 after the air quality got the rivers' 2025 plan)
    done = talk(engine, "空气质量怎么样", "完成计划了吗")[1]
    assert done.intents == ("env_air_quality",), done.text  # type: ignore[attr-defined]


def test_the_bay_area_is_no_area_asked(engine: Engine) -> None:
    # (found by the newcomer check: "and the Bay Area?" was refused as an area the report lacks)
    then = talk(engine, "What challenges does the report mention?", "and the Bay Area?")[1]
    assert then.reason != "detail", then.text  # type: ignore[attr-defined]
    assert engine.ask("How big is Haizhu Wetland in area?").reason == "detail"
    # (found by the hostile tester: "area?" after the population got the Bay Area's answer,
    # whose name held the word)
    area = talk(engine, "What is the population of Haizhu?", "area?")[1]
    assert area.decision != "answer", area.text  # type: ignore[attr-defined]


def test_an_acronym_tells_no_language(engine: Engine) -> None:
    then = talk(engine, "海珠区GDP多少", "GDP?")[1]
    assert then.lang == "zh"  # type: ignore[attr-defined]


def test_a_complete_new_question_is_not_bent_by_the_old_topic(engine: Engine) -> None:
    for first in ("今年新增多少学位", "海珠有多少托位", "重点项目动工了几个"):
        for question in (
            "长者饭堂有多少个",
            "托位有多少",
            "How many new school places were added?",
        ):
            alone = engine.ask(question)
            _, followed = talk(engine, first, question)
            assert followed.intent == alone.intent, (first, question)  # type: ignore[attr-defined]


def test_a_number_or_the_words_of_a_choice_pick_it(engine: Engine) -> None:
    ambiguous = engine.ask("今年新增多少个")
    assert ambiguous.decision == "clarify"
    context = Context.after(ambiguous)
    assert context is not None and context.choices
    second = engine.ask("2", context)
    assert second.decision == "answer" and second.intent == ambiguous.candidates[1].intent
    title = ambiguous.candidates[0].title
    named = engine.ask(title, context)
    assert named.intent == ambiguous.candidates[0].intent
    assert engine.ask("9", context).intent != ambiguous.candidates[0].intent  # no such choice


def test_context_round_trips_and_rejects_damage() -> None:
    ctx = Context("海珠有多少托位", "zh", "traditional", ("childcare_places",), (2024,), ("a", "b"))
    assert Context.from_json(ctx.to_json()) == ctx
    assert Context.from_json("not json") is None
    assert Context.from_json(json.dumps({"understood": "x", "lang": "fr", "script": "s"})) is None


def test_the_memory_store_forgets_after_its_time_and_keeps_a_bound() -> None:
    now = [0.0]
    store = MemoryContextStore(ttl=600, max_entries=2, clock=lambda: now[0])
    ctx = Context("q", "zh", "simplified", ("x",))
    store.put(1, 10, ctx)
    now[0] = 599
    assert store.get(1, 10) == ctx and store.get(1, 11) is None and store.get(2, 10) is None
    now[0] = 600
    assert store.get(1, 10) is None  # ten minutes later: a new conversation
    for asker in range(5):
        store.put(1, asker, ctx)
    assert len(store) == 2 and store.get(1, 4) == ctx and store.get(1, 0) is None
    store.forget(1, 4)
    assert store.get(1, 4) is None
    MemoryContextStore(ttl=0).put(1, 1, ctx)  # 0 minutes: context off, nothing kept


def test_conversations_written_apart_from_the_intents(engine: Engine) -> None:
    """tests/eval/conversations.yaml (118 conversations by an author who read only the report);
    floors a little under what was measured (README, "Accuracy")."""
    report = evaluate_conversations(
        engine, load_conversations(ROOT / "tests" / "eval" / "conversations.yaml", TODAY)
    )
    kinds = report.by_category()
    assert kinds["followup"][1] >= 150 and len(report.conversations) >= 100
    ok, total = kinds["followup"]
    assert ok / total >= 0.88
    assert kinds["followup-refused"][0] == kinds["followup-refused"][1]


@pytest.mark.parametrize(
    ("name", "turns", "answered_floor", "refused_floor"),
    [
        # 70 conversations, 166 follow-ups, half to refuse (a detail the answer does not give,
        # another place, a personal case, a procedure, a request in fragment form): refused
        # 60/83 as written, 67/83 after the third session, 80/83 after the fourth (具体是哪几间
        # after 18间社区卫生服务中心 had passed on 东、西片区; a total investment, what is on next,
        # a part with 其中)
        ("conversations_5", 160, 0.9, 0.93),
        # 70 conversations, 203 follow-ups, 93 to refuse (mostly which ones by name after a count
        # the answer gives without naming them): refused 57/93 as written, 78/93 after (answered
        # 104/110 both times); which ones of many are shown only by an answer that names some of
        # the things it counts
        ("conversations_6", 200, 0.93, 0.82),
        # 70 conversations, 230 follow-ups (92 to refuse, evenly a detail, another place, a
        # personal case, a procedure, a request), written late in the fourth session: answered
        # 127/138 and refused 86/92 as written, 131/138 and 91/92 after (translations, tables
        # and summaries as requests; who operates it, per person a month, a total of fines)
        ("conversations_7", 220, 0.9, 0.95),
        # 70 conversations, 210 follow-ups, half asking what the report does not say of the thing
        # just answered (a fee, how long, who won, the output value, which district is first),
        # written late in the fourth session: refused 68/105 as written, 84/105 after (answered
        # 97/105 both)
        ("conversations_8", 210, 0.9, 0.78),
        # 50 conversations, 199 follow-ups, 96 to refuse (details, other places, personal cases,
        # procedures, requests, alternating with answers), written at the start of the fifth
        # session of 2026-12-03: answered 94/103 and refused 77/96 as written, 98/103 and 84/96
        # after (when it is done, where it is, which has the most, the last answer's own words)
        ("conversations_9", 199, 0.93, 0.85),
        # 45 conversations of 4 to 6 turns that drift, 209 follow-ups, 82 to refuse, written
        # mid-way through that session: answered 116/127 and refused 66/82 as it arrived (the
        # start code: 114/127 and 64/82), 121/127 and 71/82 after
        ("conversations_10", 209, 0.93, 0.84),
        # 45 conversations as chats really go, 204 follow-ups, 80 to refuse (a quarter of them
        # thanks, ok, bye, which must get no figures), written at the start of the sixth
        # session of 2026-12-03: answered 117/124 and refused 45/80 as written (a thank-you
        # then repeated the last answer), 119/124 and 65/80 after
        ("conversations_11", 204, 0.94, 0.8),
        # 60 conversations, 220 follow-ups, 90 to refuse (details of the same topic the report
        # lacks, years, places, personal cases, procedures, requests), written at the start of
        # the seventh session of 2026-12-03: answered 116/130 and refused 69/90 as written,
        # 120/130 and 78/90 after
        ("conversations_12", 220, 0.89, 0.85),
        # 60 conversations, 224 follow-ups, 89 to refuse (the same kinds, over every section,
        # the difficulties the report names and its glossary), written at the start of the
        # eighth session of 2026-12-03: answered 119/135 and refused 79/89 as written
        ("conversations_13", 224, 0.87, 0.88),
        # 77 conversations, 183 follow-ups, 94 to refuse (a move to another place, in Chinese,
        # Cantonese and English), by a hostile tester who asked the bot, first session of
        # 2026-12-05: answered 58/89 and refused 67/94 with its start code, 63/89 and 84/94
        # after; most answered ones missed compare Haizhu with the place just refused (那海珠
        # 比天河多吗), refused as another place, as the held-out authors expect
        ("conversations_places", 183, 0.7, 0.89),
    ],
)
def test_conversations_5_to_13_refusals_inside_conversations(
    engine: Engine, name: str, turns: int, answered_floor: float, refused_floor: float
) -> None:
    """tests/eval/conversations_5.yaml to conversations_13.yaml, each by another author who
    read only the report, and worked from."""
    report = evaluate_conversations(
        engine, load_conversations(ROOT / "tests" / "eval" / f"{name}.yaml", TODAY)
    )
    kinds = report.by_category()
    answered, asked = kinds["followup"]
    refused, to_refuse = kinds["followup-refused"]
    assert asked + to_refuse >= turns
    assert answered / asked >= answered_floor and refused / to_refuse >= refused_floor


def test_ask_conversation_as_the_readme_writes_it() -> None:
    lines = "海珠有多少托位\n普惠的占多少\n番禺呢\n\n那去年呢\n"
    out = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", "--conversation"],
        input=lines,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["question"] for r in rows] == ["海珠有多少托位", "普惠的占多少", "番禺呢", "那去年呢"]
    assert "36.6" in rows[1]["answer"]
    assert rows[2]["decision"] == "fallback"
    assert rows[3]["decision"] != "answer" and not rows[3]["followed"]  # a new conversation


def test_held_out_conversations(engine: Engine) -> None:
    """tests/eval/conversations_holdout.yaml: another author, never used for tuning (only its
    totals were looked at)."""
    report = evaluate_conversations(
        engine, load_conversations(ROOT / "tests" / "eval" / "conversations_holdout.yaml", TODAY)
    )
    kinds = report.by_category()
    ok, total = kinds["followup"]
    assert total >= 70 and ok / total >= 0.9
    assert kinds["followup-refused"][0] == kinds["followup-refused"][1]


@pytest.mark.parametrize(
    ("name", "turns", "floor", "refused_floor"),
    [
        # 107 conversations (188 follow-ups, 46 to refuse) by yet another author: follow-ups
        # 174/188 = 92.6% as written
        ("conversations_holdout_2", 150, 0.9, 0.95),
        # 70 conversations (230 follow-ups, 47 to refuse) by a third held-out author, written at
        # the end of the second session of 2026-12-03: follow-ups 218/230 = 94.8% as written
        # (answered 171/183, refused 47/47)
        ("conversations_holdout_3", 230, 0.94, 1.0),
        # 60 conversations (227 follow-ups, 59 to refuse) by a fourth held-out author, written at
        # the start of the third session of 2026-12-03 and measured at its end: follow-ups
        # 206/227 = 90.7% as written (answered 160/168, refused 46/59)
        ("conversations_holdout_4", 227, 0.9, 0.77),
        # 60 conversations (229 follow-ups, 59 to refuse) by a fifth held-out author, written at
        # the start of the fourth session of 2026-12-03 and measured at its end: follow-ups
        # 205/229 = 89.5% (answered 161/170, refused 44/59; the session's start code 202/229)
        ("conversations_holdout_5", 229, 0.88, 0.72),
        # 60 conversations (222 follow-ups, 57 to refuse) by a sixth held-out author, written
        # late in that session, after most of its work: follow-ups 194/222 = 87.4% (answered
        # 157/165, refused 37/57; the session's start code 191/222)
        ("conversations_holdout_6", 222, 0.86, 0.63),
        # 60 conversations (232 follow-ups, 63 to refuse) by a seventh held-out author, written
        # at the start of the fifth session of 2026-12-03, measured once near its end:
        # follow-ups 206/232 = 88.8% (answered 156/169, refused 50/63; the start code 200/232)
        ("conversations_holdout_7", 232, 0.88, 0.78),
        # 60 conversations (239 follow-ups, 61 to refuse) by an eighth held-out author, written
        # mid-way through that session, measured once near its end: follow-ups 220/239 = 92.1%
        # (answered 174/178, refused 46/61; the start code 212/239). The sixth session's rule for
        # a short question another topic answers only weakly: 220/239 still, answered 175,
        # refused 45 (a later turn's context changes)
        ("conversations_holdout_8", 239, 0.91, 0.73),
        # 60 conversations (232 follow-up turns, 62 to refuse) by a ninth held-out author,
        # written at the start of the sixth session of 2026-12-03, measured near its end:
        # follow-ups 208/232 = 89.7% (answered 162/170, refused 46/62) twice, then 209/232 at
        # the session's final code (answered 163); the start code: 209/232 (answered 163)
        ("conversations_holdout_9", 232, 0.89, 0.73),
        # 60 conversations (227 follow-up turns, 60 to refuse) by a tenth held-out author,
        # written mid-way through that session, measured once at its end: follow-ups 201/227 =
        # 88.5% (answered 156/167, refused 45/60); the session's start code: 200/227
        ("conversations_holdout_10", 227, 0.88, 0.74),
        # 60 conversations (230 follow-up turns, 62 to refuse) by an eleventh held-out author,
        # written at the start of the seventh session of 2026-12-03, measured then (the
        # session's start code: 214/230 = 93.0%, answered 161/168, refused 53/62) and at its end
        ("conversations_holdout_11", 230, 0.92, 0.83),
        # 60 conversations (235 follow-up turns, 67 to refuse) by a twelfth held-out author,
        # written at the start of the eighth session of 2026-12-03, measured then (the start
        # code: 219/235 = 93.2%, answered 161/168, refused 58/67) and at its end
        ("conversations_holdout_12", 235, 0.93, 0.86),
        # 60 conversations (231 follow-up turns, 60 to refuse) by a thirteenth held-out author,
        # written at the start of the first session of 2026-12-04, measured then (the start
        # code: 217/231 = 93.9%, answered 166/171, refused 51/60) and at its end
        ("conversations_holdout_13", 231, 0.93, 0.85),
        # 60 conversations (230 follow-up turns, 59 to refuse) by a fourteenth held-out author,
        # written in the sixth session of 2026-12-04, measured then with the session's start
        # code and its code after the other-place work (both: 226/230 = 98.3%, answered
        # 167/171, refused 59/59; first turns 60/60)
        ("conversations_holdout_14", 230, 0.98, 0.98),
        # written at the start of the second session of 2026-12-05 by a fifteenth author,
        # measured with its start and its end code (both: 228/238 = 95.8%, answered 167/174,
        # refused 61/64; first turns 58/60; 51/60 conversations right throughout)
        ("conversations_holdout_15", 238, 0.95, 0.95),
    ],
)
def test_held_out_conversations_2_to_15(
    engine: Engine, name: str, turns: int, floor: float, refused_floor: float
) -> None:
    """Held-out conversations, never used for tuning (only totals looked at)."""
    report = evaluate_conversations(
        engine, load_conversations(ROOT / "tests" / "eval" / f"{name}.yaml", TODAY)
    )
    kinds = report.by_category()
    answered, asked = kinds["followup"]
    refused, to_refuse = kinds["followup-refused"]
    assert asked + to_refuse >= turns
    assert (answered + refused) / (asked + to_refuse) >= floor
    assert refused / to_refuse >= refused_floor
