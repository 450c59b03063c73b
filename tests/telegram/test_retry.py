"""Transient Bot API failures are retried (offline); permanent ones are not; the rate limiter."""

from __future__ import annotations

import asyncio
import html
import logging
from typing import Any

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from tg_helpers import USER_ID

from bot.telegram import app as telegram_app
from bot.telegram import handlers
from bot.telegram.send import CHOOSE, ButtonData, encode, ui

QUESTION = "海珠区有多少托位"
APOLOGY = html.escape(ui("error", "zh", "simplified"), quote=False)
DROPPED = NetworkError("httpx.RemoteProtocolError: Server disconnected without sending a response.")


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retry waits are recorded, not slept (the handlers' asyncio.sleep only)."""
    waited: list[float] = []
    real_sleep = asyncio.sleep

    async def fake_sleep(delay: float, *args: Any) -> Any:
        waited.append(delay)
        return await real_sleep(0)

    monkeypatch.setattr(handlers, "asyncio", _AsyncioWithSleep(fake_sleep))
    return waited


class _AsyncioWithSleep:
    """The asyncio module as bot.telegram.handlers sees it, with `sleep` replaced."""

    def __init__(self, sleep: Any) -> None:
        self.sleep = sleep

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)


# -- deliver(), the one retry helper ----------------------------------------------------------


class Flaky:
    """A Bot API call that raises the given errors in turn, then returns "ok"."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


async def test_deliver_retries_transient_errors_with_backoff(sleeps):
    call = Flaky(NetworkError("Bad Gateway"), TimedOut(), DROPPED)
    assert await handlers.deliver(call, "sendMessage") == "ok"
    assert call.calls == 4
    assert sleeps == [0.5, 1.0, 2.0]


async def test_deliver_gives_up_after_the_last_retry(sleeps, caplog):
    call = Flaky(*(TimedOut() for _ in range(10)))
    with pytest.raises(TimedOut):
        await handlers.deliver(call, "sendMessage")
    assert call.calls == len(handlers.SEND_RETRY_DELAYS) + 1 == 4
    assert sleeps == list(handlers.SEND_RETRY_DELAYS)
    retries = [r.getMessage() for r in caplog.records if "retry" in r.getMessage()]
    assert retries[0].startswith("sendMessage failed (TimedOut: ") and "retry 1/3" in retries[0]


@pytest.mark.parametrize(
    ("kind", "arg"),
    [
        (BadRequest, "Bad Request: chat not found"),  # a NetworkError subclass in PTB
        (Forbidden, "Forbidden: bot was blocked by the user"),
        (RetryAfter, 3),  # the rate limiter retries it and pauses every request
        (ValueError, "not a Telegram error"),
    ],
)
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # RetryAfter(int)
async def test_deliver_does_not_retry_permanent_errors(sleeps, kind, arg):
    error = kind(arg)
    call = Flaky(error)
    with pytest.raises(type(error)):
        await handlers.deliver(call, "sendMessage")
    assert call.calls == 1 and sleeps == []


# -- every send path uses it ----------------------------------------------------------------


async def test_answer_is_delivered_after_two_transient_failures(
    feed, updates, request_recorder, engine, sleeps
):
    request_recorder.fail_next("sendMessage", 502, TimedOut())
    await feed(updates.message(QUESTION))
    attempts = request_recorder.attempts()
    assert [c.status for c in attempts] == [502, "TimedOut", 200]
    assert len({c.params["text"] for c in attempts}) == 1  # the same message each time
    [sent] = request_recorder.sent()  # one answer, no apology
    assert sent["text"] == html.escape(engine.ask(QUESTION).text, quote=False)
    assert sent["chat_id"] == USER_ID
    assert sleeps == [0.5, 1.0]


async def test_dropped_connection_is_retried_in_groups_too(feed, updates, request_recorder, sleeps):
    update = updates.message(f"/ask {QUESTION}", chat_type="supergroup")
    request_recorder.fail_next("sendMessage", DROPPED)
    await feed(update)
    [sent] = request_recorder.sent()
    assert sent["reply_parameters"]["message_id"] == update["message"]["message_id"]
    assert len(request_recorder.attempts()) == 2


@pytest.mark.parametrize("status", [400, 403])
async def test_bad_request_and_forbidden_are_not_retried(
    feed, updates, request_recorder, sleeps, status, caplog
):
    request_recorder.fail_next("sendMessage", status)
    with caplog.at_level(logging.ERROR):
        await feed(updates.message(QUESTION))
    attempts = request_recorder.attempts()
    # the answer once (refused), then the error handler's apology
    assert [c.status for c in attempts] == [status, 200]
    assert attempts[1].params["text"] == APOLOGY
    assert sleeps == []
    assert any("Error while handling an update" in r.getMessage() for r in caplog.records)


async def test_persistent_outage_ends_with_the_apology_attempt(
    feed, updates, request_recorder, sleeps, caplog
):
    request_recorder.fail_next("sendMessage", *([503] * 8))
    await feed(updates.message(QUESTION))
    attempts = request_recorder.attempts()
    assert len(attempts) == 8  # answer: 1 + 3 retries; apology: 1 + 3 retries
    assert [c.params["text"] for c in attempts[4:]] == [APOLOGY] * 4
    assert request_recorder.sent() == []
    assert any("Could not send the error notice" in r.getMessage() for r in caplog.records)


async def test_callback_answer_and_reply_are_retried(
    feed, updates, request_recorder, engine, sleeps
):
    intent = engine.intent_ids()[0]
    data = encode(ButtonData(CHOOSE, "zh", "simplified", engine.fingerprint, "", intent), [])
    request_recorder.fail_next("answerCallbackQuery", 502)
    request_recorder.fail_next("sendMessage", TimedOut())
    await feed(updates.callback(data))
    assert [c.status for c in request_recorder.attempts("answerCallbackQuery")] == [502, 200]
    assert [c.status for c in request_recorder.attempts("sendMessage")] == ["TimedOut", 200]
    [sent] = request_recorder.sent()
    want = engine.answer_intent(intent, question=engine.title(intent) or "")
    assert want is not None and sent["text"] == html.escape(want.text, quote=False)


# -- the rate limiter -------------------------------------------------------------------------


def test_rate_limiter_settings():
    limiter = telegram_app.rate_limiter()
    assert isinstance(limiter, telegram_app.PacedRateLimiter)
    assert (limiter.rate, limiter.burst) == (telegram_app.SEND_RATE, telegram_app.SEND_BURST)
    assert limiter.max_retries == telegram_app.SEND_MAX_RETRIES == 3
    assert (limiter.group_rate, limiter.group_period) == (5, 15)
    assert limiter.burst + limiter.rate < 30  # Telegram's ~30 msg/s, with a margin


async def _burst(limiter: Any, chat_ids: list[int]) -> list[float]:
    """Send to every chat at once through `limiter`; the (sorted) times the requests left."""
    loop = asyncio.get_running_loop()
    times: list[float] = []

    async def send() -> bool:
        times.append(loop.time())
        return True

    await asyncio.gather(
        *(
            limiter.process_request(send, (), {}, "sendMessage", {"chat_id": c}, None)
            for c in chat_ids
        )
    )
    return sorted(times)


async def test_rate_limiter_keeps_a_burst_under_30_per_second():
    """PTB's AIORateLimiter lets ~60 messages through in the first second of a burst."""
    n = 40
    times = await _burst(telegram_app.PacedRateLimiter(), [1000 + i for i in range(n)])
    first_second = sum(1 for t in times if t - times[0] < 1.0)
    assert first_second <= telegram_app.SEND_BURST + telegram_app.SEND_RATE
    rate = (n - telegram_app.SEND_BURST) / (times[-1] - times[0])
    assert telegram_app.SEND_RATE / 2 < rate <= telegram_app.SEND_RATE * 1.05  # (a busy CI: slower)


async def test_rate_limiter_paces_each_group():
    limiter = telegram_app.PacedRateLimiter(
        rate=1000, burst=10, group_rate=2, group_period=0.4, private_burst=10
    )
    times = await _burst(limiter, [-100] * 4 + [-200] * 2 + [300] * 4)
    assert times[-1] - times[0] >= 0.35  # -100's 3rd and 4th waited for its bucket
    assert sum(1 for t in times if t - times[0] < 0.1) == 8  # nothing else did
    assert limiter._group_limiter(300) is None and limiter._group_limiter("@channel") is not None


def test_private_chat_limit_settings():
    """About 1 message/s in one chat (Telegram's per-chat limit), after a short burst."""
    limiter = telegram_app.rate_limiter()
    assert (limiter.private_rate, limiter.private_burst) == (
        telegram_app.PRIVATE_RATE,
        telegram_app.PRIVATE_BURST,
    )
    assert limiter.private_rate <= 1.0 and 1 <= limiter.private_burst <= 4
    assert limiter._chat_limiter(300) is limiter._chat_limiter("300")
    assert limiter._chat_limiter(300) is not limiter._chat_limiter(301)
    assert limiter._chat_limiter(-100) is limiter._group_limiter(-100)
    assert limiter._chat_limiter(None) is None


async def test_rate_limiter_paces_each_private_chat():
    """One fast private user: a burst, then the chat's pace; other chats are not held up."""
    limiter = telegram_app.PacedRateLimiter(rate=1000, burst=10, private_rate=10, private_burst=3)
    loop = asyncio.get_running_loop()
    times: dict[int, list[float]] = {300: [], 301: []}

    def sender(chat: int) -> Any:
        async def send() -> bool:
            times[chat].append(loop.time())
            return True

        return send

    start = loop.time()
    await asyncio.gather(
        *(
            limiter.process_request(sender(c), (), {}, "sendMessage", {"chat_id": c}, None)
            for c in [300] * 6 + [301]
        )
    )
    fast = sorted(t - start for t in times[300])
    assert sum(1 for t in fast if t < 0.05) == 3  # the burst
    assert fast[-1] >= 0.25  # then 10/s: the 6th waited about 0.3 s
    assert times[301][0] - start < 0.05  # another user's answer did not wait


async def test_limiter_table_forgets_idle_chats():
    limiter = telegram_app.PacedRateLimiter()
    for chat in range(1, 3 * telegram_app._MAX_PRIVATE_LIMITERS):
        limiter._chat_limiter(chat)  # never used: idle
    assert len(limiter._privates) <= telegram_app._MAX_PRIVATE_LIMITERS + 1


class _Throttled:
    """A Bot API stand-in that answers 429 (retry after 1 s) once more than `limit` calls came
    within one second, as the fake Bot API's --flood-limit does."""

    def __init__(self, limit: int, throttle_first: int = 0) -> None:
        self.limit, self.throttle_first = limit, throttle_first
        self.ok: list[float] = []
        self.refused = 0

    async def __call__(self) -> bool:
        now = asyncio.get_running_loop().time()
        recent = [t for t in self.ok if now - t < 1.0]
        if self.throttle_first > 0 or len(recent) >= self.limit:
            self.throttle_first -= 1
            self.refused += 1
            raise RetryAfter(1)
        self.ok.append(now)
        return True


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # RetryAfter(int)
async def test_a_429_pauses_everything_without_a_burst_after_it():
    limiter = telegram_app.PacedRateLimiter(rate=25, burst=3)
    api = _Throttled(limit=30, throttle_first=1)  # the first request is refused
    results = await asyncio.gather(
        *(
            limiter.process_request(api, (), {}, "sendMessage", {"chat_id": 1000 + i}, None)
            for i in range(40)
        )
    )
    assert results == [True] * 40  # nothing lost
    assert api.refused == 1  # and no second 429: the pause did not pile requests up
    start = api.ok[0]
    assert sum(1 for t in api.ok if t - start < 1.0) <= 28


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # RetryAfter(int)
async def test_a_request_gives_up_after_max_retries(caplog):
    limiter = telegram_app.PacedRateLimiter(max_retries=1)
    api = _Throttled(limit=30, throttle_first=5)
    with pytest.raises(RetryAfter):
        await limiter.process_request(api, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert api.refused == 2  # the request and its one retry
    assert "429 Too Many Requests after 1 retries" in caplog.text
    with pytest.raises(RetryAfter):  # rate_limit_args=0: no retry for this request
        await limiter.process_request(api, (), {}, "sendMessage", {"chat_id": 1}, 0)
    assert api.refused == 3


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # RetryAfter(int)
async def test_rate_limiter_retries_a_429(feed, updates, request_recorder, engine):
    request_recorder.fail_next("sendMessage", 429)  # retry_after 1 s
    await feed(updates.message(QUESTION))
    assert [c.status for c in request_recorder.attempts()] == [429, 200]
    [sent] = request_recorder.sent()
    assert sent["text"] == html.escape(engine.ask(QUESTION).text, quote=False)


async def test_a_press_too_old_to_acknowledge_still_gets_its_answer(
    feed, updates, request_recorder, engine, sleeps
):
    intent = engine.intent_ids()[0]
    data = encode(ButtonData(CHOOSE, "zh", "simplified", engine.fingerprint, "", intent), [])
    request_recorder.fail_next("answerCallbackQuery", 400)  # "query is too old"
    await feed(updates.callback(data))
    [sent] = request_recorder.sent()
    want = engine.answer_intent(intent, question=engine.title(intent) or "")
    assert want is not None and sent["text"] == html.escape(want.text, quote=False)
    assert APOLOGY not in sent["text"]
