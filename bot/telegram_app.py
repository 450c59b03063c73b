"""Wiring of the Telegram bot: build the python-telegram-bot Application and run it.

`build_application` registers the handlers of `bot.handlers` with HTML defaults, no link
previews, the rate limiter and sane HTTP timeouts. `run_bot` is the entry point of
`python -m bot run`: it configures logging (with secrets redacted), loads the engine, opens the
question log and runs polling or, when WEBHOOK_URL is set, a webhook server.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import signal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from telegram import BotCommand, BotCommandScopeChat, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    ExtBot,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot import handlers, redact
from bot.config import Settings
from bot.content import ContentError
from bot.engine import Engine

if TYPE_CHECKING:
    from bot.questionlog import QuestionLog

logger = logging.getLogger(__name__)

# ExtBot[int]: the bot's rate limiter (AIORateLimiter) takes an int of retries per request.
BotApplication = Application[
    ExtBot[int], ContextTypes.DEFAULT_TYPE, dict[Any, Any], dict[Any, Any], dict[Any, Any], None
]

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
BOOTSTRAP_RETRIES = 5  # start-up attempts (1 s apart) while the Bot API is unreachable

# Outgoing messages. Telegram allows about 30 messages/s overall and 20/min per group, and
# answers 429 (RetryAfter) beyond. AIORateLimiter's limiters are leaky buckets: a full bucket
# passes at once, then they drain at max_rate/time_period. With PTB's default (30 per 1 s) a
# burst therefore gets ~60 messages through in its first second. A small bucket drained at
# SEND_RATE keeps every 1-second window at SEND_BURST + SEND_RATE at most (28 < 30), and a 429
# that still happens (other limits, clock skew) is retried up to SEND_MAX_RETRIES times.
SEND_RATE = 25  # messages per second, whole bot
SEND_BURST = 3  # messages that may go out back to back
GROUP_RATE, GROUP_PERIOD = 20, 60  # messages per group per minute
SEND_MAX_RETRIES = 3  # retries of a request answered 429, after its retry_after

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
    ("stats", "统计 / statistics"),
]


def build_application(
    settings: Settings,
    engine: Engine,
    qlog: QuestionLog | None = None,
    *,
    request: BaseRequest | None = None,
) -> BotApplication:
    """The Application with all handlers; `request` replaces the HTTP client (tests)."""
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
        .rate_limiter(rate_limiter())
        .concurrent_updates(32)
        .job_queue(None)
        .post_init(_post_init)
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
    if settings.base_url:
        builder = builder.base_url(settings.base_url).base_file_url(
            settings.base_file_url or settings.base_url
        )
    application = builder.build()
    handlers.init_bot_data(application.bot_data, settings, engine, qlog)
    _add_handlers(application)
    return application


def rate_limiter() -> AIORateLimiter:
    """The limiter for every Bot API request: SEND_RATE/s overall, GROUP_RATE per group."""
    return AIORateLimiter(
        overall_max_rate=SEND_BURST,
        overall_time_period=SEND_BURST / SEND_RATE,
        group_max_rate=GROUP_RATE,
        group_time_period=GROUP_PERIOD,
        max_retries=SEND_MAX_RETRIES,
    )


def _add_handlers(application: BotApplication) -> None:
    new_messages = filters.UpdateType.MESSAGE
    text = new_messages & filters.TEXT & ~filters.COMMAND
    # Updates are processed concurrently (concurrent_updates), so a slow /reload blocks only
    # its own update.
    commands = [
        ("start", handlers.on_start),
        ("help", handlers.on_help),
        ("ask", handlers.on_ask),
        ("reload", handlers.on_reload),
        ("unanswered", handlers.on_unanswered),
        ("stats", handlers.on_stats),
    ]
    for name, callback in commands:
        application.add_handler(CommandHandler(name, callback, filters=new_messages))
    application.add_handler(CallbackQueryHandler(handlers.on_button))
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


async def _post_init(application: BotApplication) -> None:
    await set_commands(application)
    _install_sighup(application)
    logger.info(
        "Bot @%s ready: %s intents, content %s",
        application.bot.username,
        application.bot_data[handlers.ENGINE].intent_count,
        application.bot_data[handlers.ENGINE].fingerprint,
    )


def _install_sighup(application: BotApplication) -> None:
    """SIGHUP reloads the content, like /reload, and logs the result."""
    if not hasattr(signal, "SIGHUP"):
        return

    def on_hup() -> None:
        logger.info("SIGHUP received: reloading content")
        application.create_task(sighup_reload(application), name="sighup-reload")

    try:
        asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, on_hup)
    except (NotImplementedError, RuntimeError) as exc:
        logger.warning("SIGHUP reload not available: %s", exc)


async def sighup_reload(application: BotApplication) -> handlers.ReloadResult:
    """Reload on an operator's signal; the outcome goes to the log."""
    result = await handlers.reload_engine(application.bot_data)
    if result.ok:
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
    redact.install(settings.token, secrets=(settings.webhook_secret, settings.log_secret))


def _open_question_log(settings: Settings) -> QuestionLog | None:
    if settings.db_path is None:
        logger.info("Question log off (BOT_DB=off)")
        return None
    from bot.questionlog import QuestionLog

    qlog = QuestionLog(
        settings.db_path, secret=settings.log_secret, retention_days=settings.log_retention_days
    )
    qlog.start()
    return qlog


def run_bot(settings: Settings) -> int:
    """Run the bot until SIGTERM/SIGINT; returns the process exit code."""
    configure_logging(settings)
    try:
        engine = Engine.load(settings.intents_dir, settings.data_dir)
    except ContentError as exc:
        logger.error("Content has %d problem(s); not starting:", len(exc.problems))
        for problem in exc.problems:
            logger.error("  %s", problem)
        return 1
    for warning in engine.warnings:
        logger.warning("content: %s", warning)
    qlog = _open_question_log(settings)
    try:
        application = build_application(settings, engine, qlog)
        if settings.webhook_url:
            url_path, webhook_url = webhook_target(settings)
            logger.info(
                "Receiving updates by webhook on %s:%s",
                settings.webhook_listen,
                settings.webhook_port,
            )
            application.run_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                url_path=url_path,
                webhook_url=webhook_url,
                secret_token=settings.webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
                bootstrap_retries=BOOTSTRAP_RETRIES,
            )
        else:
            logger.info("Receiving updates by long polling")
            application.run_polling(
                allowed_updates=ALLOWED_UPDATES, bootstrap_retries=BOOTSTRAP_RETRIES
            )
    except InvalidToken:
        logger.error("Telegram rejected TELEGRAM_BOT_TOKEN (check the token with @BotFather)")
        return 1
    except NetworkError as exc:
        logger.error("Bot API error at start-up: %s", exc)
        return 1
    finally:
        if qlog is not None:
            qlog.close()
    return 0
