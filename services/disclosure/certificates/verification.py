"""Verifying a certificate as a QR code's reader would: its ES256 signature against the keys the
certification service publishes, then its live status."""

from __future__ import annotations

import json
import logging

import httpx

from services.disclosure.certificates.schemas import CertificateOut, Verification
from shared.auth.jwks import JwksCache, JwksFetcher, http_jwks_fetcher
from shared.jws import b64url_decode, public_key_from_jwk, verify_compact_es256

log = logging.getLogger("lingtan.disclosure.verification")
JWKS_PATH = "/.well-known/jwks.json"


def issuer_keys(certification_url: str, fetch: JwksFetcher | None = None) -> JwksCache:
    """The certificate issuer's key set, fetched over REST and cached (refetched for a new kid)."""
    return JwksCache(fetch or http_jwks_fetcher(certification_url.rstrip("/") + JWKS_PATH), min_refresh=30.0)


def _key_id(token: str) -> str | None:
    try:
        header = json.loads(b64url_decode(token.split(".")[0]))
    except (ValueError, IndexError):
        return None
    kid = header.get("kid") if isinstance(header, dict) else None
    return kid if isinstance(kid, str) and kid else None


def _outcome(
    certificate_id: str, certificate: CertificateOut | None, signature: str, key_id: str | None, detail: str
) -> Verification:
    if certificate is None:
        state = "not_found"
    elif signature == "invalid":
        state = "signature_invalid"
    elif certificate.status == "revoked":
        state = "revoked"
    elif signature == "valid":
        state = "valid"
    else:
        state = "unverifiable"
    return Verification.model_validate(
        {
            "certificate_id": certificate_id,
            "state": state,
            "signature": signature,
            "key_id": key_id,
            "detail": detail,
            "certificate": certificate,
        }
    )


async def verify_certificate(
    certificate_id: str, certificate: CertificateOut | None, keys: JwksCache
) -> Verification:
    """Check a disclosed certificate's signature and status; never raises for a bad certificate."""
    if certificate is None:
        return _outcome(certificate_id, None, "unchecked", None, "No certificate with this id is disclosed.")
    kid = _key_id(certificate.jws)
    if kid is None:
        return _outcome(certificate_id, certificate, "invalid", None, "The signed certificate names no key.")
    try:
        jwk = await keys.get(kid)
    except (httpx.HTTPError, ValueError) as exc:
        log.warning("issuer keys unavailable", extra={"error": str(exc)[:200]})
        return _outcome(certificate_id, certificate, "unchecked", kid, "The issuer's keys could not be fetched.")
    if jwk is None:
        return _outcome(certificate_id, certificate, "invalid", kid, "The issuer publishes no key with this id.")
    try:
        _header, payload = verify_compact_es256(certificate.jws, public_key_from_jwk(jwk))
        credential = json.loads(payload)
    except (ValueError, KeyError) as exc:
        return _outcome(certificate_id, certificate, "invalid", kid, f"The signature does not verify ({exc}).")
    subject = credential.get("credentialSubject") if isinstance(credential, dict) else None
    signed_event = subject.get("eventId") if isinstance(subject, dict) else None
    if signed_event is not None and signed_event != certificate.event_id:
        return _outcome(certificate_id, certificate, "invalid", kid, "The signed certificate is for another event.")
    return _outcome(certificate_id, certificate, "valid", kid, "The signature verifies with the issuer's key.")
