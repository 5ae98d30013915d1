"""Status lists over HTTP: the signed list by default, its credential JSON on request, the issuer's keys."""

from __future__ import annotations

import json

from services.certification.certificates.credential import verify
from services.certification.status.bitstring import MIN_BITS, decode
from shared.jws import b64url_decode
from tests.certification.certification_local import PUBLIC_URL, LocalCertification, certified


def list_path(certificate: dict[str, object]) -> str:
    return str(certificate["status_list_url"]).removeprefix(f"{PUBLIC_URL}/certification")


def test_the_list_is_served_signed_unless_json_is_asked_for(service: LocalCertification) -> None:
    certificate = certified(service)

    signed = service.get(list_path(certificate))
    plain = service.get(list_path(certificate), headers={"Accept": "application/json"})

    assert signed.headers["content-type"].startswith("application/vc+jwt")
    assert plain.headers["content-type"].startswith("application/vc")
    assert verify(signed.text, service.get("/.well-known/jwks.json").json()) == json.loads(plain.text)
    assert len(decode(json.loads(plain.text)["credentialSubject"]["encodedList"])) * 8 == MIN_BITS


def test_certificates_get_different_indices_in_the_same_list(service: LocalCertification) -> None:
    first, second = certified(service), certified(service)

    assert first["status_list_url"] == second["status_list_url"]
    assert first["status_list_index"] != second["status_list_index"]


def test_an_unknown_list_is_404(service: LocalCertification) -> None:
    assert service.get("/v1/status-lists/999").status_code == 404


def test_the_key_set_publishes_public_keys_only(service: LocalCertification) -> None:
    certificate = certified(service)

    jwks = service.get("/.well-known/jwks.json").json()

    assert all("d" not in key for key in jwks["keys"])
    header = json.loads(b64url_decode(str(certificate["jws"]).split(".")[0]))
    assert header["kid"] in {key["kid"] for key in jwks["keys"]}
