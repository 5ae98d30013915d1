"""The accounting service: events, policy profiles, emission factors, plans and inventories."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware import Middleware

from services.accounting import models  # noqa: F401 - every table mapped before the first query
from services.accounting.database import kernel
from services.accounting.estimates import api as estimates_api
from services.accounting.events import api as events_api
from services.accounting.events.certificates import certificate_applier
from services.accounting.factors import api as factors_api
from services.accounting.inventories import api as inventories_api
from services.accounting.inventories.limits import InventoryBodyLimit
from services.accounting.plans import api as plans_api
from services.accounting.policies import api as policies_api
from services.accounting.problems import install_accounting_handlers
from shared.app import build_context, create_service_app
from shared.db.engine import Database
from shared.limits import BodySizeLimitMiddleware
from shared.settings import PlatformSettings

# Disclosure shows events to the public; the registry keeps its own read model of them, so that every
# retirement, donation and external cancellation names an event it knows, without calling accounting.
OUTBOX_ROUTES: dict[str, tuple[str, ...]] = {"event.": ("disclosure", "registry")}


def _raise_inventory_body_limit(app: FastAPI) -> None:
    # A whole inventory (up to 20,000 lines) is larger than the kernel's default body limit; only the
    # two routes that take one get more room, every other route keeps the default.
    limit: object = BodySizeLimitMiddleware
    app.user_middleware = [
        Middleware(InventoryBodyLimit) if entry.cls is limit else entry for entry in app.user_middleware
    ]


def create_app(settings: PlatformSettings, database: Database) -> FastAPI:
    """The accounting service's app."""
    context = build_context("accounting", settings, database, kernel, OUTBOX_ROUTES)
    app = create_service_app(
        context,
        title="Lingtan accounting",
        description="Events, policy profiles, emission factors, implementation plans and inventories.",
        routers=[
            events_api.router,
            plans_api.router,
            inventories_api.router,
            estimates_api.router,
            factors_api.router,
            policies_api.router,
        ],
        inbox_apply=certificate_applier(context.outbox),
    )
    install_accounting_handlers(app)
    _raise_inventory_body_limit(app)
    return app
