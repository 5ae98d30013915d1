"""The token endpoint answers as RFC 6749 §4.4 and §5.2 say; keys rotate without breaking live tokens."""

import base64
import json
import time

import httpx


def _token(platform, **form):
    return httpx.post(f"{platform.url}/oauth/token", data=form)


def _claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _header(token):
    head = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))


def test_client_credentials_token_is_an_rfc9068_jwt(platform):
    caller = platform.register("org:hainan-expo", "events:read events:write registry:read")
    response = _token(
        platform,
        grant_type="client_credentials",
        client_id=caller.client_id,
        client_secret=caller.client_secret,
        scope="events:write",
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer" and body["scope"] == "events:write" and body["expires_in"] > 0
    claims = _claims(body["access_token"])
    assert _header(body["access_token"])["typ"] == "at+jwt"
    assert claims["iss"] == platform.settings.issuer
    assert claims["sub"] == claims["client_id"] == caller.client_id
    assert claims["owner"] == "org:hainan-expo"
    assert claims["aud"] == platform.settings.audience("accounting")
    assert {"exp", "iat", "jti"} <= set(claims)


def test_basic_authentication_works_too(platform):
    caller = platform.register("org:basic", "registry:read")
    response = httpx.post(
        f"{platform.url}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(caller.client_id, caller.client_secret),
    )
    assert response.status_code == 200
    assert _claims(response.json()["access_token"])["scope"] == "registry:read"


def test_wrong_secret_is_invalid_client(platform):
    caller = platform.register("org:x", "registry:read")
    response = _token(platform, grant_type="client_credentials", client_id=caller.client_id, client_secret="wrong")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert "WWW-Authenticate" in response.headers


def test_unknown_client_is_invalid_client(platform):
    response = _token(platform, grant_type="client_credentials", client_id="lt_nobody", client_secret="x")
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


def test_unknown_grant_type_is_unsupported(platform):
    caller = platform.register("org:x", "registry:read")
    response = _token(platform, grant_type="password", client_id=caller.client_id, client_secret=caller.client_secret)
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_missing_grant_type_is_invalid_request(platform):
    caller = platform.register("org:x", "registry:read")
    response = _token(platform, client_id=caller.client_id, client_secret=caller.client_secret)
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_scope_not_given_to_the_client_is_invalid_scope(platform):
    caller = platform.register("org:x", "registry:read")
    response = _token(
        platform,
        grant_type="client_credentials",
        client_id=caller.client_id,
        client_secret=caller.client_secret,
        scope="registry:read registry:issue",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_scope" and "registry:issue" in body["error_description"]


def test_resource_indicator_narrows_the_audience(platform):
    caller = platform.register("org:x", "registry:read events:read")
    target = platform.settings.audience("registry")
    response = _token(
        platform,
        grant_type="client_credentials",
        client_id=caller.client_id,
        client_secret=caller.client_secret,
        resource=target,
    )
    assert response.status_code == 200
    assert _claims(response.json()["access_token"])["aud"] == target


def test_rotation_keeps_old_tokens_valid_and_signs_new_ones_with_the_new_key(fresh_platform):
    platform = fresh_platform
    from tests.gateway.test_gateway_smoke import service_token

    old = service_token(platform, "registry")
    old_kid = _header(old)["kid"]
    admin = platform.register("platform:operator", "admin")
    rotated = httpx.post(f"{platform.url}/admin/keys/rotate", headers=admin.headers())
    assert rotated.status_code == 200
    new_kid = rotated.json()["active_kid"]
    assert new_kid != old_kid
    published_now = {k["kid"] for k in httpx.get(f"{platform.url}/.well-known/jwks.json").json()["keys"]}
    assert {old_kid, new_kid} <= published_now
    # The new key is published before it signs anything, so every verifier can learn it first.
    assert _header(service_token(platform, "registry"))["kid"] == old_kid
    time.sleep(2 * platform.settings.jwks_min_refresh_seconds + 0.2)
    new = service_token(platform, "registry")
    assert _header(new)["kid"] == new_kid
    published = {k["kid"] for k in httpx.get(f"{platform.url}/.well-known/jwks.json").json()["keys"]}
    assert {old_kid, new_kid} <= published
    for token in (old, new):
        for url in (f"{platform.url}/disclosure/v1/inbox", f"{platform.service_url('disclosure')}/v1/inbox"):
            response = httpx.post(url, json={"notifications": []}, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200, response.text
    trail = httpx.get(f"{platform.url}/admin/audit", headers=admin.headers()).json()
    assert any(e["action"] == "keys.rotated" and e["target"] == new_kid for e in trail)


def test_rotated_key_leaves_the_jwks_after_its_tokens_expire(fresh_platform):
    platform = fresh_platform
    keys = platform.built["gateway"].app.state.gateway.keys
    old_kid = keys.active().kid
    keys._grace = __import__("datetime").timedelta(seconds=0)
    keys._activation_delay = __import__("datetime").timedelta(seconds=0)
    keys.rotate()
    published = {k["kid"] for k in keys.jwks()["keys"]}
    assert old_kid not in published
