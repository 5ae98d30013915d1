"""The public log: signed checkpoints, consistency, raw entries, and proofs for every kind of record."""

from __future__ import annotations

import secrets

from services.registry.log.schemas import MAX_ENTRIES_PAGE
from shared.transparency.checkpoint import parse_and_verify
from shared.transparency.verify import (
    ConsistencyBundle,
    RetirementProofBundle,
    verify_entries,
    verify_log_consistency,
    verify_retirement_proof,
)
from tests.registry.conftest import CLAIM_FIELDS, Operator, Registry
from tests.support.events import known_event

UNIT = 1_000_000


def get(public, path: str, **params):
    response = public.get(f"/registry/v1/{path}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_checkpoints_are_signed_and_each_extends_the_last(operator: Operator, holder: Registry, public) -> None:
    vkey = get(public, "log/public-key")["vkey"]
    old = get(public, "log/checkpoint")
    assert parse_and_verify(old["checkpoint"], vkey, "lingtan.org/registry").size == old["tree_size"]
    assert get(public, "log/checkpoint")["checkpoint"] == old["checkpoint"], "no new checkpoint while nothing moved"
    account = holder.account()
    operator.issue(operator.project()["id"], account, UNIT)
    new = get(public, "log/checkpoint")
    assert new["tree_size"] >= old["tree_size"] + 3
    proof = get(public, "log/consistency", first=old["tree_size"], second=new["tree_size"])["proof"]
    bundle = ConsistencyBundle.from_json(
        {"old_checkpoint": old["checkpoint"], "new_checkpoint": new["checkpoint"], "proof": proof}
    )
    verified = verify_log_consistency(bundle, vkey)
    assert (verified.old.size, verified.new.size) == (old["tree_size"], new["tree_size"])
    refused = public.get("/registry/v1/log/consistency", params={"first": 5, "second": new["tree_size"] + 10})
    assert refused.status_code == 422


def test_entries_come_in_bounded_pages_and_rebuild_the_checkpoint(public) -> None:
    checkpoint = get(public, "log/checkpoint")
    page = get(public, "log/entries", start=0, end=10**6)
    assert page["end"] - page["start"] <= MAX_ENTRIES_PAGE
    entries = []
    while len(entries) < checkpoint["tree_size"]:
        entries += [e["entry"] for e in get(public, "log/entries", start=len(entries))["entries"]]
    assert [e["index"] for e in entries] == list(range(len(entries)))
    vkey = get(public, "log/public-key")["vkey"]
    assert verify_entries(entries, checkpoint["checkpoint"], vkey).entries_checked == checkpoint["tree_size"]


def test_retirements_donations_and_external_cancellations_each_prove_their_inclusion(
    platform, operator: Operator, holder: Registry, public
) -> None:
    event = known_event(platform, holder.owner)
    account = holder.account()
    operator.issue(operator.project()["id"], account, 10 * UNIT)
    start = secrets.randbelow(10**6)
    records = [
        holder.created(
            "retirements",
            {
                "event_id": event,
                "from_account": account,
                "quantity": UNIT,
                "unit_type": "HNCI",
                "beneficiary": "b",
                "reason": "r",
            },
        ),
        holder.created("donations", {"event_id": event, "from_account": account, "quantity": UNIT}),
        holder.created(
            "external-cancellations",
            {
                **CLAIM_FIELDS,
                "event_id": event,
                "registry": "CEA",
                "serial_from": f"CEA-2023-{start}",
                "serial_to": f"CEA-2023-{start + 4}",
                "quantity": 5 * UNIT,
                "cancellation_ref": "CEA-9",
                "project_id": "SD-POWER-1",
                "project_province": "CN-SD",
                "vintage": 2023,
                "evidence_sha256": "11" * 32,
            },
        ),
    ]
    vkey = get(public, "log/public-key")["vkey"]
    for record in records:
        proof = get(public, f"retirements/{record['id']}/proof")
        assert set(proof) == {"entry", "leaf_index", "tree_size", "inclusion_proof", "checkpoint"}
        verified = verify_retirement_proof(RetirementProofBundle.from_json(proof), vkey)
        assert verified.leaf_index == record["log_index"]
        assert record["id"] in (proof["entry"].get("retirement_id"), proof["entry"].get("cancellation_id"))
    assert public.get("/registry/v1/retirements/ret_0000/proof").status_code == 404
