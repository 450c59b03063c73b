"""Wiring of the Telegram bot: build the python-telegram-bot Application and run it.

`build_application` registers the handlers of `bot.telegram.handlers` with HTML defaults, no link
previews, the rate limiter and sane HTTP timeouts. `run_bot` is the entry point of
`python -m bot run`: it configures logging (with secrets redacted), loads the engine, opens the
question log, connects to the Bot API (retrying with backoff for about 2 minutes while it is
unreachable) and runs polling or, when WEBHOOK_URL is set, a webhook server.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import logging
import signal
import sqlite3
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiolimiter import AsyncLimiter
from telegram import BotCommand, BotCommandScopeChat, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseRateLimiter,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    ExtBot,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot.config import Settings
from bot.conversation import ContextStore
from bot.conversation.pg import PgContextStore
from bot.engine import ContentError, Engine
from bot.storage.pg import Pool, StorageError, open_pool
from bot.telegram import handlers, redact, serve, staff
from bot.telegram.inbox import Inbox, InboxApplication, InboxQueue
from bot.telegram.pg_budget import SharedBudget, SharedRateLimiter
from bot.telegram.pg_inbox import PgInbox, PgInboxQueue, default_owner
from bot.telegram.replicas import Replicas
from bot.telegram.send import STAFF_KINDS
from bot.web import Metrics
from bot.web.server import WebServerError

if TYPE_CHECKING:
    from bot.questionlog import QuestionLog, StaffChanges

logger = logging.getLogger(__name__)

# ExtBot[int]: the bot's rate limiter (PacedRateLimiter) takes an int of retries per request.
BotApplication = Application[
    ExtBot[int], ContextTypes.DEFAULT_TYPE, dict[Any, Any], dict[Any, Any], dict[Any, Any], None
]

# Edited messages are not requested (nor handled): an edit would get a second answer under the
# first one, and the bot cannot tell a corrected question from a cosmetic edit.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]
CONCURRENT_UPDATES = 32  # updates handled at once; see addressing.ChatBacklog for the per-chat cap
# Start-up (getMe) while the Bot API is unreachable: waits between attempts, about 2 minutes in
# all, then exit 1 (a supervisor such as `docker --restart unless-stopped` starts it again).
START_RETRY_DELAYS: tuple[float, ...] = (1, 2, 4, 8, 15, 30, 30, 30)
BOOTSTRAP_RETRIES = 5  # deleteWebhook/setWebhook attempts after a successful getMe (PTB backoff)

# Outgoing messages (see PacedRateLimiter). Telegram allows about 30 messages/s overall, about
# 1/s in one chat and 20/min per group, and answers 429 (RetryAfter) beyond.
SEND_RATE = 25  # messages per second, whole bot
SEND_BURST = 1  # messages that may go out back to back: at most 26 in any second
# 20 per minute per group, in buckets of 5 per 15 s: a full bucket plus the refill stays within
# 20 in any minute (a 20-per-60 s bucket would let about 40 through in the first minute).
GROUP_RATE, GROUP_PERIOD = 5, 15
# One private chat: a burst of 3 (a long answer in pieces), then 1 message per second. A single
# fast user can then never earn a 429, which would pause the whole bot.
PRIVATE_RATE, PRIVATE_BURST = 1.0, 3
SEND_MAX_RETRIES = 3  # retries of a request answered 429, after its retry_after
_MAX_GROUP_LIMITERS = 512
_MAX_PRIVATE_LIMITERS = 4096
_Json = dict[str, Any]
DIGEST_TASK = "digest_task"
REPLICAS = "replicas"  # bot.telegram.replicas.Replicas, with a shared database

_PUBLIC_COMMANDS = {
    "zh": [("start", "开始使用"), ("help", "我能回答什么"), ("ask", "提问（在群组中使用）")],
    "en": [
        ("start", "Start"),
        ("help", "What I can answer"),
        ("ask", "Ask a question (in groups)"),
    ],
}
_ADMIN_COMMANDS = [
    ("reload", "重新加载内容 / reload content"),
    ("unanswered", "未能回答的问题 / unanswered questions"),
    ("feedback", "被评👎的回答 / answers rated 👎"),
    ("undo", "撤销上一次修改 / undo the last change"),
    ("changes", "修改记录 / staff changes"),
    ("stats", "统计 / statistics"),
]


def build_application(
    settings: Settings,
    engine: Engine,
    qlog: QuestionLog | None = None,
    *,
    request: BaseRequest | None = None,
    inbox: Inbox | PgInbox | None = None,
    staff_changes: StaffChanges | None = None,
    conversations: ContextStore | None = None,
    send_limiter: BaseRateLimiter[int] | None = None,
) -> BotApplication:
    """The Application with all handlers; `request` replaces the HTTP client (tests); with
    an `inbox`, updates are written down before they are confirmed (bot.telegram.inbox)."""
    if not settings.token:
        raise ValueError("build_application needs TELEGRAM_BOT_TOKEN")
    defaults = Defaults(
        parse_mode=ParseMode.HTML,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
        allow_sending_without_reply=True,
    )
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .defaults(defaults)
        .rate_limiter(send_limiter or rate_limiter())
        .concurrent_updates(CONCURRENT_UPDATES)
        .job_queue(None)
        .post_init(_post_init)
        .post_stop(_post_stop)
        .request(
            request
            or HTTPXRequest(
                connection_pool_size=64,
                connect_timeout=10.0,
                read_timeout=15.0,
                write_timeout=15.0,
                pool_timeout=5.0,
            )
        )
        .get_updates_request(
            request
            or HTTPXRequest(
                connection_pool_size=2, connect_timeout=10.0, read_timeout=15.0, pool_timeout=5.0
            )
        )
    )
    builder = builder.application_class(InboxApplication)  # counts the updates handled
    if isinstance(inbox, PgInbox):
        builder = builder.update_queue(PgInboxQueue(inbox))
    elif inbox is not None:
        builder = builder.update_queue(InboxQueue(inbox))
    if settings.base_url:
        builder = builder.base_url(settings.base_url).base_file_url(
            settings.base_file_url or settings.base_url
        )
    application = builder.build()
    database = getattr(qlog, "database", None)  # a stand-in log of the tests has none
    if staff_changes is None and database is not None:
        staff_changes = _open_staff_changes(settings, database)
    handlers.init_bot_data(
        application.bot_data, settings, engine, qlog, conversations, staff=staff_changes
    )
    metrics: Metrics = application.bot_data[handlers.METRICS]
    limiter = application.bot.rate_limiter
    if isinstance(limiter, PacedRateLimiter | SharedRateLimiter):
        limiter.on_retry_after = metrics.retry_after
        metrics.set_backlog_source(lambda: float(limiter.waiting))
    if isinstance(application.update_queue, InboxQueue):
        application.update_queue.on_duplicate = lambda: metrics.update("duplicate")
    _add_handlers(application)
    return application


class _LimiterTable:
    """One AsyncLimiter per chat, made on first use; idle ones are forgotten when the table
    outgrows `size` (at most once per `size` new chats, so the sweep costs O(1) per request)."""

    def __init__(self, size: int, make: Callable[[], AsyncLimiter]) -> None:
        self._size, self._make = size, make
        self._limiters: dict[int | str, AsyncLimiter] = {}
        self._sweep_at = size

    def __len__(self) -> int:
        return len(self._limiters)

    def get(self, key: int | str) -> AsyncLimiter:
        limiter = self._limiters.get(key)
        if limiter is None:
            if len(self._limiters) >= self._sweep_at:  # forget chats that are quiet now
                for old, idle in list(self._limiters.items()):
                    if idle.has_capacity(idle.max_rate):
                        del self._limiters[old]
                self._sweep_at = len(self._limiters) + self._size
            limiter = self._limiters[key] = self._make()
        return limiter


class PacedRateLimiter(BaseRateLimiter[int]):
    """AIORateLimiter's limits without its bursts: every request to a chat goes through a leaky
    bucket of `burst` drained at `rate`/s, plus one per chat: `group_rate` per `group_period`
    for each group or channel, a burst of `private_burst` then `private_rate`/s for each private
    chat. A 429 pauses ALL requests for its retry_after, then the request is retried, at most
    `max_retries` times (`rate_limit_args` overrides that per request).

    Why not AIORateLimiter itself: (1) its bucket holds a whole second's rate, so a burst gets
    twice the rate through in its first second (55-61 messages at the default 30/s);
    (2) its bucket keeps handing out slots during a 429 pause, and every request holding one is
    sent the moment the pause ends: a burst that earns the next 429. Under a backlog that
    repeats until some messages run out of retries and are lost. Here a slot handed out during
    a pause is not used: the request waits out the pause and queues again, so the pace after a
    pause is the usual one.
    """

    def __init__(
        self,
        *,
        rate: float = SEND_RATE,
        burst: int = SEND_BURST,
        group_rate: float = GROUP_RATE,
        group_period: float = GROUP_PERIOD,
        private_rate: float = PRIVATE_RATE,
        private_burst: int = PRIVATE_BURST,
        max_retries: int = SEND_MAX_RETRIES,
    ) -> None:
        self.rate, self.burst, self.max_retries = rate, burst, max_retries
        self.group_rate, self.group_period = group_rate, group_period
        self.private_rate, self.private_burst = private_rate, private_burst
        self._overall = AsyncLimiter(burst, burst / rate)
        self._groups = _LimiterTable(
            _MAX_GROUP_LIMITERS, lambda: AsyncLimiter(group_rate, group_period)
        )
        self._privates = _LimiterTable(
            _MAX_PRIVATE_LIMITERS, lambda: AsyncLimiter(private_burst, private_burst / private_rate)
        )
        self._paused_until = 0.0  # event-loop time until which nothing is sent (429)
        self.waiting = 0  # messages waiting for their send allowance now (the send backlog)
        self.on_retry_after: Callable[[], None] | None = None  # told of every 429

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to clean up."""

    def _group_limiter(self, chat_id: object) -> AsyncLimiter | None:
        """The limiter of a group or channel (negative id or @username); None for users."""
        if isinstance(chat_id, str) and not _is_int(chat_id):
            return self._groups.get(chat_id)
        if isinstance(chat_id, int | str) and int(chat_id) < 0:
            return self._groups.get(int(chat_id))
        return None

    def _chat_limiter(self, chat_id: object) -> AsyncLimiter | None:
        """The limiter of the chat a request goes to: its group's, or its private chat's."""
        group = self._group_limiter(chat_id)
        if group is not None:
            return group
        if isinstance(chat_id, int | str) and _is_int(str(chat_id)):
            return self._privates.get(int(chat_id))
        return None

    def _paused(self) -> bool:
        return self._paused_until > asyncio.get_running_loop().time()

    async def _pause_over(self) -> None:
        loop = asyncio.get_running_loop()
        # a loop, not an Event: another 429 may move the deadline while this one sleeps
        while (left := self._paused_until - loop.time()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(left)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | _Json | list[_Json]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | _Json | list[_Json]:
        retries = self.max_retries if rate_limit_args is None else rate_limit_args
        chat_id = data.get("chat_id")
        chat = self._chat_limiter(chat_id)
        attempt = 0
        while True:
            try:
                if chat_id is None:  # answerCallbackQuery, getMe, setWebhook...: not metered
                    await self._pause_over()
                    return await callback(*args, **kwargs)
                self.waiting += 1
                waiting = True
                try:
                    async with chat or contextlib.nullcontext():
                        while True:
                            await self._pause_over()
                            async with self._overall:
                                if not self._paused():
                                    self.waiting -= 1
                                    waiting = False
                                    return await callback(*args, **kwargs)
                finally:
                    if waiting:
                        self.waiting -= 1
                        # the slot came while a 429 pause began: not used, queue again after
                        # the pause (slots must not pile up behind a pause and go out at once)
            except RetryAfter as exc:
                if self.on_retry_after is not None:
                    self.on_retry_after()
                if attempt >= retries:
                    logger.error("%s: 429 Too Many Requests after %d retries", endpoint, attempt)
                    raise
                attempt += 1
                wait = exc.retry_after
                seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
                loop = asyncio.get_running_loop()
                self._paused_until = max(self._paused_until, loop.time() + seconds + 0.1)
                logger.info(
                    "%s: 429 Too Many Requests; everything waits %.1f s, retry %d/%d",
                    endpoint,
                    seconds + 0.1,
                    attempt,
                    retries,
                )


def _is_int(text: str) -> bool:
    digits = text[1:] if text.startswith("-") else text
    return digits.isascii() and digits.isdigit()


def rate_limiter() -> PacedRateLimiter:
    """The limiter for every Bot API request: SEND_RATE/s overall, GROUP_RATE per group,
    PRIVATE_RATE per private chat."""
    return PacedRateLimiter()


def _add_handlers(application: BotApplication) -> None:
    # New messages only: edited messages are deliberately ignored (see ALLOWED_UPDATES); they
    # are not even requested, and this filter keeps them out should they arrive anyway.
    new_messages = filters.UpdateType.MESSAGE
    # A photo or document with a caption: the caption is the question (a caption that starts
    # with "/" is not: commands are only recognised in text messages).
    text = new_messages & (
        (filters.TEXT & ~filters.COMMAND) | (filters.CAPTION & ~filters.CaptionRegex(r"^/"))
    )
    # Updates are processed concurrently (concurrent_updates), so a slow /reload blocks only
    # its own update; handlers.admission caps what one chat may hold at once.
    commands = [
        ("start", handlers.on_start),
        ("help", handlers.on_help),
        ("ask", handlers.on_ask),
        ("reload", handlers.on_reload),
        ("unanswered", staff.on_unanswered),
        ("feedback", staff.on_feedback),
        ("undo", staff.on_undo),
        ("changes", staff.on_changes),
        ("stats", handlers.on_stats),
    ]
    for name, callback in commands:
        application.add_handler(CommandHandler(name, callback, filters=new_messages))
    staff_kinds = "".join(sorted(STAFF_KINDS))
    application.add_handler(
        CallbackQueryHandler(staff.on_staff_button, pattern=rf"^[{staff_kinds}]")
    )
    application.add_handler(CallbackQueryHandler(handlers.on_button))
    application.add_handler(InlineQueryHandler(handlers.on_inline_query))
    application.add_handler(
        MessageHandler(text & filters.ChatType.PRIVATE, handlers.on_private_text)
    )
    application.add_handler(MessageHandler(text & filters.ChatType.GROUPS, handlers.on_group_text))
    application.add_handler(
        MessageHandler(
            new_messages & filters.COMMAND & filters.ChatType.PRIVATE, handlers.on_unknown_command
        )
    )
    application.add_error_handler(handlers.on_error)


async def set_commands(application: BotApplication) -> None:
    """setMyCommands: public commands for everyone, admin commands in the admins' chats."""
    bot = application.bot
    settings: Settings = application.bot_data[handlers.SETTINGS]
    zh = [BotCommand(c, d) for c, d in _PUBLIC_COMMANDS["zh"]]
    try:
        await bot.set_my_commands(zh)
        await bot.set_my_commands(
            [BotCommand(c, d) for c, d in _PUBLIC_COMMANDS["en"]], language_code="en"
        )
    except TelegramError as exc:
        logger.warning("setMyCommands failed: %s", exc)
        return
    admin = zh + [BotCommand(c, d) for c, d in _ADMIN_COMMANDS]
    for admin_id in sorted(settings.admin_ids):
        try:
            await bot.set_my_commands(admin, scope=BotCommandScopeChat(admin_id))
        except TelegramError as exc:  # e.g. the admin never opened a chat with the bot
            logger.info("Admin commands not listed for %s: %s", admin_id, exc)


async def _post_stop(application: BotApplication) -> None:
    if isinstance(application.update_queue, PgInboxQueue):
        await application.update_queue.stop_keeping()
    follower = application.bot_data.pop(REPLICAS, None)
    if follower is not None:
        await asyncio.to_thread(follower.close)
    task = application.bot_data.pop(DIGEST_TASK, None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _post_init(application: BotApplication) -> None:
    await set_commands(application)
    if isinstance(application.update_queue, PgInboxQueue):
        application.update_queue.start_keeping(application.bot)
    settings: Settings = application.bot_data[handlers.SETTINGS]
    follower = application.bot_data.get(REPLICAS)
    if follower is not None:
        follower.follow(application.bot_data, asyncio.get_running_loop())
    if settings.digest_hour is not None and settings.admin_ids:
        application.bot_data[DIGEST_TASK] = asyncio.create_task(
            staff.digest_loop(application.bot_data, application.bot, settings.digest_hour)
        )
    if isinstance(application.update_queue, InboxQueue):
        await application.update_queue.replay(application.bot)
    _install_sighup(application)
    logger.info(
        "Bot @%s ready: %s intents, content %s",
        application.bot.username,
        application.bot_data[handlers.ENGINE].intent_count,
        application.bot_data[handlers.ENGINE].fingerprint,
    )


_sighup_pending = False  # a SIGHUP arrived before the bot was ready


def _defer_sighup() -> None:
    """Until the bot is ready, a SIGHUP is only noted (its default action ends the process)."""
    if not hasattr(signal, "SIGHUP"):
        return

    def note(signum: int, frame: object) -> None:
        global _sighup_pending
        _sighup_pending = True

    signal.signal(signal.SIGHUP, note)


def _install_sighup(application: BotApplication) -> None:
    """SIGHUP reloads the content, like /reload, and logs the result (a SIGHUP that came
    while starting reloads now)."""
    global _sighup_pending
    if not hasattr(signal, "SIGHUP"):
        return

    def on_hup() -> None:
        logger.info("SIGHUP received: reloading content")
        application.create_task(sighup_reload(application), name="sighup-reload")

    try:
        asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, on_hup)
    except (NotImplementedError, RuntimeError) as exc:
        logger.warning("SIGHUP reload not available: %s", exc)
    if _sighup_pending:
        _sighup_pending = False
        on_hup()


async def sighup_reload(application: BotApplication) -> handlers.ReloadResult:
    """Reload on an operator's signal; the outcome goes to the log."""
    result = await handlers.reload_engine(application.bot_data)
    if result.ok:
        await handlers.announce(application.bot_data, "reload")
        logger.info("Reload: %s", result.summary)
        for line in result.lines + [f"warning: {w}" for w in result.warnings]:
            logger.info("  %s", line)
    else:
        logger.error("Reload failed; still serving the previous content:")
        for line in result.lines:
            logger.error("  %s", line)
    return result


def webhook_target(settings: Settings) -> tuple[str, str]:
    """(local url_path, public webhook URL). The path comes from WEBHOOK_URL if it has one,
    else a stable path derived from a hash (never the token itself) is appended to it."""
    assert settings.webhook_url is not None
    path = urlsplit(settings.webhook_url).path.strip("/")
    if path:
        return path, settings.webhook_url
    digest = hashlib.sha256(f"webhook:{settings.token}".encode()).hexdigest()[:24]
    path = f"telegram-{digest}"
    return path, f"{settings.webhook_url.rstrip('/')}/{path}"


def configure_logging(settings: Settings) -> None:
    """Logging for the bot process: level from LOG_LEVEL, quiet httpx, secrets redacted."""
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger().setLevel(settings.log_level)
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    db_password = urlsplit(settings.db_url).password if settings.db_url else None
    redact.install(
        settings.token, secrets=(settings.webhook_secret, settings.log_secret, db_password)
    )


def _open_inbox(settings: Settings) -> Inbox | None:
    """The inbox of received updates, beside the question log (none when BOT_DB=off: then an
    update confirmed but not handled when the process is killed is lost)."""
    if settings.db_path is None:
        return None
    path = settings.db_path.with_name(settings.db_path.stem + ".inbox.sqlite3")
    try:
        return Inbox(path)
    except (OSError, sqlite3.Error) as exc:
        logger.error("Cannot open the update inbox %s (%s): running without it", path, exc)
        return None


def _open_shared_pool(settings: Settings) -> Pool | None:
    """The PostgreSQL pool the replicas' shared state goes through (None with SQLite)."""
    if settings.db_url is None:
        return None
    # the default executor's threads (inbox, log reads) + the budget's 4 + contexts + keeper
    return open_pool(settings.db_url, max_size=16, name="bot-shared")


def _ping(pool: Pool) -> None:
    """/readyz: the shared database answers."""
    with pool.connection(timeout=2.0) as conn:
        conn.execute("SELECT 1")


def _log_location(settings: Settings) -> str | Path | None:
    """BOT_DB: a PostgreSQL URL, a SQLite file, or None when the log is off."""
    return settings.db_url or settings.db_path


def _open_staff_changes(settings: Settings, database: Any = None) -> StaffChanges | None:
    """What staff changed from Telegram, in the question log's database (an open one shares
    its connections; else BOT_DB's); none when the log is off."""
    location = database if database is not None else _log_location(settings)
    if location is None:
        return None
    from bot.questionlog import open_staff

    return open_staff(location)


def _open_question_log(settings: Settings) -> QuestionLog | None:
    location = _log_location(settings)
    if location is None:
        logger.info("Question log off (BOT_DB=off)")
        return None
    from bot.questionlog import open_log

    return open_log(
        location,
        secret=settings.log_secret,
        retention_days=settings.log_retention_days,
        max_rows=settings.log_max_rows,
        max_per_asker_day=settings.log_max_per_asker,
    )


async def initialize_with_retries(
    application: BotApplication,
    delays: Sequence[float] | None = None,
    *,
    sleep: Callable[[float], Awaitable[object]] | None = None,
) -> None:
    """`application.initialize()` (getMe), retried after a network failure or a 429 with the
    waits of `delays` (default START_RETRY_DELAYS: about 2 minutes); the last failure is
    raised, and so is InvalidToken (or any other refusal) at once."""
    delays = START_RETRY_DELAYS if delays is None else delays
    sleep = asyncio.sleep if sleep is None else sleep
    attempts = len(delays) + 1
    for attempt in range(1, attempts + 1):
        try:
            await application.initialize()
            return
        except (NetworkError, RetryAfter) as exc:
            if attempt == attempts or isinstance(exc, BadRequest):
                raise
            wait = delays[attempt - 1]
            if isinstance(exc, RetryAfter):
                after = exc.retry_after
                seconds = after.total_seconds() if isinstance(after, dt.timedelta) else after
                wait = max(wait, float(seconds))
            logger.warning(
                "Bot API not reachable at start-up (%s: %s); attempt %d/%d, next in %.0f s",
                type(exc).__name__,
                exc,
                attempt,
                attempts,
                wait,
            )
            await sleep(wait)


def _start(loop: asyncio.AbstractEventLoop, application: BotApplication) -> bool:
    """Initialize with retries on `loop`; False if SIGTERM/SIGINT stopped the waiting."""
    task = loop.create_task(initialize_with_retries(application))
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, task.cancel)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, Windows
            pass
    try:
        loop.run_until_complete(task)
    except asyncio.CancelledError:
        return False
    finally:
        for sig in installed:  # python-telegram-bot installs its own for the run
            loop.remove_signal_handler(sig)
    return True


def run_bot(settings: Settings) -> int:
    """Run the bot until SIGTERM/SIGINT; returns the process exit code."""
    configure_logging(settings)
    _defer_sighup()  # a SIGHUP while starting must not kill the process: it reloads once ready
    logger.info("Loading content from %s and %s", settings.intents_dir, settings.data_dir)
    staff_changes = _open_staff_changes(settings)
    try:
        engine = handlers.build_engine(settings, staff_changes)
    except ContentError as exc:
        logger.error("Content has %d problem(s); not starting:", len(exc.problems))
        for problem in exc.problems:
            logger.error("  %s", problem)
        return 1
    for warning in engine.warnings:
        logger.warning("content: %s", warning)
    try:
        pool = _open_shared_pool(settings)
    except StorageError as exc:  # its message shows no password
        logger.error("%s", exc)
        return 1
    qlog = _open_question_log(settings)
    # start-up and the run happen on the same loop, so the HTTP clients stay valid for the run
    inbox: Inbox | PgInbox | None
    conversations: ContextStore | None = None
    budget: SharedBudget | None = None
    send_limiter: SharedRateLimiter | None = None
    if pool is not None:  # replicas share the inbox, the contexts and the send budget
        inbox = PgInbox(pool, default_owner())
        conversations = PgContextStore(pool, ttl=settings.context_minutes * 60.0)
        budget = SharedBudget(pool, local_share=0.5)  # while the database is away: half each
        send_limiter = SharedRateLimiter.like(rate_limiter(), budget)
    else:
        inbox = _open_inbox(settings)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        application = build_application(
            settings,
            engine,
            qlog,
            inbox=inbox,
            staff_changes=staff_changes,
            conversations=conversations,
            send_limiter=send_limiter,
        )
        if pool is not None and settings.db_url is not None:
            replicas = Replicas(pool, settings.db_url, default_owner())
            application.bot_data[REPLICAS] = replicas
            application.bot_data[handlers.ANNOUNCE] = replicas.announce
            application.bot_data[handlers.DB_PING] = partial(_ping, pool)
        if not _start(loop, application):
            logger.info("Stopped while waiting for the Bot API")
            return 0
        loop.run_until_complete(
            serve.run(
                application,
                settings,
                application.bot_data[handlers.METRICS],
                webhook=webhook_target(settings) if settings.webhook_url else None,
                allowed_updates=ALLOWED_UPDATES,
                bootstrap_retries=BOOTSTRAP_RETRIES,
            )
        )
    except InvalidToken:
        logger.error("Telegram rejected TELEGRAM_BOT_TOKEN (check the token with @BotFather)")
        return 1
    except WebServerError as exc:  # the port is taken, or the address is not this machine's
        logger.error("%s", exc)
        return 1
    except (NetworkError, RetryAfter) as exc:
        logger.error("Bot API error at start-up, giving up: %s", exc)
        return 1
    finally:
        if qlog is not None:
            qlog.close()
        if inbox is not None:
            inbox.close()
        if budget is not None:
            budget.close()
        if staff_changes is not None:
            staff_changes.close()
        if pool is not None:
            pool.close()
        if not loop.is_closed():
            loop.close()
        asyncio.set_event_loop(None)
    return 0
