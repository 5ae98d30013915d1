"""Every service migrates from empty to head, and its models match its migrations exactly."""

import importlib
import os
import secrets

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from lingtan.platform import ALL
from shared.db.engine import connect
from shared.db.migrations import upgrade, version_table


@pytest.mark.parametrize("service", ALL)
def test_upgrade_from_empty_to_head_leaves_no_autogenerate_diff(service, tmp_path, schema_prefix):
    url = os.environ.get("LINGTAN_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'm.db'}"
    database = connect(url, schema=f"{schema_prefix}mig{secrets.token_hex(2)}_{service}")
    try:
        upgrade(service, database)
        metadata = importlib.import_module(f"services.{service}.database").Base.metadata
        importlib.import_module(f"services.{service}.models")
        with database.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            assert version_table(service) in tables
            assert set(metadata.tables) <= tables
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "version_table": version_table(service)}
            )
            diff = compare_metadata(context, metadata)
        assert diff == []
    finally:
        database.dispose()
