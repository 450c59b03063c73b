"""Keeping replicas in step: what changes the engine on one replica reaches all of them.

With BOT_DB=postgresql://..., a /reload, a SIGHUP or a staff change (an example added or undone)
on one replica is announced with PostgreSQL NOTIFY on `CHANNEL`; every replica LISTENs in a
thread of its own and, on a notification from another replica, runs the same reload
(handlers.reload_engine: the content files plus the staff examples from the database, validated
in full before the swap; a broken build keeps the old engine). After the listener (re)connects
it reloads once as well, since what was announced while it was away is lost. With SQLite there
is one process and nothing to announce.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable, MutableMapping
from typing import Any

from bot.storage.pg import Pool, listen, notify
from bot.telegram import handlers

logger = logging.getLogger(__name__)

CHANNEL = "inquirybot_engine"
STAFF_CHANGE = "staff change"  # what an announcement of an added or undone example says


class Replicas:
    """Announces engine changes and follows the other replicas' announcements."""

    def __init__(self, pool: Pool, url: str, replica: str) -> None:
        self.pool = pool
        self.url = url
        self.replica = replica
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.followed = 0  # reloads run because another replica announced one

    def announce(self, what: str) -> None:
        """Tell the other replicas the engine changed here (blocking; errors are logged)."""
        try:
            notify(self.pool, CHANNEL, json.dumps({"from": self.replica, "what": what}))
        except Exception as exc:
            logger.error("Could not tell the other replicas about a %s: %s", what, exc)

    def follow(self, bot_data: MutableMapping[Any, Any], loop: asyncio.AbstractEventLoop) -> None:
        """Start listening: another replica's announcement reloads the engine on `loop`."""

        def reload(why: str) -> None:
            future = asyncio.run_coroutine_threadsafe(handlers.reload_engine(bot_data), loop)
            future.add_done_callback(lambda f: self._done(f, why))

        def refresh(why: str) -> None:  # a staff change: the examples only, not the files
            future = asyncio.run_coroutine_threadsafe(handlers.refresh_examples(bot_data), loop)
            future.add_done_callback(lambda f: self._refreshed(f, why))

        def on_note(payload: str) -> None:
            try:
                note = json.loads(payload)
            except ValueError:
                logger.warning("Ignored a notification that is not ours: %r", payload[:80])
                return
            if not isinstance(note, dict) or note.get("from") == self.replica:
                return
            self.followed += 1
            why = f"{note.get('what', 'change')} on replica {note.get('from')}"
            (refresh if note.get("what") == STAFF_CHANGE else reload)(why)

        connected = [0]

        def on_connect() -> None:
            connected[0] += 1
            if connected[0] > 1:  # announcements may have been missed while away
                reload("reconnection to the database")

        self._thread = threading.Thread(
            target=listen,
            args=(self.url, CHANNEL, on_note, self._stop),
            kwargs={"on_connect": on_connect},
            name="replica-follower",
            daemon=True,
        )
        self._thread.start()

    @staticmethod
    def _refreshed(future: Any, why: str) -> None:
        try:
            ok = future.result()
        except Exception:
            logger.exception("Staff examples not refreshed after a %s", why)
            return
        logger.info("Staff examples %s after a %s", "refreshed" if ok else "NOT refreshed", why)

    @staticmethod
    def _done(future: Any, why: str) -> None:
        try:
            result = future.result()
        except Exception:
            logger.exception("Reload after a %s failed", why)
            return
        if result.ok:
            logger.info("Reloaded after a %s: %s", why, result.summary)
        else:
            logger.warning("Reload after a %s failed; keeping the old content", why)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


Announce = Callable[[str], None]
