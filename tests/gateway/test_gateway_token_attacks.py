"""Every way a token can be wrong is refused, at the gateway and at the service itself."""

import json
import time

import httpx
import pytest

from shared import jws
from tests.support import tokens

INBOX = "/v1/inbox"
BODY = {"notifications": []}


def _targets(platform):
    return {
        "gateway": f"{platform.url}/disclosure{INBOX}",
        "service": f"{platform.service_url('disclosure')}{INBOX}",
    }


def _call(url, token):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return httpx.post(url, json=BODY, headers=headers)


def _assert_refused(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]


def _scope():
    return "notifications:deliver"


BAD_TOKENS = {
    "expired": lambda p: tokens.signed(p, tokens.claims_for(p, "disclosure", _scope(), exp=int(time.time()) - 600)),
    "not yet valid": lambda p: tokens.signed(
        p, tokens.claims_for(p, "disclosure", _scope(), nbf=int(time.time()) + 600)
    ),
    "issued in the future": lambda p: tokens.signed(
        p, tokens.claims_for(p, "disclosure", _scope(), iat=int(time.time()) + 600)
    ),
    "no exp": lambda p: tokens.signed(p, tokens.claims_for(p, "disclosure", _scope(), exp=None)),
    "no aud": lambda p: tokens.signed(p, tokens.claims_for(p, "disclosure", _scope(), aud=None)),
    "audience of another service": lambda p: tokens.signed(
        p, tokens.claims_for(p, "disclosure", _scope(), aud=p.settings.audience("accounting"))
    ),
    "wrong issuer": lambda p: tokens.signed(
        p, tokens.claims_for(p, "disclosure", _scope(), iss="https://evil.example")
    ),
    "alg none": lambda p: tokens.unsigned(tokens.claims_for(p, "disclosure", _scope())),
    "HS256 keyed with public key PEM": lambda p: tokens.hs256_with_public_key(
        p, tokens.claims_for(p, "disclosure", _scope()), "pem"
    ),
    "HS256 keyed with public key DER": lambda p: tokens.hs256_with_public_key(
        p, tokens.claims_for(p, "disclosure", _scope()), "der"
    ),
    "tampered payload": lambda p: tokens.tampered(
        tokens.signed(p, tokens.claims_for(p, "disclosure", "registry:read")), scope=_scope()
    ),
    "unknown kid": lambda p: tokens.signed(p, tokens.claims_for(p, "disclosure", _scope()), kid="no-such-key"),
    "id token (typ JWT)": lambda p: tokens.signed(p, tokens.claims_for(p, "disclosure", _scope()), typ="JWT"),
    "crit header": lambda p: tokens.signed(p, tokens.claims_for(p, "disclosure", _scope()), crit=["exp"]),
    "no owner": lambda p: tokens.signed(p, tokens.claims_for(p, "disclosure", _scope(), owner=None)),
    "no client_id (RFC 9068 2.2)": lambda p: tokens.signed(
        p, tokens.claims_for(p, "disclosure", _scope(), client_id=None)
    ),
    "client_id not a string": lambda p: tokens.signed(p, tokens.claims_for(p, "disclosure", _scope(), client_id=7)),
    "platform owner in an issuer's namespace": lambda p: tokens.signed(
        p, tokens.claims_for(p, "disclosure", _scope(), owner="province/person:li")
    ),
    "garbage": lambda p: "not.a.jwt",
}


@pytest.mark.parametrize("where", ["gateway", "service"])
@pytest.mark.parametrize("case", sorted(BAD_TOKENS))
def test_bad_token_is_refused_with_401(platform, where, case):
    token = BAD_TOKENS[case](platform)
    _assert_refused(_call(_targets(platform)[where], token), 401)


@pytest.mark.parametrize("where", ["gateway", "service"])
def test_missing_token_is_refused_by_the_service(platform, where):
    _assert_refused(_call(_targets(platform)[where], None), 401)


@pytest.mark.parametrize("where", ["gateway", "service"])
def test_token_without_the_needed_scope_gets_403(platform, where):
    token = tokens.signed(platform, tokens.claims_for(platform, "disclosure", "registry:read"))
    response = _call(_targets(platform)[where], token)
    _assert_refused(response, 403)
    assert "notifications:deliver" in response.json()["detail"]


def test_a_forged_valid_token_is_accepted_so_the_refusals_above_mean_something(platform):
    # The forging helper signs with the real key: only the alterations make the cases fail.
    claims = tokens.claims_for(platform, "disclosure", _scope(), sub="service-registry", client_id="service-registry")
    token = tokens.signed(platform, claims)
    for url in _targets(platform).values():
        assert _call(url, token).status_code == 200


@pytest.mark.parametrize("header", ["jku", "jwk", "x5u"])
def test_key_location_headers_are_never_followed(platform, header):
    attacker = jws.generate_key()
    attacker_jwk = jws.public_jwk(attacker)
    pointer = attacker_jwk if header == "jwk" else "http://127.0.0.1:9/attacker-keys"
    claims = tokens.claims_for(platform, "disclosure", _scope())
    forged = jws.sign_compact(
        {"alg": "ES256", "typ": "at+jwt", "kid": attacker_jwk["kid"], header: pointer},
        json.dumps(claims).encode(),
        attacker,
    )
    _assert_refused(_call(_targets(platform)["service"], forged), 401)
    # The same header on a token our key signed changes nothing either way: only our JWKS decides.
    genuine = tokens.signed(
        platform, {**claims, "sub": "service-registry", "client_id": "service-registry"}, **{header: pointer}
    )
    assert _call(_targets(platform)["service"], genuine).status_code == 200


def test_unknown_kid_burst_fetches_the_jwks_at_most_once(platform):
    verifier = platform.built["disclosure"].app.state.verifier
    before = verifier.platform_keys().fetch_count
    token = tokens.signed(platform, tokens.claims_for(platform, "disclosure", _scope()), kid="burst-kid")
    with httpx.Client() as client:
        for _ in range(50):
            r = client.post(_targets(platform)["service"], json=BODY, headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 401
    assert verifier.platform_keys().fetch_count - before <= 1
