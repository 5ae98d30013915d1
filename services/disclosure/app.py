"""The disclosure service: the public read model, the public API, open data and the portal."""

from __future__ import annotations

from fastapi import FastAPI

from services.disclosure.certificates import api as certificates_api
from services.disclosure.certificates.verification import issuer_keys
from services.disclosure.database import kernel
from services.disclosure.events import api as events_api
from services.disclosure.feed.service import Feed, LaggedInbox
from services.disclosure.opendata import api as opendata_api
from services.disclosure.policies import api as policies_api
from services.disclosure.portal import api as portal_api
from services.disclosure.retirements import api as retirements_api
from services.disclosure.stats import api as stats_api
from shared.app import build_context, create_service_app
from shared.auth.jwks import JwksFetcher
from shared.db.engine import Database
from shared.settings import PlatformSettings


def create_app(
    settings: PlatformSettings, database: Database, certificate_keys: JwksFetcher | None = None
) -> FastAPI:
    """The disclosure service's app; `certificate_keys` replaces fetching the issuer's JWKS (tests)."""
    context = build_context("disclosure", settings, database, kernel, {})
    feed = Feed(context.metrics)
    app = create_service_app(
        context,
        title="Lingtan disclosure",
        description="What the public sees: disclosed events, cancellations, certificates, policies, statistics.",
        routers=[
            events_api.router,
            retirements_api.router,
            certificates_api.router,
            stats_api.router,
            policies_api.router,
            opendata_api.router,
            portal_api.router,
        ],
        inbox_apply=feed,
    )
    # Same inbox, but its readiness detail (GET /health/ready) also shows the feed's lag per source.
    context.inbox = LaggedInbox(kernel, database, feed)
    app.state.issuer_keys = issuer_keys(settings.certification_url, certificate_keys)
    return app
