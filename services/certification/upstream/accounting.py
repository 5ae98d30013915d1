"""Reading accounting over REST: the event with its resolved policy, plan and accounted emissions.

``GET /accounting/v1/events/{id}`` carries everything certification needs: the owner, the dates, the
policy resolved for the event's band (confirmation methods, self-commitment contents, deadlines, the
recommended offset order, accepted offset kinds and the certificate issuer), the plan's reduction
measures and the submitted inventory's total.
"""

from __future__ import annotations

from urllib.parse import quote

from services.certification.problems import UnknownEvent
from services.certification.upstream.facts import (
    AccountedFacts,
    EventFacts,
    OffsetTier,
    PolicyFacts,
    ProfileFacts,
    ReductionMeasure,
    SinkDeadline,
    Transition,
)
from services.certification.upstream.reading import Reader, json_answer
from shared.service_client import ServiceClient

SOURCE = "accounting"


def _sink_deadline(item: Reader) -> SinkDeadline:
    return SinkDeadline(id=item.text("id"), due_on=item.day("due_on"), applies_to=item.strings("applies_to"))


def parse_policy(policy: Reader) -> PolicyFacts:
    """The policy accounting resolved for the event."""
    primary = policy.text("confirmation_method")
    commitment = policy.optional_child("self_commitment")
    return PolicyFacts(
        profile_id=policy.text("profile_id"),
        version=policy.text("version"),
        band=policy.text("band"),
        confirmation_method=primary,
        accepted_methods=policy.strings("accepted_confirmation_methods") or (primary,),
        self_commitment_contents=commitment.strings("contents") if commitment is not None else (),
        neutrality_deadline=policy.day("deadline"),
        sink_deadlines=tuple(_sink_deadline(d) for d in policy.children("sink_project_deadlines")),
    )


def _tier(tier: Reader) -> OffsetTier:
    label = tier.child("label")
    return OffsetTier(
        rank=tier.integer("tier"),
        label_zh=label.text("zh"),
        label_en=label.text("en"),
        kinds=tier.strings("kinds"),
        unit_types=tier.strings("unit_types"),
    )


def parse_profile(policy: Reader) -> ProfileFacts:
    """The profile's offset order and certificate terms, as the event's policy carries them."""
    certificate = policy.optional_child("certificate")
    issuer = certificate.optional_child("issuer") if certificate is not None else None
    return ProfileFacts(
        id=policy.text("profile_id"),
        version=policy.text("version"),
        jurisdiction=policy.text("jurisdiction"),
        accepted_kinds=policy.strings("accepted_offsets"),
        tiers=tuple(sorted((_tier(t) for t in policy.children("priority")), key=lambda t: t.rank)),
        certificate_issued=certificate.boolean("issued", False) if certificate is not None else False,
        issuer_zh=issuer.text("zh") if issuer is not None else None,
        issuer_en=issuer.text("en") if issuer is not None else None,
    )


def _accounted(accounted: Reader | None) -> AccountedFacts | None:
    if accounted is None:
        return None
    return AccountedFacts(
        total_kgco2e=accounted.decimal("total_kgco2e"),
        inventory_version=accounted.optional_integer("inventory_version"),
        submitted_at=accounted.optional_text("submitted_at"),
    )


def _measures(plan: Reader | None) -> tuple[ReductionMeasure, ...] | None:
    if plan is None:
        return None
    return tuple(
        ReductionMeasure(
            name=measure.text("name"),
            expected_kgco2e=measure.decimal("expected_kgco2e") if measure.has("expected_kgco2e") else None,
        )
        for measure in plan.children("reduction_measures")
    )


def parse_event(event: Reader) -> EventFacts:
    """An event as accounting returns it from GET /v1/events/{id}."""
    policy = event.child("policy")
    return EventFacts(
        id=event.text("id"),
        name=event.text("name"),
        organizers=event.strings("organizers"),
        owner=event.text("owner"),
        jurisdiction=event.text("jurisdiction"),
        starts_on=event.day("starts_at"),
        ends_on=event.day("ends_at"),
        status=event.text("status"),
        expected_participants=event.optional_integer("expected_participants"),
        actual_participants=event.optional_integer("actual_participants"),
        policy=parse_policy(policy),
        profile=parse_profile(policy),
        accounted=_accounted(event.optional_child("accounted")),
        reduction_measures=_measures(event.optional_child("plan")),
        may_apply=_transition(event.child("lifecycle").child("transitions").child("apply")),
    )


def _transition(step: Reader) -> Transition:
    allowed = step.boolean("allowed", False)
    return Transition(allowed=allowed, rule=step.text("rule"), reason=step.optional_text("reason"))


class AccountingReader:
    """Accounting's reads, called with the certification service's own token (events:read)."""

    def __init__(self, client: ServiceClient) -> None:
        self.client = client

    def event(self, event_id: str) -> EventFacts:
        """The event, or UnknownEvent when accounting has none with this id."""
        response = self.client.request("GET", SOURCE, f"/v1/events/{quote(event_id, safe='')}")
        if response.status_code == 404:
            raise UnknownEvent(f"Accounting has no event {event_id}.", event_id=event_id)
        return parse_event(Reader(SOURCE, json_answer(SOURCE, response, f"event {event_id}")))
