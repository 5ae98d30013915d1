"""RFC 9162 Merkle tree hashing and proofs; moved to shared.transparency.merkle, re-exported here."""

# ruff: noqa: F405 - the names in __all__ come from the star import, which is the point of this module
from shared.transparency.merkle import *  # noqa: F403

__all__ = [
    "HASH_SIZE",
    "EMPTY_ROOT",
    "ProofError",
    "leaf_hash",
    "node_hash",
    "SubtreeSource",
    "root_hash",
    "inclusion_proof",
    "consistency_proof",
    "CompactRange",
    "CachingSource",
    "MemoryTree",
    "tree_root",
    "root_from_inclusion_proof",
    "verify_inclusion",
    "verify_consistency",
]
