"""Third-party evaluations: an accredited body, at least two evaluators, a conclusion and the report's hash."""

from __future__ import annotations

from typing import Any

import pytest

from tests.certification.certification_local import EVALUATOR, ORGANIZER, LocalCertification, apply, check

VERIFY = "certification:verify"


def evaluation(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "body": "中环联合（北京）认证中心有限公司",
        "accreditation_number": "CNAS C001-M",
        "evaluators": ["王芳", "李强"],
        "conclusion": "confirmed",
        "statement": "The marathon's emissions are fully offset by the retired credits.",
        "report_sha256": "9f" * 32,
    }
    body.update(changes)
    return body


def marathon(service: LocalCertification) -> dict[str, Any]:
    """A Shandong marathon of 30,000 runners, covered, applied for by third-party evaluation."""
    event = service.upstream.accounting.event(jurisdiction="CN-SD", participants=30_000, total_kgco2e="1448500.5")
    service.upstream.registry.retire(event["id"], 1_448_500_500, unit_type="SDCI", category="forestry",
                                     province="CN-SD")
    application: dict[str, Any] = apply(service, event, {"method": "third_party"}).json()
    assert check(application, "confirmation_method")["result"] == "fail"
    return application


def test_a_confirming_evaluation_passes_the_confirmation_check_at_once(service: LocalCertification) -> None:
    application = marathon(service)

    recorded = service.post(f"/v1/applications/{application['id']}/verifications", evaluation(), owner=EVALUATOR,
                            scopes=VERIFY)

    assert recorded.status_code == 201, recorded.text
    answer = recorded.json()
    assert answer["evaluators"] == ["王芳", "李强"]
    confirmation = check(answer["application"], "confirmation_method")
    assert confirmation["result"] == "pass"
    assert "CNAS C001-M" in confirmation["reason"]
    assert answer["application"]["ready"] is True
    assert answer["application"]["evaluations"] == [answer["id"]]


def test_an_evaluation_that_does_not_confirm_fails_the_check(service: LocalCertification) -> None:
    application = marathon(service)

    answer = service.post(f"/v1/applications/{application['id']}/verifications",
                          evaluation(conclusion="not_confirmed"), owner=EVALUATOR, scopes=VERIFY).json()

    assert check(answer["application"], "confirmation_method")["result"] == "fail"
    assert answer["application"]["ready"] is False


@pytest.mark.parametrize(
    "changes",
    [
        {"evaluators": ["王芳"]},
        {"evaluators": ["王芳", "王芳"]},
        {"evaluators": ["王芳", "  "]},
        {"report_sha256": "not-a-hash"},
        {"report_sha256": "9F" * 32},
        {"accreditation_number": ""},
        {"conclusion": "probably"},
    ],
)
def test_an_incomplete_evaluation_is_refused(service: LocalCertification, changes: dict[str, Any]) -> None:
    application = marathon(service)

    response = service.post(f"/v1/applications/{application['id']}/verifications", evaluation(**changes),
                            owner=EVALUATOR, scopes=VERIFY)

    assert response.status_code == 422
    stored = service.get(f"/v1/applications/{application['id']}", owner=ORGANIZER, scopes="certification:apply")
    assert stored.json()["evaluations"] == []


def test_only_an_evaluator_records_evaluations(service: LocalCertification) -> None:
    application = marathon(service)

    response = service.post(f"/v1/applications/{application['id']}/verifications", evaluation(), owner=ORGANIZER,
                            scopes="certification:apply")

    assert response.status_code == 403


def test_an_evaluation_for_an_unknown_application_is_404(service: LocalCertification) -> None:
    response = service.post("/v1/applications/app_missing/verifications", evaluation(), owner=EVALUATOR,
                            scopes=VERIFY)

    assert response.status_code == 404
