"""Shared fixtures: the shipped content, loaded once, and a writable copy of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
INTENTS = ROOT / "intents"
DATA = ROOT / "data"


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
