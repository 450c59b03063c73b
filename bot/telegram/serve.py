"""Running the Application until SIGTERM: long polling or a webhook, with the HTTP surface.

In webhook mode the bot's own ASGI server (bot.web: Starlette under uvicorn) serves Telegram's
webhook path (secret header checked), /healthz, /readyz and /metrics on WEBHOOK_LISTEN:
WEBHOOK_PORT. An update is answered 200 only once it is written to the inbox and queued, so an
update a replica dies holding is delivered again, and one delivered twice is handled once. In
polling mode the same /healthz, /readyz and /metrics are served on BOT_HTTP_PORT when it is set
(off by default).

The order of start and stop is python-telegram-bot's own (Application.run_polling): initialize,
post_init, the updater or the web server, start; on a stop signal, the reverse, with post_stop
and post_shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.error import TelegramError

from bot.config import Settings
from bot.telegram import handlers
from bot.telegram.inbox import InboxApplication, InboxQueue
from bot.telegram.pg_inbox import PgInboxQueue
from bot.web import Metrics, make_app
from bot.web.app import BadUpdate
from bot.web.server import BackgroundServer, start_background

if TYPE_CHECKING:
    from bot.telegram.app import BotApplication

logger = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGABRT)
SHUTDOWN_SECONDS = 5  # a request in flight at a stop gets this long to finish


def readiness(application: BotApplication) -> Callable[[], Awaitable[tuple[bool, dict[str, str]]]]:
    """/readyz: the engine is loaded, the Application is running, the question log records (or is
    off on purpose), and the shared database answers when there is one."""

    async def ready() -> tuple[bool, dict[str, str]]:
        data = application.bot_data
        checks: dict[str, str] = {}
        engine = data.get(handlers.ENGINE)
        checks["engine"] = f"content {engine.fingerprint}" if engine is not None else "not loaded"
        checks["telegram"] = "running" if application.running else "not running"
        qlog = data.get(handlers.QLOG)
        if qlog is None:
            checks["question_log"] = "off"
        else:
            checks["question_log"] = "recording" if getattr(qlog, "recording", True) else "down"
        ping = data.get(handlers.DB_PING)
        if ping is not None:
            try:
                await asyncio.wait_for(asyncio.to_thread(ping), 3.0)
                checks["database"] = "ok"
            except Exception as exc:  # any failure means: not ready
                checks["database"] = f"unreachable ({type(exc).__name__})"
        ok = (
            engine is not None
            and application.running
            and checks["question_log"] != "down"
            and checks.get("database", "ok") == "ok"
        )
        return ok, checks

    return ready


def feeder(application: BotApplication) -> Callable[[dict[str, Any]], Awaitable[None]]:
    """What the webhook does with an update: parse it and put it in the Application's queue
    (the inbox queue writes it down first, and drops a re-delivery)."""

    async def on_update(payload: dict[str, Any]) -> None:
        try:
            update = Update.de_json(payload, application.bot)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise BadUpdate(f"{type(exc).__name__}: {exc}") from None
        await application.update_queue.put(update)

    return on_update


async def _bootstrap_webhook(
    application: BotApplication,
    settings: Settings,
    url: str,
    allowed: list[str],
    stop: asyncio.Event,
) -> bool:
    """setWebhook, retried a few times (Telegram may be briefly unreachable at a deploy);
    False when a stop signal came first."""
    delays = (1.0, 2.0, 4.0, 8.0)
    for attempt in range(len(delays) + 1):
        try:
            await application.bot.set_webhook(
                url, secret_token=settings.webhook_secret, allowed_updates=allowed
            )
            return True
        except TelegramError as exc:
            if attempt == len(delays):
                raise
            logger.warning("setWebhook failed (%s); retrying in %.0f s", exc, delays[attempt])
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delays[attempt])
            if stop.is_set():
                return False
    return False


async def run(
    application: BotApplication,
    settings: Settings,
    metrics: Metrics,
    *,
    webhook: tuple[str, str] | None,
    allowed_updates: list[str],
    bootstrap_retries: int,
) -> None:
    """Run an initialized Application until a stop signal. `webhook` is (path, public URL)."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    installed = []
    for sig in STOP_SIGNALS:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    background: BackgroundServer | None = None
    initialized = False
    try:
        if application.post_init:
            initialized = True
            await application.post_init(application)
        ready = readiness(application)
        if webhook is not None:
            path, url = webhook
            web = make_app(
                webhook_path="/" + path.strip("/"),
                secret=settings.webhook_secret,
                on_update=feeder(application),
                ready=ready,
                metrics=metrics,
            )
            # the port first: one in use fails here, before Telegram is told to post to it
            background = await start_background(
                web,
                settings.webhook_listen,
                settings.webhook_port,
                graceful_seconds=SHUTDOWN_SECONDS,
            )
            await application.start()
            if not await _bootstrap_webhook(application, settings, url, allowed_updates, stop):
                return
            logger.info(
                "Receiving updates by webhook on %s:%s (also /healthz, /readyz, /metrics)",
                settings.webhook_listen,
                settings.webhook_port,
            )
            await stop.wait()
        else:
            if settings.http_port is not None:
                web = make_app(
                    webhook_path=None, secret=None, on_update=None, ready=ready, metrics=metrics
                )
                background = await start_background(
                    web, settings.webhook_listen, settings.http_port
                )
                logger.info(
                    "Health and metrics on %s:%s", settings.webhook_listen, settings.http_port
                )
            assert application.updater is not None
            await application.updater.start_polling(
                allowed_updates=allowed_updates, bootstrap_retries=bootstrap_retries
            )
            await application.start()
            logger.info("Receiving updates by long polling")
            await stop.wait()
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
        logger.info("Stopping")
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if background is not None and webhook is not None:
            await background.stop()  # no more updates in; those queued are seen to below
            background = None
        queue = application.update_queue
        if isinstance(queue, PgInboxQueue):  # no renewal may re-claim what is released below
            await queue.stop_keeping()
        if isinstance(application, InboxApplication) and isinstance(queue, InboxQueue):
            application.stopping = True  # what no handler has started waits in the inbox
        if application.running:
            await application.stop()
            aside = getattr(application, "aside", [])
            if aside and isinstance(queue, InboxQueue):
                await queue.release(aside)
                logger.info(
                    "%d update(s) not yet started stay in the inbox for the restart", len(aside)
                )
        if initialized and application.post_stop:  # also when the start failed half-way
            await application.post_stop(application)
        if background is not None:
            await background.stop()
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)
