"""Message pieces without Telegram: callback_data, escaping, splitting, the flood guard."""

from __future__ import annotations

import pytest
from tg_helpers import check_html, utf16_len

from bot.engine.answer import Answer, Candidate, Related
from bot.telegram.addressing import FloodGuard
from bot.telegram.send import (
    CHOOSE,
    HELPFUL,
    MAX_CALLBACK_BYTES,
    ButtonData,
    answer_reply,
    button_label,
    decode,
    encode,
    lines_reply,
    resolve_intent,
    split_html,
    text_reply,
)

LONGEST_ID = "a" + "b" * 60  # schema: ^[a-z][a-z0-9_]{1,60}$
RECORD = "Ab3-_x9Zq0Pw"  # QuestionLog ids: secrets.token_urlsafe(9), 12 chars


@pytest.mark.parametrize("intent", ["care_places", LONGEST_ID])
@pytest.mark.parametrize("record", ["", RECORD, "r" * 16])
@pytest.mark.parametrize(
    ("lang", "script"), [("zh", "simplified"), ("zh", "traditional"), ("en", "simplified")]
)
def test_callback_data_round_trip_within_64_bytes(intent, record, lang, script):
    ids = ["x_first", intent, "z_last"]
    data = ButtonData(CHOOSE, lang, script, "a1b2c3", record, intent)
    raw = encode(data, ids)
    assert raw.isascii() and len(raw.encode()) <= MAX_CALLBACK_BYTES
    back = decode(raw)
    assert back is not None
    assert (back.kind, back.lang, back.script, back.fingerprint, back.record) == (
        CHOOSE,
        lang,
        script,
        "a1b2c3",
        record,
    )
    assert resolve_intent(back.intent, ids) == intent


def test_long_intent_id_uses_index_into_engine_ids():
    raw = encode(
        ButtonData(CHOOSE, "zh", "simplified", "a1b2c3", RECORD, LONGEST_ID), ["a", LONGEST_ID]
    )
    assert raw.endswith("|#1")
    assert resolve_intent("#7", ["a"]) is None
    assert resolve_intent("#x", ["a"]) is None


def test_unusable_record_id_is_dropped_not_overflowing():
    raw = encode(ButtonData(HELPFUL, "en", "simplified", "a1b2c3", "x" * 40), [])
    assert len(raw.encode()) <= 64
    assert decode(raw).record == ""


@pytest.mark.parametrize("raw", [None, "", "x", "zz|a|b|c", "cs|a|b", "cq|a|b|c", "c|a|b|c"])
def test_decode_rejects_foreign_data(raw):
    assert decode(raw) is None


# Forged callback_data: a modified client can send any string of up to 64 bytes.
JUNK = bytes(range(256))[7::4].decode("latin-1")  # 64 characters of control and high bytes
HOSTILE = [
    "cs|a1b2c3||#²",  # superscript two: str.isdigit() is True, int() raises
    "cs|a1b2c3||#٣",  # Arabic-Indic three: int() would accept it
    "cs|a1b2c3||#１",  # fullwidth one
    "cs|a1b2c3||#" + "9" * 50,  # a huge index
    "cs|a1b2c3||#99999999999999999999999999999999999999999999999999",
    "cs|a1b2c3||#-1",
    "cs|a1b2c3||#+1",
    "cs|a1b2c3||# 1",
    "cs|a1b2c3||#1_0",  # int() accepts underscores
    "cs|a1b2c3||#",
    "cs||||",
    "cs|||",
    "||||",
    "|||",
    "cs|a1b2c3|rec|intent|extra",
    "cs|a1b2c3|r\x00c|care",
    "cs|a1b2c3|rid|care\n",
    "cs|a1b2c3|rid|托位",
    "cs|a1b2c3|" + "r" * 17 + "|care",
    JUNK,
    "|" * 64,
    "cs" + "|" * 62,
    "\u00e9" * 32,
]


@pytest.mark.parametrize("raw", HOSTILE)
def test_hostile_callback_data_never_raises(raw):
    ids = ["a_one", "b_two"]
    data = decode(raw)  # must not raise
    if data is not None:  # then its intent field must resolve safely too
        assert resolve_intent(data.intent, ids) in (None, *ids)
        assert data.intent.isascii() and data.record.isascii()


@pytest.mark.parametrize(
    "index", ["#²", "#٣", "#１", "#" + "9" * 50, "#-1", "#+1", "# 1", "#1_0", "#", "#0x1"]
)
def test_resolve_intent_rejects_malformed_indexes(index):
    assert resolve_intent(index, ["a_one", "b_two"]) is None


def test_resolve_intent_accepts_ascii_indexes():
    assert resolve_intent("#1", ["a_one", "b_two"]) == "b_two"
    assert resolve_intent("#01", ["a_one", "b_two"]) == "b_two"
    assert resolve_intent("#2", ["a_one", "b_two"]) is None


def test_answer_reply_escapes_and_builds_keyboards():
    clarify = Answer(
        question="<x>",
        decision="clarify",
        text="您问的“<x> & y”是哪一项？",
        lang="zh",
        script="traditional",
        candidates=(Candidate("a_one", "甲 <1>", 70), Candidate("b_two", "乙 & 2", 65)),
    )
    reply = answer_reply(clarify, fingerprint="f00f00", record_id=RECORD, intent_ids=[])
    assert reply.texts == ("您问的“&lt;x&gt; &amp; y”是哪一项？",)
    assert [b.text for row in reply.keyboard for b in row] == ["甲 <1>", "乙 & 2", "都不是"]
    for text in reply.texts:
        check_html(text)

    answered = Answer(
        question="q",
        decision="answer",
        text="ok",
        lang="en",
        script="simplified",
        intent="a_one",
        related=(Related("b_two", "Two"),),
    )
    reply = answer_reply(answered, fingerprint="f00f00", record_id=None, intent_ids=[])
    assert [[b.text for b in row] for row in reply.keyboard] == [["Two"]]  # no log: no 👍/👎

    fallback = Answer(question="q", decision="fallback", text="no", lang="en", script="simplified")
    assert answer_reply(fallback, fingerprint="f", record_id=RECORD, intent_ids=[]).keyboard == ()


def test_split_html_keeps_entities_and_limit():
    text = ("&amp;" * 1000 + "\n") * 5 + "😀" * 5000
    pieces = split_html(text, max_pieces=20)
    assert all(utf16_len(p) <= 4096 for p in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")
    for p in pieces:
        check_html(p)


def test_split_html_trims_beyond_max_pieces():
    pieces = split_html("x" * 50_000)
    assert len(pieces) == 4 and pieces[-1].endswith("…")
    assert split_html("") == ("…",)


def test_text_reply_escapes():
    assert text_reply("a<b>&c").texts == ("a&lt;b&gt;&amp;c",)


def test_lines_reply_fits_one_message():
    reply = lines_reply(
        "Reload failed <3>", [f"intents/x.yaml:{i}: bad <&> value" for i in range(2000)]
    )
    [text] = reply.texts
    check_html(text)
    assert utf16_len(text) <= 4096
    assert text.startswith("<b>Reload failed &lt;3&gt;</b>")
    huge = lines_reply("h", ["y" * 10_000])
    assert utf16_len(huge.texts[0]) <= 4096


def test_button_label_is_one_short_line():
    assert button_label("a\nb  c") == "a b c"
    assert len(button_label("字" * 100)) == 64


def test_flood_guard_window_and_single_notice():
    now = [0.0]
    guard = FloodGuard(limit=3, window=60, clock=lambda: now[0])
    assert [guard.check(1, 7) for _ in range(5)] == ["ok", "ok", "ok", "notice", "drop"]
    assert guard.check(1, 8) == "ok"  # other users are not affected
    assert guard.check(2, 7) == "ok"  # nor the same user in another group
    now[0] = 61.0
    assert guard.check(1, 7) == "ok"
