"""The composition root: the one place that knows every service, builds their apps and databases."""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from dataclasses import dataclass

from fastapi import FastAPI

from services.gateway.settings import GatewaySettings
from shared.db.engine import Database, connect
from shared.db.migrations import upgrade
from shared.settings import SERVICES, PlatformSettings

ALL = ("gateway", *SERVICES)


@dataclass
class BuiltService:
    """A service's app and the database it owns."""

    name: str
    app: FastAPI
    database: Database


def open_database(service: str, settings: PlatformSettings, env: Mapping[str, str] | None = None) -> Database:
    """The service's own database: its own SQLite file, or its own schema on a shared PostgreSQL."""
    environ = dict(os.environ if env is None else env)
    url = settings.database_url_for(service, environ)
    return connect(url, schema=f"{settings.schema_prefix}{service}", pool_size=settings.database_pool_size)


def migrate(service: str, database: Database) -> None:
    """Apply the service's migrations up to head."""
    upgrade(service, database)


def build(
    service: str,
    settings: PlatformSettings | None = None,
    database: Database | None = None,
    run_migrations: bool = True,
) -> BuiltService:
    """Build one service's app (migrated unless told not to) from settings in the environment unless given."""
    if service not in ALL:
        raise ValueError(f"unknown service {service!r}; choose one of {', '.join(ALL)}")
    settings = settings or (GatewaySettings() if service == "gateway" else PlatformSettings())
    database = database or open_database(service, settings)
    if run_migrations:
        migrate(service, database)
    module = importlib.import_module(f"services.{service}.app")
    if service == "gateway":
        gateway_settings = settings if isinstance(settings, GatewaySettings) else GatewaySettings(
            **settings.model_dump()
        )
        app = module.create_app(gateway_settings, database)
    else:
        app = module.create_app(settings, database)
    return BuiltService(name=service, app=app, database=database)
