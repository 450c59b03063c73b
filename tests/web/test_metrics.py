"""bot.web.metrics: what each method counts, bounded label values, and the exposition."""

from __future__ import annotations

import math
import sys

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.web.metrics import Metrics


def value(metrics: Metrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


def series(metrics: Metrics) -> set[tuple[str, tuple[tuple[str, str], ...]]]:
    """Every (sample name, labels) the registry exports."""
    return {
        (sample.name, tuple(sorted(sample.labels.items())))
        for family in metrics.registry.collect()
        for sample in family.samples
    }


@pytest.fixture
def metrics() -> Metrics:
    return Metrics(process=False)


def test_question_counts_by_decision_lang_and_chat_type(metrics: Metrics) -> None:
    metrics.question("answer", "zh", "private", 0.002)
    metrics.question("answer", "zh", "private", 0.003)
    metrics.question("fallback", "en", "supergroup", 0.001)

    q = "inquirybot_questions_total"
    assert value(metrics, q, decision="answer", lang="zh", chat_type="private") == 2
    assert value(metrics, q, decision="fallback", lang="en", chat_type="supergroup") == 1
    assert value(metrics, q, decision="clarify", lang="zh", chat_type="private") == 0
    assert value(metrics, "inquirybot_answer_seconds_count") == 3
    assert value(metrics, "inquirybot_answer_seconds_sum") == pytest.approx(0.006)


def test_answer_seconds_buckets_resolve_sub_millisecond_times(metrics: Metrics) -> None:
    metrics.question("answer", "zh", "private", 0.0003)
    metrics.question("answer", "zh", "private", 0.7)

    h = "inquirybot_answer_seconds_bucket"
    assert value(metrics, h, le="0.00025") == 0
    assert value(metrics, h, le="0.0005") == 1
    assert value(metrics, h, le="0.5") == 1
    assert value(metrics, h, le="1.0") == 2
    assert value(metrics, h, le="+Inf") == 2


def test_odd_durations_are_not_observed_as_given(metrics: Metrics) -> None:
    metrics.question("answer", "zh", "private", math.nan)
    metrics.question("answer", "zh", "private", -1.0)  # a clock that went back

    assert value(metrics, "inquirybot_answer_seconds_count") == 1
    assert value(metrics, "inquirybot_answer_seconds_sum") == 0
    q = "inquirybot_questions_total"
    assert value(metrics, q, decision="answer", lang="zh", chat_type="private") == 2


def test_unknown_label_values_are_counted_as_other(metrics: Metrics) -> None:
    metrics.question("maybe", "fr", "bogus", 0.001)
    metrics.update("exploded")
    metrics.telegram_error("SomeNewError")

    q = "inquirybot_questions_total"
    assert value(metrics, q, decision="other", lang="other", chat_type="other") == 1
    assert value(metrics, q, decision="maybe", lang="fr", chat_type="bogus") is None
    assert value(metrics, "inquirybot_updates_total", result="other") == 1
    assert value(metrics, "inquirybot_telegram_errors_total", kind="other") == 1


def test_hostile_values_cannot_add_series(metrics: Metrics) -> None:
    before = series(metrics)
    for i in range(200):
        hostile = f'x{i}"}} 1\n# HELP fake'
        metrics.question(hostile, hostile, hostile, 0.001)
        metrics.telegram_error(hostile)
        metrics.update(hostile)

    assert series(metrics) == before
    assert b"fake" not in metrics.render()[0]


def test_reloads_context_updates_and_retry_after(metrics: Metrics) -> None:
    metrics.reload(True)
    metrics.reload(False)
    metrics.reload(False)
    metrics.context(True)
    metrics.context(False)
    metrics.context(False)
    metrics.update("handled")
    metrics.update("duplicate")
    metrics.update("failed")
    metrics.update("handled")
    metrics.retry_after()

    assert value(metrics, "inquirybot_reloads_total", result="ok") == 1
    assert value(metrics, "inquirybot_reloads_total", result="failed") == 2
    assert value(metrics, "inquirybot_context_total", result="hit") == 1
    assert value(metrics, "inquirybot_context_total", result="miss") == 2
    assert value(metrics, "inquirybot_updates_total", result="handled") == 2
    assert value(metrics, "inquirybot_updates_total", result="duplicate") == 1
    assert value(metrics, "inquirybot_updates_total", result="failed") == 1
    assert value(metrics, "inquirybot_telegram_retry_after_total") == 1


def test_telegram_errors_by_exception_class_name(metrics: Metrics) -> None:
    class TimedOut(Exception):  # stands for telegram.error.TimedOut: only the name counts
        pass

    class WeirdLibraryError(Exception):
        pass

    metrics.telegram_error(TimedOut("slow"))
    metrics.telegram_error("TimedOut")
    metrics.telegram_error(WeirdLibraryError())
    metrics.telegram_error("Forbidden")

    kinds = "inquirybot_telegram_errors_total"
    assert value(metrics, kinds, kind="TimedOut") == 2
    assert value(metrics, kinds, kind="Forbidden") == 1
    assert value(metrics, kinds, kind="other") == 1
    assert value(metrics, kinds, kind="WeirdLibraryError") is None
    # RetryAfter as an error does not count as a 429 by itself: retry_after() does.
    metrics.telegram_error("RetryAfter")
    assert value(metrics, "inquirybot_telegram_retry_after_total") == 0


def test_backlog_set_and_read_from_a_source(metrics: Metrics) -> None:
    metrics.set_backlog(7)
    assert value(metrics, "inquirybot_send_backlog") == 7

    waiting = [3]
    metrics.set_backlog_source(lambda: waiting[0])
    assert value(metrics, "inquirybot_send_backlog") == 3
    waiting[0] = 11
    assert value(metrics, "inquirybot_send_backlog") == 11


def test_a_failing_backlog_source_does_not_break_the_page(
    metrics: Metrics, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> float:
        raise RuntimeError("queue gone")

    metrics.set_backlog_source(broken)
    metrics.question("answer", "zh", "private", 0.001)

    body, _ = metrics.render()
    backlog = value(metrics, "inquirybot_send_backlog")
    assert backlog is not None and math.isnan(backlog)
    assert b"inquirybot_send_backlog NaN" in body
    assert (
        b'inquirybot_questions_total{chat_type="private",decision="answer",lang="zh"} 1.0' in body
    )
    assert "send backlog source failed" in caplog.text


def test_render_prometheus_text(metrics: Metrics) -> None:
    metrics.question("clarify", "en", "group", 0.004)
    metrics.reload(True)

    body, content_type = metrics.render()

    assert content_type.startswith("text/plain")
    text = body.decode()
    families = {family.name: family for family in text_string_to_metric_families(text)}
    assert families["inquirybot_questions"].type == "counter"
    assert families["inquirybot_answer_seconds"].type == "histogram"
    assert families["inquirybot_send_backlog"].type == "gauge"
    assert 'inquirybot_questions_total{chat_type="group",decision="clarify",lang="en"} 1.0' in text
    assert 'inquirybot_reloads_total{result="ok"} 1.0' in text
    for name in ("telegram_errors", "telegram_retry_after", "context", "updates"):
        assert f"# TYPE inquirybot_{name}_total counter" in text


def test_render_openmetrics_when_asked(metrics: Metrics) -> None:
    body, content_type = metrics.render("application/openmetrics-text; version=1.0.0")

    assert content_type.startswith("application/openmetrics-text")
    assert body.endswith(b"# EOF\n")


def test_each_instance_has_its_own_registry() -> None:
    first = Metrics(process=False)
    second = Metrics(process=False)  # would raise "Duplicated timeseries" on a shared registry
    first.reload(True)

    assert value(first, "inquirybot_reloads_total", result="ok") == 1
    assert value(second, "inquirybot_reloads_total", result="ok") == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process metrics read /proc")
def test_process_metrics_are_included_by_default() -> None:
    assert b"process_resident_memory_bytes" in Metrics().render()[0]
    assert b"process_resident_memory_bytes" not in Metrics(process=False).render()[0]
