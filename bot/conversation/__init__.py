"""Conversations: the last answer each asker got in each chat, for reading their next message.

`store` keeps a `bot.engine.Context` per (chat, asker) for a limited time behind a small
interface (`ContextStore`); `MemoryContextStore`, in the process's memory, is the default.
"""

from bot.conversation.store import ContextStore, MemoryContextStore

__all__ = ["ContextStore", "MemoryContextStore"]
