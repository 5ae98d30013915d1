"""Every record bound to a real event its caller may act for: tried as a careless integrator and as an
attacker would, through the gateway and on the registry's own port. After each refusal the balances,
the log's size and disclosure's totals are as they were."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest

from tests.certification.certification_platform import Certification, commitment, ok
from tests.registry.conftest import CLAIM_FIELDS, HOLDER_SCOPES, Operator, Registry
from tests.support.events import known_event, ledger_snapshot, settle, wait_until_known, wait_until_status

UNIT = 1_000_000


def retirement(event_id: str, account: str, grams: int = UNIT) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "from_account": account,
        "quantity": grams,
        "unit_type": "HNCI",
        "beneficiary": "the event",
        "reason": "neutrality",
    }


def claim(event_id: str, tonnes: int = 5, series: str | None = None) -> dict[str, Any]:
    series = series or secrets.token_hex(4).upper()
    return {
        **CLAIM_FIELDS,
        "event_id": event_id,
        "registry": "CCER",
        "serial_from": f"CCER-{series}-2023-000001",
        "serial_to": f"CCER-{series}-2023-{tonnes:06d}",
        "quantity": tonnes * UNIT,
        "cancellation_ref": f"NCCR-{series}",
        "project_id": f"CCER-{series}",
        "project_province": "CN-HI",
        "vintage": 2023,
        "evidence_sha256": "ab" * 32,
    }


@pytest.fixture
def funded(operator: Operator, holder: Registry) -> str:
    account = holder.account()
    operator.issue(operator.project()["id"], account, 10 * UNIT)
    return account


def _clients(platform, holder: Registry) -> tuple[httpx.Client, httpx.Client]:
    """The holder's client through the gateway and on the registry's own port."""
    direct = httpx.Client(base_url=f"{platform.service_url('registry')}", headers=dict(holder.http.headers), timeout=30)
    return holder.http, direct


@pytest.mark.parametrize("path", ["retirements", "donations", "external-cancellations"])
def test_an_unknown_event_is_a_404_saying_when_to_retry_and_nothing_moves(
    platform, holder: Registry, funded: str, path: str
) -> None:
    body = {
        "retirements": retirement("evt_typo_does_not_exist", funded),
        "donations": {"event_id": "evt_typo_does_not_exist", "from_account": funded, "quantity": UNIT},
        "external-cancellations": claim("evt_typo_does_not_exist"),
    }[path]
    before = ledger_snapshot(platform, (holder.http, funded))
    through, direct = _clients(platform, holder)
    with direct:
        for http, prefix in ((through, "/registry/v1"), (direct, "/v1")):
            response = http.post(f"{prefix}/{path}", json=body)
            assert response.status_code == 404, response.text
            assert response.headers["content-type"] == "application/problem+json"
            assert response.headers["retry-after"] == "1"
            problem = response.json()
            assert problem["type"].endswith("/unknown-event") and problem["event_id"] == "evt_typo_does_not_exist"
            assert "within a second" in problem["detail"]
    assert ledger_snapshot(platform, (holder.http, funded)) == before


def test_another_owners_event_takes_no_retirement_or_claim_from_an_outsider(
    platform, holder: Registry, funded: str
) -> None:
    theirs = known_event(platform, "org:someone-else")
    before = ledger_snapshot(platform, (holder.http, funded))
    through, direct = _clients(platform, holder)
    with direct:
        for http, prefix in ((through, "/registry/v1"), (direct, "/v1")):
            for path, body in (("retirements", retirement(theirs, funded)), ("external-cancellations", claim(theirs))):
                response = http.post(f"{prefix}/{path}", json=body)
                assert response.status_code == 403, response.text
                assert response.json()["type"].endswith("/not-authorized-for-event")
    assert ledger_snapshot(platform, (holder.http, funded)) == before
    # A donation is anyone's to give, from what they hold, to an event open to donations.
    gift = holder.created("donations", {"event_id": theirs, "from_account": funded, "quantity": UNIT})
    assert gift["donor"] == "organization" and gift["event_id"] == theirs


def test_an_event_closed_to_donations_refuses_them(platform, holder: Registry, funded: str) -> None:
    closed = known_event(platform, "org:closed-organizer", accepts_donations=False)
    assert wait_until_known(platform, closed)["accepts_donations"] is False
    before = ledger_snapshot(platform, (holder.http, funded))
    response = holder.post("donations", {"event_id": closed, "from_account": funded, "quantity": UNIT})
    assert response.status_code == 409 and response.json()["type"].endswith("/event-takes-no-donations")
    assert ledger_snapshot(platform, (holder.http, funded)) == before


def test_a_delegated_client_records_for_the_event_until_the_delegation_is_revoked(
    platform, operator: Operator, holder: Registry, public
) -> None:
    event = known_event(platform, holder.owner)
    broker = platform.register(f"org:broker-{secrets.token_hex(3)}", HOLDER_SCOPES, "carbon broker")
    with broker.client() as http:
        agent = Registry(http, broker.owner)
        account = agent.account()
        operator.issue(operator.project()["id"], account, 5 * UNIT)
        refused = agent.post("retirements", retirement(event, account))
        assert refused.status_code == 403

        stranger_grant = agent.post(f"events/{event}/delegations", {"client_id": broker.client_id, "role": "retire"})
        assert stranger_grant.status_code == 403, "only the event's owner delegates"
        granted = holder.created(f"events/{event}/delegations", {"client_id": broker.client_id, "role": "retire"})
        assert granted["role"] == "retire" and granted["log_index"] >= 0
        twice = holder.post(f"events/{event}/delegations", {"client_id": broker.client_id, "role": "retire"})
        assert twice.status_code == 409 and twice.json()["delegation_id"] == granted["id"]
        entry = public.get(
            "/registry/v1/log/entries", params={"start": granted["log_index"], "end": granted["log_index"] + 1}
        ).json()["entries"][0]["entry"]
        assert (entry["kind"], entry["event_id"], entry["client_id"]) == ("delegation.granted", event, broker.client_id)

        retired = agent.created("retirements", retirement(event, account))
        assert retired["event_id"] == event
        assert agent.created("external-cancellations", claim(event))["status"] == "claimed"

        revoked = holder.created(f"events/{event}/delegations/{granted['id']}/revocation", {})
        assert revoked["delegation_id"] == granted["id"] and revoked["log_index"] > granted["log_index"]
        before = ledger_snapshot(platform, (http, account))
        after_revocation = agent.post("retirements", retirement(event, account))
        assert after_revocation.status_code == 403
        assert ledger_snapshot(platform, (http, account)) == before
        again = holder.post(f"events/{event}/delegations/{granted['id']}/revocation", {})
        assert again.status_code == 409
    seen = holder.get(f"events/{event}").json()
    assert [(d["id"], d["revocation_id"]) for d in seen["delegations"]] == [(granted["id"], revoked["id"])]
    assert seen["owner"] == holder.owner


def test_the_registry_view_of_an_event_shows_its_owner_and_delegations_to_the_owner_only(
    platform, holder: Registry
) -> None:
    event = known_event(platform, holder.owner)
    mine = holder.get(f"events/{event}").json()
    assert mine["owner"] == holder.owner and mine["delegations"] == [] and mine["accepts_offsets"] is True
    other = platform.register("org:curious", "registry:read")
    with other.client() as http:
        seen = http.get(f"/registry/v1/events/{event}").json()
    assert seen["owner"] is None and seen["delegations"] is None and seen["status"] == mine["status"]


def test_a_squatted_claim_is_voided_by_the_regulator_and_then_recorded_by_its_real_owner(
    platform, holder: Registry, public
) -> None:
    real_event = known_event(platform, holder.owner)
    squatter = platform.register(f"org:squatter-{secrets.token_hex(3)}", HOLDER_SCOPES)
    series = secrets.token_hex(4).upper()
    with squatter.client() as http:
        squatters_event = known_event(platform, squatter.owner)
        squat = Registry(http, squatter.owner).created("external-cancellations", claim(squatters_event, series=series))
    blocked = holder.post("external-cancellations", claim(real_event, series=series))
    assert blocked.status_code == 409 and blocked.json()["earlier_id"] == squat["id"]
    assert "void" in blocked.json()["detail"]

    not_the_regulator = holder.post(f"external-cancellations/{squat['id']}/void", {"reason": "mine"})
    assert not_the_regulator.status_code == 403
    regulator = platform.register("org:hainan-ecology-department", "registry:read registry:supervise", "regulator")
    with regulator.client() as http:
        voided = http.post(
            f"/registry/v1/external-cancellations/{squat['id']}/void",
            json={"reason": "The serials were cancelled for another organizer's event (NCCR certificate)."},
        )
        assert voided.status_code == 201, voided.text
        again = http.post(f"/registry/v1/external-cancellations/{squat['id']}/void", json={"reason": "again"})
        assert again.status_code == 409
    decision = voided.json()
    assert decision["outcome"] == "voided" and decision["decided_as"] == "regulator"
    listed = public.get(f"/registry/v1/retirements/{squat['id']}").json()
    assert listed["status"] == "voided" and listed["decision"]["id"] == decision["id"]
    assert listed["decision"]["log_index"] == decision["log_index"]
    entry = public.get(f"/registry/v1/retirements/{decision['id']}/proof").json()["entry"]
    assert entry["kind"] == "external_cancellation.decision" and "another organizer" in entry["reason"]

    recorded = holder.created("external-cancellations", claim(real_event, series=series))
    assert recorded["status"] == "claimed"
    totals = public.get("/registry/v1/retirements", params={"event_id": squatters_event}).json()["totals"]
    assert totals == [], "a voided claim counts in no total"
    settle(platform)
    disclosed = public.get("/disclosure/v1/retirements", params={"event_id": squatters_event}).json()["items"]
    assert [(d["id"], d["status"]) for d in disclosed] == [(squat["id"], "voided")]


def test_claims_are_decided_by_the_engaged_evaluator_or_the_regulator_once(
    platform, holder: Registry, public
) -> None:
    event = known_event(platform, holder.owner)
    first = holder.created("external-cancellations", claim(event))
    second = holder.created("external-cancellations", claim(event))
    evaluator = platform.register("org:accredited-body", "registry:read registry:evaluate", "evaluator")
    with evaluator.client() as http:
        url = f"/registry/v1/external-cancellations/{first['id']}/decision"
        not_engaged = http.post(url, json={"outcome": "confirmed", "reason": "checked"})
        assert not_engaged.status_code == 403
        holder.created(f"events/{event}/delegations", {"client_id": evaluator.client_id, "role": "evaluate"})
        confirmed = http.post(url, json={"outcome": "confirmed", "reason": "Certificate checked with NCCR."})
        assert confirmed.status_code == 201, confirmed.text
        assert http.post(url, json={"outcome": "rejected", "reason": "changed my mind"}).status_code == 409
    owner_cannot = holder.post(
        f"external-cancellations/{second['id']}/decision", {"outcome": "confirmed", "reason": "trust me"}
    )
    assert owner_cannot.status_code == 403, "the organizer does not confirm its own claims"
    regulator = platform.register("org:regulator", "registry:supervise", "regulator")
    with regulator.client() as http:
        rejected = http.post(
            f"/registry/v1/external-cancellations/{second['id']}/decision",
            json={"outcome": "rejected", "reason": "The evidence names another beneficiary."},
        )
        assert rejected.status_code == 201, rejected.text
    items = {i["id"]: i for i in public.get("/registry/v1/retirements", params={"event_id": event}).json()["items"]}
    assert items[first["id"]]["status"] == "confirmed" and items[first["id"]]["decision"]["decided_as"] == "evaluator"
    assert items[second["id"]]["status"] == "rejected"
    totals = public.get("/registry/v1/retirements", params={"event_id": event}).json()["totals"]
    assert totals == [{"unit_type": "CCER", "quantity_g": first["quantity_g"], "records": 1}]


def test_a_certified_event_takes_no_more_offsets(platform) -> None:
    actors = Certification.open(platform)
    try:
        event_id = actors.covered_event()
        application = ok(actors.organizer.apply(event_id, commitment()), 201)
        ok(actors.issuer.post(f"/certification/v1/applications/{application['id']}/decision", json={"approve": True}))
        wait_until_status(platform, event_id, "certified")
        assert wait_until_known(platform, event_id)["accepts_offsets"] is False
        account = actors.organizer.account()
        actors.operator.credits(account, UNIT)
        before = ledger_snapshot(platform, (actors.organizer.http, account))
        response = actors.organizer.http.post("/registry/v1/retirements", json=retirement(event_id, account))
        assert response.status_code == 409 and response.json()["type"].endswith("/event-not-accepting-offsets")
        assert ledger_snapshot(platform, (actors.organizer.http, account)) == before
    finally:
        actors.close()

