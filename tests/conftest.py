"""Fixtures shared by every test: the database backend under test and a running platform."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.support.running import RunningPlatform

POSTGRES_URL = os.environ.get("LINGTAN_TEST_DATABASE_URL")


def _drop_schemas(prefix: str) -> None:
    assert POSTGRES_URL is not None
    engine = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        names = list(
            conn.execute(
                text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :p"), {"p": prefix + "%"}
            ).scalars()
        )
    # One transaction per schema: dropping them all at once takes more locks than the server allows.
    for name in names:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    engine.dispose()


@pytest.fixture(scope="session")
def backend() -> str:
    """Which database the suite runs on: 'sqlite' (default) or 'postgresql'."""
    return "postgresql" if POSTGRES_URL else "sqlite"


@pytest.fixture(scope="session")
def schema_prefix() -> Iterator[str]:
    """A prefix for this run's PostgreSQL schemas, dropped at the end so reruns start clean."""
    prefix = f"t{secrets.token_hex(4)}_"
    yield prefix
    if POSTGRES_URL:
        _drop_schemas(prefix)


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory, schema_prefix: str) -> Iterator[RunningPlatform]:
    """The whole platform, started once for the session."""
    running = RunningPlatform(
        data_dir=Path(tmp_path_factory.mktemp("platform")),
        database_url=POSTGRES_URL,
        schema_prefix=schema_prefix,
    ).start()
    yield running
    running.stop()


@pytest.fixture
def fresh_platform(tmp_path: Path, schema_prefix: str) -> Iterator[RunningPlatform]:
    """A platform of its own, for tests that stop services or change settings."""
    running = RunningPlatform(
        data_dir=tmp_path, database_url=POSTGRES_URL, schema_prefix=f"{schema_prefix}{secrets.token_hex(3)}_",
    ).start()
    yield running
    running.stop()
