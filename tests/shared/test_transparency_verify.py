"""The auditor's offline checks: retirement proofs, checkpoint consistency and rebuilding the tree."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.canonical import canonical_bytes
from shared.transparency.checkpoint import sign_checkpoint, verifier_key
from shared.transparency.merkle import MemoryTree, leaf_hash
from shared.transparency.verify import (
    ConsistencyBundle,
    RetirementProofBundle,
    VerificationError,
    decode_hash,
    verify_entries,
    verify_log_consistency,
    verify_retirement_proof,
)

ORIGIN = "lingtan.example/registry/log"
KEY = Ed25519PrivateKey.generate()
VKEY = verifier_key(ORIGIN, KEY.public_key())
SIGNED_AT = datetime(2025, 7, 1, tzinfo=UTC)


def make_entry(i: int) -> dict[str, Any]:
    return {
        "kind": "retirement",
        "sequence": i,
        "event_id": f"evt-{i % 7}",
        "unit_type": "HNCI",
        "quantity_g": 1_000_000 + i,
        "serials": [f"HNCI-HNMG0001-2024-{i * 10 + 1:015d}-{i * 10 + 10:015d}"],
        "beneficiary": "海南国际消费品博览会",
    }


ENTRIES = [make_entry(i) for i in range(50)]
TREE = MemoryTree(canonical_bytes(e) for e in ENTRIES)


def checkpoint(size: int, key: Ed25519PrivateKey = KEY, origin: str = ORIGIN) -> str:
    return sign_checkpoint(origin, size, TREE.root(size), key, origin, SIGNED_AT)


def bundle_json(index: int, size: int) -> dict[str, Any]:
    return {
        "entry": ENTRIES[index],
        "leaf_index": index,
        "tree_size": size,
        "inclusion_proof": [base64.b64encode(h).decode() for h in TREE.inclusion_proof(index, size)],
        "checkpoint": checkpoint(size),
    }


def failed_check(exc: pytest.ExceptionInfo[VerificationError]) -> str:
    return exc.value.check


@pytest.mark.parametrize(("index", "size"), [(0, 1), (17, 50), (49, 50), (31, 32)])
def test_a_genuine_retirement_proof_verifies(index: int, size: int) -> None:
    data = json.loads(json.dumps(bundle_json(index, size), ensure_ascii=False))
    result = verify_retirement_proof(RetirementProofBundle.from_json(data), VKEY, expected_origin=ORIGIN)
    assert result.leaf_index == index
    assert result.checkpoint.size == size
    assert result.leaf_hash == leaf_hash(canonical_bytes(ENTRIES[index]))


def test_hex_proof_hashes_and_canonical_entry_text_are_accepted() -> None:
    data = bundle_json(5, 40)
    data["inclusion_proof"] = [h.hex() for h in TREE.inclusion_proof(5, 40)]
    data["entry"] = canonical_bytes(ENTRIES[5]).decode()
    verify_retirement_proof(RetirementProofBundle.from_json(data), VKEY)


def test_an_altered_entry_fails_inclusion() -> None:
    data = bundle_json(17, 50)
    data["entry"] = dict(ENTRIES[17], quantity_g=2_000_000)
    with pytest.raises(VerificationError, match="leads to root") as exc:
        verify_retirement_proof(RetirementProofBundle.from_json(data), VKEY)
    assert failed_check(exc) == "inclusion"


def test_a_wrong_leaf_index_fails_inclusion() -> None:
    data = bundle_json(17, 50)
    data["leaf_index"] = 16
    with pytest.raises(VerificationError) as exc:
        verify_retirement_proof(RetirementProofBundle.from_json(data), VKEY)
    assert failed_check(exc) == "inclusion"


def test_a_leaf_index_beyond_the_checkpoint_is_named() -> None:
    data = bundle_json(17, 20)
    data["leaf_index"] = 20
    with pytest.raises(VerificationError, match="beyond the checkpoint's tree size 20"):
        verify_retirement_proof(RetirementProofBundle.from_json(data), VKEY)


def test_a_checkpoint_signed_by_another_key_fails() -> None:
    data = bundle_json(3, 10)
    data["checkpoint"] = checkpoint(10, key=Ed25519PrivateKey.generate())
    with pytest.raises(VerificationError, match="no signature by the trusted key") as exc:
        verify_retirement_proof(RetirementProofBundle.from_json(data), VKEY)
    assert failed_check(exc) == "checkpoint"


def test_a_tree_size_that_disagrees_with_the_checkpoint_fails() -> None:
    data = bundle_json(3, 10)
    data["tree_size"] = 11
    with pytest.raises(VerificationError, match="tree size 11 but the checkpoint is for size 10") as exc:
        verify_retirement_proof(RetirementProofBundle.from_json(data), VKEY)
    assert failed_check(exc) == "bundle"


def test_a_checkpoint_of_another_log_fails_when_origin_is_pinned() -> None:
    data = bundle_json(3, 10)
    data["checkpoint"] = checkpoint(10, origin="elsewhere.example/log")
    other_vkey = verifier_key("elsewhere.example/log", KEY.public_key())
    with pytest.raises(VerificationError, match="expected 'lingtan.example/registry/log'"):
        verify_retirement_proof(RetirementProofBundle.from_json(data), other_vkey, expected_origin=ORIGIN)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"entry": '{"b": 1, "a": 2}'}, "not in RFC 8785 canonical form"),
        ({"entry": "not json"}, "not JSON"),
        ({"entry": "[1, 2]"}, "must be a JSON object"),
        ({"entry": 5}, "'entry' must be"),
        ({"leaf_index": -1}, "'leaf_index' must be a non-negative integer"),
        ({"leaf_index": True}, "'leaf_index' must be a non-negative integer"),
        ({"inclusion_proof": "abc"}, "'inclusion_proof' must be a list"),
        ({"inclusion_proof": ["zz"]}, "neither base64 nor hex"),
        ({"inclusion_proof": [base64.b64encode(b"short").decode()]}, "decodes to 5 bytes"),
        ({"checkpoint": ""}, "'checkpoint' must be"),
    ],
)
def test_malformed_bundles_are_rejected_with_the_field_named(change: dict[str, Any], message: str) -> None:
    with pytest.raises(VerificationError, match=message):
        RetirementProofBundle.from_json(bundle_json(1, 4) | change)


def test_decode_hash_accepts_both_encodings() -> None:
    value = TREE.leaf_hash(0)
    assert decode_hash(value.hex()) == decode_hash(base64.b64encode(value).decode()) == value


def consistency_json(old: int, new: int) -> dict[str, Any]:
    return {
        "old_checkpoint": checkpoint(old),
        "new_checkpoint": checkpoint(new),
        "proof": [base64.b64encode(h).decode() for h in TREE.consistency_proof(old, new)],
    }


@pytest.mark.parametrize(("old", "new"), [(1, 50), (13, 37), (32, 50), (50, 50)])
def test_checkpoints_of_a_growing_log_are_consistent(old: int, new: int) -> None:
    result = verify_log_consistency(ConsistencyBundle.from_json(consistency_json(old, new)), VKEY)
    assert (result.old.size, result.new.size) == (old, new)


def test_a_rewritten_history_is_not_consistent() -> None:
    forked = MemoryTree(canonical_bytes(e) for e in ENTRIES[:10])
    forked.append(canonical_bytes(dict(ENTRIES[10], quantity_g=1)))
    for entry in ENTRIES[11:30]:
        forked.append(canonical_bytes(entry))
    bundle = ConsistencyBundle(
        old_checkpoint=checkpoint(20),
        new_checkpoint=sign_checkpoint(ORIGIN, 30, forked.root(), KEY, ORIGIN, SIGNED_AT),
        proof=tuple(forked.consistency_proof(20, 30)),
    )
    with pytest.raises(VerificationError, match="rebuilds old root") as exc:
        verify_log_consistency(bundle, VKEY)
    assert failed_check(exc) == "consistency"


def test_checkpoints_in_the_wrong_order_are_named() -> None:
    data = consistency_json(13, 37)
    data["old_checkpoint"], data["new_checkpoint"] = data["new_checkpoint"], data["old_checkpoint"]
    with pytest.raises(VerificationError, match="size 37\\) is larger than the new one \\(size 13"):
        verify_log_consistency(ConsistencyBundle.from_json(data), VKEY)


def test_checkpoints_of_different_logs_are_not_compared() -> None:
    data = consistency_json(13, 37)
    data["new_checkpoint"] = checkpoint(37, origin="other.example/log")
    vkey = verifier_key(ORIGIN, KEY.public_key())
    with pytest.raises(VerificationError, match="new checkpoint: note has no signature"):
        verify_log_consistency(ConsistencyBundle.from_json(data), vkey)
    data["new_checkpoint"] = sign_checkpoint("other.example/log", 37, TREE.root(37), KEY, ORIGIN, SIGNED_AT)
    with pytest.raises(VerificationError, match="different logs"):
        verify_log_consistency(ConsistencyBundle.from_json(data), vkey)


def test_rebuilding_the_tree_from_entries_matches_the_checkpoint() -> None:
    result = verify_entries(ENTRIES, checkpoint(50), VKEY)
    assert result.entries_checked == 50
    assert verify_entries(ENTRIES, checkpoint(20), VKEY).entries_checked == 20


def test_a_changed_entry_is_located_with_stored_leaf_hashes() -> None:
    stored = [TREE.leaf_hash(i) for i in range(50)]
    entries = list(ENTRIES)
    entries[17] = dict(entries[17], beneficiary="someone else")
    entries[30] = dict(entries[30], quantity_g=0)
    with pytest.raises(VerificationError, match="entry 17 no longer matches its stored leaf hash") as exc:
        verify_entries(entries, checkpoint(50), VKEY, leaf_hashes=stored)
    assert failed_check(exc) == "entries"


def test_a_changed_entry_without_stored_hashes_states_both_roots() -> None:
    entries = list(ENTRIES)
    entries[3] = dict(entries[3], quantity_g=0)
    with pytest.raises(VerificationError, match=f"but the checkpoint says {TREE.root(50).hex()}"):
        verify_entries(entries, checkpoint(50), VKEY)


def test_stored_hashes_that_agree_with_changed_entries_are_reported() -> None:
    entries = list(ENTRIES)
    entries[3] = dict(entries[3], quantity_g=0)
    stored = [leaf_hash(canonical_bytes(e)) for e in entries]
    with pytest.raises(VerificationError, match="every entry matches the stored leaf hashes"):
        verify_entries(entries, checkpoint(50), VKEY, leaf_hashes=stored)
    with pytest.raises(VerificationError, match="only 10 stored leaf hashes"):
        verify_entries(entries, checkpoint(50), VKEY, leaf_hashes=stored[:10])


def test_missing_entries_are_reported() -> None:
    with pytest.raises(VerificationError, match="49 entries given but the checkpoint covers 50"):
        verify_entries(ENTRIES[:49], checkpoint(50), VKEY)
