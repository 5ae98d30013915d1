"""Revocation: the status-list bit, the certificate's status everywhere, a record, a log line, a notification."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import select

from services.certification.certificates.credential import verify
from services.certification.certificates.models import Revocation
from services.certification.database import kernel
from services.certification.status.bitstring import decode, get_bit
from tests.certification.certification_local import (
    AUDITOR,
    ISSUER,
    ORGANIZER,
    PUBLIC_URL,
    LocalCertification,
    certified,
)

REASON = "The CCER cancellation it counts was already claimed by another event."


def revoke(service: LocalCertification, certificate_id: str, owner: str = ISSUER,
           scopes: str = "certification:issue") -> dict[str, object]:
    response = service.post(f"/v1/certificates/{certificate_id}/revocation", {"reason": REASON}, owner=owner,
                            scopes=scopes)
    assert response.status_code == 201, response.text
    answer: dict[str, object] = response.json()
    return answer


def status_bit(service: LocalCertification, certificate: dict[str, object]) -> bool:
    url = str(certificate["status_list_url"])
    signed = service.get(url.removeprefix(f"{PUBLIC_URL}/certification")).text
    status_list = verify(signed, service.get("/.well-known/jwks.json").json())
    return get_bit(decode(status_list["credentialSubject"]["encodedList"]), int(str(certificate["status_list_index"])))


def test_a_revoked_certificate_shows_revoked_in_its_status_list_and_its_record(service: LocalCertification) -> None:
    certificate = certified(service)
    assert status_bit(service, certificate) is False

    revocation = revoke(service, str(certificate["id"]))

    after = service.get(f"/v1/certificates/{certificate['id']}").json()
    assert after["status"] == "revoked"
    assert after["revocation_reason"] == REASON
    assert after["revoked_at"] is not None
    assert status_bit(service, certificate) is True
    assert revocation["source"] == "request"
    assert revocation["status_list_index"] == certificate["status_list_index"]
    # The signed certificate itself never changes: its status is what the list says.
    assert after["jws"] == certificate["jws"]


def test_revocation_is_recorded_logged_and_notified(
    service: LocalCertification, caplog: pytest.LogCaptureFixture
) -> None:
    certificate = certified(service)

    with caplog.at_level(logging.INFO, logger="lingtan.certification.revocations"):
        revocation = revoke(service, str(certificate["id"]))

    with service.database.reads() as session:
        stored = session.execute(select(Revocation)).scalar_one()
        payloads = [json.loads(p) for p in session.execute(
            select(kernel.outbox.c.payload).where(kernel.outbox.c.topic == "certificate.updated")
            .order_by(kernel.outbox.c.seq)
        ).scalars()]
    assert stored.id == revocation["id"]
    assert stored.reason == REASON
    [line] = [r for r in caplog.records if r.getMessage() == "certificate revoked"]
    assert line.__dict__["certificate_id"] == certificate["id"]
    assert line.__dict__["reason"] == REASON
    assert [p["status"] for p in payloads] == ["valid", "revoked"]
    assert payloads[-1]["revocation_reason"] == REASON


def test_a_revocation_is_final(service: LocalCertification) -> None:
    certificate = certified(service)
    revoke(service, str(certificate["id"]))

    again = service.post(f"/v1/certificates/{certificate['id']}/revocation", {"reason": "again"}, owner=ISSUER,
                         scopes="certification:issue")

    assert again.status_code == 409
    assert again.json()["type"].endswith("/already-revoked")


def test_the_issuer_or_an_auditor_revokes_nobody_else(service: LocalCertification) -> None:
    certificate = certified(service)
    path = f"/v1/certificates/{certificate['id']}/revocation"

    organizer = service.post(path, {"reason": REASON}, owner=ORGANIZER, scopes="certification:apply")
    anonymous = service.post(path, {"reason": REASON})

    assert organizer.status_code == 403
    assert anonymous.status_code == 401
    assert revoke(service, str(certificate["id"]), owner=AUDITOR, scopes="audit:write")["source"] == "request"


def test_a_revocation_needs_a_reason(service: LocalCertification) -> None:
    certificate = certified(service)

    response = service.post(f"/v1/certificates/{certificate['id']}/revocation", {"reason": ""}, owner=ISSUER,
                            scopes="certification:issue")

    assert response.status_code == 422
    assert service.get(f"/v1/certificates/{certificate['id']}").json()["status"] == "valid"


def test_the_printable_certificate_still_renders_once_revoked(service: LocalCertification) -> None:
    certificate = certified(service)
    revoke(service, str(certificate["id"]))

    pdf = service.get(f"/v1/certificates/{certificate['id']}.pdf")

    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF-")
