"""Keep secrets out of logs: a logging.Filter that redacts them from every record.

Installed on the root logger's handlers (handler filters see records from every logger),
so httpx request URLs (`.../bot<token>/getUpdates`), python-telegram-bot debug lines and
exception tracebacks are all cleaned before they are formatted.

Redacted: the bot token (and anything shaped like a bot token), the other configured secrets
(WEBHOOK_SECRET, BOT_LOG_SECRET) wherever they appear, and the value of any `secret_token`
parameter, e.g. in python-telegram-bot's DEBUG line "Calling Bot API endpoint `setWebhook` with
parameters `{..., 'secret_token': '...'}`".
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

REDACTED = "[REDACTED]"
# Shape of any Telegram bot token: <bot id>:<35-ish url-safe characters>.
_TOKEN_SHAPE = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}")
# A secret_token parameter: dict repr / JSON ('secret_token': 'x'), form or query string
# (secret_token=x) and the webhook request header (X-Telegram-Bot-Api-Secret-Token: x).
_SECRET_PARAM = re.compile(
    r"""(?ix)
    (?P<key>
        (?P<q>['"])secret_token(?P=q)\s*:\s*     # 'secret_token': / "secret_token":
      | \bsecret_token=                          # secret_token=
      | \bx-telegram-bot-api-secret-token['"]?\s*[:=,]\s*  # the header
    )
    (?P<open>['"]?)[A-Za-z0-9_-]+
    """
)
# A configured secret shorter than this is not replaced wherever it occurs: it would mangle
# every log line containing those few characters, and the pattern of [REDACTED] marks would
# reveal it anyway. (WEBHOOK_SECRET may be 1-256 characters; `secret_token=` is still redacted.)
MIN_SECRET_LENGTH = 6
_FORMATTER = logging.Formatter()


class TokenRedactingFilter(logging.Filter):
    """Replace the token, the other secrets and secret_token values in messages and
    tracebacks (also anything shaped like a bot token)."""

    def __init__(self, token: str | None, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        literal = {s for s in (token, *secrets) if s and len(s) >= MIN_SECRET_LENGTH}
        if token:
            literal.add(token)
        # longest first, so a secret containing another one is replaced whole
        self._secrets = sorted(literal, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """`text` with every secret replaced by [REDACTED]."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        text = _SECRET_PARAM.sub(lambda m: f"{m['key']}{m['open']}{REDACTED}", text)
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


def install(
    token: str | None,
    handlers: list[logging.Handler] | None = None,
    *,
    secrets: Iterable[str | None] = (),
) -> None:
    """Add the filter for `token` and `secrets` to `handlers` (default: the root logger's
    handlers), replacing a filter installed before (e.g. by an earlier configure_logging)."""
    targets = logging.getLogger().handlers if handlers is None else handlers
    secrets = tuple(secrets)
    for handler in targets:
        for old in [f for f in handler.filters if isinstance(f, TokenRedactingFilter)]:
            handler.removeFilter(old)
        handler.addFilter(TokenRedactingFilter(token, secrets))
