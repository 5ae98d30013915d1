"""Each service's own Alembic tree and version table, run programmatically or from `lingtan db upgrade`."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData

from shared.db.engine import Database


def version_table(service: str) -> str:
    """Every service records its migrations in a table of its own."""
    return f"alembic_version_{service}"


def alembic_config(service: str, database: Database) -> Config:
    """An Alembic config pointing at `services/<service>/migrations` and at this database."""
    config = Config()
    location = resources.files(f"services.{service}").joinpath("migrations")
    config.set_main_option("script_location", str(location))
    config.set_main_option("sqlalchemy.url", database.engine.url.render_as_string(hide_password=False))
    config.attributes["database"] = database
    config.attributes["version_table"] = version_table(service)
    return config


def upgrade(service: str, database: Database, revision: str = "head") -> None:
    """Bring a service's database to `revision`."""
    command.upgrade(alembic_config(service, database), revision)


def run_env(metadata: MetaData) -> None:
    """The body of every service's migrations/env.py: online migrations on the service's own connection."""
    from alembic import context

    config = context.config
    database: Database | None = config.attributes.get("database")
    table = config.attributes.get("version_table")
    if database is None:
        from shared.db.engine import connect

        url = config.get_main_option("sqlalchemy.url")
        if not url:
            raise RuntimeError("no database given to migrate")
        database = connect(url)
    with database.engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table=table or "alembic_version",
            render_as_batch=database.is_sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
