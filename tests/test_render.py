"""Templates: sandboxed, strict, numbers as the report writes them, facts recorded for the footer."""

from __future__ import annotations

import pytest
from jinja2 import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from bot.content.schema import Fact, Source
from bot.content.templates import (
    FactAccess,
    FactView,
    Renderer,
    make_environment,
    render_template,
)
from bot.engine.render import footer

SOURCE = Source(
    id="rr",
    title="报告",
    title_en="Report",
    issuer="局",
    delivered="2025-03-05",
    published="2025-03-14",
    results_year=2024,
    plan_year=2025,
    file="x.txt",
)
FACTS = {
    "aa": Fact(
        id="aa",
        section="一、(六)",
        year=2024,
        status="result",
        quote="提供优质学位9万个",
        value=90000,
        unit="个",
        written="9万",
        source="rr",
    ),
    "bb": Fact(
        id="bb",
        section="二、(五)",
        year=2025,
        status="plan",
        quote="新增优质学位1710个",
        value=1710,
        unit="个",
        source="rr",
    ),
}


def test_number_filters_use_the_reports_form() -> None:
    env = make_environment()
    r = render_template(env, "{{ f.aa | n }} / {{ f.aa | num }} / {{ f.bb | n }}", FACTS, SOURCE)
    assert r.text == "9万个 / 9万 (90,000) / 1710个"
    assert [f.id for f in r.facts] == ["aa", "bb"]


@pytest.mark.parametrize(
    "template",
    [
        "{{ f.missing }}",
        "{{ nothing }}",
        "{{ f.aa.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ f.aa | n | attr('__globals__') }}",
        "{% for x in %}",
    ],
)
def test_bad_or_unsafe_templates_fail_loudly(template: str) -> None:
    with pytest.raises(TemplateError):
        render_template(make_environment(), template, FACTS, SOURCE)


def test_footer_states_year_status_section_and_the_reports_date() -> None:
    sources = {"rr": SOURCE}
    facts = (FACTS["aa"], FACTS["bb"])
    running = footer(facts, sources, "zh", past_year=2024)  # read in 2025
    assert "2024年实绩" in running and "2025年计划目标（截至报告发布尚未完成）" in running
    assert "一、(六)" in running and "二、(五)" in running
    assert "《报告》（2025年3月14日发布）" in running
    over = footer(facts, sources, "zh", past_year=2025)  # read in 2026 or later
    assert "尚未" not in over and "报告无法说明是否完成" in over and "2025年3月定下" in over
    en = footer((FACTS["bb"],), sources, "en", past_year=2024)
    assert "2025 plan" in en and "as of the report" in en and "published 14 March 2025" in en
    en_over = footer((FACTS["bb"],), sources, "en", past_year=2025)
    assert "not yet" not in en_over and "cannot say whether it was met" in en_over
    assert footer((), sources, "zh", past_year=2024) == ""


def test_template_cache_is_private_and_refuses_a_shared_directory(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import os
    import stat

    from bot.content import templates as render

    private = tmp_path / "private"
    monkeypatch.setenv("BOT_CACHE_DIR", str(private))
    render._templates.clear()
    source = "{{ f.bb | n }} cached"
    assert render_template(make_environment(), source, FACTS, SOURCE).text == "1710个 cached"
    directory = private / "haizhu-bot"
    files = list(directory.glob("*.bin"))
    assert len(files) == 1
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600

    # A directory others can write to is never trusted: nothing is read from or written to it.
    shared = tmp_path / "shared"
    (shared / "haizhu-bot").mkdir(parents=True)
    os.chmod(shared / "haizhu-bot", 0o777)
    monkeypatch.setenv("BOT_CACHE_DIR", str(shared))
    render._templates.clear()
    assert render_template(make_environment(), source, FACTS, SOURCE).text == "1710个 cached"
    assert list((shared / "haizhu-bot").iterdir()) == []


def test_views_are_shared_by_a_renderer_but_stay_read_only() -> None:
    renderer = Renderer(make_environment(), FACTS, SOURCE)
    first = renderer.render("{{ f.aa | n }} {{ f.aa.v.value.shown() }} {{ f.bb | num }}")
    assert first.text == "9万个 9万个 1710"
    assert [f.id for f in first.facts] == ["aa", "bb"]
    for template in [
        "{{ f.aa.v.clear() }}",
        "{{ f.aa.v.update(x=1) }}",
        "{{ f.aa.items.append(1) }}",
    ]:
        with pytest.raises(TemplateError):
            renderer.render(template)
    again = renderer.render("{{ f.bb | n }}, {{ f.aa | n }}, {{ f.bb.v | list }}")
    assert again.text == "1710个, 9万个, ['value']"
    assert [f.id for f in again.facts] == ["bb", "aa"]


def test_view_attributes_get_the_immutable_sandboxs_verdict() -> None:
    view = FactView(FACTS["aa"])
    objects = [FactAccess(FACTS), view, view.v["value"]]
    names = ["value", "v", "shown", "used", "items", "mro", "_facts", "_views", "__class__"]
    names += ["__init__", "__dict__", "__getattr__", "append", "clear", "format"]
    reference = ImmutableSandboxedEnvironment()
    env = make_environment()
    for obj in objects:
        for name in names:
            try:
                value = getattr(obj, name)
            except (AttributeError, TemplateError):  # FactAccess: unknown fact
                value = None
            assert env.is_safe_attribute(obj, name, value) == reference.is_safe_attribute(
                obj, name, value
            ), (type(obj).__name__, name)


def test_traditional_answers_have_no_word_the_conversion_made_up(engine) -> None:  # type: ignore[no-untyped-def]
    """关爱困境儿童 became 關愛睏境兒童 (睏: sleepy) in OpenCC's traditional script (found by the
    hostile tester of 2026-12-04): no traditional answer holds a character the report never
    uses in that sense."""
    answer = engine.ask("困難兒童有咩幫助?")
    assert answer.script == "traditional" and "困境" in answer.text, answer.text
    texts = [engine.ask(q).text for q in ("困境儿童有什么帮助", "關愛困境兒童項目")]
    assert not any("睏" in t for t in texts)
