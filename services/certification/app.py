"""The certification service: applications, checks, certificates, audits and revocation."""

from __future__ import annotations

from fastapi import FastAPI

from services.certification.database import kernel
from shared.app import build_context, create_service_app
from shared.db.engine import Database
from shared.settings import PlatformSettings

OUTBOX_ROUTES = {"certificate.": ("disclosure", "accounting")}


def create_app(settings: PlatformSettings, database: Database) -> FastAPI:
    """The certification service's app."""
    context = build_context("certification", settings, database, kernel, OUTBOX_ROUTES)
    return create_service_app(
        context,
        title="Lingtan certification",
        description="Applications with checks, signed certificates, random audits and revocation.",
        routers=[],
    )
