"""The registry service: accounts, credit blocks, retirements, external cancellations and the log."""

from __future__ import annotations

from fastapi import FastAPI

from services.registry.database import kernel
from shared.app import build_context, create_service_app
from shared.db.engine import Database
from shared.settings import PlatformSettings

OUTBOX_ROUTES = {"retirement.": ("disclosure",), "cancellation.": ("disclosure",)}


def create_app(settings: PlatformSettings, database: Database) -> FastAPI:
    """The registry service's app."""
    context = build_context("registry", settings, database, kernel, OUTBOX_ROUTES)
    return create_service_app(
        context,
        title="Lingtan registry",
        description="The registry ledger: accounts, serialized credits, retirements, external cancellations "
        "and an append-only, tamper-evident log.",
        routers=[],
    )
