"""Matching and the decision thresholds, on small synthetic content."""

from __future__ import annotations

import re

import pytest

from bot.engine.decide import Weights, decide
from bot.engine.engine import EN_VIEWS, ZH_VIEWS
from bot.engine.match import Matcher


def make() -> Matcher:
    examples = [
        (0, "托位多少"),
        (0, "托育机构"),
        (1, "新增学位多少"),
        (1, "学位"),
        (2, "重点项目动工"),
    ]
    return Matcher(
        examples,
        3,
        [["托位"], [], []],
        [frozenset({2024}), frozenset({2025}), frozenset()],
        ZH_VIEWS,
    )


def test_best_example_wins_and_scores_are_bounded() -> None:
    ranked = make().rank("托位有多少")
    assert ranked[0][0] == 0
    assert all(0.0 <= s <= 100.0 for _, s in ranked)


def test_best_example_own_keywords_and_year_penalty_per_intent() -> None:
    m = make()
    assert m.best_example("新增托位多少", 1) == "新增学位多少"
    assert m.best_example("托育机构有几家", 0) == "托育机构"
    assert m.best_example("托位", 2) == "重点项目动工"  # its only example
    assert m.keywords_of(0, "托位多少") == {"托位"} and m.keywords_of(1, "托位多少") == set()
    assert m.keyword_owners("新增托位多少") == {0} and m.keyword_owners("学位") == set()
    missed = m.year_penalty(frozenset({2025}))
    assert missed[0] == m.w.year_mismatch and missed[1] == 0.0 and missed[2] == 0.0


def test_homophone_typo_matches_through_pinyin() -> None:
    chars_only = Matcher(
        [(0, "托位多少"), (1, "新增学位多少")],
        2,
        [[], []],
        [frozenset()] * 2,
        ((lambda s: s, 1.0),),
    )
    with_pinyin = Matcher(
        [(0, "托位多少"), (1, "新增学位多少")], 2, [[], []], [frozenset()] * 2, ZH_VIEWS
    )
    assert dict(with_pinyin.rank("新增学为多少"))[1] > dict(chars_only.rank("新增学为多少"))[1]
    assert dict(with_pinyin.rank("新增学位多少"))[1] == 100.0


def test_keyword_bonus_and_year_penalty() -> None:
    m = make()
    plain = dict(m.rank("托"))
    with_kw = dict(m.rank("托位"))
    assert with_kw[0] - plain[0] > 6
    assert dict(m.rank("学位", frozenset({2024})))[1] < dict(m.rank("学位"))[1]


def test_every_keyword_inside_the_question_counts_once() -> None:
    # nested (托育 in 普惠托育), overlapping (学位 / 位数) and repeated keywords
    m = Matcher(
        [(0, "托育"), (1, "学位"), (2, "数量")],
        3,
        [["普惠托育", "托育", "f"], ["学位", "位数"], ["学位数量"]],
        [frozenset()] * 3,
        ZH_VIEWS,
    )
    w = m.w
    assert m._extra("普惠托育", ()) == {0: w.keyword_cap}
    assert m._extra("托育托育", ()) == {0: w.keyword}
    assert m._extra("学位数量", ()) == {1: w.keyword_cap, 2: w.keyword}
    assert m._extra("学数位", ()) == {}
    # a keyword that starts with a Latin letter is a whole word
    assert m._extra("office", ()) == {}
    assert m._extra("f座", ()) == {0: w.keyword}
    assert m._extra("floor f", ()) == {0: w.keyword}


def test_keywords_found_are_those_the_question_holds_latin_ones_as_words(engine) -> None:  # type: ignore[no-untyped-def]
    for matcher in engine.matchers.values():
        w = matcher.w
        keywords = [
            (
                k,
                owners,
                re.compile(f"(?<![a-z]){re.escape(k)}(?![a-z])")
                if k[0].isascii() and k[0].isalpha()
                else None,
            )
            for k, owners in matcher._keyword_owners.items()
        ]
        texts = list(matcher.texts) + [
            a + b for a, b in zip(matcher.texts, matcher.texts[1:], strict=False)
        ]
        for t in texts:
            hits: dict[int, int] = {}
            for k, owners, whole in keywords:
                if whole.search(t) if whole else k in t:
                    for i in owners:
                        hits[i] = hits.get(i, 0) + 1
            expected = {i: min(w.keyword * n, w.keyword_cap) for i, n in hits.items()}
            assert matcher._extra(t, ()) == expected, t


def test_english_words_view() -> None:
    m = Matcher(
        [(0, "childcare place"), (1, "school place")], 2, [[], []], [frozenset()] * 2, EN_VIEWS
    )
    assert m.rank("childcare")[0][0] == 0


def test_decide_answer_clarify_fallback() -> None:
    w = Weights()
    hi, low = w.answer + 5, w.answer_low + 1
    assert decide([(3, hi), (1, hi - w.margin - 1)], w).kind == "answer"
    assert decide([(3, low), (1, low - w.gap - 1)], w).kind == "answer"  # lower band, clear gap
    near = min(w.margin, w.gap) / 2
    clarify = decide([(3, hi), (1, hi - near), (2, hi - near - 0.1), (4, 20.0)], w)
    assert clarify.kind == "clarify" and [i for i, _ in clarify.candidates] == [3, 1, 2]
    assert decide([(3, w.clarify - 1), (1, w.clarify - 2)], w).kind == "fallback"
    assert decide([], w).kind == "fallback"


def test_a_quoted_report_figure_points_to_the_intent_that_shows_it() -> None:
    examples = [(0, "托位多少"), (1, "普惠托位占比")]
    plain = Matcher(examples, 2, [[], []], [frozenset()] * 2, ZH_VIEWS)
    with_figures = Matcher(
        examples, 2, [[], []], [frozenset()] * 2, ZH_VIEWS, figures=[["10921"], ["36.6"]]
    )
    q = "是什么"
    assert (
        dict(with_figures.rank(q, numbers=["36.6"]))[1] - dict(plain.rank(q))[1] == Weights().figure
    )
    # whole figures only: 109211 is not 10921
    assert dict(with_figures.rank(q, numbers=["109211"]))[0] == dict(plain.rank(q))[0]


def test_pruned_ranking_equals_scoring_every_example(engine) -> None:  # type: ignore[no-untyped-def]
    import numpy as np

    matcher = engine.matchers["zh"]
    questions = [t + "呢有" for t in matcher.texts[::7]] + [
        t[: len(t) // 2] for t in matcher.texts[::11]
    ]
    for q in questions:
        pruned = matcher.rank(q, frozenset({2025}))
        full = matcher.combine(matcher.example_scores(q), q, frozenset({2025}))
        top = np.argsort(-full, kind="stable")[:3]
        assert [round(s, 6) for _, s in pruned] == [round(float(full[i]), 6) for i in top], q


def test_pruned_english_ranking_is_exact_too(engine) -> None:  # type: ignore[no-untyped-def]
    import numpy as np

    matcher = engine.matchers["en"]
    for q in [t + " plan" for t in matcher.texts[::9]] + ["a " * 300]:
        pruned = matcher.rank(q)
        full = matcher.combine(matcher.example_scores(q), q, frozenset())
        top = np.argsort(-full, kind="stable")[:3]
        assert [round(s, 6) for _, s in pruned] == [round(float(full[i]), 6) for i in top], q


def test_ranking_with_a_floor_is_exact_above_it(engine) -> None:  # type: ignore[no-untyped-def]
    import numpy as np

    matcher = engine.matchers["zh"]
    floor = matcher.w.floor
    questions = [t[::2] + "啥" for t in matcher.texts[::13]] + ["讲个笑话听听", "明天天气怎么样"]
    checked = 0
    for q in questions:
        pruned = matcher.rank(q, floor=floor)
        full = matcher.combine(matcher.example_scores(q), q, frozenset())
        order = np.argsort(-full, kind="stable")[:3]
        exact = [(int(i), round(float(full[i]), 6)) for i in order if full[i] > floor]
        assert pruned[: len(exact)] == exact, q
        # below the floor a score may be lower than exact, never higher
        assert all(s <= round(float(full[i]), 6) for i, s in pruned[len(exact) :]), q
        checked += len(exact)
    assert checked > 20  # the check above did compare exact scores


def test_floor_is_below_every_threshold_that_decides() -> None:
    w = Weights()
    assert w.floor < w.clarify and w.floor <= w.answer_low - w.gap
    for top in (w.floor + 0.5, w.answer_low, w.answer):
        for second in (0.0, w.floor):
            # a runner-up at or below the floor decides the same as one lower still
            assert decide([(0, top), (1, second)], w).kind == decide([(0, top)], w).kind


def test_ties_go_to_the_lower_intent_as_scoring_every_example_would(engine) -> None:  # type: ignore[no-untyped-def]
    import itertools

    import numpy as np

    matcher = engine.matchers["zh"]
    words = ["有", "海珠", "物区", "驻企", "多少", "情况", "区", "增"]
    questions = ["".join(p) for p in itertools.permutations(words, 2)]
    ties = 0
    for q in questions:
        full = matcher.combine(matcher.example_scores(q), q, frozenset())
        order = np.argsort(-full, kind="stable")[:3]
        exact = [(int(i), round(float(full[i]), 6)) for i in order]
        for floor in (0.0, matcher.w.floor):
            assert matcher.rank(q, floor=floor)[: sum(s > floor for _, s in exact)] == [
                e for e in exact if e[1] > floor
            ], q
        ties += len({s for _, s in exact}) < len(exact)
    assert ties > 5  # the questions do produce tied scores


@pytest.mark.parametrize("first_round", [2, 24])
def test_pruning_by_floor_and_reach_never_changes_a_decision(
    engine, monkeypatch, first_round
) -> None:  # type: ignore[no-untyped-def]
    import numpy as np

    decided = set()
    for lang in ("zh", "en"):
        matcher = engine.matchers[lang]
        monkeypatch.setattr(matcher, "PRUNE_TO", first_round)  # 2: pruning decides almost all
        w = matcher.w
        texts = matcher.texts
        questions = list(texts[::5]) + [
            a[: len(a) // 2] + b[len(b) // 2 :]
            for a, b in zip(texts[::17], texts[3::17], strict=False)
        ]
        for q in questions:
            for years in (frozenset(), frozenset({2024}), frozenset({2030})):
                full = matcher.combine(matcher.example_scores(q), q, years)
                order = np.argsort(-full, kind="stable")[:3]
                exact = [(int(i), round(float(full[i]), 6)) for i in order]
                pruned = matcher.rank(q, years, floor=w.floor, reach=w.reach)
                assert decide(pruned, w) == decide(exact, w), (lang, q, years)
                assert pruned[0] == exact[0] or exact[0][1] <= w.floor, (lang, q, years)
                decided.add(decide(exact, w).kind)
    assert decided == {"answer", "clarify", "fallback"}  # every kind of decision was compared


def test_a_view_of_common_symbols_is_bounded_by_lengths(engine) -> None:  # type: ignore[no-untyped-def]
    en = engine.matchers["en"]
    words, letters = en._views
    # English letters: most examples hold most of them, so counting them prunes little
    assert letters.spread() > Matcher.VAGUE > words.spread()
    assert [i for i, _ in en._length_bounds] == [1] and [i for i, _ in en._bounds] == [0]
    q = letters.query("childcare place")
    assert (letters.length_bound(len(q)) >= letters.scores(q) - 1e-9).all()


def test_scale_tables_built_at_load_hold_the_formulas_floats(engine) -> None:  # type: ignore[no-untyped-def]
    import numpy as np

    from bot.engine.match import TABLED_LENGTHS

    for matcher in engine.matchers.values():
        for view in matcher._views:
            lengths = np.array(view.int_lengths, dtype=np.float64)
            for lq in (0, 1, 7, TABLED_LENGTHS, TABLED_LENGTHS + 3):
                q = float(max(lq, 1))
                a = view._a
                expected = 100.0 * (2.0 * a / (q + lengths) + (1.0 - a) / q)
                assert np.array_equal(view.scale(lq), expected), lq
                by_length = view.scale_by_length(lq)
                assert [by_length[n] for n in view.int_lengths] == expected.tolist(), lq
                bound = np.minimum(lengths, q) * expected
                assert np.array_equal(view.length_bound(lq), bound), lq


def test_scores_of_a_few_intents_equal_scoring_every_example(engine) -> None:  # type: ignore[no-untyped-def]
    for matcher in engine.matchers.values():
        for q in matcher.texts[::40]:
            for years in (frozenset(), frozenset({2030})):
                full = matcher.combine(matcher.example_scores(q), q, years, ["3395"])
                intents = list(range(0, matcher.n_intents, 7))
                scores = matcher.score_intents(q, intents, years, ["3395"])
                assert scores == {i: float(full[i]) for i in intents}, q


def test_a_reweighted_matcher_shares_the_tables_and_ranks_exactly(engine) -> None:  # type: ignore[no-untyped-def]
    import numpy as np

    zh = engine.matchers["zh"]
    syllables_only = zh.reweighted((0.0, 1.0))
    assert syllables_only._views[1].choices is zh._views[1].choices
    assert [v.weight for v in zh._views] == [0.7, 0.3]  # the original is unchanged
    for q in zh.texts[::37]:
        full = syllables_only.combine(syllables_only.example_scores(q), q, frozenset())
        top = np.argsort(-full, kind="stable")[:3]
        ranked = syllables_only.rank(q)
        assert [round(s, 6) for _, s in ranked] == [round(float(full[i]), 6) for i in top], q
