"""Keep the bot token out of logs: a logging.Filter that redacts it from every record.

Installed on the root logger's handlers (handler filters see records from every logger),
so httpx request URLs (`.../bot<token>/getUpdates`), python-telegram-bot debug lines and
exception tracebacks are all cleaned before they are formatted.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[REDACTED]"
# Shape of any Telegram bot token: <bot id>:<35-ish url-safe characters>.
_TOKEN_SHAPE = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}")
_FORMATTER = logging.Formatter()


class TokenRedactingFilter(logging.Filter):
    """Replace the token (and anything shaped like a bot token) in messages and tracebacks."""

    def __init__(self, token: str | None) -> None:
        super().__init__()
        self._token = token or None

    def redact(self, text: str) -> str:
        """`text` with the token replaced by [REDACTED]."""
        if self._token:
            text = text.replace(self._token, REDACTED)
        return _TOKEN_SHAPE.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # bad %-args: let the handler report it, redacted
            message = str(record.msg)
        clean = self.redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def install(token: str | None, handlers: list[logging.Handler] | None = None) -> None:
    """Add the filter to `handlers` (default: the root logger's handlers)."""
    targets = logging.getLogger().handlers if handlers is None else handlers
    for handler in targets:
        if not any(isinstance(f, TokenRedactingFilter) for f in handler.filters):
            handler.addFilter(TokenRedactingFilter(token))
