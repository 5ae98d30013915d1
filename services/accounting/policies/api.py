"""Policy profiles over HTTP (public): each jurisdiction's rules as data, with their source clauses."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel

from services.accounting.errors import UnknownJurisdiction, UnknownPolicyProfile
from services.accounting.policies.document import PolicyProfile
from services.accounting.policies.profiles import default_profiles, list_profiles
from services.accounting.problems import as_problem
from services.accounting.records import LocalizedText

router = APIRouter(prefix="/v1/policies", tags=["policy profiles"])

JurisdictionOrProfile = Annotated[
    str, Path(min_length=1, max_length=100, description="A jurisdiction code (CN-HI) or a profile id (hainan-2023)")
]


class ProfileSummary(BaseModel):
    """A loaded profile: id, version, jurisdiction and title."""

    id: str
    version: str
    jurisdiction: str
    title: LocalizedText
    effective_from: date | None


class ProfileList(BaseModel):
    """Every loaded profile."""

    items: list[ProfileSummary]


@router.get("", response_model=ProfileList, summary="Every policy profile (public)")
def list_policies() -> ProfileList:
    """The loaded profiles, by jurisdiction."""
    return ProfileList(
        items=[
            ProfileSummary(
                id=p.id, version=p.version, jurisdiction=p.jurisdiction, title=p.title, effective_from=p.effective_from
            )
            for p in list_profiles()
        ]
    )


@router.get(
    "/{jurisdiction}",
    response_model=PolicyProfile,
    responses={404: {"description": "Not a jurisdiction code, or no profile for it nor its country"}},
    summary="The policy profile in force for a jurisdiction, or a profile by its id (public)",
)
def read_policy(jurisdiction: JurisdictionOrProfile, on: date | None = None) -> PolicyProfile:
    """The profile in force on `on` (latest when omitted); a province without one gets its country's.

    A profile id (`hainan-2023`, as events name it) returns that profile itself.
    """
    profiles = default_profiles()
    try:
        if jurisdiction == jurisdiction.lower() and "-" in jurisdiction:
            return profiles.get(jurisdiction)
        return profiles.for_jurisdiction(jurisdiction, on)
    except (UnknownJurisdiction, UnknownPolicyProfile) as exc:
        raise as_problem(exc, 404) from exc
