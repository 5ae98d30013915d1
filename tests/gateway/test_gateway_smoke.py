import httpx

from shared.auth.scopes import service_client_id, service_client_secret


def service_token(platform, service: str) -> str:
    response = httpx.post(
        f"{platform.url}/oauth/token",
        data={"grant_type": "client_credentials", "scope": "notifications:deliver"},
        auth=(service_client_id(service), service_client_secret(service, platform.settings.service_client_secret)),
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def test_token_from_gateway_calls_a_service_through_the_gateway(platform):
    token = service_token(platform, "registry")
    response = httpx.post(
        f"{platform.url}/disclosure/v1/inbox",
        json={"notifications": []},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"acknowledged": []}
    assert response.headers["x-request-id"]


def test_request_id_is_carried_from_gateway_to_service(platform):
    response = httpx.get(f"{platform.url}/registry/health", headers={"X-Request-ID": "trace-abc-123"})
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "trace-abc-123"


def test_metadata_and_jwks_are_published(platform):
    meta = httpx.get(f"{platform.url}/.well-known/oauth-authorization-server").json()
    assert meta["issuer"] == platform.settings.issuer
    assert meta["grant_types_supported"] == ["client_credentials"]
    jwks = httpx.get(meta["jwks_uri"]).json()
    assert jwks["keys"] and all(k["kty"] == "EC" and "d" not in k for k in jwks["keys"])
