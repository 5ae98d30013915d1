"""Stand-ins for accounting and the registry at the certification service's HTTP boundary.

They answer the REST calls the certification service makes (through httpx.MockTransport under its
ServiceClient) with the shapes the real services return. The fake registry keeps a real RFC 9162
Merkle log and signs real checkpoints, so every proof the service checks is a genuine one; tests
tamper with what the registry *lists* to see the service refuse what the log does not prove.
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.canonical import canonical_bytes
from shared.transparency.checkpoint import sign_checkpoint, verifier_key
from shared.transparency.merkle import MemoryTree

ACCOUNTING = "http://accounting.test"
REGISTRY = "http://registry.test"
GATEWAY = "http://gateway.test"
LOG_ORIGIN = "registry.test/log"

HAINAN_TERMS: dict[str, Any] = {
    "jurisdiction": "CN-HI",
    "accepted_offsets": ["afforestation", "key_emitter_allowance_donation", "personal_carbon_inclusion",
                         "provincial_carbon_inclusion", "ccer_in_province", "ccer", "cea", "cer", "vcu"],
    "priority": [
        {"tier": 1, "label": {"zh": "植树造林、捐赠", "en": "Afforestation and donations"},
         "kinds": ["afforestation", "key_emitter_allowance_donation", "personal_carbon_inclusion"], "unit_types": []},
        {"tier": 2, "label": {"zh": "海南碳普惠", "en": "Hainan carbon-inclusion credits"},
         "kinds": ["provincial_carbon_inclusion"], "unit_types": ["HNCI"]},
        {"tier": 3, "label": {"zh": "省内CCER", "en": "CCER from projects inside Hainan"},
         "kinds": ["ccer_in_province"], "unit_types": []},
        {"tier": 4, "label": {"zh": "全国碳市场配额", "en": "National ETS allowances"}, "kinds": ["cea"],
         "unit_types": []},
        {"tier": 5, "label": {"zh": "国际碳信用", "en": "International credits"}, "kinds": ["cer", "vcu"],
         "unit_types": []},
    ],
    "certificate": {"issued": True, "name": "《碳中和证明书》",
                    "issuer": {"zh": "海南省国家生态文明试验区建设领导小组办公室",
                               "en": "Office of the Hainan Provincial Leading Group"}},
}

SHANDONG_TERMS: dict[str, Any] = {
    "jurisdiction": "CN-SD",
    "accepted_offsets": ["forestry_sink", "ocean_sink", "provincial_carbon_inclusion", "personal_carbon_inclusion",
                         "ccer_in_province", "other_mechanism", "cea", "key_emitter_allowance_donation", "ccer",
                         "cer", "vcu"],
    "priority": [
        {"tier": 1, "label": {"zh": "山东碳普惠", "en": "Shandong sinks and carbon-inclusion credits"},
         "kinds": ["forestry_sink", "ocean_sink", "provincial_carbon_inclusion", "personal_carbon_inclusion"],
         "unit_types": ["SDCI"]},
        {"tier": 2, "label": {"zh": "省内CCER", "en": "CCER inside Shandong"},
         "kinds": ["ccer_in_province", "other_mechanism"], "unit_types": []},
        {"tier": 3, "label": {"zh": "全国碳市场配额", "en": "National ETS allowances"},
         "kinds": ["cea", "key_emitter_allowance_donation"], "unit_types": []},
    ],
    "certificate": {"issued": False, "name": None, "issuer": None},
}

HAINAN_CONTENTS = ["event_name", "organizers", "dates", "accounted_emissions", "offset_method"]
SHANDONG_CONTENTS = ["event_name", "organizers", "scale", "dates", "accounting_boundary", "accounted_emissions",
                     "offset_method", "neutrality_date", "confirmation_method"]


def add_months(start: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day (as policy deadlines count)."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    for day in range(start.day, 0, -1):
        try:
            return date(year, month + 1, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def policy(
    jurisdiction: str, participants: int, ends_on: date, *, methods: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """The policy accounting returns with an event (the parts certification reads), for Hainan or Shandong."""
    if jurisdiction == "CN-SD":
        third_party_only = participants >= 500
        accepted = methods or (("third_party",) if third_party_only else ("self_commitment", "third_party"))
        return {
            **SHANDONG_TERMS,
            "profile_id": "shandong-2023",
            "version": "1.0.0",
            "band": "500-plus" if third_party_only else "200-499",
            "confirmation_method": accepted[0],
            "accepted_confirmation_methods": list(accepted),
            "self_commitment": None if third_party_only else {"contents": SHANDONG_CONTENTS, "source": None},
            "deadline": add_months(ends_on, 6).isoformat(),
            "sink_project_deadlines": [
                {"id": "sink-project-application", "due_on": add_months(ends_on, 12).isoformat(),
                 "applies_to": ["forestry_sink", "ocean_sink"]},
                {"id": "sink-measurement-and-validation", "due_on": add_months(ends_on, 24).isoformat(),
                 "applies_to": ["forestry_sink", "ocean_sink"]},
            ],
        }
    accepted = methods or ("self_commitment", "third_party")
    return {
        **HAINAN_TERMS,
        "profile_id": "hainan-2023",
        "version": "1.0.0",
        "band": "government-500-plus",
        "confirmation_method": accepted[0],
        "accepted_confirmation_methods": list(accepted),
        "self_commitment": {"contents": HAINAN_CONTENTS, "source": None},
        "deadline": add_months(ends_on, 6).isoformat(),
        "sink_project_deadlines": [],
    }


@dataclass
class FakeAccounting:
    """Events as accounting serves them."""

    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    counter: itertools.count[int] = field(default_factory=itertools.count)

    def event(
        self,
        *,
        owner: str = "org:expo",
        jurisdiction: str = "CN-HI",
        participants: int = 2800,
        ended_days_ago: int = 30,
        total_kgco2e: str | None = "1000.000",
        measures: list[str] | None = None,
        methods: tuple[str, ...] | None = None,
    ) -> dict[str, Any]:
        """An event that ended some days ago, its inventory submitted unless total_kgco2e is None."""
        event_id = f"evt_test{next(self.counter):04d}"
        ends_on = date.today() - timedelta(days=ended_days_ago)
        starts_on = ends_on - timedelta(days=3)
        chosen = ["green electricity", "no disposable plastics"] if measures is None else measures
        event = {
            "id": event_id,
            "name": f"International Consumer Products Expo {event_id}",
            "organizers": ["海南省商务厅", "Hainan Provincial Department of Commerce"],
            "kind": "exhibition",
            "owner": owner,
            "jurisdiction": jurisdiction,
            "host_type": "government",
            "venue": "Haikou",
            "starts_at": starts_on.isoformat(),
            "ends_at": ends_on.isoformat(),
            "expected_participants": participants,
            "actual_participants": participants,
            "status": "accounted" if total_kgco2e is not None else "held",
            "policy": policy(jurisdiction, participants, ends_on, methods=methods),
            "plan": {"reduction_measures": [{"name": name, "expected_kgco2e": "10"} for name in chosen]},
            "accounted": None
            if total_kgco2e is None
            else {"total_kgco2e": total_kgco2e, "inventory_version": 1, "submitted_at": datetime.now(UTC).isoformat()},
            "lifecycle": {"transitions": {"apply": apply_transition(ends_on, total_kgco2e is not None)}},
        }
        self.events[event_id] = event
        return event


def apply_transition(ends_on: date, accounted: bool) -> dict[str, Any]:
    """What accounting's lifecycle says of applying: after the event ended, with an accounted inventory."""
    if ends_on >= date.today():
        return {"allowed": False, "rule": "apply-after-end", "reason": "The event has not ended yet."}
    if not accounted:
        return {"allowed": False, "rule": "apply-needs-accounted-inventory",
                "reason": "The inventory is not submitted yet."}
    return {"allowed": True, "rule": "apply-after-end", "reason": None}


@dataclass
class FakeRegistry:
    """A registry whose log is a real Merkle tree with signed checkpoints."""

    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    tree: MemoryTree = field(default_factory=MemoryTree)
    entries: list[dict[str, Any]] = field(default_factory=list)
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    decisions: dict[str, int] = field(default_factory=dict)  # decision id -> its log index
    counter: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def vkey(self) -> str:
        """The log's verifier key."""
        return verifier_key(LOG_ORIGIN, self.key.public_key())

    def _append(self, facts: dict[str, Any], at: datetime) -> int:
        index = self.tree.size
        entry = {"index": index, "at": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), **facts}
        self.entries.append(entry)
        self.tree.append(canonical_bytes(entry))
        return index

    def retire(
        self,
        event_id: str,
        quantity_g: int,
        *,
        unit_type: str = "HNCI",
        kind: str = "retirement",
        donor: str | None = None,
        category: str = "ocean",
        province: str = "CN-HI",
        at: datetime | None = None,
    ) -> dict[str, Any]:
        """Retire (or donate) credits for an event: a log entry and the record the registry lists."""
        number = next(self.counter)
        record_id = f"ret_{number:06d}"
        serial = f"{unit_type}-P{number:04d}-2024-{1:015d}-{quantity_g:015d}"
        moment = at or datetime.now(UTC)
        facts = {"kind": kind, "retirement_id": record_id, "event_id": event_id, "from_account": "acc_1",
                 "unit_type": unit_type, "quantity_g": quantity_g, "beneficiary": "the event", "reason": "neutrality",
                 "serials": [serial]}
        if donor:
            facts["donor"] = donor
        index = self._append(facts, moment)
        self.records[record_id] = {
            "id": record_id, "kind": kind, "event_id": event_id, "unit_type": unit_type, "quantity_g": quantity_g,
            "beneficiary": "the event", "reason": "neutrality", "donor": donor,
            "serial_ranges": [{"serial": serial, "start": 1, "end": quantity_g, "quantity_g": quantity_g,
                               "project_id": f"prj_{number}", "project_name": "Mangrove", "province": province,
                               "category": category, "vintage": 2024}],
            "bound_projects": [], "log_index": index, "retired_at": moment.isoformat(),
        }
        return self.records[record_id]

    def cancel(
        self,
        event_id: str,
        quantity_g: int,
        *,
        registry: str = "CCER",
        project_province: str = "CN-HI",
        cancelled_on: date | None = None,
    ) -> dict[str, Any]:
        """An external cancellation claimed for an event (cancelled today unless told when)."""
        number = next(self.counter)
        record_id = f"xc_{number:06d}"
        facts = {"kind": "external_cancellation", "cancellation_id": record_id, "quantity_g": quantity_g,
                 "event_id": event_id, "registry": registry, "serial_from": f"{registry}-{number}-1",
                 "serial_to": f"{registry}-{number}-{quantity_g // 1_000_000}", "series": f"{registry}-{number}",
                 "range_start": 1, "range_end": quantity_g // 1_000_000, "cancellation_ref": f"NCCR-{number}",
                 "project_id": f"CCER-{number}", "project_province": project_province, "vintage": 2022,
                 "evidence_sha256": "ab" * 32, "cancelled_on": (cancelled_on or date.today()).isoformat(),
                 "beneficiary": "the event", "purpose": "neutrality", "evidence_url": "https://example.cn/e.pdf"}
        moment = datetime.now(UTC)
        index = self._append(facts, moment)
        public = {k: v for k, v in facts.items() if k != "cancellation_id"}
        self.records[record_id] = {**public, "id": record_id, "log_index": index, "recorded_at": moment.isoformat(),
                                   "status": "claimed", "decision": None}
        return self.records[record_id]

    def decide(self, cancellation_id: str, outcome: str = "confirmed") -> dict[str, Any]:
        """The evaluator's (or regulator's) decision on a claim: its own log entry, listed with the claim."""
        number = next(self.counter)
        decision_id = f"xcd_{number:06d}"
        facts = {"kind": "external_cancellation.decision", "decision_id": decision_id,
                 "cancellation_id": cancellation_id, "event_id": self.records[cancellation_id]["event_id"],
                 "outcome": outcome, "reason": "evidence checked", "decided_as": "evaluator"}
        index = self._append(facts, datetime.now(UTC))
        self.decisions[decision_id] = index
        record = self.records[cancellation_id]
        record["status"] = outcome
        record["decision"] = {"id": decision_id, "cancellation_id": cancellation_id, "outcome": outcome,
                              "reason": "evidence checked", "decided_as": "evaluator",
                              "decided_at": datetime.now(UTC).isoformat(), "log_index": index}
        return record

    def checkpoint(self) -> str:
        """A checkpoint of the whole log, signed now."""
        return sign_checkpoint(LOG_ORIGIN, self.tree.size, self.tree.root(), self.key, LOG_ORIGIN,
                               datetime.now(UTC))

    def proof(self, record_id: str) -> dict[str, Any]:
        """The record's proof bundle (or a decision's), as GET /v1/retirements/{id}/proof returns it."""
        index = self.decisions[record_id] if record_id in self.decisions else self.records[record_id]["log_index"]
        return {
            "entry": copy.deepcopy(self.entries[index]),
            "leaf_index": index,
            "tree_size": self.tree.size,
            "inclusion_proof": [base64.b64encode(h).decode() for h in self.tree.inclusion_proof(index)],
            "checkpoint": self.checkpoint(),
        }

    def listed(self, event_id: str) -> list[dict[str, Any]]:
        """What GET /v1/retirements?event_id= lists, in log order."""
        return sorted((r for r in self.records.values() if r["event_id"] == event_id), key=lambda r: r["log_index"])


@dataclass
class Upstream:
    """Both fakes behind one MockTransport handler, recording the calls it answered."""

    accounting: FakeAccounting = field(default_factory=FakeAccounting)
    registry: FakeRegistry = field(default_factory=FakeRegistry)
    calls: list[str] = field(default_factory=list)
    page_size: int = 2
    # Records the registry lists but has no proof for (its proof endpoint answers 404).
    unproven: set[str] = field(default_factory=set)

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request the certification service makes."""
        url = str(request.url)
        self.calls.append(f"{request.method} {url}")
        if url.startswith(f"{GATEWAY}/oauth/token"):
            return httpx.Response(200, json={"access_token": "service", "token_type": "Bearer", "expires_in": 300})
        path = request.url.path
        if url.startswith(ACCOUNTING):
            if match := re.fullmatch(r"/v1/events/([^/]+)", path):
                event = self.accounting.events.get(match.group(1))
                return httpx.Response(200, json=event) if event else _problem(404, "No such event.")
        if url.startswith(REGISTRY):
            return self._registry(request, path)
        return _problem(404, f"nothing answers {url}")

    def _registry(self, request: httpx.Request, path: str) -> httpx.Response:
        if path == "/v1/retirements":
            event_id = request.url.params["event_id"]
            items = self.registry.listed(event_id)
            start = int(request.url.params.get("cursor", "0"))
            page = items[start : start + self.page_size]
            more = start + self.page_size < len(items)
            return httpx.Response(200, json={"event_id": event_id, "totals": [], "items": page,
                                             "next_cursor": str(start + self.page_size) if more else None})
        if match := re.fullmatch(r"/v1/retirements/([^/]+)/proof", path):
            known = match.group(1) in self.registry.records or match.group(1) in self.registry.decisions
            if not known or match.group(1) in self.unproven:
                return _problem(404, "No such record.")
            return httpx.Response(200, json=self.registry.proof(match.group(1)))
        if path == "/v1/log/public-key":
            return httpx.Response(200, json={"vkey": self.registry.vkey, "origin": LOG_ORIGIN, "algorithm": "Ed25519"})
        if path == "/v1/log/checkpoint":
            return httpx.Response(200, json={"origin": LOG_ORIGIN, "tree_size": self.registry.tree.size,
                                             "root_hash": "", "signed_at": datetime.now(UTC).isoformat(),
                                             "checkpoint": self.registry.checkpoint()})
        return _problem(404, f"no registry route {path}")


def _problem(status: int, detail: str) -> httpx.Response:
    return httpx.Response(status, content=json.dumps({"status": status, "detail": detail}),
                          headers={"content-type": "application/problem+json"})
