"""pytest fixtures for a real PostgreSQL server (tests/pgserver.py): `pg_server`, one server for
the whole session, started on first use; `pg_url`, a fresh empty database for each test, dropped
after it (with any connection the test left open)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pgserver import PgServer


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    with PgServer.start() as server:
        yield server


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[str]:
    url = pg_server.create_database()
    yield url
    pg_server.drop_database(url.rsplit("/", 1)[1])
