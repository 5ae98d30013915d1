"""Running the platform: every service in one process (the default) or one service alone."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Coroutine, Iterator
from typing import Any

import uvicorn

from lingtan.platform import ALL, BuiltService, build
from services.gateway.settings import GatewaySettings
from shared.logs import configure_logging
from shared.settings import DEFAULT_PORTS, SERVICES, PlatformSettings

log = logging.getLogger("lingtan.serve")


def _uvicorn_config(app: object, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
    )


def platform_settings(host: str, port: int, service_ports: dict[str, int]) -> GatewaySettings:
    """Settings for the one-process platform: services on loopback ports, the gateway in front."""
    base = GatewaySettings()
    public = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"  # noqa: S104
    overrides = {f"{s}_url": f"http://127.0.0.1:{service_ports[s]}" for s in SERVICES}
    defaults = GatewaySettings.model_fields
    if base.issuer == defaults["issuer"].default:
        overrides.update(issuer=public, jwks_url=f"{public}/.well-known/jwks.json", token_url=f"{public}/oauth/token")
    if base.public_url == defaults["public_url"].default:
        overrides["public_url"] = public
    return base.model_copy(update=overrides)


def free_port() -> int:
    """An unused loopback port."""
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build_platform(settings: GatewaySettings) -> Iterator[BuiltService]:
    """Build and migrate every service (the gateway first: the others fetch its keys)."""
    for name in ALL:
        yield build(name, settings)


async def _serve_all(servers: list[uvicorn.Server]) -> None:
    await asyncio.gather(*(server.serve() for server in servers))


def _run(main: Coroutine[Any, Any, None]) -> None:
    # uvicorn picks uvloop only in Server.run(); several servers on one loop need it chosen here.
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)


def serve_platform(host: str, port: int, demo: bool = False) -> None:
    """Gateway on host:port, each service on its own loopback port, all in this process."""
    configure_logging(PlatformSettings().log_level)
    service_ports = {s: (DEFAULT_PORTS[s] if port == DEFAULT_PORTS["gateway"] else free_port()) for s in SERVICES}
    settings = platform_settings(host, port, service_ports)
    built = list(build_platform(settings))
    servers = []
    for service in built:
        bind_host, bind_port = (host, port) if service.name == "gateway" else ("127.0.0.1", service_ports[service.name])
        servers.append(uvicorn.Server(_uvicorn_config(service.app, bind_host, bind_port)))
    log.info("platform starting", extra={"gateway": f"http://{host}:{port}", "services": service_ports})
    if demo:
        from lingtan.demo import schedule_demo

        schedule_demo(settings, servers)
    _run(_serve_all(servers))


def serve_one(service: str, host: str, port: int | None, workers: int = 1) -> None:
    """One service alone, configured by the environment, against its own database."""
    configure_logging(PlatformSettings().log_level)
    built = build(service)
    config = _uvicorn_config(built.app, host, port or DEFAULT_PORTS[service])
    uvicorn.Server(config).run()
