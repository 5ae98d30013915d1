"""Apps built from the environment alone, for `uvicorn --factory` with one worker or several.

`uvicorn lingtan.factory:registry --factory` builds the registry from its LINGTAN_* variables. The
factories never migrate: `lingtan db upgrade` runs once before any worker starts, so workers never
race each other over a migration. `python -m lingtan.factory prepare` is the gateway's one-time
set-up for the same reason (see `prepare_gateway`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from fastapi import FastAPI

from lingtan.platform import build, open_database
from shared.logs import configure_logging
from shared.settings import PlatformSettings


def create(service: str) -> FastAPI:
    """One service's app, configured by the environment, on a database already at head."""
    configure_logging(PlatformSettings().log_level)
    return build(service, run_migrations=False).app


def gateway() -> FastAPI:
    """The gateway's app (uvicorn factory)."""
    return create("gateway")


def accounting() -> FastAPI:
    """The accounting service's app (uvicorn factory)."""
    return create("accounting")


def registry() -> FastAPI:
    """The registry's app (uvicorn factory)."""
    return create("registry")


def certification() -> FastAPI:
    """The certification service's app (uvicorn factory)."""
    return create("certification")


def disclosure() -> FastAPI:
    """The disclosure service's app (uvicorn factory)."""
    return create("disclosure")


def prepare_gateway() -> None:
    """Provision the services' own clients and the first signing key once, before gateway workers start.

    Every gateway worker does both at start. On an empty database, workers starting together would
    each insert the same service clients (a primary-key conflict fails that worker's start) and each
    mint a first signing key of its own (tokens signed by a key the other workers do not publish
    yet). Done once beforehand, the workers only find both in place.
    """
    from services.gateway.app import provision_service_clients
    from services.gateway.keys.service import KeyRing
    from services.gateway.settings import GatewaySettings

    settings = GatewaySettings()
    database = open_database("gateway", settings)
    try:
        provision_service_clients(database, settings)
        KeyRing(
            database.writes, settings.secret_key, settings.gateway_token_ttl_seconds, settings.clock_leeway_seconds
        ).active()
    finally:
        database.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m lingtan.factory prepare`: the gateway's one-time set-up, configured by the environment."""
    parser = argparse.ArgumentParser(prog="python -m lingtan.factory", description=main.__doc__)
    parser.add_argument("step", choices=["prepare"])
    parser.parse_args(argv)
    prepare_gateway()
    return 0


if __name__ == "__main__":
    sys.exit(main())
