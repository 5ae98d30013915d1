"""The carbon-neutrality certificate as a W3C Verifiable Credential 2.0 secured as a JWT (VC-JOSE-COSE).

The secured form is a compact JWS with media type ``application/vc+jwt``:

- protected header ``{"alg": "ES256", "kid": <RFC 7638 thumbprint>, "typ": "vc+jwt", "cty": "vc"}``;
- payload: the credential JSON itself (no ``vc``/``vp`` wrapper claims), serialized as RFC 8785
  canonical JSON, so the signed bytes are reproducible from the credential;
- signature: ECDSA P-256 over SHA-256, as the 64-byte ``r || s`` form of RFC 7518 section 3.4.

Header and payload are base64url without padding. Issuer keys are P-256 private keys kept as PEM and
published as a JWK Set whose kids are RFC 7638 thumbprints.
"""

from __future__ import annotations

import base64
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from shared import jws
from shared.canonical import canonical_bytes

VC_CONTEXT_V2 = "https://www.w3.org/ns/credentials/v2"
LINGTAN_CONTEXT_V1 = "https://lingtan.org/ns/credentials/v1"
CREDENTIAL_TYPE = "CarbonNeutralityCertificate"
ALGORITHM = "ES256"
MEDIA_TYPE = "application/vc+jwt"
TYP_HEADER = "vc+jwt"
CTY_HEADER = "vc"

ConfirmationMethod = Literal["self_commitment", "third_party"]


class CredentialError(Exception):
    """A certificate token or credential that cannot be accepted."""


class IssuerKeyError(ValueError):
    """A key that cannot serve as a certificate issuer key."""


class MalformedToken(CredentialError):
    """Not a compact JWS with JSON header and payload."""


class UnsupportedAlgorithm(CredentialError):
    """The header names an algorithm other than ES256 (including "none" and HMAC)."""


class WrongTokenType(CredentialError):
    """The header's typ/cty do not say this is a JOSE-secured verifiable credential, or crit is set."""


class UnknownKey(CredentialError):
    """The header's kid is not among the published issuer keys."""


class BadSignature(CredentialError):
    """The signature does not verify with the key the header names."""


class MalformedCredential(CredentialError):
    """The payload is not a VC 2.0 credential."""


@dataclass(frozen=True)
class Issuer:
    """The certificate issuer as the credential names it."""

    id: str
    name: str


@dataclass(frozen=True)
class CertifiedEvent:
    """The event a certificate is about, with its accounted emissions."""

    event_id: str
    name: str
    organizers: tuple[str, ...]
    starts_on: date
    ends_on: date
    jurisdiction: str
    accounted_emissions_kg: Decimal


@dataclass(frozen=True)
class RegistryRetirement:
    """A retirement on the Lingtan registry: one serial range and the log index that records it."""

    retirement_id: str
    unit_type: str
    serial_from: str
    serial_to: str
    quantity_g: int
    log_index: int


@dataclass(frozen=True)
class ExternalCancellation:
    """A cancellation made in another registry (CCER, CEA, CER, VCU) and recorded on Lingtan."""

    registry: str
    serial_from: str
    serial_to: str
    quantity_g: int
    cancellation_ref: str
    # The registry log entry that records the cancellation on Lingtan, when it is known.
    log_index: int | None = None


@dataclass(frozen=True)
class StatusEntry:
    """Where the certificate's revocation bit lives: a status list credential URL and a bit index."""

    list_url: str
    index: int


def generate_issuer_key() -> ec.EllipticCurvePrivateKey:
    """A fresh P-256 issuer key."""
    return jws.generate_key()


def load_issuer_key(pem: bytes, password: bytes | None = None) -> ec.EllipticCurvePrivateKey:
    """Load an issuer key from a PEM private key (PKCS#8 or SEC1); it must be ECDSA P-256."""
    try:
        key = serialization.load_pem_private_key(pem, password=password)
    except (ValueError, TypeError) as exc:
        raise IssuerKeyError("not a readable PEM private key") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise IssuerKeyError("the issuer key must be an ECDSA P-256 private key")
    return key


def issuer_key_pem(key: ec.EllipticCurvePrivateKey, password: bytes | None = None) -> bytes:
    """The issuer key as PKCS#8 PEM, encrypted when a password is given."""
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    )
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def public_jwks(keys: Iterable[ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey]) -> dict[str, Any]:
    """The JWK Set to publish at /.well-known/jwks.json: public halves only, kid = RFC 7638 thumbprint."""
    return {"keys": [jws.public_jwk(key) for key in keys]}


def b64url_decode_strict(text: str) -> bytes:
    """Base64url without padding, refusing padding, stray characters and non-canonical trailing bits."""
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise ValueError("not base64url") from exc
    # The decoder skips characters outside the alphabet and ignores spare bits; re-encoding catches both.
    if jws.b64url(data) != text:
        raise ValueError("not canonical base64url")
    return data


def _kg(grams: int) -> str:
    # Grams to kilograms by moving the decimal point: exact, always three decimals.
    return format(Decimal(grams).scaleb(-3), "f")


def vc_timestamp(moment: datetime) -> str:
    """A VC 2.0 dateTimeStamp in UTC, to the second (e.g. 2024-05-01T08:00:00Z)."""
    if moment.tzinfo is None:
        raise ValueError("validFrom needs a timezone")
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cancellation(cancellation: ExternalCancellation) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "registry": cancellation.registry,
        "serialFrom": cancellation.serial_from,
        "serialTo": cancellation.serial_to,
        "quantityKgCO2e": _kg(cancellation.quantity_g),
        "cancellationRef": cancellation.cancellation_ref,
    }
    if cancellation.log_index is not None:
        entry["logIndex"] = cancellation.log_index
    return entry


def _offsets(
    retirements: Iterable[RegistryRetirement], cancellations: Iterable[ExternalCancellation]
) -> tuple[list[dict[str, Any]], int]:
    by_type: dict[str, tuple[list[RegistryRetirement], list[ExternalCancellation]]] = defaultdict(lambda: ([], []))
    for retirement in retirements:
        by_type[retirement.unit_type][0].append(retirement)
    for cancellation in cancellations:
        by_type[cancellation.registry][1].append(cancellation)
    groups: list[dict[str, Any]] = []
    total_g = 0
    for unit_type in sorted(by_type):
        retired, cancelled = by_type[unit_type]
        group_g = sum(r.quantity_g for r in retired) + sum(c.quantity_g for c in cancelled)
        total_g += group_g
        groups.append(
            {
                "unitType": unit_type,
                "quantityKgCO2e": _kg(group_g),
                "registryRetirements": [
                    {
                        "retirementId": r.retirement_id,
                        "serialFrom": r.serial_from,
                        "serialTo": r.serial_to,
                        "quantityKgCO2e": _kg(r.quantity_g),
                        "logIndex": r.log_index,
                    }
                    for r in sorted(retired, key=lambda r: r.log_index)
                ],
                "externalCancellations": [
                    _cancellation(c) for c in sorted(cancelled, key=lambda c: (c.serial_from, c.cancellation_ref))
                ],
            }
        )
    return groups, total_g


def build_credential(
    *,
    certificate_id: str,
    issuer: Issuer,
    valid_from: datetime,
    event: CertifiedEvent,
    retirements: Sequence[RegistryRetirement],
    cancellations: Sequence[ExternalCancellation],
    confirmation_method: ConfirmationMethod,
    profile_id: str,
    status: StatusEntry,
) -> dict[str, Any]:
    """The unsigned certificate credential (VC 2.0 JSON) for an event."""
    if not certificate_id.startswith(("urn:uuid:", "https://")):
        raise ValueError("the certificate id must be a urn:uuid: or https:// URL")
    emissions = event.accounted_emissions_kg
    if not emissions.is_finite() or emissions < 0:
        raise ValueError("accounted emissions are a finite, non-negative number of kilograms")
    quantities = [r.quantity_g for r in retirements] + [c.quantity_g for c in cancellations]
    if any(quantity <= 0 for quantity in quantities):
        raise ValueError("every retirement and cancellation moves a positive number of grams")
    offsets, offset_total_g = _offsets(retirements, cancellations)
    return {
        "@context": [VC_CONTEXT_V2, LINGTAN_CONTEXT_V1],
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "id": certificate_id,
        "issuer": {"id": issuer.id, "name": issuer.name},
        "validFrom": vc_timestamp(valid_from),
        "credentialSubject": {
            "type": "CarbonNeutralEvent",
            "eventId": event.event_id,
            "name": event.name,
            "organizers": list(event.organizers),
            "startDate": event.starts_on.isoformat(),
            "endDate": event.ends_on.isoformat(),
            "jurisdiction": event.jurisdiction,
            "accountedEmissionsKgCO2e": format(event.accounted_emissions_kg, "f"),
            "offsetTotalKgCO2e": _kg(offset_total_g),
            "offsets": offsets,
            "confirmationMethod": confirmation_method,
            "policyProfile": profile_id,
        },
        "credentialStatus": {
            "id": f"{status.list_url}#{status.index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status.index),
            "statusListCredential": status.list_url,
        },
    }


def _check_credential(credential: Mapping[str, Any]) -> None:
    context = credential.get("@context")
    if not isinstance(context, list) or not context or context[0] != VC_CONTEXT_V2:
        raise MalformedCredential(f"@context must be a list that starts with {VC_CONTEXT_V2}")
    types = credential.get("type")
    if not isinstance(types, list) or "VerifiableCredential" not in types:
        raise MalformedCredential("type must be a list that includes VerifiableCredential")
    if "issuer" not in credential or "credentialSubject" not in credential:
        raise MalformedCredential("a credential needs issuer and credentialSubject")
    # VC-JOSE-COSE: the credential is the claims set itself; the JWT-VC 1.1 wrappers must not appear.
    if "vc" in credential or "vp" in credential:
        raise MalformedCredential("the vc and vp claims must not be present")


def issue(credential: Mapping[str, Any], key: ec.EllipticCurvePrivateKey) -> str:
    """Sign a credential as a compact JWS (application/vc+jwt) with the issuer key."""
    _check_credential(credential)
    header = {"alg": ALGORITHM, "kid": jws.public_jwk(key)["kid"], "typ": TYP_HEADER, "cty": CTY_HEADER}
    return jws.sign_compact(header, canonical_bytes(credential), key)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate member name")
    return result


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json_object(segment: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(
            b64url_decode_strict(segment).decode("utf-8"),
            object_pairs_hook=_no_duplicate_keys,
            parse_float=Decimal,
            parse_constant=_refuse_constant,
        )
    except ValueError as exc:
        raise MalformedToken(f"the {what} is not base64url JSON") from exc
    if not isinstance(value, dict):
        raise MalformedToken(f"the {what} is not a JSON object")
    return value


def _media_type(value: object) -> str | None:
    # RFC 7515 section 4.1.9: a typ/cty without "/" means "application/" + value; media types ignore case.
    if not isinstance(value, str):
        return None
    value = value.lower()
    return value if "/" in value else f"application/{value}"


def _public_key(jwk: Mapping[str, Any]) -> ec.EllipticCurvePublicKey:
    if jwk.get("alg", ALGORITHM) != ALGORITHM or jwk.get("use", "sig") != "sig" or "d" in jwk:
        raise IssuerKeyError("the JWK is not a public ES256 signing key")
    for coordinate in ("x", "y"):
        value = jwk.get(coordinate)
        try:
            size = len(b64url_decode_strict(value)) if isinstance(value, str) else 0
        except ValueError:
            size = 0
        if size != 32:
            raise IssuerKeyError(f"the JWK {coordinate} is not 32 bytes of base64url")
    try:
        # Also refuses a point that is not on P-256.
        return jws.public_key_from_jwk(dict(jwk))
    except ValueError as exc:
        raise IssuerKeyError(str(exc)) from exc


def _find_key(jwks: Mapping[str, Any], kid: object) -> ec.EllipticCurvePublicKey:
    if not isinstance(kid, str):
        raise UnknownKey("the header has no kid")
    keys = jwks.get("keys")
    if not isinstance(keys, list):
        raise UnknownKey("the key set has no keys")
    for jwk in keys:
        if isinstance(jwk, Mapping) and jwk.get("kid") == kid:
            try:
                return _public_key(jwk)
            except IssuerKeyError as exc:
                raise UnknownKey(f"key {kid} is not a usable ES256 key: {exc}") from exc
    raise UnknownKey(f"no published key has kid {kid}")


def verify(token: str, jwks: Mapping[str, Any]) -> dict[str, Any]:
    """Verify a certificate token against the issuer's JWK Set and return the credential it carries."""
    parts = token.split(".")
    if len(parts) != 3:
        raise MalformedToken("a compact JWS has exactly three parts")
    header = _json_object(parts[0], "header")
    if header.get("alg") != ALGORITHM:
        raise UnsupportedAlgorithm(f"only {ALGORITHM} is accepted, not {header.get('alg')!r}")
    if _media_type(header.get("typ")) != MEDIA_TYPE:
        raise WrongTokenType(f"typ must be {TYP_HEADER}")
    if "cty" in header and _media_type(header["cty"]) != f"application/{CTY_HEADER}":
        raise WrongTokenType(f"cty must be {CTY_HEADER}")
    if "crit" in header:
        raise WrongTokenType("no critical header extensions are understood")
    public_key = _find_key(jwks, header.get("kid"))
    try:
        b64url_decode_strict(parts[2])
        jws.verify_compact_es256(token, public_key)
    except ValueError as exc:
        raise BadSignature("the signature does not verify") from exc
    credential = _json_object(parts[1], "payload")
    _check_credential(credential)
    return credential
