"""The disclosure service: the public read model, the public API, open data and the portal."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.orm import Session

from services.disclosure.database import kernel
from shared.app import build_context, create_service_app
from shared.db.engine import Database
from shared.outbox import Notification
from shared.settings import PlatformSettings


def apply_notification(session: Session, note: Notification) -> None:
    """Fold a notification from another service into the read model."""


def create_app(settings: PlatformSettings, database: Database) -> FastAPI:
    """The disclosure service's app."""
    context = build_context("disclosure", settings, database, kernel, {})
    return create_service_app(
        context,
        title="Lingtan disclosure",
        description="What the public sees: disclosed events, cancellations, certificates, policies, statistics.",
        routers=[],
        inbox_apply=apply_notification,
    )
