"""Where a Chinese text's words begin and end (jieba), to tell a place's name said as a word of
its own (仁怀去年GDP) from the same characters inside other words (上高 in 以上高新技术企业, 同安
in 共同安置). One segmenter per process: its dictionary takes some 80 MB and half a second to
load, so it is loaded once, the first time an engine is built with names that need it."""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from bot.content.diskcache import DiskCache

_lock = threading.Lock()
# characters the segmenter may join to a name after them (在外区 as 在外 and 区)
_PREPOSITIONS = frozenset("在去到从住来回喺返于向往由自")
_segmenter: Any = None


def segmenter() -> Any:
    """The process's jieba tokenizer, loaded on first use."""
    global _segmenter
    if _segmenter is None:
        with _lock:
            if _segmenter is None:
                import jieba  # (imported only where a lexicon needs it)

                # (jieba logs each load to stderr through a handler of its own: its records go
                # to the bot's handlers instead, from warnings up)
                log = logging.getLogger("jieba")
                log.handlers.clear()
                log.setLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                # its dictionary's cache in the bot's private cache folder, not the shared temp
                # folder others can write to (none: built again each start, ~0.5 s more)
                cache = DiskCache().directory
                if cache is None:
                    tokenizer.cache_file = os.devnull
                else:
                    tokenizer.tmp_dir = cache
                tokenizer.initialize()
                _segmenter = tokenizer
    return _segmenter


class Segmented:
    """One text's words, by their offsets."""

    __slots__ = ("_places", "_text", "edges", "spans")

    def __init__(self, text: str, places: frozenset[str] = frozenset()) -> None:
        """`places`: names that may stand beside a place's name in one word (上海浦东, 中国香港)."""
        self._text = text
        self._places = places
        at = 0
        spans = []
        for word in segmenter().cut(text, HMM=False):
            spans.append((at, at + len(word)))
            at += len(word)
        self.spans = frozenset(spans)
        self.edges = frozenset([0, *(end for _, end in spans)])

    def is_word(self, start: int, end: int) -> bool:
        """Whether text[start:end] is one word of the text."""
        return (start, end) in self.spans

    def is_bounded(self, start: int, end: int) -> bool:
        """Whether text[start:end] begins and ends where words do (a word, or words of its own:
        上高县 may be 上高 and 县)."""
        return start in self.edges and end in self.edges

    def is_placed(self, start: int, end: int, kinds: frozenset[str]) -> bool:
        """Whether text[start:end], a place's name, is no part of another word. It is when a
        word holds it after other characters (白云 in 蓝天白云, 南山 in 钟南山), when a word holds
        it and goes on past it but ends with no kind of place (兰州 in 兰州拉面; not 天河路,
        东京都), or when it begins inside a word begun before it by other than a preposition
        (韩城 in 日韩城市; not 外区 in 在外区), unless what comes before it is a place's name too
        (中国香港, 上海浦东). A word begun inside it and going on past it is the segmenter's slip
        (增城区 as 增 and 城区, 钟落潭镇长者 as …镇长 and 者)."""
        for a, b in self.spans:
            if a < start < b:  # begins inside a word begun before it
                before = self._text[a:start]
                if before not in self._places and (b >= end or not set(before) <= _PREPOSITIONS):
                    return False
            elif a == start and b > end:  # a word that is it and more
                return self._text[b - 1] in kinds or self._text[end:b] in self._places
        return True
