"""Staff close the loop in Telegram: what the bot missed, fixed where it is seen.

/unanswered and /feedback (admins, private chats) list the grouped questions the bot could not
answer or whose answer got 👎, each with buttons: the 1-3 intents the engine suggests, "another
topic…" (topics, then their intents), "not in the report" and "ignore". Choosing an intent adds
the question as an example of it, after the check `check` applies to the files' examples
(Engine.check_example): the new engine is built, checked and swapped in under the reload lock,
and the change is stored in the question-log database (bot.questionlog.StaffChanges) with the
admin's keyed hash. /undo reverts the newest change, /changes lists them. With
BOT_DIGEST_HOUR, admins get a daily digest at that hour: counts, top unanswered, 👎.

Every staff button checks its presser against BOT_ADMIN_IDS: callback data can be forged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime, timedelta, timezone
from functools import partial
from typing import TYPE_CHECKING, Any

from telegram import CallbackQuery, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.config import Settings
from bot.engine import AddedExample, Engine
from bot.questionlog import QuestionLogError, review
from bot.telegram.handlers import (
    ENGINE,
    QLOG,
    RELOAD_LOCK,
    SETTINGS,
    STAFF,
    Context,
    admission,
    announce,
    callback_answer,
    deliver,
    send,
    user_lang,
)
from bot.telegram.send import (
    ADD,
    IGNORE,
    NOT_IN_REPORT,
    OTHER,
    PICK,
    Button,
    ButtonData,
    Reply,
    button_label,
    decode,
    encode,
    fp_prefix,
    lines_reply,
    resolve_intent,
    text_reply,
    ui,
)

if TYPE_CHECKING:
    from bot.questionlog import Change, QuestionLog, StaffChanges
    from bot.questionlog.staff import Action

logger = logging.getLogger(__name__)

ALREADY = "Already seen to (see /changes)."
SHOWN_GROUPS = 5  # groups sent with buttons by one /unanswered or /feedback
SUGGESTIONS = 3
_ACTION_NAMES = {"example": "example of", "not_in_report": "not in the report", "ignore": "ignored"}


def _settings(context: Context) -> Settings:
    settings: Settings = context.bot_data[SETTINGS]
    return settings


def _is_admin(context: Context, user_id: int | None) -> bool:
    return user_id is not None and user_id in _settings(context).admin_ids


def _staff(context: Context) -> StaffChanges | None:
    staff: StaffChanges | None = context.bot_data.get(STAFF)
    return staff


def _qlog(context: Context) -> QuestionLog | None:
    qlog: QuestionLog | None = context.bot_data.get(QLOG)
    return qlog


def _engine(context: Context) -> Engine:
    engine: Engine = context.bot_data[ENGINE]
    return engine


def _admin_hash(context: Context, user_id: int) -> str:
    qlog = _qlog(context)
    hash_user = getattr(qlog, "hash_user", None)
    return str(hash_user(user_id)) if hash_user is not None else "?"


_cut = review.one_line  # a citizen's text as one safe line


def _days(context: Context, default: int = 7) -> int:
    args = context.args or []
    try:
        days = int(args[0]) if args else default
    except ValueError:
        return default
    return min(max(days, 1), 3650)


# -- commands ---------------------------------------------------------------------------------


async def _admin_private(update: Update, context: Context, command: str) -> Message | None:
    """The command's message when an admin sent it in a private chat with a working log;
    otherwise the polite answer has been sent and None is returned."""
    message, user = update.effective_message, update.effective_user
    if message is None:
        return None
    if not _is_admin(context, user.id if user else None):
        logger.warning("Refused /%s from non-admin user %s", command, user.id if user else None)
        await send(message, text_reply(ui("not_admin", *user_lang(user))), quote=False)
        return None
    if message.chat.type != ChatType.PRIVATE:
        await send(message, text_reply(ui("private_only", *user_lang(user))), quote=True)
        return None
    qlog = _qlog(context)
    if qlog is None:
        await send(message, text_reply("The question log is off (BOT_DB=off)."), quote=False)
        return None
    if not getattr(qlog, "recording", True):
        text = (
            "The question log could not be opened, so nothing is being recorded (see the "
            "bot's log for why; check BOT_DB and the folder's permissions)."
        )
        await send(message, text_reply(text), quote=False)
        return None
    return message


async def on_unanswered(update: Update, context: Context) -> None:
    """/unanswered [days] (admins): what the bot could not answer, grouped; the most frequent
    groups each come with buttons to fix them."""
    await _review(update, context, "unanswered")


async def on_feedback(update: Update, context: Context) -> None:
    """/feedback [days] (admins): answers citizens rated 👎, with the answer given and buttons."""
    await _review(update, context, "feedback")


async def _review(update: Update, context: Context, command: str) -> None:
    async with admission(update, context) as admitted:
        if not admitted:
            return
        message = await _admin_private(update, context, command)
        if message is None:
            return
        qlog, staff = _qlog(context), _staff(context)
        assert qlog is not None
        days = _days(context)
        try:
            groups, summary = await asyncio.to_thread(_read_groups, qlog, staff, command, days)
        except QuestionLogError as exc:
            logger.error("/%s: %s", command, exc)
            await send(message, text_reply(f"The question log cannot be read: {exc}"), quote=False)
            return
        await send(message, text_reply(summary), quote=False)
        engine = _engine(context)
        for n, group in enumerate(groups[:SHOWN_GROUPS], 1):
            await send(message, group_reply(engine, group, n, command), quote=False)


def _read_groups(
    qlog: QuestionLog, staff: StaffChanges | None, command: str, days: int
) -> tuple[list[review.UnansweredGroup], str]:
    """The groups of /unanswered or /feedback and the text of the message before them."""
    handled = frozenset() if staff is None else staff.handled()
    if command == "feedback":
        groups = review.unhelpful_in(qlog, days=days, limit=20, handled=handled)
        if not groups:
            return [], f"No answers rated 👎 in the last {days} day(s) that staff have not seen to."
        head = f"Answers rated 👎, last {days} day(s): {len(groups)} group(s)"
    else:
        groups = review.unanswered_in(qlog, days=days, limit=20, handled=handled)
        if not groups:
            return [], f"No unanswered questions in the last {days} day(s) left to see to."
        head = review.format_unanswered(groups, days)
    shown = min(len(groups), SHOWN_GROUPS)
    return groups, (
        f"{head}\n\nThe {shown} most frequent follow, each with buttons: add it as an example "
        "of an intent (checked first, live at once), or mark it. /undo reverts the last change."
    )


def group_reply(engine: Engine, group: review.UnansweredGroup, n: int, command: str) -> Reply:
    """One group of /unanswered or /feedback with its buttons."""
    lines = [f"{n}. 「{_cut(group.question, 200)}」 ×{group.count}"]
    if group.variants:
        lines.append("also: " + " | ".join(_cut(v, 60) for v in group.variants[:3]))
    skip: set[str] = set()
    if command == "feedback":
        for intent in group.answered:
            skip.add(intent)
            given = engine.answer_intent(intent, question=group.question)
            title = engine.title(intent) or intent
            lines.append(f"answered with {title} ({intent}):")
            if given is not None:
                lines.append(_cut(given.text, 300))
    else:
        if group.reasons:
            lines.append("why: " + ", ".join(f"{r} {c}" for r, c in group.reasons.items()))
        if group.chosen:
            lines.append("picked: " + ", ".join(f"{r} {c}" for r, c in group.chosen.items()))
    suggested = [
        i for i in engine.suggest(group.question, SUGGESTIONS + len(skip)) if i not in skip
    ]
    return staff_keyboard(engine, "\n".join(lines), group.rep_id, suggested[:SUGGESTIONS])


def _data(engine: Engine, kind: str, record: str, intent: str = "") -> str:
    data = ButtonData(kind, "en", "simplified", engine.fingerprint, record, intent)
    return encode(data, engine.intent_ids())


def staff_keyboard(engine: Engine, text: str, record: str, suggested: list[str]) -> Reply:
    """A text with the staff buttons for the logged question `record`."""
    rows: list[tuple[Button, ...]] = [
        (Button(button_label(f"➕ {engine.title(i) or i}"), _data(engine, ADD, record, i)),)
        for i in suggested
    ]
    rows.append((Button("Another topic…", _data(engine, OTHER, record)),))
    rows.append(
        (
            Button("Not in the report", _data(engine, NOT_IN_REPORT, record)),
            Button("Ignore", _data(engine, IGNORE, record)),
        )
    )
    return Reply(text_reply(text).texts, tuple(rows))


async def _staff_command(
    update: Update, context: Context, command: str
) -> tuple[Message, StaffChanges] | None:
    """The message and the staff changes of /undo or /changes when an admin may use it here
    (else the polite answer has been sent, and None is returned)."""
    message = await _admin_private(update, context, command)
    if message is None:
        return None
    staff = _staff(context)
    if staff is None:
        await send(message, text_reply("No staff changes: the log has no database."), quote=False)
        return None
    return message, staff


async def on_undo(update: Update, context: Context) -> None:
    """/undo (admins): revert the newest staff change still in force."""
    async with admission(update, context) as admitted:
        if not admitted:
            return
        found = await _staff_command(update, context, "undo")
        if found is None:
            return
        message, staff = found
        async with context.bot_data[RELOAD_LOCK]:
            try:
                text = await _undo(context, staff)
            except QuestionLogError as exc:
                logger.error("/undo: %s", exc)
                text = f"Nothing was undone: the question log cannot be written ({exc})."
        await send(message, text_reply(text), quote=False)


async def _undo(context: Context, staff: StaffChanges) -> str:
    last = await asyncio.to_thread(staff.last_active)
    if last is None:
        return "Nothing to undo."
    engine = _engine(context)
    if last.state == "exported":
        return (
            f"The newest change, {describe(last, engine)}, is exported to the content files: "
            "remove it there (and /reload) to take it back."
        )
    new = None
    if last.action == "example":  # the engine without it, before anything is written
        rest = await asyncio.to_thread(staff.examples, without=last.id)
        new = await asyncio.to_thread(engine.with_examples, rest)
    if not await asyncio.to_thread(staff.undo, last.id):
        return "Nothing was undone: that change was undone a moment ago."
    if new is not None:
        context.bot_data[ENGINE] = new
        await announce(context.bot_data, "staff change")
    logger.info("Staff change %d undone", last.id)
    return f"Undone: {describe(last, engine)}."


async def on_changes(update: Update, context: Context) -> None:
    """/changes (admins): the staff changes, newest first."""
    async with admission(update, context) as admitted:
        if not admitted:
            return
        found = await _staff_command(update, context, "changes")
        if found is None:
            return
        message, staff = found
        try:
            changes = await asyncio.to_thread(staff.recent, 30)
        except QuestionLogError as exc:
            await send(message, text_reply(f"The question log cannot be read: {exc}"), quote=False)
            return
        engine = _engine(context)
        lines = [
            f"#{c.id} {c.ts[:16].replace('T', ' ')} [{c.state}] {describe(c, engine)} "
            f"(admin {c.admin[:6]})"
            for c in changes
        ]
        head = "Staff changes, newest first (times UTC)"
        reply = lines_reply(head, lines or ["None yet."])
        await send(message, reply, quote=False)


def describe(change: Change, engine: Engine) -> str:
    """One line for a change: what was done to which question."""
    what = _ACTION_NAMES.get(change.action, change.action)
    question = f"「{_cut(change.question, 80)}」"
    if change.action == "example" and change.intent:
        title = engine.title(change.intent) or change.intent
        return f"{question} as an {what} {title} ({change.intent})"
    return f"{question} marked {what}"


# -- buttons ----------------------------------------------------------------------------------


async def on_staff_button(update: Update, context: Context) -> None:
    """A press on a staff button: only an admin's, in a private chat, changes anything."""
    query = update.callback_query
    if query is None:
        return
    async with callback_answer(query) as acknowledge:
        data = decode(query.data)
        message = query.message if isinstance(query.message, Message) else None
        if not _is_admin(context, query.from_user.id):
            logger.warning("Refused a staff button from non-admin user %s", query.from_user.id)
            await acknowledge(ui("not_admin", *user_lang(query.from_user)), show_alert=True)
            return
        if data is None or message is None or message.chat.type != ChatType.PRIVATE:
            await acknowledge(ui("stale", "en", "simplified"), show_alert=True)
            return
        await _staff_press(context, query, data, message, acknowledge)


async def _staff_press(
    context: Context,
    query: CallbackQuery,
    data: ButtonData,
    message: Message,
    acknowledge: Callable[..., Awaitable[None]],
) -> None:
    staff, qlog = _staff(context), _qlog(context)
    engine = _engine(context)
    if staff is None or qlog is None:
        await acknowledge("The question log is off (BOT_DB=off).", show_alert=True)
        return
    if data.fingerprint != fp_prefix(engine.fingerprint):
        await acknowledge("The content changed since: send the command again.", show_alert=True)
        return
    logged = await asyncio.to_thread(review.question_in, qlog, data.record)
    if logged is None:
        await acknowledge("That question is no longer in the log.", show_alert=True)
        return
    if data.kind == OTHER:
        await acknowledge()
        await send(message, topics_keyboard(engine, logged.question, data.record), quote=False)
        return
    if data.kind == PICK:
        topics = topics_of(engine)
        if not data.intent.isdigit() or int(data.intent) >= len(topics):
            await acknowledge(ui("stale", "en", "simplified"), show_alert=True)
            return
        await acknowledge()
        topic = topics[int(data.intent)]
        await send(
            message, intents_keyboard(engine, logged.question, data.record, topic), quote=False
        )
        return
    admin = _admin_hash(context, query.from_user.id)
    async with context.bot_data[RELOAD_LOCK]:
        engine = _engine(context)  # a /reload may have swapped it while this press waited
        if data.fingerprint != fp_prefix(engine.fingerprint):
            await acknowledge("The content changed since: send the command again.", show_alert=True)
            return
        if logged.normalized in await asyncio.to_thread(staff.handled):
            await acknowledge(ALREADY, show_alert=True)
            return
        await acknowledge("Checking…" if data.kind == ADD else None)
        if data.kind == ADD:
            text = await _add_example(context, staff, logged, data.intent, admin)
        else:
            action: Action = "not_in_report" if data.kind == NOT_IN_REPORT else "ignore"
            change = await asyncio.to_thread(
                staff.add, action, logged.question, logged.normalized, None, admin
            )
            if change is None:
                text = ALREADY
            else:
                text = f"Marked: {describe(change, engine)}. It leaves the list; /undo reverts it."
    await send(message, text_reply(text), quote=False)


async def _add_example(
    context: Context,
    staff: StaffChanges,
    logged: review.LoggedQuestion,
    intent_field: str,
    admin: str,
) -> str:
    """Check, store and swap in one added example (the caller holds the reload lock)."""
    engine = _engine(context)
    intent = resolve_intent(intent_field, engine.intent_ids())
    if intent is None or engine.title(intent) is None:
        return "That intent no longer exists; nothing changed."
    example = AddedExample(intent, logged.question.strip())
    # checked against the examples in the database, which another replica may have changed
    stored = await asyncio.to_thread(staff.examples)
    new, problems = await asyncio.to_thread(engine.check_example, example, stored)
    title = engine.title(intent) or intent
    if problems:
        logger.info("Staff example refused for %s: %s", intent, problems)
        reasons = "\n".join(f"• {p}" for p in problems)
        return (
            f"Not added: 「{_cut(example.question, 120)}」 as an example of {title} ({intent}), "
            f"because\n{reasons}\nNothing changed."
        )
    change = await asyncio.to_thread(
        staff.add, "example", example.question, logged.normalized, intent, admin
    )
    if change is None:
        return ALREADY
    context.bot_data[ENGINE] = new
    await announce(context.bot_data, "staff change")
    answer = new.ask(example.question)
    logger.info("Staff change %d: example added to %s", change.id, intent)
    return (
        f"Added: {describe(change, new)}. The bot answers it now:\n"
        f"{_cut(answer.text, 300)}\n/undo reverts it."
    )


def topics_keyboard(engine: Engine, question: str, record: str) -> Reply:
    """The topics to look for an intent in."""
    rows = tuple(
        (Button(button_label(t), _data(engine, PICK, record, str(n))),)
        for n, t in enumerate(topics_of(engine))
    )
    return Reply(text_reply(f"Which topic does 「{_cut(question, 120)}」 belong to?").texts, rows)


def topics_of(engine: Engine) -> list[str]:
    """The content's topics, in the order their buttons carry (by position: a topic may be
    any text, callback data only a few characters)."""
    return sorted({li.intent.topic for li in engine.content.intents})


def intents_keyboard(engine: Engine, question: str, record: str, topic: str) -> Reply:
    """The intents of one topic, each a button that adds the question to it."""
    ids = [li.intent.id for li in engine.content.intents if li.intent.topic == topic]
    rows = tuple(
        (Button(button_label(f"➕ {engine.title(i) or i}"), _data(engine, ADD, record, i)),)
        for i in ids
    )
    text = f"Add 「{_cut(question, 120)}」 as an example of which intent ({topic})?"
    return Reply(text_reply(text).texts, rows)


# -- the daily digest -------------------------------------------------------------------------

DIGEST_ZONE = timezone(timedelta(hours=8))  # the district's: "9 o'clock" is 9 in Guangzhou


def seconds_until(hour: int, now: datetime) -> float:
    """Seconds from `now` (aware) to the next `hour`:00 in China (never 0: a digest just sent
    is not sent again)."""
    local = now.astimezone(DIGEST_ZONE)
    target = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if target <= local:
        target += timedelta(days=1)
    return (target - local).total_seconds()


def digest_text(qlog: QuestionLog, staff: StaffChanges | None, engine: Engine) -> str:
    """The admins' daily digest: the last day's counts, the top unanswered, the 👎. Blocking."""
    stats = review.stats_of(qlog, days=1)
    handled = frozenset() if staff is None else staff.handled()
    missed = review.unanswered_in(qlog, days=1, limit=5, handled=handled)
    disliked = review.unhelpful_in(qlog, days=1, limit=3, handled=handled)
    o = stats.overall
    lines = [
        f"Daily digest: {o.total} question(s) in the last 24 hours: answered {o.answer}, "
        f"clarified {o.clarify}, not answered {o.fallback}; 👍 {o.helpful} 👎 {o.unhelpful}."
    ]
    if missed:
        lines.append("Most asked of what was not answered:")
        lines += [f"  「{_cut(g.question, 80)}」 ×{g.count}" for g in missed]
    if disliked:
        lines.append("Rated 👎:")
        for g in disliked:
            titles = ", ".join(engine.title(i) or i for i in g.answered)
            lines.append(f"  「{_cut(g.question, 80)}」 ×{g.count} (answered with {titles})")
    if missed or disliked:
        lines.append("/unanswered and /feedback show them with the buttons that fix them.")
    return "\n".join(lines)


async def send_digest(bot_data: MutableMapping[Any, Any], bot: Any) -> int:
    """Send the digest to every admin; how many received it (one who never opened a chat with
    the bot cannot be written to, and is skipped)."""
    settings: Settings = bot_data[SETTINGS]
    qlog: QuestionLog | None = bot_data.get(QLOG)
    if qlog is None:
        return 0
    staff: StaffChanges | None = bot_data.get(STAFF)
    if staff is not None:  # with several replicas, the first to claim the day sends it
        day = datetime.now(DIGEST_ZONE).date().isoformat()
        try:
            if not await asyncio.to_thread(staff.claim_digest, day):
                logger.info("Digest of %s sent by another replica", day)
                return 0
        except QuestionLogError as exc:
            logger.warning("Digest not claimed (%s); sending it all the same", exc)
    text = await asyncio.to_thread(digest_text, qlog, bot_data.get(STAFF), bot_data[ENGINE])
    sent = 0
    for admin in sorted(settings.admin_ids):
        try:
            for piece in text_reply(text).texts:
                await deliver(partial(bot.send_message, admin, piece), "sendMessage")
            sent += 1
        except TelegramError as exc:
            logger.info("Digest not sent to %s: %s", admin, exc)
    return sent


async def digest_loop(
    bot_data: MutableMapping[Any, Any],
    bot: Any,
    hour: int,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    """Send the digest every day at `hour` (China time) until cancelled; a failure is logged
    and the next day comes all the same."""
    while True:
        await asyncio.sleep(seconds_until(hour, now()))
        try:
            n = await send_digest(bot_data, bot)
            logger.info("Daily digest sent to %d admin(s)", n)
        except Exception:
            logger.exception("Daily digest failed")
