"""Where conversation contexts live: per (chat, asker), for `ttl` seconds after the last answer.

`ContextStore` is the interface the Telegram layer and the console use; `MemoryContextStore`
keeps contexts in this process (bounded: the least recently used go first). A store shared by
several processes implements the same three methods.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from bot.engine import Context

DEFAULT_TTL = 600.0  # seconds: a follow-up after ten minutes is a new conversation
MAX_ENTRIES = 50_000


class ContextStore(Protocol):
    def get(self, chat: int, asker: int) -> Context | None:
        """The asker's context in this chat, or None (none, or expired)."""
        ...

    def put(self, chat: int, asker: int, context: Context) -> None:
        """Remember `context` as the asker's latest in this chat."""
        ...

    def forget(self, chat: int, asker: int) -> None:
        """Drop the asker's context in this chat (e.g. after /start)."""
        ...


class MemoryContextStore:
    """Contexts in this process's memory, each for `ttl` seconds, at most `max_entries`."""

    def __init__(
        self,
        ttl: float = DEFAULT_TTL,
        max_entries: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self._max = max_entries
        self._clock = clock
        self._items: OrderedDict[tuple[int, int], tuple[float, Context]] = OrderedDict()
        self._lock = threading.Lock()  # handlers may run in worker threads

    def get(self, chat: int, asker: int) -> Context | None:
        key = (chat, asker)
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            expires, context = item
            if self._clock() >= expires:
                del self._items[key]
                return None
            return context

    def put(self, chat: int, asker: int, context: Context) -> None:
        if self.ttl <= 0:
            return
        key = (chat, asker)
        with self._lock:
            self._items[key] = (self._clock() + self.ttl, context)
            self._items.move_to_end(key)
            while len(self._items) > self._max:
                self._items.popitem(last=False)

    def forget(self, chat: int, asker: int) -> None:
        with self._lock:
            self._items.pop((chat, asker), None)

    def __len__(self) -> int:
        return len(self._items)
