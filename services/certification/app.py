"""The certification service: applications, checks, certificates, audits and revocation."""

from __future__ import annotations

from fastapi import FastAPI

from services.certification.applications import api as applications_api
from services.certification.audits import api as audits_api
from services.certification.certificates import api as certificates_api
from services.certification.database import kernel
from services.certification.evaluations import api as evaluations_api
from services.certification.runtime import CertificationRuntime
from services.certification.settings import CertificationSettings
from services.certification.status import api as status_api
from shared.app import build_context, create_service_app
from shared.auth.jwks import JwksFetcher
from shared.db.engine import Database
from shared.service_client import ServiceClient
from shared.settings import PlatformSettings

OUTBOX_ROUTES: dict[str, tuple[str, ...]] = {"certificate.": ("disclosure", "accounting")}


def _prepare(runtime: CertificationRuntime) -> None:
    # The issuer key is made (development) or recorded (production) before the first request.
    runtime.load_keys()


def create_app(
    settings: PlatformSettings,
    database: Database,
    client: ServiceClient | None = None,
    platform_keys: JwksFetcher | None = None,
) -> FastAPI:
    """The certification service's app; `client` and `platform_keys` let tests stand in for the other services."""
    own = CertificationSettings.extending(settings)
    context = build_context("certification", own, database, kernel, OUTBOX_ROUTES, client)
    runtime = CertificationRuntime.start(context, own)
    app = create_service_app(
        context,
        title="Lingtan certification",
        description="Applications with checks, signed certificates, random audits and revocation.",
        routers=[
            applications_api.router,
            evaluations_api.router,
            certificates_api.router,
            status_api.router,
            audits_api.router,
        ],
        platform_keys=platform_keys,
        on_startup=lambda _context: _prepare(runtime),
    )
    app.state.certification = runtime
    return app
