"""The bot's Prometheus metrics, kept in a registry of their own.

`Metrics` owns a `prometheus_client.CollectorRegistry` (never the library's global one, so a test
or a second instance starts from zero) and offers one method per thing worth counting. Every
label value passes through a whitelist: a value the bot does not know (a new exception class, a
chat type Telegram adds later, a hostile string) is counted as "other", so the number of series
stays fixed whatever the input. `render` gives the exposition served at /metrics.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import choose_encoder
from prometheus_client.process_collector import ProcessCollector

logger = logging.getLogger(__name__)

PREFIX = "inquirybot"
OTHER = "other"

DECISIONS = frozenset({"answer", "clarify", "fallback"})
LANGS = frozenset({"zh", "en"})
# Telegram's chat types, and "inline" for inline queries (the Telegram layer's name for them).
CHAT_TYPES = frozenset({"private", "group", "supergroup", "channel", "inline"})
UPDATE_RESULTS = frozenset({"handled", "duplicate", "failed"})
# python-telegram-bot's exception classes (telegram.error) and the transport's usual ones.
TELEGRAM_ERRORS = frozenset(
    {
        "TelegramError",
        "Forbidden",
        "InvalidToken",
        "EndPointNotFound",
        "NetworkError",
        "BadRequest",
        "TimedOut",
        "ChatMigrated",
        "RetryAfter",
        "Conflict",
        "PassportDecryptionError",
        "TimeoutError",
        "ConnectionError",
        "OSError",
    }
)

# Engine time per question: most answers take well under a millisecond to a few milliseconds; a
# rambling question ranked twice can take tens; above a second something is wrong.
ANSWER_BUCKETS = (
    0.0001,
    0.00025,
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
)


def bounded(value: str, allowed: Iterable[str]) -> str:
    """`value` if it is one of `allowed`, else "other"."""
    return value if value in allowed else OTHER


class Metrics:
    """The bot's counters, histogram and gauge, in a registry of their own.

    Safe to call from any thread (prometheus-client's metrics lock internally). Every known label
    combination is created at zero up front, so a rate over a counter that has not moved yet is
    0 rather than absent.
    """

    def __init__(self, *, process: bool = True) -> None:
        """`process`: also export the process's memory, CPU and open files (Linux)."""
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self._questions = Counter(
            f"{PREFIX}_questions",
            "Questions answered, by decision, language and chat type.",
            ["decision", "lang", "chat_type"],
            registry=registry,
        )
        self._answer_seconds = Histogram(
            f"{PREFIX}_answer_seconds",
            "Time the engine took to answer a question, in seconds.",
            buckets=ANSWER_BUCKETS,
            registry=registry,
        )
        self._reloads = Counter(
            f"{PREFIX}_reloads",
            "Content reloads, by result.",
            ["result"],
            registry=registry,
        )
        self._telegram_errors = Counter(
            f"{PREFIX}_telegram_errors",
            "Errors from the Telegram Bot API, by exception class.",
            ["kind"],
            registry=registry,
        )
        self._retry_after = Counter(
            f"{PREFIX}_telegram_retry_after",
            "Requests Telegram refused with 429 Too Many Requests (retry after).",
            registry=registry,
        )
        self._backlog = Gauge(
            f"{PREFIX}_send_backlog",
            "Messages waiting for the send allowance.",
            registry=registry,
        )
        self._context = Counter(
            f"{PREFIX}_context",
            "Conversation-context lookups, by result.",
            ["result"],
            registry=registry,
        )
        self._updates = Counter(
            f"{PREFIX}_updates",
            "Telegram updates received, by result.",
            ["result"],
            registry=registry,
        )
        if process:
            ProcessCollector(registry=registry)

        for decision in (*DECISIONS, OTHER):
            for lang in (*LANGS, OTHER):
                for chat_type in (*CHAT_TYPES, OTHER):
                    self._questions.labels(decision, lang, chat_type)
        for result in ("ok", "failed"):
            self._reloads.labels(result)
        for kind in (*TELEGRAM_ERRORS, OTHER):
            self._telegram_errors.labels(kind)
        for result in ("hit", "miss"):
            self._context.labels(result)
        for result in (*UPDATE_RESULTS, OTHER):
            self._updates.labels(result)

    def question(self, decision: str, lang: str, chat_type: str, seconds: float) -> None:
        """A question answered: how it was decided, in which language and chat, in how long."""
        self._questions.labels(
            bounded(decision, DECISIONS), bounded(lang, LANGS), bounded(chat_type, CHAT_TYPES)
        ).inc()
        if math.isfinite(seconds):
            self._answer_seconds.observe(max(seconds, 0.0))

    def reload(self, ok: bool) -> None:
        """A content reload that succeeded (`ok`) or was refused."""
        self._reloads.labels("ok" if ok else "failed").inc()

    def telegram_error(self, error: BaseException | str) -> None:
        """An error from the Bot API: the exception, or its class name."""
        name = error if isinstance(error, str) else type(error).__name__
        self._telegram_errors.labels(bounded(name, TELEGRAM_ERRORS)).inc()

    def retry_after(self) -> None:
        """Telegram answered 429 (flood control). Counted apart from `telegram_error`."""
        self._retry_after.inc()

    def context(self, hit: bool) -> None:
        """A conversation-context lookup that found (`hit`) or did not find the last answer."""
        self._context.labels("hit" if hit else "miss").inc()

    def update(self, result: str) -> None:
        """A Telegram update: "handled", "duplicate" (seen before) or "failed"."""
        self._updates.labels(bounded(result, UPDATE_RESULTS)).inc()

    def set_backlog(self, waiting: float) -> None:
        """The number of messages waiting for the send allowance, now."""
        self._backlog.set(waiting)

    def set_backlog_source(self, source: Callable[[], float]) -> None:
        """Read the backlog from `source` at each scrape instead of `set_backlog`.

        A source that raises is logged and reported as NaN, so one broken callback cannot take
        the whole /metrics page down.
        """

        def read() -> float:
            try:
                return float(source())
            except Exception:
                logger.exception("send backlog source failed")
                return math.nan

        self._backlog.set_function(read)

    def render(self, accept: str | None = None) -> tuple[bytes, str]:
        """The exposition of every metric, and its content type.

        `accept`: the scraper's Accept header; OpenMetrics when it asks for it, otherwise the
        Prometheus text format.
        """
        encoder, content_type = choose_encoder(accept or "")
        return encoder(self.registry), content_type
