"""Answer -> Telegram message pieces (HTML text and inline-keyboard data), without Telegram objects.

Every dynamic string is escaped here, every piece of text fits Telegram's 4096-character limit
and every callback_data fits its 64-byte limit. The Telegram layer only turns `Reply` into
API calls.

callback_data scheme (ASCII, at most 64 bytes): ``<kind><ls>|<fp>|<record id>|<intent>``

- kind: ``c`` clarify choice, ``r`` related question, ``t`` /start topic, ``n`` "none of these",
  ``u`` / ``d`` helpful / not helpful; for staff ``a`` add as an example, ``o`` another topic,
  ``p`` pick a topic, ``x`` not in the report, ``i`` ignore;
- ls: the language and script the button was made for (see `_LS`);
- fp: the first 6 characters of the engine's content fingerprint, to detect stale buttons;
- record id: the question-log record the button belongs to ("" when there is none);
- intent: the intent id, or ``#`` + its index in `Engine.intent_ids()` when the id would not fit
  (the fingerprint guarantees the index refers to the same content).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.engine import Answer, Lang, Script

MAX_TEXT = 4096
MAX_PIECES = 4
MAX_CALLBACK_BYTES = 64
MAX_BUTTON_TEXT = 64
FP_LEN = 6
MAX_RECORD_ID = 16

CHOOSE, RELATED, TOPIC, NONE, HELPFUL, UNHELPFUL = "c", "r", "t", "n", "u", "d"
# staff buttons (bot.telegram.staff): add as an example, another topic, pick a topic, not in
# the report, ignore; the record is the logged question, `intent` the intent (or the topic)
ADD, OTHER, PICK, NOT_IN_REPORT, IGNORE = "a", "o", "p", "x", "i"
STAFF_KINDS = frozenset({ADD, OTHER, PICK, NOT_IN_REPORT, IGNORE})
KINDS = frozenset({CHOOSE, RELATED, TOPIC, NONE, HELPFUL, UNHELPFUL}) | STAFF_KINDS

_LS: dict[tuple[Lang, Script], str] = {
    ("zh", "simplified"): "s",
    ("zh", "traditional"): "t",
    ("en", "simplified"): "e",
    ("en", "traditional"): "E",
}
_LS_BACK: dict[str, tuple[Lang, Script]] = {v: k for k, v in _LS.items()}
# What `encode` produces: kind+ls | fingerprint | record id | intent id or #index, all ASCII.
_INDEX_RE = re.compile(r"[0-9]{1,6}")
_RECORD_RE = re.compile(rf"[A-Za-z0-9_-]{{0,{MAX_RECORD_ID}}}")
_INTENT_RE = re.compile(r"[A-Za-z0-9_.-]{0,64}")
_DATA_RE = re.compile(
    rf"([a-z])([a-zA-Z])\|([A-Za-z0-9]{{0,{FP_LEN}}})\|({_RECORD_RE.pattern})"
    rf"\|({_INTENT_RE.pattern}|#{_INDEX_RE.pattern})"
)

# Interface strings of the Telegram layer (the engine owns answer texts).
UI: dict[str, dict[str, str]] = {
    "none_button": {"s": "都不是", "t": "都不是", "e": "None of these"},
    "stale": {
        "s": "这个按钮已过期，请重新提问。",
        "t": "這個按鈕已過期，請重新提問。",
        "e": "This button is out of date, please ask again.",
    },
    "thanks": {"s": "谢谢您的反馈！", "t": "謝謝您的回饋！", "e": "Thank you for your feedback!"},
    "welcome": {
        "s": "您好！我根据海珠区政府公开发布的国民经济和社会发展计划报告回答问题"
        "（每个回答都注明年份和出处）。直接发送问题即可，或点击下面的话题：",
        "t": "您好！我根據海珠區政府公開發佈的國民經濟和社會發展計劃報告回答問題"
        "（每個回答都註明年份和出處）。直接發送問題即可，或點擊下面的話題：",
        "e": "Hello! I answer from Haizhu District's published development plan report (every "
        "answer says its year and source). Send a question, or tap a topic below:",
    },
    "inline_help": {"s": "能问什么", "t": "能問甚麼", "e": "What you can ask"},
    "ask_usage": {
        "s": "请在命令后面写上问题，例如：/ask 新增了多少学位",
        "t": "請在命令後面寫上問題，例如：/ask 新增了多少學位",
        "e": "Please write your question after the command, e.g. /ask How many school places?",
    },
    "flood": {
        "s": "您提问太频繁了，请稍后再问。",
        "t": "您提問太頻繁了，請稍後再問。",
        "e": "You are asking too quickly; please wait a minute.",
    },
    "busy": {
        "s": "请稍等，前面的问题还在回答中。",
        "t": "請稍等，前面的問題還在回答中。",
        "e": "Please wait a moment: I'm still answering earlier questions here.",
    },
    "private_only": {
        "s": "为保护提问者的隐私，这个命令只能在与我的私聊中使用。",
        "t": "為保護提問者的私隱，這個命令只能在與我的私聊中使用。",
        "e": "To protect askers' privacy, this command only works in a private chat with me.",
    },
    "not_admin": {
        "s": "抱歉，这个命令只限管理员使用。",
        "t": "抱歉，這個命令只限管理員使用。",
        "e": "Sorry, this command is for administrators only.",
    },
    "error": {
        "s": "抱歉，出了点问题，请稍后再试。",
        "t": "抱歉，出了點問題，請稍後再試。",
        "e": "Sorry, something went wrong. Please try again later.",
    },
    "unknown_command": {
        "s": "我不认识这个命令。直接发送问题即可，/help 查看说明。",
        "t": "我不認識這個命令。直接發送問題即可，/help 查看說明。",
        "e": "I don't know that command. Just send a question, or /help for help.",
    },
}


def ui(key: str, lang: Lang, script: Script) -> str:
    """An interface string in the given language and script (plain text, not escaped)."""
    table = UI[key]
    if lang == "en":
        return table["e"]
    return table["t" if script == "traditional" else "s"]


def ls_code(lang: Lang, script: Script) -> str:
    """The one-character code of a language/script pair used in callback_data."""
    return _LS[(lang, script)]


@dataclass(frozen=True, slots=True)
class Button:
    """One inline button: label (plain text, Telegram shows it verbatim) and callback_data."""

    text: str
    data: str


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class Reply:
    """What to send: HTML pieces (each <= 4096 chars); the keyboard goes under the last one."""

    texts: tuple[str, ...]
    keyboard: Keyboard = ()


@dataclass(frozen=True, slots=True)
class ButtonData:
    """The decoded callback_data of one of our buttons. `intent` may be a `#ref`."""

    kind: str
    lang: Lang
    script: Script
    fingerprint: str
    record: str = ""
    intent: str = ""


def resolve_intent(value: str, intent_ids: Sequence[str]) -> str | None:
    """The intent id of a callback's intent field (None if empty, malformed or out of range).

    callback_data comes from the user's client and may be forged: only ``#`` + 1-6 ASCII digits
    is an index (``str.isdigit`` alone accepts "²" or "٣", which `int` then refuses)."""
    if not value.startswith("#"):
        return value or None
    index = value[1:]
    if not _INDEX_RE.fullmatch(index):
        return None
    position = int(index)
    return intent_ids[position] if position < len(intent_ids) else None


def _clean_record(value: str) -> str:
    """The record id if `decode` will accept it back, else "" (the button works without it)."""
    return value if _RECORD_RE.fullmatch(value) else ""


def fp_prefix(fingerprint: str) -> str:
    """The part of the content fingerprint that goes into callback_data."""
    return "".join(ch for ch in fingerprint if ch.isascii() and ch.isalnum())[:FP_LEN]


def encode(data: ButtonData, intent_ids: Sequence[str]) -> str:
    """callback_data for `data`; always ASCII and at most 64 bytes.

    `intent_ids` is the engine's `intent_ids()`, used only for ids that do not fit."""
    head = f"{data.kind}{_LS[(data.lang, data.script)]}|{fp_prefix(data.fingerprint)}"
    record = _clean_record(data.record)
    intent = data.intent
    out = f"{head}|{record}|{intent}"
    if len(out.encode()) > MAX_CALLBACK_BYTES or not _INTENT_RE.fullmatch(intent):
        out = f"{head}|{record}|#{list(intent_ids).index(intent)}"
    assert len(out.encode()) <= MAX_CALLBACK_BYTES, out
    return out


def decode(raw: str | None) -> ButtonData | None:
    """Parse callback_data made by `encode`; None for anything else.

    Never raises: a modified client can send any string of up to 64 bytes as callback_data, so
    every field is checked against what `encode` can produce (ASCII only, the separators, the
    fingerprint, record id and intent alphabets)."""
    if not raw or not raw.isascii() or len(raw) > MAX_CALLBACK_BYTES:
        return None
    match = _DATA_RE.fullmatch(raw)
    if match is None:
        return None
    kind, ls, fingerprint, record, intent = match.groups()
    if kind not in KINDS or ls not in _LS_BACK:
        return None
    lang, script = _LS_BACK[ls]
    return ButtonData(kind, lang, script, fingerprint, record, intent)


def button_label(title: str) -> str:
    """A button label: one line, at most 64 characters."""
    label = " ".join(title.split())
    if len(label) > MAX_BUTTON_TEXT:
        label = label[: MAX_BUTTON_TEXT - 1] + "…"
    return label or "?"


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def split_html(text: str, limit: int = MAX_TEXT, max_pieces: int = MAX_PIECES) -> tuple[str, ...]:
    """Split escaped HTML text (no tags spanning lines) into pieces of at most `limit` units.

    Splits between lines where possible, never inside an `&...;` entity; beyond `max_pieces`
    the last piece is trimmed with an ellipsis. Empty text becomes "…" (Telegram refuses "").
    """
    if not text.strip():
        return ("…",)
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if utf16_len(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        while utf16_len(line) > limit:
            cut = _safe_cut(line, limit)
            pieces.append(line[:cut])
            line = line[cut:]
        current = line
    if current.strip():
        pieces.append(current)
    pieces = [p for p in pieces if p.strip()]
    if len(pieces) > max_pieces:
        pieces = pieces[:max_pieces]
        last = pieces[-1]
        pieces[-1] = last[: _safe_cut(last, limit - 1)] + "…"
    return tuple(pieces)


def _safe_cut(text: str, limit: int) -> int:
    """The longest prefix length within `limit` UTF-16 units that does not split `&...;`."""
    cut, units = 0, 0
    for ch in text:
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit:
            break
        cut += 1
    amp = text.rfind("&", max(0, cut - 10), cut)
    if amp != -1 and text.find(";", amp, cut) == -1:
        cut = amp
    return max(cut, 1)


def text_reply(text: str) -> Reply:
    """A plain-text message (escaped, split to fit)."""
    return Reply(split_html(html.escape(text, quote=False)))


def lines_reply(
    header: str, lines: Sequence[str], more: str = "… (+{n})", *, max_lines: int | None = None
) -> Reply:
    """One message: a bold header and as many lines as fit (at most `max_lines`); the rest is
    counted, not shown."""
    out = f"<b>{html.escape(header, quote=False)}</b>"
    budget = MAX_TEXT - 40
    shown = 0
    for line in lines if max_lines is None else lines[: max(max_lines, 0)]:
        piece = "\n" + html.escape(line, quote=False)
        if utf16_len(out + piece) > budget:
            if shown == 0:  # a single huge line: show its start
                out += piece[: _safe_cut(piece, budget - utf16_len(out))] + "…"
                shown = 1
            break
        out += piece
        shown += 1
    if shown < len(lines):
        out += "\n" + more.format(n=len(lines) - shown)
    return Reply((out,))


def answer_reply(
    answer: Answer, *, fingerprint: str, record_id: str | None, intent_ids: Sequence[str]
) -> Reply:
    """Message for one engine Answer: its text plus the buttons its decision calls for."""
    texts = split_html(html.escape(answer.text, quote=False))
    lang, script = answer.lang, answer.script
    record = record_id or ""

    def data(kind: str, intent: str = "") -> str:
        return encode(ButtonData(kind, lang, script, fingerprint, record, intent), intent_ids)

    rows: list[tuple[Button, ...]] = []
    if answer.decision == "clarify" and answer.candidates:
        rows.extend(
            (Button(button_label(c.title), data(CHOOSE, c.intent)),) for c in answer.candidates
        )
        rows.append((Button(ui("none_button", lang, script), data(NONE)),))
    elif answer.decision == "answer":
        rows.extend(
            (Button(button_label(r.title), data(RELATED, r.intent)),) for r in answer.related
        )
        if record:
            rows.append((Button("👍", data(HELPFUL)), Button("👎", data(UNHELPFUL))))
    elif answer.decision == "fallback" and answer.related:
        # a how-to question: the report's figures on its topic, offered, not given as an answer
        rows.extend(
            (Button(button_label(r.title), data(RELATED, r.intent)),) for r in answer.related
        )
    return Reply(texts, tuple(rows))


def topics_reply(
    text: str,
    topics: Iterable[tuple[str, str]],
    *,
    lang: Lang,
    script: Script,
    fingerprint: str,
    intent_ids: Sequence[str],
) -> Reply:
    """A text with one button per (intent id, title) topic, e.g. the /start welcome."""
    rows = tuple(
        (
            Button(
                button_label(title),
                encode(ButtonData(TOPIC, lang, script, fingerprint, "", intent), intent_ids),
            ),
        )
        for intent, title in topics
    )
    return Reply(split_html(html.escape(text, quote=False)), rows)
