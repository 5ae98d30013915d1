"""Applying, re-running the checks, and the issuer's decision.

Evidence is gathered over REST before any transaction opens; the unit of work that follows only
writes, and its conditional update on the application's version makes a concurrent change lose
cleanly (the unit runs again on fresh rows).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from services.certification.applications import repository
from services.certification.applications.checks import Evidence, run_checks
from services.certification.applications.confirmation import Evaluation as EvaluationFacts
from services.certification.applications.evidence import gather
from services.certification.applications.models import Application
from services.certification.applications.results import COVERAGE, CheckResult, all_required_pass
from services.certification.applications.schemas import ApplicationCreate, ApplicationOut, DecisionIn
from services.certification.applications.snapshot import policy_json
from services.certification.auth import ensure_may_read, ensure_own_event
from services.certification.certificates.service import issue_certificate
from services.certification.evaluations import repository as evaluations
from services.certification.evaluations.models import Evaluation
from services.certification.identifiers import aware, china_date, new_id, utc_now
from services.certification.problems import ApplicationDecided, ChecksNotPassed, NotReadyToApply, OffsetsDoNotCover
from services.certification.runtime import CertificationRuntime
from shared.auth.tokens import Principal
from shared.problems import NotFound

Work = Callable[[Session], tuple[int, dict[str, Any]]]


def evaluation_facts(evaluation: Evaluation | None) -> EvaluationFacts | None:
    """A stored evaluation as check 4 reads it."""
    if evaluation is None:
        return None
    return EvaluationFacts(
        id=evaluation.id,
        body=evaluation.body,
        accreditation_number=evaluation.accreditation_number,
        evaluators=tuple(evaluation.evaluators),
        conclusion=evaluation.conclusion,
        report_sha256=evaluation.report_sha256,
    )


def require(session: Session, application_id: str) -> Application:
    """An application, or 404."""
    application = repository.get(session, application_id)
    if application is None:
        raise NotFound(f"No application {application_id}.")
    return application


def application_out(session: Session, application: Application, runtime: CertificationRuntime) -> ApplicationOut:
    """The application as the API returns it."""
    decision = None
    if application.decided_at is not None and application.decided_by is not None:
        decision = {
            "approved": application.status == "approved",
            "reason": application.decision_reason,
            "decided_at": aware(application.decided_at),
            "decided_by": application.decided_by,
        }
    certificate_id = application.certificate_id
    return ApplicationOut.model_validate(
        {
            "id": application.id,
            "event_id": application.event_id,
            "owner": application.owner,
            "jurisdiction": application.jurisdiction,
            "status": application.status,
            "ready": application.ready,
            "confirmation": {"method": application.method, **application.contents},
            "applied_on": application.applied_on,
            "policy": application.policy,
            "checks": application.checks,
            "checked_at": aware(application.checked_at),
            "evaluations": evaluations.ids_for(session, application.id),
            "decision": decision,
            "certificate_id": certificate_id,
            "certificate_url": runtime.certificate_url(certificate_id) if certificate_id else None,
        }
    )


def _checked(
    evidence: Evidence, applied_on: date, method: str, contents: dict[str, Any], evaluation: Evaluation | None
) -> tuple[list[dict[str, Any]], bool]:
    results: list[CheckResult] = run_checks(evidence, applied_on, method, contents, evaluation_facts(evaluation))
    return [result.as_json() for result in results], all_required_pass(results)


def apply(runtime: CertificationRuntime, principal: Principal, request: ApplicationCreate) -> Work:
    """Check the caller's right, the event's lifecycle and its coverage; the returned unit stores the
    application. An event that has not ended, has no accounted inventory, or whose proven offsets fall
    short is refused with nothing stored: the problem says what to do first."""
    event = runtime.accounting.event(request.event_id)
    ensure_own_event(principal, event.owner, event.id)
    if not event.may_apply.allowed:
        raise NotReadyToApply(
            event.may_apply.reason or f"Event {event.id} cannot apply for a certificate yet.",
            event_id=event.id,
            rule=event.may_apply.rule,
        )
    method = request.confirmation.method
    evidence = gather(runtime, event, method)
    now = utc_now()
    applied_on = china_date(now)
    contents = request.confirmation.contents()
    checks, ready = _checked(evidence, applied_on, method, contents, None)
    coverage = next(check for check in checks if check["id"] == COVERAGE)
    if coverage["result"] != "pass":
        raise OffsetsDoNotCover(coverage["reason"], event_id=event.id, coverage=coverage)

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        application = Application(
            id=new_id("app"),
            event_id=event.id,
            owner=event.owner,
            applicant_client=principal.client_id,
            jurisdiction=event.jurisdiction,
            method=method,
            contents=contents,
            status="open",
            ready=ready,
            checks=checks,
            policy=policy_json(event.policy),
            applied_on=applied_on,
            created_at=now,
            checked_at=now,
            decided_at=None,
            decided_by=None,
            decision_reason=None,
            certificate_id=None,
            version=1,
        )
        repository.add(session, application)
        return 201, application_out(session, application, runtime).model_dump(mode="json")

    return work


def read(session: Session, runtime: CertificationRuntime, principal: Principal, application_id: str) -> ApplicationOut:
    """An application, for its owner or for those who oversee applications."""
    application = require(session, application_id)
    ensure_may_read(principal, application.owner)
    return application_out(session, application, runtime)


def _open_application(runtime: CertificationRuntime, principal: Principal, application_id: str) -> Application:
    with runtime.context.database.reads() as session:
        application = require(session, application_id)
        ensure_may_read(principal, application.owner)
        if application.status != "open":
            raise ApplicationDecided(f"Application {application_id} was already {application.status}.")
        session.expunge(application)
        return application


def recheck(runtime: CertificationRuntime, principal: Principal, application_id: str) -> Work:
    """Gather fresh evidence; the returned unit stores the checks run on it."""
    known = _open_application(runtime, principal, application_id)
    evidence = gather(runtime, runtime.accounting.event(known.event_id), known.method)

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        application = require(session, application_id)
        if application.status != "open":
            raise ApplicationDecided(f"Application {application_id} was already {application.status}.")
        evaluation = evaluations.latest_for(session, application_id)
        checks, ready = _checked(evidence, application.applied_on, application.method, application.contents, evaluation)
        repository.record_checks(session, application, checks, ready, policy_json(evidence.event.policy), utc_now())
        return 200, application_out(session, require(session, application_id), runtime).model_dump(mode="json")

    return work


def decide(runtime: CertificationRuntime, principal: Principal, application_id: str, decision: DecisionIn) -> Work:
    """The issuer's decision. Approval re-runs every check on fresh evidence and issues the certificate only
    when every required check passes; otherwise the fresh checks are stored and the answer is a 409."""
    known = _open_application(runtime, principal, application_id)
    evidence = gather(runtime, runtime.accounting.event(known.event_id), known.method) if decision.approve else None
    reason = (decision.reason or "").strip() or None

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        application = require(session, application_id)
        if application.status != "open":
            raise ApplicationDecided(f"Application {application_id} was already {application.status}.")
        now = utc_now()
        if evidence is None:
            repository.change(session, application, status="rejected", decided_at=now,
                              decided_by=principal.client_id, decision_reason=reason)
            return 200, application_out(session, require(session, application_id), runtime).model_dump(mode="json")
        evaluation = evaluations.latest_for(session, application_id)
        checks, ready = _checked(evidence, application.applied_on, application.method, application.contents, evaluation)
        if not ready:
            repository.record_checks(session, application, checks, ready, policy_json(evidence.event.policy), now)
            failing = [check for check in checks if check["required"] and check["result"] != "pass"]
            problem = ChecksNotPassed(
                "The certificate cannot be issued: " + " ".join(f"{c['title']}: {c['reason']}" for c in failing),
                application_id=application_id,
                failing_checks=failing,
            )
            return problem.status, problem.body(f"/v1/applications/{application_id}/decision")
        certificate = issue_certificate(
            session, runtime, application_id=application.id, owner=application.owner, method=application.method,
            evidence=evidence,
        )
        repository.change(
            session, application, checks=checks, ready=True, policy=policy_json(evidence.event.policy),
            checked_at=now, status="approved", decided_at=now, decided_by=principal.client_id,
            decision_reason=reason, certificate_id=certificate.id,
        )
        return 200, application_out(session, require(session, application_id), runtime).model_dump(mode="json")

    return work
