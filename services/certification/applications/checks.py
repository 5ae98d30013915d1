"""The six checks of an application, run on evidence gathered from accounting and the registry's log.

1. the inventory is submitted; 2. the proven offsets cover the accounted emissions; 3. the deadline;
4. the confirmation method; 5. the priority order report (advisory, never blocking); 6. reduction
measures are on record in the implementation plan. Checks 1-4 and 6 are required for approval.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal, localcontext
from typing import Any

from services.certification.applications.confirmation import Evaluation, check_confirmation
from services.certification.applications.deadline import check_deadline
from services.certification.applications.priority import RankedLine, rank_offsets
from services.certification.applications.proofs import ProvenOffsets
from services.certification.applications.results import (
    COVERAGE,
    INVENTORY,
    PRIORITY,
    REDUCTIONS,
    CheckResult,
    grams,
)
from services.certification.upstream.facts import EventFacts, ProfileFacts

GRAMS_PER_KILOGRAM = 1000


@dataclass(frozen=True)
class Evidence:
    """What the checks look at: the event with its policy, and its offsets as the log proves them."""

    event: EventFacts
    offsets: ProvenOffsets

    @property
    def profile(self) -> ProfileFacts:
        """The event's policy profile."""
        return self.event.profile

    def ranked(self) -> list[RankedLine]:
        """The proven offsets with their kinds and tiers."""
        return rank_offsets(self.offsets.counted, self.profile, self.event.jurisdiction)


def required_grams(total_kgco2e: Decimal) -> int:
    """Grams of offsets that cover an accounted total: ceil(kgCO2e x 1000), exactly."""
    with localcontext() as ctx:
        ctx.prec = max(28, len(total_kgco2e.as_tuple().digits) + 8)
        return int((total_kgco2e * GRAMS_PER_KILOGRAM).to_integral_value(rounding=ROUND_CEILING))


def check_inventory(event: EventFacts) -> CheckResult:
    """Check 1: accounting holds a submitted inventory for the event."""
    title = "Inventory submitted"
    if event.accounted is None:
        return CheckResult(
            INVENTORY, title, True, "fail",
            "The event's inventory has not been submitted in accounting, so it has no accounted emissions yet.",
        )
    accounted = event.accounted
    details = {"total_kgco2e": format(accounted.total_kgco2e, "f"), "inventory_version": accounted.inventory_version,
               "submitted_at": accounted.submitted_at}
    version = f" (version {accounted.inventory_version})" if accounted.inventory_version is not None else ""
    return CheckResult(
        INVENTORY, title, True, "pass",
        f"The inventory{version} is submitted: {format(accounted.total_kgco2e, 'f')} kgCO2e accounted.",
        details,
    )


def check_coverage(event: EventFacts, offsets: ProvenOffsets) -> CheckResult:
    """Check 2: the offsets the log proves for this event cover the accounted emissions, to the gram."""
    title = "Offsets cover the accounted emissions"
    counted = offsets.counted_g
    details: dict[str, Any] = {
        "counted_g": counted,
        "counted": [
            {"record_id": o.record_id, "kind": o.kind, "unit_type": o.unit_type, "quantity_g": o.quantity_g,
             "log_index": o.log_index}
            for o in offsets.counted
        ],
        "not_counted": [
            {"record_id": r.record_id, "kind": r.kind, "claimed_g": r.claimed_g, "reason": r.reason}
            for r in offsets.refused
        ],
        "log_key": offsets.log_key,
    }
    refused = ""
    if offsets.refused:
        names = "; ".join(f"{r.record_id}: {r.reason}" for r in offsets.refused)
        refused = f" Not counted, because the registry's log does not prove them: {names}."
    if event.accounted is None:
        return CheckResult(
            COVERAGE, title, True, "fail",
            f"There are no accounted emissions to cover until the inventory is submitted; the log proves "
            f"{grams(counted)} of offsets for this event.{refused}",
            details,
        )
    required = required_grams(event.accounted.total_kgco2e)
    details["required_g"] = required
    total = format(event.accounted.total_kgco2e, "f")
    if counted < required:
        details["shortfall_g"] = required - counted
        return CheckResult(
            COVERAGE, title, True, "fail",
            f"Short by {grams(required - counted)}: the offsets the registry's log proves for this event hold "
            f"{grams(counted)}, and {total} kgCO2e accounted needs {grams(required)}.{refused}",
            details,
        )
    return CheckResult(
        COVERAGE, title, True, "pass",
        f"The offsets the registry's log proves for this event hold {grams(counted)}, covering the "
        f"{total} kgCO2e accounted ({grams(required)}); each proof and checkpoint signature was verified.{refused}",
        details,
    )


def check_priority(profile: ProfileFacts, lines: list[RankedLine]) -> CheckResult:
    """Check 5 (advisory): how the offsets rank against the profile's recommended order."""
    title = "Recommended offset order"
    total = sum(line.quantity_g for line in lines)
    tiers = {tier.rank: tier for tier in profile.tiers}
    by_tier: dict[int | None, int] = {}
    for line in lines:
        by_tier[line.tier] = by_tier.get(line.tier, 0) + line.quantity_g
    summary: list[dict[str, Any]] = []
    parts: list[str] = []
    for rank in sorted(r for r in by_tier if r is not None):
        share = _share(by_tier[rank], total)
        summary.append({"tier": rank, "label_zh": tiers[rank].label_zh, "label_en": tiers[rank].label_en,
                        "quantity_g": by_tier[rank], "share": share})
        parts.append(f"tier {rank} ({tiers[rank].label_en}) {share}")
    if None in by_tier:
        share = _share(by_tier[None], total)
        summary.append({"tier": None, "label_en": "outside the recommended order", "quantity_g": by_tier[None],
                        "share": share})
        parts.append(f"outside the recommended order {share}")
    unaccepted = sorted({line.kind for line in lines if not line.accepted})
    details: dict[str, Any] = {
        "profile": profile.id,
        "by_tier": summary,
        "lines": [
            {"record_id": line.record_id, "unit_type": line.unit_type, "quantity_g": line.quantity_g,
             "kind": line.kind, "tier": line.tier, "project_id": line.project_id}
            for line in lines
        ],
    }
    if unaccepted:
        details["kinds_not_in_profile"] = unaccepted
    if not lines:
        reason = "No proven offsets to rank yet."
    else:
        reason = f"By the {profile.id} recommended order: {'; '.join(parts)}."
        if unaccepted:
            reason += f" The profile does not list these kinds: {', '.join(unaccepted)}."
    reason += " The order is a recommendation; it never blocks approval."
    return CheckResult(PRIORITY, title, False, "advisory", reason, details)


def _share(part: int, total: int) -> str:
    # Integer arithmetic: a percentage with two decimals, rounded down, never a float.
    hundredths = part * 10_000 // total if total else 0
    return f"{hundredths // 100}.{hundredths % 100:02d}%"


def check_reductions(event: EventFacts) -> CheckResult:
    """Check 6: the implementation plan records reduction measures (reductions come before offsets)."""
    title = "Reductions before offsets"
    measures = event.reduction_measures
    if measures is None:
        return CheckResult(
            REDUCTIONS, title, True, "fail",
            "The event has no implementation plan on record, so no reduction measures precede the offsets.",
        )
    if not measures:
        return CheckResult(
            REDUCTIONS, title, True, "fail",
            "The implementation plan records no reduction measures; reductions must come before offsets.",
        )
    names = [measure.name for measure in measures]
    return CheckResult(
        REDUCTIONS, title, True, "pass",
        f"The implementation plan records {len(names)} reduction measure(s): {', '.join(names)}.",
        {"measures": names},
    )


def run_checks(
    evidence: Evidence,
    applied_on: date,
    method: str,
    contents: Mapping[str, Any],
    evaluation: Evaluation | None,
) -> list[CheckResult]:
    """Every check, in order."""
    event = evidence.event
    lines = evidence.ranked()
    return [
        check_inventory(event),
        check_coverage(event, evidence.offsets),
        check_deadline(event.policy, event.ends_on, applied_on, evidence.offsets.counted, lines),
        check_confirmation(event.policy, method, contents, evaluation),
        check_priority(evidence.profile, lines),
        check_reductions(event),
    ]
