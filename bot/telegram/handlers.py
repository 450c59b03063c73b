"""Telegram update handlers: translate updates into engine calls and Answers into messages.

State lives in `application.bot_data` (see the key constants): the current Engine (one reference,
swapped by a reload), the Settings, the optional question log, the flood guard, the per-chat
backlog and the reload lock. Handlers never read content files. Every message and callback
answer goes out through `deliver`, which retries transient network failures.

Every update that will send into a chat is first admitted (`admission`, and the same checks in
`on_button`): its chat's backlog must have room (addressing.ChatBacklog: a busy group or a fast
private user cannot hold many of the Application's concurrent-update slots while waiting for
its send allowance), and in groups the user must be within the flood guard (questions, button
presses and commands alike).
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    Update,
    User,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.conversation import ContextStore, MemoryContextStore
from bot.engine import AddedExample, Answer, ContentError, Engine, Lang, Script, clock_for
from bot.engine import Context as Conversation
from bot.questionlog import NONE_OF_THESE, QuestionLogError, review
from bot.telegram.addressing import (
    ChatBacklog,
    FloodGuard,
    command_argument,
    group_question,
    message_text,
)
from bot.telegram.inbox import InboxQueue
from bot.telegram.send import (
    CHOOSE,
    HELPFUL,
    NONE,
    UNHELPFUL,
    ButtonData,
    Reply,
    answer_reply,
    decode,
    fp_prefix,
    lines_reply,
    resolve_intent,
    split_html,
    text_reply,
    topics_reply,
    ui,
)
from bot.web import Metrics

if TYPE_CHECKING:
    from bot.questionlog import QuestionLog, StaffChanges

logger = logging.getLogger(__name__)

ENGINE = "engine"
SETTINGS = "settings"
QLOG = "qlog"
FLOOD = "flood"
BACKLOG = "backlog"
RELOAD_LOCK = "reload_lock"
CONVERSATIONS = "conversations"
STAFF = "staff"  # the staff changes (bot.questionlog.StaffChanges), None when the log is off
METRICS = "metrics"  # bot.web.Metrics: what /metrics shows
DB_PING = "db_ping"  # a blocking check that the shared database answers (None: no such database)
ANNOUNCE = "announce"  # tells the other replicas the engine changed (bot.telegram.replicas)
GROUP_RELOAD_LINES = 10  # problems shown in a group when the admin cannot be told privately

Context = ContextTypes.DEFAULT_TYPE
BotData = MutableMapping[Any, Any]
T = TypeVar("T")

# Waits before each retry of a reply that failed transiently (see `deliver`): at most
# len(SEND_RETRY_DELAYS) retries, so a reply costs at most 3.5 s more than its attempts.
SEND_RETRY_DELAYS: tuple[float, ...] = (0.5, 1.0, 2.0)

_TRADITIONAL_CODES = ("zh-hant", "zh-tw", "zh-hk", "zh-mo")


def init_bot_data(
    bot_data: BotData,
    settings: Settings,
    engine: Engine,
    qlog: QuestionLog | None,
    conversations: ContextStore | None = None,
    staff: StaffChanges | None = None,
) -> None:
    """Put the shared state where the handlers find it."""
    bot_data[ENGINE] = engine
    bot_data[STAFF] = staff
    bot_data.setdefault(METRICS, Metrics())
    bot_data.setdefault(DB_PING, None)
    bot_data[CONVERSATIONS] = conversations or MemoryContextStore(
        ttl=settings.context_minutes * 60.0
    )
    bot_data[SETTINGS] = settings
    bot_data[QLOG] = qlog
    bot_data[FLOOD] = FloodGuard()
    bot_data[BACKLOG] = ChatBacklog()
    bot_data[RELOAD_LOCK] = asyncio.Lock()


def _metrics(context: Context) -> Metrics:
    metrics: Metrics = context.bot_data[METRICS]
    return metrics


def _engine(context: Context) -> Engine:
    engine: Engine = context.bot_data[ENGINE]
    return engine


def _qlog(context: Context) -> QuestionLog | None:
    qlog: QuestionLog | None = context.bot_data.get(QLOG)
    return qlog


def user_lang(user: User | None) -> tuple[Lang, Script]:
    """Interface language from Telegram's language_code: en* -> English, else Chinese."""
    code = ((user.language_code if user else None) or "").lower()
    if code.startswith("en"):
        return "en", "simplified"
    if code.startswith(_TRADITIONAL_CODES):
        return "zh", "traditional"
    return "zh", "simplified"


def _is_group(message: Message) -> bool:
    return message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


def _backlog(context: Context) -> ChatBacklog:
    backlog: ChatBacklog = context.bot_data[BACKLOG]
    return backlog


def markup(reply: Reply) -> InlineKeyboardMarkup | None:
    """The Telegram keyboard for a Reply (None when it has no buttons)."""
    if not reply.keyboard:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.text, callback_data=b.data) for b in row]
            for row in reply.keyboard
        ]
    )


def is_transient(error: BaseException) -> bool:
    """Whether a failed Bot API call may succeed if simply repeated: a dropped connection,
    a timeout or a 5xx (python-telegram-bot raises NetworkError / TimedOut for those). Never
    BadRequest (a NetworkError subclass) nor Forbidden, InvalidToken, ...; RetryAfter (429) is
    retried by the rate limiter (telegram_app.PacedRateLimiter), which pauses every request."""
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest)


async def deliver(call: Callable[[], Awaitable[T]], what: str) -> T:
    """Run one Bot API call that delivers something to a user (a reply, a callback answer),
    retrying transient failures after SEND_RETRY_DELAYS; any other error is raised at once.

    `call` must make a NEW request each time it is called (a lambda or partial around the bot
    method, not a coroutine). A retry after a read timeout may, rarely, deliver a message twice
    (Telegram has no idempotency key); that beats answering with an apology."""
    delays = SEND_RETRY_DELAYS
    retries = 0
    while True:
        try:
            return await call()
        except TelegramError as exc:
            if retries >= len(delays) or not is_transient(exc):
                raise
            delay = delays[retries]
            retries += 1
            logger.warning(
                "%s failed (%s: %s); retry %d/%d in %.1f s",
                what,
                type(exc).__name__,
                exc,
                retries,
                len(delays),
                delay,
            )
            await asyncio.sleep(delay)


async def send(target: Message, reply: Reply, *, quote: bool) -> None:
    """Send a Reply into `target`'s chat (and thread); quote `target` if asked."""
    for index, text in enumerate(reply.texts):
        last = index == len(reply.texts) - 1
        request = partial(
            target.reply_text,
            text,
            do_quote=quote and index == 0,
            reply_markup=markup(reply) if last else None,
        )
        await deliver(request, "sendMessage")


async def send_to_chat(context: Context, chat_id: int, reply: Reply) -> None:
    """Send a Reply to a chat by id (e.g. an admin's private chat)."""
    for index, text in enumerate(reply.texts):
        last = index == len(reply.texts) - 1
        request = partial(
            context.bot.send_message, chat_id, text, reply_markup=markup(reply) if last else None
        )
        await deliver(request, "sendMessage")


def _record(context: Context, chat_type: str, user: User | None, answer: Answer) -> str | None:
    """Log one addressed question; the record id, or None when the log is off or failed."""
    qlog = _qlog(context)
    if qlog is None:
        return None
    try:
        return qlog.record(chat_type=chat_type, user_id=user.id if user else None, answer=answer)
    except Exception:  # the log must never cost an answer
        logger.exception("Question log failed to record")
        return None


def _conversations(context: Context) -> ContextStore:
    store: ContextStore = context.bot_data[CONVERSATIONS]
    return store


async def _off_loop(store: ContextStore, call: Callable[..., T], *args: Any) -> T:
    """A context-store call: at once for the in-memory store, in a worker thread for a shared
    one (a database round trip must not hold the event loop)."""
    if isinstance(store, MemoryContextStore):
        return call(*args)
    return await asyncio.to_thread(call, *args)


async def recall(context: Context, chat: int, user: User | None) -> Conversation | None:
    """The asker's last answer in this chat (None: none, expired, or no asker)."""
    if user is None:
        return None
    store = _conversations(context)
    return await _off_loop(store, store.get, chat, user.id)


async def remember(
    context: Context,
    chat: int,
    user: User | None,
    answer: Answer,
    before: Conversation | None = None,
) -> None:
    """Keep what the asker was just answered, for reading their next message in this chat (a
    refusal keeps `before`, the topic before it)."""
    if user is None:  # a channel post or an anonymous admin: no asker to follow
        return
    after = Conversation.after(answer, before)
    if after is not None:
        store = _conversations(context)
        await _off_loop(store, store.put, chat, user.id, after)


async def answer_question(update: Update, context: Context, question: str) -> None:
    """Ask the engine and reply to the asker's message (quoted in groups). The question is
    read against the asker's last answer in this chat: in a group only the same person's, and
    only messages addressed to the bot reach here (a mention, a reply to the bot, /ask)."""
    message = update.effective_message
    if message is None:
        return
    engine = _engine(context)
    user = update.effective_user
    metrics = _metrics(context)
    before = await recall(context, message.chat.id, user)
    metrics.context(before is not None)
    started = time.perf_counter()
    answer = engine.ask(question, before)
    metrics.question(answer.decision, answer.lang, message.chat.type, time.perf_counter() - started)
    await remember(context, message.chat.id, user, answer, before)
    logger.debug("question %r -> %s %s", question, answer.decision, answer.intent)
    record_id = _record(context, message.chat.type, update.effective_user, answer)
    reply = answer_reply(
        answer, fingerprint=engine.fingerprint, record_id=record_id, intent_ids=engine.intent_ids()
    )
    await send(message, reply, quote=_is_group(message))
    await cross_off(context, update)


async def cross_off(context: Context, update: Update) -> None:
    """Cross the update off the inbox the moment its answer is sent: a kill after this does
    not answer it again after the restart (bot.telegram.inbox)."""
    queue = context.application.update_queue
    if isinstance(queue, InboxQueue):
        await queue.cross_off(update.update_id)


async def _flood_ok(update: Update, context: Context) -> bool:
    """Groups only: False (after at most one polite notice) when a user asks too often."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not _is_group(message):
        return True
    verdict = context.bot_data[FLOOD].check(message.chat.id, user.id)
    if verdict == "notice":
        await send(message, text_reply(ui("flood", *user_lang(user))), quote=True)
    return bool(verdict == "ok")


@contextlib.asynccontextmanager
async def admission(update: Update, context: Context) -> AsyncIterator[bool]:
    """`async with admission(update, context) as admitted:` whether to handle a message that
    will be answered in its chat. Not admitted, silently, when the chat's backlog is full
    (its earlier replies are still waiting for the chat's send allowance); in groups also when
    the user is over the flood guard (after one polite notice). The backlog slot is held until
    the block ends."""
    message = update.effective_message
    if message is None:
        yield False
        return
    chat_id = message.chat.id
    if not _backlog(context).enter(chat_id, group=_is_group(message)):
        logger.debug("Chat %s: backlog full, message %s dropped", chat_id, message.message_id)
        yield False
        return
    try:
        admitted = await _flood_ok(update, context)
        yield admitted
    finally:
        _backlog(context).leave(chat_id)


async def on_private_text(update: Update, context: Context) -> None:
    """Private chat: every text message is a question, and so is a photo's or file's caption."""
    message = update.effective_message
    text = None if message is None else message_text(message)
    if text is None:
        return
    async with admission(update, context) as admitted:
        if admitted:
            await answer_question(update, context, text)


async def on_group_text(update: Update, context: Context) -> None:
    """Group chat: answer only messages (or captions) addressed to the bot; ignore the rest."""
    message = update.effective_message
    if message is None:
        return
    question = group_question(message, context.bot.id, context.bot.username)
    if question is None:
        return
    async with admission(update, context) as admitted:
        if admitted:
            await answer_question(update, context, question)


async def on_ask(update: Update, context: Context) -> None:
    """/ask <question> (also /ask@BotName) in any chat."""
    message = update.effective_message
    if message is None:
        return
    async with admission(update, context) as admitted:
        if not admitted:
            return
        question = command_argument(message, context.bot.id, context.bot.username)
        if not question:
            lang = user_lang(update.effective_user)
            await send(message, text_reply(ui("ask_usage", *lang)), quote=_is_group(message))
            return
        await answer_question(update, context, question)


async def on_start(update: Update, context: Context) -> None:
    """/start: a short welcome and a few topic buttons."""
    message = update.effective_message
    if message is None:
        return
    async with admission(update, context) as admitted:
        if not admitted:
            return
        lang, script = user_lang(update.effective_user)
        if update.effective_user is not None:  # a fresh start: no topic to follow
            store = _conversations(context)
            await _off_loop(store, store.forget, message.chat.id, update.effective_user.id)
        engine = _engine(context)
        reply = topics_reply(
            ui("welcome", lang, script),
            engine.topics(lang, script),
            lang=lang,
            script=script,
            fingerprint=engine.fingerprint,
            intent_ids=engine.intent_ids(),
        )
        await send(message, reply, quote=_is_group(message))


async def on_help(update: Update, context: Context) -> None:
    """/help: what the bot covers, in the user's language."""
    message = update.effective_message
    if message is None:
        return
    async with admission(update, context) as admitted:
        if not admitted:
            return
        lang, script = user_lang(update.effective_user)
        await send(
            message, text_reply(_engine(context).help_text(lang, script)), quote=_is_group(message)
        )


async def on_unknown_command(update: Update, context: Context) -> None:
    """Private chat: a command we do not know gets a pointer to /help."""
    message = update.effective_message
    if message is None:
        return
    async with admission(update, context) as admitted:
        if admitted:
            await send(
                message,
                text_reply(ui("unknown_command", *user_lang(update.effective_user))),
                quote=False,
            )


Acknowledge = Callable[..., Awaitable[None]]


@contextlib.asynccontextmanager
async def callback_answer(query: CallbackQuery) -> AsyncIterator[Acknowledge]:
    """`async with callback_answer(query) as acknowledge:` a callback query is always answered
    (the spinner stops) by the end of the block, once: `acknowledge(text, show_alert=...)`
    answers it earlier with a text."""
    answered = False

    async def acknowledge(text: str | None = None, **kwargs: Any) -> None:
        nonlocal answered
        try:
            await deliver(partial(query.answer, text, **kwargs), "answerCallbackQuery")
        except BadRequest as exc:
            # a press older than Telegram's window ("query is too old") cannot be acknowledged,
            # but its answer can still be sent: the press is not lost for that
            logger.info("Callback query not acknowledged: %s", exc)
        answered = True

    try:
        yield acknowledge
    finally:
        if not answered:
            try:
                await acknowledge()
            except TelegramError as exc:
                logger.warning("Could not answer a callback query: %s", exc)


async def on_button(update: Update, context: Context) -> None:
    """Inline buttons: clarify choices, related questions, topics, "none of these", feedback.

    In groups every press counts against the presser's flood guard; a press that would send an
    answer needs room in its chat's backlog, else it gets a short "please wait" alert."""
    query = update.callback_query
    if query is None:
        return
    data = decode(query.data)
    lang, script = (data.lang, data.script) if data else user_lang(query.from_user)
    message = query.message if isinstance(query.message, Message) else None
    admitted_chat: int | None = None
    async with callback_answer(query) as acknowledge:
        try:
            if message is not None and _is_group(message):
                verdict = context.bot_data[FLOOD].check(message.chat.id, query.from_user.id)
                if verdict != "ok":
                    if verdict == "notice":
                        await acknowledge(ui("flood", lang, script), show_alert=True)
                    return  # (a dropped press is still answered below: the spinner stops)
            if data is None:
                await acknowledge(ui("stale", lang, script), show_alert=True)
                return
            if message is not None and data.kind not in (HELPFUL, UNHELPFUL):  # it will send
                if not _backlog(context).enter(message.chat.id, group=_is_group(message)):
                    await acknowledge(ui("busy", lang, script), show_alert=True)
                    return
                admitted_chat = message.chat.id
            await _press(context, query, data, message, acknowledge)
        finally:
            if admitted_chat is not None:
                _backlog(context).leave(admitted_chat)


async def _press(
    context: Context,
    query: CallbackQuery,
    data: ButtonData,
    message: Message | None,
    acknowledge: Callable[..., Awaitable[None]],
) -> None:
    """What a (decoded, admitted) button press does."""
    lang, script = data.lang, data.script
    qlog = _qlog(context)
    if data.kind in (HELPFUL, UNHELPFUL):
        if qlog is not None and data.record:
            qlog.record_feedback(
                data.record, helpful=data.kind == HELPFUL, user_id=query.from_user.id
            )
        await acknowledge(ui("thanks", lang, script))
        return
    engine = _engine(context)
    if data.kind == NONE:
        await acknowledge()
        if qlog is not None and data.record:
            # staff see in /unanswered that none of the offered intents was meant
            qlog.record_choice(data.record, NONE_OF_THESE)
        if message is not None:
            fallback = engine.fallback("none_of_these", lang=lang, script=script)
            await send(message, text_reply(fallback.text), quote=_is_group(message))
        return
    intent = resolve_intent(data.intent, engine.intent_ids())
    answer = None
    if intent is not None and data.fingerprint == fp_prefix(engine.fingerprint):
        title = engine.title(intent, lang=lang, script=script) or ""
        answer = engine.answer_intent(intent, lang=lang, script=script, question=title)
    if answer is None or intent is None:
        await acknowledge(ui("stale", lang, script), show_alert=True)
        return
    await acknowledge()
    if message is None:
        return
    before = await recall(context, message.chat.id, query.from_user)
    await remember(context, message.chat.id, query.from_user, answer, before)
    if data.kind == CHOOSE and data.record:
        record_id: str | None = data.record
        if qlog is not None:
            qlog.record_choice(data.record, intent)
    else:
        record_id = _record(context, message.chat.type, query.from_user, answer)
    reply = answer_reply(
        answer,
        fingerprint=engine.fingerprint,
        record_id=record_id,
        intent_ids=engine.intent_ids(),
    )
    await send(message, reply, quote=_is_group(message))


INLINE_RESULTS = 3  # the answer and up to two alternatives
INLINE_CACHE_SECONDS = 300  # Telegram may reuse results for the same query this long


async def on_inline_query(update: Update, context: Context) -> None:
    """Inline mode: "@bot 托位有多少" typed in any chat offers the answer (and up to two
    alternatives) as results the user can send; the same guards and footers as in a chat, and
    a refusal is offered as the refusal it is."""
    query = update.inline_query
    if query is None:
        return
    engine = _engine(context)
    text = query.query.strip()
    lang, script = user_lang(query.from_user)
    if not text:
        help_text = engine.help_text(lang, script)
        answers = [(ui("inline_help", lang, script), help_text)]
    else:
        started = time.perf_counter()
        answer = engine.ask(text)
        _metrics(context).question(
            answer.decision, answer.lang, "inline", time.perf_counter() - started
        )
        _record(context, "inline", query.from_user, answer)
        answers = inline_answers(engine, answer)
    results = [
        InlineQueryResultArticle(
            id=f"{engine.fingerprint}-{n}",
            title=title[:64],
            description=body.split("\n", 1)[0][:120],
            input_message_content=InputTextMessageContent(
                split_html(html.escape(body, quote=False))[0], parse_mode=ParseMode.HTML
            ),
        )
        for n, (title, body) in enumerate(answers[:INLINE_RESULTS])
    ]
    await deliver(
        partial(query.answer, results, cache_time=INLINE_CACHE_SECONDS, is_personal=False),
        "answerInlineQuery",
    )


def inline_answers(engine: Engine, answer: Answer) -> list[tuple[str, str]]:
    """(title, text) of the inline results: the answer and its closest alternatives, or the
    choices of a clarifying question, or the fallback itself."""
    lang, script = answer.lang, answer.script
    out: list[tuple[str, str]] = []
    if answer.decision == "answer" and answer.intent:
        out.append((engine.title(answer.intent, lang, script) or answer.intent, answer.text))
    if answer.decision in ("answer", "clarify"):
        for c in answer.candidates:
            if c.intent in (answer.intent, *answer.intents):
                continue
            alt = engine.answer_intent(c.intent, lang=lang, script=script, question=answer.question)
            if alt is not None:
                out.append((c.title, alt.text))
    if not out:  # a refusal or nothing close: say so, honestly
        out.append((answer.text.split("\n", 1)[0][:64], answer.text))
    return out[:INLINE_RESULTS]


def _is_admin(update: Update, context: Context) -> bool:
    user = update.effective_user
    settings: Settings = context.bot_data[SETTINGS]
    return user is not None and user.id in settings.admin_ids


async def _refuse_non_admin(update: Update, command: str) -> bool:
    """Reply with a polite refusal and log the attempt; True if the user is not an admin."""
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    logger.warning(
        "Refused /%s from non-admin user %s in chat %s",
        command,
        user.id if user else None,
        chat.id if chat else None,
    )
    if message is not None:
        await send(message, text_reply(ui("not_admin", *user_lang(user))), quote=_is_group(message))
    return True


@dataclass(frozen=True)
class ReloadResult:
    """Outcome of a reload: on failure `lines` are the problems, on success the changes."""

    ok: bool
    lines: list[str]
    warnings: list[str] = field(default_factory=list)
    summary: str = ""


async def refresh_examples(bot_data: BotData) -> bool:
    """Another replica changed the staff examples: the same content files with the examples
    now stored (no reload of the files: they may be mid-edit). False when they cannot be read."""
    staff: StaffChanges | None = bot_data.get(STAFF)
    if staff is None:
        return False
    async with bot_data[RELOAD_LOCK]:
        try:
            added = await asyncio.to_thread(staff.examples)
        except QuestionLogError as exc:
            logger.error("Staff examples not refreshed: %s", exc)
            return False
        old: Engine = bot_data[ENGINE]
        if tuple(added) != old.added:
            bot_data[ENGINE] = await asyncio.to_thread(old.with_examples, added)
        return True


async def announce(bot_data: BotData, what: str) -> None:
    """Tell the other replicas that this one's engine changed (nothing without replicas)."""
    tell: Callable[[str], None] | None = bot_data.get(ANNOUNCE)
    if tell is not None:
        await asyncio.to_thread(tell, what)


def build_engine(
    settings: Settings, staff: StaffChanges | None, keep: Sequence[AddedExample] = ()
) -> Engine:
    """The engine of the content files plus the examples staff added. When those cannot be
    read, the ones the serving engine had (`keep`) stay: a reload while the database is away
    must not drop them. Blocking: run it in a worker thread."""
    engine = Engine.load_checked(
        settings.intents_dir, settings.data_dir, clock=clock_for(settings.today)
    )
    if staff is None:
        return engine
    try:
        added = staff.examples()
    except QuestionLogError as exc:
        logger.error(
            "Cannot read the examples staff added (%s); keeping the %d in force", exc, len(keep)
        )
        added = list(keep)
    if not added:
        return engine
    engine = engine.with_examples(added)
    logger.info("%d example(s) added by staff are in force", len(engine.added))
    return engine


async def reload_engine(bot_data: BotData) -> ReloadResult:
    """Build a complete new Engine in a worker thread; swap it in only if it loads cleanly."""
    async with bot_data[RELOAD_LOCK]:
        settings: Settings = bot_data[SETTINGS]
        old: Engine = bot_data[ENGINE]
        try:
            new = await asyncio.to_thread(build_engine, settings, bot_data.get(STAFF), old.added)
        except ContentError as exc:
            problems = sorted(exc.problems, key=lambda p: p.severity != "error")
            logger.warning(
                "Reload failed with %d problem(s); keeping the old content", len(problems)
            )
            bot_data[METRICS].reload(False)
            return ReloadResult(False, [str(p) for p in problems])
        except Exception as exc:
            logger.exception("Reload failed; keeping the old content")
            bot_data[METRICS].reload(False)
            return ReloadResult(False, [f"{type(exc).__name__}: {exc}"])
        changes = Engine.describe_changes(old, new)  # before the swap: the reply tells the truth
        bot_data[ENGINE] = new
        bot_data[METRICS].reload(True)
        summary = f"content {new.fingerprint} (was {old.fingerprint})"
        logger.info("Reloaded content: %s; %d change(s)", summary, len(changes))
        warnings = [str(w) for w in new.warnings] + new.added_problems
        return ReloadResult(True, changes, warnings, summary)


def reload_headline(result: ReloadResult) -> str:
    """The first line of a reload report."""
    if not result.ok:
        return f"Reload failed: {len(result.lines)} problem(s). Still serving the previous content."
    return f"Reloaded: {result.summary}"


def reload_reply(result: ReloadResult, *, max_lines: int | None = None) -> Reply:
    """The admin's view of a reload result (problems as `path:line: message`), at most
    `max_lines` of them (the rest counted)."""
    lines = result.lines
    if result.ok:
        lines = (lines or ["No changes."]) + [f"warning: {w}" for w in result.warnings]
    return lines_reply(reload_headline(result), lines, max_lines=max_lines)


async def on_reload(update: Update, context: Context) -> None:
    """/reload (admins): rebuild the engine from the configured content directories.

    Allowed in a group when addressed to the bot; the problem list then goes to the admin's
    private chat, and the group sees only the headline (or, when the bot cannot write to the
    admin, a trimmed list)."""
    message = update.effective_message
    if message is None:
        return
    async with admission(update, context) as admitted:
        if not admitted:
            return
        if not _is_admin(update, context):
            await _refuse_non_admin(update, "reload")
            return
        result = await reload_engine(context.bot_data)
        if result.ok:
            await announce(context.bot_data, "reload")
        if not _is_group(message):
            await send(message, reload_reply(result), quote=False)
            return
        user = update.effective_user
        if user is not None:
            try:
                await send_to_chat(context, user.id, reload_reply(result))
            except TelegramError as exc:  # the admin never opened a chat with the bot
                logger.info("Reload report not sent privately to %s (%s)", user.id, exc)
            else:
                note = f"{reload_headline(result)}\nDetails were sent to you in a private chat."
                await send(message, text_reply(note), quote=True)
                return
        await send(message, reload_reply(result, max_lines=GROUP_RELOAD_LINES), quote=True)


def _days(context: Context, default: int = 7) -> int:
    args = context.args or []
    try:
        days = int(args[0]) if args else default
    except ValueError:
        return default
    return min(max(days, 1), 3650)


async def on_stats(update: Update, context: Context) -> None:
    """/stats [days] (admins): question counts and answer rates."""
    await _log_report(update, context, "stats")


def _log_report_text(qlog: QuestionLog, command: str, days: int) -> str:
    """The text of /stats: reads the log (a worker thread)."""
    return review.format_stats(review.stats_of(qlog, days=days), days=days)


async def _log_report(update: Update, context: Context, command: str) -> None:
    """/stats: admins only, and only in private chats (what citizens asked must not be posted
    to a community group)."""
    message = update.effective_message
    if message is None:
        return
    async with admission(update, context) as admitted:
        if not admitted:
            return
        if not _is_admin(update, context):
            await _refuse_non_admin(update, command)
            return
        if _is_group(message):
            notice = ui("private_only", *user_lang(update.effective_user))
            await send(message, text_reply(notice), quote=True)
            return
        qlog = _qlog(context)
        if qlog is None:
            text = "The question log is off (BOT_DB=off)."
        elif not getattr(qlog, "recording", True):
            text = (
                "The question log could not be opened, so nothing is being recorded (see the "
                "bot's log for why; check BOT_DB and the folder's permissions)."
            )
        else:  # off the event loop: reading and grouping may take a while on a big log
            text = await asyncio.to_thread(_log_report_text, qlog, command, _days(context))
        await send(message, text_reply(text), quote=False)


def _addressed(update: Update, context: Context) -> bool:
    """Whether an update was meant for the bot (so an error notice is welcome there)."""
    if update.callback_query is not None:
        return True
    message = update.effective_message
    if message is None:
        return False
    if not _is_group(message):
        return True
    if (message.text or "").startswith("/"):
        return True
    try:
        return group_question(message, context.bot.id, context.bot.username) is not None
    except Exception:
        return False


async def on_error(update: object, context: Context) -> None:
    """Log every error with its traceback; tell the user politely when the update was for us."""
    error = context.error
    if update is None and isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        # polling while Telegram is unreachable: PTB retries; one line per failure is enough
        logger.warning("Telegram not reachable: %s", error)
        return
    logger.error("Error while handling an update", exc_info=context.error)
    metrics: Metrics | None = getattr(context, "bot_data", {}).get(METRICS)
    if metrics is not None and isinstance(error, TelegramError):
        metrics.telegram_error(error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if not _addressed(update, context):
        return
    chat = update.effective_chat
    backlog: ChatBacklog | None = getattr(context, "bot_data", {}).get(BACKLOG)
    group = chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
    if backlog is not None and not backlog.enter(chat.id, group=group):
        return  # the chat's backlog is full: no apology to wait in it
    text = text_reply(ui("error", *user_lang(update.effective_user))).texts[0]
    try:
        await deliver(partial(context.bot.send_message, chat.id, text), "sendMessage")
    except TelegramError as exc:
        logger.warning("Could not send the error notice: %s", exc)
    finally:
        if backlog is not None:
            backlog.leave(chat.id)
