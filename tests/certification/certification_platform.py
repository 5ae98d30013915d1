"""The actors of a certification on the running platform, each acting through the gateway with its own token."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx

from tests.support.events import wait_until_known
from tests.support.running import RunningPlatform

SOURCE_TYPES = ["fixed_combustion", "mobile_combustion", "purchased_electricity", "purchased_heat", "travel",
                "accommodation", "catering", "materials", "waste", "water"]
ORGANIZER_SCOPES = "events:read events:write registry:read registry:transfer registry:retire certification:apply"


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    """The JSON of a response that must have the given status."""
    assert response.status_code == status, f"{response.request.method} {response.request.url}: {response.text}"
    answer: dict[str, Any] = response.json()
    return answer


@dataclass
class Organizer:
    """An organizer: its events in accounting, its account in the registry, its applications."""

    http: httpx.Client
    owner: str
    platform: RunningPlatform

    def event(self, *, jurisdiction: str = "CN-HI", host_type: str = "government", participants: int = 2800,
              ended_days_ago: int = 30, name: str = "Hainan International Consumer Products Expo") -> str:
        """Create an event that ended some days ago, open to donations; its id once the registry knows it."""
        ends = date.today() - timedelta(days=ended_days_ago)
        body = {"name": name, "organizers": ["海南省商务厅", "Hainan Provincial Department of Commerce"],
                "kind": "exhibition", "jurisdiction": jurisdiction, "host_type": host_type, "venue": "Haikou",
                "starts_at": (ends - timedelta(days=3)).isoformat(), "ends_at": ends.isoformat(),
                "expected_participants": participants, "accepts_donations": True}
        event_id = str(ok(self.http.post("/accounting/v1/events", json=body), 201)["id"])
        wait_until_known(self.platform, event_id)
        return event_id

    def plan(self, event_id: str, measures: tuple[str, ...] = ("100% green electricity", "no disposable plastics")
             ) -> None:
        """The implementation plan: every source type in the boundary, the reduction measures given."""
        body = {"boundary": [{"source_type": s, "included": True, "reason": "in the guideline"} for s in SOURCE_TYPES],
                "reduction_measures": [{"name": m, "expected_kgco2e": "100"} for m in measures]}
        ok(self.http.put(f"/accounting/v1/events/{event_id}/plan", json=body))

    def inventory(self, event_id: str, meals: str, factor: str, submit: bool = True) -> None:
        """One catering line with the caterer's own factor: meals x factor kgCO2e accounted."""
        line = {"category": "catering", "quantity": meals, "unit": "meal", "data_quality": "measured",
                "phase": "holding", "custom_factor": {"value": factor, "unit": "kgCO2e/meal",
                                                      "source": "the caterer's audited factor"}}
        ok(self.http.put(f"/accounting/v1/events/{event_id}/inventory",
                         json={"actual_participants": 2700, "lines": [line]}))
        if submit:
            ok(self.http.post(f"/accounting/v1/events/{event_id}/inventory/submit"))

    def account(self, kind: str = "organization") -> str:
        """Open a registry account for this owner."""
        body = {"owner": self.owner, "kind": kind, "name": f"{self.owner} account"}
        return str(ok(self.http.post("/registry/v1/accounts", json=body), 201)["id"])

    def retire(self, event_id: str, account: str, grams: int, unit_type: str = "HNCI") -> dict[str, Any]:
        """Retire credits for an event."""
        body = {"event_id": event_id, "from_account": account, "quantity": grams, "unit_type": unit_type,
                "beneficiary": "the event's organizer", "reason": "carbon neutrality of the event"}
        return ok(self.http.post("/registry/v1/retirements", json=body), 201)

    def donate(self, event_id: str, account: str, grams: int) -> dict[str, Any]:
        """Donate credits to an event (a person's carbon-inclusion credits)."""
        body = {"event_id": event_id, "from_account": account, "quantity": grams}
        return ok(self.http.post("/registry/v1/donations", json=body), 201)

    def cancel_externally(self, event_id: str, tonnes: int, registry: str = "CCER", province: str = "CN-HI",
                          cancelled_on: date | None = None) -> dict[str, Any]:
        """Record a cancellation made in another registry (today unless told when), as a claim."""
        series = secrets.token_hex(3).upper()
        body = {"event_id": event_id, "registry": registry, "serial_from": f"{registry}-{series}-000001",
                "serial_to": f"{registry}-{series}-{tonnes:06d}", "quantity": tonnes * 1_000_000,
                "cancellation_ref": f"REF-{series}", "project_id": f"P-{series}", "project_province": province,
                "vintage": 2022, "evidence_sha256": secrets.token_hex(32),
                "cancelled_on": (cancelled_on or date.today()).isoformat(), "beneficiary": "the event's organizer",
                "purpose": "carbon neutrality of the event",
                "evidence_url": f"https://registry.example.cn/cancellations/{series}.pdf"}
        return ok(self.http.post("/registry/v1/external-cancellations", json=body), 201)

    def apply(self, event_id: str, confirmation: dict[str, Any]) -> httpx.Response:
        """Apply for the event's certificate."""
        return self.http.post("/certification/v1/applications", json={"event_id": event_id,
                                                                       "confirmation": confirmation})


@dataclass
class Operator:
    """The registry operator: files projects and issues credits into accounts."""

    http: httpx.Client

    def credits(self, account: str, grams: int, *, unit_type: str = "HNCI", category: str = "ocean",
                new_sink: bool = False) -> str:
        """File a fresh project and issue its credits into the account; the project id."""
        province = {"HNCI": "CN-HI", "SDCI": "CN-SD"}[unit_type]
        project = ok(self.http.post("/registry/v1/projects", json={
            "name": f"{category} carbon sink", "code": f"{unit_type[:2]}{secrets.token_hex(4).upper()}",
            "unit_type": unit_type, "province": province, "category": category,
            "methodology": "provincial carbon-inclusion methodology", "new_sink": new_sink}), 201)
        ok(self.http.post("/registry/v1/issuances", json={"project_id": project["id"], "account_id": account,
                                                           "vintage": 2025, "quantity": grams}), 201)
        return str(project["id"])


@dataclass
class Certification:
    """Everyone a certification needs, on one running platform."""

    platform: RunningPlatform
    organizer: Organizer
    operator: Operator
    issuer: httpx.Client
    evaluator: httpx.Client
    auditor: httpx.Client
    public: httpx.Client
    evaluator_client_id: str

    @classmethod
    def open(cls, platform: RunningPlatform) -> Certification:
        """Register the actors (a fresh organizer each time) and open their clients."""
        owner = f"org:{secrets.token_hex(4)}"
        evaluator = platform.register("org:accredited-body", "certification:verify registry:read registry:evaluate")
        return cls(
            platform=platform,
            organizer=Organizer(platform.register(owner, ORGANIZER_SCOPES).client(), owner, platform),
            operator=Operator(platform.register("lingtan:operator", "registry:admin registry:issue registry:read")
                              .client()),
            issuer=platform.register("org:hainan-office", "certification:issue").client(),
            evaluator=evaluator.client(),
            auditor=platform.register("org:ecology-department", "audit:write").client(),
            public=httpx.Client(base_url=platform.url, timeout=30),
            evaluator_client_id=evaluator.client_id,
        )

    def close(self) -> None:
        """Close every client."""
        for client in (self.organizer.http, self.operator.http, self.issuer, self.evaluator, self.auditor,
                       self.public):
            client.close()

    def confirm_claim(self, event_id: str, claim_id: str) -> dict[str, Any]:
        """The organizer engages the evaluator for the event, which confirms the external claim."""
        engaged = self.organizer.http.post(f"/registry/v1/events/{event_id}/delegations",
                                           json={"client_id": self.evaluator_client_id, "role": "evaluate"})
        assert engaged.status_code in (201, 409), engaged.text
        return ok(self.evaluator.post(f"/registry/v1/external-cancellations/{claim_id}/decision",
                                      json={"outcome": "confirmed", "reason": "the cancellation certificate checked"}),
                  201)

    def covered_event(self, meals: str = "2000", factor: str = "1.5", retired_g: int = 3_000_000, **event: Any
                      ) -> str:
        """A Hainan event accounted at meals x factor kgCO2e, with retired_g grams of HNCI retired for it."""
        event_id = self.organizer.event(**event)
        self.organizer.plan(event_id)
        self.organizer.inventory(event_id, meals, factor)
        account = self.organizer.account()
        self.operator.credits(account, retired_g)
        self.organizer.retire(event_id, account, retired_g)
        return event_id


def commitment(**extra: Any) -> dict[str, Any]:
    """A self-commitment stating every item both provinces list."""
    return {"method": "self_commitment", "event_name": "Expo", "organizers": ["海南省商务厅"], "scale": "2,800",
            "dates": "four days", "accounting_boundary": "all ten source types", "accounted_emissions": "3 t",
            "offset_method": "credits retired on Lingtan", "neutrality_date": "within six months",
            "confirmation_method": "self-commitment", **extra}


def check(application: dict[str, Any], check_id: str) -> dict[str, Any]:
    """One check of an application."""
    return next(c for c in application["checks"] if c["id"] == check_id)
