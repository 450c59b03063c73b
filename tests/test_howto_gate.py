"""Procedures, requests, several things at once and comparisons (tests/eval/howto_questions.yaml,
written from the report alone by an author who never saw the intents), and the third held-out
set (tests/eval/holdout_3.yaml: another author, never used for tuning; only its totals were
looked at). Floors sit a little under what was measured (see README, "Accuracy")."""

from __future__ import annotations

from pathlib import Path

import pytest
from pinned import TODAY

from bot.engine import Engine
from bot.evaluate import Report, evaluate, load_cases

EVAL = Path(__file__).resolve().parent / "eval"
HOWTO_FLOORS = {"procedure": 0.95, "request": 1.0, "multi": 0.82, "compare": 0.72, "core": 1.0}
HOLDOUT_FLOORS = {"otherplace": 1.0, "ALL": 0.96}
REFUSAL_CATEGORIES = ("offtopic", "otherplace", "personal", "procedure", "request")
CORE_CATEGORIES = ("schools", "childcare", "projects", "other")


def share(by: dict[str, tuple[int, int]], categories: tuple[str, ...]) -> float:
    """Right answers over questions, the categories together."""
    return sum(by[c][0] for c in categories) / sum(by[c][1] for c in categories)


def answered_lookalikes(report: Report) -> list[str]:
    """The look-alikes missed by answering them with other figures (not by refusing)."""
    return [
        r.case.q
        for r in report.results
        if r.case.category == "lookalike" and not r.passed and r.answer.decision == "answer"
    ]


# tests/eval/refusals_2.yaml: 160 refusals by another author (procedures, requests, other places,
# personal cases, fragments as a first message); looked into and worked from (see README)
REFUSALS_2_FLOORS = {
    "procedure": 0.97,
    "request": 1.0,
    "other_place": 0.95,
    "personal": 0.95,
    "fragment": 0.9,
}


@pytest.fixture(scope="module")
def howto(engine: Engine) -> Report:
    return evaluate(engine, load_cases(EVAL / "howto_questions.yaml", TODAY))


@pytest.fixture(scope="module")
def holdout(engine: Engine) -> Report:
    return evaluate(engine, load_cases(EVAL / "holdout_3.yaml", TODAY))


@pytest.mark.parametrize("category", sorted(HOWTO_FLOORS))
def test_howto_categories(howto: Report, category: str) -> None:
    ok, total = howto.by_category()[category]
    failures = [r.case.q for r in howto.results if r.case.category == category and not r.passed]
    assert total >= 10 and ok / total >= HOWTO_FLOORS[category], failures


def test_holdout_3(holdout: Report) -> None:
    assert len(holdout.results) >= 250
    ok, total = holdout.by_category()["otherplace"]
    assert ok == total  # never another place's question answered with Haizhu's figures
    assert holdout.accuracy >= HOLDOUT_FLOORS["ALL"]
    by = holdout.by_category()
    assert share(by, REFUSAL_CATEGORIES) >= 0.95, by  # the target for refusals


def test_held_out_refusals_3(engine: Engine) -> None:
    """tests/eval/refusals_3.yaml: 120 refusals by yet another author, never used for tuning
    (only the total is looked at): 81.7% before the refusal work, 95.0% after it."""
    report = evaluate(engine, load_cases(EVAL / "refusals_3.yaml", TODAY))
    assert len(report.results) >= 120
    assert report.accuracy >= 0.93


def test_held_out_4(engine: Engine) -> None:
    """tests/eval/holdout_4.yaml: 320 questions (160 to refuse) by another author, never used
    for tuning (only totals are looked at): 92.8% as written, refusals 88.8%, other places 41/45."""
    report = evaluate(engine, load_cases(EVAL / "holdout_4.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 300 and report.accuracy >= 0.93
    assert share(by, REFUSAL_CATEGORIES) >= 0.9, by
    assert share(by, CORE_CATEGORIES[:3]) >= 0.95


def test_held_out_5(engine: Engine) -> None:
    """tests/eval/holdout_5.yaml: 330 questions (160 to refuse) by a fifth held-out author, never
    used for tuning (only totals are looked at): 92.4% as written; refusals 149/160, other places
    45/45, the four core categories 156/170."""
    report = evaluate(engine, load_cases(EVAL / "holdout_5.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 330 and report.accuracy >= 0.92
    assert share(by, REFUSAL_CATEGORIES) >= 0.93, by
    assert by["otherplace"][0] == by["otherplace"][1]
    assert share(by, CORE_CATEGORIES) >= 0.91


def test_held_out_6(engine: Engine) -> None:
    """tests/eval/holdout_6.yaml: 320 questions (160 to refuse) by a sixth held-out author,
    written 2026-12-03 after this session's work and never used for tuning (only totals are
    looked at): 303/320 = 94.7% as written; core 156/160, refusals 147/160, other places 37/40."""
    report = evaluate(engine, load_cases(EVAL / "holdout_6.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 320 and report.accuracy >= 0.94
    assert share(by, REFUSAL_CATEGORIES) >= 0.91, by
    assert share(by, CORE_CATEGORIES) >= 0.96


def test_held_out_7(engine: Engine) -> None:
    """tests/eval/holdout_7.yaml: 320 questions (160 to refuse) by a seventh held-out author,
    written 2026-12-03 at the start of that session's work and never used for tuning (only
    totals are looked at): 308/320 = 96.3% as written; core 155/160, refusals 153/160, other
    places 38/40."""
    report = evaluate(engine, load_cases(EVAL / "holdout_7.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 320 and report.accuracy >= 0.96
    assert share(by, REFUSAL_CATEGORIES) >= 0.95, by
    assert share(by, CORE_CATEGORIES) >= 0.96


def test_held_out_8(engine: Engine) -> None:
    """tests/eval/holdout_8.yaml: 320 questions (160 to refuse) by an eighth held-out author,
    written at the end of the second session of 2026-12-03, after its work, and never used for
    tuning (only totals are looked at): 301/320 = 94.1% as written; core 156/160, refusals
    145/160 (off-topic 18/30), other places 40/40."""
    report = evaluate(engine, load_cases(EVAL / "holdout_8.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 320 and report.accuracy >= 0.94
    assert share(by, REFUSAL_CATEGORIES) >= 0.9, by
    assert by["otherplace"][0] == by["otherplace"][1]
    assert share(by, CORE_CATEGORIES) >= 0.97


@pytest.mark.parametrize(
    ("name", "accuracy", "core", "refusals", "places"),
    [
        # written at the start of the third session of 2026-12-03, measured only at its end:
        # 303/320 = 94.7% as written; core 159/160, refusals 144/160 (off-topic 18/30)
        ("holdout_9", 0.94, 0.98, 0.89, 40),
        # written near the end of that session, after most of its work: 298/320 = 93.1% as
        # written; core 154/160, refusals 144/160 (off-topic 21/30, procedures 31/35)
        ("holdout_10", 0.92, 0.95, 0.89, 40),
        # written at the start of the fourth session of 2026-12-03, measured only at its end:
        # 310/320 = 96.9%; core 158/160, refusals 152/160 = 95.0% (off-topic 25/30); the
        # session's start code: 309/320 (refusals 151/160)
        ("holdout_11", 0.96, 0.97, 0.94, 40),
        # written late in that session, after most of its work: 305/320 = 95.3%; core 157/160,
        # refusals 148/160 = 92.5% (off-topic 20/30); the session's start code: 302/320
        ("holdout_12", 0.94, 0.97, 0.91, 40),
        # written at the start of the fifth session of 2026-12-03, measured once near its end:
        # 304/320 = 95.0%; core 152/160, refusals 152/160 = 95.0% (off-topic 24/30); the
        # session's start code: 303/320 (core 153, refusals 150)
        ("holdout_13", 0.94, 0.94, 0.94, 40),
        # written mid-way through that session, measured once near its end: 304/320; core
        # 157/160, refusals 147/160 = 91.9% (off-topic 19/30), other places 39/40; the start
        # code: 303/320 (core 156, refusals 147, other places 39/40)
        ("holdout_14", 0.94, 0.97, 0.91, 39),
        # written at the start of the sixth session of 2026-12-03, measured once near its end:
        # 301/320 = 94.1% (the start code too); core 155/160 = 96.9%, refusals 146/160 =
        # 91.3% (off-topic 20/30, personal 33/35, procedures 33/35), other places 40/40
        ("holdout_15", 0.93, 0.96, 0.9, 40),
        # written mid-way through that session, after most of its work, measured once at its
        # end: 311/320 = 97.2% (the start code too); core 158/160, refusals 153/160 = 95.6%
        # (off-topic 24/30), other places 40/40
        ("holdout_16", 0.96, 0.98, 0.95, 40),
        # written at the start of the seventh session of 2026-12-03, measured then (the start
        # code: 307/320; core 155/160 = 96.9%, refusals 152/160 = 95.0%, off-topic 23/30,
        # other places 40/40) and at its end
        ("holdout_17", 0.95, 0.96, 0.95, 40),
        # written at the start of the eighth session of 2026-12-03, measured then (the start
        # code: 302/320; core 151/160 = 94.4%, schools 34/40; refusals 151/160 = 94.4%,
        # off-topic 25/30; other places 40/40) and at its end
        ("holdout_18", 0.94, 0.95, 0.94, 40),
        # written at the start of the first session of 2026-12-04, measured then (the start
        # code: 308/320; core 159/160 = 99.4%; refusals 149/160 = 93.1%, off-topic 25/30,
        # personal 32/35, procedures 32/35; other places 40/40) and at its end
        ("holdout_19", 0.96, 0.99, 0.93, 40),
        # written mid-way through that session, after most of its work, measured then (303/320
        # with the session's start code, 304/320 then: core 153/160 = 95.6%, schools 37/40,
        # childcare 37/40; refusals 151/160 = 94.4%, off-topic 24/30, personal 32/35) and at
        # its end
        ("holdout_20", 0.94, 0.95, 0.94, 40),
        # written at the start of the second session of 2026-12-04, measured then (the start
        # code: 300/320; core 150/160 = 93.8%, schools 35/40; refusals 150/160 = 93.8%,
        # off-topic 22/30, other places 39/40) and at its end
        ("holdout_21", 0.93, 0.93, 0.93, 39),
        # written at the end of that session, measured then with its start and its end code
        # (296/320 both: core 148/160 = 92.5%, schools 37/40, projects 36/40; refusals 148/160
        # = 92.5%, off-topic 22/30, other places 39/40)
        ("holdout_22", 0.92, 0.92, 0.92, 39),
        # written at the start of the third session of 2026-12-04, measured then (the start
        # code: 308/320; core 153/160 = 95.6%, childcare 36/40; refusals 155/160 = 96.9%,
        # other places 39/40) and at its end (309/320; core 154/160 = 96.3%)
        ("holdout_23", 0.96, 0.96, 0.96, 39),
        # written late in that session, after most of its work, measured then with its start
        # and its end code (311/320 both: core 155/160 = 96.9%; refusals 156/160 = 97.5%, other
        # places 39/40, personal 33/35)
        ("holdout_24", 0.96, 0.96, 0.96, 39),
        # written at the start of the fourth session of 2026-12-04 by a twenty-fifth author,
        # measured with that session's start code and after its first changes (306/320 both:
        # core 154/160 = 96.3%; refusals 152/160 = 95.0%, other places 40/40)
        ("holdout_25", 0.95, 0.96, 0.95, 40),
        # written late in that session, after most of its work, by a twenty-sixth author,
        # measured then with its start and its end code (308/320 both: core 154/160 = 96.3%;
        # refusals 154/160 = 96.3%, other places 40/40)
        ("holdout_26", 0.96, 0.96, 0.96, 40),
        # written at the start of the fifth session of 2026-12-04 by a twenty-seventh author,
        # measured with that session's start code (317/320: core 158/160 = 98.8%; refusals
        # 159/160 = 99.4%, other places 40/40)
        ("holdout_27", 0.99, 0.98, 0.99, 40),
        # written late in that session, after most of its work, by a twenty-eighth author,
        # measured then with its start and its end code (316/320 both: core 156/160 = 97.5%;
        # refusals 160/160, other places 40/40)
        ("holdout_28", 0.98, 0.97, 1.0, 40),
        # written at the start of the sixth session of 2026-12-04 by a twenty-ninth author,
        # measured with that session's start code (316/320: core 159/160 = 99.4%; refusals
        # 157/160 = 98.1%, other places 39/40)
        ("holdout_29", 0.98, 0.99, 0.98, 39),
        # written at the start of the first session of 2026-12-05 by a thirtieth author,
        # measured with that session's start code (314/320: core 157/160 = 98.1%; refusals
        # 157/160 = 98.1%, other places 40/40)
        ("holdout_30", 0.98, 0.98, 0.98, 40),
        # written at the start of the second session of 2026-12-05 by a thirty-first author,
        # measured with that session's start and end code (312/320 both: core 160/160;
        # refusals 152/160 = 95.0%, other places 40/40, off-topic 22/30)
        ("holdout_31", 0.97, 0.99, 0.95, 40),
        # written at the start of the third session of 2026-12-05 by a thirty-second author,
        # its totals seen along the way: 286/320 with the start code as written (23 English
        # answers show a figure without its Chinese measure word, which the judge now allows),
        # 309/320 with the start code (core 158/160, refusals 151/160), 310/320 at the end
        # (core 158/160 = 98.8%; refusals 152/160 = 95.0%, other places 40/40)
        ("holdout_32", 0.96, 0.98, 0.95, 40),
        # written mid-way through that session by a thirty-third author, measured once at its
        # end with the start and the end code: 308/320 and 310/320 (core 156/160 = 97.5% both;
        # refusals 152/160 -> 154/160 = 96.3%, other places 38/40 both)
        ("holdout_33", 0.96, 0.97, 0.96, 38),
        # written near that session's end by a thirty-fourth author, measured once with the
        # start and the end code: 307/320 and 308/320 (core 153/160 = 95.6% both; refusals
        # 154/160 -> 155/160 = 96.9%, other places 40/40)
        ("holdout_34", 0.96, 0.95, 0.96, 40),
    ],
)
def test_held_out_9_to_34(
    engine: Engine, name: str, accuracy: float, core: float, refusals: float, places: int
) -> None:
    """tests/eval/holdout_9.yaml to holdout_34.yaml: 320 questions each (160 to refuse) by a
    ninth to a thirty-fourth held-out author, never used for tuning (only totals are looked at).
    Other places 40/40 in all but nos. 14, 21 to 24 and 29 (39/40) and 33 (38/40)."""
    report = evaluate(engine, load_cases(EVAL / f"{name}.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 320 and report.accuracy >= accuracy
    assert share(by, REFUSAL_CATEGORIES) >= refusals, by
    assert by["otherplace"][0] >= places
    assert share(by, CORE_CATEGORIES) >= core


@pytest.mark.parametrize(
    ("name", "size"),
    [("refusals_5", 260), ("refusals_6", 260), ("refusals_7", 260), ("refusals_8", 240)],
)
def test_refusals_5_to_8(engine: Engine, name: str, size: int) -> None:
    """tests/eval/refusals_5.yaml to refusals_8.yaml: 240-260 questions each by a fifth to an
    eighth author (refusals, and 60 look-alikes the report does answer); looked into and worked
    from: 86.5%, 83.8%, 86.9% and 85.0% as written, 97.3%, 97.7%, 96.5% and 97.9% after.
    Look-alikes keep a refusal from being bought with answers lost."""
    report = evaluate(engine, load_cases(EVAL / f"{name}.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= size and report.accuracy >= 0.94
    ok, total = by["lookalike"]
    assert total >= 60 and ok / total >= 0.95
    assert all(ok / total >= 0.85 for ok, total in by.values()), by


@pytest.mark.parametrize(("name", "refused_at"), [("refusals_9", 0.98), ("refusals_10", 0.97)])
def test_refusals_9_and_10(engine: Engine, name: str, refused_at: float) -> None:
    """tests/eval/refusals_9.yaml and refusals_10.yaml: 200 refusals and 60 look-alikes that
    hold refusal words (门票唔使理住, my grandmother wants to know…), a twelfth and a
    thirteenth author; worked from: 87.7% and 89.6% as written, 95.4% and 95.8% after. Their
    look-alikes are the hardest yet (83-85% now): each missed one is refused, never answered
    with other figures."""
    report = evaluate(engine, load_cases(EVAL / f"{name}.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 260 and report.accuracy >= 0.95
    refusals = [by[c] for c in by if c != "lookalike"]
    assert sum(ok for ok, _ in refusals) / sum(total for _, total in refusals) >= refused_at
    ok, total = by["lookalike"]
    assert ok / total >= 0.8
    wrong = answered_lookalikes(report)
    assert not wrong, wrong  # a look-alike missed is refused, not answered with other figures


@pytest.mark.parametrize(
    ("name", "size"),
    [("refusals_11", 260), ("refusals_12", 240), ("refusals_13", 240), ("refusals_14", 240)],
)
def test_refusals_11_to_14(engine: Engine, name: str, size: int) -> None:
    """tests/eval/refusals_11.yaml to refusals_14.yaml: refusals (off topic close to the
    report's subjects, other places in many spellings, personal cases told after the question,
    procedures without a question word; no. 13 in eight personas' voices, no. 14 procedures and
    everyday subjects only) and 40-60 look-alikes, by a fourteenth to a seventeenth author;
    worked from: 91.9%, 89.2%, 88.8% and 93.3% as written, 98.8%, 98.8%, 97.1% and 98.3%
    after."""
    report = evaluate(engine, load_cases(EVAL / f"{name}.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= size and report.accuracy >= 0.97
    assert all(ok / total >= 0.88 for ok, total in by.values()), by
    wrong = answered_lookalikes(report)
    assert not wrong, wrong  # a look-alike missed is refused, not answered with other figures


def test_refusals_17(engine: Engine) -> None:
    """tests/eval/refusals_17.yaml: 120 questions about other places, most in Chinese forms a list
    of districts misses (towns, villages, streets, abbreviations), 60 off topic and 60
    look-alikes that mention another place as the asker's background, by a nineteenth author;
    worked from: 89.6% as written (other places 109/120), 94.6% after (114/120)."""
    report = evaluate(engine, load_cases(EVAL / "refusals_17.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 240 and report.accuracy >= 0.92
    assert by["otherplace"][0] >= 111 and by["offtopic"][0] >= 56, by
    ok, total = by["lookalike"]
    assert ok / total >= 0.9
    wrong = answered_lookalikes(report)
    assert not wrong, wrong  # a look-alike missed is refused, not answered with other figures


def test_refusals_18(engine: Engine) -> None:
    """tests/eval/refusals_18.yaml: 70 procedures (many without a how-word), 60 personal cases,
    40 requests and 70 look-alikes, half Mandarin, a quarter Cantonese, a quarter English, by a
    twentieth author; worked from: 92.9% as written, 98.8% after."""
    report = evaluate(engine, load_cases(EVAL / "refusals_18.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 240 and report.accuracy >= 0.97
    assert all(ok / total >= 0.95 for ok, total in by.values()), by


def test_refusals_19(engine: Engine) -> None:
    """tests/eval/refusals_19.yaml: 160 questions on the report's own subjects asking what it
    does not state (a name list, an amount of money, an opening date, spending, a figure by
    street) and 80 look-alikes, by a twenty-second author; worked from: 71.7% as written (off
    topic 95/160), 87.1% after (132/160). The rest ask measures no word marks as a detail
    (a firm's count of foreign-owned firms, one fair's visitors of the two)."""
    report = evaluate(engine, load_cases(EVAL / "refusals_19.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 240 and report.accuracy >= 0.85
    assert by["offtopic"][0] >= 128, by
    ok, total = by["lookalike"]
    assert ok / total >= 0.93


def test_refusals_20(engine: Engine) -> None:
    """tests/eval/refusals_20.yaml: 150 questions on the report's own subjects asking a measure
    it never states (a part of a group quoted by its figure, a count in a unit no answer counts
    in, one fair of the two, revenue said only of its growth) and 70 look-alikes, by another
    author; worked from: 67.3% as written (off-topic 85/150, look-alikes 63/70), 80.9% after
    (off-topic 115/150). Of the rest, 6 ask a year the report has no figure for: the answer
    says so and gives the latest figures, which this author counts as no refusal."""
    report = evaluate(engine, load_cases(EVAL / "refusals_20.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 220 and report.accuracy >= 0.78
    assert by["offtopic"][0] >= 113, by
    ok, total = by["lookalike"]
    assert ok / total >= 0.89


def test_refusals_21(engine: Engine) -> None:
    """tests/eval/refusals_21.yaml: every kind of refusal mixed as residents mix them (off-topic
    70, other places 30, personal 30, procedures 30, requests 20) and 60 look-alikes, by another
    author, written after the first rules of the session that worked from it: 222/240 as
    written (the session's start code: 217/240), 227/240 after (off-topic 61/70)."""
    report = evaluate(engine, load_cases(EVAL / "refusals_21.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 240 and report.accuracy >= 0.93
    assert all(by[c][0] == by[c][1] for c in ("otherplace", "personal", "procedure")), by
    assert by["offtopic"][0] >= 59 and by["lookalike"][0] >= 54, by


def test_refusals_22(engine: Engine) -> None:
    """tests/eval/refusals_22.yaml: 130 questions on the report's own subjects asking what it
    does not state, in residents' words, and 70 look-alikes, by another author written late in
    the session that worked from it: 159/200 as written (off-topic 92/130), 161/200 after."""
    report = evaluate(engine, load_cases(EVAL / "refusals_22.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 200 and report.accuracy >= 0.79
    assert by["offtopic"][0] >= 92 and by["lookalike"][0] >= 66, by


def test_refusals_23(engine: Engine) -> None:
    """tests/eval/refusals_23.yaml: 160 questions on the report's own subjects asking what it
    does not state (names, addresses, dates, breakdowns, counts it never makes) and 60
    look-alikes, by another author written at the start of the fifth session of 2026-12-03,
    which worked from it: 159/220 as written (off-topic 105/160, look-alikes 54/60), 178/220
    after (off-topic 125/160, look-alikes 53/60)."""
    report = evaluate(engine, load_cases(EVAL / "refusals_23.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 220 and report.accuracy >= 0.79
    assert by["offtopic"][0] >= 123 and by["lookalike"][0] >= 52, by


def test_refusals_24(engine: Engine) -> None:
    """tests/eval/refusals_24.yaml: 150 questions five kinds of asker put to what the report
    leaves out (a parent, a retiree, a shop owner, a journalist, a flat buyer) and 50
    look-alikes, by another author written mid-way through that session: 155/200 as it
    arrived (the session's start code: 145/200, off-topic 96/150), 164/200 after (off-topic
    115/150, look-alikes 49/50)."""
    report = evaluate(engine, load_cases(EVAL / "refusals_24.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 200 and report.accuracy >= 0.8
    assert by["offtopic"][0] >= 113 and by["lookalike"][0] >= 48, by


def test_refusals_25(engine: Engine) -> None:
    """tests/eval/refusals_25.yaml: 150 questions on what the report's sections leave out, as
    residents, teachers, riders, shop owners and landlords ask, and 50 look-alikes, by another
    author written at the start of the sixth session of 2026-12-03, which worked from it:
    157/200 as written (off-topic 107/150, look-alikes 50/50), 169/200 after (off-topic
    119/150)."""
    report = evaluate(engine, load_cases(EVAL / "refusals_25.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 200 and report.accuracy >= 0.83
    assert by["offtopic"][0] >= 117 and by["lookalike"][0] >= 49, by


def test_refusals_26(engine: Engine) -> None:
    """tests/eval/refusals_26.yaml: 150 questions on what the report states of its own subjects
    and what it leaves out (the amount behind a change, a reason, a member of a series, a
    month, a name), and 50 look-alikes, by another author, written at the start of the
    seventh session of 2026-12-03, which worked from it: 154/200 as written (off-topic
    108/150, look-alikes 46/50), 160/200 after (off-topic 114/150)."""
    report = evaluate(engine, load_cases(EVAL / "refusals_26.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 200 and report.accuracy >= 0.79
    assert by["offtopic"][0] >= 112 and by["lookalike"][0] >= 45, by


def test_refusals_27(engine: Engine) -> None:
    """tests/eval/refusals_27.yaml: 150 questions on what the report leaves out of its own
    subjects (a ranking, a part of a total, the money behind a count, where, when, who) and 50
    look-alikes, by another author, written at the start of the eighth session of 2026-12-03,
    which worked from it: 156/200 as written (off-topic 107/150, look-alikes 49/50)."""
    report = evaluate(engine, load_cases(EVAL / "refusals_27.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 200 and report.accuracy >= 0.77
    assert by["offtopic"][0] >= 105 and by["lookalike"][0] >= 48, by


def test_refusals_28(engine: Engine) -> None:
    """tests/eval/refusals_28.yaml: personal cases (60), procedures (50) and requests (40) told
    the way residents tell them, and 50 look-alikes that tell a story but ask a figure the
    report states, by another author, written in the eighth session of 2026-12-03, which
    worked from it: 191/200 as written (personal 56/60, procedures 49/50, requests 38/40,
    look-alikes 48/50)."""
    report = evaluate(engine, load_cases(EVAL / "refusals_28.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 200 and report.accuracy >= 0.96
    assert all(ok / total >= 0.94 for ok, total in by.values()), by


def test_refusals_29(engine: Engine) -> None:
    """tests/eval/refusals_29.yaml: 150 questions about Haizhu as a place that the report never
    answers (its population, area, streets, hospitals, parks in total, house prices, wages,
    rankings it does not give, history) and 50 look-alikes, by another author, written late in
    the eighth session of 2026-12-03, which worked from it: 158/200 as written (basics 109/150;
    the session's start code: 150/200, basics 101/150), 181/200 after (basics 132/150)."""
    report = evaluate(engine, load_cases(EVAL / "refusals_29.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 200 and report.accuracy >= 0.88
    assert by["basics"][0] >= 128 and by["lookalike"][0] >= 48, by


def test_refusals_30(engine: Engine) -> None:
    """tests/eval/refusals_30.yaml: 100 questions on the report's own subjects asking what it
    does not state (a part of a whole, a year, a name, a date, a price, an average it never
    computes), 50 personal cases and 50 look-alikes, by another author, written at the start
    of the first session of 2026-12-04, which worked from it: 169/200 as written (off-topic
    75/100, a third of the misses years the report lacks, answered under the first-line note
    by design; personal 45/50; look-alikes 49/50)."""
    report = evaluate(engine, load_cases(EVAL / "refusals_30.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 200 and report.accuracy >= 0.84
    assert by["offtopic"][0] >= 75 and by["lookalike"][0] >= 48, by


def test_refusals_31(engine: Engine) -> None:
    """tests/eval/refusals_31.yaml: 90 how-to questions and 90 personal cases in the many ways
    residents phrase them (the how in a clause of its own, the asker told in one clause and
    their case asked in another), and 70 look-alikes, by another author, written in the first
    session of 2026-12-04, which worked from it: 225/250 as written, 223/250 with the session's
    start code (procedures 82/90, personal 76/90, look-alikes 65/70)."""
    report = evaluate(engine, load_cases(EVAL / "refusals_31.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 250 and report.accuracy >= 0.96
    assert by["procedure"][0] >= 88 and by["personal"][0] >= 86, by
    assert by["lookalike"][0] >= 64, by


def test_refusals_32(engine: Engine) -> None:
    """tests/eval/refusals_32.yaml: 150 questions about other places named every way an author
    could think of (广州的, 羊城, 花城, 天和区 for 天河区, the province, 旁边那个区, Canton) and
    50 about Haizhu that name another place innocently (刚从深圳搬到海珠…), by another author,
    written in the second session of 2026-12-04, which worked from it: 170/200 with the
    session's start code (other places 122/150, Haizhu 48/50), 192/200 after (a
    reviewer's 40 Haizhu questions refused as other places cost two: 大湾区, 周边区)."""
    report = evaluate(engine, load_cases(EVAL / "refusals_32.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 200 and report.accuracy >= 0.95
    assert by["otherplace"][0] >= 143 and by["haizhu"][0] >= 48, by


def test_refusals_33(engine: Engine) -> None:
    """tests/eval/refusals_33.yaml: 200 questions to refuse and 60 look-alikes by a hostile
    tester who read only the report and asked the bot (other places by nickname, direction,
    slip and in English, comparisons with the city or the nation, compensation per flat,
    phone numbers, requests hidden in questions), in the third session of 2026-12-04, which
    worked from it: 157/260 with its start code, 227/260 after (other places 36 -> 73/80)."""
    report = evaluate(engine, load_cases(EVAL / "refusals_33.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 260 and report.accuracy >= 0.86
    assert by["otherplace"][0] >= 70 and by["lookalike"][0] >= 52, by


def test_refusals_34(engine: Engine) -> None:
    """tests/eval/refusals_34.yaml: 160 other-place questions and 80 look-alikes by a hostile
    tester who read only the report and asked the bot (areas, landmarks, stations and malls of
    other districts, the Bay Area, Canton, places of Haizhu's that locate a question), in the
    fourth session of 2026-12-04, which worked from it: 163/240 with its start code (other
    places 102/160, look-alikes 61/80), 204/240 after (132/160, 72/80; short names that are
    also common words, 新市 in 新市民, are places only before a word of where: 新市那边); 207/240
    in the fifth (135/160: a district's name with a slip and no 区, 天荷去年, 月秀那边); 216/240
    in the sixth (144/160: such names starting a clause before a year, 新市去年; universities
    and hospitals of other districts said as where, 华工那边); 220/240 in the first session of
    2026-12-05 (148/160)."""
    report = evaluate(engine, load_cases(EVAL / "refusals_34.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 240 and report.accuracy >= 0.9
    assert by["otherplace"][0] >= 148 and by["lookalike"][0] >= 72, by


def test_refusals_35(engine: Engine) -> None:
    """tests/eval/refusals_35.yaml: 160 other-place questions and 80 look-alikes by a hostile
    tester who read only the report and asked the bot (streets, roads, landmarks, hospitals and
    campuses of other districts, often by nickname; partners the report names; English), in
    the sixth session of 2026-12-04, which worked from it: 151/240 with its start code (other
    places 87/160, look-alikes 64/80), 197/240 after (132/160, 65/80: the streets of the other
    districts with 街, more landmarks, 中山大学南校区附近海珠区 no longer read as 中山). Most
    other places still answered are names nothing here writes before a word of where (鹤龙那边):
    a rule that read any such name as a place gave a line to 老师那边 and 居委会那边 too.
    225/240 in the first session of 2026-12-05 (151/160, 74/80: the streets' bare names as
    where, 鹤龙那边; nicknames, 省医; the Bay Area's figures; a scene before a short question)."""
    report = evaluate(engine, load_cases(EVAL / "refusals_35.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 240 and report.accuracy >= 0.92
    assert by["otherplace"][0] >= 151 and by["lookalike"][0] >= 74, by


def test_refusals_36(engine: Engine) -> None:
    """tests/eval/refusals_36.yaml: 220 other-place questions (districts, 60 streets, towns and
    villages, 50 landmarks, other cities, wider areas) and 80 look-alikes by a hostile tester
    who read only the report, in the first session of 2026-12-05, which worked from it: 263/300
    with its start code (other places 194/220, look-alikes 69/80), 297/300 after (218/220,
    79/80: bare street names before a word of where, pinyin names in English, landmarks by
    nickname and campus, a clause telling where someone lives or of a pairing left out)."""
    report = evaluate(engine, load_cases(EVAL / "refusals_36.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 300
    assert by["otherplace"][0] >= 218 and by["lookalike"][0] >= 79, by


def test_refusals_37(engine: Engine) -> None:
    """tests/eval/refusals_37.yaml: 160 other-place questions and 80 look-alikes by a hostile
    tester who read only the report and asked the bot until other places slipped through
    (villages and roads without 街, towns of other cities, Hong Kong's areas, "不是海珠，是荔湾"),
    in the same session, which worked from it: 129/240 with its start code (other places
    68/160, look-alikes 61/80), 218/240 after (143/160, 75/80; names that are also parts of
    words, 民治 in 居民治安, 北角 in 西北角, are places only as where since a review)."""
    report = evaluate(engine, load_cases(EVAL / "refusals_37.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 240
    assert by["otherplace"][0] >= 143 and by["lookalike"][0] >= 75, by


@pytest.mark.parametrize(
    ("name", "places", "lookalikes"),
    [
        # written at the start of the first session of 2026-12-05; its totals were looked at
        # along the way: other places 107/120 and look-alikes 56/60 with the start code,
        # 118/120 and 59/60 at the end (119/120 after the second session of 2026-12-05)
        ("places_holdout", 119, 59),
        # written a third of the way through that session, measured only at its end: start
        # code 111/120 and 54/60, end code 117/120 and 55/60
        ("places_holdout_2", 118, 55),
        # written late in that session, measured only at its end: start code 112/120 and
        # 54/60, end code 119/120 and 55/60
        ("places_holdout_3", 119, 55),
        # written at the start of the second session of 2026-12-05, its totals seen along the
        # way: start code 114/120 and 57/60, end code 115/120 and 57/60 (117/120 after the
        # third session of 2026-12-05)
        ("places_holdout_4", 117, 57),
        # written at the start of the third session of 2026-12-05, its totals seen along the
        # way: start code 120/120 and 59/60, the same at the end
        ("places_holdout_5", 120, 59),
        # written mid-way through that session, measured once at its end: start code 120/120
        # and 56/60, end code 120/120 and 58/60
        ("places_holdout_6", 120, 58),
        # written near that session's end, measured once: start code 119/120 and 57/60, end
        # code 119/120 and 58/60
        ("places_holdout_7", 119, 58),
    ],
)
def test_places_held_out(engine: Engine, name: str, places: int, lookalikes: int) -> None:
    """tests/eval/places_holdout*.yaml: 120 other-place questions each (25 other districts, 35
    of their streets, towns and villages, 20 landmarks, 20 other cities and countries, 20 wider
    areas) and 60 look-alikes about Haizhu, each by another author who read only the report;
    never used for tuning (totals only)."""
    report = evaluate(engine, load_cases(EVAL / f"{name}.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 180
    assert by["otherplace"][0] >= places and by["lookalike"][0] >= lookalikes, by


def test_refusals_38(engine: Engine) -> None:
    """tests/eval/refusals_38.yaml: 160 other-place questions and 80 look-alikes by a second
    hostile tester of the same session, told the kinds the first had found and sent after new
    ones (Cantonese romanisations, Guangdong's other districts named alone, regions such as
    长三角 and 潮汕地区, 国内 and 内地, rankings of the districts, metro stations, Haizhu named as
    the asker before another place is asked): 110/240 with the session's start code (other
    places 56/160, look-alikes 54/80), 214/240 after (147/160, 67/80)."""
    report = evaluate(engine, load_cases(EVAL / "refusals_38.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 240
    assert by["otherplace"][0] >= 147 and by["lookalike"][0] >= 67, by


def test_refusals_39(engine: Engine) -> None:
    """tests/eval/refusals_39.yaml: 160 other-place questions and 80 look-alikes written as
    ordinary residents write (long messages, voice input, Cantonese chat, expats' English), by
    a third hostile tester of the same session: 200/240 with its start code (other places
    131/160, look-alikes 69/80), 226/240 after (154/160, 72/80: the asker's own province or
    town unnamed, 我们省; 我不住海珠，我住番禺; 海珠的数字就别给我了; a place's name as a clause
    of its own; an emoji ends a clause)."""
    report = evaluate(engine, load_cases(EVAL / "refusals_39.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 240
    assert by["otherplace"][0] >= 154 and by["lookalike"][0] >= 72, by


def test_refusals_40(engine: Engine) -> None:
    """tests/eval/refusals_40.yaml: 100 other-place questions (English as expats name places:
    ZJNT, Clifford Estate, the mainland, the PRD, downtown Guangzhou; Cantonese: 华景嗰度,
    大湾区嗰边) and 20 look-alikes by a fourth hostile tester of the same session: 60/120 with
    its start code (other places 47/100, look-alikes 13/20), 109/120 after (92/100, 17/20;
    English names of two syllables count only as where or first before a topic since a
    review: Xi Jinping is no 金平)."""
    report = evaluate(engine, load_cases(EVAL / "refusals_40.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 120
    assert by["otherplace"][0] >= 92 and by["lookalike"][0] >= 17, by


def test_lookalikes_places(engine: Engine) -> None:
    """tests/eval/lookalikes_places.yaml: 200 questions about Haizhu holding words that look
    like other places, by a tester who read only the report and asked the bot for wrong
    refusals, after the other-place work of the first session of 2026-12-05: 71/200 with that
    session's start code, 80/200 when written, 103/200 after (where Haizhu went to attract
    investment, where people or firms come from, a comparison beside Haizhu's own figure
    asked). Most still missed compare Haizhu with another place and ask both (海珠区跟越秀区比，
    托位多少): refused as another place, which the held-out authors expect."""
    report = evaluate(engine, load_cases(EVAL / "lookalikes_places.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 200 and by["lookalike"][0] >= 103, by


def test_lookalikes_units(engine: Engine) -> None:
    """tests/eval/lookalikes_units.yaml: 220 answerable questions in the words of counts, units,
    parts and names (多少人次, 几多户, of the N … how many, 哪几个, revenue, a change), written
    to catch the detail guard refusing too much: 191/220 as written (and with the code before
    its units, parts and names), 192/220 after. Few of the misses are refusals."""
    report = evaluate(engine, load_cases(EVAL / "lookalikes_units.yaml", TODAY))
    assert len(report.results) >= 220 and report.accuracy >= 0.86
    refused = [r.case.q for r in report.results if r.answer.reason == "detail"]
    assert len(refused) <= 6, refused


def test_refusals_15(engine: Engine) -> None:
    """tests/eval/refusals_15.yaml: 100 questions about things the report names asking what it
    does not give (a year it has no figure for, a breakdown, names, a rank, a reason, a price),
    80 other refusals and 60 look-alikes, by an eighteenth author; worked from: 69.6% as
    written, 80.4% after. Of the details still missed, 16 ask a year the report has no figure
    for and get the report's latest figures under a first line saying so (the documented
    behaviour of `TimeNote`); most of the rest ask a breakdown or a total the report never
    states of a thing whose other figures it gives."""
    report = evaluate(engine, load_cases(EVAL / "refusals_15.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 240 and report.accuracy >= 0.78
    assert by["detail"][0] >= 49, by
    assert all(by[c][0] / by[c][1] >= 0.95 for c in ("offtopic", "personal", "procedure")), by
    ok, total = by["lookalike"]
    assert ok / total >= 0.95


def test_refusals_16(engine: Engine) -> None:
    """tests/eval/refusals_16.yaml: 160 off-topic questions, 120 of them about the report's own
    subjects asking what it does not give (a measure it never states, something live, an
    opinion, one school's or company's detail), and 80 look-alikes, by a nineteenth refusal
    author; worked from: 73.3% as written (off-topic 99/160), 80.8% after (117/160). The gap
    that remains is the hardest kind: a measure of a subject the report covers, which only
    knowing what each answer leaves out could refuse."""
    report = evaluate(engine, load_cases(EVAL / "refusals_16.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 240 and report.accuracy >= 0.79
    assert by["offtopic"][0] >= 116, by
    ok, total = by["lookalike"]
    assert ok / total >= 0.95


def test_lookalikes_of_details(engine: Engine) -> None:
    """tests/eval/lookalikes_details.yaml: 150 answerable questions in the words of details
    the report often does not give (which ones, where, in total, a rate, per thousand, a rank,
    why … and how many), by another author, written to catch over-refusal by the details
    guard; worked from: 89.3% as written, 92.7% after (a why beside a figure asked, a rate
    whose measure the answer names, 领跑全市 as a rank)."""
    report = evaluate(engine, load_cases(EVAL / "lookalikes_details.yaml", TODAY))
    assert len(report.results) >= 150 and report.accuracy >= 0.92


def test_refusals_4(engine: Engine) -> None:
    """tests/eval/refusals_4.yaml: 200 refusals by a fourth author (40 per category); looked
    into and worked from: 90.0% as written, 98.5% after."""
    report = evaluate(engine, load_cases(EVAL / "refusals_4.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 200 and report.accuracy >= 0.97
    assert all(ok / total >= 0.9 for ok, total in by.values()), by


@pytest.fixture(scope="module")
def refusals_2(engine: Engine) -> Report:
    return evaluate(engine, load_cases(EVAL / "refusals_2.yaml", TODAY))


@pytest.mark.parametrize("category", sorted(REFUSALS_2_FLOORS))
def test_refusals_2(refusals_2: Report, category: str) -> None:
    ok, total = refusals_2.by_category()[category]
    failures = [
        r.case.q for r in refusals_2.results if r.case.category == category and not r.passed
    ]
    assert total >= 25 and ok / total >= REFUSALS_2_FLOORS[category], failures


@pytest.mark.parametrize(
    ("name", "size", "floor"),
    [
        ("core_9", 445, 0.9),
        ("core_10", 283, 0.96),
        ("core_11", 220, 0.87),
        ("core_12", 250, 0.93),
        ("core_13", 200, 0.87),
        ("core_14", 240, 0.95),
        ("core_15", 220, 0.92),
        ("core_16", 240, 0.93),
        ("core_17", 200, 0.86),
        ("core_18", 220, 0.93),
        ("core_19", 240, 0.95),
        ("core_20", 200, 0.92),
        ("core_21", 240, 0.96),
        ("core_22", 220, 0.92),
        ("core_23", 240, 0.92),
        ("core_24", 538, 0.91),
        ("core_25", 351, 0.89),
        ("core_26", 300, 0.97),
        ("core_27", 300, 0.88),
        ("core_28", 300, 0.89),
    ],
)
def test_core_9_to_28(engine: Engine, name: str, size: int, floor: float) -> None:
    """tests/eval/core_9.yaml to core_28.yaml: answerable questions by a ninth to a
    twenty-eighth author (the whole report; projects in colloquial words; English only; the whole report in
    three languages; English and pinyin only; Chinese and Cantonese run-ons and typos; several
    things at once, comparisons and checks of a figure; the whole report section by section in
    three languages; English speakers' own words; English and Cantonese askers' own words;
    schools and childcare first; schools and childcare by parents, 40% in English; the whole
    report as busy residents type it; every figure of schools and childcare; schools and childcare
    with 40 refusals, written in the second session of 2026-12-04: 223/240 as written and with
    its start code, 227/240 after; every school question a hostile tester could think of, 538,
    in the same session: 484/538 with its start code, 502/538 after; 351 on projects by another
    such tester at its end: 320/351 with the start code and after, its worst misses (a 2024 result
    called a 2025 plan when asked whether done) being what no expected item can catch; the whole
    report by a new author and 300 childcare and other questions by a third hostile tester, in
    the third session of 2026-12-04: 288/300 and 253/300 as written, 296 and 269 after; 300
    school and project questions by a fourth such tester in that session: 264/300 as
    written, 270 after); worked
    from: 80.7%,
    94.0%, 71.8%, 90.8%, 87.0%, 94.6%, 90.9%, 93.3%, 85.5%, 88.2%, 95.0%, 91.0%, 96.3% and 93.2%
    as written, 91.0%, 97.2%, 91.4%, 95.6%, 92.0%, 96.7%, 93.6%, 94.6%, 87.5%, 94.5%, 97.5% and
    92.5% after
    (core_9 gained most from the report sentences that no answer showed; core_18 from English
    answers that keep the report's names; English stays the weakest). A miss there is mostly a refusal
    (no answer shows the detail, or English words no example has), not other figures."""
    report = evaluate(engine, load_cases(EVAL / f"{name}.yaml", TODAY))
    assert len(report.results) >= size and report.accuracy >= floor


def test_refusals_41(engine: Engine) -> None:
    """tests/eval/refusals_41.yaml: 200 questions on the report's topics that it does not
    answer (other years, breakdowns, other measures, rankings, predictions and opinions, everyday
    facts) and 100 look-alikes, by an author who read only the report, second session of
    2026-12-05: 235/300 with that session's start code (off-topic 137/200, look-alikes 98/100),
    245/300 after (147/200, 98/100: opinions and predictions refused as requests; 149/200 after
    the third session). Most left are
    years the report lacks, which get the latest figures under a line saying so, as issue 12
    asked."""
    report = evaluate(engine, load_cases(EVAL / "refusals_41.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 300
    assert by["offtopic"][0] >= 149 and by["lookalike"][0] >= 98, by


@pytest.mark.parametrize(
    ("name", "size", "start", "places", "lookalikes"),
    [
        # 220 hard other places (counties of China, Guangdong's towns, zones, cities of the world,
        # short names and nicknames, the asker's own town unnamed) and 80 look-alikes, by an
        # author who read only the report: 122/220 and 80/80 with the session's start code
        ("refusals_42", 300, 122, 205, 80),
        # 200 of Guangzhou's finest-grain places (estates, schools, malls, stations, parks),
        # wider areas described and rankings, and 40 look-alikes, by a hostile tester who
        # asked the bot: 42/200 and 39/40 with the session's start code
        ("refusals_43", 240, 42, 177, 39),
        # 200 other places a tester found answered (Haizhu's names with 县/区/镇 elsewhere,
        # neighbourhoods of other cities, county spellings in English) and 80 look-alikes
        # (dishes and brands, who asks): 69/200 and 32/80 with the third session's start code
        ("refusals_44", 280, 69, 172, 59),
        # 240 other places as ordinary residents write them and 60 look-alikes, by an author
        # who never asked the bot: 234/240 and 58/60 with the third session's start code
        ("refusals_46", 300, 234, 239, 59),
        # 320 other places mixed into everyday chat (said indirectly: 我单位那边, the district
        # next to Haizhu) and 80 look-alikes, written at the session's end by an author who
        # never asked the bot: 298/320 and 76/80 with the start code and before its work
        ("refusals_47", 400, 298, 314, 76),
    ],
)
def test_refusals_42_to_47(
    engine: Engine, name: str, size: int, start: int, places: int, lookalikes: int
) -> None:
    """Other places of the second and third sessions of 2026-12-05 (the gazetteer of China's
    counties, the segmenter's check, the lists of the finest-grain places, who asks, dishes):
    other places from `start` to at least `places`, no look-alike lost."""
    report = evaluate(engine, load_cases(EVAL / f"{name}.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= size and start < places
    assert by["otherplace"][0] >= places and by["lookalike"][0] >= lookalikes, by


def test_lookalikes_places_2(engine: Engine) -> None:
    """tests/eval/lookalikes_places_2.yaml: 150 Haizhu questions holding words that look like
    other places (idioms, people's names, foods and brands named for places, honours such as
    全市唯一), by a hostile tester of the gazetteer: 87/150 with the session's start code, 62
    when the gazetteer came in, 99/150 after the segmenter's check of every listed name (a
    review narrowed the titles read as a person's: 高安同学 is of the place), 109/150 after the
    third session (dishes and brands, 我是万宁，, 余杭哥哥, who asks)."""
    report = evaluate(engine, load_cases(EVAL / "lookalikes_places_2.yaml", TODAY))
    assert len(report.results) >= 150
    assert report.by_category()["lookalike"][0] >= 109


def test_refusals_45(engine: Engine) -> None:
    """tests/eval/refusals_45.yaml: 240 refusals (off-topic 100, personal 50, procedures 50,
    requests 40) and 60 look-alikes by a hostile tester who asked the bot: 140/300 with the
    third session of 2026-12-05's start code (personal 15, procedures 19, requests 15), 203
    after (personal 31: the asker's family told without 我; procedures 43, requests 37: more
    ways to ask; off-topic 51/100: details in more words, 水深几米, 医生数, 摊位费; which bus;
    figures the report does not give on its own topics mostly left)."""
    report = evaluate(engine, load_cases(EVAL / "refusals_45.yaml", TODAY))
    by = report.by_category()
    assert len(report.results) >= 300
    assert by["personal"][0] >= 31 and by["procedure"][0] >= 43 and by["request"][0] >= 37, by
    assert by["offtopic"][0] >= 51 and by["lookalike"][0] >= 49, by


def test_core_29(engine: Engine) -> None:
    """tests/eval/core_29.yaml: 240 answerable questions over the whole report (60 each:
    schools, childcare, projects, other) by an author who read only the report and never asked
    the bot, written at the end of the third session of 2026-12-05: 237/240 as written, 238/240
    after (是在哪里办的 asks where an event was held, not where to apply)."""
    report = evaluate(engine, load_cases(EVAL / "core_29.yaml", TODAY))
    assert len(report.results) >= 240 and sum(r.passed for r in report.results) >= 238
