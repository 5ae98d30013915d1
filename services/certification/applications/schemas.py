"""What the applications API takes and returns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.canonical import canonical_bytes

Identifier = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9:._@-]*$")]
Method = Literal["self_commitment", "third_party"]
MAX_CONTENT_ITEMS = 30
MAX_CONTENT_BYTES = 20_000
MAX_CONTENT_DEPTH = 8
MAX_ITEM_NAME = 50


def nesting_depth(value: Any, give_up_past: int) -> int:
    """How deeply lists and objects nest in `value`, counted without recursion (stops past `give_up_past`)."""
    deepest, pending = 0, [(value, 0)]
    while pending:
        item, depth = pending.pop()
        deepest = max(deepest, depth)
        if deepest > give_up_past:
            break
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        pending.extend((child, depth + 1) for child in children)
    return deepest


class ConfirmationIn(BaseModel):
    """How neutrality is confirmed. A self-commitment also states, as further members, each item its profile lists.

    Hainan: event_name, organizers, dates, accounted_emissions, offset_method. Shandong: also scale,
    accounting_boundary, neutrality_date and confirmation_method. A third-party evaluation is recorded
    separately by the accredited body (POST /v1/applications/{id}/verifications).
    """

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            # The method and up to MAX_CONTENT_ITEMS items, whose canonical JSON takes at most
            # MAX_CONTENT_BYTES and nests at most MAX_CONTENT_DEPTH deep (checked below).
            "maxProperties": MAX_CONTENT_ITEMS + 1,
            "propertyNames": {"maxLength": MAX_ITEM_NAME},
            "examples": [
                {
                    "method": "self_commitment",
                    "event_name": "2026 海口国际消费品博览会",
                    "organizers": ["海南省商务厅"],
                    "dates": "2026-04-13 — 2026-04-16",
                    "accounted_emissions": "1448500.5 kgCO2e",
                    "offset_method": "HNCI retired on Lingtan; CCER cancelled in the national registry",
                }
            ]
        },
    )

    method: Method

    @model_validator(mode="after")
    def _bounded(self) -> ConfirmationIn:
        contents = self.contents()
        if len(contents) > MAX_CONTENT_ITEMS:
            raise ValueError(f"a confirmation states at most {MAX_CONTENT_ITEMS} items")
        if any(len(name) > MAX_ITEM_NAME for name in contents):
            raise ValueError(f"item names are at most {MAX_ITEM_NAME} characters")
        # Before anything walks the items recursively: a deep enough nesting would exhaust the stack.
        if nesting_depth(contents, MAX_CONTENT_DEPTH) > MAX_CONTENT_DEPTH:
            raise ValueError(f"a confirmation's items nest at most {MAX_CONTENT_DEPTH} levels deep")
        if len(canonical_bytes(contents)) > MAX_CONTENT_BYTES:
            raise ValueError(f"the confirmation's items take at most {MAX_CONTENT_BYTES} bytes")
        return self

    def contents(self) -> dict[str, Any]:
        """The items stated besides the method."""
        return dict(self.model_extra or {})


class ApplicationCreate(BaseModel):
    """An application for an event's carbon-neutrality certificate."""

    model_config = ConfigDict(extra="forbid")

    event_id: Identifier
    confirmation: ConfirmationIn


class DecisionIn(BaseModel):
    """The issuer's decision; approval issues the certificate when every required check passes."""

    model_config = ConfigDict(extra="forbid")

    approve: bool
    reason: Annotated[str, Field(max_length=2000)] | None = None

    @model_validator(mode="after")
    def _rejection_says_why(self) -> DecisionIn:
        if not self.approve and not (self.reason or "").strip():
            raise ValueError("a rejection needs a reason")
        return self


class CheckOut(BaseModel):
    """One check: whether approval needs it, its result and the reason."""

    id: str
    title: str
    required: bool
    result: Literal["pass", "fail", "advisory"]
    reason: str
    details: dict[str, Any]


class DecisionOut(BaseModel):
    """The decision on record."""

    approved: bool
    reason: str | None
    decided_at: datetime
    decided_by: str


class ApplicationOut(BaseModel):
    """An application with each check as last run."""

    id: str
    event_id: str
    owner: str
    jurisdiction: str
    status: Literal["open", "approved", "rejected"]
    ready: bool = Field(description="Every required check passes: the issuer may approve")
    confirmation: dict[str, Any]
    applied_on: date = Field(description="The application date in China, which the deadline check uses")
    policy: dict[str, Any] = Field(description="The policy the checks applied, as accounting resolved it")
    checks: list[CheckOut]
    checked_at: datetime
    evaluations: list[str] = Field(description="Ids of third-party evaluations recorded for the application")
    decision: DecisionOut | None
    certificate_id: str | None
    certificate_url: str | None
