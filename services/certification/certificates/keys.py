"""The issuer's signing key and the JWK Set that publishes every key ever used.

Production configures the key (LINGTAN_CERTIFICATION_ISSUER_KEY, PEM) and it is never stored; only
its public JWK is recorded, so that certificates it signed keep verifying after the key is changed.
Development and test generate a key on first use and keep it in the table ``issuer_keys`` as PKCS#8
PEM encrypted with LINGTAN_SECRET_KEY. When two processes start at once, each may insert a key; all
of them then sign with the oldest generated key, and every inserted key is published.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from services.certification.certificates import repository
from services.certification.certificates.credential import (
    IssuerKeyError,
    generate_issuer_key,
    issuer_key_pem,
    load_issuer_key,
)
from services.certification.certificates.models import IssuerKey
from services.certification.identifiers import utc_now
from services.certification.settings import CertificationSettings
from shared import jws


@dataclass(frozen=True)
class IssuerKeys:
    """The key that signs now and the JWK Set of every key ever used."""

    signing: ec.EllipticCurvePrivateKey
    jwks: dict[str, Any]

    @property
    def kid(self) -> str:
        """The signing key's kid (its RFC 7638 thumbprint)."""
        return jws.public_jwk(self.signing)["kid"]


def published_jwks(session: Session) -> dict[str, Any]:
    """The JWK Set of every issuer key any process of the service has recorded."""
    return {"keys": [dict(row.public_jwk) for row in repository.issuer_keys(session)]}


def _record(session: Session, key: ec.EllipticCurvePrivateKey, origin: str, private_pem: str | None) -> None:
    jwk = jws.public_jwk(key)
    if repository.issuer_key(session, jwk["kid"]) is None:
        repository.add_issuer_key(
            session,
            IssuerKey(kid=jwk["kid"], public_jwk=jwk, private_pem=private_pem, origin=origin, created_at=utc_now()),
        )


def _generated(session: Session, password: bytes) -> ec.EllipticCurvePrivateKey | None:
    for row in repository.issuer_keys(session):
        if row.origin == "generated" and row.private_pem is not None:
            try:
                return load_issuer_key(row.private_pem.encode(), password)
            except IssuerKeyError as exc:
                raise IssuerKeyError("the stored issuer key does not open with LINGTAN_SECRET_KEY") from exc
    return None


def load_issuer_keys(settings: CertificationSettings, sessions: sessionmaker[Session]) -> IssuerKeys:
    """The configured key, else the stored development key (created on first use); and the JWK Set."""
    password = settings.secret_key.encode()
    for _ in range(3):
        try:
            with sessions() as session, session.begin():
                if settings.certification_issuer_key is not None:
                    signing = load_issuer_key(settings.certification_issuer_key.encode())
                    _record(session, signing, "configured", None)
                else:
                    found = _generated(session, password)
                    if found is None:
                        fresh = generate_issuer_key()
                        _record(session, fresh, "generated", issuer_key_pem(fresh, password).decode())
                        found = _generated(session, password)
                    assert found is not None
                    signing = found
                published = published_jwks(session)
            return IssuerKeys(signing=signing, jwks=published)
        except IntegrityError:
            # Another process recorded the same key first; read again.
            continue
    raise IssuerKeyError("the issuer key could not be recorded")
