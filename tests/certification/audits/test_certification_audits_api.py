"""Audit rounds seeded from a signed registry checkpoint, redone by anyone; a failed finding revokes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.certification.audits.draw import METHOD, draw
from shared.transparency.checkpoint import parse_and_verify, verifier_key
from tests.certification.certification_local import AUDITOR, LocalCertification, certified

AUDIT = "audit:write"


def new_round(service: LocalCertification, rate: str = "1", jurisdiction: str = "CN-HI") -> Any:
    return service.post("/v1/audits/rounds", {"jurisdiction": jurisdiction, "sample_rate": rate}, owner=AUDITOR,
                        scopes=AUDIT)


def finding(service: LocalCertification, round_id: str, certificate_id: str, outcome: str) -> Any:
    body = {"certificate_id": certificate_id, "outcome": outcome,
            "findings": "One CCER cancellation was already claimed by another event in another province."}
    return service.post(f"/v1/audits/{round_id}/findings", body, owner=AUDITOR, scopes=AUDIT)


def test_anyone_can_redo_the_draw_from_the_round_and_the_registry_key(service: LocalCertification) -> None:
    ids = {certified(service)["id"] for _ in range(4)}

    response = new_round(service, rate="0.5")

    assert response.status_code == 201, response.text
    audit = response.json()
    assert set(audit["population"]) == ids
    checkpoint = parse_and_verify(audit["checkpoint"]["note"], service.upstream.registry.vkey)
    redone = draw(checkpoint.root_hash, checkpoint.size, audit["id"], audit["population"], Decimal("0.5"))
    assert list(redone.sample) == audit["sample"]
    assert redone.seed.hex() == audit["seed"]
    assert len(audit["sample"]) == 2
    assert audit["method"] == METHOD
    assert audit["checkpoint"]["log_key"] == service.upstream.registry.vkey
    assert service.get(f"/v1/audits/{audit['id']}").json()["sample"] == audit["sample"]


def test_a_failed_finding_revokes_the_certificate(service: LocalCertification) -> None:
    certificate = certified(service)
    audit = new_round(service).json()

    response = finding(service, audit["id"], certificate["id"], "fail")

    assert response.status_code == 201, response.text
    assert response.json()["certificate_status"] == "revoked"
    assert response.json()["revocation_id"] is not None
    after = service.get(f"/v1/certificates/{certificate['id']}").json()
    assert after["status"] == "revoked"
    assert after["revocation_reason"].startswith(f"Audit round {audit['id']} failed")
    round_after = service.get(f"/v1/audits/{audit['id']}").json()
    assert [f["outcome"] for f in round_after["findings"]] == ["fail"]


def test_a_passed_finding_leaves_the_certificate_valid(service: LocalCertification) -> None:
    certificate = certified(service)
    audit = new_round(service).json()

    response = finding(service, audit["id"], certificate["id"], "pass")

    assert response.status_code == 201
    assert response.json()["revocation_id"] is None
    assert service.get(f"/v1/certificates/{certificate['id']}").json()["status"] == "valid"


def test_findings_only_for_drawn_certificates_and_once_each(service: LocalCertification) -> None:
    drawn = certified(service)
    audit = new_round(service).json()
    later = certified(service)

    assert finding(service, audit["id"], later["id"], "fail").json()["type"].endswith("/not-in-sample")
    assert finding(service, audit["id"], drawn["id"], "pass").status_code == 201
    assert finding(service, audit["id"], drawn["id"], "fail").status_code == 409
    assert service.get(f"/v1/certificates/{later['id']}").json()["status"] == "valid"


def test_revoked_certificates_are_not_drawn_again(service: LocalCertification) -> None:
    revoked = certified(service)
    kept = certified(service)
    first = new_round(service).json()
    finding(service, first["id"], revoked["id"], "fail")

    second = new_round(service).json()

    assert second["population"] == [kept["id"]]


def test_a_jurisdiction_without_certificates_has_nothing_to_draw(service: LocalCertification) -> None:
    certified(service)

    response = new_round(service, jurisdiction="CN-SD")

    assert response.status_code == 409
    assert response.json()["type"].endswith("/nothing-to-audit")


def test_a_checkpoint_the_pinned_key_did_not_sign_is_refused(
    cert_portal: Any, certification_database: Any, upstream: Any
) -> None:
    pinned = verifier_key("registry.test/log", Ed25519PrivateKey.generate().public_key())
    local = LocalCertification.start(cert_portal, certification_database, upstream,
                                     certification_registry_vkey=pinned)
    try:
        response = new_round(local)
    finally:
        local.close()

    assert response.status_code == 502
    assert response.json()["type"].endswith("/untrusted-log")


def test_rounds_need_the_audit_scope_and_a_rate_in_range(service: LocalCertification) -> None:
    certified(service)

    assert service.post("/v1/audits/rounds", {"jurisdiction": "CN-HI", "sample_rate": "0.1"}, owner=AUDITOR,
                        scopes="certification:issue").status_code == 403
    for rate in ("0", "1.5", "0.1e1", "-0.1", "abc"):
        assert new_round(service, rate=rate).status_code == 422, rate
