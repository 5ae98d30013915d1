"""A provincial app's sign-on is trusted by its JWKS, with per-service audiences and a scope ceiling."""

import json
import secrets
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from shared import jws
from tests.support.running import RunningPlatform

ISSUER = "https://sso.province.example"


@pytest.fixture
def external_idp():
    key = jws.generate_key()
    document = json.dumps({"keys": [jws.public_jwk(key)]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(document)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield key, f"http://127.0.0.1:{server.server_address[1]}/jwks"
    server.shutdown()
    server.server_close()


@pytest.fixture
def trusting_platform(tmp_path, schema_prefix, external_idp):
    _, jwks_url = external_idp
    running = RunningPlatform(
        data_dir=tmp_path,
        schema_prefix=f"{schema_prefix}ext{secrets.token_hex(3)}_",
        database_url=__import__("os").environ.get("LINGTAN_TEST_DATABASE_URL"),
        overrides={
            "trusted_issuers": [
                {
                    "issuer": ISSUER,
                    "jwks_url": jwks_url,
                    "audience": "lingtan-{service}",
                    "allowed_scopes": ["registry:read", "notifications:deliver"],
                }
            ]
        },
    ).start()
    yield running
    running.stop()


def _external_token(key, aud, scope, **extra):
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "sub": "citizen-42",
        "aud": aud,
        "iat": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
        "scope": scope,
        **extra,
    }
    return jws.sign_compact(
        {"alg": "ES256", "typ": "at+jwt", "kid": jws.public_jwk(key)["kid"]}, json.dumps(claims).encode(), key
    )


def test_external_token_is_verified_by_its_jwks_and_audience(trusting_platform, external_idp):
    key, _ = external_idp
    platform = trusting_platform
    good = _external_token(key, "lingtan-disclosure", "notifications:deliver")
    # Verified (a notification source check follows), so not a 401.
    for url in (f"{platform.url}/disclosure/v1/inbox", f"{platform.service_url('disclosure')}/v1/inbox"):
        r = httpx.post(url, json={"notifications": []}, headers={"Authorization": f"Bearer {good}"})
        assert r.status_code == 200, r.text


def test_external_token_for_another_service_is_refused(trusting_platform, external_idp):
    key, _ = external_idp
    token = _external_token(key, "lingtan-registry", "notifications:deliver")
    r = httpx.post(
        f"{trusting_platform.service_url('disclosure')}/v1/inbox",
        json={"notifications": []},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 401


def test_external_scopes_are_capped_by_the_configuration(trusting_platform, external_idp):
    key, _ = external_idp
    platform = trusting_platform
    verifier = platform.built["disclosure"].app.state.verifier
    import asyncio

    token = _external_token(key, "lingtan-disclosure", "registry:read admin policy:write")
    principal = asyncio.run(verifier.verify(token))
    assert principal.scopes == {"registry:read"}
    assert principal.owner == "citizen-42" and principal.issuer == ISSUER


def test_a_key_the_external_issuer_does_not_publish_is_refused(trusting_platform):
    stranger = jws.generate_key()
    token = _external_token(stranger, "lingtan-disclosure", "notifications:deliver")
    r = httpx.post(
        f"{trusting_platform.service_url('disclosure')}/v1/inbox",
        json={"notifications": []},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 401
