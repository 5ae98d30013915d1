import httpx


def test_token_reaches_service_through_gateway(platform):
    caller = platform.register("org:smoke", "registry:read")
    response = httpx.get(f"{platform.url}/registry/health", headers=caller.headers())
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": "registry"}
