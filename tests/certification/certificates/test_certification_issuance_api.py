"""The issuer's decision: approval issues a signed certificate only when every required check passes."""

from __future__ import annotations

import json
from typing import Any

from joserfc import jws as joserfc_jws
from joserfc.jwk import ECKey
from sqlalchemy import select

from services.certification.certificates.credential import verify
from services.certification.certificates.models import Certificate
from services.certification.database import kernel
from services.certification.status.bitstring import decode, get_bit
from shared.jws import b64url_decode
from tests.certification.certification_local import (
    EVALUATOR,
    ORGANIZER,
    PUBLIC_URL,
    LocalCertification,
    apply,
    certified,
    check,
    decide,
)

# docs/notifications.md: the keys of `certificate.updated`, exactly.
NOTIFIED_KEYS = {
    "id", "event_id", "jurisdiction", "status", "event_name", "organizers", "starts_at", "ends_at",
    "accounted_kgco2e", "offsets", "confirmation_method", "issuer", "issued_at", "revoked_at", "revocation_reason",
    "jws", "status_list_url", "status_list_index", "verification_url",
}


def notifications(service: LocalCertification) -> list[dict[str, Any]]:
    outbox, deliveries = kernel.outbox, kernel.deliveries
    with service.database.reads() as session:
        rows = session.execute(select(outbox.c.seq, outbox.c.topic, outbox.c.payload).order_by(outbox.c.seq)).all()
        receivers = session.execute(select(deliveries.c.message_seq, deliveries.c.receiver)).all()
    return [
        {"topic": row.topic, "payload": json.loads(row.payload),
         "receivers": sorted(r.receiver for r in receivers if r.message_seq == row.seq)}
        for row in rows
    ]


def test_approval_issues_a_certificate_that_verifies_with_the_published_keys(service: LocalCertification) -> None:
    certificate = certified(service)

    jwks = service.get("/.well-known/jwks.json").json()
    credential = verify(certificate["jws"], jwks)

    assert certificate["status"] == "valid"
    assert credential == certificate["credential"]
    subject = credential["credentialSubject"]
    assert subject["eventId"] == certificate["event_id"]
    assert subject["accountedEmissionsKgCO2e"] == "1000.000"
    assert subject["offsetTotalKgCO2e"] == "1000.000"
    assert subject["confirmationMethod"] == "self_commitment"
    assert subject["policyProfile"] == "hainan-2023@1.0.0"
    retired = subject["offsets"][0]["registryRetirements"][0]
    assert retired["logIndex"] == certificate["registry_retirements"][0]["log_index"]
    assert retired["serialFrom"].endswith("-000000000000001")
    assert credential["issuer"] == {
        "id": f"{PUBLIC_URL}/certification",
        "name": "海南省国家生态文明试验区建设领导小组办公室 Office of the Hainan Provincial Leading Group",
    }
    assert credential["credentialStatus"]["statusListCredential"] == certificate["status_list_url"]
    assert credential["credentialStatus"]["statusListIndex"] == str(certificate["status_list_index"])
    assert certificate["verification_url"] == f"{PUBLIC_URL}/disclosure/verify?id={certificate['id']}"


def test_an_independent_jose_library_verifies_the_certificate(service: LocalCertification) -> None:
    certificate = certified(service)
    header = json.loads(b64url_decode(certificate["jws"].split(".")[0]))
    jwks = service.get("/.well-known/jwks.json").json()
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])

    result = joserfc_jws.deserialize_compact(certificate["jws"], ECKey.import_key(key), algorithms=["ES256"])

    assert json.loads(result.payload) == certificate["credential"]
    assert result.headers()["typ"] == "vc+jwt"


def test_the_status_list_shows_a_fresh_certificate_as_not_revoked(service: LocalCertification) -> None:
    certificate = certified(service)

    signed = service.get(certificate["status_list_url"].removeprefix(f"{PUBLIC_URL}/certification"))
    status_list = verify(signed.text, service.get("/.well-known/jwks.json").json())

    assert signed.headers["content-type"].startswith("application/vc+jwt")
    assert status_list["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert status_list["id"] == certificate["status_list_url"]
    bits = decode(status_list["credentialSubject"]["encodedList"])
    assert get_bit(bits, certificate["status_list_index"]) is False


def test_issuing_publishes_certificate_updated_to_disclosure_and_accounting(service: LocalCertification) -> None:
    certificate = certified(service)

    [note] = [n for n in notifications(service) if n["topic"] == "certificate.updated"]

    assert note["receivers"] == ["accounting", "disclosure"]
    payload = note["payload"]
    assert set(payload) == NOTIFIED_KEYS
    assert payload["id"] == certificate["id"]
    assert payload["status"] == "valid"
    assert payload["revoked_at"] is None
    assert payload["offsets"] == [{"unit_type": "HNCI", "quantity_g": 1_000_000, "priority_tier": 2}]
    assert payload["jws"] == certificate["jws"]
    assert payload["accounted_kgco2e"] == "1000.000"


def test_approval_is_refused_while_a_required_check_fails_and_the_fresh_checks_are_kept(
    service: LocalCertification,
) -> None:
    event = service.upstream.accounting.event(total_kgco2e="2000")
    service.upstream.registry.retire(event["id"], 2_000_000)
    application = apply(service, event).json()
    assert application["ready"] is True
    # Accounting's figure changed before the decision: the decision runs the checks again.
    event["accounted"]["total_kgco2e"] = "2000.001"

    refused = decide(service, application["id"])

    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["type"].endswith("/checks-not-passed")
    assert [c["id"] for c in problem["failing_checks"]] == ["coverage"]
    assert "Short by 1 g" in problem["detail"]
    stored = service.get(f"/v1/applications/{application['id']}", owner=ORGANIZER, scopes="certification:apply")
    assert stored.json()["status"] == "open"
    assert check(stored.json(), "coverage")["result"] == "fail"
    with service.database.reads() as session:
        assert session.execute(select(Certificate)).first() is None


def test_a_rejection_records_its_reason_and_ends_the_application(service: LocalCertification) -> None:
    event = service.upstream.accounting.event()
    service.upstream.registry.retire(event["id"], 1_000_000)
    application = apply(service, event).json()

    rejected = decide(service, application["id"], approve=False, reason="Evidence of green power is missing.")
    again = decide(service, application["id"])

    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["decision"]["reason"] == "Evidence of green power is missing."
    assert again.status_code == 409
    assert again.json()["type"].endswith("/application-decided")


def test_a_rejection_needs_a_reason(service: LocalCertification) -> None:
    event = service.upstream.accounting.event()
    service.upstream.registry.retire(event["id"], 1_000_000)
    application = apply(service, event).json()

    assert decide(service, application["id"], approve=False).status_code == 422


def test_only_the_issuer_decides(service: LocalCertification) -> None:
    event = service.upstream.accounting.event()
    service.upstream.registry.retire(event["id"], 1_000_000)
    application = apply(service, event).json()

    response = service.post(f"/v1/applications/{application['id']}/decision", {"approve": True}, owner=ORGANIZER,
                            scopes="certification:apply")

    assert response.status_code == 403
    assert response.json()["required"] == ["certification:issue"]


def test_an_event_holds_one_valid_certificate(service: LocalCertification) -> None:
    event = service.upstream.accounting.event()
    service.upstream.registry.retire(event["id"], 1_000_000)
    first = apply(service, event).json()
    second = apply(service, event).json()
    assert decide(service, first["id"]).status_code == 200

    refused = decide(service, second["id"])

    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/already-certified")


def test_a_repeated_decision_with_its_key_issues_one_certificate(service: LocalCertification) -> None:
    event = service.upstream.accounting.event()
    service.upstream.registry.retire(event["id"], 1_000_000)
    application = apply(service, event).json()
    headers = {"Idempotency-Key": "decide-once"}

    first = decide(service, application["id"], headers=headers)
    again = decide(service, application["id"], headers=headers)

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    with service.database.reads() as session:
        assert len(session.execute(select(Certificate.id)).all()) == 1


def test_the_printable_forms_carry_the_certificate(service: LocalCertification) -> None:
    certificate = certified(service)

    pdf = service.get(f"/v1/certificates/{certificate['id']}.pdf")
    png = service.get(f"/v1/certificates/{certificate['id']}.png")

    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert png.status_code == 200
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert certificate["pdf_url"] == f"{PUBLIC_URL}/certification/v1/certificates/{certificate['id']}.pdf"


def test_certificates_are_public_and_unknown_ones_are_404(service: LocalCertification) -> None:
    certificate = certified(service)

    assert service.get(f"/v1/certificates/{certificate['id']}").status_code == 200
    assert service.get("/v1/certificates/cert_missing").status_code == 404
    assert service.get("/v1/certificates/cert_missing.pdf").status_code == 404


def test_a_third_party_confirmed_shandong_event_is_certified_by_the_platform_issuer(
    service: LocalCertification,
) -> None:
    event = service.upstream.accounting.event(jurisdiction="CN-SD", participants=600)
    service.upstream.registry.retire(event["id"], 1_000_000, unit_type="SDCI", category="forestry",
                                     province="CN-SD")
    application = apply(service, event, {"method": "third_party"}).json()
    evaluation = {
        "body": "中环联合（北京）认证中心", "accreditation_number": "CNCA-R-2002-001",
        "evaluators": ["王芳", "李强"], "conclusion": "confirmed", "report_sha256": "c" * 64,
    }
    recorded = service.post(f"/v1/applications/{application['id']}/verifications", evaluation, owner=EVALUATOR,
                            scopes="certification:verify")
    assert recorded.status_code == 201, recorded.text

    decided = decide(service, application["id"])

    assert decided.status_code == 200, decided.text
    certificate = service.get(f"/v1/certificates/{decided.json()['certificate_id']}").json()
    assert certificate["issuer"] == "零碳平台 Lingtan platform"
    assert certificate["confirmation_method"] == "third_party"
    assert certificate["offsets"] == [{"unit_type": "SDCI", "quantity_g": 1_000_000, "priority_tier": 1}]
