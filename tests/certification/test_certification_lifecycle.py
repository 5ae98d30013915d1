"""The whole lifecycle through the gateway: a Shandong marathon from its event to a certificate that an
audit revokes, as the organizer, the registry operator, an accredited body, the issuer, an auditor and
any verifier each see it."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from joserfc import jws as joserfc_jws
from joserfc.jwk import ECKey

from lingtan.cli import main
from services.certification.certificates.credential import verify
from services.certification.status.bitstring import decode, get_bit
from shared.jws import b64url_decode
from tests.certification.certification_platform import Certification, check, commitment, ok
from tests.support.running import RunningPlatform


@pytest.fixture
def actors(platform: RunningPlatform) -> Iterator[Certification]:
    opened = Certification.open(platform)
    yield opened
    opened.close()


def lingtan_verify(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main(["verify", "certificate", *argv])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1, lines
    return code, json.loads(lines[0])


def eventually(read: Callable[[], Any], expected: Any, seconds: float = 15.0) -> Any:
    """Poll until read() returns expected (notifications travel through outboxes)."""
    deadline = time.monotonic() + seconds
    value = read()
    while value != expected and time.monotonic() < deadline:
        time.sleep(0.1)
        value = read()
    return value


def test_a_shandong_marathon_is_certified_verified_audited_and_revoked(
    actors: Certification, platform: RunningPlatform, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    organizer, operator = actors.organizer, actors.operator
    # 30,000 runners, hosted by an association: Shandong's 500+ band needs a third-party evaluation.
    event_id = organizer.event(jurisdiction="CN-SD", host_type="association", participants=30_000,
                               name="Qingdao Marathon")
    organizer.plan(event_id, ("clean-energy shuttle buses", "no disposable plastics"))
    organizer.inventory(event_id, "1000", "1448.5005")  # 1,448,500.5 kgCO2e
    account = organizer.account()
    operator.credits(account, 1_000_000_000, unit_type="SDCI", category="forestry", new_sink=True)
    organizer.retire(event_id, account, 1_000_000_000, unit_type="SDCI")
    runner = Certification.open(platform).organizer
    runner_account = runner.account(kind="person")
    operator.credits(runner_account, 500, unit_type="SDCI", category="other")
    runner.donate(event_id, runner_account, 500)
    allowances = organizer.cancel_externally(event_id, 449, registry="CEA", province="CN-SD")
    runner.http.close()

    # A third party evaluates this event: the allowance claim counts once its evaluator confirmed it.
    unconfirmed = organizer.apply(event_id, {"method": "third_party"})
    assert unconfirmed.status_code == 409 and unconfirmed.json()["type"].endswith("/offsets-do-not-cover")
    assert unconfirmed.json()["coverage"]["details"]["not_counted"][0]["record_id"] == allowances["id"]
    actors.confirm_claim(event_id, allowances["id"])

    applied = ok(organizer.apply(event_id, {"method": "third_party"}), 201)
    assert check(applied, "confirmation_method")["result"] == "fail"
    assert check(applied, "coverage")["result"] == "pass"
    assert check(applied, "coverage")["details"]["counted_g"] == 1_449_000_500
    tiers = {row["tier"]: row["quantity_g"] for row in check(applied, "priority_order")["details"]["by_tier"]}
    assert tiers == {1: 1_000_000_500, 3: 449_000_000}

    evaluation = {"body": "中环联合（北京）认证中心有限公司", "accreditation_number": "CNAS C001-M",
                  "evaluators": ["王芳", "李强"], "conclusion": "confirmed", "report_sha256": "5e" * 32}
    evaluated = ok(actors.evaluator.post(f"/certification/v1/applications/{applied['id']}/verifications",
                                         json=evaluation), 201)
    assert evaluated["application"]["ready"] is True

    decided = ok(actors.issuer.post(f"/certification/v1/applications/{applied['id']}/decision",
                                    json={"approve": True, "reason": "Every required check passes."}))
    certificate_id = decided["certificate_id"]
    certificate = ok(actors.public.get(f"/certification/v1/certificates/{certificate_id}"))
    assert certificate["status"] == "valid"
    assert certificate["confirmation_method"] == "third_party"
    assert certificate["accounted_kgco2e"] == "1448500.5"

    # Offline: the JWS against the published keys, with ours and with an independent library.
    jwks = ok(actors.public.get("/certification/.well-known/jwks.json"))
    credential = verify(certificate["jws"], jwks)
    assert credential["credentialSubject"]["eventId"] == event_id
    kid = json.loads(b64url_decode(certificate["jws"].split(".")[0]))["kid"]
    jwk = next(key for key in jwks["keys"] if key["kid"] == kid)
    independent = joserfc_jws.deserialize_compact(certificate["jws"], ECKey.import_key(jwk), algorithms=["ES256"])
    assert json.loads(independent.payload) == credential
    saved = tmp_path / "certificate.json"
    saved.write_text(json.dumps(certificate, ensure_ascii=False), encoding="utf-8")
    code, result = lingtan_verify(capsys, str(saved))
    assert (code, result["ok"], result["status"]) == (0, True, "valid")

    # A random audit of every Shandong certificate finds a double claim: the certificate is revoked.
    audit = ok(actors.auditor.post("/certification/v1/audits/rounds",
                                   json={"jurisdiction": "CN-SD", "sample_rate": "1"}), 201)
    assert certificate_id in audit["sample"]
    finding = ok(actors.auditor.post(f"/certification/v1/audits/{audit['id']}/findings", json={
        "certificate_id": certificate_id, "outcome": "fail",
        "findings": "A CEA cancellation it counts was already claimed by another event."}), 201)
    assert finding["certificate_status"] == "revoked"

    revoked = ok(actors.public.get(f"/certification/v1/certificates/{certificate_id}"))
    assert revoked["status"] == "revoked"
    status_list = verify(actors.public.get(revoked["status_list_url"].removeprefix(platform.url)).text, jwks)
    assert get_bit(decode(status_list["credentialSubject"]["encodedList"]), revoked["status_list_index"]) is True
    code, result = lingtan_verify(capsys, "--id", certificate_id, "--url", platform.url)
    assert (code, result["ok"], result["status"], result["failed"]) == (1, False, "revoked", "status")
    code, result = lingtan_verify(capsys, str(saved))
    assert (code, result["status"]) == (1, "revoked")

    # The other services hear of it through the outbox.
    def event_status() -> str:
        return str(organizer.http.get(f"/accounting/v1/events/{event_id}").json()["status"])

    assert eventually(event_status, "revoked") == "revoked"

    def disclosed_status() -> str | None:
        response = actors.public.get(f"/disclosure/v1/certificates/{certificate_id}")
        return str(response.json()["status"]) if response.status_code == 200 else None

    assert eventually(disclosed_status, "revoked") == "revoked"


def test_a_hainan_exhibition_certified_by_self_commitment(actors: Certification) -> None:
    event_id = actors.organizer.event()
    actors.organizer.plan(event_id)
    actors.organizer.inventory(event_id, "2000", "1.5")  # 3,000 kgCO2e
    account = actors.organizer.account()
    actors.operator.credits(account, 1_000_000)
    actors.organizer.retire(event_id, account, 1_000_000)
    actors.organizer.cancel_externally(event_id, 2)

    applied = ok(actors.organizer.apply(event_id, commitment()), 201)
    assert applied["ready"] is True, applied["checks"]
    decided = ok(actors.issuer.post(f"/certification/v1/applications/{applied['id']}/decision",
                                    json={"approve": True}))

    certificate = ok(actors.public.get(f"/certification/v1/certificates/{decided['certificate_id']}"))
    assert certificate["issuer"].startswith("海南省国家生态文明试验区建设领导小组办公室")
    assert {o["unit_type"]: o["priority_tier"] for o in certificate["offsets"]} == {"HNCI": 2, "CCER": 3}
    assert [c["log_index"] for c in certificate["external_cancellations"]]
    pdf = actors.public.get(f"/certification/v1/certificates/{decided['certificate_id']}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")

    def event_status() -> str:
        return str(actors.organizer.http.get(f"/accounting/v1/events/{event_id}").json()["status"])

    assert eventually(event_status, "certified") == "certified"
