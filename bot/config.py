"""Runtime settings of the Telegram bot, read once from the environment.

`Settings.from_env()` validates every variable and raises `ConfigError` with a message naming
the variable, so a typo fails at start-up rather than at the first question. Secrets (the bot
token, the webhook secret, the question-log secret) never appear in `repr()`.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import bot

PROJECT_DIR = Path(bot.__file__).resolve().parent.parent
DEFAULT_INTENTS_DIR = PROJECT_DIR / "intents"
DEFAULT_DATA_DIR = PROJECT_DIR / "data"
DEFAULT_DB = "questions.sqlite3"

_SECRET_FIELDS = frozenset({"token", "webhook_secret", "log_secret", "db_url"})
# Telegram accepts 1-256 characters A-Z a-z 0-9 _ - as setWebhook(secret_token=...).
_WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# BOT_DB values that switch the question log off (case-insensitive); `python -m bot report`
# accepts the same for --db.
OFF_VALUES = frozenset({"off", "none", "no", "false", "0"})


def is_postgres(value: str | None) -> bool:
    """Whether BOT_DB names a PostgreSQL database (postgresql:// or postgres://)."""
    return value is not None and value.strip().lower().startswith(("postgresql://", "postgres://"))


def is_off(value: str | None) -> bool:
    """True for off/none/no/false/0 (any case, surrounding spaces ignored)."""
    return value is not None and value.strip().lower() in OFF_VALUES


class ConfigError(ValueError):
    """An environment variable has an invalid value; the message names it."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot needs from its environment. Build with `Settings.from_env()`."""

    token: str | None = None
    admin_ids: frozenset[int] = frozenset()
    base_url: str | None = None
    base_file_url: str | None = None
    intents_dir: Path = DEFAULT_INTENTS_DIR
    data_dir: Path = DEFAULT_DATA_DIR
    log_level: str = "INFO"
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"  # noqa: S104 - a container listens on all interfaces
    webhook_port: int = 8443
    webhook_secret: str | None = None
    db_path: Path | None = field(default_factory=lambda: Path(DEFAULT_DB))  # SQLite's file
    db_url: str | None = None  # BOT_DB when it is a postgresql:// URL (then db_path is None)
    log_secret: str | None = None
    log_retention_days: int = 90
    log_max_rows: int = 1_000_000  # BOT_LOG_MAX_ROWS: the oldest go first beyond this
    log_max_per_asker: int = 500  # BOT_LOG_MAX_PER_ASKER: questions recorded per asker a day
    today: date | None = None  # BOT_TODAY: answer as of this date (default: today in China)
    context_minutes: int = 10  # BOT_CONTEXT_MINUTES: how long a follow-up is read against an answer
    digest_hour: int | None = None  # BOT_DIGEST_HOUR: the hour (China time) of the admins' digest
    http_port: int | None = None  # BOT_HTTP_PORT: /healthz, /readyz, /metrics in polling mode

    def __post_init__(self) -> None:
        # a token of only spaces is no token, however Settings was made (from_env strips too)
        token = (self.token or "").strip() or None
        object.__setattr__(self, "token", token)

    def __repr__(self) -> str:
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _SECRET_FIELDS:
                shown = "None" if value is None else "'***'"
            elif f.name == "admin_ids":
                shown = repr(sorted(value))
            else:
                shown = repr(value)
            parts.append(f"{f.name}={shown}")
        return f"Settings({', '.join(parts)})"

    __str__ = __repr__

    @property
    def webhook(self) -> bool:
        """True when the bot should receive updates by webhook instead of polling."""
        return self.webhook_url is not None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """Read and validate the settings; raises `ConfigError` naming the bad variable."""

        def get(name: str) -> str | None:
            value = environ.get(name)
            if value is None:
                return None
            value = value.strip()
            return value or None

        base_url = _base_url(get("TELEGRAM_BASE_URL"))
        webhook_url = _webhook_url(get("WEBHOOK_URL"), local_api=base_url is not None)
        webhook_secret = get("WEBHOOK_SECRET")
        if webhook_url is not None and webhook_secret is None:
            raise ConfigError("WEBHOOK_SECRET is required when WEBHOOK_URL is set")
        if webhook_secret is not None and not _WEBHOOK_SECRET_RE.match(webhook_secret):
            raise ConfigError(
                "WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and - "
                "(Telegram's rule for secret_token)"
            )
        db = get("BOT_DB")
        return cls(
            token=get("TELEGRAM_BOT_TOKEN"),
            admin_ids=_admin_ids(get("BOT_ADMIN_IDS")),
            base_url=base_url,
            base_file_url=_file_url(base_url) if base_url else None,
            intents_dir=Path(get("BOT_INTENTS_DIR") or DEFAULT_INTENTS_DIR),
            data_dir=Path(get("BOT_DATA_DIR") or DEFAULT_DATA_DIR),
            log_level=_log_level(get("LOG_LEVEL")),
            webhook_url=webhook_url,
            webhook_listen=get("WEBHOOK_LISTEN") or "0.0.0.0",  # noqa: S104
            webhook_port=_int("WEBHOOK_PORT", get("WEBHOOK_PORT"), 8443, 1, 65535),
            webhook_secret=webhook_secret,
            db_path=None if is_off(db) or is_postgres(db) else Path(db or DEFAULT_DB),
            db_url=db if is_postgres(db) else None,
            log_secret=get("BOT_LOG_SECRET"),
            log_retention_days=_int(
                "BOT_LOG_RETENTION_DAYS", get("BOT_LOG_RETENTION_DAYS"), 90, 1, 36500
            ),
            today=_day("BOT_TODAY", get("BOT_TODAY")),
            log_max_rows=_int("BOT_LOG_MAX_ROWS", get("BOT_LOG_MAX_ROWS"), 1_000_000, 1000, 10**9),
            log_max_per_asker=_int(
                "BOT_LOG_MAX_PER_ASKER", get("BOT_LOG_MAX_PER_ASKER"), 500, 1, 1_000_000
            ),
            context_minutes=_int("BOT_CONTEXT_MINUTES", get("BOT_CONTEXT_MINUTES"), 10, 0, 1440),
            http_port=(
                None
                if get("BOT_HTTP_PORT") is None or is_off(get("BOT_HTTP_PORT"))
                else _int("BOT_HTTP_PORT", get("BOT_HTTP_PORT"), 9100, 1, 65535)
            ),
            digest_hour=(
                None
                if get("BOT_DIGEST_HOUR") is None
                else _int("BOT_DIGEST_HOUR", get("BOT_DIGEST_HOUR"), 9, 0, 23)
            ),
        )


def _day(name: str, raw: str | None) -> date | None:
    if raw is None:
        return None
    try:
        if len(raw) != 10:
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        raise ConfigError(f"{name}: {raw!r} is not a date (YYYY-MM-DD)") from None


def _admin_ids(raw: str | None) -> frozenset[int]:
    if raw is None:
        return frozenset()
    ids = set()
    for part in raw.split(","):
        item = part.strip()
        if not item:
            continue
        try:
            ids.add(int(item))
        except ValueError:
            raise ConfigError(
                f"BOT_ADMIN_IDS: {item!r} is not a Telegram user id "
                "(expected comma-separated integers, e.g. 12345,67890)"
            ) from None
    return frozenset(ids)


def _int(name: str, raw: str | None, default: int, low: int, high: int) -> int:
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}: {raw!r} is not an integer") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}: {value} is out of range {low}..{high}")
    return value


def _log_level(raw: str | None) -> str:
    level = (raw or "INFO").upper()
    if level not in logging.getLevelNamesMapping():
        raise ConfigError(f"LOG_LEVEL: {raw!r} is not one of DEBUG, INFO, WARNING, ERROR")
    return level


def _http_url(name: str, raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{name}: {raw!r} is not an http(s) URL")
    return raw


def _base_url(raw: str | None) -> str | None:
    """Normalise TELEGRAM_BASE_URL to python-telegram-bot's form `http://host:port/bot`."""
    if raw is None:
        return None
    url = _http_url("TELEGRAM_BASE_URL", raw)
    if "{token}" in url:
        if "/bot{token}" not in url:
            raise ConfigError("TELEGRAM_BASE_URL: a {token} placeholder must follow '/bot'")
        return url
    url = url.rstrip("/")
    if urlsplit(url).path == "":
        url += "/bot"
    if not url.endswith("/bot"):
        raise ConfigError(
            f"TELEGRAM_BASE_URL: {raw!r} must end with /bot (e.g. http://127.0.0.1:8081/bot)"
        )
    return url


def _file_url(base_url: str) -> str:
    """The file endpoint of a Bot API server: `.../bot` -> `.../file/bot`."""
    cut = base_url.rfind("/bot")
    return f"{base_url[:cut]}/file{base_url[cut:]}"


def _webhook_url(raw: str | None, *, local_api: bool) -> str | None:
    """Telegram delivers webhooks only to https URLs. A local Bot API server (TELEGRAM_BASE_URL)
    also accepts http, e.g. for a webhook on the same host or in the same network."""
    if raw is None:
        return None
    url = _http_url("WEBHOOK_URL", raw)
    if urlsplit(url).scheme != "https" and not local_api:
        raise ConfigError(
            f"WEBHOOK_URL: {raw!r} must be an https:// URL (Telegram sends webhooks over HTTPS "
            "only; http is accepted only with a local Bot API server, TELEGRAM_BASE_URL)"
        )
    return url
