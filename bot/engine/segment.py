"""Where a Chinese text's words begin and end (jieba), to tell a place's name said as a word of
its own (仁怀去年GDP) from the same characters inside other words (上高 in 以上高新技术企业, 同安
in 共同安置). One segmenter per process: its dictionary takes some 80 MB and half a second to
load, so it is loaded once, the first time an engine is built with names that need it."""

from __future__ import annotations

import logging
import threading
from typing import Any

_lock = threading.Lock()
_segmenter: Any = None


def segmenter() -> Any:
    """The process's jieba tokenizer, loaded on first use."""
    global _segmenter
    if _segmenter is None:
        with _lock:
            if _segmenter is None:
                import jieba  # (imported only where a lexicon needs it)

                # (jieba logs each load to stderr at DEBUG by default)
                logging.getLogger("jieba").setLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _segmenter = tokenizer
    return _segmenter


class Segmented:
    """One text's words, by their offsets."""

    __slots__ = ("edges", "spans")

    def __init__(self, text: str) -> None:
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
