"""Shared fixtures: the shipped content, loaded once, and a writable copy of it; a disk cache
of the test run's own (tests never write into the user's ~/.cache)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
INTENTS = ROOT / "intents"
DATA = ROOT / "data"


@pytest.fixture(scope="session", autouse=True)
def _own_disk_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    before = os.environ.get("BOT_CACHE_DIR")
    os.environ["BOT_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))  # seen by subprocesses too
    yield
    if before is None:
        os.environ.pop("BOT_CACHE_DIR", None)
    else:
        os.environ["BOT_CACHE_DIR"] = before


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine.load(INTENTS, DATA)


@pytest.fixture
def content_copy(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of intents/ and data/ that a test may break."""
    intents = tmp_path / "intents"
    data = tmp_path / "data"
    shutil.copytree(INTENTS, intents)
    shutil.copytree(DATA, data)
    return intents, data
