"""Verifying certificates: a real ES256 signature checked against the issuer's published JWKS."""

from __future__ import annotations

import json

from shared import jws
from shared.canonical import canonical_bytes
from tests.disclosure.disclosure_samples import certificate, note, revoked, unique


def sign(key, event_id: str) -> str:
    """A certificate's signed form as certification issues it (VC 2.0 as a JWS)."""
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "CarbonNeutralityCertificate"],
        "issuer": {"id": "https://lingtan.example.cn/issuers/hainan", "name": "海南省领导小组办公室"},
        "credentialSubject": {"eventId": event_id, "accountedEmissionsKgCO2e": "1448500.500"},
    }
    header = {"alg": "ES256", "kid": jws.public_jwk(key)["kid"], "typ": "vc+jwt", "cty": "vc"}
    return jws.sign_compact(header, canonical_bytes(credential), key)


def issue(disclosure, key, *, status: str = "valid", token: str | None = None) -> str:
    event_id, cert_id = unique("evt"), unique("cert")
    record = certificate(cert_id, event_id, jws=token or sign(key, event_id))
    disclosure.deliver(note("certificate.updated", record, seq=1))
    if status == "revoked":
        disclosure.deliver(note("certificate.updated", revoked(record), seq=2))
    return cert_id


def verdict(disclosure, cert_id: str) -> dict:
    response = disclosure.get(f"/v1/certificates/{cert_id}/verification")
    assert response.status_code == 200
    return response.json()


def test_a_signed_certificate_that_stands_is_valid(disclosure):
    key = jws.generate_key()
    disclosure.jwks = {"keys": [jws.public_jwk(key)]}
    cert_id = issue(disclosure, key)
    outcome = verdict(disclosure, cert_id)
    assert (outcome["state"], outcome["signature"]) == ("valid", "valid")
    assert outcome["key_id"] == jws.public_jwk(key)["kid"]
    assert outcome["certificate"]["status"] == "valid"


def test_a_revoked_certificate_is_revoked_even_with_a_good_signature(disclosure):
    key = jws.generate_key()
    disclosure.jwks = {"keys": [jws.public_jwk(key)]}
    outcome = verdict(disclosure, issue(disclosure, key, status="revoked"))
    assert (outcome["state"], outcome["signature"]) == ("revoked", "valid")
    assert outcome["certificate"]["revocation_reason"] == "CCER cancellation already claimed elsewhere"


def test_an_altered_certificate_fails_its_signature(disclosure):
    key = jws.generate_key()
    disclosure.jwks = {"keys": [jws.public_jwk(key)]}
    header, payload, signature = sign(key, "evt_x").split(".")
    claims = json.loads(jws.b64url_decode(payload))
    claims["credentialSubject"]["accountedEmissionsKgCO2e"] = "1.000"
    altered = ".".join([header, jws.b64url(json.dumps(claims).encode()), signature])
    outcome = verdict(disclosure, issue(disclosure, key, token=altered))
    assert (outcome["state"], outcome["signature"]) == ("signature_invalid", "invalid")


def test_a_certificate_signed_by_a_key_the_issuer_does_not_publish_is_invalid(disclosure):
    published, forger = jws.generate_key(), jws.generate_key()
    disclosure.jwks = {"keys": [jws.public_jwk(published)]}
    outcome = verdict(disclosure, issue(disclosure, forger))
    assert outcome["state"] == "signature_invalid"


def test_a_forger_reusing_the_issuers_kid_is_caught_by_the_signature(disclosure):
    published, forger = jws.generate_key(), jws.generate_key()
    disclosure.jwks = {"keys": [jws.public_jwk(published)]}
    header = {"alg": "ES256", "kid": jws.public_jwk(published)["kid"], "typ": "vc+jwt"}
    event_id = unique("evt")
    forged = jws.sign_compact(header, canonical_bytes({"credentialSubject": {"eventId": event_id}}), forger)
    outcome = verdict(disclosure, issue(disclosure, forger, token=forged))
    assert (outcome["state"], outcome["signature"]) == ("signature_invalid", "invalid")


def test_a_signature_for_another_event_is_invalid_here(disclosure):
    key = jws.generate_key()
    disclosure.jwks = {"keys": [jws.public_jwk(key)]}
    outcome = verdict(disclosure, issue(disclosure, key, token=sign(key, "evt_someone_else")))
    assert outcome["state"] == "signature_invalid"


def test_an_unknown_certificate_is_not_found(disclosure):
    outcome = verdict(disclosure, "cert_nobody_issued")
    assert (outcome["state"], outcome["certificate"]) == ("not_found", None)


def test_when_the_issuers_keys_are_unreachable_nothing_is_claimed_valid(disclosure):
    key = jws.generate_key()
    disclosure.issuer_reachable = False
    assert verdict(disclosure, issue(disclosure, key))["state"] == "unverifiable"
    assert verdict(disclosure, issue(disclosure, key, status="revoked"))["state"] == "revoked"


def test_the_issuers_key_set_is_fetched_once_and_cached(disclosure):
    key = jws.generate_key()
    disclosure.jwks = {"keys": [jws.public_jwk(key)]}
    first, second = issue(disclosure, key), issue(disclosure, key)
    for cert_id in (first, second, first):
        assert verdict(disclosure, cert_id)["state"] == "valid"
    assert disclosure.jwks_fetches == 1


def test_the_certificate_api_shows_the_live_status(disclosure):
    event_id, cert_id = unique("evt"), unique("cert")
    record = certificate(cert_id, event_id)
    disclosure.deliver(note("certificate.updated", record, seq=1))
    before = disclosure.get(f"/v1/certificates/{cert_id}")
    assert before.json()["status"] == "valid"
    assert before.json()["offsets"] == [
        {"unit_type": "HNBLUE", "quantity_g": 220_000_000, "tonnes": "220.000000", "priority_tier": 1}
    ]
    disclosure.deliver(note("certificate.updated", revoked(record), seq=2))
    after = disclosure.get(f"/v1/certificates/{cert_id}", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert (after.json()["status"], after.json()["revoked_at"][:10]) == ("revoked", "2026-08-30")
    assert disclosure.get("/v1/certificates/cert_unknown").status_code == 404
