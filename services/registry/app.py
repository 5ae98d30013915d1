"""The registry service: accounts, credit blocks, retirements, external cancellations and the log, and its
read model of the events they are recorded for."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import func, select

from services.registry.accounts import api as accounts
from services.registry.cancellations import api as cancellations
from services.registry.credits import api as credits
from services.registry.database import kernel
from services.registry.events import api as events
from services.registry.events.feed import apply_event
from services.registry.log import api as log
from services.registry.log.models import LogState
from services.registry.projects import api as projects
from services.registry.retirements import api as retirements
from services.registry.retirements.models import Retirement
from services.registry.runtime import RegistryRuntime
from services.registry.settings import RegistrySettings
from shared.app import ServiceContext, build_context, create_service_app
from shared.db.engine import Database
from shared.settings import PlatformSettings

# retirement.recorded and cancellation.recorded go to disclosure (docs/notifications.md).
OUTBOX_ROUTES: dict[str, tuple[str, ...]] = {"retirement.": ("disclosure",), "cancellation.": ("disclosure",)}


def create_app(settings: PlatformSettings, database: Database) -> FastAPI:
    """The registry service's app."""
    registry_settings = (
        settings if isinstance(settings, RegistrySettings) else RegistrySettings(**settings.model_dump())
    )
    context = build_context("registry", settings, database, kernel, OUTBOX_ROUTES)
    runtime = RegistryRuntime(context, registry_settings)

    def load_key(_context: ServiceContext) -> None:
        # Create (development) or read the signing key before the first request needs it, and give
        # their indexes to entries a stopped process left queued.
        _ = runtime.signer
        runtime.sequencer.drain()

    async def close_units(_context: ServiceContext) -> None:
        await runtime.units.close()

    app = create_service_app(
        context,
        title="Lingtan registry",
        description="The registry ledger: accounts, serialized credits, retirements, external cancellations "
        "and an append-only, tamper-evident log. Quantities are integers of grams CO2e.",
        routers=[
            events.router,
            accounts.router,
            projects.router,
            credits.router,
            retirements.router,
            cancellations.router,
            log.router,
        ],
        # accounting's `event.updated` keeps the registry's own read model of events (events/feed.py)
        inbox_apply=apply_event,
        on_startup=load_key,
        on_shutdown=close_units,
    )
    app.state.registry = runtime
    _register_metrics(context)
    return app


def _register_metrics(context: ServiceContext) -> None:
    log_size = context.metrics.gauge("lingtan_registry_log_entries", "Entries in the registry's log")
    retired = context.metrics.gauge("lingtan_registry_retired_grams", "Grams of CO2e retired or donated")
    retirements = context.metrics.gauge("lingtan_registry_retirements", "Retirements and donations recorded")

    def refresh() -> None:
        with context.database.reads() as session:
            size = session.execute(select(func.coalesce(func.max(LogState.size), 0))).scalar_one()
            count, grams = session.execute(select(func.count(), func.coalesce(func.sum(Retirement.quantity), 0))).one()
        log_size.labels("registry").set(size)
        retirements.labels("registry").set(count)
        retired.labels("registry").set(grams)

    context.metrics.refreshers.append(refresh)
