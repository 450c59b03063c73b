"""Settings from the environment, secrets redacted from logs, the webhook path."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from tg_helpers import TOKEN, RecordingRequest

from bot.config import DEFAULT_DATA_DIR, DEFAULT_INTENTS_DIR, ConfigError, Settings
from bot.telegram import redact
from bot.telegram.app import configure_logging, webhook_target


def test_defaults():
    s = Settings.from_env({})
    assert s.token is None and s.admin_ids == frozenset()
    assert s.intents_dir == DEFAULT_INTENTS_DIR and s.data_dir == DEFAULT_DATA_DIR
    assert DEFAULT_INTENTS_DIR.name == "intents" and (DEFAULT_INTENTS_DIR.parent / "bot").is_dir()
    assert s.log_level == "INFO" and s.webhook_url is None
    assert (s.webhook_listen, s.webhook_port) == ("0.0.0.0", 8443)
    assert s.db_path == Path("questions.sqlite3") and s.log_retention_days == 90
    assert s.base_url is None and s.base_file_url is None


def test_full_environment():
    s = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "BOT_ADMIN_IDS": " 12, 34 ,,56",
            "TELEGRAM_BASE_URL": "http://127.0.0.1:8081/bot",
            "BOT_INTENTS_DIR": "/c/intents",
            "BOT_DATA_DIR": "/c/data",
            "LOG_LEVEL": "debug",
            "WEBHOOK_URL": "https://bot.example.org/hook",
            "WEBHOOK_PORT": "8080",
            "WEBHOOK_SECRET": "s3cr3t_-X",
            "BOT_DB": "/data/q.sqlite3",
            "BOT_LOG_SECRET": "pepper",
            "BOT_LOG_RETENTION_DAYS": "30",
        }
    )
    assert s.admin_ids == frozenset({12, 34, 56})
    assert s.base_url == "http://127.0.0.1:8081/bot"
    assert s.base_file_url == "http://127.0.0.1:8081/file/bot"
    assert s.intents_dir == Path("/c/intents") and s.log_level == "DEBUG"
    assert s.webhook_port == 8080 and s.db_path == Path("/data/q.sqlite3")
    assert s.log_retention_days == 30
    text = repr(s) + str(s)
    for secret in (TOKEN, "s3cr3t_-X", "pepper"):
        assert secret not in text
    assert "token='***'" in text


@pytest.mark.parametrize(
    ("raw", "base", "files"),
    [
        ("http://h:8081", "http://h:8081/bot", "http://h:8081/file/bot"),
        ("http://h:8081/bot/", "http://h:8081/bot", "http://h:8081/file/bot"),
        ("http://h/api/bot{token}", "http://h/api/bot{token}", "http://h/api/file/bot{token}"),
    ],
)
def test_base_url_forms(raw, base, files):
    s = Settings.from_env({"TELEGRAM_BASE_URL": raw})
    assert (s.base_url, s.base_file_url) == (base, files)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"BOT_ADMIN_IDS": "12,abc"}, "BOT_ADMIN_IDS: 'abc'"),
        ({"WEBHOOK_URL": "https://x.org"}, "WEBHOOK_SECRET is required"),
        ({"WEBHOOK_URL": "https://x.org", "WEBHOOK_SECRET": "has space"}, "WEBHOOK_SECRET must"),
        ({"WEBHOOK_PORT": "99999"}, "WEBHOOK_PORT"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL"),
        ({"TELEGRAM_BASE_URL": "ftp://x/bot"}, "TELEGRAM_BASE_URL"),
        ({"TELEGRAM_BASE_URL": "http://x/api"}, "must end with /bot"),
        ({"BOT_LOG_RETENTION_DAYS": "0"}, "BOT_LOG_RETENTION_DAYS"),
    ],
)
def test_bad_values_name_the_variable(env, message):
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)


@pytest.mark.parametrize("off", ["off", "OFF", "none"])
def test_question_log_can_be_switched_off(off):
    assert Settings.from_env({"BOT_DB": off}).db_path is None


def test_webhook_path_is_not_the_token():
    s = Settings.from_env(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_URL": "https://x.org", "WEBHOOK_SECRET": "abc"}
    )
    path, url = webhook_target(s)
    assert TOKEN not in path and TOKEN.split(":")[1] not in url
    assert url == f"https://x.org/{path}"
    assert webhook_target(s) == (path, url)  # stable across restarts
    s2 = Settings.from_env({"WEBHOOK_URL": "https://x.org/tg/hook", "WEBHOOK_SECRET": "abc"})
    assert webhook_target(s2) == ("tg/hook", "https://x.org/tg/hook")


def _captured_root_log(secrets: tuple[str | None, ...] = ()):
    """Root logging at DEBUG into a string, through the redaction filter, for one test."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    redact.install(TOKEN, [handler], secrets=secrets)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


@pytest.fixture
def log_stream():
    yield from _captured_root_log()


def test_token_is_redacted_from_messages_args_and_tracebacks(log_stream):
    log = logging.getLogger("httpx")
    log.warning("HTTP Request: POST https://api.telegram.org/bot%s/getUpdates", TOKEN)
    log.warning(f"literal https://api.telegram.org/bot{TOKEN}/sendMessage")
    log.warning("other token shaped 987654321:%s", "Z" * 35)
    try:
        raise RuntimeError(f"connect failed for https://api.telegram.org/bot{TOKEN}/getMe")
    except RuntimeError:
        logging.getLogger("telegram.ext.Application").exception("error %s", "x")
    out = log_stream.getvalue()
    assert TOKEN not in out and TOKEN.split(":")[1] not in out
    assert "Z" * 35 not in out
    assert out.count("[REDACTED]") >= 4
    assert "bot[REDACTED]/getUpdates" in out


async def test_python_telegram_bot_debug_url_is_redacted(log_stream):
    from telegram import Bot

    Bot(TOKEN, base_url="http://127.0.0.1:8081/bot")  # logs "Set Bot API URL: ...<token>"
    out = log_stream.getvalue()
    assert "Set Bot API URL" in out
    assert TOKEN not in out


def test_configure_logging_quietens_httpx_and_installs_filter(monkeypatch):
    root = logging.getLogger()
    handler = logging.StreamHandler(io.StringIO())
    monkeypatch.setattr(root, "handlers", [handler])
    monkeypatch.setattr(root, "level", root.level)
    configure_logging(Settings(token=TOKEN, log_level="DEBUG"))
    assert logging.getLogger("httpx").level == logging.WARNING
    assert logging.getLogger("httpcore").level == logging.WARNING
    assert any(isinstance(f, redact.TokenRedactingFilter) for f in handler.filters)


WEBHOOK_SECRET = "hook_SECRET_value-123"
LOG_SECRET = "log secret: keep out of logs"


@pytest.fixture
def secret_stream():
    yield from _captured_root_log((WEBHOOK_SECRET, LOG_SECRET, None))


def test_webhook_and_log_secrets_are_redacted_like_the_token(secret_stream):
    log = logging.getLogger("bot.test")
    log.info("secret %s and %s", WEBHOOK_SECRET, LOG_SECRET)
    log.info(f"header X-Telegram-Bot-Api-Secret-Token: {WEBHOOK_SECRET}")
    try:
        raise RuntimeError(f"bad hook {WEBHOOK_SECRET!r} / {LOG_SECRET}")
    except RuntimeError:
        log.exception("failed")
    out = secret_stream.getvalue()
    assert WEBHOOK_SECRET not in out and LOG_SECRET not in out
    assert "secret [REDACTED] and [REDACTED]" in out
    assert out.count("[REDACTED]") == 5


@pytest.mark.parametrize(
    ("line", "clean"),
    [
        ("parameters `{'url': 'https://x', 'secret_token': 'ab'}`", "'secret_token': '[REDACTED]'"),
        ('{"secret_token": "ab", "url": "https://x"}', '"secret_token": "[REDACTED]"'),
        ("POST /setWebhook?url=https%3A%2F%2Fx&secret_token=ab", "secret_token=[REDACTED]"),
        ("('x-telegram-bot-api-secret-token', 'ab')", "secret-token', '[REDACTED]')"),
    ],
)
def test_secret_token_values_are_redacted_whatever_their_length(line, clean):
    flt = redact.TokenRedactingFilter(TOKEN, secrets=("ab",))
    out = flt.redact(line)
    assert clean in out, out
    # too short to be replaced everywhere: "ab" elsewhere is left alone (e.g. in "table")
    assert flt.redact("a table") == "a table"


async def test_python_telegram_bot_debug_set_webhook_is_redacted(secret_stream):
    from telegram import Bot

    class HookRequest(RecordingRequest):
        def _result(self, api_method, params):
            return True if api_method == "setWebhook" else super()._result(api_method, params)

    request = HookRequest()
    async with Bot(TOKEN, request=request, get_updates_request=request) as bot:
        await bot.set_webhook("https://example.org/hook", secret_token=WEBHOOK_SECRET)
    assert request.sent("setWebhook")[0]["secret_token"] == WEBHOOK_SECRET  # sent, not logged
    out = secret_stream.getvalue()
    assert "Calling Bot API endpoint `setWebhook`" in out
    assert "'secret_token': '[REDACTED]'" in out
    assert WEBHOOK_SECRET not in out and TOKEN not in out


def test_configure_logging_redacts_the_configured_secrets(monkeypatch):
    root = logging.getLogger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    monkeypatch.setattr(root, "handlers", [handler])
    monkeypatch.setattr(root, "level", root.level)
    settings = Settings(
        token=TOKEN, log_level="DEBUG", webhook_secret=WEBHOOK_SECRET, log_secret=LOG_SECRET
    )
    configure_logging(Settings(token="111111:" + "x" * 35, log_level="DEBUG"))
    configure_logging(settings)  # a second configuration replaces the first filter
    assert len([f for f in handler.filters if isinstance(f, redact.TokenRedactingFilter)]) == 1
    logging.getLogger("telegram.ext.Updater").debug(
        "setWebhook %s %s %s", TOKEN, WEBHOOK_SECRET, LOG_SECRET
    )
    out = stream.getvalue()
    assert "setWebhook [REDACTED] [REDACTED] [REDACTED]" in out


# -- start-up and configuration edge cases -----------------------------------------------------


@pytest.mark.parametrize("blank", ["", " ", "   ", "\t \n"])
def test_blank_token_is_no_token(blank):
    assert Settings.from_env({"TELEGRAM_BOT_TOKEN": blank}).token is None
    assert Settings(token=blank).token is None


def test_token_is_trimmed():
    assert Settings.from_env({"TELEGRAM_BOT_TOKEN": f"  {TOKEN} "}).token == TOKEN
    assert Settings(token=f" {TOKEN}\n").token == TOKEN


def test_run_with_a_blank_token_starts_the_console_chat(monkeypatch, capsys):
    from bot import cli
    from bot.telegram import app as telegram_app

    def no_telegram(settings: Settings) -> int:
        raise AssertionError("run_bot must not start with a blank token")

    def end_of_input(prompt: str = "") -> str:
        raise EOFError

    monkeypatch.setattr(telegram_app, "run_bot", no_telegram)
    monkeypatch.setattr("builtins.input", end_of_input)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)  # a person at a terminal
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "    ")
    assert cli.main(["run"]) == 0
    assert "TELEGRAM_BOT_TOKEN is not set" in capsys.readouterr().out


@pytest.mark.parametrize(
    "url", ["http://bot.example.org/hook", "http://127.0.0.1:8443/x", "HTTP://bot.example.org"]
)
def test_webhook_url_must_be_https(url):
    with pytest.raises(ConfigError, match=r"WEBHOOK_URL: .* must be an https:// URL"):
        Settings.from_env({"WEBHOOK_URL": url, "WEBHOOK_SECRET": "abc"})


def test_webhook_url_may_be_http_with_a_local_bot_api_server():
    s = Settings.from_env(
        {
            "WEBHOOK_URL": "http://127.0.0.1:8443/hook",
            "WEBHOOK_SECRET": "abc",
            "TELEGRAM_BASE_URL": "http://127.0.0.1:8081/bot",
        }
    )
    assert s.webhook_url == "http://127.0.0.1:8443/hook"
    assert Settings.from_env(
        {"WEBHOOK_URL": "https://bot.example.org/hook", "WEBHOOK_SECRET": "abc"}
    ).webhook


@pytest.mark.parametrize("off", ["off", "OFF", "none", "No", "false", "FALSE", "0", " off "])
def test_every_off_spelling_switches_the_log_off(off):
    from bot.config import is_off

    assert Settings.from_env({"BOT_DB": off}).db_path is None
    assert is_off(off)


class _Application:
    """Stands in for the Application in initialize_with_retries."""

    def __init__(self, failures: list[Exception]) -> None:
        self.failures = failures
        self.calls = 0

    async def initialize(self) -> None:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)


async def test_start_up_retries_for_about_two_minutes_with_backoff():
    from telegram.error import NetworkError, TimedOut

    from bot.telegram.app import START_RETRY_DELAYS, initialize_with_retries

    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    app = _Application([NetworkError("connection refused")] * 100)
    with pytest.raises(NetworkError):
        await initialize_with_retries(app, sleep=sleep)  # type: ignore[arg-type]
    assert app.calls == len(START_RETRY_DELAYS) + 1
    assert waits == list(START_RETRY_DELAYS)
    assert waits == sorted(waits) and waits[0] <= 2  # backoff: quick first, then longer
    assert 100 <= sum(waits) <= 180  # about 2 minutes before giving up

    waits.clear()
    app = _Application([TimedOut(), NetworkError("Bad Gateway")])
    await initialize_with_retries(app, sleep=sleep)  # type: ignore[arg-type]
    assert app.calls == 3 and waits == list(START_RETRY_DELAYS[:2])


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # RetryAfter(int)
async def test_start_up_waits_out_a_429_and_never_retries_a_bad_token():
    from telegram.error import InvalidToken, RetryAfter

    from bot.telegram.app import initialize_with_retries

    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    app = _Application([RetryAfter(40)])
    await initialize_with_retries(app, sleep=sleep)  # type: ignore[arg-type]
    assert waits == [40.0]
    app = _Application([InvalidToken("Unauthorized")])
    with pytest.raises(InvalidToken):
        await initialize_with_retries(app, sleep=sleep)  # type: ignore[arg-type]
    assert app.calls == 1


def test_run_bot_retries_an_unreachable_bot_api_then_exits_1(settings, monkeypatch, caplog):
    from bot.telegram import app as telegram_app

    request = RecordingRequest()
    request.fail_next("getMe", *([502] * 50))  # Bad Gateway: Telegram unreachable
    real_build = telegram_app.build_application
    monkeypatch.setattr(
        telegram_app,
        "build_application",
        lambda s, e, q, **kw: real_build(s, e, q, request=request, **kw),
    )
    monkeypatch.setattr(telegram_app, "START_RETRY_DELAYS", (0.01, 0.02, 0.03))
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [caplog.handler])  # run_bot configures logging
    monkeypatch.setattr(root, "level", root.level)
    with caplog.at_level(logging.WARNING, logger="bot.telegram.app"):
        assert telegram_app.run_bot(settings) == 1
    assert len(request.attempts("getMe")) == 4  # the first attempt and 3 retries
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 3 and "attempt 1/4" in warnings[0]
    assert any("giving up" in r.getMessage() for r in caplog.records)


def test_bot_today_pins_the_date_and_a_bad_one_names_the_variable() -> None:
    from datetime import date

    assert Settings.from_env({"BOT_TODAY": "2026-12-02"}).today == date(2026, 12, 2)
    assert Settings.from_env({}).today is None
    with pytest.raises(ConfigError, match="BOT_TODAY"):
        Settings.from_env({"BOT_TODAY": "2026-2-3"})
