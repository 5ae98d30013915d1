"""Load the policy profiles of a folder, list them, and resolve which rules apply to an event.

A jurisdiction without a profile of its own falls back to its country's profile (CN: the national
guideline), and a new province is one more file in the folder.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from services.accounting.errors import (
    InvalidPolicyQuery,
    PolicyProfileError,
    UnknownJurisdiction,
    UnknownPolicyProfile,
)
from services.accounting.policies.deadlines import add_months
from services.accounting.policies.document import Deadline, DisclosureRule, PolicyProfile, SourceRef
from services.accounting.policies.vocabulary import (
    JURISDICTION_PATTERN,
    ConfirmationMethod,
    DisclosureField,
    HostType,
    Obligation,
    OffsetKind,
)
from services.accounting.records import FrozenModel, LocalizedText

PROFILES_DIR = Path(__file__).resolve().parent / "profiles"


class ResolvedDeadline(FrozenModel):
    """A deadline made concrete for one event."""

    id: str
    label: LocalizedText
    due_on: date
    months_after_end: int
    applies_to: tuple[OffsetKind, ...]
    source: SourceRef
    note: str | None


class PolicyResolution(FrozenModel):
    """What a policy profile means for one event: band, obligation, confirmation and deadlines."""

    profile_id: str
    profile_version: str
    profile_jurisdiction: str
    requested_jurisdiction: str
    fallback: bool
    host_type: HostType
    expected_participants: int
    ends_on: date
    band_id: str
    band_label: LocalizedText
    obligation: Obligation
    obligation_source: SourceRef
    confirmation_method: ConfirmationMethod
    accepted_confirmation_methods: tuple[ConfirmationMethod, ...]
    confirmation_source: SourceRef
    self_commitment_contents: tuple[DisclosureField, ...]
    self_commitment_source: SourceRef | None
    neutrality_deadline: date
    neutrality_deadline_source: SourceRef
    sink_project_deadlines: tuple[ResolvedDeadline, ...]
    disclosures: tuple[DisclosureRule, ...]
    notes: tuple[str, ...]


def read_profile(path: Path) -> PolicyProfile:
    """Read and validate one profile file; its `id` must equal the file name without `.toml`."""
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
        profile = PolicyProfile.model_validate(raw)
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as exc:
        raise PolicyProfileError(f"Policy profile {path.name} is invalid: {exc}", file=path.name) from exc
    if profile.id != path.stem:
        raise PolicyProfileError(
            f"Policy profile {path.name} declares id {profile.id!r}; the id must equal the file name.",
            file=path.name,
        )
    return profile


def _normalized(jurisdiction: str) -> str:
    code = jurisdiction.strip().upper()
    if not re.fullmatch(JURISDICTION_PATTERN, code):
        raise UnknownJurisdiction(
            f"{jurisdiction!r} is not a jurisdiction code; use ISO 3166 codes such as CN, CN-HI or CN-SD.",
            jurisdiction=jurisdiction,
        )
    return code


def _deadline(rule: Deadline, ends_on: date) -> ResolvedDeadline:
    return ResolvedDeadline(
        id=rule.id,
        label=rule.label,
        due_on=add_months(ends_on, rule.months_after_end),
        months_after_end=rule.months_after_end,
        applies_to=rule.applies_to,
        source=rule.source,
        note=rule.note,
    )


class ProfileRegistry:
    """A validated set of policy profiles."""

    def __init__(self, profiles: Iterable[PolicyProfile]) -> None:
        self._profiles = tuple(sorted(profiles, key=lambda p: (p.jurisdiction, p.effective_from or date.min)))
        self._by_id: dict[str, PolicyProfile] = {}
        seen: set[tuple[str, date | None]] = set()
        for profile in self._profiles:
            if profile.id in self._by_id:
                raise PolicyProfileError(f"Two policy profiles share the id {profile.id!r}.")
            key = (profile.jurisdiction, profile.effective_from)
            if key in seen:
                raise PolicyProfileError(
                    f"Two policy profiles for {profile.jurisdiction} take effect on the same date; "
                    "give them different effective_from dates."
                )
            seen.add(key)
            self._by_id[profile.id] = profile

    @classmethod
    def from_folder(cls, folder: Path) -> ProfileRegistry:
        """Every `*.toml` profile in `folder`."""
        return cls(read_profile(path) for path in sorted(folder.glob("*.toml")))

    def all(self) -> tuple[PolicyProfile, ...]:
        """Every profile, by jurisdiction then effective date."""
        return self._profiles

    def get(self, profile_id: str) -> PolicyProfile:
        """The profile `profile_id`, or UnknownPolicyProfile."""
        profile = self._by_id.get(profile_id)
        if profile is None:
            raise UnknownPolicyProfile(f"No policy profile {profile_id!r} is loaded.", profile_id=profile_id)
        return profile

    def _in_force(self, code: str, on: date | None) -> PolicyProfile | None:
        candidates = [
            p
            for p in self._profiles
            if p.jurisdiction == code and (on is None or p.effective_from is None or p.effective_from <= on)
        ]
        return candidates[-1] if candidates else None

    def for_jurisdiction(self, jurisdiction: str, on: date | None = None) -> PolicyProfile:
        """The profile in force in `jurisdiction` on `on` (latest when None), else its country's profile."""
        code = _normalized(jurisdiction)
        profile = self._in_force(code, on) or self._in_force(code.split("-")[0], on)
        if profile is None:
            raise UnknownJurisdiction(
                f"No policy profile applies to {code}, and its country has no profile either.",
                jurisdiction=code,
            )
        return profile

    def resolve(
        self, jurisdiction: str, host_type: HostType | str, expected_participants: int, ends_on: date
    ) -> PolicyResolution:
        """The band, obligation, confirmation method and deadlines for one event."""
        try:
            host = HostType(host_type)
        except ValueError:
            known = ", ".join(h.value for h in HostType)
            raise InvalidPolicyQuery(f"Unknown host type {host_type!r}; use one of {known}.") from None
        if isinstance(ends_on, datetime):
            # A datetime's calendar day depends on its time zone; the caller knows the event's local day.
            raise InvalidPolicyQuery("Give the day the event ends as a date in local time, not a datetime.")
        if isinstance(expected_participants, bool) or expected_participants < 0:
            raise InvalidPolicyQuery(f"Participants must be zero or more (got {expected_participants}).")
        profile = self.for_jurisdiction(jurisdiction, ends_on)
        band = next(b for b in profile.bands if b.covers(host, expected_participants))
        commitment = band.self_commitment
        notes = [rule.note for rule in (band.obligation, band.confirmation, commitment) if rule and rule.note]
        return PolicyResolution(
            profile_id=profile.id,
            profile_version=profile.version,
            profile_jurisdiction=profile.jurisdiction,
            requested_jurisdiction=_normalized(jurisdiction),
            fallback=profile.jurisdiction != _normalized(jurisdiction),
            host_type=host,
            expected_participants=expected_participants,
            ends_on=ends_on,
            band_id=band.id,
            band_label=band.label,
            obligation=band.obligation.level,
            obligation_source=band.obligation.source,
            confirmation_method=band.confirmation.methods[0],
            accepted_confirmation_methods=band.confirmation.methods,
            confirmation_source=band.confirmation.source,
            self_commitment_contents=commitment.contents if commitment else (),
            self_commitment_source=commitment.source if commitment else None,
            neutrality_deadline=add_months(ends_on, profile.deadlines.neutrality.months_after_end),
            neutrality_deadline_source=profile.deadlines.neutrality.source,
            sink_project_deadlines=tuple(_deadline(rule, ends_on) for rule in profile.deadlines.sink_projects),
            disclosures=tuple(rule for rule in profile.disclosure if not rule.bands or band.id in rule.bands),
            notes=tuple(notes),
        )


def load_profiles(folder: Path | None = None) -> ProfileRegistry:
    """The profiles of `folder` (the shipped profiles when None)."""
    return ProfileRegistry.from_folder(folder or PROFILES_DIR)


@lru_cache(maxsize=1)
def default_profiles() -> ProfileRegistry:
    """The shipped profiles, loaded once per process."""
    return load_profiles()


def list_profiles() -> tuple[PolicyProfile, ...]:
    """Every shipped profile."""
    return default_profiles().all()


def resolve(
    jurisdiction: str, host_type: HostType | str, expected_participants: int, ends_on: date
) -> PolicyResolution:
    """Resolve an event against the shipped profiles; see ProfileRegistry.resolve."""
    return default_profiles().resolve(jurisdiction, host_type, expected_participants, ends_on)
