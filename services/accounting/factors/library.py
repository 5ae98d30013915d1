"""Load an emission factor dataset, look factors up by id and list them with filters."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from services.accounting.errors import AccountingError, FactorDatasetError, UnknownFactor, UnknownFactorDataset
from services.accounting.factors.entries import (
    ElectricitySettings,
    EmissionFactor,
    EstimateDefaults,
    FactorDataset,
)
from services.accounting.inventory.vocabulary import Category

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_VERSION = "2026.1"


def dataset_path(version: str = DEFAULT_VERSION) -> Path:
    """The data file of dataset `version`."""
    return DATA_DIR / f"factors-{version}.toml"


class FactorLibrary:
    """One loaded, validated emission factor dataset."""

    def __init__(self, dataset: FactorDataset) -> None:
        self._dataset = dataset
        self._by_id = {factor.id: factor for factor in dataset.factors}

    @property
    def dataset(self) -> str:
        """The dataset's name."""
        return self._dataset.dataset

    @property
    def version(self) -> str:
        """The dataset's version, recorded with every calculation that uses it."""
        return self._dataset.version

    @property
    def title(self) -> str:
        """A human title for the dataset."""
        return self._dataset.title

    @property
    def electricity(self) -> ElectricitySettings:
        """Location-based default and market-based residual electricity factors."""
        return self._dataset.electricity

    @property
    def estimates(self) -> EstimateDefaults:
        """Defaults of participant-based estimates."""
        return self._dataset.estimates

    def get(self, factor_id: str) -> EmissionFactor:
        """The factor `factor_id`, or UnknownFactor."""
        factor = self._by_id.get(factor_id)
        if factor is None:
            raise UnknownFactor(
                f"The factor library {self.dataset} {self.version} has no factor {factor_id!r}.",
                factor_id=factor_id,
                dataset_version=self.version,
            )
        return factor

    def list(
        self,
        *,
        category: Category | None = None,
        geography: str | None = None,
        year: int | None = None,
        verified: bool | None = None,
    ) -> tuple[EmissionFactor, ...]:
        """Factors matching every filter given, in dataset order; a category filter includes `also_for`."""
        return tuple(
            factor
            for factor in self._dataset.factors
            if (category is None or factor.applies_to(category))
            and (geography is None or factor.geography == geography)
            and (year is None or factor.year == year)
            and (verified is None or factor.verified == verified)
        )


def load_library(path: Path | None = None) -> FactorLibrary:
    """Read and validate a factor data file (the default dataset when `path` is None)."""
    path = path or dataset_path()
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise FactorDatasetError(f"Cannot read the factor dataset {path.name}: {exc}", file=path.name) from exc
    try:
        dataset = FactorDataset.model_validate(raw)
    except (ValidationError, AccountingError) as exc:
        raise FactorDatasetError(f"The factor dataset {path.name} is invalid: {exc}", file=path.name) from exc
    if path.stem != f"factors-{dataset.version}":
        raise FactorDatasetError(
            f"The factor dataset {path.name} declares version {dataset.version}; name it "
            f"factors-{dataset.version}.toml so file and version cannot disagree.",
            file=path.name,
        )
    return FactorLibrary(dataset)


@lru_cache(maxsize=1)
def default_library() -> FactorLibrary:
    """The default dataset, loaded once per process."""
    return load_library()


def available_versions() -> tuple[str, ...]:
    """The versions of the datasets shipped with the package."""
    return tuple(sorted(path.stem.removeprefix("factors-") for path in DATA_DIR.glob("factors-*.toml")))


@lru_cache(maxsize=8)
def library_version(version: str) -> FactorLibrary:
    """The shipped dataset `version` (an inventory pins the version it used), or UnknownFactorDataset."""
    if version not in available_versions():
        raise UnknownFactorDataset(
            f"No emission factor dataset {version!r} is shipped; available: {', '.join(available_versions())}.",
            version=version,
        )
    return default_library() if version == DEFAULT_VERSION else load_library(dataset_path(version))
