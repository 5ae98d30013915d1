"""The issuer key: configured in production, generated and kept encrypted in development, every key published."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from services.certification.certificates.credential import generate_issuer_key, issuer_key_pem, verify
from services.certification.certificates.models import IssuerKey
from shared import jws
from tests.certification.certification_local import LocalCertification, certified, settings


def test_production_refuses_to_start_without_an_issuer_key() -> None:
    with pytest.raises(ValidationError, match="LINGTAN_CERTIFICATION_ISSUER_KEY"):
        settings(env="production", secret_key="s" * 32, service_client_secret="t" * 32)


def test_an_issuer_key_that_is_not_p256_pem_is_refused() -> None:
    with pytest.raises(ValidationError, match="LINGTAN_CERTIFICATION_ISSUER_KEY"):
        settings(certification_issuer_key="-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")


def test_a_pinned_registry_key_must_be_a_verifier_key() -> None:
    with pytest.raises(ValidationError, match="LINGTAN_CERTIFICATION_REGISTRY_VKEY"):
        settings(certification_registry_vkey="registry+00000000+AAAA")


def test_the_development_key_is_stored_encrypted_and_survives_a_restart(
    cert_portal: Any, certification_database: Any, upstream: Any
) -> None:
    first = LocalCertification.start(cert_portal, certification_database, upstream)
    certificate = certified(first)
    first.close()
    again = LocalCertification.start(cert_portal, certification_database, upstream)
    try:
        assert verify(certificate["jws"], again.get("/.well-known/jwks.json").json())["id"]
    finally:
        again.close()
    with certification_database.reads() as session:
        [row] = session.execute(select(IssuerKey)).scalars().all()
    assert row.origin == "generated"
    assert row.private_pem is not None and "ENCRYPTED PRIVATE KEY" in row.private_pem


def test_a_configured_key_signs_and_keys_used_before_stay_published(
    cert_portal: Any, certification_database: Any, upstream: Any
) -> None:
    generated = LocalCertification.start(cert_portal, certification_database, upstream)
    before = certified(generated)
    generated.close()
    configured_key = generate_issuer_key()
    configured = LocalCertification.start(
        cert_portal, certification_database, upstream, certification_issuer_key=issuer_key_pem(configured_key).decode()
    )
    try:
        after = certified(configured)
        jwks = configured.get("/.well-known/jwks.json").json()
    finally:
        configured.close()

    kid = jws.public_jwk(configured_key)["kid"]
    assert verify(before["jws"], jwks)["id"] == before["credential"]["id"]
    assert verify(after["jws"], {"keys": [k for k in jwks["keys"] if k["kid"] == kid]})["id"]
    with certification_database.reads() as session:
        stored = session.execute(select(IssuerKey).where(IssuerKey.kid == kid)).scalar_one()
    assert stored.origin == "configured"
    assert stored.private_pem is None
