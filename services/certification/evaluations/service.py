"""Recording a third-party evaluation, and bringing the application's confirmation check up to date.

Only check 4 depends on the evaluation, and it runs on the policy stored with the application, so
recording an evaluation needs neither accounting nor the registry; the other checks keep their last
results until the next re-run or the decision (which re-runs them all).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from services.certification.applications import repository as applications
from services.certification.applications import service as application_service
from services.certification.applications.confirmation import check_confirmation
from services.certification.applications.results import CONFIRMATION, all_required_pass
from services.certification.applications.snapshot import policy_from_json
from services.certification.evaluations import repository
from services.certification.evaluations.models import Evaluation
from services.certification.evaluations.schemas import EvaluationCreate, EvaluationOut
from services.certification.identifiers import aware, new_id, utc_now
from services.certification.problems import ApplicationDecided
from services.certification.runtime import CertificationRuntime
from shared.auth.tokens import Principal


def record(
    session: Session,
    runtime: CertificationRuntime,
    principal: Principal,
    application_id: str,
    request: EvaluationCreate,
) -> dict[str, Any]:
    """Store the evaluation and re-run the application's confirmation check with it."""
    application = application_service.require(session, application_id)
    if application.status != "open":
        raise ApplicationDecided(f"Application {application_id} was already {application.status}.")
    now = utc_now()
    evaluation = Evaluation(
        id=new_id("eva"),
        application_id=application_id,
        body=request.body,
        accreditation_number=request.accreditation_number,
        evaluators=list(request.evaluators),
        conclusion=request.conclusion,
        statement=request.statement,
        report_sha256=request.report_sha256,
        recorded_by_owner=principal.owner,
        recorded_by_client=principal.client_id,
        created_at=now,
    )
    repository.add(session, evaluation)
    check = check_confirmation(
        policy_from_json(application.policy),
        application.method,
        application.contents,
        application_service.evaluation_facts(evaluation),
    ).as_json()
    checks = [check if existing["id"] == CONFIRMATION else existing for existing in application.checks]
    applications.change(session, application, checks=checks, ready=all_required_pass(checks), checked_at=now)
    refreshed = application_service.require(session, application_id)
    return EvaluationOut(
        id=evaluation.id,
        application_id=application_id,
        body=evaluation.body,
        accreditation_number=evaluation.accreditation_number,
        evaluators=list(evaluation.evaluators),
        conclusion=request.conclusion,
        statement=evaluation.statement,
        report_sha256=evaluation.report_sha256,
        recorded_by=principal.client_id,
        created_at=aware(now),
        application=application_service.application_out(session, refreshed, runtime),
    ).model_dump(mode="json")
