"""Audit rounds drawn reproducibly from a signed registry checkpoint, and findings, a fail of which revokes.

The round fetches the registry's latest checkpoint over REST and verifies its signature with the log
key (pinned in settings, else as published) before drawing: the seed is fixed by a tree head the
registry signed before the round existed, so the issuer cannot steer the sample. The checkpoint note,
key, seed, method, population and sample are stored with the round and returned by
GET /v1/audits/{id}, so anyone can redo the draw with audits/draw.py's METHOD.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from services.certification.applications.evidence import log_key
from services.certification.audits import repository
from services.certification.audits.draw import draw
from services.certification.audits.models import AuditFinding, AuditRound
from services.certification.audits.schemas import FindingCreate, FindingOut, RoundCreate, RoundOut
from services.certification.certificates import repository as certificates
from services.certification.certificates.models import Certificate, Revocation
from services.certification.certificates.revocation import revoke
from services.certification.identifiers import aware, new_id, utc_now
from services.certification.problems import FindingRecorded, NothingToAudit, NotInSample, UntrustedLog
from services.certification.runtime import CertificationRuntime
from shared.auth.tokens import Principal
from shared.problems import NotFound
from shared.transparency.checkpoint import CheckpointError, parse_and_verify

Work = Callable[[Session], tuple[int, dict[str, Any]]]


def require(session: Session, round_id: str) -> AuditRound:
    """An audit round, or 404."""
    found = repository.get(session, round_id)
    if found is None:
        raise NotFound(f"No audit round {round_id}.")
    return found


def _finding_out(session: Session, finding: AuditFinding) -> FindingOut:
    certificate = certificates.get(session, finding.certificate_id)
    revocation = certificates.revocation_of(session, finding.certificate_id)
    caused = revocation is not None and revocation.finding_id == finding.id
    return FindingOut(
        id=finding.id,
        round_id=finding.round_id,
        certificate_id=finding.certificate_id,
        outcome="pass" if finding.outcome == "pass" else "fail",
        findings=finding.findings,
        recorded_by=finding.recorded_by_client,
        created_at=aware(finding.created_at),
        certificate_status="revoked" if certificate is not None and certificate.status == "revoked" else "valid",
        revocation_id=revocation.id if caused and revocation is not None else None,
    )


def round_out(session: Session, found: AuditRound) -> RoundOut:
    """A round as the API returns it."""
    return RoundOut.model_validate(
        {
            "id": found.id,
            "jurisdiction": found.jurisdiction,
            "sample_rate": found.sample_rate,
            "checkpoint": {
                "origin": found.log_origin,
                "tree_size": found.tree_size,
                "root_hash": found.root_hash,
                "note": found.checkpoint,
                "log_key": found.log_key,
            },
            "seed": found.seed,
            "method": found.method,
            "population": found.population,
            "sample": found.sample,
            "created_at": aware(found.created_at),
            "findings": [_finding_out(session, f) for f in repository.findings_of(session, found.id)],
        }
    )


def create_round(runtime: CertificationRuntime, principal: Principal, request: RoundCreate) -> Work:
    """Fetch and verify the latest checkpoint; the returned unit draws from the current population and stores."""
    vkey = log_key(runtime)
    note = runtime.registry.checkpoint()
    try:
        checkpoint = parse_and_verify(note, vkey)
    except CheckpointError as exc:
        raise UntrustedLog(f"The registry's latest checkpoint does not verify with its log key: {exc}") from exc
    round_id = new_id("aud")

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        population = certificates.valid_ids_in(session, request.jurisdiction)
        if not population:
            raise NothingToAudit(f"{request.jurisdiction} has no valid certificates to draw from.")
        result = draw(checkpoint.root_hash, checkpoint.size, round_id, population, Decimal(request.sample_rate))
        found = AuditRound(
            id=round_id,
            jurisdiction=request.jurisdiction,
            sample_rate=request.sample_rate,
            checkpoint=note,
            log_origin=checkpoint.origin,
            log_key=vkey,
            tree_size=checkpoint.size,
            root_hash=checkpoint.root_hash.hex(),
            seed=result.seed.hex(),
            method=result.method,
            population=list(result.population),
            sample=list(result.sample),
            created_by_owner=principal.owner,
            created_by_client=principal.client_id,
            created_at=utc_now(),
        )
        repository.add(session, found)
        return 201, round_out(session, found).model_dump(mode="json")

    return work


def record_finding(
    session: Session,
    runtime: CertificationRuntime,
    principal: Principal,
    round_id: str,
    request: FindingCreate,
    revoked: list[tuple[Revocation, Certificate]],
) -> FindingOut:
    """Store a finding for a drawn certificate; a fail revokes it (appended to ``revoked`` for the log line)."""
    found = require(session, round_id)
    if request.certificate_id not in found.sample:
        raise NotInSample(
            f"Certificate {request.certificate_id} was not drawn in audit round {round_id}.",
            sample=list(found.sample),
        )
    if repository.finding_for(session, round_id, request.certificate_id) is not None:
        raise FindingRecorded(f"Audit round {round_id} already has a finding for {request.certificate_id}.")
    finding = AuditFinding(
        id=new_id("fnd"),
        round_id=round_id,
        certificate_id=request.certificate_id,
        outcome=request.outcome,
        findings=request.findings,
        recorded_by_owner=principal.owner,
        recorded_by_client=principal.client_id,
        created_at=utc_now(),
    )
    repository.add(session, finding)
    certificate = certificates.get(session, request.certificate_id)
    if request.outcome == "fail" and certificate is not None and certificate.status == "valid":
        revoked.append(
            revoke(
                session,
                runtime,
                request.certificate_id,
                f"Audit round {round_id} failed: {request.findings}",
                principal,
                audit_round_id=round_id,
                finding_id=finding.id,
            )
        )
    return _finding_out(session, finding)
