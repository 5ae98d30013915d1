"""Typed errors of the accounting domain: each has a stable slug and a title, and says what went wrong."""

from __future__ import annotations

from typing import Any


class AccountingError(Exception):
    """Base of every accounting domain error; `slug`, `title`, `detail` and `extensions` map onto RFC 9457."""

    slug = "accounting-error"
    title = "Accounting error"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class UnknownFactor(AccountingError):
    """An emission factor id that the factor library does not hold."""

    slug, title = "unknown-factor", "Unknown emission factor"


class UnknownUnit(AccountingError):
    """A unit the calculation cannot read."""

    slug, title = "unknown-unit", "Unknown unit"


class UnitMismatch(AccountingError):
    """Two units that measure different things (energy and mass, say)."""

    slug, title = "unit-mismatch", "Units cannot be converted into each other"


class InexactConversion(AccountingError):
    """A conversion whose exact result has no finite decimal expansion (GJ to kWh, say)."""

    slug, title = "inexact-conversion", "The conversion has no exact decimal result"


class InvalidQuantity(AccountingError):
    """A negative, non-finite or otherwise unusable quantity."""

    slug, title = "invalid-quantity", "Invalid quantity"


class InvalidActivityLine(AccountingError):
    """An activity line that contradicts itself or its emission factor."""

    slug, title = "invalid-activity-line", "Invalid activity line"


class GreenCertificateRequired(AccountingError):
    """Electricity claimed as green without the certificate references that prove it."""

    slug, title = "green-certificate-required", "Green electricity needs certificate references"


class InvalidEstimate(AccountingError):
    """Participant-based estimate inputs that cannot produce activity lines."""

    slug, title = "invalid-estimate", "Invalid estimate inputs"


class UnknownJurisdiction(AccountingError):
    """A jurisdiction code that is malformed or has neither its own nor a national policy profile."""

    slug, title = "unknown-jurisdiction", "No policy profile for this jurisdiction"


class UnknownPolicyProfile(AccountingError):
    """A policy profile id that is not loaded."""

    slug, title = "unknown-policy-profile", "Unknown policy profile"


class PolicyProfileError(AccountingError):
    """A policy profile file that cannot be read or breaks the profile rules."""

    slug, title = "invalid-policy-profile", "Invalid policy profile"


class FactorDatasetError(AccountingError):
    """An emission factor data file that cannot be read or breaks the dataset rules."""

    slug, title = "invalid-factor-dataset", "Invalid emission factor dataset"


class InvalidPolicyQuery(AccountingError):
    """Event facts a policy cannot be resolved for (an unknown host type, a negative headcount)."""

    slug, title = "invalid-policy-query", "Invalid event facts for policy resolution"


class InvalidEvent(AccountingError):
    """Event facts that cannot be true: an end before the start, an absurd duration or date."""

    slug, title = "invalid-event", "Invalid event"


class InvalidPlan(AccountingError):
    """An implementation plan that contradicts itself (a boundary with gaps, lines outside it)."""

    slug, title = "invalid-plan", "Invalid implementation plan"


class UnknownFactorDataset(AccountingError):
    """A factor dataset version that is not shipped."""

    slug, title = "unknown-factor-dataset", "Unknown emission factor dataset version"
