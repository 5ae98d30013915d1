"""A check's outcome, and the exact wording of quantities in reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

Result = Literal["pass", "fail", "advisory"]

INVENTORY = "inventory_submitted"
COVERAGE = "coverage"
DEADLINE = "deadline"
CONFIRMATION = "confirmation_method"
PRIORITY = "priority_order"
REDUCTIONS = "reductions_before_offsets"
ORDER = (INVENTORY, COVERAGE, DEADLINE, CONFIRMATION, PRIORITY, REDUCTIONS)


@dataclass(frozen=True)
class CheckResult:
    """One check: whether it is required for approval, its result, and a reason a person can act on."""

    id: str
    title: str
    required: bool
    result: Result
    reason: str
    details: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The stored and returned form."""
        return {
            "id": self.id,
            "title": self.title,
            "required": self.required,
            "result": self.result,
            "reason": self.reason,
            "details": self.details,
        }


def all_required_pass(checks: list[CheckResult] | list[dict[str, Any]]) -> bool:
    """Whether every required check passes (advisory checks never block)."""
    for check in checks:
        required, result = (check.required, check.result) if isinstance(check, CheckResult) else (
            check["required"], check["result"]
        )
        if required and result != "pass":
            return False
    return True


def grams(quantity: int) -> str:
    """Grams with thousands separators and their tonnes, exactly: '1,000,001 g (1.000001 t)'."""
    tonnes = Decimal(quantity).scaleb(-6).normalize()
    return f"{quantity:,} g ({format(tonnes, ',f')} t)"
