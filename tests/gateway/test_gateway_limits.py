"""Oversized bodies, floods and dead or silent services get clear answers, never a hang."""

import os
import secrets
import socket
import threading

import httpx
import pytest

from services.gateway.routing.connections import ConnectionPool
from tests.support.running import RunningPlatform


def test_oversized_body_gets_413(platform):
    caller = platform.register("org:big", "registry:read")
    big = b"x" * (platform.settings.gateway_max_body_bytes + 1)
    response = httpx.post(f"{platform.url}/registry/v1/anything", content=big, headers=caller.headers())
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")


def test_oversized_body_sent_straight_to_a_service_gets_413(platform):
    response = httpx.post(f"{platform.service_url('registry')}/v1/anything", content=b"x" * (1024 * 1024 + 1))
    assert response.status_code == 413


def _platform(tmp_path, schema_prefix, **overrides):  # noqa: ANN001, ANN003, ANN202
    """A platform of its own with these gateway settings."""
    return RunningPlatform(
        data_dir=tmp_path,
        schema_prefix=f"{schema_prefix}{secrets.token_hex(3)}_",
        database_url=os.environ.get("LINGTAN_TEST_DATABASE_URL"),
        overrides=overrides,
    ).start()


@pytest.fixture
def limited_platform(tmp_path, schema_prefix):
    running = _platform(tmp_path, schema_prefix, gateway_rate_per_second=0.01, gateway_rate_burst=5)
    yield running
    running.stop()


def test_flood_gets_429_keyed_on_the_client_not_the_forwarded_address(limited_platform):
    platform = limited_platform
    flooder = platform.register("org:flood", "registry:read")
    calm = platform.register("org:calm", "registry:read")
    flood_headers = flooder.headers()
    statuses = []
    for i in range(12):
        # A spoofed X-Forwarded-For must not buy a fresh bucket.
        headers = {**flood_headers, "X-Forwarded-For": f"10.0.0.{i}"}
        statuses.append(httpx.get(f"{platform.url}/registry/health", headers=headers).status_code)
    assert statuses[:5] == [200] * 5
    assert 429 in statuses
    refused = httpx.get(f"{platform.url}/registry/health", headers=flood_headers)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert refused.json()["status"] == 429
    assert httpx.get(f"{platform.url}/registry/health", headers=calm.headers()).status_code == 200


def test_a_stopped_service_gets_502_from_the_gateway(fresh_platform):
    fresh_platform.stop_service("certification")
    response = httpx.get(f"{fresh_platform.url}/certification/health", timeout=10)
    assert response.status_code == 502
    assert response.json()["title"] == "Upstream service failed"
    fresh_platform.start_service("certification")
    assert httpx.get(f"{fresh_platform.url}/certification/health", timeout=10).status_code == 200


@pytest.fixture
def silent_port():
    # Accepts connections and never answers: a hung service.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


def test_a_silent_service_gets_504_not_a_hang(tmp_path, schema_prefix, silent_port):
    platform = _platform(tmp_path, schema_prefix, gateway_upstream_timeout_seconds=0.5)
    try:
        platform.built["gateway"].app.state.gateway.upstreams["disclosure"] = ConnectionPool(
            f"http://127.0.0.1:{silent_port}", timeout=0.5, connect_timeout=0.5
        )
        response = httpx.get(f"{platform.url}/disclosure/health", timeout=10)
        assert response.status_code == 504
        assert response.json()["status"] == 504
    finally:
        platform.stop()


@pytest.fixture
def guarded_platform(tmp_path, schema_prefix):
    running = _platform(tmp_path, schema_prefix, gateway_auth_failure_burst=3, gateway_auth_failures_per_second=0.01)
    yield running
    running.stop()


def test_guessing_client_secrets_is_slowed_to_a_crawl(guarded_platform):
    platform = guarded_platform
    client = platform.register("org:guessed", "registry:read")
    token_url = f"{platform.url}/oauth/token"
    good = {"grant_type": "client_credentials", "client_id": client.client_id, "client_secret": client.client_secret}
    # Successful authentications never count against the address.
    for _ in range(5):
        assert httpx.post(token_url, data=good).status_code == 200
    statuses = []
    for i in range(6):
        guess = {**good, "client_secret": f"guess-{i}"}
        # Another client id buys no fresh bucket either: the bucket is the address's.
        if i % 2:
            guess["client_id"] = f"lt_{secrets.token_hex(10)}"
        statuses.append(httpx.post(token_url, data=guess).status_code)
    assert statuses[:3] == [401] * 3
    assert statuses[3:] == [429] * 3
    # Once the address is refused, even the right secret waits: a guesser cannot tell a hit from a miss.
    refused = httpx.post(token_url, data=good)
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["status"] == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["cache-control"] == "no-store"
