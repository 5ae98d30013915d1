"""The certificate as a VC-JOSE-COSE credential: what an integrator or an auditor's tool would check."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc import jws as joserfc_jws
from joserfc.jwk import ECKey

from services.certification.certificates.credential import (
    BadSignature,
    CertifiedEvent,
    Issuer,
    IssuerKeyError,
    MalformedCredential,
    MalformedToken,
    StatusEntry,
    UnknownKey,
    UnsupportedAlgorithm,
    WrongTokenType,
    build_credential,
    generate_issuer_key,
    issue,
    issuer_key_pem,
    load_issuer_key,
    public_jwks,
    verify,
)
from shared import jws


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def segments(token: str) -> tuple[dict[str, Any], bytes, bytes]:
    header, payload, signature = token.split(".")
    return json.loads(unb64(header)), unb64(payload), unb64(signature)


@pytest.fixture(scope="module")
def key() -> ec.EllipticCurvePrivateKey:
    return generate_issuer_key()


@pytest.fixture(scope="module")
def jwks(key: ec.EllipticCurvePrivateKey) -> dict[str, Any]:
    return public_jwks([key])


def test_a_signed_certificate_verifies_and_returns_the_same_credential(
    credential: dict[str, Any], key: ec.EllipticCurvePrivateKey, jwks: dict[str, Any]
) -> None:
    assert verify(issue(credential, key), jwks) == credential


def test_the_header_is_es256_vc_jwt_with_the_rfc7638_thumbprint_as_kid(
    credential: dict[str, Any], key: ec.EllipticCurvePrivateKey, jwks: dict[str, Any]
) -> None:
    header, _, signature = segments(issue(credential, key))
    thumbprint = ECKey.import_key(jwks["keys"][0]).thumbprint()
    assert header == {"alg": "ES256", "kid": thumbprint, "typ": "vc+jwt", "cty": "vc"}
    assert len(signature) == 64


def test_the_payload_is_the_credential_itself_in_canonical_json(
    credential: dict[str, Any], key: ec.EllipticCurvePrivateKey
) -> None:
    _, payload, _ = segments(issue(credential, key))
    # For these values (ASCII keys, strings and integers only) RFC 8785 is sorted keys, no whitespace, UTF-8.
    expected = json.dumps(credential, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert payload == expected
    assert "vc" not in json.loads(payload)


def test_an_independent_library_verifies_our_token_with_the_published_jwk(
    credential: dict[str, Any], key: ec.EllipticCurvePrivateKey, jwks: dict[str, Any]
) -> None:
    token = issue(credential, key)
    published = json.loads(json.dumps(jwks))
    result = joserfc_jws.deserialize_compact(token, ECKey.import_key(published["keys"][0]), algorithms=["ES256"])
    assert json.loads(result.payload) == credential
    assert result.headers()["typ"] == "vc+jwt"


def test_a_token_signed_by_an_independent_library_verifies_with_ours(
    credential: dict[str, Any], key: ec.EllipticCurvePrivateKey, jwks: dict[str, Any]
) -> None:
    their_key = ECKey.import_key(issuer_key_pem(key))
    header = {"alg": "ES256", "kid": jwks["keys"][0]["kid"], "typ": "vc+jwt", "cty": "vc"}
    token = joserfc_jws.serialize_compact(header, json.dumps(credential).encode(), their_key, algorithms=["ES256"])
    assert verify(token, jwks) == credential


def test_a_changed_payload_fails(
    credential: dict[str, Any], key: ec.EllipticCurvePrivateKey, jwks: dict[str, Any]
) -> None:
    header, _, signature = issue(credential, key).split(".")
    forged = json.loads(json.dumps(credential))
    forged["credentialSubject"]["accountedEmissionsKgCO2e"] = "1.0"
    with pytest.raises(BadSignature):
        verify(f"{header}.{b64(json.dumps(forged).encode())}.{signature}", jwks)


def test_a_signature_from_another_key_fails(credential: dict[str, Any], key: ec.EllipticCurvePrivateKey) -> None:
    impostor = generate_issuer_key()
    token = issue(credential, impostor)
    with pytest.raises(UnknownKey):
        verify(token, public_jwks([key]))
    # The impostor's token presented under the real key's kid.
    substituted = {"keys": [{**public_jwks([key])["keys"][0], "kid": segments(token)[0]["kid"]}]}
    with pytest.raises(BadSignature):
        verify(token, substituted)


def test_a_rotated_key_set_still_verifies_older_certificates(credential: dict[str, Any]) -> None:
    old, new = generate_issuer_key(), generate_issuer_key()
    assert verify(issue(credential, old), public_jwks([new, old])) == credential


def _unsigned(header: dict[str, Any], credential: dict[str, Any]) -> str:
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(credential).encode())}"


def test_alg_none_is_refused(credential: dict[str, Any], jwks: dict[str, Any]) -> None:
    header = {"alg": "none", "kid": jwks["keys"][0]["kid"], "typ": "vc+jwt"}
    with pytest.raises(UnsupportedAlgorithm):
        verify(_unsigned(header, credential) + ".", jwks)


def test_hs256_keyed_with_the_public_key_is_refused(credential: dict[str, Any], jwks: dict[str, Any]) -> None:
    # The classic confusion attack: an HMAC whose secret is the issuer's public key material.
    signing_input = _unsigned({"alg": "HS256", "kid": jwks["keys"][0]["kid"], "typ": "vc+jwt"}, credential)
    secret = json.dumps(jwks["keys"][0]).encode()
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    with pytest.raises(UnsupportedAlgorithm):
        verify(f"{signing_input}.{b64(mac)}", jwks)


@pytest.mark.parametrize("alg", ["es256", "ES384", "ES256K", None])
def test_only_exactly_es256_is_accepted(
    credential: dict[str, Any], key: ec.EllipticCurvePrivateKey, jwks: dict[str, Any], alg: str | None
) -> None:
    header = {"kid": jwks["keys"][0]["kid"], "typ": "vc+jwt"} | ({"alg": alg} if alg else {})
    token = f"{_unsigned(header, credential)}.{b64(bytes(64))}"
    with pytest.raises(UnsupportedAlgorithm):
        verify(token, jwks)


@pytest.mark.parametrize(
    ("extra", "accepted"),
    [
        ({"typ": "JWT"}, False),
        ({"typ": "vc+sd-jwt"}, False),
        ({"typ": "vc+jwt", "cty": "application/json"}, False),
        ({"typ": "vc+jwt", "crit": ["b64"], "b64": True}, False),
        ({"typ": "application/vc+jwt"}, True),
        ({"typ": "VC+JWT", "cty": "application/vc"}, True),
    ],
)
def test_the_token_type_must_say_vc_jwt(
    credential: dict[str, Any],
    key: ec.EllipticCurvePrivateKey,
    jwks: dict[str, Any],
    extra: dict[str, Any],
    accepted: bool,
) -> None:
    header = {"alg": "ES256", "kid": jwks["keys"][0]["kid"]} | extra
    token = jws.sign_compact(header, json.dumps(credential).encode(), key)
    if accepted:
        assert verify(token, jwks) == credential
    else:
        with pytest.raises(WrongTokenType):
            verify(token, jwks)


@pytest.mark.parametrize(
    "token",
    [
        "onlyone",
        "two.parts",
        "a.b.c.d",
        "!!!.e30.AAAA",
        f"{b64(b'[1]')}.e30.AAAA",
        b64(b'{"alg":"ES256","alg":"none"}') + ".e30.AAAA",
        b64(b'{"alg":"ES256"}') + "=.e30.AAAA",
    ],
)
def test_malformed_tokens_are_refused(token: str, jwks: dict[str, Any]) -> None:
    with pytest.raises(MalformedToken):
        verify(token, jwks)


def test_a_signature_that_is_not_64_bytes_is_refused(
    credential: dict[str, Any], key: ec.EllipticCurvePrivateKey, jwks: dict[str, Any]
) -> None:
    header, payload, signature = issue(credential, key).split(".")
    for bad in (b64(unb64(signature) + b"\0"), b64(unb64(signature)[:63]), signature + "="):
        with pytest.raises(BadSignature):
            verify(f"{header}.{payload}.{bad}", jwks)


def test_a_signed_payload_that_is_not_a_credential_is_refused(
    key: ec.EllipticCurvePrivateKey, jwks: dict[str, Any]
) -> None:
    header = {"alg": "ES256", "kid": jwks["keys"][0]["kid"], "typ": "vc+jwt"}
    for payload in ({"sub": "x"}, {"@context": ["https://www.w3.org/2018/credentials/v1"], "type": ["X"]}):
        with pytest.raises(MalformedCredential):
            verify(jws.sign_compact(header, json.dumps(payload).encode(), key), jwks)


def test_issue_refuses_a_jwt_vc_1_1_wrapper(credential: dict[str, Any], key: ec.EllipticCurvePrivateKey) -> None:
    with pytest.raises(MalformedCredential):
        issue({**credential, "vc": {}}, key)


def test_a_key_set_entry_that_is_not_a_p256_signing_key_is_refused(
    credential: dict[str, Any], key: ec.EllipticCurvePrivateKey, jwks: dict[str, Any]
) -> None:
    token = issue(credential, key)
    published = jwks["keys"][0]
    for broken in (
        {**published, "crv": "P-384"},
        {**published, "alg": "RS256"},
        {**published, "x": published["x"][:-2]},
        {**published, "y": published["x"]},
    ):
        with pytest.raises(UnknownKey):
            verify(token, {"keys": [broken]})


def test_the_key_survives_pem_storage_with_and_without_a_password(key: ec.EllipticCurvePrivateKey) -> None:
    kid = public_jwks([key])["keys"][0]["kid"]
    assert public_jwks([load_issuer_key(issuer_key_pem(key))])["keys"][0]["kid"] == kid
    locked = issuer_key_pem(key, b"correct horse")
    assert b"ENCRYPTED" in locked
    assert public_jwks([load_issuer_key(locked, b"correct horse")])["keys"][0]["kid"] == kid
    with pytest.raises(IssuerKeyError):
        load_issuer_key(locked, b"wrong")


def test_only_p256_keys_can_issue() -> None:
    for other in (ec.generate_private_key(ec.SECP384R1()), rsa.generate_private_key(65537, 2048)):
        pem = other.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        with pytest.raises(IssuerKeyError):
            load_issuer_key(pem)


def test_the_published_key_set_holds_no_private_material(key: ec.EllipticCurvePrivateKey) -> None:
    (published,) = public_jwks([key])["keys"]
    assert set(published) == {"kty", "crv", "x", "y", "kid", "alg", "use"}


def test_the_credential_carries_what_the_certificate_states(credential: dict[str, Any]) -> None:
    assert credential["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert credential["type"] == ["VerifiableCredential", "CarbonNeutralityCertificate"]
    assert credential["validFrom"] == "2024-11-05T02:30:15Z"
    subject = credential["credentialSubject"]
    assert subject["accountedEmissionsKgCO2e"] == "1448500.5"
    assert subject["startDate"] == "2024-04-13"
    assert [offset["unitType"] for offset in subject["offsets"]] == ["CCER", "HI-CI"]
    ccer, hainan = subject["offsets"]
    assert ccer["externalCancellations"][0]["cancellationRef"] == "NCCR-2024-0031"
    assert ccer["quantityKgCO2e"] == "1228250.500"
    assert [r["logIndex"] for r in hainan["registryRetirements"]] == [17, 42]
    assert hainan["quantityKgCO2e"] == "220250.000"
    parts = [Decimal(offset["quantityKgCO2e"]) for offset in subject["offsets"]]
    assert sum(parts) == Decimal(subject["offsetTotalKgCO2e"]) == Decimal(subject["accountedEmissionsKgCO2e"])
    assert credential["credentialStatus"] == {
        "id": "https://lingtan.example.cn/certification/v1/status-lists/3#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": "https://lingtan.example.cn/certification/v1/status-lists/3",
    }


def test_a_credential_needs_a_urn_uuid_or_https_id_and_a_timezone(hainan_expo: CertifiedEvent) -> None:
    common: dict[str, Any] = {
        "issuer": Issuer("https://lingtan.example.cn/certification", "Issuer"),
        "event": hainan_expo,
        "retirements": [],
        "cancellations": [],
        "confirmation_method": "third_party",
        "profile_id": "shandong-2022.1",
        "status": StatusEntry("https://lingtan.example.cn/s/1", 0),
    }
    with pytest.raises(ValueError, match="urn:uuid"):
        build_credential(certificate_id="cert-1", valid_from=datetime.now().astimezone(), **common)
    with pytest.raises(ValueError, match="timezone"):
        build_credential(certificate_id="urn:uuid:1", valid_from=datetime(2024, 1, 1), **common)


@pytest.mark.parametrize("emissions", [Decimal("-1"), Decimal("NaN"), Decimal("Infinity")])
def test_accounted_emissions_must_be_a_real_non_negative_amount(
    hainan_expo: CertifiedEvent, emissions: Decimal
) -> None:
    with pytest.raises(ValueError, match="accounted emissions"):
        build_credential(
            certificate_id="urn:uuid:1",
            issuer=Issuer("https://lingtan.example.cn/certification", "Issuer"),
            valid_from=datetime.now().astimezone(),
            event=replace(hainan_expo, accounted_emissions_kg=emissions),
            retirements=[],
            cancellations=[],
            confirmation_method="self_commitment",
            profile_id="hainan-2023.1",
            status=StatusEntry("https://lingtan.example.cn/s/1", 0),
        )
