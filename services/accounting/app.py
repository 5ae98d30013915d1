"""The accounting service: events, policy profiles, emission factors, plans and inventories."""

from __future__ import annotations

from fastapi import FastAPI

from services.accounting.database import kernel
from shared.app import build_context, create_service_app
from shared.db.engine import Database
from shared.settings import PlatformSettings

OUTBOX_ROUTES = {"event.": ("disclosure",)}


def create_app(settings: PlatformSettings, database: Database) -> FastAPI:
    """The accounting service's app."""
    context = build_context("accounting", settings, database, kernel, OUTBOX_ROUTES)
    return create_service_app(
        context,
        title="Lingtan accounting",
        description="Events, policy profiles, emission factors, implementation plans and inventories.",
        routers=[],
    )
