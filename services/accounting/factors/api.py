"""The emission factor library over HTTP (public): every factor with its value, unit and source."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from services.accounting.errors import UnknownFactor, UnknownFactorDataset
from services.accounting.factors.entries import ElectricitySettings, EmissionFactor
from services.accounting.factors.library import DEFAULT_VERSION, FactorLibrary, available_versions, library_version
from services.accounting.inventory.vocabulary import Category
from services.accounting.paths import RecordId
from services.accounting.problems import as_problem

router = APIRouter(prefix="/v1/factors", tags=["emission factors"])
Version = Annotated[str | None, Query(max_length=40, description="A dataset version; the current one if omitted.")]


class FactorList(BaseModel):
    """A dataset's factors matching the filters."""

    dataset: str
    version: str
    versions: list[str]
    title: str
    electricity: ElectricitySettings
    items: list[EmissionFactor]


def _library(version: str | None) -> FactorLibrary:
    try:
        return library_version(version or DEFAULT_VERSION)
    except UnknownFactorDataset as exc:
        raise as_problem(exc, 404) from exc


@router.get("", response_model=FactorList, summary="The emission factor library, with filters (public)")
def list_factors(
    category: Category | None = None,
    geography: Annotated[str | None, Query(max_length=40)] = None,
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    verified: bool | None = None,
    version: Version = None,
) -> FactorList:
    """Every factor of the dataset matching every filter given (the dataset is bounded; no paging needed)."""
    library = _library(version)
    return FactorList(
        dataset=library.dataset,
        version=library.version,
        versions=list(available_versions()),
        title=library.title,
        electricity=library.electricity,
        items=list(library.list(category=category, geography=geography, year=year, verified=verified)),
    )


@router.get("/{factor_id}", response_model=EmissionFactor, summary="One emission factor (public)")
def read_factor(factor_id: RecordId, version: Version = None) -> EmissionFactor:
    """The factor with its value, unit, gas basis, geography, year, boundary notes and source."""
    try:
        return _library(version).get(factor_id)
    except UnknownFactor as exc:
        raise as_problem(exc, 404) from exc
