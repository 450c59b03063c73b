"""Shared fixtures: the shipped content, loaded once, and a writable copy of it; a disk cache
of the test run's own (tests never write into the user's ~/.cache); a pinned date.

Tests never read the real date: the engine fixture's clock says TODAY, and BOT_TODAY says it to
every `python -m bot` a test starts. TODAY is inside the report's plan year, the frame the older
question sets were written in (今年 = 2025, 去年 = 2024); tests of other days pin their own."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pinned import TODAY

from bot.engine import Engine, fixed

pytest_plugins = ["pg_fixtures"]  # a real PostgreSQL server on 127.0.0.1 (tests/pgserver.py)

ROOT = Path(__file__).resolve().parent.parent
INTENTS = ROOT / "intents"
DATA = ROOT / "data"


@pytest.fixture(scope="session", autouse=True)
def _own_disk_cache_and_date(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    pinned = {
        "BOT_CACHE_DIR": str(tmp_path_factory.mktemp("cache")),  # seen by subprocesses too
        "BOT_TODAY": TODAY.isoformat(),
    }
    before = {name: os.environ.get(name) for name in pinned}
    os.environ.update(pinned)
    yield
    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine.load(INTENTS, DATA, clock=fixed(TODAY))


@pytest.fixture
def content_copy(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of intents/ and data/ that a test may break."""
    intents = tmp_path / "intents"
    data = tmp_path / "data"
    shutil.copytree(INTENTS, intents)
    shutil.copytree(DATA, data)
    return intents, data
