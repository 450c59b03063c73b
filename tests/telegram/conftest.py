"""Offline fixtures for the Telegram layer, in python-telegram-bot's own testing style.

The Application gets a `RecordingRequest` (tg_helpers) instead of an HTTP client, so nothing
reaches the network; updates are fed with `await app.process_update(Update.de_json(...))`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from pinned import TODAY
from telegram import Update
from tg_helpers import ADMIN_ID, TOKEN, FakeQuestionLog, RecordingRequest, Updates

from bot.config import Settings
from bot.engine import Engine, fixed
from bot.telegram.app import build_application

# The content under test: the project's, or BOT_INTENTS_DIR / BOT_DATA_DIR when set.
SOURCE = Settings.from_env({k: v for k, v in os.environ.items() if k.endswith("_DIR")})


@pytest.fixture(scope="session")
def content_dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A private copy of the project's content, so a test may edit or break it."""
    root = tmp_path_factory.mktemp("content")
    shutil.copytree(SOURCE.intents_dir, root / "intents")
    shutil.copytree(SOURCE.data_dir, root / "data")
    return root / "intents", root / "data"


@pytest.fixture(scope="session")
def engine(content_dirs: tuple[Path, Path]) -> Engine:
    return Engine.load(*content_dirs, clock=fixed(TODAY))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    intents = tmp_path / "intents"
    data = tmp_path / "data"
    shutil.copytree(SOURCE.intents_dir, intents)
    shutil.copytree(SOURCE.data_dir, data)
    return Settings(
        token=TOKEN,
        admin_ids=frozenset({ADMIN_ID}),
        intents_dir=intents,
        data_dir=data,
        db_path=None,
    )


@pytest.fixture
def request_recorder() -> RecordingRequest:
    return RecordingRequest()


@pytest.fixture
def qlog() -> FakeQuestionLog:
    return FakeQuestionLog()


@pytest.fixture
async def app(
    settings: Settings, engine: Engine, qlog: FakeQuestionLog, request_recorder: RecordingRequest
) -> AsyncIterator[Any]:
    application = build_application(settings, engine, qlog, request=request_recorder)  # type: ignore[arg-type]
    await application.initialize()
    request_recorder.clear()
    yield application
    await application.shutdown()


@pytest.fixture
def updates() -> Updates:
    return Updates()


@pytest.fixture
def feed(app: Any) -> Callable[[dict[str, Any]], Any]:
    async def _feed(data: dict[str, Any]) -> None:
        await app.process_update(Update.de_json(data, app.bot))
        await asyncio.sleep(0)

    return _feed


@pytest.fixture(params=["sqlite", "postgresql"])
def log_location(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """A question log's BOT_DB on each backend: a SQLite file, a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "q.sqlite3"
    url: str = request.getfixturevalue("pg_url")
    return url
