"""Offline checks an auditor runs against the registry's log, trusting nothing but the registry's key.

Inputs, as ``lingtan verify`` reads them from files or from a running platform:

- ``vkey``: the registry's verifier key string ``<name>+<hex key ID>+<base64(0x01 || Ed25519 key)>``
  (``GET /registry/v1/log/public-key``), obtained out of band and pinned by the auditor.
- a checkpoint note: the signed tree head text (``GET /registry/v1/log/checkpoint``), see checkpoint.py.
- hashes (inclusion and consistency proofs, stored leaf hashes): 32-byte SHA-256 values written as
  standard base64 (44 characters) or lowercase hex (64 characters).
- a log entry: a JSON object. Its leaf data is its RFC 8785 canonical form,
  ``shared.canonical.canonical_bytes(entry)``; the leaf hash is SHA-256(0x00 || those bytes).

A retirement proof bundle (``GET /registry/v1/retirements/{id}/proof``) as JSON::

    {"entry": {...log entry...} or "<its canonical JSON text>",
     "leaf_index": 41,
     "tree_size": 1024,                       (optional; must equal the checkpoint's size)
     "inclusion_proof": ["<hash>", ...],      (audit path, leaf first, RFC 9162 §2.1.3)
     "checkpoint": "<signed checkpoint note>"}

A consistency bundle (two checkpoints the auditor holds plus ``GET /registry/v1/log/consistency``)::

    {"old_checkpoint": "<note>", "new_checkpoint": "<note>", "proof": ["<hash>", ...]}

Every check returns a small result on success and raises ``VerificationError`` otherwise; its
``check`` attribute names the failed step ("bundle", "checkpoint", "entry", "inclusion",
"consistency", "entries") and its message says precisely what did not match.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shared.canonical import canonical_bytes
from shared.transparency.checkpoint import Checkpoint, CheckpointError, VerifierKey, parse_and_verify
from shared.transparency.merkle import (
    HASH_SIZE,
    CompactRange,
    ProofError,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)

__all__ = [
    "VerificationError",
    "decode_hash",
    "entry_bytes",
    "RetirementProofBundle",
    "ConsistencyBundle",
    "InclusionVerified",
    "ConsistencyVerified",
    "EntriesVerified",
    "verify_retirement_proof",
    "verify_log_consistency",
    "verify_entries",
]


class VerificationError(ValueError):
    """An offline check failed; ``check`` names which one."""

    def __init__(self, check: str, message: str) -> None:
        super().__init__(f"{check}: {message}")
        self.check = check


def decode_hash(value: str) -> bytes:
    """Decode a 32-byte hash written as standard base64 or as lowercase hex."""
    try:
        if len(value) == 2 * HASH_SIZE:
            return bytes.fromhex(value)
        decoded = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise VerificationError("bundle", f"{value!r} is neither base64 nor hex") from exc
    if len(decoded) != HASH_SIZE:
        raise VerificationError("bundle", f"hash {value!r} decodes to {len(decoded)} bytes, not {HASH_SIZE}")
    return decoded


def _hash_list(data: Mapping[str, Any], field: str) -> tuple[bytes, ...]:
    value = data.get(field)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise VerificationError("bundle", f"'{field}' must be a list of base64 or hex hashes")
    return tuple(decode_hash(v) for v in value)


def _text(data: Mapping[str, Any], field: str) -> str:
    value = data.get(field)
    if not isinstance(value, str) or not value:
        raise VerificationError("bundle", f"'{field}' must be the signed checkpoint note text")
    return value


def _int(data: Mapping[str, Any], field: str) -> int:
    value = data.get(field)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise VerificationError("bundle", f"'{field}' must be a non-negative integer")
    return value


def entry_bytes(entry: Mapping[str, Any] | str) -> bytes:
    """The leaf data of a log entry: its canonical JSON bytes (a text form must already be canonical)."""
    if not isinstance(entry, str):
        return canonical_bytes(entry)
    try:
        parsed = json.loads(entry)
    except ValueError as exc:
        raise VerificationError("entry", f"entry text is not JSON: {exc}") from exc
    if not isinstance(parsed, dict):
        raise VerificationError("entry", "a log entry must be a JSON object")
    canonical = canonical_bytes(parsed)
    if canonical != entry.encode():
        raise VerificationError("entry", "entry text is not in RFC 8785 canonical form, so it is not the leaf data")
    return canonical


@dataclass(frozen=True)
class RetirementProofBundle:
    """What proves that one log entry (a retirement) is in the log under a signed checkpoint."""

    entry: bytes
    leaf_index: int
    inclusion_proof: tuple[bytes, ...]
    checkpoint: str
    tree_size: int | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RetirementProofBundle:
        """Build a bundle from its JSON form (see the module docstring)."""
        entry = data.get("entry")
        if not isinstance(entry, dict | str):
            raise VerificationError("bundle", "'entry' must be the log entry object or its canonical JSON text")
        return cls(
            entry=entry_bytes(entry),
            leaf_index=_int(data, "leaf_index"),
            inclusion_proof=_hash_list(data, "inclusion_proof"),
            checkpoint=_text(data, "checkpoint"),
            tree_size=None if data.get("tree_size") is None else _int(data, "tree_size"),
        )


@dataclass(frozen=True)
class ConsistencyBundle:
    """Two checkpoint notes of one log and the consistency proof between their tree sizes."""

    old_checkpoint: str
    new_checkpoint: str
    proof: tuple[bytes, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ConsistencyBundle:
        """Build a bundle from its JSON form (see the module docstring)."""
        return cls(
            old_checkpoint=_text(data, "old_checkpoint"),
            new_checkpoint=_text(data, "new_checkpoint"),
            proof=_hash_list(data, "proof"),
        )


@dataclass(frozen=True)
class InclusionVerified:
    """A verified retirement proof: the entry is leaf ``leaf_index`` under ``checkpoint``."""

    checkpoint: Checkpoint
    leaf_index: int
    leaf_hash: bytes


@dataclass(frozen=True)
class ConsistencyVerified:
    """Two verified checkpoints, the newer one an append-only extension of the older one."""

    old: Checkpoint
    new: Checkpoint


@dataclass(frozen=True)
class EntriesVerified:
    """The first ``checkpoint.size`` entries rebuild exactly the checkpoint's root."""

    checkpoint: Checkpoint
    entries_checked: int


def _checkpoint(note: str, vkey: str | VerifierKey, expected_origin: str | None, which: str = "") -> Checkpoint:
    try:
        return parse_and_verify(note, vkey, expected_origin)
    except CheckpointError as exc:
        raise VerificationError("checkpoint", f"{which}{exc}") from exc


def verify_retirement_proof(
    bundle: RetirementProofBundle, vkey: str | VerifierKey, expected_origin: str | None = None
) -> InclusionVerified:
    """Check the checkpoint signature, then that the entry is the claimed leaf under its root."""
    checkpoint = _checkpoint(bundle.checkpoint, vkey, expected_origin)
    if bundle.tree_size is not None and bundle.tree_size != checkpoint.size:
        raise VerificationError(
            "bundle",
            f"bundle says tree size {bundle.tree_size} but the checkpoint is for size {checkpoint.size}",
        )
    if bundle.leaf_index >= checkpoint.size:
        raise VerificationError(
            "inclusion",
            f"leaf index {bundle.leaf_index} is beyond the checkpoint's tree size {checkpoint.size}",
        )
    leaf = leaf_hash(bundle.entry)
    try:
        verify_inclusion(leaf, bundle.leaf_index, checkpoint.size, bundle.inclusion_proof, checkpoint.root_hash)
    except ProofError as exc:
        raise VerificationError("inclusion", str(exc)) from exc
    return InclusionVerified(checkpoint=checkpoint, leaf_index=bundle.leaf_index, leaf_hash=leaf)


def verify_log_consistency(
    bundle: ConsistencyBundle, vkey: str | VerifierKey, expected_origin: str | None = None
) -> ConsistencyVerified:
    """Check both checkpoint signatures and that the newer tree extends the older one."""
    old = _checkpoint(bundle.old_checkpoint, vkey, expected_origin, "old checkpoint: ")
    new = _checkpoint(bundle.new_checkpoint, vkey, expected_origin, "new checkpoint: ")
    if old.origin != new.origin:
        raise VerificationError("consistency", f"checkpoints name different logs: {old.origin!r} and {new.origin!r}")
    if old.size > new.size:
        raise VerificationError(
            "consistency", f"old checkpoint (size {old.size}) is larger than the new one (size {new.size})"
        )
    try:
        verify_consistency(old.size, new.size, old.root_hash, new.root_hash, bundle.proof)
    except ProofError as exc:
        raise VerificationError("consistency", str(exc)) from exc
    return ConsistencyVerified(old=old, new=new)


def verify_entries(
    entries: Sequence[Mapping[str, Any]],
    checkpoint_note: str,
    vkey: str | VerifierKey,
    leaf_hashes: Sequence[bytes] | None = None,
    expected_origin: str | None = None,
) -> EntriesVerified:
    """Rebuild the tree from log entries (index 0 onward) and compare it with a checkpoint.

    Entries beyond the checkpoint's size are ignored. On a mismatch, ``leaf_hashes`` (leaf hashes
    stored earlier, e.g. by the auditor's previous run) let the error name the first entry that no
    longer matches; without them the error states the two roots.
    """
    checkpoint = _checkpoint(checkpoint_note, vkey, expected_origin)
    size = checkpoint.size
    if len(entries) < size:
        raise VerificationError("entries", f"{len(entries)} entries given but the checkpoint covers {size}")
    frontier = CompactRange()
    computed = [leaf_hash(canonical_bytes(entry)) for entry in entries[:size]]
    for leaf in computed:
        frontier.append(leaf)
    if frontier.root() == checkpoint.root_hash:
        return EntriesVerified(checkpoint=checkpoint, entries_checked=size)
    mismatch = (
        f"entries 0..{size - 1} rebuild root {frontier.root().hex()}, "
        f"but the checkpoint says {checkpoint.root_hash.hex()}"
    )
    if leaf_hashes is None:
        raise VerificationError("entries", mismatch)
    if len(leaf_hashes) < size:
        raise VerificationError("entries", f"{mismatch}; only {len(leaf_hashes)} stored leaf hashes to compare")
    for index, (leaf, stored) in enumerate(zip(computed, leaf_hashes, strict=False)):
        if leaf != stored:
            raise VerificationError(
                "entries",
                f"entry {index} no longer matches its stored leaf hash ({leaf.hex()} != {stored.hex()})",
            )
    raise VerificationError("entries", f"{mismatch}; every entry matches the stored leaf hashes, so those disagree too")
