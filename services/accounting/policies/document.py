"""The shape of a policy profile file: every rule of a jurisdiction's guidance, each with its source clause."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from services.accounting.policies.vocabulary import (
    JURISDICTION_PATTERN,
    ConfirmationMethod,
    DisclosureField,
    HostType,
    Obligation,
    OffsetKind,
)
from services.accounting.records import FrozenModel, LocalizedText


class SourceRef(FrozenModel):
    """The clause a rule comes from: document key, clause number, a short quote of the original."""

    document: str
    clause: str = Field(min_length=1)
    quote: str = Field(min_length=1)
    verified: bool = True
    note: str | None = None

    @model_validator(mode="after")
    def _unverified_says_why(self) -> SourceRef:
        if not self.verified and not self.note:
            raise ValueError(f"source {self.clause}: an unverified source needs a note saying what to check")
        return self


class SourceDocument(FrozenModel):
    """A policy document; anything the text itself does not state is left empty with a note saying so."""

    key: str = Field(min_length=1)
    name: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    issuers: tuple[str, ...] = ()
    date: dt.date | None = None
    number: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _gaps_explained(self) -> SourceDocument:
        if (not self.issuers or self.date is None or self.number is None) and not self.note:
            raise ValueError(f"document {self.key}: a missing issuer, date or number needs a note")
        return self


class Rule(FrozenModel):
    """Any rule: where it comes from, and how the platform reads it when the text leaves room."""

    source: SourceRef
    note: str | None = None


class ObligationRule(Rule):
    """Whether neutrality is required, encouraged or voluntary."""

    level: Obligation


class ConfirmationRule(Rule):
    """Accepted confirmation methods, the primary one first."""

    methods: tuple[ConfirmationMethod, ...] = Field(min_length=1)


class SelfCommitmentRule(Rule):
    """What a self-commitment must state."""

    contents: tuple[DisclosureField, ...] = Field(min_length=1)


class Band(FrozenModel):
    """A participant band for some host types, and what it means."""

    id: str = Field(min_length=1)
    label: LocalizedText
    host_types: tuple[HostType, ...] = Field(min_length=1)
    min_participants: int = Field(default=0, ge=0)
    max_participants: int | None = None
    obligation: ObligationRule
    confirmation: ConfirmationRule
    self_commitment: SelfCommitmentRule | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Band:
        if self.max_participants is not None and self.max_participants < self.min_participants:
            raise ValueError(f"band {self.id}: max_participants is below min_participants")
        return self

    def covers(self, host_type: HostType, participants: int) -> bool:
        """Whether an event of `host_type` with `participants` falls in this band."""
        upper_ok = self.max_participants is None or participants <= self.max_participants
        return host_type in self.host_types and self.min_participants <= participants and upper_ok


class Deadline(Rule):
    """A deadline counted in calendar months from the day the event ends."""

    id: str = Field(min_length=1)
    label: LocalizedText
    months_after_end: int = Field(ge=0)
    applies_to: tuple[OffsetKind, ...] = ()


class Deadlines(FrozenModel):
    """The neutrality deadline, and longer ones for new sink projects where the guidance sets them."""

    neutrality: Deadline
    sink_projects: tuple[Deadline, ...] = ()


class OffsetTier(Rule):
    """One rank of the recommended offset order."""

    rank: int = Field(ge=1)
    label: LocalizedText
    kinds: tuple[OffsetKind, ...] = Field(min_length=1)
    unit_types: tuple[str, ...] = ()


class OffsetConstraint(Rule):
    """A condition attached to using some offset kinds."""

    id: str = Field(min_length=1)
    applies_to: tuple[OffsetKind, ...] = Field(min_length=1)
    statement: LocalizedText


class Offsets(FrozenModel):
    """Accepted offset kinds, the recommended order (a recommendation, never a block) and constraints."""

    accepted: tuple[OffsetKind, ...] = Field(min_length=1)
    accepted_source: SourceRef
    tiers: tuple[OffsetTier, ...] = ()
    constraints: tuple[OffsetConstraint, ...] = ()

    @model_validator(mode="after")
    def _tiers_consistent(self) -> Offsets:
        if [tier.rank for tier in self.tiers] != list(range(1, len(self.tiers) + 1)):
            raise ValueError("offset tiers must be ranked 1, 2, 3, ... in order")
        ranked = [kind for tier in self.tiers for kind in tier.kinds]
        if len(ranked) != len(set(ranked)):
            raise ValueError("an offset kind appears in more than one tier")
        if not set(ranked) <= set(self.accepted):
            raise ValueError("a tier lists an offset kind that is not accepted")
        return self


class CancellationRule(Rule):
    """Where offsets of some kinds are cancelled, and whether proof and disclosure are required."""

    kinds: tuple[OffsetKind, ...] = Field(min_length=1)
    place: Literal["platform", "external_registry"]
    proof_required: bool
    disclosed: bool


class DisclosureRule(Rule):
    """What is made public, for which bands (all when empty), and where."""

    id: str = Field(min_length=1)
    bands: tuple[str, ...] = ()
    fields: tuple[DisclosureField, ...] = ()
    channel: str | None = None


class CertificateRule(Rule):
    """Whether the guidance provides a certificate, and who issues it."""

    issued: bool
    name: str | None = None
    issuer: LocalizedText | None = None

    @model_validator(mode="after")
    def _issuer_named(self) -> CertificateRule:
        if self.issued and self.issuer is None:
            raise ValueError("a certificate that is issued needs its issuer")
        return self


class AuditRule(Rule):
    """Whether certified events are audited at random and certificates revoked."""

    random_audits: bool
    revocation: bool
    conducted_by: LocalizedText | None = None


class Requirement(Rule):
    """Any further obligation of the guidance (plan, accounting, reduction measures)."""

    id: str = Field(min_length=1)
    statement: LocalizedText


class PolicyProfile(FrozenModel):
    """One jurisdiction's guidance on carbon-neutral large events, as data."""

    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    version: str = Field(min_length=1)
    jurisdiction: str = Field(pattern=JURISDICTION_PATTERN)
    title: LocalizedText
    effective_from: dt.date | None = None
    documents: tuple[SourceDocument, ...] = Field(min_length=1)
    bands: tuple[Band, ...] = Field(min_length=1)
    deadlines: Deadlines
    offsets: Offsets
    cancellation: tuple[CancellationRule, ...] = ()
    disclosure: tuple[DisclosureRule, ...] = ()
    certificate: CertificateRule
    audit: AuditRule
    requirements: tuple[Requirement, ...] = ()

    @model_validator(mode="after")
    def _coherent(self) -> PolicyProfile:
        keys = {document.key for document in self.documents}
        for source in self.sources():
            if source.document not in keys:
                raise ValueError(f"a rule cites document {source.document!r}, which the profile does not list")
        band_ids = {band.id for band in self.bands}
        if len(band_ids) != len(self.bands):
            raise ValueError("band ids must be unique")
        for rule in self.disclosure:
            if not set(rule.bands) <= band_ids:
                raise ValueError(f"disclosure {rule.id} names a band the profile does not define")
        for host_type in HostType:
            _check_partition(host_type, [band for band in self.bands if host_type in band.host_types])
        return self

    def sources(self) -> list[SourceRef]:
        """Every source the profile cites, one per rule."""
        rules: list[Rule] = [self.deadlines.neutrality, *self.deadlines.sink_projects, *self.offsets.tiers]
        rules += [*self.offsets.constraints, *self.cancellation, *self.disclosure, self.certificate, self.audit]
        rules += list(self.requirements)
        for band in self.bands:
            rules += [band.obligation, band.confirmation]
            rules += [band.self_commitment] if band.self_commitment else []
        return [rule.source for rule in rules] + [self.offsets.accepted_source]


def _check_partition(host_type: HostType, bands: list[Band]) -> None:
    # Each host type's bands must cover every participant count exactly once, so resolution never
    # finds two bands or none.
    next_min: int | None = 0
    for band in sorted(bands, key=lambda b: b.min_participants):
        if next_min is None or band.min_participants != next_min:
            raise ValueError(f"bands for {host_type} overlap or leave a gap at band {band.id}")
        next_min = None if band.max_participants is None else band.max_participants + 1
    if next_min is not None:
        raise ValueError(f"bands for {host_type} do not cover {next_min} participants and more")
