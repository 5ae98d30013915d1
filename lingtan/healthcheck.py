"""Readiness probes: used by `lingtan serve --processes` and by the container's HEALTHCHECK.

`python -m lingtan.healthcheck [SERVICE] [--port N]` exits 0 when the service on this host is ready,
1 otherwise. SERVICE defaults to LINGTAN_SERVICE (the container's service), the port to the
service's default port.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

import httpx

from shared.settings import DEFAULT_PORTS

READY_PATH = "/health/ready"
LIVE_PATH = "/health"


def is_ready(base_url: str, timeout: float = 3.0) -> bool:
    """Whether the service at `base_url` answers its readiness check with 200.

    A service that has no readiness endpoint (404) is judged by its liveness endpoint instead.
    """
    base = base_url.rstrip("/")
    try:
        with httpx.Client(timeout=timeout) as client:
            response = client.get(base + READY_PATH)
            if response.status_code == 404:
                response = client.get(base + LIVE_PATH)
    except httpx.HTTPError:
        return False
    return response.status_code == 200


def main(argv: Sequence[str] | None = None) -> int:
    """Exit 0 when the service is ready, 1 when it is not."""
    parser = argparse.ArgumentParser(prog="python -m lingtan.healthcheck", description=__doc__)
    parser.add_argument("service", nargs="?", default=os.environ.get("LINGTAN_SERVICE", "gateway"),
                        choices=sorted(DEFAULT_PORTS))
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--timeout", type=float, default=3.0)
    args = parser.parse_args(argv)
    port = args.port or DEFAULT_PORTS[args.service]
    return 0 if is_ready(f"http://127.0.0.1:{port}", args.timeout) else 1


if __name__ == "__main__":
    sys.exit(main())
